//! The `rollout` block and `wait_for_ready`: schema and decoding into
//! [`clusternet_deploy::rollout::RolloutSpec`].

use std::collections::BTreeSet;
use std::time::Duration;

use clusternet_deploy::rollout::{
    DEFAULT_PROGRESS_DEADLINE, RolloutSpec, StageSelector, StageSpec,
};
use clusternet_tfplugin::{
    Attribute, AttributePath, Block, BlockNesting, Diagnostics, NestedBlock, Type, Value,
};

use crate::attrs::{self, Field};
use crate::selector;

/// How a subscription waits for what it deployed.
#[derive(Debug, Clone, PartialEq)]
pub enum Waiting {
    /// Deploy and return (the default).
    No,
    /// Deploy to every cluster at once, then wait for readiness (`wait_for_ready = true`).
    AllAtOnce,
    /// Stage by stage, each waited for (`rollout`).
    Staged(RolloutSpec),
}

impl Waiting {
    /// How long a cluster may take to become ready.
    pub fn deadline(&self) -> Duration {
        match self {
            Waiting::Staged(spec) => spec.progress_deadline,
            _ => DEFAULT_PROGRESS_DEADLINE,
        }
    }

    /// Whether apply waits for readiness.
    pub fn waits(&self) -> bool {
        !matches!(self, Waiting::No)
    }
}

/// The `rollout` block.
pub fn block() -> NestedBlock {
    let mut stage = NestedBlock::new(
        "stage",
        BlockNesting::List,
        Block::new(
            "A stage: its clusters are updated (at most `max_parallel` at once) and must be \
             ready before the next stage starts. A cluster belongs to the first stage that \
             selects it.",
            vec![
                Attribute::required("name", Type::String)
                    .describe("Stage name, unique in the rollout (shown in `rollout_plan`)."),
                Attribute::optional("clusters", Type::list(Type::String)).describe(
                    "The clusters of this stage, by name. With neither `clusters` nor \
                     `cluster_affinity`, the stage takes every bound cluster no earlier stage \
                     took.",
                ),
                Attribute::optional("max_parallel", Type::Number).describe(
                    "At most this many clusters of the stage are updated at once (default: \
                     all of them).",
                ),
            ],
        )
        .with_block(selector::block(
            "cluster_affinity",
            "The clusters of this stage, by labels.",
        )),
    );
    stage.min_items = 1;
    NestedBlock::new(
        "rollout",
        BlockNesting::Single,
        Block::new(
            "Progressive rollout: the bound clusters are updated stage by stage, and a stage \
             starts only when every changed cluster of the one before is ready. A stage with \
             more than `max_failures` failed clusters halts the rollout: later stages are left \
             untouched and show as still to do in the next plan. Directory targets are always \
             ready.",
            vec![
                Attribute::optional("progress_deadline", Type::String).describe(
                    "Per stage: every changed cluster ready within this (whole hours, minutes \
                     and seconds, such as `10m`, `90s` or `1h30m`; default `10m`), else it \
                     counts as failed.",
                ),
                Attribute::optional("min_ready_seconds", Type::Number).describe(
                    "Ready, and staying ready this many seconds, before the next stage starts \
                     (default 0).",
                ),
                Attribute::optional("max_failures", Type::Number).describe(
                    "Clusters of a stage allowed to fail (each still reported as an error) before \
                     the rollout halts (default 0).",
                ),
            ],
        )
        .with_block(stage),
    )
}

/// The top-level attributes of waiting and rollout.
pub fn attributes() -> Vec<Attribute> {
    vec![
        Attribute::optional("wait_for_ready", Type::Bool).describe(
            "Wait, after deploying to every cluster at once, until what was deployed is ready \
             (Deployments rolled out, Jobs complete, Services with endpoints, PVCs bound, CRDs \
             established, Helm releases deployed by helm's wait), up to 10 minutes. A cluster \
             not ready in time fails, naming the object and why. A `rollout` always waits.",
        ),
        Attribute::computed("rollout_plan", Type::map(Type::String)).describe(
            "With `rollout`: the stage of each bound cluster, `<number>/<stage name>`, known \
             at plan.",
        ),
        Attribute::computed(
            "cluster_status",
            Type::map(Type::object([
                ("stage", Type::String),
                ("phase", Type::String),
                ("ready", Type::String),
                ("message", Type::String),
            ])),
        )
        .describe(
            "With `rollout` or `wait_for_ready`, after apply: per bound cluster its `stage`, \
             `phase` (`Ready`; `Failed`: deploying failed, not ready by the deadline, or not \
             reachable; `Halted`: not touched because an earlier stage failed), `ready` (e.g. \
             `3/3 objects`) and a `message` saying why it is not ready (`unchanged` for a \
             cluster the apply did not need to touch).",
        ),
    ]
}

fn rollout_path() -> AttributePath {
    AttributePath::root().attr("rollout")
}

