"""What the set-up (`make install`, run by `make lab` and `make test`) leaves in the environment
besides the packages: bytecode for what the course imports, and the Lab's settings overrides."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAB = Path(sys.prefix) / "share" / "jupyter" / "lab"

# The stamp `make install` writes into the environment when its set-up is complete.
if not (Path(sys.prefix) / ".installed").exists():
    pytest.skip(
        "checks what `make install` adds to .venv (bytecode, the Lab's settings); "
        "this environment was not set up by it",
        allow_module_level=True,
    )


def test_import_utils_loads_from_bytecode_even_where_writing_it_is_off() -> None:
    """With PYTHONDONTWRITEBYTECODE=1 (CI, containers), Python never writes a .pyc itself; the
    set-up must have written them, or every kernel compiles TensorFlow's sources again."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPYCACHEPREFIX", None)
    result = subprocess.run(
        [sys.executable, "tools/bytecode.py", "report", "--min", "0.95"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "have a current .pyc" in result.stdout


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
