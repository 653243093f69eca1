//! A lecture hall's wifi dropping: the browser told it is offline (CDP
//! `Network.emulateNetworkConditions`, so `navigator.onLine` turns false) and the host gone (the
//! emulation covers the page's own requests, not its workers', so the server stops listening
//! too: nothing can be fetched by anyone).

use super::Page;

impl Page {
    pub fn cut_network(&mut self) {
        use headless_chrome::protocol::cdp::Network::EmulateNetworkConditions;
        self.tab
            .call_method(EmulateNetworkConditions {
                offline: true,
                latency: 0.0,
                download_throughput: -1.0,
                upload_throughput: -1.0,
                connection_Type: None,
                packet_loss: None,
                packet_queue_length: None,
                packet_reordering: None,
            })
            .expect("emulate being offline");
        self._server.stop();
    }

    /// Reload the page as a user does, and wait for its first image.
    pub fn reload(&self) {
        self.eval("location.reload()");
        std::thread::sleep(std::time::Duration::from_millis(500));
        self.wait_ready();
    }
}
