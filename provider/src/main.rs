//! terraform-provider-clusternet: a Terraform provider for multi-cluster application
//! distribution with Clusternet's model.
//!
//! Started by Terraform (magic cookie in the environment) it serves the plugin protocol;
//! started by a person it is a small CLI ([`cli`]).

mod apply_options;
mod attrs;
mod capacity;
mod charts;
mod cli;
mod config;
mod context;
mod data_sources;
mod diagnostics;
mod functions;
mod hub;
mod hub_inputs;
mod import;
mod override_handles;
mod pending_overrides;
mod provider;
mod registry;
mod rendering_check;
mod resources;
mod selector;
mod snapshot;
mod targets;
mod values;

use std::process::ExitCode;

fn main() -> ExitCode {
    if !clusternet_tfplugin::handshake::started_by_terraform() {
        let args: Vec<String> = std::env::args().skip(1).collect();
        return cli::run(&args);
    }
    clusternet_tfplugin::logging::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("[ERROR] cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let served = runtime.block_on(clusternet_tfplugin::server::serve(
        provider::ClusternetProvider::new(),
    ));
    charts::helm_binary::release();
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("[ERROR] {e}");
            ExitCode::FAILURE
        }
    }
}
