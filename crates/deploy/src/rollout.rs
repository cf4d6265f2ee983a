//! Progressive rollout: which bound cluster goes in which stage, and in which batches.
//!
//! Stages are taken in order. A stage selects bound clusters by name (`clusters`), by labels
//! (a label selector), or - with neither - every bound cluster no earlier stage took. A
//! cluster belongs to the first stage that selects it. Within a stage at most
//! `max_parallel` clusters are updated at once (all of them when unset). Pure: the caller
//! decides what a stage's failure means (see the provider's apply). Durations are read by
//! [`crate::duration`].

use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

use clusternet_model::types::{LabelSelector, StringMap};

/// How a stage chooses its clusters.
#[derive(Debug, Clone, PartialEq)]
pub enum StageSelector {
    /// These clusters, by name.
    Clusters(Vec<String>),
    /// The clusters whose labels match.
    Labels(LabelSelector),
    /// Every bound cluster not in an earlier stage.
    Rest,
}

/// One stage as configured.
#[derive(Debug, Clone, PartialEq)]
pub struct StageSpec {
    /// Its name, unique in the rollout.
    pub name: String,
    /// Which clusters it takes.
    pub selector: StageSelector,
    /// At most this many clusters of the stage are updated at once; `None`: all.
    pub max_parallel: Option<usize>,
}

/// A rollout as configured.
#[derive(Debug, Clone, PartialEq)]
pub struct RolloutSpec {
    /// The stages, in order.
    pub stages: Vec<StageSpec>,
    /// Per stage: every changed cluster ready within this, else the stage fails.
    pub progress_deadline: Duration,
    /// Ready, and staying ready this long, before the next stage starts.
    pub min_ready: Duration,
    /// Clusters of a stage allowed to fail before the rollout halts.
    pub max_failures: usize,
}

/// `progress_deadline` when the configuration leaves it out.
pub const DEFAULT_PROGRESS_DEADLINE: Duration = Duration::from_secs(600);

/// One stage with its clusters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedStage {
    /// 1-based position.
    pub number: usize,
    /// Its name.
    pub name: String,
    /// Its clusters, sorted.
    pub clusters: Vec<String>,
    /// At most this many at once; `None`: all.
    pub max_parallel: Option<usize>,
}

impl PlannedStage {
    /// `<number>/<name>`, as `rollout_plan` shows it.
    pub fn label(&self) -> String {
        format!("{}/{}", self.number, self.name)
    }

    /// The clusters among `clusters` that are this stage's, in batches of `max_parallel`
    /// (one batch when unset).
    pub fn batches<'a>(&self, clusters: &'a [String]) -> Vec<Vec<&'a String>> {
        let mine: Vec<&String> = clusters
            .iter()
            .filter(|c| self.clusters.contains(c))
            .collect();
        if mine.is_empty() {
            return Vec::new();
        }
        let size = self.max_parallel.unwrap_or(mine.len()).max(1);
        mine.chunks(size).map(<[&String]>::to_vec).collect()
    }
}

/// Something about the stages worth telling: none stops the rollout by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StageNotice {
    /// A stage selects no bound cluster.
    SelectsNothing {
        /// The stage, 0-based.
        stage: usize,
    },
    /// A stage lists a cluster that is not bound (or taken by an earlier stage).
    NotBound {
        /// The stage, 0-based.
        stage: usize,
        /// The cluster.
        cluster: String,
    },
}

/// Bound clusters no stage selects: a rollout needs a last stage without a selector, or
/// selectors that cover every bound cluster.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", unstaged_message(.clusters))]
pub struct Unstaged {
    /// Those clusters, sorted.
    pub clusters: Vec<String>,
}

fn unstaged_message(clusters: &[String]) -> String {
    let names: Vec<String> = clusters.iter().map(|c| format!("{c:?}")).collect();
    let (noun, verb) = if clusters.len() == 1 {
        ("cluster", "is")
    } else {
        ("clusters", "are")
    };
    format!("bound {noun} {} {verb} in no stage", names.join(", "))
}

