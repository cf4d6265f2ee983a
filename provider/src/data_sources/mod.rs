//! Data sources.

pub mod clusters;
pub mod render;
