"""The review tools: the offline plan diff (plan_diff.py, with the providers' replacement facts in
replacement.py) and the comment it becomes on a fork's pull request (diff_comment.py).

Standard library only. offline-diff-comment.yml runs `python3 -m tools.review.diff_comment` with the
runner's own Python and a token that can write to pull requests, installing nothing; so every module
here imports only the standard library, tools.review and tools.diagrams (standard library only too),
and neither tools/__init__.py nor this file imports anything.
tests/tools/review/test_standard_library.py imports them under `python -I -S` (no site-packages).
"""
