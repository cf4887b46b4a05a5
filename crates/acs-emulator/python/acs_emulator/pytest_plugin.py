"""The pytest fixture of acs-emulator (registered through the ``pytest11`` entry point).

``acs_emulator``: one emulator for the test session, started on first use, with
``REQUESTS_CA_BUNDLE`` / ``SSL_CERT_FILE`` pointing at its CA while it runs::

    def test_create_thread(acs_emulator):
        identity = CommunicationIdentityClient.from_connection_string(acs_emulator.connection_string)
        ...
"""

from typing import Iterator

import pytest

from . import AcsEmulator


@pytest.fixture(scope="session")
def acs_emulator() -> Iterator[AcsEmulator]:
    """A running acs-emulator for the session (in memory; see :class:`acs_emulator.AcsEmulator`)."""
    with AcsEmulator() as emulator:
        yield emulator
