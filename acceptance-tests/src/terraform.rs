//! Running the real terraform binaries against the freshly built provider.
//!
//! Each [`Workspace`] is a temporary directory holding a scenario's `.tf` files, a CLI
//! configuration with `dev_overrides` pointing at the provider binary, and Terraform's data
//! directory; no `terraform init` is needed (and 1.11's init would query the registry).
//! [`Workspace::install_from_mirror`] replaces dev_overrides by a filesystem mirror that
//! `scripts/package` wrote, for tests of the installation a user makes.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value as Json;

/// The provider's source address, as scenarios write it in `required_providers`.
pub const PROVIDER_SOURCE: &str = "registry.terraform.io/clusternet/clusternet";

/// A terraform binary of a known version.
#[derive(Debug, Clone)]
pub struct Terraform {
    /// Version label, e.g. `1.11.4`.
    pub version: &'static str,
    /// Path of the binary.
    pub path: PathBuf,
}

/// `text` with every run of white space made one space, so that plan output can be searched
/// whatever Terraform's alignment and line wrapping.
pub fn squashed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The elements shown for the list attribute `attribute` in a [`squashed`] plan, between its
/// `[` and `]` (e.g. `+ "c7", - "c2",`), or "" when the plan does not show it.
pub fn planned_list(squashed_plan: &str, attribute: &str) -> String {
    squashed_plan
        .split_once(&format!("{attribute} = ["))
        .and_then(|(_, rest)| rest.split_once(']'))
        .map(|(list, _)| list.to_string())
        .unwrap_or_default()
}

/// Root of the workspace (the repository).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("acceptance-tests lives in the workspace root")
        .to_path_buf()
}

/// The cache the project's install scripts fill (`CLUSTERNET_CACHE`, default
/// `~/.cache/terraform-provider-clusternet`).
pub fn cache_dir() -> PathBuf {
    std::env::var_os("CLUSTERNET_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/root".into()))
                .join(".cache/terraform-provider-clusternet")
        })
}

impl Terraform {
    /// Terraform 1.11 from PATH (the machine's own).
    pub fn v1_11() -> Terraform {
        Terraform {
            version: "1.11",
            path: PathBuf::from(
                std::env::var_os("TERRAFORM").unwrap_or_else(|| "terraform".into()),
            ),
        }
    }

    /// Terraform 1.0.3, installed by `acceptance-tests/testbed/install-tools` into the cache.
    ///
    /// Panics with the command to run when it is missing: acceptance tests never skip.
    pub fn v1_0() -> Terraform {
        let path = cache_dir().join("bin/terraform-1.0.3");
        assert!(
            path.exists(),
            "terraform 1.0.3 is not installed at {}; run acceptance-tests/testbed/install-tools",
            path.display()
        );
        Terraform {
            version: "1.0",
            path,
        }
    }

    /// Both supported client versions, newest first.
    pub fn all() -> Vec<Terraform> {
        vec![Terraform::v1_11(), Terraform::v1_0()]
    }
}

/// Names a provider binary to test instead of building this checkout's (e.g. an earlier
/// version's, to compare outputs; see `tests/golden_plans.rs`).
pub const PROVIDER_BINARY_ENV: &str = "CLUSTERNET_PROVIDER_BINARY";

/// The provider binary, built once per test process (or the one [`PROVIDER_BINARY_ENV`]
/// names).
pub fn provider_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        if let Some(binary) = std::env::var_os(PROVIDER_BINARY_ENV) {
            return PathBuf::from(binary);
        }
        let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args(["build", "--quiet", "-p", "terraform-provider-clusternet"])
            .current_dir(repo_root())
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the provider failed");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo_root().join("target"));
        let binary = target.join("debug/terraform-provider-clusternet");
        assert!(
            binary.exists(),
            "no provider binary at {}",
            binary.display()
        );
        binary
    })
}

/// Result of one terraform command.
#[derive(Debug)]
pub struct Outcome {
    /// The command line, for messages.
    pub command: String,
    /// Whether it exited 0.
    pub success: bool,
    /// Its exit code (None when killed by a signal).
    pub exit_code: Option<i32>,
    /// Its stdout.
    pub stdout: String,
    /// Its stderr.
    pub stderr: String,
}

impl Outcome {
    /// Panics with the whole output unless the command succeeded.
    pub fn expect_success(self) -> Outcome {
        assert!(
            self.success,
            "`{}` failed\n--- stdout\n{}\n--- stderr\n{}",
            self.command, self.stdout, self.stderr
        );
        self
    }

    /// Panics with the whole output unless the command failed.
    pub fn expect_failure(self) -> Outcome {
        assert!(
            !self.success,
            "`{}` succeeded but should have failed\n--- stdout\n{}",
            self.command, self.stdout
        );
        self
    }

