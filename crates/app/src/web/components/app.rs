//! The root component: the reducer, the worker, and the effects that turn state changes into
//! worker messages.

use super::canvas::DecodedCanvas;
use super::gallery::{ingest_files, load_examples};
use super::lecture_requests::use_lecture_requests;
use super::navigation::{use_address_bar, use_shortcuts};
use super::persist::use_persistence;
use super::shortcuts::Shortcuts;
use super::sliders::Sliders;
use super::startup;
use super::toolbar::Toolbar;
use super::vectors::Vectors;
use super::views::Views;
use crate::protocol::{BackendChoice, Lane, ToWorker};
use crate::state::{Action, NoticeKind, State};
use crate::web::browser;
use crate::web::client::WorkerClient;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

#[derive(Clone, PartialEq)]
pub struct AppState(pub State);

impl Reducible for AppState {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.0.apply(action);
        Rc::new(next)
    }
}

pub type Dispatcher = UseReducerDispatcher<AppState>;
pub type AppHandle = UseReducerHandle<AppState>;

/// What every panel under the sliders gets: the reducer's handle (cloning and comparing it is
/// a pointer copy, not a State copy), the model on screen, and the way to act.
#[derive(Properties, PartialEq)]
pub struct PanelProps {
    pub state: AppHandle,
    pub manifest: Rc<vae::Manifest>,
    pub on_action: Callback<Action>,
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| {
        let choice =
            browser::query_param("backend").and_then(|s| BackendChoice::parse(&s)).unwrap_or_default();
        AppState(State::new(choice))
    });
    let client = use_mut_ref(|| None::<WorkerClient>);
    let s = &state.0;

    // Start the worker and load the index and the first model, once.
    {
        let dispatcher = state.dispatcher();
        let client = client.clone();
        use_effect_with((), move |_| {
            start_worker(&client, &dispatcher, 0);
            spawn_local(startup::boot(dispatcher));
        });
    }
    // A lost worker (GPU device lost, crash) is replaced; the reducer has already queued the
    // reload of the model on the CPU, which the effect below sends to the new worker.
    {
        let dispatcher = state.dispatcher();
        let client = client.clone();
        use_effect_with(s.worker_epoch, move |epoch| {
            if *epoch > 0 {
                // Dropping the old client terminates its worker.
                client.borrow_mut().take();
                start_worker(&client, &dispatcher, *epoch);
            }
        });
    }
    let post = {
        let client = client.clone();
        let dispatcher = state.dispatcher();
        move |msg: ToWorker| {
            if let Some(c) = client.borrow().as_ref()
                && let Err(e) = c.post(&msg)
            {
                dispatcher.dispatch(Action::Failed(e));
            }
        }
    };
    // A new load id means: send the model to the worker.
    {
        let loading = s.loading.clone();
        let choice = s.backend_choice;
        let post = post.clone();
        let dispatcher = state.dispatcher();
        use_effect_with(loading.as_ref().map(|l| l.id), move |_| {
            if let Some(l) = loading {
                match serde_json::to_string(&*l.manifest) {
                    Ok(manifest_json) => post(ToWorker::Load {
                        id: l.id,
                        manifest_json,
                        weights_url: browser::absolute(&format!(
                            "models/{}/{}",
                            l.manifest.name,
                            vae::bundle::WEIGHTS_FILE
                        )),
                        backend: choice,
                        companion: false,
                    }),
                    Err(e) => dispatcher.dispatch(Action::Failed(e.to_string())),
                }
            }
        });
    }
    // A new decode id means: decode the current z.
    {
        let z = s.z.clone();
        let post = post.clone();
        use_effect_with(s.decode_id, move |id| {
            if *id > 0 {
                post(ToWorker::Decode { id: *id, z });
            }
        });
    }
    // New encodes: send each once, in order.
    {
        // (worker epoch, newest id sent to it): a replacement worker gets every pending encode.
        let posted = use_mut_ref(|| (0u64, 0u64));
        let state = state.clone();
        let post = post.clone();
        let newest = s.encoding.iter().map(|p| p.id).max().unwrap_or(0);
        use_effect_with((newest, s.worker_epoch), move |(_, epoch)| {
            let mut sent = posted.borrow_mut();
            if sent.0 != *epoch {
                *sent = (*epoch, 0);
            }
            let pending = &state.0.encoding;
            for p in pending.iter().filter(|p| p.id > sent.1) {
                post(ToWorker::Encode { id: p.id, model: None, pixels: (*p.pixels).clone() });
            }
            sent.1 = sent.1.max(pending.iter().map(|p| p.id).max().unwrap_or(0));
        });
    }
    // A new strip id means: decode the interpolation frames in one batch.
    {
        // The handle, not the codes: paths are computed only when a strip is asked for, not on
        // every slider move.
        let state = state.clone();
        let post = post.clone();
        use_effect_with(s.strip_id, move |id| {
            if let Some(zs) = state.0.strip_codes().filter(|_| *id > 0) {
                post(ToWorker::DecodeMany { id: *id, lane: Lane::Strip, model: None, zs });
            }
        });
    }
    // A new corners id means: decode the 4-corner grid in one batch.
    {
        let state = state.clone();
        let post = post.clone();
        use_effect_with(s.corners_id, move |id| {
            if let Some(zs) = state.0.corner_codes().filter(|_| *id > 0) {
                post(ToWorker::DecodeMany { id: *id, lane: Lane::Corners, model: None, zs });
            }
        });
    }
    // A newly shown model brings its example images, once.
    {
        let manifest = s.model.clone();
        let has_examples = s.items().iter().any(|i| i.example) || !s.encoding.is_empty();
        let on_action = on_action_callback(&state.dispatcher());
        use_effect_with(s.model.as_ref().map(|m| m.name.clone()), move |_| {
            if let (Some(m), false) = (manifest, has_examples) {
                load_examples(&on_action, &m);
            }
        });
    }
    use_persistence(&state);
    // Playing the interpolation: a tick every 50 ms while it plays.
    {
        let dispatcher = state.dispatcher();
        use_effect_with(s.interp.playing, move |playing| {
            let timer = playing.then(|| {
                let tick = Closure::<dyn FnMut()>::new(move || dispatcher.dispatch(Action::Tick));
                let id = web_sys::window().and_then(|w| {
                    w.set_interval_with_callback_and_timeout_and_arguments_0(
                        tick.as_ref().unchecked_ref(),
                        50,
                    )
                    .ok()
                });
                (id, tick)
            });
            move || {
                if let (Some((Some(id), _tick)), Some(w)) = (timer, web_sys::window()) {
                    w.clear_interval_with_handle(id);
                }
            }
        });
    }
    // Paste an image anywhere on the page.
    {
        let manifest = s.model.clone();
        let on_action = on_action_callback(&state.dispatcher());
        use_effect_with(s.model.as_ref().map(|m| m.name.clone()), move |_| {
            let listener = manifest.map(|m| {
                Closure::<dyn FnMut(web_sys::ClipboardEvent)>::new(move |e: web_sys::ClipboardEvent| {
                    if let Some(files) = e.clipboard_data().and_then(|d| d.files()).filter(|f| f.length() > 0)
                    {
                        e.prevent_default();
                        ingest_files(&on_action, Some(files), &m);
                    }
                })
            });
            if let (Some(l), Some(w)) = (&listener, web_sys::window()) {
                let _ = w.add_event_listener_with_callback("paste", l.as_ref().unchecked_ref());
            }
            move || {
                if let (Some(l), Some(w)) = (listener, web_sys::window()) {
                    let _ = w.remove_event_listener_with_callback("paste", l.as_ref().unchecked_ref());
                }
            }
        });
    }
    use_lecture_requests(&state, Callback::from(post.clone()));
    use_address_bar(&state);
    use_shortcuts(&state);

    let dispatcher = state.dispatcher();
    let on_latent = {
        let d = dispatcher.clone();
        Callback::from(move |(dim, value): (usize, f32)| d.dispatch(Action::SetLatent { dim, value }))
    };
    let on_action = on_action_callback(&dispatcher);
    let on_drop = {
        let (cb, m) = (on_action.clone(), s.model.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(m) = &m {
                ingest_files(&cb, e.data_transfer().and_then(|d| d.files()), m);
            }
        })
    };
    let on_dragover = Callback::from(|e: DragEvent| e.prevent_default());
    let on_pick = {
        let d = dispatcher.clone();
        Callback::from(move |name: String| spawn_local(startup::load_manifest(d.clone(), name, None)))
    };
    let ready = s.model.is_some() && s.image.is_some();
    html! {
        <main class={classes!("app", s.present.then_some("present"))} data-testid="app" data-latest={s.decode_id.to_string()}
              data-shown={s.image.as_ref().map_or(0, |i| i.id).to_string()}
              data-decode-us={s.image.as_ref().map_or(0, |i| i.micros).to_string()}
              data-worker-memory={s.image.as_ref().map_or(0, |i| i.worker_memory).to_string()}
              data-gpu-memory={s.image.as_ref().map_or(0, |i| i.gpu_memory).to_string()}
              data-page-memory={crate::wasm_memory_bytes().to_string()}
              ondrop={on_drop} ondragover={on_dragover}>
            <Toolbar state={state.clone()} on_action={on_action.clone()} on_pick={on_pick} />
            { notice(s, &dispatcher) }
            if let Some(l) = &s.loading {
                <div class="loading" data-testid="loading" role="status">
                    <span class="spinner" aria-hidden="true"></span>{ format!("{}: {}", l.manifest.name, l.stage) }
                    if let Some(f) = l.fraction {
                        <progress max="1" value={f.to_string()} aria-label="weights downloaded" />
                    }
                </div>
            }
            if let Some(m) = &s.model {
                <section class="stage">
                    <DecodedCanvas image={s.image.clone()} shape={m.image.clone()} />
                    <div class="about">
                        <h2>{ &m.name }</h2>
                        <p>{ &m.description }</p>
                        <p class="meta">{ format!("{} latent dimensions · β = {} · trained on {}", m.latent_dim, m.beta, m.training.dataset) }</p>
                        if let Some(img) = &s.image {
                            <p class="meta" data-testid="decode-time">{ format!("last decode {:.2} ms", f64::from(img.micros) / 1000.0) }</p>
                        }
                        <Vectors state={state.clone()} manifest={m.clone()} on_action={on_action.clone()} />
                    </div>
                </section>
                <Sliders manifest={m.clone()} z={Rc::new(s.z.clone())} on_change={on_latent}
                    focused={m.dims_by_kl().get(s.focus).copied()}
                    sigma={s.selected.and_then(|k| s.item(k)).map(|i| Rc::new(i.sigma.clone()))} />
                <Views state={state.clone()} manifest={m.clone()} on_action={on_action.clone()} />
            }
            if s.help {
                <Shortcuts on_action={on_action.clone()} />
            }
            if ready {
                <span data-testid="app-ready" hidden=true></span>
            }
        </main>
    }
}

