//! A Helm chart repository served over HTTP on 127.0.0.1.

use std::fs;
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[cfg(doc)]
use super::charts_dir;
use super::commands::run_checked;
use super::error::{Result, TestbedError};
use super::tool_cache::tools;

/// A Helm chart repository served over HTTP on 127.0.0.1 (packaged charts plus `index.yaml`
/// made by `helm package` and `helm repo index`), so that repository URL, chart name and
/// version resolution are exercised for real. Stops serving when dropped.
#[derive(Debug)]
pub struct ChartRepo {
    url: String,
    dir: tempfile::TempDir,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    addr: SocketAddr,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ChartRepo {
    /// Packages each chart directory in `charts` (e.g. [`charts_dir`]`/smoke`) and serves
    /// them on a free loopback port.
    pub fn serve(charts: &[&Path]) -> Result<ChartRepo> {
        Self::serve_with(charts, None)
    }

    /// Like [`ChartRepo::serve`], answering only requests that carry HTTP basic credentials
    /// `authorization` (the header value, `Basic <base64 of user:password>`); 401 otherwise.
    pub fn serve_private(charts: &[&Path], authorization: &str) -> Result<ChartRepo> {
        Self::serve_with(charts, Some(authorization.to_string()))
    }

    fn serve_with(charts: &[&Path], authorization: Option<String>) -> Result<ChartRepo> {
        let dir = tempfile::tempdir().map_err(|source| TestbedError::Io {
            path: std::env::temp_dir(),
            source,
        })?;
        for chart in charts {
            run_checked(
                Command::new(&tools().helm)
                    .arg("package")
                    .arg(chart)
                    .arg("--destination")
                    .arg(dir.path()),
            )?;
        }
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|source| {
            TestbedError::Io {
                path: dir.path().to_path_buf(),
                source,
            }
        })?;
        let addr = listener.local_addr().map_err(|source| TestbedError::Io {
            path: dir.path().to_path_buf(),
            source,
        })?;
        let url = format!("http://{addr}");
        run_checked(
            Command::new(&tools().helm)
                .args(["repo", "index"])
                .arg(dir.path())
                .arg("--url")
                .arg(&url),
        )?;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let root = dir.path().to_path_buf();
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let _ = serve_file(stream, &root, authorization.as_deref());
                }
            }
        });
        Ok(ChartRepo {
            url,
            dir,
            stop,
            addr,
            thread: Some(thread),
        })
    }

    /// The repository URL (`http://127.0.0.1:<port>`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The directory served (the packaged charts and `index.yaml`).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for ChartRepo {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = std::net::TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers one HTTP/1.x GET with a file below `root` (no directory listing, no `..`).
/// With `authorization`, a request without that `Authorization` header gets 401.
fn serve_file(
    mut stream: std::net::TcpStream,
    root: &Path,
    authorization: Option<&str>,
) -> std::io::Result<()> {
    use std::io::{BufRead, BufReader};
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Read the headers: only the authorization matters.
    let mut line = String::new();
    let mut authorized = authorization.is_none();
    while reader.read_line(&mut line)? > 2 {
        if let (Some(expected), Some((name, value))) = (authorization, line.split_once(':'))
            && name.trim().eq_ignore_ascii_case("authorization")
            && value.trim() == expected
        {
            authorized = true;
        }
        line.clear();
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target
        .split('?')
        .next()
        .unwrap_or("/")
        .trim_start_matches('/');
    let file = (!path.is_empty() && !path.split('/').any(|p| p == ".." || p.is_empty()))
        .then(|| root.join(path))
        .filter(|file| file.is_file());
    let (status, body) = match (method, file) {
        _ if !authorized => ("401 Unauthorized", b"unauthorized\n".to_vec()),
        ("GET" | "HEAD", Some(file)) => ("200 OK", fs::read(file)?),
        ("GET" | "HEAD", None) => ("404 Not Found", b"not found\n".to_vec()),
        _ => ("405 Method Not Allowed", Vec::new()),
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}
