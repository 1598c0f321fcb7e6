//! The report's plots, drawn as SVG strings: a histogram of totals and small horizontal bar
//! charts (a candidate's per-topic profile).
//!
//! Hand-written rather than a plotting crate: two chart shapes, about a hundred lines, no new
//! dependency to build on every machine, and bytes that depend only on the data (the report is
//! reproducible). Every text placed in a plot goes through [`esc`], since ids and names come
//! from the candidates file.

/// Escapes text for SVG (XML) content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A number for an SVG attribute: at most two decimals, no trailing zeros.
fn n(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The bins of a histogram of `values` over `0..=max`: `bins` equal widths, the last one closed
/// (a full score lands in it). Returns each bin's (low, high, count).
pub fn bins(values: &[f64], max: f64, bins: usize) -> Vec<(f64, f64, usize)> {
    let bins = bins.max(1);
    let width = if max > 0.0 { max / bins as f64 } else { 1.0 };
    let mut out: Vec<(f64, f64, usize)> = (0..bins)
        .map(|i| (i as f64 * width, (i + 1) as f64 * width, 0))
        .collect();
    for &v in values {
        let i = ((v / width).floor().max(0.0) as usize).min(bins - 1);
        out[i].2 += 1;
    }
    out
}

/// A histogram of `values` (totals out of `max`), with a labelled x axis in points and a y axis
/// in candidates.
pub fn histogram(values: &[f64], max: f64, nbins: usize, title: &str) -> String {
    let b = bins(values, max, nbins);
    let (w, h, left, bottom, top) = (560.0, 220.0, 40.0, 36.0, 12.0);
    let plot_w = w - left - 10.0;
    let plot_h = h - bottom - top;
    let peak = b.iter().map(|x| x.2).max().unwrap_or(0).max(1);
    let bar_w = plot_w / b.len() as f64;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"histogram\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">\n<title>{}</title>\n",
        esc(title),
        esc(title)
    );
    // Axes, and the y axis's ticks at whole candidate counts.
    s.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{y0}\" x2=\"{x1}\" y2=\"{y0}\" stroke=\"#444\"/>\n<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{y0}\" stroke=\"#444\"/>\n",
        y0 = n(top + plot_h),
        x1 = n(left + plot_w)
    ));
    let step = (peak as f64 / 5.0).ceil().max(1.0) as usize;
    for t in (0..=peak).step_by(step) {
        let y = top + plot_h - plot_h * t as f64 / peak as f64;
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{t}</text>\n",
            n(left - 4.0),
            n(y + 4.0)
        ));
    }
    for (i, (lo, hi, count)) in b.iter().enumerate() {
        let x = left + i as f64 * bar_w;
        let bh = plot_h * *count as f64 / peak as f64;
        s.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#1f4e8c\"><title>{}–{}: {count}</title></rect>\n",
            n(x + 1.0),
            n(top + plot_h - bh),
            n((bar_w - 2.0).max(1.0)),
            n(bh),
            n(*lo),
            n(*hi)
        ));
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n",
            n(x),
            n(top + plot_h + 14.0),
            n(*lo)
        ));
    }
    s.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">total points</text>\n</svg>",
        n(left + plot_w),
        n(top + plot_h + 14.0),
        n(max),
        n(left + plot_w / 2.0),
        n(h - 4.0)
    ));
    s
}

/// A small horizontal bar chart of shares (0 to 1), one labelled bar per entry, each with its
/// percentage: a candidate's per-topic profile.
pub fn share_bars(entries: &[(String, f64)], title: &str) -> String {
    let (w, row, label_w, bar_w) = (300.0, 16.0, 100.0, 150.0);
    let h = row * entries.len().max(1) as f64 + 4.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"profile\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{t}\">\n<title>{t}</title>\n",
        h = n(h),
        t = esc(title)
    );
    for (i, (label, share)) in entries.iter().enumerate() {
        let y = 2.0 + i as f64 * row;
        let share = share.clamp(0.0, 1.0);
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text>\n<rect x=\"{label_w}\" y=\"{}\" width=\"{bar_w}\" height=\"{}\" fill=\"#e4e8ee\"/>\n<rect x=\"{label_w}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#1f4e8c\"/>\n<text x=\"{}\" y=\"{}\" font-size=\"11\">{}%</text>\n",
            n(label_w - 4.0),
            n(y + 11.0),
            esc(label),
            n(y + 1.0),
            n(row - 4.0),
            n(y + 1.0),
            n(bar_w * share),
            n(row - 4.0),
            n(label_w + bar_w + 4.0),
            n(y + 11.0),
            (share * 100.0).round()
        ));
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_score_lands_in_the_last_bin_and_text_is_escaped() {
        let b = bins(&[0.0, 9.9, 10.0, 40.0], 40.0, 4);
        assert_eq!(b.iter().map(|x| x.2).collect::<Vec<_>>(), [2, 1, 0, 1]);
        let svg = share_bars(&[("<script>".into(), 0.5)], "a&b");
        assert!(svg.contains("&lt;script&gt;") && svg.contains("a&amp;b"));
        assert!(!svg.contains("<script>"));
    }
}
