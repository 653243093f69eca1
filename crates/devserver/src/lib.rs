//! Serves a built `dist/` on 127.0.0.1 with the right MIME types (browsers compile wasm
//! streamingly only when it is served as `application/wasm`) and the page's security headers.
//! Std only: it must build in seconds on a fresh machine, before anything else works.
//!
//! It serves as a real host does: a file's precompressed twin (`x.wasm.br`, `x.wasm.gz`, written
//! by `cargo xtask dist`) goes out with `Content-Encoding` when the browser accepts it, and every
//! response carries an `ETag`, so a revisit costs a 304 instead of the download.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Only the page's own origin may be contacted (and `blob:`, the page's own in-memory files, so an
/// export can be read back), and nothing may frame it.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'unsafe-inline'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' blob:; worker-src 'self'; frame-ancestors 'none'";

pub struct Server {
    pub port: u16,
    stop: Arc<AtomicBool>,
    handle: Option<thread::JoinHandle<()>>,
    log: Arc<Mutex<Vec<Served>>>,
}

/// One response, as the server sent it: what a benchmark counts to know what a visit cost,
/// worker requests included (which the page's DevTools session does not see).
#[derive(Clone, Debug)]
pub struct Served {
    /// The request's path and query.
    pub target: String,
    /// Bytes written to the socket: headers and body.
    pub bytes: usize,
    /// When the request arrived, in wall-clock milliseconds since the Unix epoch (comparable
    /// with `performance.timeOrigin + performance.now()` in a browser on this machine).
    pub asked_wall_ms: f64,
}

/// A slow link between server and browser, for first-visit measurements: every response waits
/// `latency` before its first byte, and all responses together share `bytes_per_second`, as the
/// requests of one visit share one wifi link.
#[derive(Clone, Copy, Debug)]
pub struct Throttle {
    pub latency: Duration,
    pub bytes_per_second: f64,
}

/// The shared link: when its next byte may go out.
struct Link {
    throttle: Throttle,
    free_at: Mutex<Instant>,
}

impl Link {
    /// Wait until `n` more bytes fit through the link.
    fn pass(&self, n: usize) {
        let until = {
            let Ok(mut free) = self.free_at.lock() else { return };
            let start = (*free).max(Instant::now());
            *free = start + Duration::from_secs_f64(n as f64 / self.throttle.bytes_per_second);
            *free
        };
        if let Some(wait) = until.checked_duration_since(Instant::now()) {
            thread::sleep(wait);
        }
    }
}

fn wall_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

impl Server {
    /// Serve `root` on 127.0.0.1; `port` 0 picks a free one.
    pub fn start(root: &Path, port: u16) -> std::io::Result<Server> {
        Server::start_throttled(root, port, None)
    }

    /// `start`, behind a slow link when `throttle` says so.
    pub fn start_throttled(root: &Path, port: u16, throttle: Option<Throttle>) -> std::io::Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let port = listener.local_addr()?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let root = root.to_path_buf();
        let flag = stop.clone();
        let log = Arc::new(Mutex::new(Vec::new()));
        let served = log.clone();
        let link = throttle.map(|throttle| Arc::new(Link { throttle, free_at: Mutex::new(Instant::now()) }));
        let handle = thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let (root, served, link) = (root.clone(), served.clone(), link.clone());
                    thread::spawn(move || {
                        if let Ok(record) = handle(stream, &root, link.as_deref()) {
                            served.lock().map(|mut l| l.push(record)).ok();
                        }
                    });
                }
            }
        });
        Ok(Server { port, stop, handle: Some(handle), log })
    }

    /// Every response sent so far.
    pub fn served(&self) -> Vec<Served> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Block serving until the process is killed.
    pub fn wait(mut self) {
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Server {
    /// Stop listening: from now on every connection is refused, as when a host goes away.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so the thread sees the flag and ends.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn mime(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// Map a request path to a file under `root`, refusing anything that climbs out of it.
pub fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let path = url_path.split(['?', '#']).next().unwrap_or("/");
    let mut out = root.to_path_buf();
    for c in Path::new(path.trim_start_matches('/')).components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if out.is_dir() {
        out.push("index.html");
    }
    Some(out)
}

/// What the request asked that changes the answer.
#[derive(Default)]
struct Request {
    method: String,
    target: String,
    accept_encoding: String,
    if_none_match: Option<String>,
}

fn read_request(reader: &mut impl BufRead) -> std::io::Result<Request> {
    let mut first = String::new();
    reader.read_line(&mut first)?;
    let mut parts = first.split_whitespace();
    let mut req = Request {
        method: parts.next().unwrap_or("").to_string(),
        target: parts.next().unwrap_or("/").to_string(),
        ..Request::default()
    };
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        if let Some((name, value)) = line.split_once(':') {
            let value = value.trim().to_string();
            match name.trim().to_ascii_lowercase().as_str() {
                "accept-encoding" => req.accept_encoding = value,
                "if-none-match" => req.if_none_match = Some(value),
                _ => {}
            }
        }
        line.clear();
    }
    Ok(req)
}

