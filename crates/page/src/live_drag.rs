//! A dragged slider ahead of the reducer. Each move of a slider would otherwise run the reducer
//! and render the whole page twice (once for the move, once for its image): about 7 ms of the
//! main thread per frame here, 28 ms with the CPU slowed 4×, so a slow laptop missed half its
//! frames (bench/OPTIMISATION.md). During a drag the page instead sends each move's decode to
//! the worker at once and draws the reply straight on the canvas; the reducer gets the moves in
//! one action when the hand rests (`SETTLE_MS`), or before any other action it is given
//! (`AppState::reduce`), so it never acts on a code older than the one on screen.
//!
//! Ids: a live decode takes an id above every id the reducer has handed out, and the moves'
//! action raises the reducer's counter past the last live id, so ids stay increasing for the
//! canvas (which never draws an older decode over a newer one).

use crate::state::{Action, State};

/// How long the hand must rest before the reducer (and every panel) catches up.
pub const SETTLE_MS: u32 = 150;

#[derive(Debug, Default)]
pub struct LiveDrag {
    /// The code as the sliders show it, once a drag has begun.
    z: Option<Vec<f32>>,
    /// The newest value of each dimension moved, in the order first moved.
    moves: Vec<(usize, f32)>,
    /// The newest live decode id handed out.
    last_id: u64,
    /// Live decodes sent and not yet answered (the worker drops all but the newest).
    waiting: Vec<u64>,
}

impl LiveDrag {
    /// Whether a drag's moves wait for the reducer.
    pub fn is_open(&self) -> bool {
        !self.moves.is_empty()
    }

    /// Slider `dim` moved to `value` while the reducer holds `s`: the decode to send now (its id
    /// and the whole code), or `None` when the move is not one to take (no such dimension, a
    /// value that is not a number).
    pub fn move_slider(&mut self, s: &State, dim: usize, value: f32) -> Option<(u64, Vec<f32>)> {
        if !value.is_finite() || dim >= s.z.len() {
            return None;
        }
        let value = value.clamp(-latent::url_state::MAX_ABS, latent::url_state::MAX_ABS);
        let z = self.z.get_or_insert_with(|| s.z.clone());
        *z.get_mut(dim)? = value;
        match self.moves.iter_mut().find(|(d, _)| *d == dim) {
            Some(m) => m.1 = value,
            None => self.moves.push((dim, value)),
        }
        self.last_id = self.last_id.max(s.next_id) + 1;
        self.waiting.push(self.last_id);
        Some((self.last_id, z.clone()))
    }

    /// The action that hands the drag to the reducer, and the drag closed; `None` when there is
    /// nothing to hand over.
    pub fn take(&mut self) -> Option<Action> {
        self.z = None;
        if self.moves.is_empty() {
            return None;
        }
        Some(Action::LatentDragged { moves: std::mem::take(&mut self.moves), live_through: self.last_id })
    }

    /// Whether reply `id` answers a live decode (the reducer must not see it), and if so
    /// whether it is the newest one asked, the one to draw.
    pub fn answer(&mut self, id: u64) -> Option<bool> {
        let at = self.waiting.iter().position(|&w| w == id)?;
        // Older ones the worker dropped will never be answered.
        self.waiting.drain(..=at);
        Some(id == self.last_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use worker_protocol::BackendChoice;

    fn state(dim: usize, next_id: u64) -> State {
        let mut s = State::new(BackendChoice::Cpu);
        s.z = vec![0.0; dim];
        s.next_id = next_id;
        s
    }

    #[test]
    fn a_drag_sends_each_move_with_a_newer_id_and_hands_the_newest_values_over_once() {
        let s = state(4, 10);
        let mut live = LiveDrag::default();
        assert!(!live.is_open());
        let (a, za) = live.move_slider(&s, 1, 0.5).unwrap();
        let (b, zb) = live.move_slider(&s, 1, 0.75).unwrap();
        let (c, zc) = live.move_slider(&s, 3, -2.0).unwrap();
        assert!(a > 10 && b > a && c > b);
        assert_eq!(za, [0.0, 0.5, 0.0, 0.0]);
        assert_eq!(zb, [0.0, 0.75, 0.0, 0.0]);
        assert_eq!(zc, [0.0, 0.75, 0.0, -2.0]);
        assert!(live.is_open());
        let Some(Action::LatentDragged { moves, live_through }) = live.take() else { panic!("the moves") };
        assert_eq!(moves, [(1, 0.75), (3, -2.0)]);
        assert_eq!(live_through, c);
        assert!(!live.is_open() && live.take().is_none());
    }

    #[test]
    fn only_live_replies_are_claimed_and_only_the_newest_is_drawn() {
        let s = state(2, 5);
        let mut live = LiveDrag::default();
        let (a, _) = live.move_slider(&s, 0, 1.0).unwrap();
        let (b, _) = live.move_slider(&s, 0, 2.0).unwrap();
        let (c, _) = live.move_slider(&s, 0, 3.0).unwrap();
        assert_eq!(live.answer(5), None, "a reducer id");
        assert_eq!(live.answer(b), Some(false), "an older live decode: claimed, not drawn");
        assert_eq!(live.answer(a), None, "dropped by the worker, forgotten once a newer one came");
        assert_eq!(live.answer(c), Some(true));
        assert_eq!(live.answer(c), None);
    }

    #[test]
    fn moves_that_cannot_be_taken_send_nothing() {
        let s = state(2, 0);
        let mut live = LiveDrag::default();
        assert!(live.move_slider(&s, 2, 1.0).is_none());
        assert!(live.move_slider(&s, 0, f32::NAN).is_none());
        assert!(!live.is_open());
        let (_, z) = live.move_slider(&s, 0, 1e9).unwrap();
        assert_eq!(z[0], latent::url_state::MAX_ABS, "clamped as the reducer clamps");
    }
}
