//! Pure campaign primitives: who is held out, and whether a member may be contacted again.
//!
//! - [`holdout`]: a stable bucket in `0..10_000` per campaign and member, and the control
//!   group for a checked [`HoldoutShare`].
//! - [`caps`]: frequency caps per channel or across channels over rolling windows, checked
//!   against an in-memory [`ContactHistory`].
//!
//! ```
//! use features::campaign::{CapPolicy, CapRule, Channel, ContactHistory, HoldoutShare, is_control};
//!
//! let share = HoldoutShare::new(0.1).unwrap();
//! let control = (0..1000).filter(|i| is_control("spring", &format!("m{i}"), share)).count();
//! assert!((60..140).contains(&control));
//!
//! let policy = CapPolicy::new(vec![CapRule { channel: None, max: 2, window_days: 7 }]).unwrap();
//! let mut history = ContactHistory::new(policy);
//! history.record("m1", Channel::Email, 0, "spring");
//! history.record("m1", Channel::Line, 3_600, "spring");
//! let hit = history.check("m1", Channel::Sms, 7_200).unwrap_err();
//! assert_eq!((hit.rule, hit.count), (0, 2));
//! assert!(history.check("m1", Channel::Sms, 7 * 86_400).is_ok());
//! ```

pub mod caps;
mod error;
pub mod holdout;

pub use caps::{CapHit, CapPolicy, CapRule, Channel, Contact, ContactHistory};
pub use error::CampaignError;
pub use holdout::{BUCKETS, HoldoutShare, MAX_HOLDOUT_SHARE, bucket, is_control};
