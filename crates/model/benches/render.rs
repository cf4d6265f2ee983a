//! Placeholder until the render bench lands.
fn main() {}
