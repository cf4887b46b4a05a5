"""``python -m acs_emulator [ARGS]``: runs the acs-emulator binary this wheel installed."""

import os
import subprocess
import sys

from . import EmulatorError, find_binary


def main() -> int:
    try:
        binary = find_binary()
    except EmulatorError as error:
        print(f"acs-emulator: {error}", file=sys.stderr)
        return 2
    if os.name == "posix":
        # The binary takes this process's place: signals (Ctrl-C, SIGTERM) reach it directly.
        os.execv(binary, [binary, *sys.argv[1:]])
    return subprocess.call([binary, *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
