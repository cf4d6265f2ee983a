//! The one boundary where the provider's typed errors become Terraform diagnostics.
//!
//! Errors stay typed (small `thiserror` enums in the modules that produce them) until the
//! call that reports them turns each into a [`Diagnostic`] here: a summary, a detail that
//! says what to do, and, with [`ToDiagnostic::diagnostic_at`], the attribute it is about.
//! What a user reads is the errors' `Display`, never their `Debug`.

use clusternet_tfplugin::{AttributePath, Diagnostic};

/// An error that a user sees as a Terraform diagnostic.
pub trait ToDiagnostic {
    /// The diagnostic: summary, and a detail that says what to do.
    fn to_diagnostic(&self) -> Diagnostic;

    /// The diagnostic, on the attribute at `path`.
    fn diagnostic_at(&self, path: AttributePath) -> Diagnostic {
        self.to_diagnostic().at(path)
    }
}

#[cfg(test)]
mod tests {
    //! Every error a user can meet, rendered as they read it: no `Debug` dumps.

    use std::collections::BTreeSet;

    use clusternet_deploy::connection::ConnectionError;
    use clusternet_deploy::directory::DirectoryError;
    use clusternet_deploy::error::ObjectError;
    use clusternet_deploy::{DeleteOutcome, DeleteReport, Deleted};
    use clusternet_model::identity::{InvalidKey, InvalidObject, ObjectIdentity};
    use serde_json::json;

    use super::*;
    use crate::attrs::NotAnInteger;
    use crate::charts::credentials::CredentialsError;
    use crate::charts::deploy::ChartDirError;
    use crate::charts::release::ReleaseError;
    use crate::charts::template::TemplateError;
    use crate::cli::docs::DocsError;
    use crate::cli::render::{InputError, UsageError};
    use crate::data_sources::render::ObjectsError;
    use crate::import::error::ImportError;
    use crate::rendering_check::CheckError;
    use crate::resources::feed::{FeedValueError, NoIdentity};
    use crate::resources::helm_chart::{NotADnsLabel, ReleaseNameError, RepositoryError};
    use crate::resources::manifest::ManifestError;
    use crate::resources::overrides::FeedReferenceError;
    use crate::resources::secret_values::ValueError;
    use crate::resources::subscription::render::UnreadableObject;
    use crate::snapshot::SnapshotError;
    use clusternet_deploy::duration::DurationError;

    /// What a user must never read: `Debug` output of a struct, an enum or an option.
    fn debug_dump(text: &str) -> Option<String> {
        let bytes = text.as_bytes();
        for (at, _) in text.match_indices(" { ") {
            if at > 0 && bytes[at - 1].is_ascii_alphanumeric() {
                return Some(format!("`Name {{ ` at {at}"));
            }
        }
        for marker in [
            "Some(", "None", "Ok(", "Err(", "[Delete", "Box(", "\\\"", "Error {", "Os {", "kind: ",
        ] {
            if text.contains(marker) {
                return Some(format!("`{marker}`"));
            }
        }
        None
    }

    /// Checks `samples` (one per variant, `kind` numbering the variants exhaustively, so a
    /// new variant fails to compile until it is listed here) as `render` shows them.
    fn check<E>(
        name: &str,
        samples: &[E],
        variants: usize,
        kind: fn(&E) -> usize,
        render: fn(&E) -> String,
    ) {
        let kinds: BTreeSet<usize> = samples.iter().map(kind).collect();
        assert_eq!(
            kinds,
            (0..variants).collect(),
            "{name}: give one sample of every variant"
        );
        for sample in samples {
            let text = render(sample);
            assert!(!text.trim().is_empty(), "{name}: empty text");
            if let Some(found) = debug_dump(&text) {
                panic!("{name}: {found} in what a user reads:\n{text}");
            }
        }
    }

    fn shown(diagnostic: Diagnostic) -> String {
        format!("{}\n{}", diagnostic.summary, diagnostic.detail)
    }

    fn as_diagnostic<E: ToDiagnostic>(e: &E) -> String {
        shown(e.to_diagnostic())
    }

    fn as_text<E: std::fmt::Display>(e: &E) -> String {
        e.to_string()
    }

