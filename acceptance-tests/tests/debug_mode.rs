//! `--debug`: the provider serves on its own and Terraform attaches to it through
//! `TF_REATTACH_PROVIDERS`; one provider process serves several terraform commands.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use acceptance_tests::terraform::{PROVIDER_SOURCE, Terraform, Workspace, provider_binary};
use serde_json::json;

#[test]
fn terraform_attaches_to_a_provider_started_with_debug() {
    let mut child = Command::new(provider_binary())
        .arg("--debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the provider in debug mode");
    let stdout = child.stdout.take().expect("stdout");
    let mut reattach = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        if let Some(rest) = line.trim().strip_prefix("export TF_REATTACH_PROVIDERS='") {
            reattach = Some(rest.trim_end_matches('\'').to_string());
            break;
        }
    }
    let reattach = reattach.expect("the provider printed a TF_REATTACH_PROVIDERS line");
    let parsed: serde_json::Value = serde_json::from_str(&reattach).expect("valid JSON");
    let entry = &parsed[PROVIDER_SOURCE];
    assert_eq!(entry["Test"], json!(true), "protocol 6 needs Test: true");
    assert_eq!(entry["ProtocolVersion"], json!(6));
    assert_eq!(entry["Addr"]["Network"], json!("unix"));
    let socket = entry["Addr"]["String"]
        .as_str()
        .expect("socket path")
        .to_string();
    assert!(std::path::Path::new(&socket).exists());

    let tf = Terraform::v1_11();
    let mut ws = Workspace::new("clusters_inventory", &tf);
    ws.set_env("TF_REATTACH_PROVIDERS", &reattach);
    ws.plan().expect_success();
    ws.apply().expect_success();
    assert_eq!(ws.outputs()["prod"], json!(["eu-1", "us-1"]));
    assert!(
        child.try_wait().expect("status").is_none(),
        "the debug provider keeps serving across terraform commands"
    );

    // Ctrl-C stops a debug server, and it removes its socket.
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    let status = child.wait().expect("wait");
    assert!(
        status.success(),
        "debug server exits cleanly on SIGINT: {status:?}"
    );
    assert!(!std::path::Path::new(&socket).exists(), "socket removed");
}

#[test]
fn run_by_hand_the_binary_prints_help_and_version_and_never_waits() {
    let help = Command::new(provider_binary())
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("This binary is a Terraform plugin"), "{text}");
    assert!(text.contains("render"), "{text}");

    let version = Command::new(provider_binary())
        .arg("version")
        .output()
        .expect("run");
    assert!(version.status.success());
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!(
            "terraform-provider-clusternet {}",
            env!("CARGO_PKG_VERSION")
        )
    );

    let unknown = Command::new(provider_binary())
        .arg("frobnicate")
        .output()
        .expect("run");
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn a_wrong_magic_cookie_is_not_served() {
    let out = Command::new(provider_binary())
        .env("TF_PLUGIN_MAGIC_COOKIE", "wrong")
        .stdin(Stdio::null())
        .output()
        .expect("run");
    // Treated as a person running it: help, no handshake line on stdout.
    assert!(!String::from_utf8_lossy(&out.stdout).starts_with("1|6|"));
}
