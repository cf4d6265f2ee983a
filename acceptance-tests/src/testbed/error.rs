//! Errors of the test-bed helpers.

use std::path::PathBuf;

/// Errors of the test-bed helpers.
#[derive(Debug, thiserror::Error)]
pub enum TestbedError {
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A program could not be started.
    #[error("cannot run {program}: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A program ran and failed.
    #[error("`{command}` failed ({status})\nstdout:\n{stdout}\nstderr:\n{stderr}")]
    Failed {
        /// The command line.
        command: String,
        /// Its exit status.
        status: String,
        /// What it printed on stdout.
        stdout: String,
        /// What it printed on stderr.
        stderr: String,
    },
    /// `bed.json` or `tools.env` is not what the scripts write.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

/// Result of the test-bed helpers.
pub type Result<T, E = TestbedError> = std::result::Result<T, E>;
