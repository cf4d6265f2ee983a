//! Serving a provider the way go-plugin expects: check the environment, bind a unix socket,
//! set up AutoMTLS, print the handshake line, serve until `GRPCController.Shutdown`.

use std::io::Write as _;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::UnixStream;
use tokio::sync::{mpsc, watch};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_stream::wrappers::{ReceiverStream, UnixListenerStream};
use tonic::transport::server::Connected;
use tonic::{Request, Response, Status};

use crate::grpc::GrpcProvider;
use crate::handshake::{self, HandshakeLine, Network};
use crate::listener::SocketListener;
use crate::proto::plugin;
use crate::proto::tfplugin6::provider_server::ProviderServer;
use crate::provider::Provider;
use crate::tls::{self, ServerIdentity, TlsError};

/// Largest gRPC message accepted or sent (Terraform allows more than tonic's 4 MiB default;
/// large plans of many rendered objects need the room).
pub const MAX_MESSAGE_SIZE: usize = 256 * 1024 * 1024;

/// Errors that stop the server.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Started without Terraform's magic cookie.
    #[error("this binary is a Terraform plugin; Terraform starts it, not a person")]
    NotAPlugin,
    /// The client offers no protocol version we speak.
    #[error("Terraform offers plugin protocol versions {0:?}; this provider speaks only 6")]
    Protocol(String),
    /// The socket could not be set up.
    #[error("cannot listen on a unix socket: {0}")]
    Listen(#[from] std::io::Error),
    /// TLS could not be set up.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The gRPC server failed.
    #[error("gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// How the process serves.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The provider's source address, e.g. `registry.terraform.io/clusternet/clusternet`;
    /// used for the `TF_REATTACH_PROVIDERS` line in debug mode.
    pub provider_address: String,
}

/// Serves `provider` for Terraform, which started this process (go-plugin handshake, AutoMTLS
/// when `PLUGIN_CLIENT_CERT` is set). Returns after `GRPCController.Shutdown`.
pub async fn serve<P: Provider>(provider: P) -> Result<(), ServeError> {
    if !handshake::started_by_terraform() {
        return Err(ServeError::NotAPlugin);
    }
    let versions = std::env::var("PLUGIN_PROTOCOL_VERSIONS").ok();
    let app_version = handshake::negotiate_protocol(versions.as_deref())
        .ok_or_else(|| ServeError::Protocol(versions.clone().unwrap_or_default()))?;

    let (listener, socket) = SocketListener::bind()?;
    let client_cert = std::env::var("PLUGIN_CLIENT_CERT")
        .ok()
        .filter(|pem| !pem.trim().is_empty());
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    ignore_interrupts();
    exit_with_parent(shutdown_tx.clone());

    let line_for = |cert: Option<Vec<u8>>| HandshakeLine {
        core_version: handshake::CORE_PROTOCOL_VERSION,
        app_version,
        network: Network::Unix,
        address: socket.path().display().to_string(),
        server_cert_der: cert,
    };

    let router = build_router(provider, shutdown_tx).await;
    let shutdown = wait_for(shutdown_rx);
    match client_cert {
        Some(pem) => {
            let identity = ServerIdentity::generate()?;
            let pinned = tls::client_cert_from_pem(&pem)?;
            let acceptor = TlsAcceptor::from(Arc::new(identity.server_config(&pinned)?));
            print_handshake(&line_for(Some(identity.cert_der.to_vec())));
            let incoming = tls_incoming(listener, acceptor);
            router
                .serve_with_incoming_shutdown(incoming, shutdown)
                .await?;
        }
        None => {
            print_handshake(&line_for(None));
            let incoming = UnixListenerStream::new(listener);
            router
                .serve_with_incoming_shutdown(incoming, shutdown)
                .await?;
        }
    }
    tracing::debug!("provider server stopped");
    Ok(())
}

/// Serves `provider` in debug mode: plaintext on a unix socket, printing a
/// `TF_REATTACH_PROVIDERS` value for Terraform to attach to; runs until Ctrl-C or Shutdown.
///
/// `on_ready` receives the reattach JSON (for harnesses that start the provider themselves).
pub async fn serve_debug<P: Provider>(
    provider: P,
    options: &ServeOptions,
    on_ready: impl FnOnce(&str),
) -> Result<(), ServeError> {
    let (listener, socket) = SocketListener::bind()?;
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let reattach = reattach_json(
        &options.provider_address,
        &socket.path().display().to_string(),
    );
    let router = build_router(provider, shutdown_tx.clone()).await;
    println!(
        "Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment \
         variable with the following:\n\n\texport TF_REATTACH_PROVIDERS='{reattach}'\n"
    );
    let _ = std::io::stdout().flush();
    on_ready(&reattach);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = shutdown_tx.send(true);
        }
    });
    router
        .serve_with_incoming_shutdown(UnixListenerStream::new(listener), wait_for(shutdown_rx))
        .await?;
    Ok(())
}

