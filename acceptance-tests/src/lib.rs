//! Acceptance harness: drives the real terraform binaries over scenario directories, against
//! the project's test bed of real kube-apiservers and real helm.
