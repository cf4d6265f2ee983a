//! What the stand-in kubelet does with a pod, decided from its images and restart policy.
//!
//! The patterns are part of the bed's contract with the tests (documented in
//! `acceptance-tests/testbed/README.md`):
//! - an image tagged `never-ready` (`nginx:never-ready`) is never pulled: the pod stays
//!   Pending with its container waiting in `ImagePullBackOff`, and never becomes Ready;
//! - an image tagged `completes` (`busybox:completes`) in a pod that is not restarted
//!   (`restartPolicy` `Never` or `OnFailure`, as in a Job) runs and then exits 0: the pod
//!   Succeeds;
//! - every other image runs and is Ready.

use k8s_openapi::api::core::v1::Pod;

/// The image tag that never becomes ready.
pub const NEVER_READY_TAG: &str = "never-ready";

/// The image tag whose containers exit 0 after running (in pods that are not restarted).
pub const COMPLETES_TAG: &str = "completes";

/// What happens to a pod's containers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Behaviour {
    /// Containers start and are ready.
    Runs,
    /// The image cannot be pulled: Pending, `ImagePullBackOff`, never Ready.
    NeverReady {
        /// The first image with the `never-ready` tag.
        image: String,
    },
    /// Containers run, then exit 0: the pod Succeeds.
    Completes,
}

/// The tag of an image reference (`registry:5000/nginx:1.25@sha256:...` -> `1.25`), if any.
pub fn image_tag(image: &str) -> Option<&str> {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.split_once(':').map(|(_, tag)| tag)
}

/// The behaviour of `pod`, from the images of all its containers (init containers too).
pub fn behaviour(pod: &Pod) -> Behaviour {
    let Some(spec) = &pod.spec else {
        return Behaviour::Runs;
    };
    let images = spec
        .init_containers
        .iter()
        .flatten()
        .chain(&spec.containers)
        .filter_map(|c| c.image.as_deref());
    let mut completes = false;
    for image in images {
        match image_tag(image) {
            Some(NEVER_READY_TAG) => {
                return Behaviour::NeverReady {
                    image: image.to_string(),
                };
            }
            Some(COMPLETES_TAG) => completes = true,
            _ => {}
        }
    }
    let restarted = spec.restart_policy.as_deref().is_none_or(|p| p == "Always");
    if completes && !restarted {
        Behaviour::Completes
    } else {
        Behaviour::Runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(images: &[&str], restart_policy: Option<&str>) -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p"},
            "spec": {
                "restartPolicy": restart_policy,
                "containers": images.iter().enumerate()
                    .map(|(i, image)| serde_json::json!({"name": format!("c{i}"), "image": image}))
                    .collect::<Vec<_>>(),
            },
        }))
        .unwrap()
    }

    #[test]
    fn tags_are_read_after_the_last_slash_and_before_a_digest() {
        assert_eq!(image_tag("nginx:1.25"), Some("1.25"));
        assert_eq!(image_tag("127.0.0.1:5000/nginx"), None);
        assert_eq!(
            image_tag("127.0.0.1:5000/app:never-ready@sha256:ab"),
            Some("never-ready")
        );
        assert_eq!(image_tag("nginx"), None);
    }

    #[test]
    fn an_ordinary_image_runs() {
        assert_eq!(behaviour(&pod(&["nginx:1.25"], None)), Behaviour::Runs);
    }

    #[test]
    fn one_never_ready_image_makes_the_pod_never_ready() {
        assert_eq!(
            behaviour(&pod(&["nginx:1.25", "nginx:never-ready"], Some("Never"))),
            Behaviour::NeverReady {
                image: "nginx:never-ready".into()
            }
        );
    }

    #[test]
    fn a_completes_image_completes_only_when_the_pod_is_not_restarted() {
        assert_eq!(
            behaviour(&pod(&["busybox:completes"], Some("Never"))),
            Behaviour::Completes
        );
        assert_eq!(
            behaviour(&pod(&["busybox:completes"], Some("OnFailure"))),
            Behaviour::Completes
        );
        assert_eq!(
            behaviour(&pod(&["busybox:completes"], Some("Always"))),
            Behaviour::Runs
        );
    }
}
