//! `divide(total, weights)`: Clusternet's static dividing of `total` replicas over clusters
//! by weight, computed by the scheduler the render engine uses (docs/adr/0028), so that it
//! agrees with `clusternet_subscription.replicas` for the same clusters and weights.

use clusternet_model::scheduling::by_weight::{
    WeightedCluster, WeightedDivision, divide_by_weight,
};
use clusternet_tfplugin::{FunctionDeclaration, FunctionError, Parameter, Type, Value};

use super::{Function, argument, replica_count};
use crate::config::default_namespace;

/// The function.
pub struct Divide;

const DESCRIPTION: &str = "\
Divides `total` replicas over clusters by weight, exactly as Clusternet's static dividing \
does for a Subscription with `scheduling_strategy = \"Dividing\"` (the same code as the \
provider's rendering, so the result equals `clusternet_subscription.replicas` for the same \
clusters and weights): each cluster first gets `floor(weight × total / sum of weights)`, then \
the replicas left over go one each to the heaviest clusters.

`weights` is keyed by cluster name, as in the provider's `clusters`, and the result has the \
same keys. When clusters of equal weight compete for the last leftover replicas, Clusternet's \
own choice follows an unstable sort; the provider (and this function) give them to the \
clusters first in the order of `<dedicated namespace>/<name>`, the dedicated namespace being \
`clusternet-<name>`. For a cluster configured with another `namespace`, write its key as \
`<namespace>/<name>` so that ties break as they do in the plan.

A weight of 0 gives a cluster no share. Totals and weights are whole numbers from 0 to \
2147483647; weights that sum to 0 are an error (such a Subscription gets no replicas at all). \
With an unknown argument the result is unknown.";

impl Function for Divide {
    fn name(&self) -> &'static str {
        "divide"
    }

    fn declaration(&self) -> FunctionDeclaration {
        FunctionDeclaration {
            parameters: vec![
                Parameter::new(
                    "total",
                    Type::Number,
                    "The replicas to divide: a workload's `spec.replicas`.",
                ),
                Parameter::new(
                    "weights",
                    Type::map(Type::Number),
                    "Each cluster's weight (its subscriber's `weight`), keyed by cluster name \
                     (or `<namespace>/<name>` for a cluster with its own dedicated namespace).",
                ),
            ],
            return_type: Type::map(Type::Number),
            summary: "Replicas per cluster by Clusternet's static dividing".to_string(),
            description: DESCRIPTION.to_string(),
        }
    }

    fn call(&self, arguments: &[Value]) -> Result<Value, FunctionError> {
        let total = argument(arguments, 0)?
            .as_number()
            .ok_or_else(|| FunctionError::argument(0, "total must be a number."))?;
        let total = replica_count(total, 0, "total")?;
        let weights = argument(arguments, 1)?
            .as_entries()
            .ok_or_else(|| FunctionError::argument(1, "weights must be a map of numbers."))?;
        let mut clusters = Vec::with_capacity(weights.len());
        for (key, weight) in weights {
            let weight = weight.as_number().ok_or_else(|| {
                FunctionError::argument(1, format!("weights[{key:?}] must be a number."))
            })?;
            let weight = replica_count(weight, 1, &format!("weights[{key:?}]"))?;
            let (namespace, name) = cluster_of(key)?;
            clusters.push(WeightedCluster {
                namespace,
                name,
                weight,
            });
        }
        let division = divide_by_weight(total, &clusters)
            .map_err(|e| FunctionError::call(format!("This is a bug in the provider: {e}.")))?;
        match division {
            WeightedDivision::Divided { replicas, .. } => Ok(Value::Map(
                weights
                    .keys()
                    .cloned()
                    .zip(replicas.into_iter().map(Value::from))
                    .collect(),
            )),
            WeightedDivision::NothingWeighted => Err(FunctionError::argument(
                1,
                if weights.is_empty() {
                    "weights is empty: there is no cluster to divide the replicas over. \
                     Give at least one cluster a positive weight."
                } else {
                    "The weights sum to 0, so Clusternet's static dividing divides nothing \
                     (a Subscription with these weights gets no replicas). Give at least one \
                     cluster a positive weight."
                },
            )),
        }
    }
}

