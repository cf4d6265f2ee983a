//! Overrides that cannot be applied on some clusters: one error per failing override and
//! cluster, naming both, on the attribute that passed the override.
//!
//! Clusternet stops only the failing cluster's Description (`FailedApplyingOverrides`) and
//! deploys the others; the render engine reproduces that ([`FailedDescription`]). The plan
//! refuses instead, with or without a rollout: see docs/adr/0027-override-failures-fail-the-plan.md.

use clusternet_model::provenance::OverrideSource;
use clusternet_model::render::FailedDescription;
use clusternet_tfplugin::{AttributePath, Diagnostic, Diagnostics};

/// One error per override that failed on a cluster's Description. `locate` gives the
/// attribute an override object came from.
pub(crate) fn diagnostics<'a>(
    failures: impl Iterator<Item = &'a FailedDescription>,
    locate: impl Fn(&OverrideSource) -> AttributePath,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for failure in failures {
        for (object, error) in failure.override_errors() {
            let source = &error.source_override;
            let entry = if source.override_name.is_empty() {
                format!("overrides[{}]", source.index)
            } else {
                format!("overrides[{}] ({:?})", source.index, source.override_name)
            };
            diags.push(
                Diagnostic::error(
                    format!("Override fails on cluster {}", failure.cluster_name),
                    format!(
                        "{} {entry} cannot be applied to {object} for cluster {}: {}. \
                         Clusternet would not update this cluster's Description {} (event \
                         FailedApplyingOverrides) and would deploy the other clusters; the \
                         provider refuses the plan instead, so that no cluster is left on the \
                         old version without a diff saying so. Nothing is changed on any \
                         cluster. Fix the override, or limit it to the clusters it fits.",
                        source.object_reference(),
                        failure.cluster_name,
                        error.kind,
                        failure.description,
                    ),
                )
                .at(locate(source)),
            );
        }
    }
    diags
}

#[cfg(test)]
mod tests {
    use super::*;
    use clusternet_model::stream::{Source, read_sources};

    /// The model's golden case: two overrides fail on eu-2, eu-1 renders.
    const INPUT: &str = include_str!(
        "../../../../crates/model/tests/fixtures/override-failure-one-cluster/input.yaml"
    );

    #[test]
    fn names_the_cluster_the_override_and_the_object_on_its_attribute() {
        let input = read_sources(&[Source {
            name: "t",
            text: INPUT,
        }])
        .unwrap();
        let output = clusternet_model::render::render(&input).unwrap();
        let path = AttributePath::root().attr("overrides").index(0);
        let diags = diagnostics(output.failures(), |_| path.clone());
        let all: Vec<&Diagnostic> = diags.iter().collect();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].summary, "Override fails on cluster eu-2");
        assert!(
            all[0].detail.starts_with(
                "Localization/clusternet-eu2cd/settings-guard overrides[0] (\"only-if-green\") \
                 cannot be applied to ConfigMap default/settings for cluster eu-2: JSON patch: \
                 testing value /data/mode failed."
            ),
            "{}",
            all[0].detail
        );
        assert_eq!(all[0].path.as_ref(), Some(&path));
    }
}
