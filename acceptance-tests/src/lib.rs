//! Acceptance harness: drives the real terraform binaries over scenario directories, against
//! the project's test bed of real kube-apiservers and real helm.
//!
//! - [`terraform`]: builds the provider, writes a `dev_overrides` CLI configuration and runs
//!   terraform 1.11 (from PATH) and 1.0.3 (from the project's cache) in temporary workspaces.
//! - [`package`]: `scripts/package` on the provider under test, a filesystem mirror to install
//!   it from with `terraform init`.
//! - [`testbed`]: the hub and child kube-apiservers on one etcd, shared by all tests of a run.

pub mod package;
pub mod preview;
pub mod terraform;
pub mod testbed;
