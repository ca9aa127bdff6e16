//! The message catalogue: every offer reason in English and zh-TW, as templates with
//! `{placeholders}` filled from the member's own numbers.

/// An offer's reason, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reason {
    /// English.
    pub en: String,
    /// Traditional Chinese (Taiwan).
    #[serde(rename = "zh-TW")]
    pub zh_tw: String,
}

/// One reason template of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    /// English, with placeholders.
    pub en: &'static str,
    /// zh-TW, with the same placeholders.
    pub zh_tw: &'static str,
}

/// The messages of the catalogue. Placeholders: `{days}` (whole days), `{gap}` (the
/// member's usual gap in whole days), `{band}` (churn band), `{category}` (a category or
/// item name), `{tier}` (a tier label), `{amount}` (money, rounded up to a whole unit, with
/// thousands separators, no currency sign), `{date}` and `{until}` (ISO dates), `{birthday}`
/// (`MM-DD`), `{percent}` (whole percent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Message {
    /// Win-back of a member with a usual gap.
    WinBack,
    /// Win-back of a member with one purchase day.
    WinBackOnce,
    /// Tier at risk.
    TierAtRisk,
    /// Birthday.
    Birthday,
    /// Replenishment.
    Replenishment,
    /// Second purchase, when the first order had one category.
    SecondPurchaseIn,
    /// Second purchase, when the first order had several categories or none.
    SecondPurchase,
    /// Cross-sell.
    CrossSell,
    /// Tier upgrade.
    TierUpgrade,
}

impl Message {
    /// Every message.
    pub const ALL: [Message; 9] = [
        Message::WinBack,
        Message::WinBackOnce,
        Message::TierAtRisk,
        Message::Birthday,
        Message::Replenishment,
        Message::SecondPurchaseIn,
        Message::SecondPurchase,
        Message::CrossSell,
        Message::TierUpgrade,
    ];

    /// The message's template.
    pub const fn template(self) -> Template {
        let (en, zh_tw) = match self {
            Message::WinBack => (
                "No purchase for {days} days (usually every ~{gap} days); churn risk {band}",
                "已 {days} 天未購買（平常約每 {gap} 天），流失風險{band}",
            ),
            Message::WinBackOnce => (
                "No purchase since the first order {days} days ago; churn risk {band}",
                "首購後已 {days} 天未再購買，流失風險{band}",
            ),
            Message::TierAtRisk => (
                "{tier} is reviewed on {date}: {amount} more keeps it (chance of keeping it {percent}%)",
                "{tier}將於 {date} 審核，再消費 {amount} 即可續等（目前續等機率 {percent}%）",
            ),
            Message::Birthday => (
                "Birthday on {birthday}; offer valid until {until}",
                "{birthday} 生日，優惠至 {until} 止",
            ),
            Message::Replenishment => (
                "Bought {category} every ~{gap} days; last {days} days ago",
                "平均每 {gap} 天購買{category}，距上次已 {days} 天",
            ),
            Message::SecondPurchaseIn => (
                "First order ({category}) {days} days ago, no second order yet",
                "首購{category}已 {days} 天，尚未回購",
            ),
            Message::SecondPurchase => (
                "First order {days} days ago, no second order yet",
                "首購已 {days} 天，尚未回購",
            ),
            Message::CrossSell => (
                "Likely next: {category}, not bought yet",
                "可能想買：{category}（尚未購買過）",
            ),
            Message::TierUpgrade => (
                "{amount} more reaches {tier}",
                "再消費 {amount} 即可升級{tier}",
            ),
        };
        Template { en, zh_tw }
    }

    /// The reason with each `{name}` of `args` replaced by its value (zh-TW band names are
    /// the caller's to pass; see [`Band::label`](super::Band::label)).
    pub fn render(self, en_args: &[(&str, &str)], zh_args: &[(&str, &str)]) -> Reason {
        let t = self.template();
        Reason {
            en: fill(t.en, en_args),
            zh_tw: fill(t.zh_tw, zh_args),
        }
    }
}

fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// An amount of money as the reasons write it: rounded up to a whole unit (so the amount is
/// enough), with `,` every three digits.
pub fn amount(x: f64) -> String {
    let whole = x.max(0.0).ceil() as u64;
    let digits = whole.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_the_same_placeholders_in_both_languages() {
        let placeholders = |s: &str| {
            let mut names: Vec<String> = s
                .split('{')
                .skip(1)
                .map(|p| p.split('}').next().unwrap().to_string())
                .collect();
            names.sort();
            names
        };
        for m in Message::ALL {
            let t = m.template();
            assert_eq!(placeholders(t.en), placeholders(t.zh_tw), "{m:?}");
        }
        assert_eq!(amount(1234.01), "1,235");
        assert_eq!(amount(999.0), "999");
        assert_eq!(amount(1_000_000.0), "1,000,000");
    }
}
