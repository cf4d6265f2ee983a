//! Fuzz the override engine: random documents, chart buffers and override lists.
//!
//! Input: a YAML/JSON document `{generic: <value>, chart: <value>, overrides: [...]}`
//! where a string value is taken as raw buffer bytes (blank or not) and anything else
//! as JSON. Invariants: no panic; on success every non-blank buffer is JSON that
//! re-serialises to the same bytes; applying the same list twice from the same start
//! gives the same result (determinism).

#![no_main]

use clusternet_model::overrides::{Buffer, PreparedOverride, apply_overrides};
use clusternet_model::provenance::OverrideSource;
use clusternet_model::types::OverrideConfig;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn buffer(value: Option<&Value>) -> Buffer {
    match value {
        None => Buffer::space(),
        Some(Value::String(text)) if text.trim().is_empty() => Buffer::Blank(text.clone()),
        Some(Value::String(text)) => match clusternet_model::json::parse(text) {
            Ok(v) => Buffer::Json(v),
            Err(_) => Buffer::Blank(String::from(" ")),
        },
        Some(other) => Buffer::Json(other.clone()),
    }
}

fn run(generic: &Buffer, chart: &Buffer, prepared: &[PreparedOverride]) -> Option<(String, String)> {
    let refs: Vec<&PreparedOverride> = prepared.iter().collect();
    let (mut g, mut c) = (generic.clone(), chart.clone());
    apply_overrides(&mut g, &mut c, &refs).ok()?;
    for b in [&g, &c] {
        if let Buffer::Json(v) = b {
            let text = clusternet_model::json::to_compact(v);
            let again = clusternet_model::json::parse(&text).expect("output is JSON");
            assert_eq!(clusternet_model::json::to_compact(&again), text, "output re-serialises identically");
        }
    }
    Some((g.to_text(), c.to_text()))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(input) = clusternet_model::yaml::yaml_to_json(text) else { return };
    let Some(list) = input.get("overrides").and_then(Value::as_array) else { return };
    let configs: Vec<OverrideConfig> = list
        .iter()
        .filter_map(|o| serde_json::from_value(o.clone()).ok())
        .collect();
    let prepared: Vec<PreparedOverride> = configs
        .iter()
        .enumerate()
        .map(|(index, config)| {
            let source = OverrideSource {
                kind: String::from("Localization"),
                namespace: String::from("fuzz"),
                name: String::from("fuzz"),
                priority: 500,
                index,
                override_name: config.name.clone(),
                generated: false,
            };
            PreparedOverride::new(source, config)
        })
        .collect();
    let generic = buffer(input.get("generic"));
    let chart = buffer(input.get("chart"));
    let first = run(&generic, &chart, &prepared);
    let second = run(&generic, &chart, &prepared);
    assert_eq!(first, second, "deterministic");
});
