//! Freezing a campaign's audience: who matches the filter, who is skipped by a frequency cap
//! (with the reason), and who is held out as control by a stable hash of (campaign, member).
//!
//! Caps are checked before the split, on every matching member, so a capped member leaves both
//! arms and the arms stay comparable; only treated members are recorded as contacted.

use features::campaign::{Channel, ContactHistory, HoldoutShare, is_control};
use features::uplift::{ControlSize, PowerTest, control_size_needed, minimum_detectable_uplift};

use super::request::{AudienceRequest, CampaignSpec, RankBy};
use crate::domain::MemberAnswer;
use crate::domain::listing::value_at_risk;

/// Braze's guidance for the smallest useful control group.
pub const MIN_CONTROL_MEMBERS: u64 = 1_000;

/// A member the audience filter looks at.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// Member id.
    pub member_id: &'a str,
    /// The member's current answer.
    pub answer: &'a MemberAnswer,
    /// The types of the member's current offers.
    pub offer_types: &'a [&'static str],
}

/// Where a member of the frozen audience ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Assignment {
    /// Sent the campaign.
    Treated,
    /// Held out.
    Control,
    /// Over a frequency cap: neither sent nor measured.
    Skipped,
}

impl Assignment {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Assignment::Treated => "treated",
            Assignment::Control => "control",
            Assignment::Skipped => "skipped",
        }
    }
}

/// One member of a frozen audience.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AudienceMember {
    /// Member id.
    pub member_id: String,
    /// Treated, control or skipped.
    pub assignment: Assignment,
    /// The holdout bucket in `0..10_000`.
    pub bucket: u32,
    /// RFM group at freezing time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Churn probability at freezing time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub churn_probability: Option<f32>,
    /// The ranking score at freezing time (when the campaign ranks its audience).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Why the member was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

/// Counts of a frozen audience.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AudienceCounts {
    /// Members matching the filter.
    pub matched: u64,
    /// Sent.
    pub treated: u64,
    /// Held out.
    pub control: u64,
    /// Skipped by a frequency cap.
    pub capped: u64,
}

/// What the control group can detect, computed at freezing time.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PowerNote {
    /// Expected conversion without the campaign: the mean of `1 - churn probability` over the
    /// measured members (the probability of buying within the model's horizon).
    pub baseline_conversion: f64,
    /// The smallest relative uplift in conversion detectable at 80 % power, 5 % two-sided
    /// (`None`: not even a treated conversion of 100 % would be).
    pub detectable_relative_uplift: Option<f64>,
    /// The control members needed to detect the expected uplift (`None`: unreachable with
    /// this many treated members).
    pub control_needed: Option<u64>,
}

/// A frozen audience.
#[derive(Debug, Clone, PartialEq)]
pub struct Frozen {
    /// Every matching member, by member id.
    pub members: Vec<AudienceMember>,
    /// The counts.
    pub counts: AudienceCounts,
    /// The power calculation, when the baseline is known.
    pub power: Option<PowerNote>,
    /// Warnings for the marketer.
    pub warnings: Vec<String>,
}

/// Whether `c` passes the filter `a`.
pub fn matches(a: &AudienceRequest, c: &Candidate<'_>) -> bool {
    let any = |want: &[String], got: Option<&str>| {
        want.is_empty() || got.is_some_and(|g| want.iter().any(|w| w == g))
    };
    let seg = c.answer.segment.as_ref();
    let churn = c.answer.churn.as_ref();
    let p = churn.map(|c| c.probability);
    any(&a.groups, seg.map(|s| s.group.as_str()))
        && any(&a.lifecycle, seg.map(|s| s.lifecycle.as_str()))
        && any(
            &a.tiers,
            seg.and_then(|s| s.tier.as_ref()).map(|t| t.id.as_str()),
        )
        && any(&a.value_bands, seg.and_then(|s| s.value_band))
        && any(&a.churn_bands, churn.map(|c| c.band))
        && a.min_churn_probability
            .is_none_or(|m| p.is_some_and(|p| p >= m))
        && a.max_churn_probability
            .is_none_or(|m| p.is_some_and(|p| p <= m))
        && (a.offer_types.is_empty()
            || a.offer_types
                .iter()
                .any(|t| c.offer_types.contains(&t.as_str())))
}

