//! Item statistics for a round: which questions were easy, and which ones separate the strong
//! candidates from the weak ones.
//!
//! They are the classical test-theory figures Moodle's quiz statistics report and most item
//! analyses print, so an interviewer who has met them elsewhere reads them the same way here:
//!
//! - **Facility**: the mean score on the item divided by its points (0 nobody scored, 1 everybody
//!   scored in full). An item nearly everyone gets right (or wrong) tells the round little.
//! - **Point-biserial discrimination**: the Pearson correlation between the item's score and the
//!   *rest-score* (the total minus this item). The item is left out of the total so that it is
//!   not correlated with itself, which inflates the figure in short papers. For an item scored 0
//!   or full marks this is the point-biserial correlation; with partial credit it is the same
//!   formula on the item's points (the item–rest correlation).
//! - **Upper–lower index**: the facility among the top 27% of candidates by total minus the
//!   facility among the bottom 27% (Kelley's 27%, the split that makes the two groups as different
//!   as possible while keeping them large). It needs no normality and is easy to check by hand.
//!
//! How the 27% groups are formed: the group size is `n = round(0.27·N)` (halves round up), at
//! least 1. Candidates are ranked by total; when candidates with the same total straddle the edge
//! of a group, each of them counts with weight `k/m` (`k` places left in the group, `m` candidates
//! on that total), so the index never depends on the order candidates are listed in.
//!
//! Every figure is `None` when it is undefined: no candidates, an item or rest-score with no
//! variance (everyone scored the same), or fewer than two candidates for the groups.

/// The facility of an item: mean score ÷ points. `None` for no scores or an item worth nothing.
pub fn facility(scores: &[f64], points: f64) -> Option<f64> {
    if scores.is_empty() || points <= 0.0 {
        return None;
    }
    Some(mean(scores) / points)
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// The Pearson correlation of `x` and `y` (same length). `None` when either has no variance
/// (a correlation with a constant is undefined, not zero) or there are fewer than two pairs.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return None;
    }
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    // Sums of squares that are rounding noise count as no variance.
    let tiny = 1e-12 * (1.0 + mx.abs() + my.abs());
    if sxx <= tiny || syy <= tiny {
        return None;
    }
    Some(sxy / (sxx * syy).sqrt())
}

/// The point-biserial discrimination of an item: the correlation of each candidate's item score
/// with their rest-score (`totals[i] - item[i]`).
pub fn point_biserial(item: &[f64], totals: &[f64]) -> Option<f64> {
    if item.len() != totals.len() {
        return None;
    }
    let rest: Vec<f64> = item.iter().zip(totals).map(|(x, t)| t - x).collect();
    pearson(item, &rest)
}

/// The size of each 27% group for `n` candidates: `round(0.27·n)`, at least 1 (0 for none).
pub fn group_size(n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    ((0.27 * n as f64 + 0.5).floor() as usize).max(1)
}

/// Each candidate's weight in the group of the `size` highest `totals` (1 inside, 0 outside,
/// `k/m` for the `m` candidates tied on the edge's total when `k` places are left).
fn group_weights(totals: &[f64], size: usize, top: bool) -> Vec<f64> {
    let above = |a: f64, b: f64| if top { a > b } else { a < b };
    let mut order: Vec<usize> = (0..totals.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (totals[a], totals[b]);
        if top {
            y.total_cmp(&x)
        } else {
            x.total_cmp(&y)
        }
    });
    let mut w = vec![0.0; totals.len()];
    let Some(&edge_idx) = order.get(size.saturating_sub(1)) else {
        return w;
    };
    let edge = totals[edge_idx];
    let inside = totals.iter().filter(|&&t| above(t, edge)).count();
    let tied = totals.iter().filter(|&&t| t == edge).count();
    let share = (size - inside) as f64 / tied as f64;
    for (i, &t) in totals.iter().enumerate() {
        if above(t, edge) {
            w[i] = 1.0;
        } else if t == edge {
            w[i] = share;
        }
    }
    w
}

/// The upper–lower 27% index of an item worth `points`: its facility in the top group by total
/// minus its facility in the bottom group (groups as described in the module docs). `None` for
/// fewer than two candidates or an item worth nothing.
pub fn upper_lower(item: &[f64], totals: &[f64], points: f64) -> Option<f64> {
    let n = item.len();
    if n < 2 || totals.len() != n || points <= 0.0 {
        return None;
    }
    let size = group_size(n);
    let fac = |w: &[f64]| {
        let weight: f64 = w.iter().sum();
        w.iter().zip(item).map(|(w, x)| w * x).sum::<f64>() / weight / points
    };
    let upper = fac(&group_weights(totals, size, true));
    let lower = fac(&group_weights(totals, size, false));
    Some(upper - lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn group_sizes_are_27_percent_rounded() {
        // 0.27·30 = 8.1 → 8; 0.27·10 = 2.7 → 3; 0.27·2 = 0.54 → 1; 0.27·1 → 1 (at least one).
        assert_eq!(
            [0, 1, 2, 3, 10, 30, 50, 100].map(group_size),
            [0, 1, 1, 1, 3, 8, 14, 27]
        );
    }

    #[test]
    fn undefined_figures_are_none_not_zero() {
        // Everyone scored the same on the item: no correlation to speak of.
        assert_eq!(point_biserial(&[1.0, 1.0, 1.0], &[3.0, 2.0, 1.0]), None);
        assert_eq!(facility(&[], 1.0), None);
        assert_eq!(upper_lower(&[1.0], &[1.0], 1.0), None);
        assert!(close(facility(&[1.0, 0.0, 0.5, 0.5], 2.0), 0.25));
    }

    #[test]
    fn ties_on_the_edge_share_the_places_left() {
        // Totals 5, 3, 3, 1: one place per group (round(1.08) = 1). Top: the 5. Bottom: the 1.
        let w = group_weights(&[5.0, 3.0, 3.0, 1.0], 1, true);
        assert_eq!(w, [1.0, 0.0, 0.0, 0.0]);
        // Two places in a group of totals 4, 3, 3, 3: the 4, then 1 place among three 3s.
        let w = group_weights(&[4.0, 3.0, 3.0, 3.0], 2, true);
        assert_eq!(w, [1.0, 1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0]);
        let w = group_weights(&[4.0, 3.0, 3.0, 3.0], 2, false);
        assert_eq!(w, [0.0, 2.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0]);
        // The index does not depend on the listing order of tied candidates.
        let a = upper_lower(&[1.0, 0.0, 1.0, 0.0], &[4.0, 3.0, 3.0, 3.0], 1.0);
        let b = upper_lower(&[1.0, 1.0, 0.0, 0.0], &[4.0, 3.0, 3.0, 3.0], 1.0);
        assert_eq!(a, b);
    }
}
