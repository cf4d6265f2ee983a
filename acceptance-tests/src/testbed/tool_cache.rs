//! The tools that `install-tools` puts into the cache, installed on first use.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::commands::run_checked;
use super::error::{Result, TestbedError};
use super::paths::{cache_dir, install_tools_script};

/// Paths of the tools that `install-tools` put into the cache (from `$CACHE/tools.env`).
#[derive(Debug, Clone)]
pub struct Tools {
    /// Terraform v1.0.3 (`TERRAFORM_1_0`).
    pub terraform_1_0: PathBuf,
    /// The machine's own Terraform (1.11.x), found on `PATH`, if any.
    pub terraform_system: Option<PathBuf>,
    /// Helm v3.17.2 (`HELM`).
    pub helm: PathBuf,
    /// Helm 4, if installed (`HELM4`).
    pub helm4: Option<PathBuf>,
    /// kubectl 1.32 (`KUBECTL`).
    pub kubectl: PathBuf,
    /// kube-apiserver v1.20.2, if built (`KUBE_APISERVER`).
    pub kube_apiserver: Option<PathBuf>,
    /// kube-controller-manager v1.20.2, if built (`KUBE_CONTROLLER_MANAGER`).
    pub kube_controller_manager: Option<PathBuf>,
    /// etcd, if installed (`ETCD`).
    pub etcd: Option<PathBuf>,
}

impl Tools {
    /// Reads a `tools.env` file (`KEY=path` lines).
    pub fn from_env_file(path: &Path) -> Result<Tools> {
        let text = fs::read_to_string(path).map_err(|source| TestbedError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let vars: BTreeMap<&str, PathBuf> = text
            .lines()
            .filter(|line| !line.trim_start().starts_with('#'))
            .filter_map(|line| line.split_once('='))
            .map(|(key, value)| (key.trim(), PathBuf::from(value.trim())))
            .collect();
        let required = |key: &str| {
            vars.get(key).cloned().ok_or_else(|| TestbedError::Invalid {
                path: path.to_path_buf(),
                message: format!("no {key}: run acceptance-tests/testbed/install-tools"),
            })
        };
        Ok(Tools {
            terraform_1_0: required("TERRAFORM_1_0")?,
            terraform_system: find_on_path("terraform"),
            helm: required("HELM")?,
            helm4: vars.get("HELM4").cloned(),
            kubectl: required("KUBECTL")?,
            kube_apiserver: vars.get("KUBE_APISERVER").cloned(),
            kube_controller_manager: vars.get("KUBE_CONTROLLER_MANAGER").cloned(),
            etcd: vars.get("ETCD").cloned(),
        })
    }

    /// Whether everything `bed up` needs is installed.
    pub fn has_bed_tools(&self) -> bool {
        self.kube_apiserver.is_some()
            && self.kube_controller_manager.is_some()
            && self.etcd.is_some()
    }
}

/// Loads `$CACHE/tools.env`, running `install-tools TARGET` first if the file or one of
/// the tools is missing (`terraform` installs terraform 1.0.3, helm and kubectl in seconds;
/// `all` also builds kube-apiserver, which takes minutes the first time).
pub fn ensure_tools(target: &str) -> Result<Tools> {
    let env_file = cache_dir().join("tools.env");
    let complete = |tools: &Tools| target != "all" || tools.has_bed_tools();
    if let Ok(tools) = Tools::from_env_file(&env_file)
        && complete(&tools)
    {
        return Ok(tools);
    }
    run_checked(Command::new(install_tools_script()).arg(target))?;
    Tools::from_env_file(&env_file)
}

/// The tools for this test process: terraform 1.0.3, helm and kubectl at least (installed on
/// first use if missing). Panics with the reason if they cannot be installed.
pub fn tools() -> &'static Tools {
    static TOOLS: OnceLock<Tools> = OnceLock::new();
    TOOLS
        .get_or_init(|| ensure_tools("terraform").unwrap_or_else(|e| panic!("test-bed tools: {e}")))
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}
