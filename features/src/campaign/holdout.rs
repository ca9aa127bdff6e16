//! Stable control-group assignment.
//!
//! A member's bucket for a campaign is `u64::from_be_bytes(sha256("{campaign_id}:{member_id}")[..8])
//! mod 10_000`, so it is the same on every machine and every run, and independent across
//! campaigns. A member is in the control group when the bucket is below
//! `round(holdout_share · 10_000)`: raising the share only adds buckets, so it never moves a
//! control member to the treated arm.

use sha2::{Digest, Sha256};

use super::CampaignError;

/// Number of buckets.
pub const BUCKETS: u32 = 10_000;

/// The largest holdout share accepted.
pub const MAX_HOLDOUT_SHARE: f64 = 0.5;

/// A checked share of a campaign's audience held out as control, in [0, 0.5].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct HoldoutShare(f64);

impl HoldoutShare {
    /// Checks `0 <= share <= 0.5`; the error names `holdout_share`.
    pub fn new(share: f64) -> Result<HoldoutShare, CampaignError> {
        if (0.0..=MAX_HOLDOUT_SHARE).contains(&share) {
            Ok(HoldoutShare(share))
        } else {
            Err(CampaignError::HoldoutShare(share))
        }
    }

    /// The share as a fraction.
    pub fn get(self) -> f64 {
        self.0
    }

    /// Buckets `0..control_buckets()` are control.
    pub fn control_buckets(self) -> u32 {
        (self.0 * f64::from(BUCKETS)).round() as u32
    }
}

impl TryFrom<f64> for HoldoutShare {
    type Error = CampaignError;
    fn try_from(share: f64) -> Result<HoldoutShare, CampaignError> {
        HoldoutShare::new(share)
    }
}

impl From<HoldoutShare> for f64 {
    fn from(share: HoldoutShare) -> f64 {
        share.0
    }
}

/// The member's bucket in `0..10_000` for this campaign.
pub fn bucket(campaign_id: &str, member_id: &str) -> u32 {
    let digest = Sha256::new()
        .chain_update(campaign_id.as_bytes())
        .chain_update(b":")
        .chain_update(member_id.as_bytes())
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % u64::from(BUCKETS)) as u32
}

/// Whether the member is held out of the campaign (control) at this share.
pub fn is_control(campaign_id: &str, member_id: &str, share: HoldoutShare) -> bool {
    bucket(campaign_id, member_id) < share.control_buckets()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXED: &[(&str, &str, u32)] = &[
        ("spring-2024", "m0", 1686),
        ("spring-2024", "m1", 7605),
        ("winback", "會員-42", 6231),
        ("c1", "member-17", 6799),
        ("", "", 4368),
    ];

    #[test]
    fn fixed_ids_fall_in_the_buckets_python_hashlib_gives() {
        // python3: int.from_bytes(hashlib.sha256(f"{c}:{m}".encode()).digest()[:8], "big") % 10000
        for (campaign, member, expected) in FIXED {
            assert_eq!(bucket(campaign, member), *expected, "{campaign}:{member}");
        }
    }

    #[test]
    fn the_control_share_of_100000_ids_is_within_3_standard_errors() {
        for share in [0.05, 0.1, 0.2, 0.5] {
            let s = HoldoutShare::new(share).unwrap();
            let n = 100_000;
            let control = (0..n)
                .filter(|i| is_control("spring-2024", &format!("m{i}"), s))
                .count();
            let se = (share * (1.0 - share) / n as f64).sqrt();
            let observed = control as f64 / n as f64;
            assert!(
                (observed - share).abs() < 3.0 * se,
                "share {share}: observed {observed}"
            );
        }
    }

    #[test]
    fn raising_the_share_never_moves_a_control_member_to_treated() {
        let shares: Vec<_> = [0.0, 0.01, 0.1, 0.1001, 0.25, 0.5]
            .map(|s| HoldoutShare::new(s).unwrap())
            .into();
        for i in 0..5_000 {
            let member = format!("member-{i}");
            let flags: Vec<bool> = shares
                .iter()
                .map(|&s| is_control("c1", &member, s))
                .collect();
            assert!(
                flags.windows(2).all(|w| !w[0] || w[1]),
                "{member}: {flags:?}"
            );
        }
    }

    #[test]
    fn zero_share_holds_nobody_out() {
        let zero = HoldoutShare::new(0.0).unwrap();
        assert!((0..1000).all(|i| !is_control("c", &i.to_string(), zero)));
    }

    #[test]
    fn a_share_outside_0_to_half_is_rejected_naming_holdout_share() {
        for bad in [-0.01, 0.51, f64::NAN, 1.0] {
            let err = HoldoutShare::new(bad).unwrap_err();
            assert!(matches!(err, CampaignError::HoldoutShare(_)));
            assert!(err.to_string().contains("holdout_share"));
        }
        assert!(serde_json::from_str::<HoldoutShare>("0.7").is_err());
        assert_eq!(
            serde_json::from_str::<HoldoutShare>("0.1")
                .unwrap()
                .control_buckets(),
            1000
        );
    }
}
