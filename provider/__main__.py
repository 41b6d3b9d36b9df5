"""The tkg-aws component package's plugin: hosts components/package's components for any Pulumi language.

Pulumi runs this file when a program that added the package (`pulumi package add`) asks for its schema
or constructs one of its components. The schema is inferred from the components' annotations; its
version is the project's (the VERSION file).
"""

import sys
from pathlib import Path

# The components live in the repository beside this folder; the plugin runs from its own directory.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi.provider.experimental import component_provider_host

from components import __version__
from components.package import COMPONENTS
from components.package.building import PACKAGE_NAME

if __name__ == "__main__":
    component_provider_host(COMPONENTS, name=PACKAGE_NAME, version=__version__)
