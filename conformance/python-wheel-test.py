"""The acs-emulator wheel from a Python test suite, with no Rust on this side: the official SDK
samples (azure-communication-chat 1.2.0's, unmodified) run against the emulator that the wheel's
pytest fixture starts; the helper's context manager with fault rules makes the official identity
SDK meet a 429 and recover; `python -m acs_emulator` is the binary."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from acs_emulator import AcsEmulator, EmulatorError

SAMPLES = Path(os.environ["CHAT_SAMPLES_DIR"])


@pytest.mark.parametrize(
    "sample",
    [
        "chat_client_sample.py",
        "chat_client_sample_async.py",
        "chat_thread_client_sample.py",
        "user_credential_sample.py",
        "user_credential_sample_async.py",
    ],
)
def test_official_sample(acs_emulator, sample):
    env = dict(
        os.environ,
        COMMUNICATION_SAMPLES_CONNECTION_STRING=acs_emulator.connection_string,
        AZURE_COMMUNICATION_SERVICE_ENDPOINT=acs_emulator.endpoint,
    )
    # The fixture already points REQUESTS_CA_BUNDLE / SSL_CERT_FILE at the emulator's CA.
    assert env["REQUESTS_CA_BUNDLE"] == acs_emulator.ca_path
    done = subprocess.run(
        [sys.executable, sample], cwd=SAMPLES, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def test_a_throttled_identity_call_is_retried_by_the_official_sdk():
    from azure.communication.identity import CommunicationIdentityClient

    faults = {"rules": [{"route": "POST /identities", "fault": "throttle",
                         "retryAfterSeconds": 1, "times": 1}]}
    with AcsEmulator(faults=faults) as emulator:
        client = CommunicationIdentityClient.from_connection_string(emulator.connection_string)
        started = time.monotonic()
        user = client.create_user()
        assert time.monotonic() - started >= 1.0, "Retry-After was not waited"
        assert user.properties["id"].startswith("8:acs:")


def test_seed_data_is_there_for_the_official_sdk():
    from azure.communication.chat import ChatClient, CommunicationTokenCredential

    seed = {
        "users": [{"name": "alice"}, {"name": "bob"}],
        "threads": [{"name": "t", "topic": "Seeded", "createdBy": "alice",
                     "participants": ["bob"], "messages": [{"from": "bob", "content": "hi"}]}],
    }
    with AcsEmulator(seed=seed) as emulator:
        alice = emulator.seeded["users"]["alice"]
        chat = ChatClient(emulator.endpoint, CommunicationTokenCredential(alice["token"]))
        assert [t.topic for t in chat.list_chat_threads()] == ["Seeded"]
        thread = chat.get_chat_thread_client(emulator.seeded["threads"]["t"]["id"])
        texts = [m.content.message for m in thread.list_messages() if m.type == "text"]
        assert texts == ["hi"]


def test_a_bad_start_names_the_reason():
    with pytest.raises(EmulatorError, match="probability"):
        AcsEmulator(faults={"rules": [{"route": "*", "fault": "drop", "probability": 2}]}).start()


def test_python_dash_m_runs_the_binary():
    done = subprocess.run(
        [sys.executable, "-m", "acs_emulator", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "--ready-file" in done.stdout and "/health" in done.stdout
