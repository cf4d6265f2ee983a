//! Data sources.

pub mod clusters;
