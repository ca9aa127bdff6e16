//! One JetStream message's body: the JSON of `POST /v1/events` (one event object, an array
//! of them, or `{"events": [...]}`), at most `max_batch` events, every event's member in the
//! message's partition. A message is applied whole or refused whole.

use crate::domain::{OrderEvent, Partitioning, parse_json};

/// The checked events of a message on the subject of `partition`, or what is wrong with it.
pub fn parse_message(
    body: &[u8],
    partition: u32,
    partitioning: &Partitioning,
    max_batch: usize,
) -> Result<Vec<OrderEvent>, String> {
    let events = parse_json(body, max_batch).map_err(|e| e.to_string())?;
    if let Some((i, e)) = events
        .iter()
        .enumerate()
        .find(|(_, e)| partitioning.partition_of(&e.member_id) != partition)
    {
        return Err(format!(
            "event {}: member {:?} is in partition {}, not in this subject's partition {partition}",
            i + 1,
            e.member_id,
            partitioning.partition_of(&e.member_id)
        ));
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eight() -> Partitioning {
        Partitioning::new(8, Partitioning::parse_owned("0-7").unwrap()).unwrap()
    }

    fn line(id: &str, member: &str) -> String {
        format!(
            r#"{{"event_id":"{id}","member_id":"{member}","ts":"2024-12-05","item_id":"i",
               "quantity":1,"amount":10}}"#
        )
    }

    #[test]
    fn a_message_carries_one_event_or_a_batch_of_its_partition() {
        // partition_of("m1", 8) == 3.
        let one = parse_message(line("e1", "m1").as_bytes(), 3, &eight(), 10).unwrap();
        assert_eq!(one[0].event_id, "e1");
        let batch = format!(
            r#"{{"events":[{},{}]}}"#,
            line("e1", "m1"),
            line("e2", "m1")
        );
        assert_eq!(
            parse_message(batch.as_bytes(), 3, &eight(), 10)
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn a_message_with_a_member_of_another_partition_is_refused_naming_the_event() {
        let batch = format!("[{},{}]", line("e1", "m1"), line("e2", "m1"));
        let why = parse_message(batch.as_bytes(), 2, &eight(), 10).unwrap_err();
        assert!(
            why.starts_with("event 1: member \"m1\" is in partition 3"),
            "{why}"
        );
    }

    #[test]
    fn unparseable_or_invalid_messages_say_why() {
        let why = parse_message(b"not json", 3, &eight(), 10).unwrap_err();
        assert!(why.contains("not an event object"), "{why}");
        let bad = line("e1", "m1").replace("2024-12-05", "yesterday");
        let why = parse_message(bad.as_bytes(), 3, &eight(), 10).unwrap_err();
        assert!(why.contains("`ts`"), "{why}");
        let batch = format!("[{},{}]", line("e1", "m1"), line("e2", "m1"));
        let why = parse_message(batch.as_bytes(), 3, &eight(), 1).unwrap_err();
        assert!(why.contains("at most 1 events"), "{why}");
    }
}
