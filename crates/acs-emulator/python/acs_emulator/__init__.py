"""acs-emulator: a local Azure Communication Services chat + identity service, from Python.

The wheel carries the ``acs-emulator`` binary; this package starts it for a test suite::

    from acs_emulator import AcsEmulator

    with AcsEmulator() as emulator:
        client = CommunicationIdentityClient.from_connection_string(emulator.connection_string)
        ...

Inside the ``with`` block ``REQUESTS_CA_BUNDLE`` and ``SSL_CERT_FILE`` name the emulator's CA
(what the official Python SDKs, on requests and aiohttp, need to trust it); they are restored
after. With pytest, the ``acs_emulator`` fixture (this package's plugin) gives one emulator for the
whole session.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

__all__ = ["AcsEmulator", "EmulatorError", "find_binary"]

# The environment variables the official SDKs read their CA bundle from (requests, aiohttp/ssl).
_CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")


class EmulatorError(RuntimeError):
    """The emulator could not be found or started; the message says why (its stderr included)."""


def find_binary() -> str:
    """The path of the ``acs-emulator`` binary: the one this wheel installed (the environment's
    scripts folder, then the user scheme's), else the first on ``PATH``.

    Raises :class:`EmulatorError` when there is none.
    """
    name = "acs-emulator" + (".exe" if sys.platform == "win32" else "")
    schemes = [sysconfig.get_path("scripts")]
    user_scheme = "nt_user" if os.name == "nt" else "posix_user"
    try:
        schemes.append(sysconfig.get_path("scripts", scheme=user_scheme))
    except KeyError:
        pass
    for folder in schemes:
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise EmulatorError(
        f"no {name} binary in {schemes[0]} or on PATH: install the acs-emulator wheel "
        "(pip install acs-emulator) in this environment"
    )


class AcsEmulator:
    """A running emulator, started on a free loopback port with a temporary cert dir (and,
    unless ``data_dir`` is given, state in memory). Use it as a context manager, or call
    :meth:`start` and :meth:`stop`.

    :param data_dir: keep state in this folder (``--data-dir``).
    :param faults: fault and latency rules in force from the start (the JSON object that
        ``PUT /emulator/faults`` takes, as a dict).
    :param seed: seed data created at start (the ``--seed`` file's JSON, as a dict): users,
        threads, messages, read receipts; :attr:`seeded` then has their ids and tokens.
    :param args: more command-line arguments for the binary (see ``python -m acs_emulator --help``).
    :param set_ca_environment: set ``REQUESTS_CA_BUNDLE`` / ``SSL_CERT_FILE`` to the CA while
        running (restored by :meth:`stop`).
    :param startup_timeout: seconds to wait for the emulator to serve.
    :param binary: the binary to run (default: :func:`find_binary`).
    """

    def __init__(
        self,
        *,
        data_dir: Optional[os.PathLike] = None,
        faults: Optional[Dict[str, Any]] = None,
        seed: Optional[Dict[str, Any]] = None,
        args: Sequence[str] = (),
        set_ca_environment: bool = True,
        startup_timeout: float = 30.0,
        binary: Optional[str] = None,
    ) -> None:
        self._data_dir = data_dir
        self._faults = faults
        self._seed = seed
        self._args = list(args)
        self._set_ca_environment = set_ca_environment
        self._startup_timeout = startup_timeout
        self._binary = binary
        self._process: Optional[subprocess.Popen] = None
        self._work: Optional[tempfile.TemporaryDirectory] = None
        self._saved_environment: Dict[str, Optional[str]] = {}
        self.record: Dict[str, Any] = {}

    # What a test needs, from the emulator's ready record.
    @property
    def connection_string(self) -> str:
        """``endpoint=https://127.0.0.1:PORT/;accesskey=KEY``."""
        return self.record["connectionString"]

    @property
    def endpoint(self) -> str:
        """``https://127.0.0.1:PORT`` (no trailing slash)."""
        return self.record["endpoint"]

    @property
    def access_key(self) -> str:
        """The access key (base64) identity requests are signed with."""
        return self.record["accessKey"]

    @property
    def ca_path(self) -> str:
        """The CA certificate (PEM) to trust."""
        return self.record["caCertificatePath"]

    @property
    def seeded(self) -> Optional[Dict[str, Any]]:
        """What the seed created: ``{"users": {NAME: {"id", "token", "expiresOn"}}, "threads":
        {NAME: {"id", "messages": [...]}}}``; ``None`` without a seed."""
        return self.record.get("seed")

    @property
    def console_url(self) -> str:
        """The web console (sign in with the access key)."""
        return self.record["consoleUrl"]

    def start(self) -> "AcsEmulator":
        """Starts the emulator and returns once it serves.

        Raises :class:`EmulatorError` if it exits or does not announce itself within
        ``startup_timeout`` seconds.
        """
        if self._process is not None:
            raise EmulatorError("this emulator is already running")
        self._work = tempfile.TemporaryDirectory(prefix="acs-emulator-")
        work = Path(self._work.name)
        command: List[str] = [
            self._binary or find_binary(),
            "--port", "0",
            "--cert-dir", str(work / "certs"),
            "--ready-json",
        ]
        if self._data_dir is not None:
            command += ["--data-dir", os.fspath(self._data_dir)]
        if self._faults is not None:
            faults = work / "faults.json"
            faults.write_text(json.dumps(self._faults), encoding="utf-8")
            command += ["--faults", str(faults)]
        if self._seed is not None:
            seed = work / "seed.json"
            seed.write_text(json.dumps(self._seed), encoding="utf-8")
            command += ["--seed", str(seed)]
        command += self._args
        stderr_path = work / "stderr.log"
        stderr = open(stderr_path, "wb")
        try:
            self._process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL
            )
        finally:
            stderr.close()
        line = self._first_line()
        if not line:
            why = stderr_path.read_text(encoding="utf-8", errors="replace").strip()
            self.stop()
            raise EmulatorError(f"acs-emulator did not start: {why or 'no message'}")
        self.record = json.loads(line)
        if self._set_ca_environment and self.record.get("caCertificatePath"):
            for name in _CA_VARIABLES:
                self._saved_environment[name] = os.environ.get(name)
                os.environ[name] = self.record["caCertificatePath"]
        return self

    def _first_line(self) -> str:
        """The first stdout line (the ready record), or "" when the process ends or the timeout
        passes first."""
        assert self._process is not None and self._process.stdout is not None
        got: List[bytes] = []
        reader = threading.Thread(
            target=lambda: got.append(self._process.stdout.readline()), daemon=True
        )
        reader.start()
        reader.join(self._startup_timeout)
        return got[0].decode("utf-8").strip() if got else ""

    def stop(self) -> None:
        """Stops the emulator (SIGTERM, then kill after 10 s) and restores the environment."""
        for name, value in self._saved_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_environment = {}
        process, self._process = self._process, None
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
        if self._work is not None:
            self._work.cleanup()
            self._work = None

    def __enter__(self) -> "AcsEmulator":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        # Never the access key or the connection string.
        endpoint = self.record.get("endpoint", "not started")
        return f"AcsEmulator(endpoint={endpoint!r})"