/// Start the inference worker of `epoch` and route what it says into the reducer.
fn start_worker(client: &Rc<RefCell<Option<WorkerClient>>>, dispatcher: &Dispatcher, epoch: u64) {
    let (deliver, lose) = (dispatcher.clone(), dispatcher.clone());
    match WorkerClient::start(
        move |msg| deliver.dispatch(Action::Worker(msg)),
        move |message| lose.dispatch(Action::WorkerLost { epoch, message }),
    ) {
        Ok(c) => *client.borrow_mut() = Some(c),
        Err(e) => dispatcher.dispatch(Action::Failed(e)),
    }
}

fn on_action_callback(d: &Dispatcher) -> Callback<Action> {
    let d = d.clone();
    Callback::from(move |a: Action| d.dispatch(a))
}

fn notice(s: &State, dispatcher: &Dispatcher) -> Html {
    let Some(n) = &s.notice else { return html! {} };
    let d = dispatcher.clone();
    let class = match n.kind {
        NoticeKind::Error => "notice error",
        NoticeKind::Info => "notice info",
    };
    html! {
        <div class={class} data-testid="notice" role="alert">
            <span>{ &n.text }</span>
            <button aria-label="dismiss" onclick={Callback::from(move |_| d.dispatch(Action::DismissNotice))}>{ "×" }</button>
        </div>
    }
}