/// The dedicated namespace and name a `weights` key stands for: `<name>` (namespace
/// `clusternet-<name>`, the provider's default) or `<namespace>/<name>`.
fn cluster_of(key: &str) -> Result<(String, String), FunctionError> {
    let (namespace, name) = match key.split_once('/') {
        Some((namespace, name)) => (namespace.to_string(), name.to_string()),
        None => (default_namespace(key), key.to_string()),
    };
    if namespace.is_empty() || name.is_empty() || name.contains('/') {
        return Err(FunctionError::argument(
            1,
            format!(
                "weights has the key {key:?}, which is no cluster: write a cluster's name, or \
                 `<namespace>/<name>` for a cluster with its own dedicated namespace."
            ),
        ));
    }
    Ok((namespace, name))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use clusternet_tfplugin::value::Number;

    use super::*;

    fn call(total: &str, weights: &[(&str, &str)]) -> Result<BTreeMap<String, i64>, FunctionError> {
        let weights: BTreeMap<String, Value> = weights
            .iter()
            .map(|(k, w)| (k.to_string(), Value::Number(Number::parse(w).unwrap())))
            .collect();
        let result = Divide.call(&[
            Value::Number(Number::parse(total).unwrap()),
            Value::Map(weights),
        ])?;
        Ok(result
            .as_entries()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_number().unwrap().as_i64().unwrap()))
            .collect())
    }

    fn map(entries: &[(&str, i64)]) -> BTreeMap<String, i64> {
        entries.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn divides_by_weight() {
        assert_eq!(
            call("6", &[("eu-1", "1"), ("us-1", "2")]),
            Ok(map(&[("eu-1", 2), ("us-1", 4)]))
        );
        assert_eq!(
            call("0", &[("eu-1", "1"), ("us-1", "2")]),
            Ok(map(&[("eu-1", 0), ("us-1", 0)]))
        );
        // A zero-weight cluster keeps its key, with no share.
        assert_eq!(
            call("5", &[("a", "0"), ("b", "3")]),
            Ok(map(&[("a", 0), ("b", 5)]))
        );
    }

    #[test]
    fn ties_break_by_dedicated_namespace_and_name() {
        // clusternet-a-b/a-b sorts before clusternet-a/a.
        assert_eq!(
            call("1", &[("a", "1"), ("a-b", "1")]),
            Ok(map(&[("a", 0), ("a-b", 1)]))
        );
        // With explicit namespaces the order is theirs.
        assert_eq!(
            call("1", &[("x/a", "1"), ("y/a-b", "1")]),
            Ok(map(&[("x/a", 1), ("y/a-b", 0)]))
        );
    }

    #[test]
    fn weights_summing_to_zero_and_empty_maps_are_errors_on_weights() {
        let error = call("3", &[("a", "0"), ("b", "0")]).unwrap_err();
        assert_eq!(error.argument, Some(1));
        assert!(error.text.starts_with("The weights sum to 0"), "{error}");
        let error = call("3", &[]).unwrap_err();
        assert_eq!(error.argument, Some(1));
        assert!(error.text.starts_with("weights is empty"), "{error}");
    }

    #[test]
    fn bad_totals_are_errors_on_total() {
        for total in ["-1", "2.5", "1e40", "2147483648"] {
            let error = call(total, &[("a", "1")]).unwrap_err();
            assert_eq!(error.argument, Some(0), "{total}");
            assert!(
                error.text.starts_with("total must be a whole number"),
                "{error}"
            );
        }
    }

    #[test]
    fn bad_weights_and_keys_are_errors_on_weights() {
        for weight in ["-2", "0.5", "99999999999999999999"] {
            let error = call("3", &[("eu-1", weight)]).unwrap_err();
            assert_eq!(error.argument, Some(1), "{weight}");
            assert!(
                error.text.starts_with("weights[\"eu-1\"] must be"),
                "{error}"
            );
        }
        for key in ["", "/a", "a/", "a/b/c"] {
            let error = call("3", &[(key, "1")]).unwrap_err();
            assert_eq!(error.argument, Some(1), "{key}");
            assert!(error.text.contains("which is no cluster"), "{error}");
        }
    }

    #[test]
    fn huge_but_valid_numbers_divide_exactly() {
        let max = i32::MAX.to_string();
        assert_eq!(
            call(&max, &[("a", &max), ("b", &max)]),
            Ok(map(&[("a", 1_073_741_824), ("b", 1_073_741_823)]))
        );
    }
}
