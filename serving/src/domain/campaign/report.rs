//! The uplift report of a campaign: from the orders its measured members placed in
//! `[send_date, send_date + window_days)`, treated against control.

use features::uplift::{
    Confidence, Estimate, GroupOutcome, Metric, Scored, Strategy, TopK, absolute_uplift,
    incremental_total, mean_uplift, qini_auc_score, relative_mean_uplift, relative_uplift,
    uplift_at_k,
};
use features::{Day, PurchaseLine};

use super::audience::{Assignment, AudienceMember};

/// Shares of the ranked audience uplift@k is reported at.
pub const UPLIFT_AT: [f64; 3] = [0.1, 0.2, 0.3];

/// One member's outcome in the window.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Outcome {
    /// Orders: distinct order timestamps with at least one bought (not returned) line.
    pub orders: u32,
    /// Spend: the lines' amounts, returns netted.
    pub spend: f64,
}

impl Outcome {
    /// The outcome of `lines` (a member's lines, any order) in `[from, until)`.
    pub fn of(lines: &[PurchaseLine], from: Day, until: Day) -> Outcome {
        let mut stamps: Vec<i64> = Vec::new();
        let mut spend = 0.0;
        for l in lines {
            let day = Day::of_ts(l.ts);
            if day < from || day >= until {
                continue;
            }
            spend += l.amount;
            if !l.is_return() {
                stamps.push(l.ts);
            }
        }
        stamps.sort_unstable();
        stamps.dedup();
        Outcome {
            orders: stamps.len() as u32,
            spend,
        }
    }
}

/// A figure with its 95 % interval, or why it has none.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Figure {
    /// The estimate (`None` when undefined, see `note`).
    pub value: Option<f64>,
    /// Lower bound of the interval.
    pub low: Option<f64>,
    /// Upper bound of the interval.
    pub high: Option<f64>,
    /// Why the value or interval is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Figure {
    fn of(r: Result<Estimate, features::uplift::Degenerate>) -> Figure {
        match r {
            Ok(e) => match e.interval {
                Ok(i) => Figure {
                    value: Some(e.value),
                    low: Some(i.low),
                    high: Some(i.high),
                    note: None,
                },
                Err(d) => Figure {
                    value: Some(e.value),
                    low: None,
                    high: None,
                    note: Some(d.to_string()),
                },
            },
            Err(d) => Figure {
                value: None,
                low: None,
                high: None,
                note: Some(d.to_string()),
            },
        }
    }
}

/// One arm's figures.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ArmFigures {
    /// Members measured.
    pub members: u64,
    /// Members with at least one order.
    pub converters: u64,
    /// `converters / members`.
    pub conversion_rate: Option<f64>,
    /// Orders in all.
    pub orders: f64,
    /// Spend in all.
    pub spend: f64,
    /// Orders per member.
    pub orders_per_member: Option<f64>,
    /// Spend per member.
    pub spend_per_member: Option<f64>,
}

impl ArmFigures {
    fn of(g: &GroupOutcome) -> ArmFigures {
        ArmFigures {
            members: g.members(),
            converters: g.converters(),
            conversion_rate: g.conversion_rate(),
            orders: g.moments(Metric::Orders).sum,
            spend: g.moments(Metric::Spend).sum,
            orders_per_member: g.moments(Metric::Orders).mean(),
            spend_per_member: g.moments(Metric::Spend).mean(),
        }
    }
}

/// Treated minus control, absolute and relative.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Uplift {
    /// Treated minus control.
    pub absolute: Figure,
    /// Treated over control, minus one.
    pub relative: Figure,
}

/// uplift@k at one share of the ranked audience.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UpliftAtK {
    /// Share of the audience, best-ranked first.
    pub k: f64,
    /// Conversion of the treated minus the control among them (`None`: undefined).
    pub uplift: Option<f64>,
}

/// The ranked-audience figures.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Ranked {
    /// The score the audience was ranked by.
    pub rank_by: String,
    /// uplift@k (scikit-uplift's `overall` strategy).
    pub uplift_at_k: Vec<UpliftAtK>,
    /// The normalised area under the Qini curve (`None`: undefined).
    pub qini_auc: Option<f64>,
}

/// `GET /v1/campaigns/{id}/report`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CampaignReport {
    /// The campaign.
    pub campaign_id: String,
    /// First day of the window.
    pub window_start: Day,
    /// Day after the window.
    pub window_end: Day,
    /// The last day with an order line the service holds.
    pub data_until: Option<Day>,
    /// Whether the data reaches the end of the window (otherwise the figures are interim).
    pub window_complete: bool,
    /// The confidence level of every interval.
    pub confidence: f64,
    /// Treated figures.
    pub treated: ArmFigures,
    /// Control figures.
    pub control: ArmFigures,
    /// Conversion uplift.
    pub conversion: Uplift,
    /// Orders-per-member uplift.
    pub orders_per_member: Uplift,
    /// Spend-per-member uplift.
    pub spend_per_member: Uplift,
    /// Orders the campaign added: the per-member uplift times the treated members.
    pub incremental_orders: Figure,
    /// Revenue the campaign added: the per-member spend uplift times the treated members.
    pub incremental_revenue: Figure,
    /// uplift@k and Qini, when the audience was ranked by a score.
    pub ranked: Option<Ranked>,
}

