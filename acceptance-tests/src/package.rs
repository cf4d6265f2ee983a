//! `scripts/package` run on the provider binary under test, into a temporary directory: the
//! Registry's files and a filesystem mirror that [`Workspace::install_from_mirror`] installs
//! from, as a user with no network does.
//!
//! [`Workspace::install_from_mirror`]: crate::terraform::Workspace::install_from_mirror

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::terraform::{provider_binary, repo_root};

/// The version packages get by default: the provider's Cargo.toml version (the workspace's,
/// as this crate's).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The files `scripts/package` wrote (deleted on drop).
pub struct Package {
    dir: tempfile::TempDir,
}

impl Package {
    /// Runs `scripts/package --binary <provider_binary()> --out <tmp> <extra...>`: the debug
    /// build, stripped and zipped, so no test waits for a release build.
    pub fn build(extra: &[&str]) -> Package {
        let dir = tempfile::Builder::new()
            .prefix("tf-package-")
            .tempdir()
            .expect("temp dir");
        let out = Command::new(repo_root().join("scripts/package"))
            .arg("--binary")
            .arg(provider_binary())
            .arg("--out")
            .arg(dir.path())
            .args(extra)
            .output()
            .expect("run scripts/package");
        assert!(
            out.status.success(),
            "scripts/package failed\n--- stdout\n{}\n--- stderr\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        Package { dir }
    }

    /// The output directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `terraform-provider-clusternet_<VERSION>_<suffix>` in the output directory.
    pub fn file(&self, suffix: &str) -> PathBuf {
        self.dir
            .path()
            .join(format!("terraform-provider-clusternet_{VERSION}_{suffix}"))
    }

    /// The provider package for this machine (linux_amd64).
    pub fn zip(&self) -> PathBuf {
        self.file("linux_amd64.zip")
    }

    /// The filesystem mirror (packed layout) holding the zip.
    pub fn mirror(&self) -> PathBuf {
        self.dir.path().join("mirror")
    }

    /// The zip's sha256 as the `SHA256SUMS` file lists it (hex).
    pub fn listed_sha256(&self) -> String {
        let path = self.file("SHA256SUMS");
        let sums =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let zip = self.zip();
        let zip_name = zip.file_name().expect("file name").to_string_lossy();
        sums.lines()
            .find_map(|line| line.strip_suffix(&format!("  {zip_name}")))
            .unwrap_or_else(|| panic!("SHA256SUMS does not list {zip_name}:\n{sums}"))
            .to_string()
    }
}