    fn io() -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::PermissionDenied, "permission denied")
    }

    fn identity() -> ObjectIdentity {
        ObjectIdentity::new("apps/v1", "Deployment", Some("shop"), "web")
    }

    fn object_error() -> ObjectError {
        ObjectError::Api {
            reference: Box::new(identity()),
            code: 403,
            reason: "Forbidden".into(),
            message: "deployments.apps \"web\" is forbidden".into(),
        }
    }

    fn invalid_object() -> InvalidObject {
        ObjectIdentity::of(&json!({"kind": "ConfigMap"})).unwrap_err()
    }

    fn invalid_key() -> InvalidKey {
        "not-a-key".parse::<ObjectIdentity>().unwrap_err()
    }

    fn json_error() -> serde_json::Error {
        clusternet_model::json::parse("{").unwrap_err()
    }

    fn yaml_error() -> clusternet_model::yaml::YamlError {
        clusternet_model::yaml::yaml_to_json("a: [").unwrap_err()
    }

    #[test]
    fn import_errors() {
        let t = || "clusternet_subscription".to_string();
        check(
            "ImportError",
            &[
                ImportError::UnsupportedType { type_name: t() },
                ImportError::InvalidId {
                    type_name: t(),
                    id: "x".into(),
                    reason: "it has no namespace".into(),
                    expected: "<namespace>/<name>",
                },
                ImportError::NoHub { type_name: t() },
                ImportError::ConfigurationUnknown,
                ImportError::HubUnreachable("connection refused".into()),
                ImportError::CrdMissing {
                    kind: "Subscription".into(),
                },
                ImportError::HubRead {
                    what: "Subscriptions".into(),
                    message: "forbidden".into(),
                },
                ImportError::NotFound {
                    kind: "Subscription".into(),
                    id: "shop/app".into(),
                },
                ImportError::WrongFeedResource {
                    feed: "v1/Secret/shop/s".into(),
                    type_name: "clusternet_manifest".into(),
                    belongs_in: "clusternet_secret",
                },
                ImportError::FeedMissing {
                    subscription: "shop/app".into(),
                    feed: "v1/ConfigMap/shop/c".into(),
                },
            ],
            10,
            |e| match e {
                ImportError::UnsupportedType { .. } => 0,
                ImportError::InvalidId { .. } => 1,
                ImportError::NoHub { .. } => 2,
                ImportError::ConfigurationUnknown => 3,
                ImportError::HubUnreachable(_) => 4,
                ImportError::CrdMissing { .. } => 5,
                ImportError::HubRead { .. } => 6,
                ImportError::NotFound { .. } => 7,
                ImportError::WrongFeedResource { .. } => 8,
                ImportError::FeedMissing { .. } => 9,
            },
            as_diagnostic,
        );
    }

    #[test]
    fn hub_snapshot_and_rendering_check_errors() {
        let hub = || "kubeconfig /tmp/hub.yaml".to_string();
        check(
            "SnapshotError",
            &[
                SnapshotError::Connect {
                    hub: hub(),
                    message: "no such file".into(),
                },
                SnapshotError::List {
                    hub: hub(),
                    kind: "Subscription",
                    source: object_error(),
                },
            ],
            2,
            |e| match e {
                SnapshotError::Connect { .. } => 0,
                SnapshotError::List { .. } => 1,
            },
            as_diagnostic,
        );
        let subscription = || "shop/app".to_string();
        check(
            "CheckError",
            &[
                CheckError::Connect(ConnectionError::Kubeconfig {
                    path: "/tmp/hub.yaml".into(),
                    message: "no such file".into(),
                }),
                CheckError::ReadSubscription {
                    subscription: subscription(),
                    source: object_error(),
                },
                CheckError::NoSubscription(subscription()),
                CheckError::NoUid(subscription()),
                CheckError::ListDescriptions(object_error()),
            ],
            5,
            |e| match e {
                CheckError::Connect(_) => 0,
                CheckError::ReadSubscription { .. } => 1,
                CheckError::NoSubscription(_) => 2,
                CheckError::NoUid(_) => 3,
                CheckError::ListDescriptions(_) => 4,
            },
            as_text,
        );
    }

    #[test]
    fn configuration_value_errors() {
        check(
            "DurationError",
            &[
                DurationError::Empty,
                DurationError::NotAUnit('d'),
                DurationError::NoNumber('m'),
                DurationError::UnitOrder,
                DurationError::NumberTooLarge("99999999999999999999".into()),
                DurationError::TooLong,
                DurationError::NoUnit("30".into()),
            ],
            7,
            |e| match e {
                DurationError::Empty => 0,
                DurationError::NotAUnit(_) => 1,
                DurationError::NoNumber(_) => 2,
                DurationError::UnitOrder => 3,
                DurationError::NumberTooLarge(_) => 4,
                DurationError::TooLong => 5,
                DurationError::NoUnit(_) => 6,
            },
            as_text,
        );
        check(
            "NotAnInteger",
            &[NotAnInteger { text: "1.5".into() }],
            1,
            |NotAnInteger { .. }| 0,
            as_text,
        );
    }

    #[test]
    fn feed_and_manifest_errors() {
        let no_identity = || NoIdentity {
            field: "metadata.name",
        };
        check(
            "NoIdentity",
            &[no_identity()],
            1,
            |NoIdentity { .. }| 0,
            as_text,
        );
        check(
            "FeedValueError",
            &[
                FeedValueError::NotJson(json_error()),
                FeedValueError::NoIdentity(no_identity()),
            ],
            2,
            |e| match e {
                FeedValueError::NotJson(_) => 0,
                FeedValueError::NoIdentity(_) => 1,
            },
            as_text,
        );
        check(
            "FeedReferenceError",
            &[
                FeedReferenceError::NotJson(json_error()),
                FeedReferenceError::NoIdentity(no_identity()),
                FeedReferenceError::NotAKey(invalid_key()),
                FeedReferenceError::InvalidName(
                    clusternet_model::names::check_identity(&ObjectIdentity::new(
                        "v1",
                        "ConfigMap",
                        Some("Shop"),
                        "web",
                    ))
                    .expect_err("an uppercase namespace is invalid"),
                ),
            ],
            4,
            |e| match e {
                FeedReferenceError::NotJson(_) => 0,
                FeedReferenceError::NoIdentity(_) => 1,
                FeedReferenceError::NotAKey(_) => 2,
                FeedReferenceError::InvalidName(_) => 3,
            },
            as_diagnostic,
        );
        check(
            "ManifestError",
            &[
                ManifestError::SeveralDocuments { count: 2 },
                ManifestError::NotYaml(yaml_error()),
                ManifestError::NotAnObject,
                ManifestError::Incomplete(no_identity()),
            ],
            4,
            |e| match e {
                ManifestError::SeveralDocuments { .. } => 0,
                ManifestError::NotYaml(_) => 1,
                ManifestError::NotAnObject => 2,
                ManifestError::Incomplete(_) => 3,
            },
            as_diagnostic,
        );
        check(
            "ValueError",
            &[
                ValueError::NotBase64 {
                    key: "tls.crt".into(),
                },
                ValueError::Both {
                    key: "token".into(),
                },
            ],
            2,
            |e| match e {
                ValueError::NotBase64 { .. } => 0,
                ValueError::Both { .. } => 1,
            },
            as_diagnostic,
        );
        check(
            "ObjectsError",
            &[
                ObjectsError::NotYaml(yaml_error()),
                ObjectsError::NotAnObject { kind: "a list" },
            ],
            2,
            |e| match e {
                ObjectsError::NotYaml(_) => 0,
                ObjectsError::NotAnObject { .. } => 1,
            },
            as_diagnostic,
        );
        check(
            "UnreadableObject",
            &[UnreadableObject {
                cluster: "eu-1".into(),
                object: identity().describe_versioned(),
                source: json_error(),
            }],
            1,
            |UnreadableObject { .. }| 0,
            as_diagnostic,
        );
    }

    #[test]
    fn chart_errors() {
        check(
            "ReleaseNameError",
            &[ReleaseNameError::TooLong, ReleaseNameError::Invalid],
            2,
            |e| match e {
                ReleaseNameError::TooLong => 0,
                ReleaseNameError::Invalid => 1,
            },
            as_text,
        );
        check(
            "NotADnsLabel",
            &[NotADnsLabel],
            1,
            |NotADnsLabel| 0,
            as_text,
        );
        check(
            "RepositoryError",
            &[
                RepositoryError::NoScheme,
                RepositoryError::UnsupportedScheme,
                RepositoryError::NoHost,
            ],
            3,
            |e| match e {
                RepositoryError::NoScheme => 0,
                RepositoryError::UnsupportedScheme => 1,
                RepositoryError::NoHost => 2,
            },
            as_text,
        );
        let reference = || "shop/pull".to_string();
        check(
            "CredentialsError",
            &[
                CredentialsError::NoHub {
                    reference: reference(),
                },
                CredentialsError::InvalidReference {
                    reference: reference(),
                    source: invalid_object(),
                },
                CredentialsError::HubUnreachable {
                    reference: reference(),
                },
                CredentialsError::NotFound {
                    reference: reference(),
                },
                CredentialsError::Read {
                    reference: reference(),
                    source: object_error(),
                },
                CredentialsError::NoAnswer {
                    reference: reference(),
                },
                CredentialsError::MissingKey {
                    reference: reference(),
                    key: "username",
                },
                CredentialsError::NotBase64 {
                    reference: reference(),
                    key: "password",
                },
                CredentialsError::NotText {
                    reference: reference(),
                    key: "password",
                },
            ],
            9,
            |e| match e {
                CredentialsError::NoHub { .. } => 0,
                CredentialsError::InvalidReference { .. } => 1,
                CredentialsError::HubUnreachable { .. } => 2,
                CredentialsError::NotFound { .. } => 3,
                CredentialsError::Read { .. } => 4,
                CredentialsError::NoAnswer { .. } => 5,
                CredentialsError::MissingKey { .. } => 6,
                CredentialsError::NotBase64 { .. } => 7,
                CredentialsError::NotText { .. } => 8,
            },
            as_text,
        );
        check(
            "ChartDirError",
            &[
                ChartDirError::Objects(DirectoryError::Io {
                    path: "/srv/eu-1/helm/web".into(),
                    source: io(),
                }),
                ChartDirError::WriteValues(io()),
                ChartDirError::RemoveValues(io()),
            ],
            3,
            |e| match e {
                ChartDirError::Objects(_) => 0,
                ChartDirError::WriteValues(_) => 1,
                ChartDirError::RemoveValues(_) => 2,
            },
            as_text,
        );
        check(
            "ReleaseError",
            &[
                ReleaseError::NotAnEntry {
                    key: "eu-1/helm/shop/web".into(),
                },
                ReleaseError::Missing {
                    key: "eu-1/helm/shop/web".into(),
                    field: "spec.repo",
                },
            ],
            2,
            |e| match e {
                ReleaseError::NotAnEntry { .. } => 0,
                ReleaseError::Missing { .. } => 1,
            },
            as_text,
        );
        check(
            "TemplateError",
            &[
                TemplateError::Unavailable("repository unreachable".into()),
                TemplateError::Invalid("chart web has no version 9.9.9".into()),
            ],
            2,
            |e| match e {
                TemplateError::Unavailable(_) => 0,
                TemplateError::Invalid(_) => 1,
            },
            as_text,
        );
    }

    #[test]
    fn command_line_errors() {
        check(
            "UsageError",
            &[
                UsageError::NoOutputFormat,
                UsageError::OutputFormat("xml".into()),
                UsageError::UnknownOption("--x".into()),
            ],
            3,
            |e| match e {
                UsageError::NoOutputFormat => 0,
                UsageError::OutputFormat(_) => 1,
                UsageError::UnknownOption(_) => 2,
            },
            as_text,
        );
        check(
            "InputError",
            &[
                InputError::Stdin(io()),
                InputError::File {
                    name: "app.yaml".into(),
                    source: io(),
                },
            ],
            2,
            |e| match e {
                InputError::Stdin(_) => 0,
                InputError::File { .. } => 1,
            },
            as_text,
        );
        check(
            "DocsError",
            &[DocsError::io(
                "write",
                std::path::Path::new("docs/index.md"),
                io(),
            )],
            1,
            |_: &DocsError| 0,
            as_text,
        );
    }

    #[test]
    fn a_failed_delete_report_reads_as_sentences() {
        let report = DeleteReport {
            cluster: "far".into(),
            outcomes: vec![
                DeleteOutcome {
                    reference: identity(),
                    result: Err(object_error()),
                },
                DeleteOutcome {
                    reference: identity(),
                    result: Ok(Deleted::Deleted),
                },
            ],
        };
        let text = format!("{report}. The next destroy retries.");
        assert!(text.contains("apps/v1/Deployment shop/web"), "{text}");
        assert_eq!(debug_dump(&text), None, "{text}");
        // The check itself sees what this replaced.
        assert!(debug_dump(&format!("{report:?}")).is_some());
    }
}
