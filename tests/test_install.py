"""What the set-up (`make install`, run by `make lab` and `make test`) leaves in the environment
besides the packages: bytecode for what the course imports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
