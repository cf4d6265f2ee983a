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
    /// An object did not reach the awaited state in time.
    #[error("{what} not {awaited} after {waited:?}; last seen:\n{last}")]
    Timeout {
        /// The object, e.g. `deployment web -n ns on child-1`.
        what: String,
        /// The state it did not reach, e.g. `available`.
        awaited: String,
        /// How long it was waited for.
        waited: std::time::Duration,
        /// The object as last read (JSON), or the error of the last read.
        last: String,
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
