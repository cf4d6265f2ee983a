//! `scripts/package` writes what the Terraform Registry and `terraform init` expect, and a user
//! with no network installs the provider from its filesystem mirror, as from a registry, with
//! terraform 1.11 and 1.0.3: no dev_overrides, a real `terraform init`, a lock file that pins
//! the package, then apply. The debug build is packaged (CI builds no release binary).
//!
//! From a filesystem mirror terraform locks the `h1:` hash it computes from the zip's
//! contents (it has no signed checksums to take `zh:` hashes from); a lock that already holds
//! the `zh:` hash of `SHA256SUMS`, as a Registry install writes it, accepts the mirror's zip
//! and refuses any other package under that version.

use std::path::Path;
use std::process::Command;

use acceptance_tests::package::{Package, VERSION};
use acceptance_tests::terraform::{Terraform, Workspace, provider_binary};
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// A directory target and one object on it: enough to see the installed provider work.
const CONFIG: &str = r#"
terraform {
  required_providers {
    clusternet = {
      source = "clusternet/clusternet"
    }
  }
}

provider "clusternet" {
  clusters = {
    "eu-1" = {
      labels    = { env = "prod" }
      directory = "${path.root}/rendered/eu-1"
    }
  }
}

resource "clusternet_manifest" "settings" {
  manifest = <<-YAML
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: default
    data:
      greeting: hello
  YAML
}

resource "clusternet_subscription" "app" {
  name      = "app"
  namespace = "default"
  subscriber {
    cluster_affinity {
      match_labels = { env = "prod" }
    }
  }
  feeds = [clusternet_manifest.settings.feed]
}
"#;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Unpacks `zip` into `dest` and returns its entries as (name, unix mode).
fn unpack(zip: &Path, dest: &Path) -> Vec<(String, u32)> {
    let script = "import sys, zipfile\n\
                  z = zipfile.ZipFile(sys.argv[1])\n\
                  z.extractall(sys.argv[2])\n\
                  for i in z.infolist(): print(i.filename, i.external_attr >> 16)\n";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(zip)
        .arg(dest)
        .output()
        .expect("run python3");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let (name, mode) = line.rsplit_once(' ').expect("name and mode");
            (name.to_string(), mode.parse().expect("mode"))
        })
        .collect()
}

/// Terraform's `h1:` hash of a provider package (Go's dirhash "Hash1" over the files of the
/// zip): base64 of the sha256 of "<sha256 hex>  <name>\n" for each file, sorted by name.
fn h1_of(unpacked: &Path, names: &[String]) -> String {
    let mut names = names.to_vec();
    names.sort();
    let mut summary = String::new();
    for name in &names {
        let content = std::fs::read(unpacked.join(name)).expect("unpacked file");
        summary.push_str(&format!("{}  {name}\n", sha256_hex(&content)));
    }
    let engine = base64::engine::general_purpose::STANDARD;
    format!("h1:{}", engine.encode(Sha256::digest(summary.as_bytes())))
}

/// The `hashes` of the provider's entry in `.terraform.lock.hcl`.
fn locked_hashes(ws: &Workspace) -> Vec<String> {
    let lock = read(&ws.path().join(".terraform.lock.hcl"));
    assert!(
        lock.contains("provider \"registry.terraform.io/clusternet/clusternet\"")
            && lock.contains(&format!("version = \"{VERSION}\"")),
        "lock file does not pin clusternet {VERSION}:\n{lock}"
    );
    lock.lines()
        .filter_map(|l| {
            let l = l.trim().trim_end_matches(',').trim_matches('"');
            (l.starts_with("h1:") || l.starts_with("zh:")).then(|| l.to_string())
        })
        .collect()
}

fn assert_no_dev_overrides(outcome: &acceptance_tests::terraform::Outcome) {
    assert!(
        !outcome.all_output().contains("overrides are in effect"),
        "{}: dev_overrides in use:\n{}",
        outcome.command,
        outcome.all_output()
    );
}

#[test]
fn the_package_has_the_registry_layout() {
    // No --version: the version comes from Cargo.toml.
    let package = Package::build(&[]);

    let manifest: serde_json::Value =
        serde_json::from_str(&read(&package.file("manifest.json"))).expect("manifest is JSON");
    assert_eq!(
        manifest,
        serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["6.0"]}})
    );

    let zip = std::fs::read(package.zip()).expect("the zip");
    assert_eq!(package.listed_sha256(), sha256_hex(&zip));
    let sums = read(&package.file("SHA256SUMS"));
    let manifest_bytes = std::fs::read(package.file("manifest.json")).expect("manifest");
    assert!(
        sums.contains(&format!(
            "{}  terraform-provider-clusternet_{VERSION}_manifest.json",
            sha256_hex(&manifest_bytes)
        )),
        "{sums}"
    );
    assert_eq!(sums.lines().count(), 2, "{sums}");
    assert!(
        !package.file("SHA256SUMS.sig").exists(),
        "signed without a key"
    );

    // The packed filesystem-mirror layout: HOSTNAME/NAMESPACE/TYPE/<the zip>.
    let mirrored = package.mirror().join(format!(
        "registry.terraform.io/clusternet/clusternet/terraform-provider-clusternet_{VERSION}_linux_amd64.zip"
    ));
    assert_eq!(std::fs::read(&mirrored).expect("the mirror's zip"), zip);

    let unpacked = tempfile::tempdir().expect("temp dir");
    let entries = unpack(&package.zip(), unpacked.path());
    let binary = format!("terraform-provider-clusternet_v{VERSION}");
    assert_eq!(entries, vec![(binary.clone(), 0o100755)]);
    // Stripped: smaller than the debug build it came from.
    let packaged = std::fs::metadata(unpacked.path().join(&binary)).expect("binary");
    let built = std::fs::metadata(provider_binary()).expect("debug build");
    assert!(
        packaged.len() < built.len(),
        "not stripped: {} >= {} bytes",
        packaged.len(),
        built.len()
    );
}

