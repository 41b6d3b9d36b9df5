"""Helm chart values: a user's overrides merged over the values a platform chooses for a chart."""

from __future__ import annotations

import copy
from typing import Any


def merge_values(defaults: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """`overrides` deep-merged over `defaults`: maps merge key by key, anything else is replaced.

    A null override stays null, which Helm reads as "drop the chart's default".
    """
    merged = copy.deepcopy(defaults)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_values(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
