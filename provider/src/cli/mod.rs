//! The binary as a command-line tool, when a person runs it (no Terraform magic cookie).

pub mod docs;
pub mod render;

use std::process::ExitCode;

use crate::provider::{ClusternetProvider, PROVIDER_ADDRESS};

/// The help text.
pub const HELP: &str = "\
terraform-provider-clusternet - Terraform provider for multi-cluster application distribution
with Clusternet's model.

This binary is a Terraform plugin: Terraform starts it. Run by hand it is a small CLI:

USAGE:
    terraform-provider-clusternet <COMMAND> [ARGS]

COMMANDS:
    render [--output yaml|json] [--decode] [FILE|-]...
                 Render Clusternet objects offline: Subscriptions with status, Bases and
                 Descriptions, exactly as Clusternet's hub would produce them.
    docs [--out DIR] [--check]
                 Generate the registry docs (docs/) from the schema and examples/; run from
                 the repository root. --check writes nothing and exits 1 if docs/ is stale.
    version      Print the version.
    help         Print this help.
    --debug      Serve the provider in debug mode and print a TF_REATTACH_PROVIDERS value
                 for Terraform to attach to (stops on Ctrl-C).

Use it from Terraform with:
    terraform {
      required_providers {
        clusternet = { source = \"clusternet/clusternet\" }
      }
    }
";

/// Runs the command line in `args` (without the program name).
pub fn run(args: &[String]) -> ExitCode {
    match args.first().map(String::as_str) {
        None | Some("help" | "--help" | "-h") => {
            print!("{HELP}");
            ExitCode::SUCCESS
        }
        Some("version" | "--version" | "-V") => {
            println!(
                "terraform-provider-clusternet {}",
                env!("CARGO_PKG_VERSION")
            );
            ExitCode::SUCCESS
        }
        Some("render") => render::run(&args[1..]),
        Some("docs") => docs::run(&args[1..]),
        Some("--debug" | "debug") => debug(),
        Some(other) => {
            eprintln!("unknown command {other:?}\n\n{HELP}");
            ExitCode::from(2)
        }
    }
}

fn debug() -> ExitCode {
    clusternet_tfplugin::logging::init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let options = clusternet_tfplugin::server::ServeOptions {
        provider_address: PROVIDER_ADDRESS.to_string(),
    };
    let result = runtime.block_on(clusternet_tfplugin::server::serve_debug(
        ClusternetProvider::new(),
        &options,
        |_| {},
    ));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
