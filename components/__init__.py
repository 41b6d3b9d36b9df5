"""The tkg-aws program: config, components and the composition root (stack.build).

`__version__` is the project's one version, read from the VERSION file at the repository root: the
component package (provider/, components/package/) reports it as its schema version, and a release
is the git tag `v<VERSION>` that `pulumi package add <repository>/provider@v<VERSION>` names.
"""

from pathlib import Path

__version__ = (Path(__file__).resolve().parent.parent / "VERSION").read_text().strip()
