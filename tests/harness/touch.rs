//! Phones and tablets: a device's size with touch input, and a finger's drag, over CDP.

use super::Page;
use std::time::Duration;

impl Page {
    /// Emulate a device of `width` × `height` CSS pixels (a phone, a tablet), with touch input
    /// (a coarse pointer) when `touch`.
    pub fn emulate_device(&self, width: u32, height: u32, touch: bool) {
        use headless_chrome::protocol::cdp::Emulation;
        let metrics = Emulation::SetDeviceMetricsOverride {
            width,
            height,
            device_scale_factor: 1.0,
            mobile: touch,
            scale: None,
            screen_width: Some(width),
            screen_height: Some(height),
            position_x: None,
            position_y: None,
            dont_set_visible_size: None,
            screen_orientation: None,
            viewport: None,
            display_feature: None,
            device_posture: None,
        };
        self.tab.call_method(metrics).expect("emulate the device's size");
        self.tab
            .call_method(Emulation::SetTouchEmulationEnabled { enabled: touch, max_touch_points: Some(5) })
            .expect("emulate touch");
    }

    /// A touch drag by one finger from (x0, y0) to (x1, y1) in CSS pixels, in `steps` moves.
    pub fn touch_drag(&self, from: (f64, f64), to: (f64, f64), steps: usize) {
        use headless_chrome::protocol::cdp::Input::{
            DispatchTouchEvent, DispatchTouchEventTypeOption as T, TouchPoint,
        };
        let point = |x: f64, y: f64| TouchPoint {
            x,
            y,
            radius_x: None,
            radius_y: None,
            rotation_angle: None,
            force: None,
            tangential_pressure: None,
            tilt_x: None,
            tilt_y: None,
            twist: None,
            id: Some(1.0),
        };
        let send = |kind: T, points: Vec<TouchPoint>| {
            self.tab
                .call_method(DispatchTouchEvent {
                    Type: kind,
                    touch_points: points,
                    modifiers: None,
                    timestamp: None,
                })
                .expect("a touch event");
        };
        send(T::TouchStart, vec![point(from.0, from.1)]);
        for i in 1..=steps {
            let t = i as f64 / steps as f64;
            send(T::TouchMove, vec![point(from.0 + (to.0 - from.0) * t, from.1 + (to.1 - from.1) * t)]);
            std::thread::sleep(Duration::from_millis(16));
        }
        send(T::TouchEnd, vec![]);
    }

    /// `count` taps of a finger at (x, y), as the browser's gesture recogniser sees them (two
    /// make a double-tap, which fires `dblclick`).
    pub fn tap(&self, at: (f64, f64), count: u32) {
        use headless_chrome::protocol::cdp::Input::{GestureSourceType, SynthesizeTapGesture};
        self.tab
            .call_method(SynthesizeTapGesture {
                x: at.0,
                y: at.1,
                duration: None,
                tap_count: Some(count),
                gesture_source_Type: Some(GestureSourceType::Touch),
            })
            .expect("a tap gesture");
    }

    /// The centre of the first element `selector` finds, scrolled into view, in CSS pixels.
    pub fn centre_of(&self, selector: &str) -> (f64, f64) {
        let at = self.eval(&format!(
            "(() => {{ const e = document.querySelector('{selector}'); e.scrollIntoView({{ block: 'center' }});
                const r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }})()"
        ));
        (at[0].as_f64().unwrap_or(f64::NAN), at[1].as_f64().unwrap_or(f64::NAN))
    }
}
