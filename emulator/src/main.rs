//! `acs-identity-emulator`: serves a local emulator of the Communication Services Identity
//! service (see `acs_identity_emulator`) on `127.0.0.1` until stopped with Ctrl-C.

use acs_identity_emulator::{Emulator, EmulatorOptions};
use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "\
Usage: acs-identity-emulator [--port <PORT>]

Serves a local emulator of the Azure Communication Services Identity API on
127.0.0.1 over plain http, and prints its endpoint and connection string.
State is kept in memory. Stop it with Ctrl-C.

Options:
  --port <PORT>  Port to listen on (default 0: any free port)
  -h, --help     Print this help
";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    Help,
    Serve { port: u16 },
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut port = 0;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--port" => args
                .next()
                .ok_or_else(|| "--port needs a value".to_owned())?,
            other => match other.strip_prefix("--port=") {
                Some(value) => value.to_owned(),
                None => return Err(format!("unexpected argument {other:?}")),
            },
        };
        port = value
            .parse()
            .map_err(|_| format!("invalid port {value:?}: expected 0 to 65535"))?;
    }
    Ok(Command::Serve { port })
}

#[tokio::main]
async fn main() -> ExitCode {
    let port = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Serve { port }) => port,
        Err(message) => {
            eprintln!("acs-identity-emulator: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let options = EmulatorOptions {
        port,
        ..EmulatorOptions::default()
    };
    let emulator = match Emulator::start_with(options).await {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("acs-identity-emulator: cannot listen on 127.0.0.1:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // One write, and a closed stdout (a parent that read what it needed and went away) does
    // not stop the server: `println!` would panic on a broken pipe.
    let banner = format!(
        "endpoint:          {}\nconnection string: {}\nresource id:       {}\nServing; stop with Ctrl-C.\n",
        emulator.endpoint(),
        emulator.connection_string(),
        emulator.resource_id()
    );
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
    drop(out);
    // Ctrl-C (SIGINT) ends the process with its default action; nothing needs saving.
    std::future::pending::<()>().await;
    drop(emulator);
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn arguments() {
        assert_eq!(parse(&[]), Ok(Command::Serve { port: 0 }));
        assert_eq!(
            parse(&["--port", "8080"]),
            Ok(Command::Serve { port: 8080 })
        );
        assert_eq!(parse(&["--port=9"]), Ok(Command::Serve { port: 9 }));
        assert_eq!(parse(&["--help"]), Ok(Command::Help));
        assert_eq!(parse(&["--port", "1", "-h"]), Ok(Command::Help));
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--port", "65536"]).is_err());
        assert!(parse(&["--verbose"]).is_err());
    }
}
