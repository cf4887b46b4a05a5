//! `cargo run --release -p acs-bench` — the client at the raw-HTTP floor, measured side by side.
//!
//! One release-built emulator runs in a child process (this binary with `serve`), so that the
//! client CPU measured with `getrusage(RUSAGE_SELF)` is the client's alone. Workloads run
//! interleaved, `--reps` times each, and the medians are reported:
//! - sends: 2,000 sequential `send_message` calls into one thread, by a raw ureq loop sending the
//!   same request bytes over keep-alive with the same TLS trust (the floor), by acs-chat-blocking,
//!   and by acs-chat-async awaited one at a time; then acs-chat-async with 64 in flight;
//! - listing: every message of a 10,000-message thread, page size 200, on both facades;
//! - peak RSS of a fresh process iterating 1k and 100k messages with acs-chat-blocking;
//! - with `--python <venv python>`, the official Python SDK 1.2.0 on the same sends and listing.
//!
//! `acs-bench users`: a server acting for many users (see `users.rs`).

mod affinity;
mod child;
mod python;
mod report;
mod users;
mod workloads;

use std::time::Duration;

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Settings from the command line.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) reps: usize,
    pub(crate) sends: usize,
    pub(crate) in_flight: usize,
    pub(crate) list: usize,
    pub(crate) rss_max: usize,
    pub(crate) python: Option<String>,
    /// Run only these workloads (for profiling); all when empty.
    pub(crate) only: Vec<String>,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Settings, BoxError> {
    let mut settings = Settings {
        reps: 3,
        sends: 2000,
        in_flight: 64,
        list: 10_000,
        rss_max: 100_000,
        python: None,
        only: Vec::new(),
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--reps" => settings.reps = value()?.parse()?,
            "--sends" => settings.sends = value()?.parse()?,
            "--in-flight" => settings.in_flight = value()?.parse()?,
            "--list" => settings.list = value()?.parse()?,
            "--rss-max" => settings.rss_max = value()?.parse()?,
            "--python" => settings.python = Some(value()?),
            "--only" => settings.only = value()?.split(',').map(str::to_string).collect(),
            "-h" | "--help" => {
                println!("acs-bench [--reps 3] [--sends 2000] [--in-flight 64] [--list 10000] [--rss-max 100000] [--python PATH] [--only raw,blocking,raw_reqwest,async,async64,list]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    Ok(settings)
}

/// One slice of a send workload: `sends` sends (`CONCURRENT_SLICE` times that in flight).
type SliceRun = Box<dyn Fn(&workloads::Setup, usize) -> Result<workloads::Run, BoxError>>;

/// How much longer a slice of the concurrent workload is: a short one measures its ramp-up
/// (threads spreading over both CPUs after unpinning) and its drain (the last requests with
/// fewer than 64 in flight): at 400 sends per slice it measured about a sixth slower.
const CONCURRENT_SLICE: usize = 10;

/// Slices per rep of each send workload.
const SLICES: usize = 10;

fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1).peekable();
    match args.peek().map(String::as_str) {
        Some("serve") => return child::serve(),
        Some("rss") => {
            args.next();
            return child::rss(args.collect());
        }
        Some("users") => {
            args.next();
            return users::run(args);
        }
        _ => {}
    }
    let settings = parse(args)?;
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; run with `cargo run --release -p acs-bench`");
    }
    let emulator = std::rc::Rc::new(child::Emulator::spawn()?);
    let server = emulator.clone();
    let setup =
        workloads::Setup::new(&emulator, &settings)?.with_server_cpu(move || server.cpu_seconds());
    let mut runs = report::Runs::default();
    let wanted = |name: &str| settings.only.is_empty() || settings.only.iter().any(|o| o == name);
    for rep in 0..settings.reps {
        eprintln!("rep {}/{}", rep + 1, settings.reps);
        affinity::separate(emulator.pid());
        // The send workloads run in interleaved slices, each taking turns going first, so that
        // a slow spell of this VM (they come and go within seconds) lands on all of them alike;
        // a rep adds up its slices. Sequential ones run pinned (client and emulator on separate
        // CPUs); 64 in flight runs unpinned: a concurrent workload has both CPUs to share
        // between the two processes (pinned, the client's two workers would time-share one).
        let in_flight = settings.in_flight;
        let mut workloads: Vec<(&str, bool, SliceRun)> = vec![
            ("raw", false, Box::new(workloads::raw_sends)),
            ("blocking", false, Box::new(workloads::blocking_sends)),
            ("raw_reqwest", false, Box::new(workloads::raw_reqwest_sends)),
            (
                "async",
                false,
                Box::new(|setup, sends| workloads::async_sends(setup, sends, 1)),
            ),
            (
                "async64",
                true,
                Box::new(move |setup, sends| {
                    workloads::async_sends(setup, sends * CONCURRENT_SLICE, in_flight)
                }),
            ),
        ];
        workloads.retain(|(name, _, _)| wanted(name));
        let mut totals: Vec<Option<workloads::Run>> = vec![None; workloads.len()];
        let slice = (settings.sends / SLICES).max(1);
        for turn in 0..SLICES {
            let count = workloads.len().max(1);
            for k in 0..workloads.len() {
                let i = (k + turn + rep) % count;
                let (_, unpinned, run) = &workloads[i];
                if *unpinned {
                    affinity::shared(emulator.pid());
                }
                let measured = run(&setup, slice)?;
                if *unpinned {
                    affinity::separate(emulator.pid());
                }
                totals[i] = Some(match totals[i] {
                    Some(total) => total.plus(measured),
                    None => measured,
                });
            }
        }
        for ((name, _, _), total) in workloads.iter().zip(totals) {
            if let Some(total) = total {
                runs.push(name, total);
            }
        }
        if wanted("list") {
            runs.push("list_blocking", workloads::blocking_list(&setup)?);
            runs.push("list_async", workloads::async_list(&setup)?);
        }
        if let Some(python) = &settings.python {
            let (sends, list) = python::run(python, &emulator, &setup)?;
            runs.push("python", sends);
            runs.push("list_python", list);
        }
        affinity::shared(emulator.pid());
        std::thread::sleep(Duration::from_millis(200));
    }
    let rss = if settings.only.is_empty() {
        workloads::rss(&emulator, &setup, settings.rss_max)?
    } else {
        Vec::new()
    };
    report::print(&settings, &runs, &rss);
    Ok(())
}
