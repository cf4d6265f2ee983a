//! Clusternet's application model and render engine.
//!
//! Pure: no I/O, no async, no network.

pub mod json;
pub mod provenance;
pub mod scheduling;
pub mod selectors;
pub mod taints;
pub mod types;
pub mod yaml;
pub mod overrides;
pub mod naming;
pub mod spec_hash;
pub mod error;
pub mod feeds;
pub mod inventory;
pub mod description;
pub mod render;
pub mod stream;
