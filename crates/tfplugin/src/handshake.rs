//! The go-plugin handshake: the environment Terraform passes to a plugin and the one line the
//! plugin answers with on stdout.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;

/// Name of the environment variable Terraform sets to prove the process was started as a plugin.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// The value Terraform (and OpenTofu) sets in [`MAGIC_COOKIE_KEY`].
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// go-plugin's core protocol version; the only one that exists.
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// The application protocol this crate speaks (tfplugin6).
pub const APP_PROTOCOL_VERSION: u32 = 6;

/// Whether the magic cookie in the environment says Terraform started this process.
pub fn started_by_terraform() -> bool {
    std::env::var(MAGIC_COOKIE_KEY).is_ok_and(|v| v == MAGIC_COOKIE_VALUE)
}

/// Picks the app protocol from `PLUGIN_PROTOCOL_VERSIONS` (a comma list sent by the client).
///
/// Returns `None` when the client lists versions and 6 is not among them; an absent or empty
/// variable means the client accepts the server's version, as in go-plugin.
pub fn negotiate_protocol(client_versions: Option<&str>) -> Option<u32> {
    match client_versions.map(str::trim) {
        None | Some("") => Some(APP_PROTOCOL_VERSION),
        Some(list) => list
            .split(',')
            .filter_map(|v| v.trim().parse::<u32>().ok())
            .find(|&v| v == APP_PROTOCOL_VERSION),
    }
}

/// Transport named in the handshake line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// A unix domain socket; the address is its path.
    Unix,
    /// TCP; the address is `host:port`.
    Tcp,
}

impl Network {
    /// The word go-plugin uses for this transport.
    pub fn as_str(self) -> &'static str {
        match self {
            Network::Unix => "unix",
            Network::Tcp => "tcp",
        }
    }
}

/// The handshake line: `CORE|APP|NETWORK|ADDRESS|grpc|SERVERCERT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeLine {
    /// Core protocol version, always 1.
    pub core_version: u32,
    /// Negotiated application protocol version.
    pub app_version: u32,
    /// Transport.
    pub network: Network,
    /// Socket path or `host:port`.
    pub address: String,
    /// DER of the server certificate, when serving TLS.
    pub server_cert_der: Option<Vec<u8>>,
}

impl fmt::Display for HandshakeLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cert = self
            .server_cert_der
            .as_deref()
            .map(|der| STANDARD_NO_PAD.encode(der))
            .unwrap_or_default();
        write!(
            f,
            "{}|{}|{}|{}|grpc|{}",
            self.core_version,
            self.app_version,
            self.network.as_str(),
            self.address,
            cert
        )
    }
}

/// Why a handshake line was rejected, in go-plugin's terms.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HandshakeError {
    /// Fewer than four `|`-separated fields.
    #[error("unrecognized remote plugin message: {0}")]
    Unrecognized(String),
    /// The core version is not 1.
    #[error("incompatible core API version with plugin: {0}")]
    CoreVersion(String),
    /// The app version is not a number the client offered.
    #[error("unsupported plugin protocol version: {0}")]
    AppVersion(String),
    /// Neither `unix` nor `tcp`.
    #[error("unknown address type: {0}")]
    Network(String),
    /// Anything but `grpc` (Terraform rejects net/rpc plugins).
    #[error("unsupported plugin protocol: {0}")]
    Protocol(String),
    /// The certificate is not unpadded standard base64.
    #[error("error parsing server cert: {0}")]
    Cert(String),
}

impl HandshakeLine {
    /// Parses a line the way go-plugin's client does: split on `|`, at least four fields, core
    /// version 1, an app version from `accepted`, a known network, protocol `grpc` (the
    /// default when absent), and a certificate only when the sixth field is longer than 50
    /// characters.
    pub fn parse(line: &str, accepted: &[u32]) -> Result<Self, HandshakeError> {
        let line = line.trim_end_matches(['\n', '\r']);
        let parts: Vec<&str> = line.split('|').collect();
        if parts.len() < 4 {
            return Err(HandshakeError::Unrecognized(line.to_string()));
        }
        let core_version: u32 = parts[0]
            .parse()
            .map_err(|_| HandshakeError::CoreVersion(parts[0].to_string()))?;
        if core_version != CORE_PROTOCOL_VERSION {
            return Err(HandshakeError::CoreVersion(parts[0].to_string()));
        }
        let app_version: u32 = parts[1]
            .parse()
            .ok()
            .filter(|v| accepted.contains(v))
            .ok_or_else(|| HandshakeError::AppVersion(parts[1].to_string()))?;
        let network = match parts[2] {
            "unix" => Network::Unix,
            "tcp" => Network::Tcp,
            other => return Err(HandshakeError::Network(other.to_string())),
        };
        let protocol = parts.get(4).copied().unwrap_or("grpc");
        if protocol != "grpc" {
            return Err(HandshakeError::Protocol(protocol.to_string()));
        }
        let server_cert_der = match parts.get(5) {
            Some(cert) if cert.len() > 50 => Some(
                STANDARD_NO_PAD
                    .decode(cert)
                    .map_err(|e| HandshakeError::Cert(e.to_string()))?,
            ),
            _ => None,
        };
        Ok(HandshakeLine {
            core_version,
            app_version,
            network,
            address: parts[3].to_string(),
            server_cert_der,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_picks_six_from_terraforms_list() {
        assert_eq!(negotiate_protocol(Some("5,6")), Some(6));
        assert_eq!(negotiate_protocol(Some("5")), None);
        assert_eq!(negotiate_protocol(None), Some(6));
    }

    #[test]
    fn line_round_trips_through_go_plugin_parsing() {
        let line = HandshakeLine {
            core_version: 1,
            app_version: 6,
            network: Network::Unix,
            address: "/tmp/plugin-1".into(),
            server_cert_der: Some((0u8..=200).collect()),
        };
        let text = line.to_string();
        assert!(!text.ends_with('='), "certificate must be unpadded");
        assert_eq!(
            HandshakeLine::parse(&format!("{text}\n"), &[5, 6]),
            Ok(line)
        );
    }

    #[test]
    fn parse_rejects_what_go_plugin_rejects() {
        assert!(matches!(
            HandshakeLine::parse("1|6|unix", &[6]),
            Err(HandshakeError::Unrecognized(_))
        ));
        assert!(matches!(
            HandshakeLine::parse("2|6|unix|/s|grpc|", &[6]),
            Err(HandshakeError::CoreVersion(_))
        ));
        assert!(matches!(
            HandshakeLine::parse("1|7|unix|/s|grpc|", &[5, 6]),
            Err(HandshakeError::AppVersion(_))
        ));
        assert!(matches!(
            HandshakeLine::parse("1|6|unix|/s|netrpc|", &[6]),
            Err(HandshakeError::Protocol(_))
        ));
        let padded = format!("1|6|unix|/s|grpc|{}=", "A".repeat(63));
        assert!(matches!(
            HandshakeLine::parse(&padded, &[6]),
            Err(HandshakeError::Cert(_))
        ));
    }

    #[test]
    fn short_cert_field_is_ignored_like_go_plugin() {
        let line = HandshakeLine::parse("1|6|tcp|127.0.0.1:10000|grpc|", &[6]).unwrap();
        assert_eq!(line.server_cert_der, None);
        assert_eq!(line.network, Network::Tcp);
    }
}
