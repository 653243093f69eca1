//! The root component: owns the reducer, wires the hooks (worker, requests, storage, links,
//! keys) and lays out the page.

use super::canvas::DecodedCanvas;
use super::layers::LayerTimings;
use super::pad::Pad;
use super::shortcuts::Shortcuts;
use super::sliders::Sliders;
use super::toolbar::Toolbar;
use super::vectors::Vectors;
use super::views::Views;
use crate::live_drag;
use crate::state::{Action, NoticeKind, State, View};
use crate::web::browser;
use crate::web::handle::{AppState, Dispatcher};
use crate::web::hooks::imports::use_import_storage;
use crate::web::hooks::lecture_requests::use_lecture_requests;
use crate::web::hooks::melody_requests::use_melody_requests;
use crate::web::hooks::navigation::{use_address_bar, use_shortcuts};
use crate::web::hooks::offline::use_offline;
use crate::web::hooks::paste::use_paste;
use crate::web::hooks::persist::use_persistence;
use crate::web::hooks::playback::use_playback;
use crate::web::hooks::test_codes::use_test_codes;
use crate::web::hooks::workbench_requests::use_workbench_requests;
use crate::web::hooks::worker::use_worker;
use crate::web::io::canvas_draw;
use crate::web::io::ingest::ingest_files;
use crate::web::io::{imports, offline, startup};
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use worker_protocol::BackendChoice;
use yew::prelude::*;

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| {
        let choice =
            browser::query_param("backend").and_then(|s| BackendChoice::parse(&s)).unwrap_or_default();
        AppState::new(State::new(choice))
    });
    let s = &state.0;
    // The worker first: the index and the first model are fetched once it exists.
    let post = use_worker(&state);
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| spawn_local(startup::boot(dispatcher)));
    }
    // The newest decode id sent to the worker: a slider move sends its own at once (below), and
    // the request hook sends any other (keys, the pad, a link) after the render.
    let posted_decode = use_mut_ref(|| 0u64);
    use_workbench_requests(&state, post.clone(), posted_decode.clone());
    use_lecture_requests(&state, post.clone());
    use_melody_requests(&state, post.clone());
    use_persistence(&state);
    use_import_storage(&state);
    use_playback(&state);
    use_paste(&state);
    use_address_bar(&state);
    use_shortcuts(&state);
    use_offline(&state);
    use_test_codes(&state);

    let dispatcher = state.dispatcher();
    // Made once, so the slider rows see the same callback on every render and only the moved
    // one renders again. The handle reads the newest state whenever it is called.
    let on_latent = {
        let (handle, post) = (state.clone(), post.clone());
        let settle = use_mut_ref(|| None::<gloo_timers::callback::Timeout>);
        use_memo((), move |_| {
            Callback::from(move |(dim, value): (usize, f32)| {
                // A drag runs ahead of the reducer (`live_drag.rs`), unless the image carries the
                // slider's overlay, which the reducer works out for every code.
                let latest = handle.clone();
                if !latest.0.sensitivity.enabled && latest.0.model.is_some() {
                    let live = latest.live();
                    let opens = !live.borrow().is_open();
                    let sent = live.borrow_mut().move_slider(&latest.0, dim, value);
                    if let Some((id, z)) = sent {
                        post.emit(worker_protocol::ToWorker::Decode { id, z });
                        // Once a drag: the mark stays until the hand rests (below), and a drag
                        // the reducer took over opens again with the next move.
                        if opens {
                            canvas_draw::mark_dragging(true);
                        }
                        let (live, dispatcher) = (live.clone(), latest.dispatcher());
                        // Each move puts the hand-over off again: it runs once the hand rests.
                        *settle.borrow_mut() =
                            Some(gloo_timers::callback::Timeout::new(live_drag::SETTLE_MS, move || {
                                let moves = live.borrow_mut().take();
                                canvas_draw::mark_dragging(false);
                                if let Some(moves) = moves {
                                    dispatcher.dispatch(moves);
                                }
                            }));
                    }
                    return;
                }
                handle.dispatch(Action::SetLatent { dim, value });
                // The reducer ran in `dispatch`; the render waits for a microtask. Sending the
                // decode now lets the worker decode while the page renders, instead of after it
                // (input to pixels, bench/OPTIMISATION.md). A fresh handle reads the newest state
                // without keeping every state it saw.
                let latest = handle.clone();
                let s = &latest.0;
                if s.decode_id > *posted_decode.borrow() {
                    *posted_decode.borrow_mut() = s.decode_id;
                    post.emit(worker_protocol::ToWorker::Decode { id: s.decode_id, z: s.z.clone() });
                }
            })
        })
    };
    let on_latent = (*on_latent).clone();
    let on_action = (*use_memo((), {
        let d = dispatcher.clone();
        move |_| on_action_callback(&d)
    }))
    .clone();
    let on_import = {
        let (d, models) = (dispatcher.clone(), s.models.clone());
        Callback::from(move |files: Vec<web_sys::File>| {
            if !files.is_empty() {
                spawn_local(imports::open_files(d.clone(), files, models.clone()));
            }
        })
    };
    // Dropped model files (an export's graph.json and weights, a zip, a checkpoint to refuse)
    // open a model; images are encoded.
    let on_drop = {
        let (cb, m, on_import) = (on_action.clone(), s.model.clone(), on_import.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            let Some(list) = e.data_transfer().and_then(|d| d.files()) else { return };
            let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
            if files.iter().any(|f| crate::import::is_model_file(&f.name())) {
                on_import.emit(files);
            } else if let Some(m) = &m {
                ingest_files(&cb, Some(list), m);
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
        <main class={classes!("app", s.present.then_some("present"), (s.view == View::Melody).then_some("melody-open"))} data-testid="app" data-latest={s.decode_id.to_string()}
              data-shown={s.image.as_ref().map_or(0, |i| i.id).to_string()}
              data-decode-us={s.image.as_ref().map_or(0, |i| i.micros).to_string()}
              data-worker-memory={s.image.as_ref().map_or(0, |i| i.worker_memory).to_string()}
              data-gpu-memory={s.image.as_ref().map_or(0, |i| i.gpu_memory).to_string()}
              data-page-memory={worker_protocol::memory::wasm_memory_bytes().to_string()}
              ondrop={on_drop} ondragover={on_dragover}>
            <Toolbar state={state.clone()} on_action={on_action.clone()} on_pick={on_pick} on_import={on_import} />
            { notice(s, &dispatcher) }
            if s.offline.update_ready {
                <div class="update" data-testid="update-ready" role="status">
                    <span>{ "A new version of Latent Lab is ready." }</span>
                    <button data-testid="update-reload" onclick={Callback::from(|_| offline::apply_update())}
                        title="the view is in the link and the gallery stays in this browser">{ "Reload to update" }</button>
                </div>
            }
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
                    <DecodedCanvas image={s.image.clone()} shape={m.image.clone()}
                        overlay={s.sense_overlay().map(|o| o.change.clone())} />
                    <div class="about">
                        <h2>{ &m.name }</h2>
                        <p>{ &m.description }</p>
                        if m.architecture.is_imported() {
                            <p class="meta" data-testid="imported-meta">{ format!("{} latent dimensions · imported from PyTorch · {}", m.latent_dim,
                                if m.slider_order == bundle::SliderOrder::Kl { "sliders ordered by KL" } else { "sliders ordered by how much each moves the picture" }) }</p>
                        } else {
                            <p class="meta">{ format!("{} latent dimensions · β = {} · trained on {}", m.latent_dim, m.beta, m.training.dataset) }</p>
                        }
                        { training_note(m) }
                        { sampling_note(m) }
                        { sense_caption(s) }
                        if let Some(img) = &s.image {
                            <p class="meta" data-testid="decode-time">{ format!("last decode {:.2} ms", f64::from(img.micros) / 1000.0) }</p>
                        }
                        <Vectors state={state.clone()} manifest={m.clone()} on_action={on_action.clone()} />
                        <LayerTimings state={state.clone()} manifest={m.clone()} on_action={on_action.clone()} />
                    </div>
                </section>
                <Pad manifest={m.clone()} z={Rc::new(s.z.clone())} on_action={on_action.clone()} />
                <Sliders manifest={m.clone()} z={Rc::new(s.z.clone())} generation={s.decode_id} on_change={on_latent}
                    focused={m.dims_by_kl().get(s.focus).copied()}
                    sensing={s.sensitivity.enabled} on_action={Some(on_action.clone())}
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

/// What sampling from the prior gives, in words a student reads at a glance ("8 of 10 random
/// codes decode to a clear digit"), from the figures `train gaps` measured.
fn sampling_note(m: &bundle::Manifest) -> Html {
    let of_ten = |share: f64| (share * 10.0).round() as u32;
    let text = if let Some(share) = m.metrics.get("prior_samples_face_share") {
        format!(
            "{} of 10 random codes decode to a face ({:.0}% of 1,000 prior samples pass the face check).",
            of_ten(*share),
            share * 100.0
        )
    } else if let Some(share) = m.metrics.get("prior_samples_confident_share") {
        let what = if m.training.dataset.contains("Fashion") { "garment" } else { "digit" };
        format!(
            "{} of 10 random codes decode to a clear {what} ({:.0}% of 1,000 prior samples, judged by a classifier trained here at ≥ 90% confidence).",
            of_ten(*share),
            share * 100.0
        )
    } else {
        return html! {};
    };
    html! { <p class="meta" data-testid="sampling-note">{ text }</p> }
}

/// How a member of the autoencoder family was trained differently, in the model card.
fn training_note(m: &bundle::Manifest) -> Html {
    let t = &m.training;
    let stages = crate::state::stage_errors(m);
    let text = if !stages.is_empty() {
        let greedy: Vec<String> = stages[..stages.len() - 1].iter().map(|e| format!("{e:.4}")).collect();
        format!(
            "Trained greedily, one layer pair at a time ({} epochs each): reconstruction error {} as the pairs were added, {:.4} after {} epochs end to end.",
            t.greedy_epochs,
            greedy.join(" → "),
            stages[stages.len() - 1],
            t.epochs
        )
    } else if t.input_mask > 0.0 {
        format!(
            "Trained on copies of each digit with {:.0}% of the pixels set to 0, scored against the clean digit.",
            t.input_mask * 100.0
        )
    } else if t.sparsity > 0.0 {
        let on = m
            .metrics
            .get("units_on_per_image")
            .map(|n| format!(" {n:.1} of {} units fire per test image.", m.latent_dim))
            .unwrap_or_default();
        format!("A ReLU code with an L1 penalty (λ = {}) on it.{on}", t.sparsity)
    } else if let Some(p) = &m.prior {
        let nll = m
            .metrics
            .get("test_nll_nats")
            .map(|v| format!(" Test likelihood: {v:.2} nats per digit (lower is better)."))
            .unwrap_or_default();
        format!(
            "Its prior was learned with it: a mixture of {} Gaussians instead of N(0, I), placed where the codes are, so random codes land on digits. Sliders and samples use it (rescaled to mean 0, spread 1 in each dimension).{nll}",
            p.weights.len()
        )
    } else {
        return html! {};
    };
    html! { <p class="meta" data-testid="training-note">{ text }</p> }
}

/// What the overlay on the image shows, in numbers.
fn sense_caption(s: &State) -> Html {
    if !s.sensitivity.enabled {
        return html! {};
    }
    let Some(o) = s.sense_overlay() else {
        return html! { <p class="meta" data-testid="sense-caption">{ "Focus a slider (click it, or Tab to it) to see in red what it moves." }</p> };
    };
    let what = match &o.target {
        crate::state::SenseTarget::Dim(d) => format!("latent {d}"),
        crate::state::SenseTarget::Vector => {
            let m = s.model.as_ref().map(|m| m.label_names.clone()).unwrap_or_default();
            s.vector.as_ref().map_or("the vector".into(), |v| format!("the vector {}", v.label(&m)))
        }
    };
    html! {
        <p class="meta" data-testid="sense-caption" data-mean={format!("{:.5}", o.mean)} data-max={format!("{:.5}", o.max)}>
            { format!("Red: how much each pixel changes per unit of {what} (mean {:.3}, largest {:.2} of full brightness). A dimension the decoder ignores leaves the image clear.", o.mean, o.max) }
        </p>
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