/// The ranking score of an answer.
pub fn score(rank_by: RankBy, a: &MemberAnswer) -> Option<f64> {
    match rank_by {
        RankBy::ChurnProbability => a.churn.as_ref().map(|c| f64::from(c.probability)),
        RankBy::ValueAtRisk => value_at_risk(a),
        RankBy::PredictedValue => a.segment.as_ref()?.value.map(|v| v.predicted_value),
    }
}

/// Freezes the audience of campaign `id` from `candidates`: members matching `spec`'s filter,
/// those over a cap in `contacts` at `send_at` (seconds) skipped with the reason, the rest
/// split by [`is_control`]. The caller records the treated members as contacted once the
/// campaign is stored.
pub fn freeze<'a>(
    id: &str,
    spec: &CampaignSpec,
    candidates: impl Iterator<Item = Candidate<'a>>,
    contacts: &ContactHistory,
    send_at: i64,
) -> Frozen {
    let share = HoldoutShare::new(spec.holdout_share).expect("checked by CampaignRequest::check");
    let mut members: Vec<AudienceMember> = Vec::new();
    let mut counts = AudienceCounts::default();
    let mut baseline = (0.0f64, 0u64);
    for c in candidates.filter(|c| matches(&spec.audience, c)) {
        counts.matched += 1;
        let capped = contacts.check(c.member_id, spec.channel, send_at).err();
        let assignment = match &capped {
            Some(_) => Assignment::Skipped,
            None if is_control(id, c.member_id, share) => Assignment::Control,
            None => Assignment::Treated,
        };
        let churn_probability = c.answer.churn.as_ref().map(|a| a.probability);
        match assignment {
            Assignment::Treated => counts.treated += 1,
            Assignment::Control => counts.control += 1,
            Assignment::Skipped => counts.capped += 1,
        }
        if let (true, Some(p)) = (assignment != Assignment::Skipped, churn_probability) {
            baseline = (baseline.0 + 1.0 - f64::from(p), baseline.1 + 1);
        }
        members.push(AudienceMember {
            member_id: c.member_id.to_string(),
            assignment,
            bucket: features::campaign::bucket(id, c.member_id),
            group: c.answer.segment.as_ref().map(|s| s.group.clone()),
            churn_probability,
            score: spec.rank_by.and_then(|r| score(r, c.answer)),
            skipped: capped.map(|hit| cap_reason(&hit, spec.channel)),
        });
    }
    members.sort_unstable_by(|a, b| a.member_id.cmp(&b.member_id));
    let power = (baseline.1 > 0).then(|| power_note(baseline.0 / baseline.1 as f64, &counts, spec));
    let warnings = warnings(&counts, power.as_ref(), spec)
        .iter()
        .map(ToString::to_string)
        .collect();
    Frozen {
        members,
        counts,
        power,
        warnings,
    }
}

fn cap_reason(hit: &features::campaign::CapHit, channel: Channel) -> String {
    let on = hit
        .cap
        .channel
        .map_or("any channel".to_string(), |c| c.as_str().to_string());
    format!(
        "frequency cap #{}: at most {} per {} days on {on}; {} already (this send: {})",
        hit.rule + 1,
        hit.cap.max,
        hit.cap.window_days,
        hit.count,
        channel.as_str()
    )
}

