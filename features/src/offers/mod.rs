//! Offers (issue 15): the next best offers for a member, as a pure function of what training
//! and serving already hold for the member.
//!
//! The rules are configured in the `[offers]` table ([`OfferParams`], checked into
//! [`ValidOfferParams`]): win-back by churn band and value, tier at risk, birthday (once a
//! year, with a 29 February rule), replenishment by the member's own gap, a second-purchase
//! nudge, cross-sell to a ranked category never bought, and tier upgrade. [`offers_for`]
//! evaluates them for one member ([`OfferInputs`]) and returns [`Offer`]s best first, each
//! with a reason in English and zh-TW ([`Message`]), an incentive level from
//! [`IncentiveTable`] and suggested items from the member's ranked item list, never from a
//! category the member does not buy unless the offer is a cross-sell to it.
//!
//! ```
//! use features::offers::{Names, OfferInputs, OfferKind, OfferParams, RankedItem, offers_for};
//! use features::{Day, OrderBookBuilder};
//!
//! let day = |d: i32| Day(19_700 + d);
//! let mut b = OrderBookBuilder::new();
//! for d in [0, 30, 60] {
//!     b.push_line("m", day(d).start_ts(), "洗髮精-A", "洗髮精", 1.0, 349.0);
//! }
//! b.push_line("m", day(60).start_ts(), "裙子-A", "裙子", 1.0, 990.0);
//! b.push_line("x", day(1).start_ts(), "長褲-A", "長褲", 1.0, 890.0);
//! let book = b.finish();
//! let params = OfferParams::default().check().unwrap();
//! let item = |name: &str, category: &str| RankedItem {
//!     id: book.items().get(name).unwrap(),
//!     category: book.categories().get(category).unwrap(),
//!     score: None,
//! };
//! let ranked = [item("長褲-A", "長褲"), item("洗髮精-A", "洗髮精")];
//! let names = Names { categories: book.categories(), items: book.items() };
//! let m = book.members().get("m").unwrap();
//!
//! let inputs = OfferInputs::new(book.history(m), day(91), names).with_ranked(&[], &ranked);
//! let offers = offers_for(&params, &inputs);
//!
//! assert_eq!(offers[0].kind, OfferKind::Replenishment);
//! assert_eq!(offers[0].reason.en, "Bought 洗髮精 every ~30 days; last 31 days ago");
//! assert_eq!(offers[0].reason.zh_tw, "平均每 30 天購買洗髮精，距上次已 31 天");
//! assert_eq!(offers[0].suggested_items, [ranked[1].id]);
//! ```

/// File name of the offer rules (an [`OfferParams`] as JSON) in a model version folder.
pub const OFFERS_FILE: &str = "offers.json";

mod birthday;
mod check;
mod evaluate;
mod incentive;
mod inputs;
mod kind;
mod params;
mod replenish;
mod rules;
mod text;

pub use birthday::{BirthdayPeriod, birthday_in, birthday_period};
pub use check::{MAX_DAYS_BEFORE_BIRTHDAY, MAX_SUGGESTED_ITEMS, ValidOfferParams};
pub use evaluate::offers_for;
pub use incentive::{Band, BandRow, IncentiveLevel, IncentiveTable};
pub use inputs::{Names, Offer, OfferInputs, RankedCategory, RankedItem};
pub use kind::OfferKind;
pub use params::{
    BirthdayMode, BirthdayParams, Common, CrossSellParams, OfferParams, ReplenishmentParams,
    SecondPurchaseParams, TierAtRiskParams, TierUpgradeParams, WinBackParams,
};
pub use replenish::{Rhythm, rhythms};
pub use text::{Message, Reason, Template, amount};

#[cfg(test)]
mod check_tests;
#[cfg(test)]
mod skirts_tests;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
