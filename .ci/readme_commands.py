#!/usr/bin/env python3
"""Runs every command the README shows, the way a reader would, and fails on any it does not know.

Commands are the lines of ```sh blocks and the `cargo ...` / `bash ...` code spans of the prose.
Each must have an entry in HOW below: run as written, run with a stated change (only ever to make
it shorter or to point "your resource" at a standalone emulator), checked to be a step of
.ci/run, or checked against what the program itself prints. A README command with no entry fails
this script: wire it here when you add one.

The standalone emulator is the README's own `cargo run -p acs-emulator -- --port 8443 ...`
command, started with HOME set to a scratch folder; it plays the reader's resource for the
"now against your resource" block and the echo bot.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
CI_RUN = os.path.join(ROOT, ".ci", "run")

# A short run instead of the measured one: the command must work, the numbers come from the
# README's own runs.
SHORT_BENCH = "--reps 1 --sends 200 --list 1000 --rss-max 2000"

RESOURCE_ENDPOINT = "https://<resource>.communication.azure.com"
RESOURCE_CONNECTION = "endpoint=https://<resource>.communication.azure.com/;accesskey=<key>"

# command -> (kind, detail). Kinds: run, run-with (detail: the command run instead), ci-step
# (detail: the text .ci/run must contain), server (the standalone emulator), az (checked against
# the echo bot's own output).
HOW = {
    "cargo run --example quickstart": ("run", None),
    "cargo test --workspace": ("ci-step", 'cargo test --workspace 2>&1 | tee target/ci-test.log'),
    f"export AZURE_COMMUNICATION_SERVICE_ENDPOINT={RESOURCE_ENDPOINT}": ("env", None),
    f'export COMMUNICATION_SAMPLES_CONNECTION_STRING="{RESOURCE_CONNECTION}"': ("env", None),
    "cargo run --example chat_thread_client_sample_async": ("run", None),
    "cargo run -p acs-emulator -- --port 8443 --data-dir ~/.acs-emulator/data": ("server", None),
    "cargo run -p acs-emulator -- --help": ("run", None),
    "az eventgrid event-subscription create --name echo-bot --source-resource-id $(az communication show --name <resource> --resource-group <group> --query id -o tsv) --endpoint https://<public-host>/api/events --included-event-types Microsoft.Communication.ChatMessageReceived": ("az", None),
    "cargo run --release -p acs-bench": ("run-with", f"cargo run --release -p acs-bench -- {SHORT_BENCH}"),
    "bash bench/python-sdk.sh --reps 9": ("run-with", f"bash bench/python-sdk.sh {SHORT_BENCH}"),
    "bash bench/instructions.sh": ("run", None),
    "cargo run --release -p acs-bench -- --help": ("run", None),
    "cargo run --release -p acs-bench -- users": ("run-with", "cargo run --release -p acs-bench -- users --users 100 --constructions 20 --reps 1"),
    "FAULT_RUN_OPS=1000 cargo test -p acs-chat-workspace --test blocking --test async exactly_once -- --nocapture": ("run", None),
    "FAULT_RUN_OPS=1000 FAULT_RUN_UNKEYED=1 cargo test -p acs-chat-workspace --test blocking --test async exactly_once -- --nocapture": ("run", None),
    "cargo bench -p acs-emulator --bench throughput": ("run", None),
    "cargo run --example echo_bot": ("run", None),
    "cargo run --example entra_identity": ("run", None),
    "cargo tree -p acs-chat-async -e normal": ("run", None),
    "cargo build -p acs-chat-async": ("run", None),
    "cargo run --example entra_identity_async": ("run", None),
    "cargo fmt --check": ("ci-step", "cargo fmt --all -- --check"),
    "cargo package": ("ci-step", "cargo package -p acs-chat-core -p acs-chat-blocking -p acs-chat-async"),
    "cargo doc": ("ci-step", 'RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps'),
    "bash conformance/python-wheel.sh": ("ci-step", "bash conformance/python-wheel.sh | tee target/ci-python-wheel.log"),
}


def readme_commands(text):
    """(command, line) for each shell-block line and each cargo/bash code span of the prose."""
    found = []
    in_block = False
    pending = ""
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            in_block = line.strip() in ("```sh", "```bash", "```shell") and not in_block
            continue
        if in_block:
            code = re.sub(r"\s+#\s.*$", "", line).strip()
            if not code:
                continue
            if code.endswith("\\"):
                pending += code[:-1].strip() + " "
                continue
            found.append((pending + code, number))
            pending = ""
    # Code spans may wrap over a line break.
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    for match in re.finditer(r"`((?:cargo|bash) [^`]+)`", prose):
        command = " ".join(match.group(1).split())
        number = text.count("\n", 0, text.find(match.group(0))) + 1
        found.append((command, number))
    return found


def run(command, env, timeout=3600):
    print(f"--- {command}", flush=True)
    done = subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        print(done.stdout[-4000:])
        sys.exit(f"README command failed ({done.returncode}): {command}")
    return done.stdout


def main():
    commands = readme_commands(open(README, encoding="utf-8").read())
    unknown = [(c, n) for c, n in commands if c not in HOW]
    for command, number in unknown:
        print(f"README.md:{number}: `{command}` is not exercised: add it to .ci/readme_commands.py")
    if unknown:
        sys.exit(1)
    ci = open(CI_RUN, encoding="utf-8").read()
    home = tempfile.mkdtemp(prefix="readme-home-")
    env = dict(os.environ, HOME=home, CARGO_HOME=os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo")),
               RUSTUP_HOME=os.environ.get("RUSTUP_HOME", os.path.expanduser("~/.rustup")))
    for key in ("AZURE_COMMUNICATION_SERVICE_ENDPOINT", "COMMUNICATION_SAMPLES_CONNECTION_STRING"):
        env.pop(key, None)

    # The standalone emulator first: later commands use it as "your resource".
    server_command = next(c for c, _ in commands if HOW[c][0] == "server")
    print(f"--- {server_command} (kept running as the reader's resource)", flush=True)
    subprocess.run(["cargo", "build", "--quiet", "-p", "acs-emulator"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(["bash", "-c", f"exec {server_command}"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    first_line = server.stdout.readline().strip()
    expected = re.compile(r"^endpoint=https://127\.0\.0\.1:8443/;accesskey=\S+$")
    if not expected.match(first_line):
        server.kill()
        sys.exit(f"the emulator's first stdout line is {first_line!r}, not endpoint=https://127.0.0.1:8443/;accesskey=...")
    print(first_line)
    endpoint = "https://127.0.0.1:8443"
    resource_env = dict(env, ACS_CHAT_CA_CERTIFICATE_FILE=os.path.join(home, ".acs-emulator", "ca.pem"))
    try:
        seen = set()
        for command, number in commands:
            if command in seen:
                continue
            seen.add(command)
            kind, detail = HOW[command]
            if kind == "ci-step":
                if detail not in ci:
                    sys.exit(f"README.md:{number}: `{command}` is said to be run by .ci/run, which lacks `{detail}`")
                print(f"--- {command}: run by .ci/run ({detail})")
            elif kind == "env":
                name, value = command[len("export "):].split("=", 1)
                value = value.strip('"').replace(RESOURCE_CONNECTION, first_line).replace(RESOURCE_ENDPOINT, endpoint)
                resource_env[name] = value
                print(f"--- {command}: set to the standalone emulator ({name}={value.split(';')[0]}...)")
            elif kind == "run":
                # The block that exported the resource's variables runs against it.
                uses_resource = command == "cargo run --example chat_thread_client_sample_async"
                output = run(command, resource_env if uses_resource else env)
                if uses_resource and "using a local acs-emulator" in output:
                    sys.exit(f"`{command}` ignored the exported resource and embedded an emulator")
            elif kind == "run-with":
                print(f"    (README: `{command}`; run shorter)")
                run(detail, env)
            elif kind == "server":
                pass
            elif kind == "az":
                check_az_command(command, resource_env, first_line, endpoint)
    finally:
        server.send_signal(signal.SIGINT)
        code = server.wait(timeout=30)
        if code != 0:
            sys.exit(f"the emulator did not stop cleanly on Ctrl-C ({code})")
    print(f"readme-commands: {len(set(c for c, _ in commands))} commands exercised")


def check_az_command(command, env, connection_string, endpoint):
    """The az command needs an Azure subscription; the echo bot prints it when pointed at a real
    resource. Point it at the standalone emulator and compare."""
    print(f"--- {command[:60]}...: compared with what `cargo run --example echo_bot` prints for a resource")
    subprocess.run(["cargo", "build", "--quiet", "--example", "echo_bot"], cwd=ROOT, env=env, check=True)
    bot_env = dict(env, AZURE_COMMUNICATION_SERVICE_ENDPOINT=endpoint,
                   COMMUNICATION_SAMPLES_CONNECTION_STRING=connection_string, ECHO_BOT_PORT="0")
    bot = subprocess.Popen(["cargo", "run", "--quiet", "--example", "echo_bot"], cwd=ROOT, env=bot_env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    printed = ""
    try:
        for line in bot.stdout:
            printed += line
            if "--included-event-types" in line:
                break
    finally:
        bot.send_signal(signal.SIGINT)
        try:
            bot.wait(timeout=20)
        except subprocess.TimeoutExpired:
            bot.kill()
    start = printed.find("az eventgrid")
    shown = " ".join(printed[start:].replace("\\\n", " ").split())
    if start < 0 or shown != command:
        sys.exit(f"the echo bot prints\n{shown}\nthe README says\n{command}")


if __name__ == "__main__":
    main()
