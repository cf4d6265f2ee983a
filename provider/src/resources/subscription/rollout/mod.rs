//! Waiting for readiness and progressive rollout (`wait_for_ready`, `rollout`): [`config`]
//! decodes them, [`plan`] computes `rollout_plan` and the planned `cluster_status`, and
//! [`apply`] deploys stage by stage, waits for each stage to be ready and halts the rollout
//! when a stage fails.

pub mod apply;
pub mod config;
pub mod plan;
