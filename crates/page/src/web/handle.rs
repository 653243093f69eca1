//! What the root component hands down: the reducer's handle and the props every panel shares.
//! A leaf module (it imports only the state), so no view has to import the root to get them.

use crate::live_drag::LiveDrag;
use crate::state::{Action, State};
use bundle::Manifest;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The page's state and its revision, which every action bumps, and a slider drag running
/// ahead of it (shared by every copy: there is one drag on the page).
#[derive(Clone)]
pub struct AppState(pub State, u64, Rc<RefCell<LiveDrag>>);

impl AppState {
    pub fn new(state: State) -> Self {
        AppState(state, 0, Rc::default())
    }

    /// The drag the sliders run ahead of the reducer (`live_drag.rs`).
    pub fn live(&self) -> &Rc<RefCell<LiveDrag>> {
        &self.2
    }
}

/// Panels get the reducer's handle as a prop, and yew compares a handle by the state it points
/// to: compared field by field, the State's manifest and model list were walked on every slider
/// move for every panel before a difference was found (bench/OPTIMISATION.md). Every action
/// makes a new revision, so equal revisions mean the same state.
impl PartialEq for AppState {
    fn eq(&self, other: &Self) -> bool {
        self.1 == other.1
    }
}

impl Reducible for AppState {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        // A drag's moves come first, so no action sees a code older than the one on screen.
        let drag = self.2.try_borrow_mut().ok().and_then(|mut live| live.take());
        if let Some(moves) = drag {
            next.0.apply(moves);
        }
        next.0.apply(action);
        next.1 += 1;
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
