//! AutoMTLS: the server accepts exactly the client certificate Terraform pinned, including
//! Terraform's own kind (a self-signed ECDSA P-521 CA certificate), and refuses any other.

use std::sync::Arc;

use clusternet_tfplugin::tls::{ServerIdentity, client_cert_from_pem};
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, SignatureAlgorithm};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Trusts exactly the server's certificate, as Go's client does (it uses the certificate from
/// the handshake line as its only root; webpki would refuse a CA certificate as end entity).
#[derive(Debug)]
struct PinnedServer(CertificateDer<'static>);

impl rustls::client::danger::ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.0.as_ref() {
            Ok(rustls::client::danger::ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "unexpected server certificate".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        rustls::crypto::aws_lc_rs::default_provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A client identity like go-plugin's: self-signed CA for localhost.
struct ClientIdentity {
    pem: String,
    der: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

fn client_identity(alg: &'static SignatureAlgorithm) -> ClientIdentity {
    let key = KeyPair::generate_for(alg).expect("key");
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).expect("params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).expect("self-signed");
    ClientIdentity {
        pem: cert.pem(),
        der: cert.der().clone(),
        key: PrivatePkcs8KeyDer::from(key.serialize_der()),
    }
}

/// Runs one TLS connection over a socket pair: the server pins `pinned`, the client presents
/// `presented`. Returns whether an HTTP/2 exchange got through.
async fn connect(pinned: &ClientIdentity, presented: &ClientIdentity) -> bool {
    let server_identity = ServerIdentity::generate().expect("server identity");
    let pinned_der = client_cert_from_pem(&pinned.pem).expect("pem");
    let server_config = server_identity
        .server_config(&pinned_der)
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server_config));

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let client_config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedServer(server_identity.cert_der.clone())))
        .with_client_auth_cert(
            vec![presented.der.clone()],
            PrivateKeyDer::Pkcs8(presented.key.clone_key()),
        )
        .expect("client auth");
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client_config));

    let (client_io, server_io) = tokio::io::duplex(64 * 1024);
    let server = tokio::spawn(async move {
        let mut tls = acceptor.accept(server_io).await.ok()?;
        let mut buf = [0u8; 24];
        tls.read_exact(&mut buf).await.ok()?;
        tls.write_all(b"ok").await.ok()?;
        tls.flush().await.ok()?;
        Some(buf)
    });
    let client = async move {
        let name = ServerName::try_from("localhost").expect("name");
        let mut tls = connector.connect(name, client_io).await.ok()?;
        tls.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
            .await
            .ok()?;
        tls.flush().await.ok()?;
        let mut reply = [0u8; 2];
        tls.read_exact(&mut reply).await.ok()?;
        Some(reply)
    };
    let client_result = client.await;
    let server_result = server.await.expect("server task");
    client_result == Some(*b"ok") && server_result.is_some()
}

#[tokio::test]
async fn terraforms_kind_of_certificate_is_accepted_when_pinned() {
    let terraform = client_identity(&rcgen::PKCS_ECDSA_P521_SHA512);
    assert!(connect(&terraform, &terraform).await);
}

#[tokio::test]
async fn any_other_certificate_is_refused() {
    let terraform = client_identity(&rcgen::PKCS_ECDSA_P521_SHA512);
    for alg in [
        &rcgen::PKCS_ECDSA_P521_SHA512,
        &rcgen::PKCS_ECDSA_P384_SHA384,
        &rcgen::PKCS_ECDSA_P256_SHA256,
        &rcgen::PKCS_ED25519,
    ] {
        let intruder = client_identity(alg);
        assert!(
            !connect(&terraform, &intruder).await,
            "a {alg:?} certificate other than the pinned one got through"
        );
    }
}

#[tokio::test]
async fn a_client_without_certificate_is_refused() {
    let terraform = client_identity(&rcgen::PKCS_ECDSA_P521_SHA512);
    let server_identity = ServerIdentity::generate().expect("server identity");
    let pinned = client_cert_from_pem(&terraform.pem).expect("pem");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(
        server_identity.server_config(&pinned).expect("config"),
    ));
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .dangerous()
    .with_custom_certificate_verifier(Arc::new(PinnedServer(server_identity.cert_der.clone())))
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let (client_io, server_io) = tokio::io::duplex(64 * 1024);
    let server = tokio::spawn(async move { acceptor.accept(server_io).await.is_ok() });
    let name = ServerName::try_from("localhost").expect("name");
    if let Ok(mut tls) = connector.connect(name, client_io).await {
        let _ = tls.write_all(b"hello").await;
        let mut buf = [0u8; 1];
        let _ = tls.read(&mut buf).await;
    }
    assert!(
        !server.await.expect("server task"),
        "the server accepted a client without a certificate"
    );
}
