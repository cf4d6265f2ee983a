//! The provider exits when Terraform dies without stopping it (issue 12, point 8c): terraform
//! 1.11 and 1.0.3 are SIGKILLed in the middle of a plan, while the provider waits for helm;
//! the provider is gone seconds later.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use acceptance_tests::terraform::{Terraform, Workspace};

/// Fields of `/proc/<pid>/stat` after the command name: state, parent pid.
fn stat(pid: u32) -> Option<(char, u32)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut fields = text.rsplit_once(") ")?.1.split(' ');
    let state = fields.next()?.chars().next()?;
    Some((state, fields.next()?.parse().ok()?))
}

/// Whether `pid` has exited (gone, or a zombie nobody reaped yet).
fn exited(pid: u32) -> bool {
    stat(pid).is_none_or(|(state, _)| state == 'Z' || state == 'X')
}

fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn plan_in_background(ws: &Workspace, tf: &Terraform) -> Child {
    let dir = ws.path();
    Command::new(&tf.path)
        .args(["plan", "-no-color", "-input=false"])
        .current_dir(dir)
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_CLI_CONFIG_FILE", dir.join(".terraformrc"))
        .env("TF_DATA_DIR", dir.join(".terraform"))
        .env("XDG_CACHE_HOME", dir.join(".cache"))
        .env_remove("TF_LOG")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(dir.join("plan.out")).unwrap())
        .stderr(std::fs::File::create(dir.join("plan.err")).unwrap())
        .spawn()
        .expect("terraform starts")
}

fn config(helm: &Path) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    clusternet = {{ source = "clusternet/clusternet" }}
  }}
}}

provider "clusternet" {{
  helm_binary = "{}"
  clusters = {{
    "eu-1" = {{ labels = {{ env = "prod" }}, directory = "${{path.module}}/rendered/eu-1" }}
  }}
}}

resource "clusternet_helm_chart" "app" {{
  name             = "app"
  repo             = "https://charts.example.com"
  chart            = "app"
  version          = "0.1.0"
  target_namespace = "app"
}}

resource "clusternet_subscription" "app" {{
  name = "app"
  subscriber {{
    cluster_affinity {{
      match_labels = {{ env = "prod" }}
    }}
  }}
  feeds = [clusternet_helm_chart.app.feed]
}}
"#,
        helm.display()
    )
}

#[test]
fn the_provider_exits_when_terraform_is_killed() {
    for tf in Terraform::all() {
        let ws = Workspace::from_files(&[], &tf);
        // A helm that records its pid and hangs: the provider waits for it inside a plan.
        let helm = ws.path().join("hanging-helm");
        let pid_file = ws.path().join("helm.pid");
        std::fs::write(
            &helm,
            format!(
                "#!/bin/sh\necho $$ >> {}\nexec sleep 300\n",
                pid_file.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&helm, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        ws.write("main.tf", &config(&helm));

        let mut terraform = plan_in_background(&ws, &tf);
        let helm_pid = || -> Option<u32> {
            std::fs::read_to_string(&pid_file)
                .ok()?
                .lines()
                .next()?
                .trim()
                .parse()
                .ok()
        };
        wait_until("the provider to run helm", Duration::from_secs(120), || {
            helm_pid().is_some()
        });
        let helm_pid = helm_pid().unwrap();
        let (_, provider_pid) = stat(helm_pid).expect("helm runs");
        // terraform 1.0.3 runs through a wrapper: the provider's parent is the real terraform.
        let (_, terraform_pid) = stat(provider_pid).expect("the provider runs");
        let mut ancestor = terraform_pid;
        while ancestor != terraform.id() {
            ancestor = stat(ancestor)
                .map(|(_, parent)| parent)
                .filter(|&parent| parent > 1)
                .unwrap_or_else(|| {
                    panic!("terraform {}: the provider is not terraform's", tf.version)
                });
        }

        let killed = Command::new("kill")
            .args(["-KILL", &terraform_pid.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let _ = terraform.kill();
        terraform.wait().unwrap();
        let killed_at = Instant::now();
        wait_until("the provider to exit", Duration::from_secs(15), || {
            exited(provider_pid)
        });
        // Half a second of polling and two of grace for calls in flight.
        assert!(
            killed_at.elapsed() < Duration::from_secs(5),
            "terraform {}: the provider took {:?} to exit",
            tf.version,
            killed_at.elapsed()
        );

        // The hanging helm is ours to stop.
        let _ = Command::new("kill")
            .arg(helm_pid.to_string())
            .stderr(Stdio::null())
            .status();
    }
}
