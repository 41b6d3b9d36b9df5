"""moto's server (`python -m moto.server`), with two of its per-request lookups made once.

    python tests/tools/preflight/moto_server.py -H 127.0.0.1 -p PORT

For every request moto lists its own package folder from disk, to tell a service name from a host
name, and inspects the answering class for its method names. Neither changes while the server runs,
and the two were about half of moto's time per call (3 ms of 7), paid on the machine the tests run
on. Answers are the same. Should moto rename either helper, the server runs as it is, only slower
(test_emulator.py checks that the names are still there).
"""

from __future__ import annotations

import functools
import sys

from moto import backends
from moto.core import responses
from moto.server import main

# The names patched: moto.backends.list_of_moto_modules, moto.core.responses.method_names_from_class.
PATCHED = (
    (backends, "list_of_moto_modules"),
    (responses, "method_names_from_class"),
)


def _remember_lookups() -> None:
    if hasattr(backends, "list_of_moto_modules"):
        modules = tuple(backends.list_of_moto_modules())
        backends.list_of_moto_modules = lambda: modules
    if hasattr(responses, "method_names_from_class"):
        responses.method_names_from_class = functools.cache(responses.method_names_from_class)


if __name__ == "__main__":
    _remember_lookups()
    main(sys.argv[1:])