fn power_note(baseline: f64, counts: &AudienceCounts, spec: &CampaignSpec) -> PowerNote {
    let test = PowerTest::new(0.05, 0.8).expect("5 % and 80 % are valid");
    let detectable = minimum_detectable_uplift(counts.treated, counts.control, baseline, &test)
        .ok()
        .flatten()
        .map(|d| d.relative);
    let control_needed =
        match control_size_needed(counts.treated, baseline, spec.expected_uplift, &test) {
            Ok(ControlSize::Members { members, .. }) => Some(members),
            _ => None,
        };
    PowerNote {
        baseline_conversion: baseline,
        detectable_relative_uplift: detectable,
        control_needed,
    }
}

/// A warning given when a campaign is created: typed, so each reader words it in its own
/// language (the API in English through `Display`, the console from its catalogue).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Warning {
    /// The control group is under [`MIN_CONTROL_MEMBERS`].
    SmallControl {
        /// Members in the control group.
        control: u64,
    },
    /// The control group is too small to detect the expected uplift.
    Underpowered {
        /// Members in the control group.
        control: u64,
        /// Control members needed at 80 % power and 5 % significance.
        needed: u64,
        /// Expected relative uplift, in per cent.
        expected_pct: f64,
        /// Baseline conversion, in per cent.
        baseline_pct: f64,
        /// The smallest detectable relative uplift with this split, in per cent.
        detectable_pct: Option<f64>,
    },
    /// No control group of any size can detect the expected uplift.
    Unreachable {
        /// Members in the treated group.
        treated: u64,
        /// Expected relative uplift, in per cent.
        expected_pct: f64,
        /// Baseline conversion, in per cent.
        baseline_pct: f64,
    },
    /// Members skipped by frequency caps.
    Capped {
        /// Members skipped.
        capped: u64,
        /// Members that matched the audience.
        matched: u64,
    },
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Warning::SmallControl { control } => write!(
                f,
                "the control group has {control} members, fewer than the {MIN_CONTROL_MEMBERS} usually needed for a reliable comparison"
            ),
            Warning::Underpowered {
                control,
                needed,
                expected_pct,
                baseline_pct,
                detectable_pct,
            } => {
                write!(
                    f,
                    "the control group ({control} members) is too small to detect the expected +{expected_pct:.1} % in conversion (baseline {baseline_pct:.1} %): it needs {needed} members at 80 % power and 5 % significance"
                )?;
                if let Some(d) = detectable_pct {
                    write!(
                        f,
                        "; with this split the smallest detectable uplift is +{d:.1} %"
                    )?;
                }
                Ok(())
            }
            Warning::Unreachable {
                treated,
                expected_pct,
                baseline_pct,
            } => write!(
                f,
                "with {treated} treated members no control group can detect +{expected_pct:.1} % in conversion (baseline {baseline_pct:.1} %) at 80 % power"
            ),
            Warning::Capped { capped, matched } => write!(
                f,
                "{capped} of {matched} matching members were skipped by frequency caps"
            ),
        }
    }
}

/// The warnings for a frozen audience with these counts, power note and spec.
pub fn warnings(
    counts: &AudienceCounts,
    power: Option<&PowerNote>,
    spec: &CampaignSpec,
) -> Vec<Warning> {
    let mut out = Vec::new();
    if counts.control < MIN_CONTROL_MEMBERS {
        out.push(Warning::SmallControl {
            control: counts.control,
        });
    }
    if let Some(p) = power {
        let expected_pct = spec.expected_uplift * 100.0;
        let baseline_pct = p.baseline_conversion * 100.0;
        match (p.control_needed, p.detectable_relative_uplift) {
            (Some(needed), _) if needed <= counts.control => {}
            (Some(needed), detectable) => out.push(Warning::Underpowered {
                control: counts.control,
                needed,
                expected_pct,
                baseline_pct,
                detectable_pct: detectable.map(|d| d * 100.0),
            }),
            (None, _) => out.push(Warning::Unreachable {
                treated: counts.treated,
                expected_pct,
                baseline_pct,
            }),
        }
    }
    if counts.capped > 0 {
        out.push(Warning::Capped {
            capped: counts.capped,
            matched: counts.matched,
        });
    }
    out
}
