//! `bed-node-agent`: a stand-in for the kubelet, and for nothing else, on the test bed's child
//! clusters.
//!
//! The bed runs real kube-apiservers, real kube-controller-managers and real kube-schedulers,
//! but no kubelet and no container runtime can run on the machines it is made for. This agent
//! does the kubelet's part of the bargain only:
//! - it registers the bed's Node objects (`bed-<cluster>-node-<n>`, 4 CPUs, 8 GiB, 110 pods,
//!   Ready) in every cluster it serves;
//! - for each pod bound (`spec.nodeName`) to one of them it reports, after a delay (default
//!   1 s), the status a kubelet would: Running, a pod IP unique on its node (`10.244.<n>.x`),
//!   the node's hostIP, the PodScheduled/Initialized/ContainersReady/Ready conditions True and
//!   running, ready container statuses;
//! - images tagged `never-ready` are never ready: the pod stays Pending, its container waiting
//!   in `ImagePullBackOff`, its Ready condition False;
//! - images tagged `completes`, in pods that are not restarted (Job pods), run and then exit
//!   0: the pod Succeeds one delay after it ran;
//! - pods being deleted are removed for good at once (grace period 0), as a kubelet does once
//!   their containers are stopped.
//!
//! Everything that decides an outcome stays with the real control plane: the scheduler binds
//! pods, the ReplicaSet, Deployment, Job and endpoints controllers count ready pods, compute
//! availability and fill endpoints.
//!
//! Usage: `bed-node-agent [--ready-delay-ms MS] [--nodes N] CLUSTER=KUBECONFIG...`
//! One process serves every cluster named; it survives their API servers going away and
//! coming back. Logs go to stderr.

mod behaviour;
mod nodes;
mod serve;
mod status;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use serve::{Settings, Target};

const USAGE: &str = "usage: bed-node-agent [--ready-delay-ms MS] [--nodes N] CLUSTER=KUBECONFIG...";

fn parse(args: impl IntoIterator<Item = String>) -> Result<(Vec<Target>, Settings), String> {
    let mut settings = Settings {
        delay: Duration::from_secs(1),
        nodes: 2,
    };
    let mut targets = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().ok_or(format!("{flag} needs a value"));
        match arg.as_str() {
            "--ready-delay-ms" => {
                let ms = value(&arg)?;
                let ms: u64 = ms
                    .parse()
                    .map_err(|_| format!("--ready-delay-ms: not a number: {ms}"))?;
                settings.delay = Duration::from_millis(ms);
            }
            "--nodes" => {
                let n = value(&arg)?;
                settings.nodes = n
                    .parse()
                    .ok()
                    .filter(|n| (1..=250).contains(n))
                    .ok_or(format!("--nodes: not a number from 1 to 250: {n}"))?;
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            _ => {
                let (cluster, kubeconfig) = arg
                    .split_once('=')
                    .filter(|(c, k)| !c.is_empty() && !k.is_empty())
                    .ok_or(format!("not CLUSTER=KUBECONFIG: {arg}\n{USAGE}"))?;
                targets.push(Target {
                    cluster: cluster.to_string(),
                    kubeconfig: PathBuf::from(kubeconfig),
                });
            }
        }
    }
    if targets.is_empty() {
        return Err(format!("no cluster to serve\n{USAGE}"));
    }
    Ok((targets, settings))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let (targets, settings) = match parse(std::env::args().skip(1)) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("bed-node-agent: {message}");
            return ExitCode::from(2);
        }
    };
    eprintln!(
        "bed-node-agent: serving {} with {} nodes each, reports after {:?}",
        targets
            .iter()
            .map(|t| t.cluster.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        settings.nodes,
        settings.delay
    );
    let mut tasks = tokio::task::JoinSet::new();
    for target in targets {
        tasks.spawn(serve::serve(target, settings));
    }
    // The tasks never end; the bed stops the process with a signal.
    while tasks.join_next().await.is_some() {}
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn clusters_and_settings_are_read_from_the_command_line() {
        let (targets, settings) = parse(args(&[
            "--ready-delay-ms",
            "250",
            "--nodes",
            "3",
            "child-1=/bed/kubeconfig-child-1",
        ]))
        .unwrap();
        assert_eq!(settings.delay, Duration::from_millis(250));
        assert_eq!(settings.nodes, 3);
        assert_eq!(targets[0].cluster, "child-1");
        assert_eq!(
            targets[0].kubeconfig,
            PathBuf::from("/bed/kubeconfig-child-1")
        );
    }

    #[test]
    fn a_command_line_without_clusters_is_refused() {
        assert!(parse(args(&["--nodes", "2"])).is_err());
        assert!(parse(args(&["child-1"])).is_err());
        assert!(parse(args(&["--nodes", "0", "a=b"])).is_err());
    }
}
