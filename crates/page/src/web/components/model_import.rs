//! Opening a model trained in PyTorch: the button that picks its exported files (or a zip of
//! them), and removing the current one when it was imported. Dropping the files anywhere on the
//! page does the same as picking them (`app.rs`).

use crate::state::Action;
use crate::web::handle::AppHandle;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: AppHandle,
    pub on_action: Callback<Action>,
    /// The files chosen, to be read and checked (`web/io/imports.rs`).
    pub on_files: Callback<Vec<web_sys::File>>,
}

#[function_component(ModelImport)]
pub fn model_import(props: &Props) -> Html {
    let s = &props.state.0;
    let on_change = {
        let cb = props.on_files.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            let files =
                input.files().map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect()).unwrap_or_default();
            // Cleared so that choosing the same files again (after fixing them) fires again.
            input.set_value("");
            cb.emit(files);
        })
    };
    let remove = s.current_is_imported().then(|| {
        let (cb, name) = (props.on_action.clone(), s.model_name().unwrap_or_default().to_string());
        let label = format!("Remove {name} from this browser");
        html! {
            <button data-testid="remove-model" title={label.clone()} aria-label={label}
                onclick={Callback::from(move |_| cb.emit(Action::RemoveImported(name.clone())))}>{ "Remove" }</button>
        }
    });
    html! {
        <>
            <label class="file-button" title="graph.json and weights.safetensors written by tools/export_torch.py, or a zip of them; they stay in this browser">
                { "Open PyTorch model…" }
                <input type="file" multiple=true accept=".json,.safetensors,.zip,.pt,.pth,.ckpt" data-testid="model-file-input"
                    aria-label="open a model exported from PyTorch" onchange={on_change} />
            </label>
            { for remove }
        </>
    }
}
