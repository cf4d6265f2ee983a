//! Where things are: the repository, the test-bed scripts and charts, the tool cache.

use std::path::{Path, PathBuf};

use super::CACHE_ENV;

/// The root of the repository (the workspace).
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// The project's read-only `shared/` directory: `<repo root>/../shared`.
pub fn shared_dir() -> PathBuf {
    let root = repo_root();
    root.parent().unwrap_or(&root).join("shared")
}

/// The upstream Clusternet CRDs: `<repo root>/../shared/clusternet-crds`.
pub fn clusternet_crds_dir() -> PathBuf {
    shared_dir().join("clusternet-crds")
}

/// The directory of the test-bed scripts: `acceptance-tests/testbed`.
pub fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testbed")
}

/// The `bed` script.
pub fn bed_script() -> PathBuf {
    scripts_dir().join("bed")
}

/// The `install-tools` script.
pub fn install_tools_script() -> PathBuf {
    scripts_dir().join("install-tools")
}

/// The `bed-node-agent` binary built with the running test binary, if there is one: cargo
/// puts a package's binaries next to the `deps/` directory of its test binaries. `None` when
/// running the tests of another package; `bed up` then builds the agent itself.
pub fn node_agent_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let profile_dir = exe.parent()?.parent()?;
    let agent = profile_dir.join("bed-node-agent");
    agent.is_file().then_some(agent)
}

/// The local charts made for tests: `acceptance-tests/testbed/charts`.
pub fn charts_dir() -> PathBuf {
    scripts_dir().join("charts")
}

/// The cache root: `$CLUSTERNET_CACHE`, else `$HOME/.cache/terraform-provider-clusternet`.
pub fn cache_dir() -> PathBuf {
    match std::env::var_os(CACHE_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => {
            let home =
                std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from);
            home.join(".cache").join("terraform-provider-clusternet")
        }
    }
}
