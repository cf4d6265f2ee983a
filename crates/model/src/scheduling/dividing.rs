//! Replica division: static (by weight) and dynamic (by availability), spec §2.4.
//!
//! Both algorithms are exact ports of the arithmetic. Where upstream's order is
//! not deterministic (equal weights, equal remainders) the lower input index wins
//! here, and [`Division::tie`] reports that the outcome depended on that choice.

/// The result of a division.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    /// Replicas per input index.
    pub replicas: Vec<i64>,
    /// True when leftovers were handed out inside a group of equal weights/remainders,
    /// i.e. upstream could have picked different clusters.
    pub tie: bool,
}

/// Indices ordered by weight, highest first; equal weights keep input order.
pub fn sort_by_weight(weights: &[i64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| weights[b].cmp(&weights[a]));
    order
}

/// Static division: `floor(w*D/W)` each, then one extra to the `remain` heaviest clusters.
///
/// With a zero total weight every cluster gets 0 (the scheduler then writes no replicas).
pub fn static_divide(desired: i64, weights: &[i64]) -> Division {
    let total: i128 = weights.iter().map(|&w| w as i128).sum();
    if total == 0 {
        return Division {
            replicas: vec![0; weights.len()],
            tie: false,
        };
    }
    let mut replicas: Vec<i64> = weights
        .iter()
        .map(|&w| (w as i128 * desired as i128).div_euclid(total) as i64)
        .collect();
    let remain = desired - replicas.iter().sum::<i64>();
    let order = sort_by_weight(weights);
    let given = (remain.max(0) as usize).min(order.len());
    for &i in &order[..given] {
        replicas[i] += 1;
    }
    let tie =
        given > 0 && given < order.len() && weights[order[given - 1]] == weights[order[given]];
    Division { replicas, tie }
}

/// Dynamic (Spread) division: truncating share of `D` proportional to availability,
/// then ±1 to the largest remainders. `D` may be negative (scale-down).
/// If the total availability is 0 or below `D`, the availability itself is returned.
pub fn dynamic_divide(desired: i64, available: &[i64]) -> Division {
    let total: i128 = available.iter().map(|&a| a as i128).sum();
    if total == 0 || desired as i128 > total {
        return Division {
            replicas: available.to_vec(),
            tie: false,
        };
    }
    let d = desired as i128;
    let mut replicas = Vec::with_capacity(available.len());
    let mut remainders = Vec::with_capacity(available.len());
    for &a in available {
        let product = a as i128 * d;
        let share = product / total; // truncates toward zero, like Go
        replicas.push(share as i64);
        // |a*D/A - share| scaled by A: exact, so equal remainders compare equal.
        remainders.push((product - share * total).abs());
    }
    let remain = desired - replicas.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..available.len()).collect();
    order.sort_by(|&a, &b| remainders[b].cmp(&remainders[a]));
    let count = (remain.unsigned_abs() as usize).min(order.len());
    let step = remain.signum();
    for &i in &order[..count] {
        replicas[i] += step;
    }
    let tie = count > 0
        && count < order.len()
        && remainders[order[count - 1]] == remainders[order[count]];
    Division { replicas, tie }
}

#[cfg(test)]
mod tests {
    use super::*;

    // spec §10.5
    #[test]
    fn sort_by_weight_vectors() {
        assert_eq!(sort_by_weight(&[3, 1, 2]), vec![0, 2, 1]);
        assert_eq!(sort_by_weight(&[1, 2, 3, 4]), vec![3, 2, 1, 0]);
    }

    #[test]
    fn static_divide_vectors() {
        let cases: [(i64, &[i64], &[i64]); 4] = [
            (5, &[2, 1, 0, 2], &[2, 1, 0, 2]),
            (10, &[2, 1, 2], &[4, 2, 4]),
            (6, &[2, 1, 0, 2], &[3, 1, 0, 2]),
            (5, &[5, 1, 0, 2], &[4, 0, 0, 1]),
        ];
        for (desired, weights, want) in cases {
            assert_eq!(
                static_divide(desired, weights).replicas,
                want,
                "{desired} {weights:?}"
            );
        }
    }

    #[test]
    fn dynamic_divide_vectors() {
        let cases: [(i64, &[i64], &[i64]); 7] = [
            (6, &[3, 6, 9], &[1, 2, 3]),
            (2, &[3, 6, 9], &[0, 1, 1]),
            (3, &[3, 6, 9], &[1, 1, 1]),
            (3, &[0, 0, 0], &[0, 0, 0]),
            (6, &[1, 2, 2], &[1, 2, 2]),
            (-6, &[3, 6, 9], &[-1, -2, -3]),
            (-2, &[3, 6, 9], &[0, -1, -1]),
        ];
        for (desired, available, want) in cases {
            assert_eq!(
                dynamic_divide(desired, available).replicas,
                want,
                "{desired} {available:?}"
            );
        }
    }

    #[test]
    fn ties_are_flagged() {
        // 6 over [2,1,0,2]: one leftover, two clusters of weight 2.
        assert!(static_divide(6, &[2, 1, 0, 2]).tie);
        assert!(!static_divide(5, &[2, 1, 0, 2]).tie);
        // 3 over [3,6,9]: remainders 0.5, 0, 0.5 and one leftover.
        assert!(dynamic_divide(3, &[3, 6, 9]).tie);
        assert!(!dynamic_divide(2, &[3, 6, 9]).tie);
    }
}
