//! Serves a built `dist/` on 127.0.0.1 with the right MIME types (browsers compile wasm
//! streamingly only when it is served as `application/wasm`) and the page's security headers.
//! Std only: it must build in seconds on a fresh machine, before anything else works.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

/// Only the page's own origin may be contacted (and `blob:`, the page's own in-memory files, so an
/// export can be read back), and nothing may frame it.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'unsafe-inline'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' blob:; worker-src 'self'; frame-ancestors 'none'";

pub struct Server {
    pub port: u16,
    stop: Arc<AtomicBool>,
    handle: Option<thread::JoinHandle<()>>,
}

impl Server {
    /// Serve `root` on 127.0.0.1; `port` 0 picks a free one.
    pub fn start(root: &Path, port: u16) -> std::io::Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let port = listener.local_addr()?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let root = root.to_path_buf();
        let flag = stop.clone();
        let handle = thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let root = root.clone();
                    thread::spawn(move || {
                        let _ = handle(stream, &root);
                    });
                }
            }
        });
        Ok(Server { port, stop, handle: Some(handle) })
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

fn handle(mut stream: TcpStream, root: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    // Drain headers; nothing in them changes what is served.
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let mut parts = request.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let file = resolve(root, target).filter(|p| p.is_file());
    let (status, body, kind) = match (method, file) {
        ("GET" | "HEAD", Some(p)) => match std::fs::read(&p) {
            Ok(b) => ("200 OK", b, mime(&p)),
            Err(_) => ("500 Internal Server Error", b"read error".to_vec(), "text/plain"),
        },
        ("GET" | "HEAD", None) => ("404 Not Found", b"not found".to_vec(), "text/plain"),
        _ => ("405 Method Not Allowed", Vec::new(), "text/plain"),
    };
    // Cross-origin isolation (COOP + COEP): the page loads nothing from other origins anyway, and
    // isolated pages get 5 µs clocks instead of 100 µs ones, which decodes of a few tenths of a
    // millisecond need to be timed at all. The app works the same without these headers.
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nContent-Security-Policy: {CSP}\r\n\
         Cross-Origin-Opener-Policy: same-origin\r\nCross-Origin-Embedder-Policy: require-corp\r\n\
         X-Content-Type-Options: nosniff\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn get(port: u16, path: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
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
