//! The simple baselines of the reference protocol.

use features::recommend::{MemberContext, StoreTables};

/// The store's most-bought ids of the last 28 days (by buyers), the same list for everyone.
pub fn global_top(tables: &StoreTables, k: usize) -> Vec<u32> {
    tables.popular.iter().take(k).copied().collect()
}

/// The member's own ids by purchase days (ties: more recent last purchase, then lower id),
/// filled up with [`global_top`].
pub fn personal_top(ctx: &MemberContext, tables: &StoreTables, k: usize) -> Vec<u32> {
    let mut own: Vec<_> = ctx.own.iter().collect();
    own.sort_by(|a, b| {
        b.days
            .cmp(&a.days)
            .then(b.last.cmp(&a.last))
            .then(a.id.cmp(&b.id))
    });
    let mut out: Vec<u32> = own.iter().take(k).map(|o| o.id).collect();
    for &id in &tables.popular {
        if out.len() >= k {
            break;
        }
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}
