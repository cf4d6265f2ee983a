//! `render`: offline rendering of Clusternet objects, the way Clusternet's hub would.
//!
//! `terraform-provider-clusternet render [--output yaml|json] [--decode] [FILE|-]...`
//!
//! Reads YAML streams (files, or stdin for `-` or when no file is given), renders them
//! with `clusternet_model`, prints the result on stdout and warnings on stderr. Exit
//! status: 0 on success (also with warnings), 1 when the input is invalid or cannot be
//! read, 2 on a usage error, 3 when overrides failed on some Descriptions: those are
//! reported on stderr and left out, every other Description is printed (Clusternet, too,
//! stops only the failing Description). All parsing and formatting lives in the model crate; this
//! file only reads files and prints.

use std::io::{Read, Write};
use std::process::ExitCode;

use clusternet_model::stream::{OutputFormat, Source, StreamOptions, render_sources};

const USAGE: &str = "\
usage: terraform-provider-clusternet render [--output yaml|json] [--decode] [FILE|-]...

Renders ManagedClusters, Subscriptions, HelmCharts, Localizations, Globalizations,
FeedInventories, Manifests and any other Kubernetes object (a feed, as if submitted through
Clusternet's shadow API) into: the Subscriptions with status, the Bases, the generated
dividing Localizations and the Descriptions. For dynamic dividing, a ManagedCluster's
availability is its annotation render.clusternet.io/available-replicas, or is predicted from
the v1 Nodes and Pods annotated render.clusternet.io/cluster: <namespace>/<name> of it; each
feed divided dynamically prints the availability it was divided by on stderr.

options:
  -o, --output yaml|json   output format (default yaml; json prints one v1 List)
      --decode             show spec.raw / spec.chartRaw as JSON instead of base64
  -h, --help               print this help

exit status: 0 rendered (warnings on stderr), 1 invalid or unreadable input, 2 usage
error, 3 some Descriptions not rendered because overrides failed on them (reported on
stderr; the others are printed).
";

/// Exit status when some Descriptions failed and the others were printed.
const SOME_DESCRIPTIONS_FAILED: u8 = 3;

struct Args {
    options: StreamOptions,
    inputs: Vec<String>,
}

/// What is wrong with the command line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum UsageError {
    /// `--output` without a value.
    #[error("--output needs a value (yaml or json)")]
    NoOutputFormat,
    /// `--output` with another value.
    #[error("--output must be yaml or json, not {0:?}")]
    OutputFormat(String),
    /// An option `render` does not have.
    #[error("unknown option {0:?}")]
    UnknownOption(String),
}

/// An input that could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum InputError {
    /// Standard input.
    #[error("cannot read standard input: {0}")]
    Stdin(std::io::Error),
    /// A file.
    #[error("cannot read {name}: {source}")]
    File {
        /// The file as given.
        name: String,
        /// Why.
        source: std::io::Error,
    },
}

fn parse_output(value: &str) -> Result<OutputFormat, UsageError> {
    match value {
        "yaml" => Ok(OutputFormat::Yaml),
        "json" => Ok(OutputFormat::Json),
        other => Err(UsageError::OutputFormat(other.to_string())),
    }
}

/// `Ok(None)` means help was requested.
fn parse_args(args: &[String]) -> Result<Option<Args>, UsageError> {
    let mut options = StreamOptions::default();
    let mut inputs = Vec::new();
    let mut only_files = false;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if only_files {
            inputs.push(arg.clone());
            continue;
        }
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--decode" => options.decode = true,
            "-o" | "--output" => {
                let value = iter.next().ok_or(UsageError::NoOutputFormat)?;
                options.output = parse_output(value)?;
            }
            "--" => only_files = true,
            "-" => inputs.push(arg.clone()),
            other => {
                if let Some(value) = other.strip_prefix("--output=") {
                    options.output = parse_output(value)?;
                } else if other.starts_with('-') {
                    return Err(UsageError::UnknownOption(other.to_string()));
                } else {
                    inputs.push(other.to_string());
                }
            }
        }
    }
    if inputs.is_empty() {
        inputs.push(String::from("-"));
    }
    Ok(Some(Args { options, inputs }))
}

fn read_input(name: &str, stdin_used: &mut bool) -> Result<String, InputError> {
    if name == "-" {
        if *stdin_used {
            return Ok(String::new());
        }
        *stdin_used = true;
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(InputError::Stdin)?;
        return Ok(text);
    }
    std::fs::read_to_string(name).map_err(|source| InputError::File {
        name: name.to_string(),
        source,
    })
}

/// Runs `render` with `args` (the arguments after `render`).
pub fn run(args: &[String]) -> ExitCode {
    let args = match parse_args(args) {
        Ok(Some(args)) => args,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("render: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut stdin_used = false;
    let mut texts = Vec::with_capacity(args.inputs.len());
    for name in &args.inputs {
        match read_input(name, &mut stdin_used) {
            Ok(text) => texts.push(text),
            Err(message) => {
                eprintln!("render: {message}");
                return ExitCode::FAILURE;
            }
        }
    }
    let sources: Vec<Source<'_>> = args
        .inputs
        .iter()
        .zip(&texts)
        .map(|(name, text)| Source {
            name: if name == "-" { "<stdin>" } else { name },
            text,
        })
        .collect();
    match render_sources(&sources, args.options) {
        Ok(result) => {
            let stderr = std::io::stderr();
            let mut stderr = stderr.lock();
            for line in result.warnings.iter().chain(&result.availability) {
                let _ = writeln!(stderr, "{line}");
            }
            let stdout = std::io::stdout();
            let mut stdout = stdout.lock();
            if stdout
                .write_all(result.stdout.as_bytes())
                .and_then(|()| stdout.flush())
                .is_err()
            {
                return ExitCode::FAILURE;
            }
            if result.failures.is_empty() {
                return ExitCode::SUCCESS;
            }
            for failure in &result.failures {
                let _ = writeln!(stderr, "render: {failure}");
            }
            let _ = writeln!(
                stderr,
                "render: {} Description(s) not rendered; the output holds the others",
                result.failures.len()
            );
            ExitCode::from(SOME_DESCRIPTIONS_FAILED)
        }
        Err(e) => {
            eprintln!("render: error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_options_and_files() {
        let args = parse_args(&strings(&["--output", "json", "--decode", "a.yaml", "-"]))
            .unwrap()
            .unwrap();
        assert_eq!(args.options.output, OutputFormat::Json);
        assert!(args.options.decode);
        assert_eq!(args.inputs, ["a.yaml", "-"]);
    }

    #[test]
    fn defaults_to_stdin_and_yaml() {
        let args = parse_args(&[]).unwrap().unwrap();
        assert_eq!(args.options.output, OutputFormat::Yaml);
        assert_eq!(args.inputs, ["-"]);
    }

    #[test]
    fn rejects_unknown_options_and_formats() {
        assert!(parse_args(&strings(&["--outptu", "json"])).is_err());
        assert!(parse_args(&strings(&["--output=xml"])).is_err());
        assert!(parse_args(&strings(&["--output"])).is_err());
    }
}