    /// stdout and stderr together.
    pub fn all_output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// A temporary Terraform working directory for one scenario and one terraform version.
pub struct Workspace {
    dir: tempfile::TempDir,
    terraform: Terraform,
    env: Vec<(String, String)>,
}

impl Workspace {
    /// Copies `acceptance-tests/scenarios/<scenario>/` into a fresh directory.
    pub fn new(scenario: &str, terraform: &Terraform) -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix(&format!("tf-{scenario}-"))
            .tempdir()
            .expect("temp dir");
        let source = repo_root()
            .join("acceptance-tests/scenarios")
            .join(scenario);
        copy_tf_files(&source, dir.path());
        Self::prepare(dir, terraform)
    }

    /// A workspace from inline files (name, content).
    pub fn from_files(files: &[(&str, &str)], terraform: &Terraform) -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("tf-inline-")
            .tempdir()
            .expect("temp dir");
        for (name, content) in files {
            std::fs::write(dir.path().join(name), content).expect("write scenario file");
        }
        Self::prepare(dir, terraform)
    }

    fn prepare(dir: tempfile::TempDir, terraform: &Terraform) -> Workspace {
        // A directory holding only the provider binary: dev_overrides runs the first file
        // named terraform-provider-clusternet*, and target/debug also holds `.d` files.
        let bin_dir = dir.path().join(".provider-bin");
        std::fs::create_dir_all(&bin_dir).expect("bin dir");
        std::os::unix::fs::symlink(
            provider_binary(),
            bin_dir.join("terraform-provider-clusternet"),
        )
        .expect("symlink provider");
        let cli_config = dir.path().join(".terraformrc");
        std::fs::write(
            &cli_config,
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"{PROVIDER_SOURCE}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                bin_dir.display()
            ),
        )
        .expect("write CLI config");
        let env = vec![
            (
                "TF_CLI_CONFIG_FILE".to_string(),
                cli_config.display().to_string(),
            ),
            (
                "TF_DATA_DIR".to_string(),
                dir.path().join(".terraform").display().to_string(),
            ),
            // The provider's chart cache: the test repositories listen on random ports, so a
            // shared cache would keep a directory per test run forever.
            (
                "XDG_CACHE_HOME".to_string(),
                dir.path().join(".cache").display().to_string(),
            ),
        ];
        Workspace {
            dir,
            terraform: terraform.clone(),
            env,
        }
    }

    /// Makes terraform install the provider the way a user does without dev_overrides: from
    /// the filesystem mirror `mirror` (the `mirror/` directory `scripts/package` writes) and
    /// from nowhere else, so `terraform init` is needed and never reaches the network.
    pub fn install_from_mirror(&self, mirror: &Path) {
        std::fs::write(
            self.dir.path().join(".terraformrc"),
            format!(
                "provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n",
                mirror.display()
            ),
        )
        .expect("write CLI config");
    }

    /// `terraform init -input=false -no-color` (with `extra` arguments).
    pub fn init(&self, extra: &[&str]) -> Outcome {
        let mut args = vec!["init", "-input=false", "-no-color"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// Sets an environment variable for every command (e.g. `TF_VAR_x`).
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.push((key.to_string(), value.to_string()));
    }

    /// The working directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes (or replaces) a file in the working directory.
    pub fn write(&self, name: &str, content: &str) {
        std::fs::write(self.dir.path().join(name), content).expect("write file");
    }

    /// Runs `terraform <args>`.
    ///
    /// Output goes to files, not pipes: if terraform crashes, a provider process it leaves
    /// behind would hold a pipe open and hang the test.
    pub fn run(&self, args: &[&str]) -> Outcome {
        self.run_with_input(args, None)
    }

    /// `terraform console -no-color` evaluating `expressions` (one a line) in this workspace.
    pub fn console(&self, expressions: &str) -> Outcome {
        self.run_with_input(&["console", "-no-color"], Some(expressions))
    }

    /// Runs `terraform <args>` with `input` (from a file, like the output) as its stdin, or none.
    fn run_with_input(&self, args: &[&str], input: Option<&str>) -> Outcome {
        let logs = self.dir.path().join(".logs");
        std::fs::create_dir_all(&logs).expect("log dir");
        let stdout_path = logs.join("stdout");
        let stderr_path = logs.join("stderr");
        let stdin = match input {
            Some(text) => {
                let stdin_path = logs.join("stdin");
                std::fs::write(&stdin_path, text).expect("stdin file");
                std::process::Stdio::from(std::fs::File::open(&stdin_path).expect("stdin file"))
            }
            None => std::process::Stdio::null(),
        };
        let status = Command::new(&self.terraform.path)
            .args(args)
            .current_dir(self.dir.path())
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env_remove("TF_LOG")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(stdin)
            .stdout(std::fs::File::create(&stdout_path).expect("stdout file"))
            .stderr(std::fs::File::create(&stderr_path).expect("stderr file"))
            .status()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.terraform.path.display()));
        let read =
            |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
        Outcome {
            command: format!("terraform {} ({})", args.join(" "), self.terraform.version),
            success: status.success(),
            exit_code: status.code(),
            stdout: read(&stdout_path),
            stderr: read(&stderr_path),
        }
    }

    /// `terraform plan -no-color -input=false -detailed-exitcode`: exit code 0 when there is
    /// nothing to do, 2 when there are changes.
    pub fn plan_detailed(&self) -> Outcome {
        self.run(&["plan", "-no-color", "-input=false", "-detailed-exitcode"])
    }

    /// Panics, naming `what` and showing the plan, unless `terraform plan` has nothing to do.
    pub fn expect_no_changes(&self, what: &str) {
        let plan = self.plan_detailed();
        assert_eq!(
            plan.exit_code,
            Some(0),
            "{what}: the plan is not empty ({}):\n{}",
            self.terraform.version,
            plan.all_output()
        );
    }

    /// `terraform validate -no-color`.
    pub fn validate(&self) -> Outcome {
        self.run(&["validate", "-no-color"])
    }

    /// `terraform plan -no-color -input=false`.
    pub fn plan(&self) -> Outcome {
        self.run(&["plan", "-no-color", "-input=false"])
    }

    /// `terraform apply -auto-approve -no-color -input=false`.
    pub fn apply(&self) -> Outcome {
        self.run(&["apply", "-auto-approve", "-no-color", "-input=false"])
    }

    /// `terraform destroy -auto-approve -no-color -input=false`.
    pub fn destroy(&self) -> Outcome {
        self.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
    }

    /// `terraform show -json` of the state, parsed.
    pub fn show_json(&self) -> Json {
        let out = self.run(&["show", "-json", "-no-color"]).expect_success();
        serde_json::from_str(&out.stdout).expect("show -json prints JSON")
    }

    /// The `values` of the first resource of type `type_name` in `terraform show -json`;
    /// null when the state holds none.
    pub fn resource_values(&self, type_name: &str) -> Json {
        self.show_json()["values"]["root_module"]["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["type"] == type_name)
            .map(|r| r["values"].clone())
            .unwrap_or_default()
    }

    /// `terraform output -json`, parsed: output name to value.
    pub fn outputs(&self) -> Json {
        let out = self.run(&["output", "-json", "-no-color"]).expect_success();
        let raw: Json = serde_json::from_str(&out.stdout).expect("output -json prints JSON");
        let map = raw
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v["value"].clone()))
                    .collect::<serde_json::Map<_, _>>()
            })
            .unwrap_or_default();
        Json::Object(map)
    }

    /// `terraform providers schema -json`, parsed.
    pub fn providers_schema(&self) -> Json {
        let out = self
            .run(&["providers", "schema", "-json", "-no-color"])
            .expect_success();
        serde_json::from_str(&out.stdout).expect("providers schema -json prints JSON")
    }
}

