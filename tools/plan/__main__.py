"""`python -m tools.plan`: see tools/plan/command.py."""

import sys

from tools.plan.command import main

if __name__ == "__main__":
    sys.exit(main())
