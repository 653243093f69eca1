//! The browser-test harness: serves the built `dist/` on a free loopback port, starts headless
//! Chromium (a fresh profile each time) in one of two modes, records every console error and
//! uncaught exception, and saves a screenshot of every test to `target/screenshots/`. Chromium
//! and the server are shut down when the `Page` is dropped, also when a test fails.

use headless_chrome::browser::tab::Tab;
use headless_chrome::protocol::cdp::Network;
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::protocol::cdp::Runtime::ConsoleAPICalledEventTypeOption;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::{Browser, LaunchOptions};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod files;
pub mod native;
pub mod network;
mod offline;
mod panel_shot;
pub mod scripts;
mod touch;

/// How Chromium is started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `--enable-unsafe-webgpu`: WebGPU through the software (SwiftShader) adapter.
    WebGpu,
    /// No flag: no adapter, so the app must fall back to its CPU backend.
    Cpu,
}

pub fn workspace() -> PathBuf {
    paths::root()
}

pub struct Page {
    pub tab: Arc<Tab>,
    name: String,
    errors: Arc<Mutex<Vec<String>>>,
    /// Every URL the page and its worker asked the network for.
    requests: Arc<Mutex<Vec<String>>>,
    _browser: Browser,
    _server: devserver::Server,
    _profile: TempDir,
    finished: bool,
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Page {
    /// Open the app at `query_and_hash` (e.g. `?backend=cpu#m=mnist-vae`) in a fresh browser.
    pub fn open(name: &str, mode: Mode, query_and_hash: &str) -> Page {
        Page::open_with(name, mode, query_and_hash, &[])
    }

    /// `open`, with extra Chromium flags (a fake camera, say).
    pub fn open_with(name: &str, mode: Mode, query_and_hash: &str, extra_args: &[&str]) -> Page {
        Page::open_site(name, mode, &workspace().join("dist"), query_and_hash, extra_args)
    }

    /// Open the app served from `dist` (a copy of the built app with extra files, say).
    pub fn open_site(name: &str, mode: Mode, dist: &Path, query_and_hash: &str, extra_args: &[&str]) -> Page {
        Page::open_throttled(name, mode, dist, query_and_hash, extra_args, None)
    }

    /// `open_site` over a slow link when `throttle` says so (set before the first request).
    pub fn open_throttled(
        name: &str,
        mode: Mode,
        dist: &Path,
        query_and_hash: &str,
        extra_args: &[&str],
        throttle: Option<devserver::Throttle>,
    ) -> Page {
        assert!(
            dist.join("index.html").is_file(),
            "dist/ is not built: run `cargo xtask test` (it builds the app first)"
        );
        let server = devserver::Server::start_throttled(dist, 0, throttle).expect("start the static server");
        let profile =
            TempDir(std::env::temp_dir().join(format!("latent-lab-chromium-{}-{name}", std::process::id())));
        let mut args: Vec<OsString> = [
            "--no-sandbox",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ]
        .iter()
        .map(OsString::from)
        .collect();
        if mode == Mode::WebGpu {
            args.push("--enable-unsafe-webgpu".into());
        }
        args.extend(extra_args.iter().map(OsString::from));
        let options = LaunchOptions::default_builder()
            .path(Some(PathBuf::from(
                std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            )))
            .headless(true)
            .sandbox(false)
            .window_size(Some((1280, 1500)))
            .user_data_dir(Some(profile.0.clone()))
            .idle_browser_timeout(Duration::from_secs(600))
            .args(args.iter().map(OsString::as_os_str).collect())
            .build()
            .expect("launch options");
        let browser = Browser::new(options).expect("start Chromium (is the chromium package installed?)");
        let tab = browser.new_tab().expect("open a tab");
        // The page's load event waits for a ~10 MB wasm module; on two busy cores that can take
        // longer than the driver's default 20 s.
        tab.set_default_timeout(Duration::from_secs(90));
        let errors = Arc::new(Mutex::new(Vec::new()));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (sink, asked) = (errors.clone(), requests.clone());
        tab.enable_runtime().expect("enable Runtime events");
        tab.enable_log().expect("enable Log events");
        tab.call_method(Network::Enable {
            max_total_buffer_size: None,
            max_resource_buffer_size: None,
            max_post_data_size: None,
            report_direct_socket_traffic: None,
            enable_durable_messages: None,
        })
        .expect("enable Network events");
        tab.add_event_listener(Arc::new(move |event: &Event| {
            if let Event::NetworkRequestWillBeSent(e) = event {
                asked.lock().map(|mut v| v.push(e.params.request.url.clone())).ok();
            }
            let text = match event {
                Event::RuntimeConsoleAPICalled(e)
                    if e.params.Type == ConsoleAPICalledEventTypeOption::Error =>
                {
                    Some(
                        e.params
                            .args
                            .iter()
                            .map(|a| {
                                a.value
                                    .as_ref()
                                    .map_or_else(|| format!("{:?}", a.description), |v| v.to_string())
                            })
                            .collect::<Vec<_>>()
                            .join(" "),
                    )
                }
                Event::RuntimeExceptionThrown(e) => Some(format!(
                    "uncaught: {:?}",
                    e.params.exception_details.exception.as_ref().and_then(|x| x.description.clone())
                )),
                Event::LogEntryAdded(e) if format!("{:?}", e.params.entry.level) == "Error" => {
                    Some(format!("log: {}", e.params.entry.text))
                }
                _ => None,
            };
            if let Some(t) = text {
                sink.lock().map(|mut v| v.push(t)).ok();
            }
        }))
        .expect("listen to console");
        tab.navigate_to(&format!("{}{}", server.url(), query_and_hash)).expect("navigate");
        tab.wait_until_navigated().expect("page loads");
        Page {
            tab,
            name: name.to_string(),
            errors,
            requests,
            _browser: browser,
            _server: server,
            _profile: profile,
            finished: false,
        }
    }

    /// Evaluate a JavaScript expression (a promise is awaited) and return its JSON value.
    /// CDP hands objects back by reference, so the value crosses as a JSON string.
    pub fn eval(&self, js: &str) -> serde_json::Value {
        let wrapped = format!(
            "(async () => {{ const v = await ({js}); return v === undefined ? 'null' : JSON.stringify(v); }})()"
        );
        let result = self.tab.evaluate(&wrapped, true).unwrap_or_else(|e| panic!("evaluating {js}: {e}"));
        match result.value {
            Some(serde_json::Value::String(json)) => {
                serde_json::from_str(&json).unwrap_or(serde_json::Value::Null)
            }
            _ => serde_json::Value::Null,
        }
    }

    /// Poll a JavaScript condition until it is true.
    pub fn wait_for(&self, what: &str, js_condition: &str, timeout: Duration) {
        let start = Instant::now();
        loop {
            if self.eval(js_condition) == serde_json::Value::Bool(true) {
                return;
            }
            if start.elapsed() > timeout {
                panic!(
                    "timed out after {timeout:?} waiting for {what} ({js_condition}); console errors: {:?}",
                    self.errors()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The app has loaded a model and drawn its first image.
    pub fn wait_ready(&self) {
        self.wait_for(
            "the app to be ready",
            "!!document.querySelector('[data-testid=app-ready]')",
            Duration::from_secs(120),
        );
    }

    /// The image on screen is the decode of the newest request.
    pub fn wait_settled(&self) {
        self.wait_for(
            "the newest decode to be drawn",
            "(() => { const a = document.querySelector('[data-testid=app]'); const c = document.querySelector('[data-testid=decoded]'); return !!a && a.dataset.latest === a.dataset.shown && c?.dataset.drawn === a.dataset.shown && !c?.dataset.dragging; })()",
            Duration::from_secs(60),
        );
    }

    /// The id of the newest decode the page has asked for.
    pub fn latest(&self) -> u64 {
        self.eval("Number(document.querySelector('[data-testid=app]')?.dataset.latest ?? 0)")
            .as_u64()
            .unwrap_or(0)
    }

    /// Wait until a decode newer than `previous` was asked for and drawn. `wait_settled` alone
    /// can return before a click has re-rendered, when the old image still counts as settled.
    pub fn wait_new_image(&self, previous: u64) {
        self.wait_for(
            "a new decode to be requested",
            &format!("Number(document.querySelector('[data-testid=app]')?.dataset.latest ?? 0) > {previous}"),
            Duration::from_secs(60),
        );
        self.wait_settled();
    }

    pub fn text(&self, testid: &str) -> Option<String> {
        self.eval(&format!("document.querySelector('[data-testid={testid}]')?.textContent ?? null"))
            .as_str()
            .map(str::to_string)
    }

    /// The decoded canvas as RGBA bytes.
    pub fn canvas_rgba(&self) -> Vec<u8> {
        let v = self.eval(
            "(() => { const c = document.querySelector('[data-testid=decoded]'); return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data); })()",
        );
        v.as_array().expect("canvas pixels").iter().map(|p| p.as_u64().unwrap_or(0) as u8).collect()
    }

    /// Set a slider as a dragging hand does: value, then an `input` event.
    pub fn set_slider(&self, dim: usize, value: f32) {
        self.eval(&format!(
            "(() => {{ const s = document.querySelector('[data-testid=latent-slider][data-dim=\"{dim}\"]'); s.value = '{value:.2}'; s.dispatchEvent(new Event('input', {{ bubbles: true }})); }})()"
        ));
    }

    /// The latent code as the sliders show it, by dimension.
    pub fn slider_z(&self) -> Vec<f32> {
        let v = self.eval("Array.from(document.querySelectorAll('[data-testid=latent-slider]')).map(s => [Number(s.dataset.dim), s.value])");
        let mut pairs: Vec<(usize, f32)> = v
            .as_array()
            .expect("sliders")
            .iter()
            .map(|p| {
                (
                    p[0].as_u64().unwrap_or(0) as usize,
                    p[1].as_str().unwrap_or("nan").parse().unwrap_or(f32::NAN),
                )
            })
            .collect();
        pairs.sort_by_key(|p| p.0);
        pairs.into_iter().map(|p| p.1).collect()
    }

    /// The URLs requested so far (page and worker), in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// Every response the server sent this page and its workers, with its bytes on the wire.
    pub fn served(&self) -> Vec<devserver::Served> {
        self._server.served()
    }

    pub fn errors(&self) -> Vec<String> {
        self.errors.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// Save a screenshot now, as target/screenshots/<test name><suffix>.png (the end of every
    /// test saves one without a suffix).
    pub fn screenshot(&self, suffix: &str) {
        let dir = paths::target_dir().join("screenshots");
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(png) = self.tab.capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true) {
            let _ = std::fs::write(dir.join(format!("{}{suffix}.png", self.name)), png);
        }
    }

    /// End the test: screenshot, and fail on any console error or wasm panic.
    pub fn finish(self) {
        self.finish_allowing(&[]);
    }

    /// `finish`, except for console errors containing one of `expected` (a 404 a test caused
    /// on purpose, say). A wasm panic is never expected.
    pub fn finish_allowing(mut self, expected: &[&str]) {
        self.finished = true;
        self.screenshot("");
        let errors: Vec<String> =
            self.errors().into_iter().filter(|e| !expected.iter().any(|x| e.contains(x))).collect();
        assert!(errors.is_empty(), "console errors in {}: {errors:#?}", self.name);
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        if !self.finished {
            // A failed test: keep a picture of what the page showed.
            self.screenshot("-failed");
        }
    }
}
