//! Medians, ratios against the floor, and the goals of issue 9, printed as a Markdown table.

use crate::workloads::Run;
use crate::Settings;
use std::collections::BTreeMap;

/// Every run of every workload, by name.
#[derive(Default)]
pub(crate) struct Runs(BTreeMap<&'static str, Vec<Run>>);

impl Runs {
    pub(crate) fn push(&mut self, name: &'static str, run: Run) {
        eprintln!(
            "  {name:<14} {:>9.0}/s  {:>6.1} µs CPU/op",
            run.per_second(),
            run.cpu_micros_per_op()
        );
        self.0.entry(name).or_default().push(run);
    }

    /// The median emulator CPU per op of a workload.
    fn server_median(&self, name: &str) -> f64 {
        let mut values: Vec<f64> = self
            .0
            .get(name)
            .map(|runs| runs.iter().map(Run::server_cpu_micros_per_op).collect())
            .unwrap_or_default();
        values.sort_by(f64::total_cmp);
        values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
    }

    /// The median rate and the median CPU per op of a workload.
    fn median(&self, name: &str) -> Option<(f64, f64)> {
        let runs = self.0.get(name)?;
        let middle = |mut values: Vec<f64>| {
            values.sort_by(f64::total_cmp);
            values[values.len() / 2]
        };
        Some((
            middle(runs.iter().map(Run::per_second).collect()),
            middle(runs.iter().map(Run::cpu_micros_per_op).collect()),
        ))
    }
}

fn machine() -> String {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = crate::affinity::online_cpus();
    let date = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    format!("{date}, {model}, {cores} cores")
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "NOT met"
    }
}

pub(crate) fn print(settings: &Settings, runs: &Runs, rss: &[(usize, u64)]) {
    let get = |name| runs.median(name).unwrap_or((f64::NAN, f64::NAN));
    let (raw, raw_cpu) = get("raw");
    let (blocking, blocking_cpu) = get("blocking");
    let (seq, seq_cpu) = get("async");
    let (many, many_cpu) = get("async64");
    let (list_blocking, _) = get("list_blocking");
    let (list_async, _) = get("list_async");
    let python = runs.median("python");
    let list_python = runs.median("list_python");

    println!(
        "acs-bench: {}; {} sends per run, medians of {} interleaved reps; release build, emulator in a child process over loopback HTTPS; sequential workloads with client and emulator pinned to separate CPUs, 64 in flight unpinned",
        machine(),
        settings.sends,
        settings.reps
    );
    println!();
    println!("| client | send ops/s | vs raw floor | client CPU µs/op | CPU vs floor | emulator CPU µs/op |");
    println!("|---|---|---|---|---|---|");
    let row = |name: &str, key: &str, rate: f64, cpu: f64| {
        if rate.is_nan() {
            return;
        }
        let server = runs.server_median(key);
        let server = if server > 0.0 {
            format!("{server:.1}")
        } else {
            "–".into()
        };
        println!(
            "| {name} | {rate:.0} | {:.2} | {cpu:.1} | {:.2} | {server} |",
            rate / raw,
            cpu / raw_cpu,
        )
    };
    row(
        "raw ureq 3 loop, same request bytes (floor)",
        "raw",
        raw,
        raw_cpu,
    );
    row("acs-chat-blocking", "blocking", blocking, blocking_cpu);
    let (reqwest_raw, reqwest_cpu) = get("raw_reqwest");
    row(
        "raw reqwest loop in a task (diagnostic, not a goal)",
        "raw_reqwest",
        reqwest_raw,
        reqwest_cpu,
    );
    row(
        "acs-chat-async, awaited one at a time",
        "async",
        seq,
        seq_cpu,
    );
    row(
        &format!("acs-chat-async, {} in flight", settings.in_flight),
        "async64",
        many,
        many_cpu,
    );
    if let Some((rate, cpu)) = python {
        row("official Python SDK 1.2.0", "python", rate, cpu);
    }
    if !list_blocking.is_nan() {
        println!();
        println!(
            "| listing ({} messages, page 200) | items/s |",
            settings.list
        );
        println!("|---|---|");
        println!("| acs-chat-blocking | {list_blocking:.0} |");
        println!("| acs-chat-async | {list_async:.0} |");
        if let Some((rate, _)) = list_python {
            println!("| official Python SDK 1.2.0 | {rate:.0} |");
        }
    }
    println!();
    let rss_text: Vec<String> = rss
        .iter()
        .map(|(n, kb)| format!("{n} messages: {:.1} MB", *kb as f64 / 1024.0))
        .collect();
    println!(
        "Peak RSS of a fresh blocking client iterating: {}",
        rss_text.join(", ")
    );
    println!();
    println!("| goal | measured | |");
    println!("|---|---|---|");
    let goal = |text: &str, measured: String, met: bool| {
        println!("| {text} | {measured} | {} |", verdict(met))
    };
    goal(
        "blocking / raw floor ≥ 0.90",
        format!("{:.2}", blocking / raw),
        blocking / raw >= 0.90,
    );
    goal(
        "async sequential / raw floor ≥ 0.85",
        format!("{:.2}", seq / raw),
        seq / raw >= 0.85,
    );
    let worst_cpu = (blocking_cpu / raw_cpu).max(seq_cpu / raw_cpu);
    goal(
        "client CPU per request ≤ 1.3× the floor's (blocking, async sequential)",
        format!("{:.2}×, {:.2}×", blocking_cpu / raw_cpu, seq_cpu / raw_cpu),
        worst_cpu <= 1.3,
    );
    goal(
        &format!(
            "async {} in flight ≥ 4× sequential blocking",
            settings.in_flight
        ),
        format!("{:.2}×", many / blocking),
        many / blocking >= 4.0,
    );
    match list_python {
        Some((python_rate, _)) => goal(
            "listing ≥ 10× the Python SDK's items/s (blocking, async)",
            format!(
                "{:.1}×, {:.1}×",
                list_blocking / python_rate,
                list_async / python_rate
            ),
            list_blocking / python_rate >= 10.0 && list_async / python_rate >= 10.0,
        ),
        None => println!(
            "| listing ≥ 10× the Python SDK's items/s | not run here: `bench/python-sdk.sh` | |"
        ),
    }
    if let (Some((_, small)), Some((_, large))) = (rss.first(), rss.last()) {
        let mb = *large as f64 / 1024.0;
        goal(
            "peak RSS ≤ 8 MB and flat from 1k to the largest listing",
            format!("{:.1} MB → {mb:.1} MB", *small as f64 / 1024.0),
            mb <= 8.0 && (*large as f64) <= (*small as f64) * 1.25,
        );
    }
}
