//! A webcam snapshot as one more way in. The camera starts only when asked, stops when the
//! panel closes, and a refusal or a missing camera is a notice, not a dead button.

use crate::state::Action;
use crate::web::browser;
use crate::web::io::ingest::prepare_for;
use bundle::Manifest;
use image_input::preprocess::{Rgba, WORKING_SIZE};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{HtmlVideoElement, MediaStream, MediaStreamTrack};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub manifest: Rc<Manifest>,
    pub on_action: Callback<Action>,
}

/// Stops the camera when dropped (panel closed, component gone).
struct Camera(MediaStream);

impl Drop for Camera {
    fn drop(&mut self) {
        for t in self.0.get_tracks().iter() {
            if let Ok(track) = t.dyn_into::<MediaStreamTrack>() {
                track.stop();
            }
        }
    }
}

impl PartialEq for Camera {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

async fn open_camera() -> Result<MediaStream, String> {
    let devices = web_sys::window().ok_or("no window")?.navigator().media_devices().map_err(|_| {
        "this browser gives the page no camera access (it needs https or localhost)".to_string()
    })?;
    let constraints = web_sys::MediaStreamConstraints::new();
    constraints.set_video(&true.into());
    let promise = devices.get_user_media_with_constraints(&constraints).map_err(|e| format!("{e:?}"))?;
    let stream = JsFuture::from(promise).await.map_err(|e| {
        let name =
            js_sys::Reflect::get(&e, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
        match name.as_str() {
            "NotAllowedError" => "the camera permission was refused".to_string(),
            "NotFoundError" | "OverconstrainedError" => "no camera was found".to_string(),
            "NotReadableError" => "the camera is in use by another program".to_string(),
            _ => format!("the camera could not be started ({name})"),
        }
    })?;
    Ok(stream.unchecked_into())
}

/// The video's current frame, no larger than the working size.
fn snapshot(video: &HtmlVideoElement) -> Result<Rgba, String> {
    let (w, h) = (video.video_width(), video.video_height());
    if w == 0 || h == 0 {
        return Err("the camera has not delivered a picture yet; try again in a moment".into());
    }
    let scale = (f64::from(WORKING_SIZE) / f64::from(w.max(h))).min(1.0);
    let (tw, th) = (((f64::from(w) * scale) as u32).max(1), ((f64::from(h) * scale) as u32).max(1));
    let canvas = browser::new_canvas(tw, th)?;
    let ctx = browser::context(&canvas)?;
    ctx.draw_image_with_html_video_element_and_dw_and_dh(video, 0.0, 0.0, f64::from(tw), f64::from(th))
        .map_err(|e| format!("the snapshot could not be drawn: {e:?}"))?;
    let data = ctx.get_image_data(0.0, 0.0, f64::from(tw), f64::from(th)).map_err(|e| format!("{e:?}"))?;
    Ok(Rgba { width: tw as usize, height: th as usize, data: data.data().0 })
}

#[function_component(Webcam)]
pub fn webcam(props: &Props) -> Html {
    let camera = use_state(|| None::<Rc<Camera>>);
    let video = use_node_ref();
    let shots = use_mut_ref(|| 0u32);
    {
        let (video, camera) = (video.clone(), camera.clone());
        use_effect_with(camera.as_ref().map(|c| c.0.id()), move |_| {
            if let (Some(el), Some(cam)) = (video.cast::<HtmlVideoElement>(), camera.as_ref()) {
                el.set_src_object(Some(&cam.0));
                let _ = el.play();
            }
        });
    }
    let on_open = {
        let (camera, cb) = (camera.clone(), props.on_action.clone());
        Callback::from(move |_: MouseEvent| {
            let (camera, cb) = (camera.clone(), cb.clone());
            spawn_local(async move {
                match open_camera().await {
                    Ok(stream) => camera.set(Some(Rc::new(Camera(stream)))),
                    Err(why) => cb.emit(Action::Failed(format!(
                        "The camera is not available: {why}. Files, paste and the draw pad still work."
                    ))),
                }
            });
        })
    };
    let on_close = {
        let camera = camera.clone();
        Callback::from(move |_: MouseEvent| camera.set(None))
    };
    let on_snap = {
        let (video, cb, m, shots) =
            (video.clone(), props.on_action.clone(), props.manifest.clone(), shots.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(el) = video.cast::<HtmlVideoElement>() else { return };
            *shots.borrow_mut() += 1;
            let name = format!("camera {}", shots.borrow());
            cb.emit(
                snapshot(&el)
                    .and_then(|rgba| prepare_for(&rgba, &m, &name, false))
                    .unwrap_or_else(Action::Failed),
            );
        })
    };
    html! {
        <div class="webcam">
            if camera.is_some() {
                <video ref={video} data-testid="webcam-video" autoplay=true muted=true playsinline=true />
                <div class="row">
                    <button data-testid="webcam-snap" onclick={on_snap}>{ "Take snapshot" }</button>
                    <button data-testid="webcam-close" onclick={on_close}>{ "Stop camera" }</button>
                </div>
            } else {
                <button class="file-button" data-testid="webcam-open" onclick={on_open}>{ "Use the camera…" }</button>
            }
        </div>
    }
}
