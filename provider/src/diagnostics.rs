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
