//! CPU placement. On a 2-core machine the scheduler decides, run by run, whether the client and
//! the emulator share a core, and sequential request/response ping-pong swings ±15 % with it.
//! Sequential workloads therefore run with the client on CPU 0 and the emulator on CPU 1 (as if
//! the server were another machine); concurrent workloads run unpinned, on every core.

use std::fs;

/// Restricts every thread of process `pid` to `cpus` (an empty list: every CPU).
fn pin(pid: u32, cpus: &[usize]) {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return;
    };
    // SAFETY: a zeroed cpu_set_t is a valid empty set; CPU_SET only writes inside it.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    let every = online_cpus();
    let wanted: Vec<usize> = if cpus.is_empty() {
        (0..every).collect()
    } else {
        cpus.to_vec()
    };
    for cpu in wanted {
        unsafe { libc::CPU_SET(cpu, &mut set) };
    }
    for task in tasks.flatten() {
        if let Some(tid) = task
            .file_name()
            .to_str()
            .and_then(|t| t.parse::<i32>().ok())
        {
            // SAFETY: sched_setaffinity reads `set` only; a thread that exited meanwhile fails
            // harmlessly.
            unsafe { libc::sched_setaffinity(tid, std::mem::size_of::<libc::cpu_set_t>(), &set) };
        }
    }
}

/// The machine's online CPUs (not this thread's affinity, which `separate` narrows).
pub(crate) fn online_cpus() -> usize {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
    usize::try_from(n).unwrap_or(1).max(1)
}

/// Client on CPU 0, emulator on CPU 1 (when there are two or more CPUs).
pub(crate) fn separate(emulator_pid: u32) {
    if online_cpus() >= 2 {
        pin(std::process::id(), &[0]);
        pin(emulator_pid, &[1]);
    }
}

/// Both processes on every CPU.
pub(crate) fn shared(emulator_pid: u32) {
    pin(std::process::id(), &[]);
    pin(emulator_pid, &[]);
}
