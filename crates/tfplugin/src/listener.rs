//! The unix socket the plugin serves on: a unique path, owner-only, removed on drop.

use std::path::{Path, PathBuf};

use tokio::net::UnixListener;

/// The path of a bound unix socket; the file is removed when this guard is dropped.
#[derive(Debug)]
pub struct SocketPath {
    path: PathBuf,
}

/// Binds unix sockets for the plugin server.
pub struct SocketListener;

impl SocketListener {
    /// Binds a fresh socket in `PLUGIN_UNIX_SOCKET_DIR`, or the temporary directory.
    ///
    /// The name carries the process id and a random suffix, so that stale files left by a
    /// killed process never collide with a new one.
    pub fn bind() -> std::io::Result<(UnixListener, SocketPath)> {
        let dir = std::env::var_os("PLUGIN_UNIX_SOCKET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        let mut attempts = 0;
        loop {
            let path = dir.join(format!(
                "tf-clusternet-{}-{:08x}.sock",
                std::process::id(),
                random_u32()
            ));
            match UnixListener::bind(&path) {
                Ok(listener) => {
                    restrict_permissions(&path)?;
                    return Ok((listener, SocketPath { path }));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && attempts < 8 => {
                    attempts += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

impl SocketPath {
    /// The socket's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for SocketPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn restrict_permissions(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // go-plugin grants group access when PLUGIN_UNIX_SOCKET_GROUP is set; otherwise owner only.
    let mode = if std::env::var_os("PLUGIN_UNIX_SOCKET_GROUP").is_some() {
        0o660
    } else {
        0o600
    };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

fn random_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    hasher.finish() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn socket_is_unique_private_and_removed_on_drop() {
        let (_la, a) = SocketListener::bind().unwrap();
        let (_lb, b) = SocketListener::bind().unwrap();
        assert_ne!(a.path(), b.path());
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(a.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let path = a.path().to_path_buf();
        drop(a);
        assert!(!path.exists());
    }
}
