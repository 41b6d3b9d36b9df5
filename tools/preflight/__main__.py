"""`python -m tools.preflight`: see tools/preflight/command.py."""

import sys

from tools.preflight.command import main

if __name__ == "__main__":
    sys.exit(main())
