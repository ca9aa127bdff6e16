//! Folding: every record replayed once and in order across folds, restarts and a crash
//! between the folded file's write and the live log's cut; ids known for the window.

use super::*;

fn event(id: &str) -> OrderEvent {
    OrderEvent {
        event_id: id.to_string(),
        member_id: format!("m-{id}"),
        ts: 1_000_000,
        item_id: "i1".to_string(),
        category: String::new(),
        quantity: 1.0,
        amount: 10.0,
    }
}

fn ids(records: &[LogRecord]) -> Vec<String> {
    records.iter().map(|r| r.event.event_id.clone()).collect()
}

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path).unwrap().lines().count()
}

const POLICY: FoldPolicy = FoldPolicy {
    fold_after: 10,
    keep_ids: 25,
};

/// 100 records in batches of 4: `e0` .. `e99`.
fn fill(log: &EventLog) {
    let under = Day::of_ts(0);
    for b in 0..25 {
        let batch = (0..4).map(|i| event(&format!("e{}", b * 4 + i))).collect();
        let c = log.append(batch, under).unwrap();
        let seqs: Vec<usize> = c.records.iter().map(|(s, _)| *s).collect();
        assert_eq!(seqs, (b * 4..b * 4 + 4).collect::<Vec<_>>());
    }
}

#[test]
fn folds_keep_every_record_in_order_and_the_ids_of_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.log");
    let log = EventLog::open_with(&path, POLICY).unwrap();
    fill(&log);
    let expected: Vec<String> = (0..100).map(|i| format!("e{i}")).collect();
    // Folds ran after the groups reaching 12, 24, ... 96 live records: 4 are live.
    assert_eq!((log.len(), log.live_len()), (100, 4));
    assert_eq!(lines(&path), 4);
    assert_eq!(lines(&fold::path_of(&path)), 96 + 8);
    assert_eq!(log.stats().folded.get(), 96);
    assert_eq!(ids(&log.records().unwrap()), expected);

    let under = Day::of_ts(0);
    // The last 25 folded ids and the live ones are duplicates; older ones are accepted again.
    let c = log.append(vec![event("e71"), event("e99")], under).unwrap();
    assert_eq!((c.records.len(), c.duplicates), (0, 2));
    drop(log);
    let log = EventLog::open_with(&path, POLICY).unwrap();
    assert_eq!(ids(&log.records().unwrap()), expected);
    let c = log.append(vec![event("e71"), event("e70")], under).unwrap();
    assert_eq!((c.records.len(), c.duplicates), (1, 1));
    assert_eq!(c.records[0].0, 100);
    assert_eq!(c.records[0].1.event.event_id, "e70");
}

#[test]
fn a_fold_cut_short_by_a_crash_is_finished_on_open_and_replays_each_record_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.log");
    let log = EventLog::open_with(&path, FoldPolicy::default()).unwrap();
    fill(&log);
    let all = log.records().unwrap();
    drop(log);
    // The crash: the live records reached the folded file, the live log was not cut.
    fold::append(&fold::path_of(&path), &all).unwrap();
    assert_eq!(lines(&path), 100);

    let log = EventLog::open_with(&path, POLICY).unwrap();
    assert_eq!((log.len(), log.live_len()), (100, 0));
    assert_eq!(lines(&path), 0);
    assert_eq!(log.records().unwrap(), all);
    // The reopened handle appends to the new live log.
    let c = log.append(vec![event("x")], Day::of_ts(0)).unwrap();
    assert_eq!(c.records[0].0, 100);
    drop(log);
    let log = EventLog::open_with(&path, POLICY).unwrap();
    assert_eq!(log.records().unwrap().len(), 101);
    assert_eq!(lines(&path), 1);
}

#[test]
fn an_unfinished_chunk_is_cut_off_the_folded_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.log");
    let log = EventLog::open_with(&path, POLICY).unwrap();
    fill(&log);
    let all = log.records().unwrap();
    drop(log);
    let folded = fold::path_of(&path);
    let before = std::fs::read(&folded).unwrap();
    // A chunk whose marker never reached the disk, the last line torn.
    let mut torn = before.clone();
    torn.extend_from_slice(&serde_json::to_vec(&all[0]).unwrap());
    torn.extend_from_slice(b"\n{\"event_id\":\"e");
    std::fs::write(&folded, &torn).unwrap();

    let log = EventLog::open_with(&path, POLICY).unwrap();
    assert_eq!(std::fs::read(&folded).unwrap(), before);
    assert_eq!(log.records().unwrap(), all);

    // A bad line inside a closed chunk is an error naming the file and line.
    drop(log);
    let mut bad = before.clone();
    bad.splice(0..0, b"not json\n".iter().copied());
    std::fs::write(&folded, &bad).unwrap();
    let err = EventLog::open_with(&path, POLICY).unwrap_err().to_string();
    assert!(
        err.contains("events.log.folded") && err.contains("line 1"),
        "{err}"
    );
}
