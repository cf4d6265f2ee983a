//! Ways to reach a cluster of the test bed: by its kubeconfig file or by explicit server,
//! token and CA.

use acceptance_tests::testbed;
use clusternet_deploy::{Cluster, ConnectionConfig, Timeouts};

/// The cluster through its kubeconfig file.
pub fn by_kubeconfig(cluster: &testbed::Cluster) -> ConnectionConfig {
    ConnectionConfig::Kubeconfig {
        path: cluster.kubeconfig().to_path_buf(),
        context: None,
    }
}

/// The cluster through explicit server, token and CA.
pub fn direct(cluster: &testbed::Cluster) -> ConnectionConfig {
    ConnectionConfig::Direct {
        host: cluster.server().to_string(),
        token: Some(cluster.token().to_string()),
        ca_certificate_pem: Some(std::fs::read_to_string(cluster.ca_file()).unwrap()),
        client_certificate_pem: None,
        client_key_pem: None,
        insecure: false,
        exec: None,
    }
}

/// A client of the cluster through its kubeconfig file, named like the cluster.
pub async fn connect(cluster: &testbed::Cluster) -> Cluster {
    Cluster::connect(cluster.name(), &by_kubeconfig(cluster), Timeouts::default())
        .await
        .expect("client")
}
