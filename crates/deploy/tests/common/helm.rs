//! The helm binaries of the test bed, and what a `Helm` leaves behind.

use acceptance_tests::testbed;
use clusternet_deploy::helm::Helm;

/// The bed's helm 3.
pub async fn helm3() -> Helm {
    Helm::detect(&testbed::tools().helm).await.expect("helm 3")
}

/// The bed's helm 4, if installed.
pub async fn helm4() -> Option<Helm> {
    let binary = testbed::tools().helm4.clone()?;
    Some(Helm::detect(&binary).await.expect("helm 4"))
}

/// Files helm's running commands leave in the work directory (none between commands).
pub fn leftovers(helm: &Helm) -> Vec<String> {
    std::fs::read_dir(helm.work_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// Live processes whose command line mentions this `Helm`'s work directory (every helm it
/// runs does, through `--kubeconfig` or `--repository-config`). Zombies have an empty
/// command line and do not count.
pub fn running_helms(helm: &Helm) -> Vec<String> {
    let marker = helm.work_dir().to_string_lossy().into_owned();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            cmdline.contains(&marker).then_some(cmdline)
        })
        .collect()
}
