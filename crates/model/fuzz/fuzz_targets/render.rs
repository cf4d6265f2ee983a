//! Fuzz the whole `render` pipeline with arbitrary YAML streams: no panics, and the same
//! input always renders the same output.

#![no_main]

use clusternet_model::stream::{OutputFormat, Source, StreamOptions, render_sources};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let options = StreamOptions { output: OutputFormat::Yaml, decode: true };
    let first = render_sources(&[Source { name: "fuzz", text }], options).map(|r| r.stdout);
    let second = render_sources(&[Source { name: "fuzz", text }], options).map(|r| r.stdout);
    assert_eq!(first.ok(), second.ok());
});