/// Copies an example's directory tree into `dest`, skipping Terraform's own data and state
/// and the `rendered/` output a local run of the example leaves behind.
pub fn copy_example(source: &Path, dest: &Path) {
    std::fs::create_dir_all(dest).expect("mkdir");
    let entries = std::fs::read_dir(source)
        .unwrap_or_else(|e| panic!("example {} unreadable: {e}", source.display()));
    for entry in entries {
        let entry = entry.expect("dir entry");
        let name = entry.file_name();
        let name_str = name.to_string_lossy();
        if name_str.starts_with(".terraform")
            || name_str.starts_with("terraform.tfstate")
            || name_str == "rendered"
        {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_example(&path, &dest.join(&name));
        } else {
            std::fs::copy(&path, dest.join(&name)).expect("copy example file");
        }
    }
}

fn copy_tf_files(source: &Path, dest: &Path) {
    let entries = std::fs::read_dir(source)
        .unwrap_or_else(|e| panic!("scenario {} unreadable: {e}", source.display()));
    for entry in entries {
        let entry = entry.expect("dir entry");
        let path = entry.path();
        if path.is_dir() {
            let sub = dest.join(entry.file_name());
            std::fs::create_dir_all(&sub).expect("mkdir");
            copy_tf_files(&path, &sub);
        } else {
            std::fs::copy(&path, dest.join(entry.file_name())).expect("copy scenario file");
        }
    }
}
