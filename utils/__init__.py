"""Helpers shared by the gradient notebooks.

Importing the package imports TensorFlow with its start-up log lines hidden; every notebook
then calls :func:`setup` first. The public API:

- :func:`setup` - seeds, print precision, quiet logs, figure defaults (:mod:`utils.runtime`);
- :func:`numerical_gradient`, :func:`check_gradients`, :func:`relative_error`,
  :class:`GradientReport` - gradient checks (:mod:`utils.gradcheck`);
- :func:`check_answer` - an exercise's check, saying what is wrong with a wrong answer
  (:mod:`utils.answers`);
- :func:`softmax_mse_grads` - the hand-derived gradient of lessons 02 and 05
  (:mod:`utils.backprop`);
- :func:`blobs`, :func:`moons` - seeded 2-D data sets (:mod:`utils.data`);
- :func:`plot_decision_boundary` - a classifier's regions over its data, and
  :func:`draw_graph` - a computational graph with values and gradients (:mod:`utils.plots`);
- :mod:`utils.backprop` - backpropagation by hand for an MLP (``utils.backprop.loss_and_grads``).
"""

from utils.runtime import import_tensorflow_quietly, setup

import_tensorflow_quietly()

# TensorFlow must be imported quietly (above) before these modules import it.
# ruff: noqa: E402
from utils import backprop
from utils.answers import check_answer
from utils.backprop import softmax_mse_grads
from utils.data import blobs, moons
from utils.gradcheck import (
    GradientReport,
    check_gradients,
    numerical_gradient,
    relative_error,
)
from utils.plots import draw_graph, plot_decision_boundary

__all__ = [
    "GradientReport",
    "backprop",
    "blobs",
    "check_answer",
    "check_gradients",
    "draw_graph",
    "moons",
    "numerical_gradient",
    "plot_decision_boundary",
    "relative_error",
    "setup",
    "softmax_mse_grads",
]
