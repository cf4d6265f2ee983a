//! The helm program of the provider configuration (`helm_binary`, default `helm` on PATH),
//! detected once per provider process, with a chart cache shared by all provider processes
//! of the user (charts are stored there atomically, so concurrent processes are safe).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use clusternet_deploy::helm::Helm;
use tokio::sync::OnceCell;

use crate::config::ProviderConfig;

/// The program used when `helm_binary` is not set.
pub const DEFAULT: &str = "helm";

type Detected = Arc<OnceCell<Result<Arc<Helm>, String>>>;

static DETECTED: LazyLock<Mutex<HashMap<String, Detected>>> = LazyLock::new(Default::default);

/// `name` as a path: itself when it names a file by path, else the first match on PATH.
fn resolve(name: &str) -> Option<PathBuf> {
    if name.contains('/') {
        return Some(PathBuf::from(name));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// `$XDG_CACHE_HOME/terraform-provider-clusternet/charts`, else under `$HOME/.cache`, else
/// under the temporary directory.
fn cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|d| !d.is_empty())
                .map(|home| PathBuf::from(home).join(".cache"))
        })
        .unwrap_or_else(std::env::temp_dir);
    base.join("terraform-provider-clusternet").join("charts")
}

/// Drops the helms detected by this process, which removes their private working
/// directories; called when the provider shuts down (statics are never dropped).
pub fn release() {
    DETECTED.lock().expect("helm cache lock").clear();
}

/// The helm of `inventory`, or why there is none (a message naming the program and what to
/// do).
pub async fn helm(inventory: &ProviderConfig) -> Result<Arc<Helm>, String> {
    let name = inventory
        .helm_binary
        .clone()
        .unwrap_or_else(|| DEFAULT.to_string());
    let cell = DETECTED
        .lock()
        .expect("helm cache lock")
        .entry(name.clone())
        .or_default()
        .clone();
    cell.get_or_init(|| async move {
        let Some(path) = resolve(&name) else {
            return Err(format!(
                "the helm program {name:?} is not on PATH; install helm 3 or 4, or set the \
                 provider's helm_binary to its path"
            ));
        };
        detect(&path).await
    })
    .await
    .clone()
}

async fn detect(path: &Path) -> Result<Arc<Helm>, String> {
    match Helm::detect(path).await {
        Ok(helm) => Ok(Arc::new(helm.with_cache_dir(cache_dir()))),
        Err(e) => Err(format!(
            "{} cannot be used as helm: {e}; set the provider's helm_binary to a helm 3 or 4 \
             program",
            path.display()
        )),
    }
}
