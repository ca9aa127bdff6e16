//! The group-committed log: concurrent batches each acknowledged with their own records,
//! every id once, the file read back the same, and a failed write forgetting its ids.

use std::fs::OpenOptions;
use std::sync::Arc;

use super::*;

fn event(id: &str, member: &str) -> OrderEvent {
    OrderEvent {
        event_id: id.to_string(),
        member_id: member.to_string(),
        ts: 1_000_000,
        item_id: "i1".to_string(),
        category: String::new(),
        quantity: 1.0,
        amount: 10.0,
    }
}

#[test]
fn concurrent_batches_are_each_acknowledged_with_their_own_records_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.log");
    let log = Arc::new(EventLog::open(&path).unwrap());
    let under = Day::of_ts(0);
    const THREADS: usize = 8;
    const BATCHES: usize = 40;
    let acks: Vec<Vec<(usize, LogRecord)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let log = Arc::clone(&log);
                s.spawn(move || {
                    let mut mine = Vec::new();
                    for b in 0..BATCHES {
                        // Each batch repeats its first id and one id of the previous batch.
                        let mut events: Vec<OrderEvent> = (0..3)
                            .map(|i| event(&format!("t{t}-b{b}-{i}"), &format!("m{t}")))
                            .collect();
                        events.push(event(&format!("t{t}-b{b}-0"), "dup"));
                        if b > 0 {
                            events.push(event(&format!("t{t}-b{}-2", b - 1), "dup"));
                        }
                        let c = log.append(events, under).unwrap();
                        assert_eq!(c.records.len(), 3);
                        assert_eq!(c.duplicates, if b > 0 { 2 } else { 1 });
                        for (i, (_, r)) in c.records.iter().enumerate() {
                            assert_eq!(r.event.event_id, format!("t{t}-b{b}-{i}"));
                        }
                        mine.extend(c.records);
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let total = THREADS * BATCHES * 3;
    assert_eq!(log.len(), total);
    let mut seqs: Vec<usize> = acks.iter().flatten().map(|(s, _)| *s).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (0..total).collect::<Vec<_>>());
    // Each acknowledged sequence number is that record's place in the log, on disk.
    let all = log.records().unwrap();
    for (seq, r) in acks.iter().flatten() {
        assert_eq!(&all[*seq], r);
    }
    let stats = log.stats();
    assert_eq!(stats.requests.get(), (THREADS * BATCHES) as u64);
    assert_eq!(stats.lines.get(), total as u64);
    let groups = stats.groups.get();
    assert!(
        (1..=(THREADS * BATCHES) as u64).contains(&groups),
        "{groups}"
    );
    drop(log);
    let reopened = EventLog::open(&path).unwrap();
    assert_eq!(reopened.records().unwrap(), all);
    assert_eq!(reopened.len(), total);
    // Ids stay known after a restart.
    let again = reopened
        .append(vec![event("t0-b0-0", "m0")], under)
        .unwrap();
    assert_eq!((again.records.len(), again.duplicates), (0, 1));
}

#[test]
fn a_failed_write_fails_its_batch_and_forgets_its_ids() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.log");
    let log = EventLog::open(&path).unwrap();
    let under = Day::of_ts(0);
    log.append(vec![event("a", "m")], under).unwrap();
    // A read-only handle in place of the file: the write fails.
    *log.file.lock().unwrap() = File::open(&path).unwrap();
    let err = log
        .append(vec![event("b", "m")], under)
        .unwrap_err()
        .to_string();
    assert!(err.contains("events.log"), "{err}");
    assert_eq!(log.len(), 1);
    assert_eq!(log.stats().failures.get(), 1);
    // The failed id is not a duplicate: once the file is writable again it is accepted.
    *log.file.lock().unwrap() = OpenOptions::new().append(true).open(&path).unwrap();
    let c = log.append(vec![event("b", "m")], under).unwrap();
    assert_eq!((c.records.len(), c.duplicates), (1, 0));
    assert_eq!(c.records[0].0, 1);
    drop(log);
    assert_eq!(EventLog::open(&path).unwrap().len(), 2);
}
