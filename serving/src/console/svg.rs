//! Charts as inline SVG, rendered on the server (no script, no chart library in the page).
//! Every chart has `role="img"` and a `<title>` for screen readers.

use std::fmt::Write;

/// Escapes text for SVG/HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A compact number: 1234 → `1,234`, 1234567.8 → `1,234,568`, 0.1234 → `0.123`.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    if v.abs() < 10.0 && v.fract() != 0.0 {
        return format!("{v:.3}");
    }
    let rounded = v.round() as i64;
    let digits = rounded.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if rounded < 0 {
        out.insert(0, '-');
    }
    out
}

/// A histogram of `counts` over `[0, 1]` in equal bins (the churn-probability histogram).
pub fn histogram(counts: &[u64], title: &str, axis: &str) -> String {
    let (w, h, left, bottom) = (560.0, 220.0, 48.0, 36.0);
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let n = counts.len().max(1) as f64;
    let bw = (w - left - 24.0) / n;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = escape(title)
    );
    let plot_h = h - bottom - 12.0;
    for (i, &c) in counts.iter().enumerate() {
        let bh = plot_h * c as f64 / max;
        let x = left + i as f64 * bw;
        let y = 12.0 + plot_h - bh;
        let lo = i as f64 / n;
        let _ = write!(
            s,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{bh:.1}" class="bar"><title>{lo:.2}–{:.2}: {}</title></rect>"#,
            (bw - 2.0).max(1.0),
            lo + 1.0 / n,
            number(c as f64)
        );
    }
    for i in 0..=4 {
        let x = left + (w - left - 24.0) * f64::from(i) / 4.0;
        let _ = write!(
            s,
            r#"<text x="{x:.1}" y="{:.1}" class="tick" text-anchor="middle">{:.2}</text>"#,
            h - bottom + 16.0,
            f64::from(i) / 4.0
        );
    }
    let _ = write!(
        s,
        r#"<text x="4" y="20" class="tick">{}</text><text x="{:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text></svg>"#,
        number(max),
        left + (w - left) / 2.0,
        h - 4.0,
        escape(axis)
    );
    s
}

/// Horizontal bars, one per `(label, value)` (value by layer).
pub fn bars(rows: &[(String, f64)], title: &str) -> String {
    let (w, row_h, left) = (560.0, 24.0, 150.0);
    let h = row_h * rows.len().max(1) as f64 + 8.0;
    let max = rows.iter().map(|r| r.1).fold(0.0f64, f64::max).max(1e-9);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = escape(title)
    );
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let bw = (w - left - 90.0) * v.max(0.0) / max;
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{}</text><rect x="{left}" y="{:.1}" width="{bw:.1}" height="{:.1}" class="bar"/><text x="{:.1}" y="{:.1}" class="tick">{}</text>"#,
            left - 6.0,
            y + 16.0,
            escape(label),
            y + 3.0,
            row_h - 6.0,
            left + bw + 4.0,
            y + 16.0,
            number(*v)
        );
    }
    s.push_str("</svg>");
    s
}

/// One dot per purchase day at its spend, over `[from, to]` (days since 1970), for the
/// member's timeline.
pub fn timeline(points: &[(i32, f64)], from: i32, to: i32, title: &str) -> String {
    let (w, h, left, bottom) = (560.0, 140.0, 48.0, 28.0);
    let span = f64::from((to - from).max(1));
    let max = points.iter().map(|p| p.1).fold(0.0f64, f64::max).max(1e-9);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}"><title>{t}</title><line x1="{left}" y1="{y0}" x2="{x1}" y2="{y0}" class="axis"/>"#,
        t = escape(title),
        y0 = h - bottom,
        x1 = w - 8.0
    );
    for &(day, spend) in points {
        let x = left + (w - left - 8.0) * f64::from(day - from) / span;
        let y = h - bottom - (h - bottom - 12.0) * spend.max(0.0) / max;
        let _ = write!(
            s,
            r#"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{y:.1}" class="stem"/><circle cx="{x:.1}" cy="{y:.1}" r="3.5" class="dot"><title>{}: {}</title></circle>"#,
            h - bottom,
            features::Day(day),
            number(spend)
        );
    }
    let _ = write!(
        s,
        r#"<text x="{left}" y="{:.1}" class="tick">{}</text><text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{}</text><text x="4" y="20" class="tick">{}</text></svg>"#,
        h - 8.0,
        features::Day(from),
        w - 8.0,
        h - 8.0,
        features::Day(to),
        number(max)
    );
    s
}