/// The `TF_REATTACH_PROVIDERS` JSON for a provider served on a unix socket.
/// `"Test": true` is required for protocol 6 (Terraform panics otherwise).
pub fn reattach_json(provider_address: &str, socket_path: &str) -> String {
    serde_json::json!({
        provider_address: {
            "Protocol": "grpc",
            "ProtocolVersion": handshake::APP_PROTOCOL_VERSION,
            "Pid": std::process::id(),
            "Test": true,
            "Addr": {"Network": "unix", "String": socket_path},
        }
    })
    .to_string()
}

async fn build_router<P: Provider>(
    provider: P,
    shutdown_tx: watch::Sender<bool>,
) -> tonic::transport::server::Router {
    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;
    health_reporter
        .set_service_status("", tonic_health::ServingStatus::Serving)
        .await;
    let provider_service = ProviderServer::new(GrpcProvider::new(Arc::new(provider)))
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
    tonic::transport::Server::builder()
        .add_service(provider_service)
        .add_service(plugin::grpc_controller_server::GrpcControllerServer::new(
            Controller { shutdown_tx },
        ))
        .add_service(health_service)
}

fn print_handshake(line: &HandshakeLine) {
    let mut stdout = std::io::stdout().lock();
    // Terraform reads exactly one line; nothing else may ever reach stdout before it.
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}

/// go-plugin ignores SIGINT: Ctrl-C reaches the whole process group, and Terraform itself
/// decides how to stop its plugins (StopProvider, then Shutdown).
fn ignore_interrupts() {
    tokio::spawn(async {
        while tokio::signal::ctrl_c().await.is_ok() {
            tracing::debug!("ignoring SIGINT; waiting for Terraform to stop the provider");
        }
    });
}

/// How often the provider looks whether Terraform is still there.
const PARENT_POLL: std::time::Duration = std::time::Duration::from_millis(500);
/// How long in-flight calls get to finish once Terraform is gone.
const PARENT_GONE_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// A Terraform that is killed (SIGKILL, OOM) never calls Shutdown, and nothing else would stop
/// this process: it exits when its parent is gone, which it sees as a change of parent
/// process id (orphans are re-parented). Polled, because `prctl(PR_SET_PDEATHSIG)` needs
/// `unsafe`, which the workspace forbids; on a thread of its own, so that neither a busy
/// runtime nor one shutting down (waiting for a call stuck on a child process) can keep the
/// process alive.
fn exit_with_parent(shutdown_tx: watch::Sender<bool>) {
    let parent = std::os::unix::process::parent_id();
    let watcher = std::thread::Builder::new()
        .name("parent-watch".into())
        .spawn(move || {
            while std::os::unix::process::parent_id() == parent {
                std::thread::sleep(PARENT_POLL);
            }
            // No log line: stderr was Terraform's and is gone (writing to it may fail, and a
            // failed log write must not end this thread before the exit).
            let _ = shutdown_tx.send(true);
            std::thread::sleep(PARENT_GONE_GRACE);
            std::process::exit(1);
        });
    if let Err(e) = watcher {
        tracing::warn!("cannot watch the parent process: {e}");
    }
}

async fn wait_for(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}

/// `plugin.GRPCController`: Terraform's request to exit.
struct Controller {
    shutdown_tx: watch::Sender<bool>,
}

#[tonic::async_trait]
impl plugin::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(
        &self,
        _request: Request<plugin::Empty>,
    ) -> Result<Response<plugin::Empty>, Status> {
        tracing::debug!("shutdown requested by Terraform");
        let _ = self.shutdown_tx.send(true);
        Ok(Response::new(plugin::Empty {}))
    }
}

/// Accepts unix connections and completes TLS handshakes concurrently, yielding only the
/// connections that passed client authentication.
fn tls_incoming(
    listener: tokio::net::UnixListener,
    acceptor: TlsAcceptor,
) -> ReceiverStream<std::io::Result<TlsConnection>> {
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            };
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                match acceptor.accept(stream).await {
                    Ok(tls) => {
                        let _ = tx.send(Ok(TlsConnection(tls))).await;
                    }
                    Err(e) => tracing::warn!("TLS handshake refused: {e}"),
                }
            });
        }
    });
    ReceiverStream::new(rx)
}

/// A TLS connection over a unix socket, as tonic's server wants it.
pub struct TlsConnection(TlsStream<UnixStream>);

impl Connected for TlsConnection {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for TlsConnection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsConnection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}
