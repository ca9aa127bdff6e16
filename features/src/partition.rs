//! Which partition a member belongs to: the one routing rule that producers, load balancers
//! and serving replicas share.
//!
//! `partition_of(member_id, n) = fnv1a_64(utf8(member_id)) mod n`, where FNV-1a 64 starts at
//! the offset basis `0xcbf29ce484222325` and, for every byte `b` of the id's UTF-8 encoding,
//! sets `h = (h XOR b) * 0x100000001b3 mod 2^64`. The id is taken exactly as posted (no
//! trimming, no case folding) and nothing is appended to it. The function is fixed by its
//! published definition (FNV, IETF draft-eastlake-fnv), so it gives the same answer on every
//! platform and every version of this crate; any language reproduces it in a few lines, e.g.
//! Python:
//!
//! ```text
//! def partition_of(member_id, n):
//!     h = 0xcbf29ce484222325
//!     for b in member_id.encode("utf-8"):
//!         h = ((h ^ b) * 0x100000001b3) % 2**64
//!     return h % n
//! ```

use std::hash::Hasher;

/// The FNV-1a 64 hash of the member id's UTF-8 bytes (see the module documentation).
pub fn member_hash(member_id: &str) -> u64 {
    // `fnv::FnvHasher` is FNV-1a 64; `write` feeds the bytes only (unlike `Hash for str`,
    // which appends a 0xff terminator).
    let mut h = fnv::FnvHasher::default();
    h.write(member_id.as_bytes());
    h.finish()
}

/// The partition (`0..partitions`) of `member_id`; `partitions` must be at least 1.
///
/// ```
/// assert_eq!(features::partition::member_hash("m1"), 0x08a98b07b5509b6b);
/// assert_eq!(features::partition::partition_of("m1", 8), 3); // 0x08a98b07b5509b6b % 8
/// ```
pub fn partition_of(member_id: &str, partitions: u32) -> u32 {
    assert!(partitions > 0, "at least one partition");
    (member_hash(member_id) % u64::from(partitions)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_hash_is_fnv1a_64_on_the_published_test_vectors() {
        // FNV test vectors (draft-eastlake-fnv, and www.isthe.com/chongo/tech/comp/fnv).
        assert_eq!(member_hash(""), 0xcbf29ce484222325);
        assert_eq!(member_hash("a"), 0xaf63dc4c8601ec8c);
        assert_eq!(member_hash("foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn member_ids_fall_in_the_partitions_python_gives() {
        // python3 with the function of the module documentation.
        assert_eq!(member_hash("m1"), 0x08a98b07b5509b6b);
        assert_eq!(member_hash("會員-001"), 0x34dc8768ce331d71);
        assert_eq!(partition_of("m1", 8), 3);
        assert_eq!(partition_of("會員-001", 8), 1);
        assert_eq!(partition_of("anything", 1), 0);
    }

    #[test]
    fn partitions_spread_members_evenly_enough() {
        let mut counts = [0u32; 8];
        for i in 0..8000 {
            counts[partition_of(&format!("member-{i}"), 8) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (800..1200).contains(&c)),
            "{counts:?}"
        );
    }
}