/// The stages of `spec` over the bound clusters `bound` (name and labels). Stages that select
/// nothing are kept (empty), so that numbers match the configuration.
pub fn plan_stages(
    spec: &RolloutSpec,
    bound: &[(String, StringMap)],
) -> Result<(Vec<PlannedStage>, Vec<StageNotice>), Unstaged> {
    let mut taken: BTreeSet<&str> = BTreeSet::new();
    let mut stages = Vec::new();
    let mut notices = Vec::new();
    for (i, stage) in spec.stages.iter().enumerate() {
        let mut clusters: Vec<String> = Vec::new();
        for (name, labels) in bound {
            if taken.contains(name.as_str()) {
                continue;
            }
            let selected = match &stage.selector {
                StageSelector::Clusters(names) => names.contains(name),
                StageSelector::Labels(selector) => selector.matches(labels),
                StageSelector::Rest => true,
            };
            if selected {
                clusters.push(name.clone());
            }
        }
        if let StageSelector::Clusters(names) = &stage.selector {
            for name in names {
                if !clusters.contains(name) {
                    notices.push(StageNotice::NotBound {
                        stage: i,
                        cluster: name.clone(),
                    });
                }
            }
        }
        if clusters.is_empty() {
            notices.push(StageNotice::SelectsNothing { stage: i });
        }
        clusters.sort();
        for c in &clusters {
            taken.insert(bound.iter().find(|(n, _)| n == c).map_or("", |(n, _)| n));
        }
        stages.push(PlannedStage {
            number: i + 1,
            name: stage.name.clone(),
            clusters,
            max_parallel: stage.max_parallel,
        });
    }
    let mut unstaged: Vec<String> = bound
        .iter()
        .map(|(n, _)| n.clone())
        .filter(|n| !taken.contains(n.as_str()))
        .collect();
    if unstaged.is_empty() {
        Ok((stages, notices))
    } else {
        unstaged.sort();
        Err(Unstaged { clusters: unstaged })
    }
}

/// A cluster's phase after a waiting apply, as `cluster_status` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Deployed and ready, or unchanged.
    Ready,
    /// Deploying failed, it did not become ready in time, or it could not be reached.
    Failed,
    /// An earlier stage or batch failed: left untouched.
    Halted,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Ready => "Ready",
            Phase::Failed => "Failed",
            Phase::Halted => "Halted",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(clusters: &[(&str, &str)]) -> Vec<(String, StringMap)> {
        clusters
            .iter()
            .map(|(name, ring)| {
                let labels = [("ring".to_string(), ring.to_string())].into();
                (name.to_string(), labels)
            })
            .collect()
    }

    fn spec(stages: Vec<StageSpec>) -> RolloutSpec {
        RolloutSpec {
            stages,
            progress_deadline: DEFAULT_PROGRESS_DEADLINE,
            min_ready: Duration::ZERO,
            max_failures: 0,
        }
    }

    fn stage(name: &str, selector: StageSelector) -> StageSpec {
        StageSpec {
            name: name.into(),
            selector,
            max_parallel: None,
        }
    }

    fn ring(value: &str) -> StageSelector {
        StageSelector::Labels(LabelSelector {
            match_labels: [("ring".to_string(), value.to_string())].into(),
            match_expressions: Vec::new(),
        })
    }

    #[test]
    fn clusters_go_to_the_first_stage_that_selects_them() {
        let bound = bound(&[("eu-1", "canary"), ("eu-2", "main"), ("us-1", "canary")]);
        let spec = spec(vec![
            stage("pilot", StageSelector::Clusters(vec!["us-1".into()])),
            stage("canary", ring("canary")),
            stage("rest", StageSelector::Rest),
        ]);
        let (stages, notices) = plan_stages(&spec, &bound).unwrap();
        let got: Vec<(String, Vec<String>)> = stages
            .iter()
            .map(|s| (s.label(), s.clusters.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("1/pilot".to_string(), vec!["us-1".to_string()]),
                ("2/canary".to_string(), vec!["eu-1".to_string()]),
                ("3/rest".to_string(), vec!["eu-2".to_string()]),
            ]
        );
        assert!(notices.is_empty());
    }

    #[test]
    fn empty_stages_and_unbound_names_are_noticed() {
        let bound = bound(&[("eu-1", "main")]);
        let spec = spec(vec![
            stage("canary", ring("canary")),
            stage("named", StageSelector::Clusters(vec!["eu-9".into()])),
            stage("rest", StageSelector::Rest),
        ]);
        let (stages, notices) = plan_stages(&spec, &bound).unwrap();
        assert_eq!(stages[2].clusters, ["eu-1"]);
        assert_eq!(
            notices,
            [
                StageNotice::SelectsNothing { stage: 0 },
                StageNotice::NotBound {
                    stage: 1,
                    cluster: "eu-9".into()
                },
                StageNotice::SelectsNothing { stage: 1 },
            ]
        );
    }

    #[test]
    fn clusters_in_no_stage_are_an_error() {
        let bound = bound(&[("eu-1", "canary"), ("eu-2", "main"), ("eu-3", "main")]);
        let err = plan_stages(&spec(vec![stage("canary", ring("canary"))]), &bound).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"bound clusters "eu-2", "eu-3" are in no stage"#
        );
    }

    #[test]
    fn batches_respect_max_parallel() {
        let stage = PlannedStage {
            number: 1,
            name: "rest".into(),
            clusters: vec!["a".into(), "b".into(), "c".into()],
            max_parallel: Some(2),
        };
        let changed: Vec<String> = vec!["a".into(), "c".into(), "x".into(), "b".into()];
        let batches: Vec<Vec<&str>> = stage
            .batches(&changed)
            .into_iter()
            .map(|b| b.into_iter().map(String::as_str).collect())
            .collect();
        assert_eq!(batches, [vec!["a", "c"], vec!["b"]]);
        assert!(stage.batches(&["x".to_string()]).is_empty());
    }
}
