//! Running programs: their output, and an error with both outputs when they fail.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use super::error::{Result, TestbedError};

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

pub(super) fn run_output(command: &mut Command, stdin: Option<&str>) -> Result<Output> {
    let program = describe(command);
    command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|source| TestbedError::Spawn {
        program: program.clone(),
        source,
    })?;
    // Feed stdin from a thread so that a child writing much output before reading all of
    // its input cannot dead-lock with us.
    let feeder = match (stdin, child.stdin.take()) {
        (Some(input), Some(mut pipe)) => {
            let input = input.to_owned();
            Some(std::thread::spawn(move || pipe.write_all(input.as_bytes())))
        }
        _ => None,
    };
    let output = child
        .wait_with_output()
        .map_err(|source| TestbedError::Spawn {
            program: program.clone(),
            source,
        })?;
    if let Some(feeder) = feeder {
        // A child that exits without reading all of its input is judged by its exit status.
        let _ = feeder.join();
    }
    Ok(output)
}

fn checked(command: &Command, output: Output) -> Result<String> {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() {
        Ok(stdout)
    } else {
        Err(TestbedError::Failed {
            command: describe(command),
            status: output.status.to_string(),
            stdout,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }
}

/// Runs `command` (no stdin) and returns its stdout, or an error with both outputs.
pub fn run_checked(command: &mut Command) -> Result<String> {
    let output = run_output(command, None)?;
    checked(command, output)
}

/// Runs `command` with `stdin` as standard input and returns its stdout, or an error.
pub fn run_with_stdin_checked(command: &mut Command, stdin: &str) -> Result<String> {
    let output = run_output(command, Some(stdin))?;
    checked(command, output)
}
