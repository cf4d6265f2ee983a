//! The `timeouts` block (Terraform's convention: `create`, `update`, `delete` as durations
//! such as `10m`): how long apply may take per cluster - deploying, Helm, and the readiness
//! wait.

use std::time::{Duration, Instant};

use clusternet_tfplugin::{
    Attribute, AttributePath, Block, BlockNesting, Diagnostics, NestedBlock, Type, Value,
};

use crate::attrs::{self, Field};

/// The block's name.
pub const BLOCK: &str = "timeouts";

/// The operations a timeout can be set for.
pub const OPERATIONS: [&str; 3] = ["create", "update", "delete"];

/// The configured timeouts; `None`: no limit of the provider's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeouts {
    /// Creating the subscription.
    pub create: Option<Duration>,
    /// Updating it.
    pub update: Option<Duration>,
    /// Destroying it.
    pub delete: Option<Duration>,
}

/// The block.
pub fn block() -> NestedBlock {
    let describe = |operation: &str| {
        let (doing, after) = match operation {
            "create" => (
                "creating the subscription may take per cluster (deploying its objects, Helm, \
                 and the readiness wait of `wait_for_ready` or `rollout`)",
                "what it got stays, and, as after any failed create, the next apply creates \
                 the subscription again and adopts it",
            ),
            "update" => (
                "an update may take per cluster (deploying its objects, Helm, and the \
                 readiness wait of `wait_for_ready` or `rollout`)",
                "what it got stays, it keeps its previous state entries, and the next apply \
                 resumes",
            ),
            _ => (
                "destroying the subscription may take per cluster (uninstalling its Helm \
                 releases and deleting its objects)",
                "the subscription stays in state for that cluster, and the next destroy or \
                 apply retries",
            ),
        };
        format!(
            "How long {doing}, in whole hours, minutes and seconds such as `10m`, `90s` or \
             `1h30m`. A cluster not done in \
             time fails with an error naming it; {after}. Default: no limit beyond the \
             readiness wait's own."
        )
    };
    NestedBlock::new(
        BLOCK,
        BlockNesting::Single,
        Block::new(
            "Timeouts of apply, per cluster.",
            OPERATIONS
                .iter()
                .map(|op| Attribute::optional(op, Type::String).describe(&describe(op)))
                .collect(),
        ),
    )
}

/// Decodes the block; `None` when something is unknown or invalid (errors on the attribute).
pub fn decode(config: &Value, diags: &mut Diagnostics) -> Option<Timeouts> {
    let block = match attrs::object(config, BLOCK) {
        Field::Known(block) => block,
        Field::Null => return Some(Timeouts::default()),
        Field::Unknown => return None,
    };
    let mut parsed = [None; 3];
    for (i, op) in OPERATIONS.iter().enumerate() {
        parsed[i] = match attrs::string(block, op) {
            Field::Null => None,
            Field::Unknown => return None,
            Field::Known(text) => match clusternet_deploy::duration::parse(&text) {
                Ok(d) if !d.is_zero() => Some(d),
                outcome => {
                    let why = outcome.map_or_else(|e| e.to_string(), |_| "it is zero".to_string());
                    diags.error_at(
                        AttributePath::root().attr(BLOCK).attr(*op),
                        "Invalid timeout",
                        format!(
                            "{op} = {text:?}: {why}. Use a duration such as \"10m\", \"90s\" \
                             or \"1h30m\", greater than zero."
                        ),
                    );
                    return None;
                }
            },
        };
    }
    let [create, update, delete] = parsed;
    Some(Timeouts {
        create,
        update,
        delete,
    })
}

/// How long past the deadline a cluster's work may take to end on its own: helm and the
/// readiness wait stop at the deadline themselves and say why (helm records the release as
/// failed first); the hard stop after this catches whatever else hangs.
pub const GRACE: Duration = Duration::from_secs(5);

/// The time limit of one apply, running from when it started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// When it passes.
    pub at: Instant,
    /// The operation (`create`, `update`, `delete`).
    pub operation: &'static str,
    /// The limit.
    pub limit: Duration,
}

impl Deadline {
    /// The deadline of `operation` in `timeouts`, from now; `None` without a limit.
    pub fn of(timeouts: &Timeouts, operation: &'static str) -> Option<Deadline> {
        let limit = match operation {
            "create" => timeouts.create,
            "update" => timeouts.update,
            _ => timeouts.delete,
        }?;
        Some(Deadline {
            at: Instant::now() + limit,
            operation,
            limit,
        })
    }

    /// The time left.
    pub fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    /// Whether it passed.
    pub fn passed(&self) -> bool {
        self.remaining().is_zero()
    }

    /// `timeouts.update = "5s"`, as the configuration says it.
    pub fn describe(&self) -> String {
        format!("timeouts.{} = {:?}", self.operation, humantime(self.limit))
    }
}

/// A duration as the configuration writes it (`90s` as `1m30s`).
fn humantime(d: Duration) -> String {
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_shown_as_configured() {
        assert_eq!(humantime(Duration::from_secs(5)), "5s");
        assert_eq!(humantime(Duration::from_secs(90)), "1m30s");
        assert_eq!(humantime(Duration::from_secs(3600)), "1h");
    }

    #[test]
    fn the_operation_picks_its_timeout() {
        let timeouts = Timeouts {
            create: Some(Duration::from_secs(60)),
            update: None,
            delete: Some(Duration::from_secs(5)),
        };
        assert_eq!(
            Deadline::of(&timeouts, "create").unwrap().limit.as_secs(),
            60
        );
        assert!(Deadline::of(&timeouts, "update").is_none());
        assert_eq!(
            Deadline::of(&timeouts, "delete").unwrap().describe(),
            "timeouts.delete = \"5s\""
        );
    }
}
