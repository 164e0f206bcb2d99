"""What the set-up (`make install`, run by `make lab` and `make test`) leaves in the environment
besides the packages: the Lab's settings overrides and its save hook."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tools.course import ROOT

LAB = Path(sys.prefix) / "share" / "jupyter" / "lab"

pytestmark = pytest.mark.needs_install


def test_lab_overrides_turn_off_the_news_prompt_with_settings_that_exist() -> None:
    """The overrides file is installed where JupyterLab reads it, and every value it sets is
    valid in this JupyterLab's own settings schema (a renamed setting would be ignored)."""
    overrides = json.loads(
        (LAB / "settings" / "overrides.json").read_text(encoding="utf-8")
    )
    assert overrides == json.loads(
        (ROOT / "tools" / "lab_overrides.json").read_text("utf-8")
    )
    for plugin, values in overrides.items():
        package, name = plugin.split(":")
        schema = json.loads(
            (LAB / "schemas" / package / f"{name}.json").read_text("utf-8")
        )
        for key, value in values.items():
            spec = schema["properties"][key]
            allowed = [choice["const"] for choice in spec.get("oneOf", [])]
            assert value in allowed if allowed else isinstance(value, bool), (
                plugin,
                key,
                value,
            )
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification["fetchNews"] == "false"
    assert notification["checkForUpdates"] is False
