//! What the root component hands down: the reducer's handle and the props every panel shares.
//! A leaf module (it imports only the state), so no view has to import the root to get them.

use crate::state::{Action, State};
use bundle::Manifest;
use std::rc::Rc;
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
    pub manifest: Rc<Manifest>,
    pub on_action: Callback<Action>,
}
