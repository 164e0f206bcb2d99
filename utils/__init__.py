"""Helpers shared by the gradient notebooks.

Importing the package imports TensorFlow with its start-up log lines hidden; every notebook
then calls :func:`setup` first. The public API:

- :func:`setup` - seeds, print precision, quiet logs, figure defaults (:mod:`utils.runtime`);
- :func:`numerical_gradient`, :func:`check_gradients`, :func:`relative_error`,
  :class:`GradientReport` - gradient checks (:mod:`utils.gradcheck`).
"""

from utils.runtime import import_tensorflow_quietly, setup

import_tensorflow_quietly()

from utils.gradcheck import (  # noqa: E402 - TensorFlow must be imported quietly first
    GradientReport,
    check_gradients,
    numerical_gradient,
    relative_error,
)

__all__ = [
    "GradientReport",
    "check_gradients",
    "numerical_gradient",
    "relative_error",
    "setup",
]
