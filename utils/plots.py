"""Figures that several lessons draw: a classifier's decision regions over 2-D data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap

#: One colour per class (colour-blind safe, from matplotlib's tab10 order), then markers.
CLASS_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")
CLASS_MARKERS = ("o", "s", "^", "D", "v", "P")


def _check_points(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(
            f"plot_decision_boundary(): x must have shape (n, 2), 2-D points; got {x.shape}."
        )
    if not np.issubdtype(x.dtype, np.floating) or not np.all(np.isfinite(x)):
        raise ValueError(
            "plot_decision_boundary(): x must hold finite floating-point numbers."
        )
    if y.shape != (len(x),):
        raise ValueError(
            f"plot_decision_boundary(): y must have shape ({len(x)},), one label per point; "
            f"got {y.shape}."
        )
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(
            f"plot_decision_boundary(): y must hold integer class labels, got dtype {y.dtype}. "
            "Cast with y.astype(int) if the values are whole numbers."
        )
    if y.size and (y.min() < 0 or y.max() >= len(CLASS_COLOURS)):
        raise ValueError(
            f"plot_decision_boundary(): labels must be 0 .. {len(CLASS_COLOURS) - 1}; "
            f"got values from {y.min()} to {y.max()}."
        )
    return x, y


def _classes(scores: np.ndarray, m: int) -> tuple[np.ndarray, int]:
    """(m,) probabilities of class 1, or (m, k) scores -> predicted class per point, and k."""
    if scores.shape == (m,) or scores.shape == (m, 1):
        p = scores.reshape(m)
        if np.any((p < 0) | (p > 1)):
            raise ValueError(
                "plot_decision_boundary(): a predict that returns one number per point must "
                "return the probability of class 1, in [0, 1]; got values from "
                f"{p.min():.3g} to {p.max():.3g}. Apply tf.sigmoid to logits first."
            )
        return (p >= 0.5).astype(int), 2
    if scores.ndim == 2 and scores.shape[0] == m and scores.shape[1] >= 2:
        return np.argmax(scores, axis=1), scores.shape[1]
    raise ValueError(
        "plot_decision_boundary(): predict(points) must return shape (m,) (probability of "
        f"class 1) or (m, k) (a score per class) for points of shape ({m}, 2); got "
        f"{scores.shape}."
    )


def plot_decision_boundary(
    ax: Axes,
    predict: Callable[[np.ndarray], Any],
    x: Any,
    y: Any,
    *,
    resolution: int = 200,
    padding: float = 0.5,
    title: str | None = None,
) -> Axes:
    """Shade the plane by the class a model predicts, and draw the labelled points on top.

    ``predict`` is called once, on a ``resolution x resolution`` grid that covers the points
    plus ``padding`` on every side. The region of each predicted class is shaded in its
    colour, the borders between regions are drawn as black lines, and the points are drawn
    with one colour and marker per true class (so misclassified points stand out).

    Args:
        ax: the matplotlib axes to draw on.
        predict: maps float32 points ``(m, 2)`` to either ``(m,)`` probabilities of class 1
            (a binary model after its sigmoid) or ``(m, k)`` scores, one per class (logits
            or probabilities; the largest wins). NumPy arrays or tensors.
        x: ``(n, 2)`` floating points.
        y: ``(n,)`` integer labels, 0 .. 5.
        resolution: grid points per axis, 10 to 1000.
        padding: margin round the points, in data units, >= 0.
        title: the axes' title; None leaves it unchanged.

    Returns:
        ``ax``, with equal aspect and axis labels ``$x_1$``, ``$x_2$``.

    Raises:
        ValueError, TypeError: a bad shape, dtype or label in ``x``/``y``, or ``predict``
            returned the wrong shape, non-finite numbers, or probabilities outside [0, 1].
    """
    x, y = _check_points(x, y)
    if isinstance(resolution, bool) or not isinstance(resolution, int):
        raise TypeError(
            f"plot_decision_boundary(): resolution must be an int, got {resolution!r}."
        )
    if not 10 <= resolution <= 1000:
        raise ValueError(
            f"plot_decision_boundary(): resolution must be 10 to 1000, got {resolution}."
        )
    if not padding >= 0:
        raise ValueError(
            f"plot_decision_boundary(): padding must be >= 0, got {padding}."
        )

    low = x.min(axis=0) - padding
    high = x.max(axis=0) + padding
    g1, g2 = np.meshgrid(
        np.linspace(low[0], high[0], resolution),
        np.linspace(low[1], high[1], resolution),
    )
    grid = np.stack([g1.ravel(), g2.ravel()], axis=1).astype(np.float32)
    scores = np.asarray(predict(grid), dtype=np.float64)
    if not np.all(np.isfinite(scores)):
        raise ValueError(
            "plot_decision_boundary(): predict returned NaN or inf on the grid; check the "
            "model's weights (a diverged training run?)."
        )
    predicted, k = _classes(scores, len(grid))
    n_classes = max(k, int(y.max()) + 1 if y.size else 0)
    if n_classes > len(CLASS_COLOURS):
        raise ValueError(
            f"plot_decision_boundary(): at most {len(CLASS_COLOURS)} classes, got {n_classes}."
        )
    cmap = ListedColormap(CLASS_COLOURS[:n_classes])
    regions = predicted.reshape(g1.shape)
    levels = np.arange(n_classes + 1) - 0.5
    ax.contourf(g1, g2, regions, levels=levels, cmap=cmap, alpha=0.25)
    ax.contour(g1, g2, regions, levels=levels[1:-1], colors="black", linewidths=1.0)
    for label in range(n_classes):
        mine = y == label
        if mine.any():
            ax.scatter(
                x[mine, 0],
                x[mine, 1],
                c=CLASS_COLOURS[label],
                marker=CLASS_MARKERS[label],
                s=22,
                edgecolors="white",
                linewidths=0.5,
                label=f"class {label}",
            )
    ax.set(
        xlim=(low[0], high[0]), ylim=(low[1], high[1]), xlabel="$x_1$", ylabel="$x_2$"
    )
    ax.set_aspect("equal")
    if title is not None:
        ax.set_title(title)
    return ax
