"""What every test shares.

- ``utils`` is imported before any test module, so that TensorFlow is imported the quiet way
  (its start-up log lines hidden) whatever a test file imports first; figures are drawn with
  matplotlib's Agg backend, which needs no display.
- ``@pytest.mark.needs_install`` marks a test of what ``make install`` adds to ``.venv``
  (the Lab's settings and save hook); elsewhere it is skipped, with that reason.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

import utils  # noqa: F401 - before TensorFlow; see the module docstring

#: The stamp ``make install`` writes into the environment when its set-up is complete.
INSTALLED = Path(sys.prefix) / ".installed"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if INSTALLED.exists():
        return
    skip = pytest.mark.skip(
        reason="checks what `make install` adds to .venv; this environment was not set up by it"
    )
    for item in items:
        if item.get_closest_marker("needs_install"):
            item.add_marker(skip)
