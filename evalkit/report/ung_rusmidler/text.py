"""The report's text file (``text.yaml``): ``TXT("tables.ydelser.title")`` -> a bilingual label.

Local loader until the shared toolkit's ``report_text`` is merged (same call shape).

>>> TXT("tables.ydelser.title").en
'Services, by Logbog'
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from evalkit.report.model import T, Text


@cache
def _texts() -> dict[str, Any]:
    return yaml.safe_load((resources.files(__package__) / "text.yaml").read_text(encoding="utf-8"))


def TXT(key: str) -> Text:
    """The label at the dotted ``key`` of ``text.yaml`` (KeyError naming the key if absent)."""
    node: Any = _texts()
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"text.yaml of {__package__} has no {key!r}")
        node = node[part]
    return T(node["da"], node["en"])
