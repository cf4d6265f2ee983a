//! Kubernetes label selector semantics (`metav1.LabelSelectorAsSelector`).
//!
//! `{}` selects everything; an absent selector (`None`) selects nothing.

use crate::types::{LabelSelector, SelectorOperator, StringMap};

/// A selector that cannot be evaluated (Kubernetes rejects these as well).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectorError {
    /// `In`/`NotIn` with no values.
    #[error(
        "matchExpressions[{index}] (key {key:?}): operator {operator:?} needs at least one value"
    )]
    MissingValues {
        /// Index in `matchExpressions`.
        index: usize,
        /// Label key.
        key: String,
        /// Operator.
        operator: SelectorOperator,
    },
    /// `Exists`/`DoesNotExist` with values.
    #[error("matchExpressions[{index}] (key {key:?}): operator {operator:?} takes no values")]
    UnexpectedValues {
        /// Index in `matchExpressions`.
        index: usize,
        /// Label key.
        key: String,
        /// Operator.
        operator: SelectorOperator,
    },
    /// Empty key.
    #[error("matchExpressions[{index}]: empty key")]
    EmptyKey {
        /// Index in `matchExpressions`.
        index: usize,
    },
}

impl LabelSelector {
    /// Check the selector is well-formed.
    pub fn validate(&self) -> Result<(), SelectorError> {
        for (index, req) in self.match_expressions.iter().enumerate() {
            if req.key.is_empty() {
                return Err(SelectorError::EmptyKey { index });
            }
            let has_values = !req.values.is_empty();
            match req.operator {
                SelectorOperator::In | SelectorOperator::NotIn if !has_values => {
                    return Err(SelectorError::MissingValues {
                        index,
                        key: req.key.clone(),
                        operator: req.operator,
                    });
                }
                SelectorOperator::Exists | SelectorOperator::DoesNotExist if has_values => {
                    return Err(SelectorError::UnexpectedValues {
                        index,
                        key: req.key.clone(),
                        operator: req.operator,
                    });
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Whether `labels` satisfy every `matchLabels` entry and every expression.
    pub fn matches(&self, labels: &StringMap) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|req| {
                let value = labels.get(&req.key);
                match req.operator {
                    SelectorOperator::In => value.is_some_and(|v| req.values.contains(v)),
                    SelectorOperator::NotIn => value.is_none_or(|v| !req.values.contains(v)),
                    SelectorOperator::Exists => value.is_some(),
                    SelectorOperator::DoesNotExist => value.is_none(),
                }
            })
    }
}

/// Evaluate an optional selector: `None` matches nothing.
pub fn matches(selector: Option<&LabelSelector>, labels: &StringMap) -> bool {
    selector.is_some_and(|s| s.matches(labels))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> StringMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn expr(key: &str, operator: SelectorOperator, values: &[&str]) -> LabelSelector {
        LabelSelector {
            match_expressions: vec![LabelSelectorRequirement {
                key: key.into(),
                operator,
                values: values.iter().map(|v| v.to_string()).collect(),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn empty_selector_matches_everything_absent_matches_nothing() {
        let l = labels(&[("a", "1")]);
        assert!(matches(Some(&LabelSelector::default()), &l));
        assert!(matches(Some(&LabelSelector::default()), &StringMap::new()));
        assert!(!matches(None, &l));
    }

    #[test]
    fn match_labels_are_anded() {
        let s = LabelSelector {
            match_labels: labels(&[("a", "1"), ("b", "2")]),
            ..Default::default()
        };
        assert!(s.matches(&labels(&[("a", "1"), ("b", "2"), ("c", "3")])));
        assert!(!s.matches(&labels(&[("a", "1")])));
    }

    #[test]
    fn set_operators() {
        let l = labels(&[("env", "prod")]);
        assert!(expr("env", SelectorOperator::In, &["prod", "dev"]).matches(&l));
        assert!(!expr("env", SelectorOperator::In, &["dev"]).matches(&l));
        assert!(!expr("env", SelectorOperator::NotIn, &["prod"]).matches(&l));
        assert!(expr("zone", SelectorOperator::NotIn, &["a"]).matches(&l));
        assert!(expr("env", SelectorOperator::Exists, &[]).matches(&l));
        assert!(expr("zone", SelectorOperator::DoesNotExist, &[]).matches(&l));
        assert!(!expr("env", SelectorOperator::DoesNotExist, &[]).matches(&l));
    }

    #[test]
    fn malformed_requirements_are_rejected() {
        assert!(expr("a", SelectorOperator::In, &[]).validate().is_err());
        assert!(
            expr("a", SelectorOperator::Exists, &["x"])
                .validate()
                .is_err()
        );
        assert!(expr("", SelectorOperator::Exists, &[]).validate().is_err());
        assert!(
            expr("a", SelectorOperator::NotIn, &["x"])
                .validate()
                .is_ok()
        );
    }
}
