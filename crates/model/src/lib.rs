//! Clusternet's application model and render engine.
//!
//! Pure: no I/O, no async, no network.

pub mod description;
pub mod error;
pub mod feeds;
pub mod inventory;
pub mod json;
pub mod naming;
pub mod overrides;
pub mod preview;
pub mod provenance;
pub mod render;
pub mod scheduling;
pub mod selectors;
pub mod spec_hash;
pub mod stream;
pub mod taints;
pub mod types;
pub mod yaml;