/// The encodings a browser takes, best first, that have a precompressed file beside `file`.
fn encoded_twin(file: &Path, accept_encoding: &str) -> Option<(PathBuf, &'static str)> {
    let accepts = |coding: &str| {
        accept_encoding.split(',').any(|c| {
            let mut it = c.split(';');
            let name = it.next().unwrap_or("").trim();
            // "br;q=0" means "not br".
            let refused = it.any(|p| p.trim().replace(' ', "") == "q=0");
            name == coding && !refused
        })
    };
    [("br", "br"), ("gz", "gzip")].into_iter().find_map(|(ext, coding)| {
        let mut twin = file.as_os_str().to_owned();
        twin.push(format!(".{ext}"));
        let twin = PathBuf::from(twin);
        (accepts(coding) && twin.is_file()).then_some((twin, coding))
    })
}

/// A validator that changes when the file does: its length and modification time (and the
/// encoding, since the two twins are different bytes).
fn etag(path: &Path, coding: Option<&str>) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(format!(
        "\"{:x}-{:x}{}\"",
        meta.len(),
        modified.as_nanos(),
        coding.map_or(String::new(), |c| format!("-{c}"))
    ))
}

fn handle(mut stream: TcpStream, root: &Path, link: Option<&Link>) -> std::io::Result<Served> {
    let req = read_request(&mut BufReader::new(stream.try_clone()?))?;
    let asked_wall_ms = wall_ms();
    let method = req.method.as_str();
    let file = resolve(root, &req.target).filter(|p| p.is_file());
    let mut extra = String::new();
    let (status, body, kind) = match (method, file) {
        ("GET" | "HEAD", Some(p)) => {
            let (served, coding) = match encoded_twin(&p, &req.accept_encoding) {
                Some((twin, coding)) => (twin, Some(coding)),
                None => (p.clone(), None),
            };
            let tag = etag(&served, coding);
            if let Some(coding) = coding {
                extra += &format!("Content-Encoding: {coding}\r\n");
            }
            extra += "Vary: Accept-Encoding\r\n";
            if let Some(tag) = &tag {
                extra += &format!("ETag: {tag}\r\n");
            }
            if tag.is_some() && req.if_none_match == tag {
                ("304 Not Modified", Vec::new(), mime(&p))
            } else {
                match std::fs::read(&served) {
                    Ok(b) => ("200 OK", b, mime(&p)),
                    Err(_) => ("500 Internal Server Error", b"read error".to_vec(), "text/plain"),
                }
            }
        }
        ("GET" | "HEAD", None) => ("404 Not Found", b"not found".to_vec(), "text/plain"),
        _ => ("405 Method Not Allowed", Vec::new(), "text/plain"),
    };
    // Cross-origin isolation (COOP + COEP): the page loads nothing from other origins anyway, and
    // isolated pages get 5 µs clocks instead of 100 µs ones, which decodes of a few tenths of a
    // millisecond need to be timed at all. The app works the same without these headers.
    // `no-cache` means "ask before reusing": with the ETag, an unchanged file costs a 304. File
    // names carry no content hash (the worker is loaded by name), so nothing may be cached
    // without asking.
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nContent-Security-Policy: {CSP}\r\n\
         Cross-Origin-Opener-Policy: same-origin\r\nCross-Origin-Embedder-Policy: require-corp\r\n\
         X-Content-Type-Options: nosniff\r\nCache-Control: no-cache\r\n{extra}Connection: close\r\n\r\n",
        body.len()
    );
    let body: &[u8] = if method == "HEAD" { &[] } else { &body };
    if let Some(link) = link {
        thread::sleep(link.throttle.latency);
    }
    let mut sent = 0;
    for part in [head.as_bytes(), body] {
        // Through a slow link in slices, so parallel responses share it as on real wifi.
        for chunk in part.chunks(if link.is_some() { 16 * 1024 } else { usize::MAX }) {
            if let Some(link) = link {
                link.pass(chunk.len());
            }
            stream.write_all(chunk)?;
            sent += chunk.len();
        }
    }
    stream.flush()?;
    Ok(Served { target: req.target, bytes: sent, asked_wall_ms })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn a_throttled_link_is_shared_and_slow() {
        let dir = std::env::temp_dir().join(format!("devserver-slow-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("big.bin"), vec![7u8; 200_000]).unwrap();
        let throttle = Throttle { latency: Duration::from_millis(40), bytes_per_second: 1_000_000.0 };
        let server = Server::start_throttled(&dir, 0, Some(throttle)).unwrap();
        let port = server.port;
        let start = Instant::now();
        // Two at once share the link: 400 kB at 1 MB/s is at least 0.4 s, not 0.2.
        let a = thread::spawn(move || get(port, "/big.bin").len());
        let b = thread::spawn(move || get(port, "/big.bin").len());
        assert!(a.join().unwrap() > 200_000 && b.join().unwrap() > 200_000);
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(400), "{took:?}");
        assert!(took < Duration::from_secs(3), "{took:?}");
        drop(server);
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn get(port: u16, path: &str) -> String {
        get_with(port, path, "")
    }

    fn get_with(port: u16, path: &str, headers: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n{headers}\r\n").unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).unwrap();
        String::from_utf8_lossy(&out).into_owned()
    }

    fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
        response.lines().find_map(|l| l.strip_prefix(&format!("{name}: ")))
    }

    #[test]
    fn precompressed_twins_go_to_browsers_that_accept_them_and_revisits_get_304() {
        let dir = std::env::temp_dir().join(format!("devserver-enc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("w.wasm"), b"plain").unwrap();
        std::fs::write(dir.join("w.wasm.br"), b"BROTLI").unwrap();
        std::fs::write(dir.join("w.wasm.gz"), b"GZIP").unwrap();
        std::fs::write(dir.join("only-gz.js"), b"js").unwrap();
        std::fs::write(dir.join("only-gz.js.gz"), b"GZ").unwrap();
        let server = Server::start(&dir, 0).unwrap();
        let port = server.port;

        let br = get_with(port, "/w.wasm", "Accept-Encoding: gzip, deflate, br, zstd\r\n");
        assert_eq!(header(&br, "Content-Encoding"), Some("br"));
        assert_eq!(header(&br, "Content-Type"), Some("application/wasm"));
        assert!(br.ends_with("BROTLI"), "{br}");
        let gz = get_with(port, "/w.wasm", "Accept-Encoding: gzip\r\n");
        assert_eq!(header(&gz, "Content-Encoding"), Some("gzip"));
        assert!(gz.ends_with("GZIP"));
        let refused = get_with(port, "/w.wasm", "Accept-Encoding: br;q=0, gzip\r\n");
        assert_eq!(header(&refused, "Content-Encoding"), Some("gzip"));
        let plain = get(port, "/w.wasm");
        assert_eq!(header(&plain, "Content-Encoding"), None);
        assert!(plain.ends_with("plain"));
        // A file without a brotli twin falls back to the gzip one.
        let js = get_with(port, "/only-gz.js", "Accept-Encoding: br, gzip\r\n");
        assert_eq!(header(&js, "Content-Encoding"), Some("gzip"));

        // The ETag names the bytes sent: asking again with it gets 304 and no body.
        let tag = header(&br, "ETag").unwrap().to_string();
        assert_ne!(Some(tag.as_str()), header(&gz, "ETag"));
        let again = get_with(port, "/w.wasm", &format!("Accept-Encoding: br\r\nIf-None-Match: {tag}\r\n"));
        assert!(again.starts_with("HTTP/1.1 304"), "{again}");
        assert_eq!(header(&again, "Content-Length"), Some("0"));
        // The log counts what went out, headers included.
        let log = server.served();
        let first = log.iter().find(|s| s.target == "/w.wasm").unwrap();
        assert!(first.bytes > "BROTLI".len() && first.asked_wall_ms > 1.6e12, "{first:?}");
        drop(server);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn serves_files_with_types_and_refuses_escapes() {
        let dir = std::env::temp_dir().join(format!("devserver-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("index.html"), "<p>hi</p>").unwrap();
        std::fs::write(dir.join("sub/a.wasm"), [0u8, 97, 115, 109]).unwrap();
        let server = Server::start(&dir, 0).unwrap();
        let index = get(server.port, "/?backend=cpu");
        assert!(
            index.starts_with("HTTP/1.1 200") && index.contains("text/html") && index.ends_with("<p>hi</p>")
        );
        assert!(index.contains("Content-Security-Policy: default-src 'self'"));
        assert!(index.contains("Cross-Origin-Embedder-Policy: require-corp"));
        assert!(get(server.port, "/sub/a.wasm").contains("application/wasm"));
        assert!(get(server.port, "/missing.js").starts_with("HTTP/1.1 404"));
        assert!(get(server.port, "/../etc/passwd").starts_with("HTTP/1.1 404"));
        assert!(resolve(&dir, "/../x").is_none());
        drop(server);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
