"""Preflight: read-only checks of a stack's real accounts before its first `pulumi up`.

`python -m tools.preflight STACK` (command.py) plans the stack offline and runs the per-account
checks (account.py, quotas.py, existing.py, permissions.py, and the platforms' openshift.py, gpu.py,
outposts.py) through boto3 clients made from the stack's `aws:` settings (aws_session.py), reporting
rows (report.py). `python -m tools.preflight.vsphere STACK` checks a vSphere Supervisor.
"""