/// Decodes `wait_for_ready` and `rollout`; `None` when something is unknown or invalid
/// (invalid values are errors in `diags` on their attribute).
pub fn decode(config: &Value, diags: &mut Diagnostics) -> Option<Waiting> {
    let wait = match attrs::boolean(config, "wait_for_ready") {
        Field::Known(w) => Some(w),
        Field::Null => None,
        Field::Unknown => return None,
    };
    let rollout = match attrs::object(config, "rollout") {
        Field::Known(rollout) => rollout,
        Field::Null => {
            return Some(if wait == Some(true) {
                Waiting::AllAtOnce
            } else {
                Waiting::No
            });
        }
        Field::Unknown => return None,
    };
    if wait == Some(false) {
        diags.warning_at(
            AttributePath::root().attr("wait_for_ready"),
            "wait_for_ready = false has no effect",
            "A rollout always waits for each stage to be ready before the next one. Remove \
             wait_for_ready, or the rollout block to deploy without waiting.",
        );
    }
    let path = rollout_path();
    let progress_deadline = match attrs::string(rollout, "progress_deadline") {
        Field::Null => DEFAULT_PROGRESS_DEADLINE,
        Field::Unknown => return None,
        Field::Known(text) => match clusternet_deploy::duration::parse(&text) {
            Ok(d) if !d.is_zero() => d,
            outcome => {
                let why = outcome.map_or_else(|e| e.to_string(), |_| "it is zero".to_string());
                diags.error_at(
                    path.clone().attr("progress_deadline"),
                    "Invalid progress deadline",
                    format!(
                        "progress_deadline = {text:?}: {why}. Use a duration such as \"10m\", \
                         \"90s\" or \"1h30m\", greater than zero."
                    ),
                );
                return None;
            }
        },
    };
    let min_ready = count(rollout, "min_ready_seconds", &path, 0, diags)?;
    let max_failures = count(rollout, "max_failures", &path, 0, diags)?;
    let Field::Known(items) = attrs::elements(rollout, "stage") else {
        return None;
    };
    let mut stages = Vec::new();
    let mut names = BTreeSet::new();
    for (i, item) in items.iter().enumerate() {
        let stage_path = path.clone().attr("stage").index(i as i64);
        let name = attrs::string(item, "name").known()?;
        if name.is_empty() || name.contains('/') {
            diags.error_at(
                stage_path.clone().attr("name"),
                "Invalid stage name",
                format!("name = {name:?}: give the stage a non-empty name without \"/\"."),
            );
        } else if !names.insert(name.clone()) {
            diags.error_at(
                stage_path.clone().attr("name"),
                "Duplicate stage name",
                format!("Another stage is named {name:?}; give each stage its own name."),
            );
        }
        let clusters = match attrs::string_list(item, "clusters") {
            Field::Known(c) => Some(c),
            Field::Null => None,
            Field::Unknown => return None,
        };
        let affinity = selector::parse_at(item, "cluster_affinity", &stage_path, diags);
        let selector = match (clusters, affinity) {
            (Some(_), Some(_)) => {
                diags.error_at(
                    stage_path.clone().attr("clusters"),
                    "Stage selects clusters twice",
                    "Use either clusters (names) or cluster_affinity (labels) in a stage, not \
                     both.",
                );
                StageSelector::Rest
            }
            (Some(clusters), None) => StageSelector::Clusters(clusters),
            (None, Some(labels)) => StageSelector::Labels(labels),
            (None, None) => StageSelector::Rest,
        };
        let max_parallel = match attrs::integer(item, "max_parallel") {
            Field::Null => None,
            Field::Unknown => return None,
            Field::Known(Ok(n)) if n >= 1 => Some(usize::try_from(n).unwrap_or(usize::MAX)),
            Field::Known(n) => {
                let shown = n.map_or_else(|e| e.to_string(), |n| n.to_string());
                diags.error_at(
                    stage_path.clone().attr("max_parallel"),
                    "Invalid max_parallel",
                    format!("max_parallel = {shown}: use a whole number of 1 or more."),
                );
                None
            }
        };
        stages.push(StageSpec {
            name,
            selector,
            max_parallel,
        });
    }
    if diags.has_errors() {
        return None;
    }
    Some(Waiting::Staged(RolloutSpec {
        stages,
        progress_deadline,
        min_ready: Duration::from_secs(min_ready),
        max_failures: usize::try_from(max_failures).unwrap_or(usize::MAX),
    }))
}

/// A whole number of 0 or more at `rollout.<name>`, `default` when unset.
fn count(
    object: &Value,
    name: &str,
    path: &AttributePath,
    default: u64,
    diags: &mut Diagnostics,
) -> Option<u64> {
    match attrs::integer(object, name) {
        Field::Null => Some(default),
        Field::Unknown => None,
        Field::Known(Ok(n)) if n >= 0 => Some(n as u64),
        Field::Known(n) => {
            let shown = n.map_or_else(|e| e.to_string(), |n| n.to_string());
            diags.error_at(
                path.clone().attr(name),
                format!("Invalid {name}"),
                format!("{name} = {shown}: use a whole number of 0 or more."),
            );
            None
        }
    }
}