/// The report of a campaign whose members had `outcomes` (one per member, in order; skipped
/// members are not measured).
pub fn report(
    campaign_id: &str,
    members: &[AudienceMember],
    outcomes: &[Outcome],
    window: (Day, Day),
    data_until: Option<Day>,
    rank_by: Option<&str>,
) -> CampaignReport {
    let conf = Confidence::default();
    let mut treated = GroupOutcome::default();
    let mut control = GroupOutcome::default();
    let mut scored = Vec::new();
    for (m, o) in members.iter().zip(outcomes) {
        let arm = match m.assignment {
            Assignment::Treated => &mut treated,
            Assignment::Control => &mut control,
            Assignment::Skipped => continue,
        };
        // Outcomes are finite sums of finite amounts.
        let _ = arm.push(o.orders, o.spend);
        if let Some(score) = m.score {
            scored.push(Scored {
                score,
                treated: m.assignment == Assignment::Treated,
                converted: o.orders > 0,
            });
        }
    }
    let uplift_of = |metric: Metric| Uplift {
        absolute: Figure::of(mean_uplift(&treated, &control, metric, conf)),
        relative: Figure::of(relative_mean_uplift(&treated, &control, metric, conf)),
    };
    let ranked = rank_by.map(|r| Ranked {
        rank_by: r.to_string(),
        uplift_at_k: UPLIFT_AT
            .iter()
            .map(|&k| UpliftAtK {
                k,
                uplift: uplift_at_k(&scored, TopK::Fraction(k), Strategy::Overall).ok(),
            })
            .collect(),
        qini_auc: qini_auc_score(&scored, false).ok(),
    });
    CampaignReport {
        campaign_id: campaign_id.to_string(),
        window_start: window.0,
        window_end: window.1,
        data_until,
        window_complete: data_until.is_some_and(|d| d >= window.1.plus(-1)),
        confidence: conf.level(),
        treated: ArmFigures::of(&treated),
        control: ArmFigures::of(&control),
        conversion: Uplift {
            absolute: Figure::of(absolute_uplift(&treated, &control, conf)),
            relative: Figure::of(relative_uplift(&treated, &control, conf)),
        },
        orders_per_member: uplift_of(Metric::Orders),
        spend_per_member: uplift_of(Metric::Spend),
        incremental_orders: Figure::of(incremental_total(&treated, &control, Metric::Orders, conf)),
        incremental_revenue: Figure::of(incremental_total(&treated, &control, Metric::Spend, conf)),
        ranked,
    }
}

/// The report as CSV rows: `metric,treated,control,value,low,high,note`.
pub fn report_csv(r: &CampaignReport) -> String {
    let num = |x: Option<f64>| x.map_or(String::new(), |v| format!("{v}"));
    let mut out = String::from("metric,treated,control,value,low,high,note\n");
    let mut arm_row = |name: &str, t: Option<f64>, c: Option<f64>| {
        out.push_str(&format!("{name},{},{},,,,\n", num(t), num(c)));
    };
    arm_row(
        "members",
        Some(r.treated.members as f64),
        Some(r.control.members as f64),
    );
    arm_row(
        "converters",
        Some(r.treated.converters as f64),
        Some(r.control.converters as f64),
    );
    arm_row(
        "conversion_rate",
        r.treated.conversion_rate,
        r.control.conversion_rate,
    );
    arm_row(
        "orders_per_member",
        r.treated.orders_per_member,
        r.control.orders_per_member,
    );
    arm_row(
        "spend_per_member",
        r.treated.spend_per_member,
        r.control.spend_per_member,
    );
    let figures = [
        ("conversion_uplift", &r.conversion.absolute),
        ("conversion_relative_uplift", &r.conversion.relative),
        ("orders_per_member_uplift", &r.orders_per_member.absolute),
        (
            "orders_per_member_relative_uplift",
            &r.orders_per_member.relative,
        ),
        ("spend_per_member_uplift", &r.spend_per_member.absolute),
        (
            "spend_per_member_relative_uplift",
            &r.spend_per_member.relative,
        ),
        ("incremental_orders", &r.incremental_orders),
        ("incremental_revenue", &r.incremental_revenue),
    ];
    for (name, f) in figures {
        out.push_str(&format!(
            "{name},,,{},{},{},{}\n",
            num(f.value),
            num(f.low),
            num(f.high),
            f.note.as_deref().unwrap_or("")
        ));
    }
    if let Some(k) = &r.ranked {
        for u in &k.uplift_at_k {
            out.push_str(&format!("uplift_at_{},,,{},,,\n", u.k, num(u.uplift)));
        }
        out.push_str(&format!("qini_auc,,,{},,,\n", num(k.qini_auc)));
    }
    out
}
