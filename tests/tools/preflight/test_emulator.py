"""The emulator's launcher (moto_server.py) still finds the moto helpers it makes run once: if moto
renamed one, the tests would still pass, only each call would cost twice the time."""

from __future__ import annotations

import inspect


def test_the_helpers_the_launcher_remembers_are_still_moto_s() -> None:
    # Imported here: the other worker collects this file too, and never starts moto.
    from moto.core.responses import BaseResponse

    from tests.tools.preflight.moto_server import PATCHED

    for module, name in PATCHED:
        assert callable(getattr(module, name, None)), f"{module.__name__}.{name}"
    (modules_module, list_modules), (_, method_names) = PATCHED
    assert "ec2" in set(getattr(modules_module, list_modules)())
    # The responses module calls it by that name, with the response class: what the cache keys on.
    assert f"{method_names}(self.__class__)" in inspect.getsource(BaseResponse)
