"""Figures that several lessons draw: a classifier's decision regions over 2-D data, and a
computational graph with its forward values and gradients."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Circle

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


#: A graph node's radius, in data units.
NODE_RADIUS = 0.45


def _layered(edges: Sequence[tuple[str, str, str]]) -> dict[str, tuple[float, float]]:
    """Columns by depth (a child right of its deepest parent, a leaf left of its leftmost
    child), rows 0, 1, -1, 2, -2, ... within a column: computed nodes first, then leaves."""
    children = {child for _, child, _ in edges}
    column: dict[str, int] = {}
    for parent, child, _ in edges:  # in the order the operations ran
        column[child] = max(column.get(child, 0), column.get(parent, 0) + 1)
    leaves = [n for edge in edges for n in edge[:2] if n not in children]
    for leaf in dict.fromkeys(leaves):
        column[leaf] = min(column[c] for p, c, _ in edges if p == leaf) - 1
    taken: Counter[int] = Counter()
    place = {}
    for name, col in column.items():
        k = taken[col]  # the k-th node of its column goes to row 0, 1, -1, 2, -2, ...
        taken[col] += 1
        place[name] = (2.4 * col, 1.4 * ((k + 1) // 2) * (1 if k % 2 else -1))
    return place


def draw_graph(
    ax: Axes,
    edges: Sequence[tuple[str, str, str]],
    nodes: Mapping[str, tuple[str, str]],
    *,
    labels: Mapping[str, str] | None = None,
    positions: Mapping[str, tuple[float, float]] | None = None,
    meaning: tuple[str, str] = ("on an arrow", "under a node"),
    title: str | None = None,
) -> Axes:
    """Draw a computational graph: a circle per node, an arrow from each parent to its child.

    Leaves (nodes that are no edge's child) are grey, computed nodes white. Inside each
    circle are the node's label and its forward value; under it, in red, its gradient text;
    on each arrow, in blue, the edge's text. An edge listed twice (the two factors of
    ``d * d``) is drawn as two arcs, each with its own text.

    Args:
        ax: the matplotlib axes to draw on.
        edges: ``(parent, child, text)`` per edge, in the order the operations ran; ``text``
            may be empty or have two lines.
        nodes: ``name -> (value, gradient)``, the two texts shown for each node; every name
            in ``edges`` must be here.
        labels: ``name -> label`` shown in the circle (mathtext allowed); by default the
            name.
        positions: ``name -> (x, y)``, each node's centre in data units (circles have
            radius ``NODE_RADIUS``); by default a layered layout, each child a column
            right of its deepest parent and each leaf a column left of its leftmost child.
        meaning: what the blue and the red texts say, for the legend under the graph.
        title: the axes' title; None leaves it unchanged.

    Returns:
        ``ax``, with equal aspect and no axis lines.

    Raises:
        ValueError: no edges, an edge naming a node missing from ``nodes``, or a node
            without a position.
    """
    if not edges:
        raise ValueError(
            "draw_graph(): edges is empty; give at least one (parent, child, text)."
        )
    for parent, child, _ in edges:
        for name in (parent, child):
            if name not in nodes:
                raise ValueError(
                    f"draw_graph(): the edge ({parent!r}, {child!r}) names {name!r}, which "
                    "nodes does not have; give every node a (value, gradient) text."
                )
    place = _layered(edges) if positions is None else dict(positions)
    missing = [name for name in nodes if name not in place]
    if missing:
        raise ValueError(
            f"draw_graph(): no position for {missing}; give positions for every node, or "
            "positions=None for the layered layout."
        )
    children = {child for _, child, _ in edges}
    centred = {"ha": "center", "va": "center"}
    for name, (value, grad) in nodes.items():
        x, y = place[name]
        fill = "white" if name in children else "0.88"
        ax.add_patch(Circle((x, y), NODE_RADIUS, fc=fill, ec="black"))
        label = name if labels is None else labels.get(name, name)
        ax.text(x, y + 0.14, label, fontsize=12, **centred)
        ax.text(x, y - 0.16, value, fontsize=10, **centred)
        ax.text(
            x,
            y - NODE_RADIUS - 0.06,
            grad,
            color="tab:red",
            fontsize=10,
            fontweight="bold",
            ha="center",
            va="top",
        )
    listed = Counter((parent, child) for parent, child, _ in edges)
    seen: Counter[tuple[str, str]] = Counter()
    for parent, child, text in edges:
        seen[parent, child] += 1  # a repeated edge's arcs bend one way, then the other
        bend = 0.0 if listed[parent, child] == 1 else 0.35 * (-1) ** seen[parent, child]
        start, end = np.array(place[parent]), np.array(place[child])
        along = (end - start) / np.linalg.norm(end - start)
        start, end = start + NODE_RADIUS * along, end - NODE_RADIUS * along
        ax.annotate(
            "",
            xy=end,
            xytext=start,
            arrowprops={
                "arrowstyle": "-|>",
                "color": "0.35",
                "connectionstyle": f"arc3,rad={bend}",
            },
        )
        if text:
            # an arc's middle lies bend * length off the chord, to the right of its direction
            middle = (start + end) / 2 + bend * np.linalg.norm(end - start) * np.array(
                [along[1], -along[0]]
            ) / 2
            ax.text(
                *middle,
                text,
                color="tab:blue",
                fontsize=9.5,
                bbox={"fc": "white", "ec": "none", "pad": 1},
                **centred,
            )
    circle = {"ls": "", "marker": "o", "ms": 10, "mec": "black"}
    square = {"ls": "", "marker": "s"}
    handles = [
        Line2D([], [], mfc="0.88", label="leaf: name, forward value", **circle),
        Line2D([], [], mfc="white", label="computed: name, forward value", **circle),
        Line2D([], [], color="tab:blue", label=meaning[0], **square),
        Line2D([], [], color="tab:red", label=meaning[1], **square),
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=2,
        fontsize=9.5,
        frameon=False,
    )
    xs, ys = zip(*(place[name] for name in nodes), strict=True)
    ax.set(xlim=(min(xs) - 0.7, max(xs) + 0.7), ylim=(min(ys) - 0.95, max(ys) + 0.6))
    ax.set_aspect("equal")
    ax.axis("off")
    if title is not None:
        ax.set_title(title)
    return ax
