//! Clusternet's application model and render engine.
//!
//! Pure: no I/O, no async, no network.
