//! Offline use: what the badge says as the service worker reports, which model the page asks it
//! to save, and what a model that was never saved says once the network is gone.

use super::*;

#[test]
fn the_model_on_screen_is_saved_once_the_service_worker_controls_the_page() {
    let mut s = loaded("a", 4);
    assert_eq!(s.model_to_save(), None, "no service worker yet");
    assert_eq!(s.offline_badge(), None);
    s.apply(Action::OfflineReady);
    assert_eq!(s.model_to_save().map(|m| m.name.clone()).as_deref(), Some("a"));
    s.apply(Action::OfflineSaving("a".into()));
    assert_eq!(s.model_to_save(), None, "asked once");
    assert_eq!(s.offline_badge().unwrap().text, "Saving for offline…");
    s.apply(Action::OfflineSaved(vec!["a".into()]));
    let badge = s.offline_badge().unwrap();
    assert_eq!((badge.text.as_str(), badge.available), ("Available offline", true));
    assert!(badge.title.contains("Models saved on this device: a."), "{}", badge.title);
    assert_eq!(s.model_to_save(), None, "saved already");
}

#[test]
fn a_failed_save_says_why_and_may_be_asked_again() {
    let mut s = loaded("a", 4);
    s.apply(Action::OfflineReady);
    s.apply(Action::OfflineSaving("a".into()));
    s.apply(Action::OfflineNotSaved { name: "a".into(), reason: "QuotaExceededError".into() });
    let notice = s.notice.clone().unwrap();
    assert_eq!(notice.kind, NoticeKind::Error);
    assert!(
        notice.text.contains("a could not be saved for offline use: QuotaExceededError"),
        "{}",
        notice.text
    );
    assert_eq!(s.model_to_save().map(|m| m.name.clone()).as_deref(), Some("a"));
}

#[test]
fn offline_a_model_never_saved_says_so_and_the_open_one_stays() {
    let mut s = loaded("a", 4);
    s.apply(Action::OfflineReady);
    s.apply(Action::OfflineSaved(vec!["a".into()]));
    s.apply(Action::Connectivity(false));
    assert_eq!(s.model_to_save(), None, "nothing is fetched offline");
    let badge = s.offline_badge().unwrap();
    assert_eq!((badge.text.as_str(), badge.available), ("Offline", true));
    s.apply(Action::ModelUnavailable {
        name: "b".into(),
        error: "could not download models/b/manifest.json".into(),
    });
    let text = s.notice.clone().unwrap().text;
    assert!(text.starts_with("b is not saved for offline use on this device"), "{text}");
    assert!(text.contains("a stays open") && text.contains("Saved on this device: a."), "{text}");
    assert_eq!(s.model_name(), Some("a"));
    // Its manifest was cached but not its weights: the worker's failure is worded the same way.
    s.apply(Action::ManifestLoaded { manifest: Box::new(manifest("c", 4)), z: None });
    let id = s.loading.as_ref().unwrap().id;
    s.apply(Action::Worker(FromWorker::Failed { id: Some(id), message: "fetch failed".into() }));
    let text = s.notice.clone().unwrap().text;
    assert!(text.starts_with("c is not saved for offline use"), "{text}");
    assert_eq!((s.model_name(), s.loading.is_none()), (Some("a"), true));
}

#[test]
fn online_a_model_that_cannot_be_fetched_shows_the_network_error() {
    let mut s = loaded("a", 4);
    s.apply(Action::ModelUnavailable { name: "b".into(), error: "HTTP 404".into() });
    assert_eq!(s.notice.clone().unwrap().text, "Model b could not be opened: HTTP 404. a stays open.");
}

#[test]
fn a_waiting_update_is_remembered_until_the_reload() {
    let mut s = loaded("a", 4);
    assert!(!s.offline.update_ready);
    s.apply(Action::UpdateReady);
    assert!(s.offline.update_ready);
}
