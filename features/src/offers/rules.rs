//! The rule of each offer type except replenishment: whether it holds for a member and its
//! reason.

use super::birthday::birthday_period;
use super::incentive::Band;
use super::inputs::OfferInputs;
use super::kind::OfferKind;
use super::params::{
    BirthdayParams, CrossSellParams, SecondPurchaseParams, TierAtRiskParams, TierUpgradeParams,
    WinBackParams,
};
use super::text::{Message, Reason, amount};
use crate::segments::{MemberFacts, TierAnswer, purchase_days};
use crate::{Day, NO_CATEGORY};

/// An offer before its priority, incentive and suggested items.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Draft {
    pub(super) kind: OfferKind,
    pub(super) reason: Reason,
    pub(super) category: Option<u32>,
    pub(super) item: Option<u32>,
    pub(super) valid_until: Option<Day>,
}

impl Draft {
    fn new(kind: OfferKind, reason: Reason) -> Draft {
        Draft {
            kind,
            reason,
            category: None,
            item: None,
            valid_until: None,
        }
    }
}

/// Win-back: churn band in `bands`, value band at least `min_value_band`.
pub(super) fn win_back(p: &WinBackParams, i: &OfferInputs<'_>, f: &MemberFacts) -> Option<Draft> {
    let band = Band::parse(i.churn?.band)?;
    let value = i.segment.and_then(|s| s.value_band).and_then(Band::parse);
    if !p.bands.contains(&band) || value.unwrap_or(Band::Low) < p.min_value_band {
        return None;
    }
    let days = f.recency_days.to_string();
    let gap = f.median_gap.map(|g| format!("{g:.0}"));
    let (message, gap) = match &gap {
        Some(g) => (Message::WinBack, g.as_str()),
        None => (Message::WinBackOnce, ""),
    };
    let en = [
        ("days", days.as_str()),
        ("gap", gap),
        ("band", band.as_str()),
    ];
    let zh = [
        ("days", days.as_str()),
        ("gap", gap),
        ("band", band.label()),
    ];
    Some(Draft::new(OfferKind::WinBack, message.render(&en, &zh)))
}

/// Tier at risk: an expiring tier with spend still to renew and a keep probability below
/// `keep_below`.
pub(super) fn tier_at_risk(p: &TierAtRiskParams, tier: &TierAnswer, as_of: Day) -> Option<Draft> {
    let expiry = tier.status.expiry?;
    let needed = tier.status.spend_to_renew.filter(|&s| s > 0.0)?;
    let keep = tier.keep_probability.filter(|&k| k < p.keep_below)?;
    if expiry <= as_of {
        return None;
    }
    let (date, amount, percent) = (
        expiry.to_string(),
        amount(needed),
        format!("{:.0}", keep * 100.0),
    );
    let args = [
        ("tier", tier.label.as_str()),
        ("date", &date),
        ("amount", &amount),
        ("percent", &percent),
    ];
    let mut d = Draft::new(
        OfferKind::TierAtRisk,
        Message::TierAtRisk.render(&args, &args),
    );
    d.valid_until = Some(expiry.plus(-1));
    Some(d)
}

/// Tier upgrade: the spend to the next level is at most `max_share` of its threshold.
pub(super) fn tier_upgrade(p: &TierUpgradeParams, i: &OfferInputs<'_>) -> Option<Draft> {
    let tier = i.segment?.tier.as_ref()?;
    let next = i.tiers?.levels().get(tier.status.level + 1)?;
    let needed = tier.status.spend_to_next?;
    if needed > p.max_share * next.spend? {
        return None;
    }
    let amount = amount(needed);
    let args = [("tier", next.label.as_str()), ("amount", amount.as_str())];
    let reason = Message::TierUpgrade.render(&args, &args);
    Some(Draft::new(OfferKind::TierUpgrade, reason))
}

/// Birthday: `as_of` within the birthday period; valid until its last day.
pub(super) fn birthday(p: &BirthdayParams, i: &OfferInputs<'_>) -> Option<Draft> {
    let born = i.attributes?.birthday?;
    let period = birthday_period(born, i.as_of, p.mode, p.days_before)?;
    let date = period.birthday.to_date();
    let (birthday, until) = (date.format("%m-%d").to_string(), period.end.to_string());
    let args = [("birthday", birthday.as_str()), ("until", until.as_str())];
    let mut d = Draft::new(OfferKind::Birthday, Message::Birthday.render(&args, &args));
    d.valid_until = Some(period.end);
    Some(d)
}

/// Second purchase: one purchase day, `min_days..=max_days` ago.
pub(super) fn second_purchase(
    p: &SecondPurchaseParams,
    i: &OfferInputs<'_>,
    f: &MemberFacts,
) -> Option<Draft> {
    if f.purchase_days != 1 || !(p.min_days..=p.max_days).contains(&f.recency_days) {
        return None;
    }
    let lines = i.history.before(i.as_of);
    let first = purchase_days(lines).into_iter().next()?;
    let mut categories: Vec<u32> = lines
        .iter()
        .filter(|l| !l.is_return() && Day::of_ts(l.ts) == first && l.category != NO_CATEGORY)
        .map(|l| l.category)
        .collect();
    categories.sort_unstable();
    categories.dedup();
    let only = match categories[..] {
        [c] => Some(c),
        _ => None,
    };
    let days = f.recency_days.to_string();
    let reason = match only {
        Some(c) => {
            let args = [("category", i.names.categories.name(c)), ("days", &days)];
            Message::SecondPurchaseIn.render(&args, &args)
        }
        None => Message::SecondPurchase.render(&[("days", &days)], &[("days", &days)]),
    };
    let mut d = Draft::new(OfferKind::SecondPurchase, reason);
    d.category = only;
    d.valid_until = Some(first.plus(p.max_days as i32));
    Some(d)
}

/// Cross-sell: the best-ranked category not in `bought` (ascending) with a score of at least
/// `min_score` when it has one.
pub(super) fn cross_sell(
    p: &CrossSellParams,
    i: &OfferInputs<'_>,
    bought: &[u32],
) -> Option<Draft> {
    let pick = i.categories.iter().find(|c| {
        bought.binary_search(&c.id).is_err()
            && c.id != NO_CATEGORY
            && c.score.is_none_or(|s| f64::from(s) >= p.min_score)
    })?;
    let args = [("category", i.names.categories.name(pick.id))];
    let mut d = Draft::new(
        OfferKind::CrossSell,
        Message::CrossSell.render(&args, &args),
    );
    d.category = Some(pick.id);
    Some(d)
}
