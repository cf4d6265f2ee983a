//! Taint/toleration matching as the scheduler's TaintToleration plugin does it.

use crate::types::{Taint, TaintEffect, Toleration, TolerationOperator};

/// Kubernetes `Toleration.ToleratesTaint`.
pub fn tolerates(toleration: &Toleration, taint: &Taint) -> bool {
    if toleration.effect.is_some_and(|e| e != taint.effect) {
        return false;
    }
    if !toleration.key.is_empty() && toleration.key != taint.key {
        return false;
    }
    match toleration.operator {
        Some(TolerationOperator::Exists) => true,
        None | Some(TolerationOperator::Equal) => toleration.value == taint.value,
    }
}

fn tolerated(taint: &Taint, tolerations: &[Toleration]) -> bool {
    tolerations.iter().any(|t| tolerates(t, taint))
}

/// Filter: the first `NoSchedule`/`NoExecute` taint not tolerated, if any (cluster is dropped).
pub fn untolerated_hard_taint<'a>(
    taints: &'a [Taint],
    tolerations: &[Toleration],
) -> Option<&'a Taint> {
    taints.iter().find(|taint| {
        matches!(
            taint.effect,
            TaintEffect::NoSchedule | TaintEffect::NoExecute
        ) && !tolerated(taint, tolerations)
    })
}

/// Score input: number of `PreferNoSchedule` taints not tolerated (fewer is better).
///
/// As in Kubernetes, only tolerations with an empty or `PreferNoSchedule` effect count.
pub fn intolerable_prefer_no_schedule(taints: &[Taint], tolerations: &[Toleration]) -> usize {
    let relevant: Vec<&Toleration> = tolerations
        .iter()
        .filter(|t| t.effect.is_none_or(|e| e == TaintEffect::PreferNoSchedule))
        .collect();
    taints
        .iter()
        .filter(|taint| taint.effect == TaintEffect::PreferNoSchedule)
        .filter(|taint| !relevant.iter().any(|t| tolerates(t, taint)))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taint(key: &str, value: &str, effect: TaintEffect) -> Taint {
        Taint {
            key: key.into(),
            value: value.into(),
            effect,
            time_added: None,
        }
    }

    #[test]
    fn equal_toleration_needs_same_key_value_and_effect() {
        let t = taint("dedicated", "gpu", TaintEffect::NoSchedule);
        let tol = Toleration {
            key: "dedicated".into(),
            value: "gpu".into(),
            effect: Some(TaintEffect::NoSchedule),
            ..Default::default()
        };
        assert!(tolerates(&tol, &t));
        let wrong_value = Toleration {
            value: "cpu".into(),
            ..tol.clone()
        };
        assert!(!tolerates(&wrong_value, &t));
        let wrong_effect = Toleration {
            effect: Some(TaintEffect::NoExecute),
            ..tol
        };
        assert!(!tolerates(&wrong_effect, &t));
    }

    #[test]
    fn exists_with_empty_key_tolerates_everything() {
        let tol = Toleration {
            operator: Some(TolerationOperator::Exists),
            ..Default::default()
        };
        assert!(tolerates(&tol, &taint("x", "y", TaintEffect::NoExecute)));
    }

    #[test]
    fn hard_taints_filter_and_soft_taints_score() {
        let taints = vec![
            taint("a", "", TaintEffect::PreferNoSchedule),
            taint("b", "", TaintEffect::NoSchedule),
        ];
        assert_eq!(untolerated_hard_taint(&taints, &[]).unwrap().key, "b");
        assert_eq!(intolerable_prefer_no_schedule(&taints, &[]), 1);
        let tol = Toleration {
            key: "b".into(),
            operator: Some(TolerationOperator::Exists),
            ..Default::default()
        };
        assert!(untolerated_hard_taint(&taints, std::slice::from_ref(&tol)).is_none());
    }
}
