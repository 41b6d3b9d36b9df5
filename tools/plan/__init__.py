"""The offline plan: what a stack would deploy, computed without the Pulumi CLI, credentials or network.

`python -m tools.plan STACK` (command.py) runs the program under mocks (program.py, mocks.py) and
writes the plan files, the tool-config files (tool_files.py) and adoption's import.json (adoption.py),
with the quota and cost estimate (estimate.py) in its summary. `python -m tools.plan diff` is
tools.review's diff; `python -m tools.plan fill` fills the tool files from a real stack's outputs.
"""