#[test]
fn init_from_the_mirror_locks_the_package_and_applies_with_both_terraform_versions() {
    let package = Package::build(&["--version", VERSION]);
    let unpacked = tempfile::tempdir().expect("temp dir");
    let names: Vec<String> = unpack(&package.zip(), unpacked.path())
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let h1 = h1_of(unpacked.path(), &names);

    for tf in Terraform::all() {
        let v = tf.version;
        let ws = Workspace::from_files(&[("main.tf", CONFIG)], &tf);
        ws.install_from_mirror(&package.mirror());

        let init = ws.init(&[]).expect_success();
        assert!(
            init.stdout
                .contains(&format!("Installed clusternet/clusternet v{VERSION}")),
            "{v}:\n{}",
            init.stdout
        );
        assert_no_dev_overrides(&init);
        // From a filesystem mirror terraform records the hash it computes itself.
        assert_eq!(locked_hashes(&ws), vec![h1.clone()], "{v}");

        let apply = ws.apply().expect_success();
        assert_no_dev_overrides(&apply);
        let object = ws
            .path()
            .join("rendered/eu-1/default.app/core_v1_configmap_default_settings.yaml");
        assert!(read(&object).contains("greeting: hello"), "{v}");
        assert!(
            ws.plan().expect_success().stdout.contains("No changes."),
            "{v}"
        );

        // A second init changes nothing and installs nothing.
        let lock_before = read(&ws.path().join(".terraform.lock.hcl"));
        let again = ws.init(&[]).expect_success();
        assert!(
            again.stdout.contains(&format!(
                "Using previously-installed clusternet/clusternet v{VERSION}"
            )),
            "{v}:\n{}",
            again.stdout
        );
        assert!(
            !again.stdout.contains("Installing"),
            "{v}:\n{}",
            again.stdout
        );
        assert_eq!(
            read(&ws.path().join(".terraform.lock.hcl")),
            lock_before,
            "{v}"
        );
        ws.destroy().expect_success();
    }
}

#[test]
fn a_lock_file_with_the_sha256sums_hash_accepts_the_package_and_rejects_another() {
    let package = Package::build(&["--version", VERSION]);
    let zh = format!("zh:{}", package.listed_sha256());
    let lock = |hash: &str| {
        format!(
            "provider \"registry.terraform.io/clusternet/clusternet\" {{\n  version = \"{VERSION}\"\n  hashes = [\n    \"{hash}\",\n  ]\n}}\n"
        )
    };
    let plugin_dir = format!("-plugin-dir={}", package.mirror().display());
    for tf in Terraform::all() {
        let v = tf.version;
        // What an install from the Registry leaves: the zip's hash from the signed SHA256SUMS.
        // `-plugin-dir` alone, with no provider_installation in the CLI configuration.
        let ws = Workspace::from_files(
            &[("main.tf", CONFIG), (".terraform.lock.hcl", &lock(&zh))],
            &tf,
        );
        ws.write(".terraformrc", "");
        let init = ws.init(&[&plugin_dir]).expect_success();
        assert_no_dev_overrides(&init);
        let hashes = locked_hashes(&ws);
        assert!(hashes.contains(&zh), "{v}: {hashes:?}");
        assert!(
            hashes.iter().any(|h| h.starts_with("h1:")),
            "{v}: {hashes:?}"
        );
        ws.apply().expect_success();

        // Another package under the same version is refused.
        let tampered = format!("zh:{}", "0".repeat(64));
        let other = Workspace::from_files(
            &[
                ("main.tf", CONFIG),
                (".terraform.lock.hcl", &lock(&tampered)),
            ],
            &tf,
        );
        other.write(".terraformrc", "");
        let refused = other.init(&[&plugin_dir]).expect_failure();
        // Terraform wraps its diagnostics at 78 columns.
        let output = refused.all_output();
        let words = output.split_whitespace().collect::<Vec<_>>();
        assert!(
            words
                .join(" ")
                .contains("doesn't match any of the checksums previously recorded"),
            "{v}:\n{}",
            refused.all_output()
        );
    }
}