/// One estimate with its interval.
pub struct Estimate {
    /// What it estimates.
    pub label: String,
    /// The estimate.
    pub value: Option<f64>,
    /// The interval's lower end.
    pub low: Option<f64>,
    /// The interval's upper end.
    pub high: Option<f64>,
}

/// Estimates with their intervals around zero, one row per estimate (the campaign report's
/// relative uplifts).
pub fn intervals(rows: &[Estimate], title: &str) -> String {
    let (w, row_h, left) = (560.0, 30.0, 170.0);
    let h = row_h * rows.len().max(1) as f64 + 24.0;
    let reach = rows
        .iter()
        .flat_map(|r| [r.value, r.low, r.high])
        .flatten()
        .map(f64::abs)
        .fold(0.05f64, f64::max);
    let x_of = |v: f64| left + (w - left - 16.0) * (v + reach) / (2.0 * reach);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}"><title>{t}</title><line x1="{z:.1}" y1="2" x2="{z:.1}" y2="{:.1}" class="axis"/>"#,
        h - 18.0,
        t = escape(title),
        z = x_of(0.0)
    );
    for (i, r) in rows.iter().enumerate() {
        let (label, v, lo, hi) = (&r.label, &r.value, &r.low, &r.high);
        let y = 8.0 + i as f64 * row_h + row_h / 2.0;
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{}</text>"#,
            left - 8.0,
            y + 4.0,
            escape(label)
        );
        if let (Some(lo), Some(hi)) = (lo, hi) {
            let _ = write!(
                s,
                r#"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" class="whisker"/>"#,
                x_of(*lo),
                x_of(*hi)
            );
        }
        if let Some(v) = v {
            let _ = write!(
                s,
                r#"<circle cx="{:.1}" cy="{y:.1}" r="5" class="dot"><title>{:+.1}%</title></circle>"#,
                x_of(*v),
                v * 100.0
            );
        }
    }
    let _ = write!(
        s,
        r#"<text x="{left}" y="{:.1}" class="tick">{:+.0}%</text><text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{:+.0}%</text></svg>"#,
        h - 4.0,
        -reach * 100.0,
        w - 16.0,
        h - 4.0,
        reach * 100.0
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_small_ones_keep_decimals() {
        assert_eq!(number(1234.0), "1,234");
        assert_eq!(number(1_234_567.8), "1,234,568");
        assert_eq!(number(-1234.0), "-1,234");
        assert_eq!(number(0.12345), "0.123");
        assert_eq!(number(7.0), "7");
        assert_eq!(number(f64::NAN), "–");
    }

    #[test]
    fn charts_escape_their_text_and_scale_to_the_largest_value() {
        let h = histogram(&[1, 4, 2, 0], "a<b", "p");
        assert!(h.contains("<title>a&lt;b</title>"));
        // The tallest bar fills the plot (220 - 36 - 12 = 172 high).
        assert!(h.contains(r#"height="172.0""#), "{h}");
        assert!(h.contains(r#"height="0.0""#));
        let b = bars(&[("x & y".into(), 10.0), ("z".into(), 5.0)], "v");
        assert!(b.contains("x &amp; y"));
        assert!(
            b.contains(r#"width="320.0""#) && b.contains(r#"width="160.0""#),
            "{b}"
        );
        let i = intervals(
            &[Estimate {
                label: "c".into(),
                value: Some(0.1),
                low: Some(-0.05),
                high: Some(0.25),
            }],
            "u",
        );
        assert!(i.contains("+10.0%"));
    }
}
