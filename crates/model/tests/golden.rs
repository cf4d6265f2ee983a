//! Golden fixtures: `fixtures/<case>/input.yaml` rendered exactly as the `render`
//! command renders it (`--decode`, YAML output) must equal `expected.yaml`. Warnings
//! go to `expected-warnings.txt`, Descriptions not rendered because overrides failed to
//! `expected-failures.txt`; a case whose rendering fails has an `expected.yaml` holding a
//! single `error:` document instead.
//!
//! `UPDATE_GOLDEN=1 cargo test -p clusternet-model --test golden` rewrites the
//! expected files; review the diff before committing it.

use std::fs;
use std::path::{Path, PathBuf};

use clusternet_model::stream::{OutputFormat, Source, StreamOptions, render_sources};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn run_case(dir: &Path) -> Result<(), String> {
    let input = fs::read_to_string(dir.join("input.yaml")).map_err(|e| e.to_string())?;
    let options = StreamOptions {
        output: OutputFormat::Yaml,
        decode: true,
    };
    let (stdout, warnings, failures) = match render_sources(
        &[Source {
            name: "input.yaml",
            text: &input,
        }],
        options,
    ) {
        Ok(result) => (
            result.stdout,
            result.warnings.join("\n"),
            result.failures.join("\n"),
        ),
        Err(e) => (
            clusternet_model::yaml::to_stream(&[serde_json::json!({ "error": e.to_string() })]),
            String::new(),
            String::new(),
        ),
    };
    let failures_path = dir.join("expected-failures.txt");
    let expected_path = dir.join("expected.yaml");
    let warnings_path = dir.join("expected-warnings.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::write(&expected_path, &stdout).map_err(|e| e.to_string())?;
        if warnings.is_empty() {
            let _ = fs::remove_file(&warnings_path);
        } else {
            fs::write(&warnings_path, format!("{warnings}\n")).map_err(|e| e.to_string())?;
        }
        if failures.is_empty() {
            let _ = fs::remove_file(&failures_path);
        } else {
            fs::write(&failures_path, format!("{failures}\n")).map_err(|e| e.to_string())?;
        }
        return Ok(());
    }
    let expected = fs::read_to_string(&expected_path)
        .map_err(|e| format!("{}: {e}", expected_path.display()))?;
    if stdout != expected {
        return Err(format!(
            "{}: output differs from expected.yaml\n--- got ---\n{stdout}",
            dir.display()
        ));
    }
    let expected_warnings = fs::read_to_string(&warnings_path).unwrap_or_default();
    if warnings.trim_end() != expected_warnings.trim_end() {
        return Err(format!(
            "{}: warnings differ\n--- got ---\n{warnings}\n--- expected ---\n{expected_warnings}",
            dir.display()
        ));
    }
    let expected_failures = fs::read_to_string(&failures_path).unwrap_or_default();
    if failures.trim_end() != expected_failures.trim_end() {
        return Err(format!(
            "{}: failed Descriptions differ\n--- got ---\n{failures}\n--- expected ---\n{expected_failures}",
            dir.display()
        ));
    }
    Ok(())
}

#[test]
fn golden_fixtures() {
    let mut cases: Vec<PathBuf> = fs::read_dir(fixtures())
        .expect("fixtures directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("input.yaml").exists())
        .collect();
    cases.sort();
    let failures: Vec<String> = cases.iter().filter_map(|c| run_case(c).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        cases.len() >= 8,
        "expected at least 8 fixtures, found {}",
        cases.len()
    );
}
