//! What a visit cost on the wire, counted by the server (every response the page and its
//! workers got: the page's DevTools session does not see the workers' requests), and a slow
//! link for measuring a first visit over a lecture hall's wifi rather than loopback.
//!
//! The link is the devserver's (`devserver::Throttle`), not CDP's
//! `Network.emulateNetworkConditions`: that throttles the page's own requests only, and the
//! worker fetches its module and the weights itself.

use std::time::Duration;

/// 10 Mbit/s down, 40 ms latency: busy shared wifi.
pub const LECTURE_HALL_WIFI: devserver::Throttle =
    devserver::Throttle { latency: Duration::from_millis(40), bytes_per_second: 10e6 / 8.0 };

/// What a request was for, in the first-visit table's words.
pub fn kind(target: &str) -> &'static str {
    let file = target.split(['?', '#']).next().unwrap_or(target).rsplit('/').next().unwrap_or("");
    if file.starts_with("page") {
        "page"
    } else if file.starts_with("worker") {
        "worker"
    } else if file.ends_with(".bpk") {
        "weights"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::kind;

    #[test]
    fn requests_are_sorted_by_what_they_carry() {
        assert_eq!(kind("/page_bg.wasm"), "page");
        assert_eq!(kind("/page.js"), "page");
        assert_eq!(kind("/worker_loader.js?gpu"), "worker");
        assert_eq!(kind("/worker_gpu_bg.wasm"), "worker");
        assert_eq!(kind("/models/mnist-vae/decoder.bpk"), "weights");
        assert_eq!(kind("/models/mnist-vae/manifest.json"), "other");
        assert_eq!(kind("/"), "other");
    }
}
