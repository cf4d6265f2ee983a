//! Helpers shared by the test targets of clusternet-deploy. Each target includes this module
//! with `mod common;` and uses the part it needs.

// Every test target is a crate of its own: what one of them does not use would warn there.
#![allow(dead_code)]

pub mod charts;
pub mod connection;
pub mod helm;

/// Outside CI a tool that `install-tools` could not install skips its test; in CI (`CI` set,
/// as `.ci/run` does) the missing tool fails the test, so no CI run passes without checking.
pub fn skip(tool: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{tool} is not installed; acceptance-tests/testbed/install-tools installs it"
    );
    eprintln!("{tool} is not installed; skipped");
}
