"""Unit tests of utils.data (seeded toy data sets) and utils.plots (decision regions, graphs)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

import utils


@pytest.fixture
def ax():
    fig, axes = plt.subplots(figsize=(4, 4))
    yield axes
    plt.close(fig)


# --- blobs ---------------------------------------------------------------------------------------


def test_blobs_shapes_dtypes_and_counts():
    x, y = utils.blobs(7, centres=[(0, 0), (3, 0), (0, 3)], spread=0.2, seed=1)
    assert x.shape == (21, 2) and x.dtype == np.float32
    assert y.shape == (21,) and y.dtype == np.int32
    assert np.bincount(y).tolist() == [7, 7, 7]
    assert not np.all(np.diff(y) >= 0), "the classes should be shuffled, not in blocks"


def test_blobs_are_clouds_round_their_centres():
    centres = np.array([(-2.0, 1.0), (2.0, -1.0)])
    n, spread = 4000, 0.3
    x, y = utils.blobs(n, centres=centres, spread=spread, seed=3)
    for k, centre in enumerate(centres):
        points = x[y == k].astype(np.float64)
        # the sample mean is within 5 standard errors of the centre; the sample std near spread
        np.testing.assert_allclose(
            points.mean(axis=0), centre, atol=5 * spread / np.sqrt(n)
        )
        np.testing.assert_allclose(points.std(axis=0), spread, rtol=0.05)


def test_default_blobs_are_linearly_separable():
    x, y = utils.blobs(seed=0)
    # the centres (-1.5, -1) and (1.5, 1) are split by the line 1.5 x1 + x2 = 0
    side = 1.5 * x[:, 0] + x[:, 1]
    assert np.all(side[y == 0] < 0) and np.all(side[y == 1] > 0)


def test_blobs_same_seed_same_data_other_seed_other_data():
    a, b, c = utils.blobs(seed=5), utils.blobs(seed=5), utils.blobs(seed=6)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_blobs_do_not_depend_on_global_random_state():
    first = utils.blobs(seed=2)
    np.random.seed(123)
    np.random.rand(10)
    np.testing.assert_array_equal(first[0], utils.blobs(seed=2)[0])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_per_class": 0}, ValueError, r"n_per_class must be at least 1, got 0"),
        ({"n_per_class": 2.5}, TypeError, r"n_per_class must be an int, got float"),
        ({"spread": 0.0}, ValueError, r"spread must be finite and > 0, got 0.0"),
        ({"spread": float("nan")}, ValueError, r"spread must be finite"),
        (
            {"centres": [(0, 0)]},
            ValueError,
            r"centres must have shape \(k, 2\) with k >= 2",
        ),
        ({"centres": [(0, 0, 0), (1, 1, 1)]}, ValueError, r"got shape \(2, 3\)"),
        ({"centres": [(0, 0), (np.inf, 0)]}, ValueError, r"centres must be finite"),
        ({"seed": -1}, ValueError, r"seed must be at least 0 and at most 4294967295"),
        ({"seed": "1"}, TypeError, r"seed must be an int, got str"),
    ],
)
def test_blobs_rejects_bad_arguments_with_a_message(kwargs, error, message):
    with pytest.raises(error, match=message):
        utils.blobs(**kwargs)


# --- moons ---------------------------------------------------------------------------------------


def test_moons_shapes_dtypes_and_counts():
    x, y = utils.moons(11, seed=0)
    assert x.shape == (11, 2) and x.dtype == np.float32
    assert y.shape == (11,) and y.dtype == np.int32
    assert np.bincount(y).tolist() == [6, 5]


def test_moons_without_noise_lie_on_their_half_circles():
    x, y = utils.moons(400, noise=0.0, seed=4)
    x = x.astype(np.float64)
    upper, lower = x[y == 0], x[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-6)
    assert np.all(upper[:, 1] >= -1e-6)
    np.testing.assert_allclose(
        np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, atol=1e-6
    )
    assert np.all(lower[:, 1] <= 0.5 + 1e-6)


def test_moons_are_not_linearly_separable():
    """Both convex hulls contain (0.25, 0.5) - so no line can split the classes.

    Class 0 holds points near (1, 0), (0, 1) and (-1, 0), whose triangle contains (0.25, 0.5);
    class 1 holds points near (0, 0.5) and (2, 0.5), whose segment passes through it.
    """
    x, y = utils.moons(2000, noise=0.0, seed=0)
    upper, lower = x[y == 0].astype(np.float64), x[y == 1].astype(np.float64)

    def nearest(points, target):
        return points[np.argmin(np.linalg.norm(points - target, axis=1))]

    a, b, c = (nearest(upper, t) for t in [(1, 0), (0, 1), (-1, 0)])
    # barycentric coordinates of (0.25, 0.5) in triangle abc are all positive
    weights = np.linalg.solve(np.array([[*a, 1], [*b, 1], [*c, 1]]).T, [0.25, 0.5, 1.0])
    assert np.all(weights > 0)
    left, right = nearest(lower, (0, 0.5)), nearest(lower, (2, 0.5))
    assert (
        left[0] < 0.25 < right[0]
        and abs(left[1] - 0.5) < 0.01
        and abs(right[1] - 0.5) < 0.01
    )


def test_moons_noise_moves_points_by_about_its_size():
    clean, _ = utils.moons(3000, noise=0.0, seed=9)
    noisy, _ = utils.moons(3000, noise=0.2, seed=9)
    assert not np.array_equal(clean, noisy)
    x, y = utils.moons(3000, noise=0.2, seed=9)
    radius = np.hypot(x[y == 0, 0], x[y == 0, 1])
    assert 0.15 < np.std(radius) < 0.25


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n": 1}, ValueError, r"moons\(\): n must be at least 2, got 1"),
        ({"noise": -0.1}, ValueError, r"noise must be finite and >= 0"),
        ({"noise": "a"}, TypeError, r"noise must be a number"),
        ({"seed": 2**32}, ValueError, r"seed must be at least 0 and at most"),
    ],
)
def test_moons_rejects_bad_arguments_with_a_message(kwargs, error, message):
    with pytest.raises(error, match=message):
        utils.moons(**kwargs)


# --- plot_decision_boundary ----------------------------------------------------------------------


def linear_probability(points):
    """P(class 1) of the line x1 + x2 = 0: class 1 above it."""
    return 1 / (1 + np.exp(-4 * (points[:, 0] + points[:, 1])))


def border_points(ax):
    """The vertices of the black border lines drawn on ``ax``."""
    lines = [c for c in ax.collections if hasattr(c, "levels") and not c.filled]
    assert lines, "no border contour drawn"
    return np.concatenate(
        [p.vertices for c in lines for p in c.get_paths() if len(p.vertices)]
    )


def test_binary_border_follows_the_half_probability_line(ax):
    x, y = utils.blobs(seed=0)
    utils.plot_decision_boundary(ax, linear_probability, x, y, resolution=101)
    vertices = border_points(ax)
    step = (x.max() - x.min() + 1) / 100
    assert np.max(np.abs(vertices[:, 0] + vertices[:, 1])) <= 2 * step


def test_multiclass_scores_shade_the_argmax_regions(ax):
    x, y = utils.blobs(5, centres=[(0, 0), (4, 0), (0, 4)], spread=0.3, seed=0)

    def scores(points):  # class 1 right of x1 = 2, class 2 above x2 = 2, else class 0
        return np.stack([np.full(len(points), 2.0), points[:, 0], points[:, 1]], axis=1)

    utils.plot_decision_boundary(ax, scores, x, y, resolution=60)
    filled = [c for c in ax.collections if hasattr(c, "levels") and c.filled]
    assert len(filled) == 1 and list(filled[0].levels) == [-0.5, 0.5, 1.5, 2.5]
    assert len(border_points(ax)) > 0


def test_points_are_drawn_per_class_with_padding_and_labels(ax):
    x, y = utils.blobs(4, centres=[(0, 0), (2, 2), (4, 0)], spread=0.1, seed=0)
    utils.plot_decision_boundary(
        ax, lambda p: np.zeros((len(p), 3)), x, y, padding=1.0, title="three classes"
    )
    labels = [
        t.get_label() for t in ax.collections if t.get_label().startswith("class")
    ]
    assert labels == ["class 0", "class 1", "class 2"]
    np.testing.assert_allclose(
        ax.get_xlim(), (x[:, 0].min() - 1, x[:, 0].max() + 1), rtol=1e-6
    )
    assert ax.get_title() == "three classes"
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"


def test_predict_receives_float32_points_on_the_grid(ax):
    seen = {}

    def predict(points):
        seen["shape"], seen["dtype"] = points.shape, points.dtype
        return np.full(len(points), 0.5)

    x, y = utils.blobs(seed=0)
    utils.plot_decision_boundary(ax, predict, x, y, resolution=30)
    assert seen == {"shape": (900, 2), "dtype": np.float32}


@pytest.mark.parametrize(
    ("x", "y", "predict", "error", "message"),
    [
        (
            np.zeros((4, 3)),
            [0, 1, 0, 1],
            linear_probability,
            ValueError,
            r"x must have shape",
        ),
        (
            np.zeros((4, 2)),
            [0, 1, 0],
            linear_probability,
            ValueError,
            r"y must have shape \(4,\)",
        ),
        (
            np.zeros((2, 2)),
            np.array([0.0, 1.0]),
            linear_probability,
            TypeError,
            r"y must hold integer class labels, got dtype float64",
        ),
        (
            np.zeros((2, 2)),
            [0, 9],
            linear_probability,
            ValueError,
            r"labels must be 0 \.\. 5",
        ),
        (
            np.array([[0, 0], [1, np.nan]]),
            [0, 1],
            linear_probability,
            ValueError,
            r"finite",
        ),
        (
            np.zeros((2, 2)),
            [0, 1],
            lambda p: p[:, 0] + 5,
            ValueError,
            r"probability of class 1, in \[0, 1\].*Apply tf.sigmoid",
        ),
        (
            np.zeros((2, 2)),
            [0, 1],
            lambda p: np.zeros((len(p), 2, 2)),
            ValueError,
            r"must return shape \(m,\).*or \(m, k\)",
        ),
        (
            np.zeros((2, 2)),
            [0, 1],
            lambda p: np.full(len(p), np.nan),
            ValueError,
            r"NaN or inf.*diverged",
        ),
    ],
)
def test_bad_input_gets_a_message(ax, x, y, predict, error, message):
    with pytest.raises(error, match=message):
        utils.plot_decision_boundary(ax, predict, np.asarray(x), np.asarray(y))


# --- draw_graph ----------------------------------------------------------------------------------

# L = (w x)^2 as the tape records it: m = w * x, L = m * m (m used twice by one operation)
GRAPH = [("w", "m", "2.0"), ("x", "m", ""), ("m", "L", "4.0"), ("m", "L", "4.0")]
NODES = {
    "w": ("1.0", "8.0"),
    "x": ("2.0", "none"),
    "m": ("2.0", "4.0"),
    "L": ("4.0", "1.0"),
}


def _circles(ax):
    return [p for p in ax.patches if type(p).__name__ == "Circle"]


def _texts(ax):  # the written texts, not the arrows (an Annotation is a Text too)
    return [t.get_text() for t in ax.texts if type(t).__name__ == "Text"]


def test_draw_graph_draws_a_circle_per_node_and_an_arrow_per_edge(ax):
    utils.draw_graph(ax, GRAPH, NODES, title="L = (w x)^2")
    circles = _circles(ax)
    assert len(circles) == 4
    arrows = [c for c in ax.get_children() if type(c).__name__ == "Annotation"]
    assert len(arrows) == 4, "the edge listed twice is drawn twice"
    # leaves grey, computed nodes white
    fills = sorted(tuple(np.round(c.get_facecolor()[:3], 2)) for c in circles)
    assert fills == [(0.88,) * 3] * 2 + [(1.0,) * 3] * 2
    texts = _texts(ax)
    for name, (value, grad) in NODES.items():
        assert name in texts and value in texts and grad in texts
    assert texts.count("4.0") == 4, "L's value, m's gradient, and both arcs' texts"
    assert "" not in texts, "an edge with no text writes nothing"
    assert ax.get_title() == "L = (w x)^2"


def test_draw_graph_bends_a_repeated_edge_into_two_arcs(ax):
    utils.draw_graph(ax, GRAPH, NODES)
    arrows = [c for c in ax.get_children() if type(c).__name__ == "Annotation"]
    styles = [a.arrow_patch.get_connectionstyle() for a in arrows]
    bends = sorted(round(s.rad, 2) for s in styles)
    assert bends == [-0.35, 0.0, 0.0, 0.35]
    # the two texts of m -> L sit on their arcs, one above the chord and one below
    ys = sorted(
        t.get_position()[1]
        for t in ax.texts
        if t.get_text() == "4.0" and t.get_color() == "tab:blue"
    )
    assert len(ys) == 2 and ys[0] < 0 < ys[1]


def test_draw_graph_lays_out_columns_by_depth(ax):
    utils.draw_graph(ax, GRAPH, NODES)
    centres = {}
    for c in _circles(ax):
        centres[len(centres)] = c.center
    xs = sorted({round(x, 6) for x, _ in centres.values()})
    assert len(xs) == 3, "w and x in the first column, then m, then L"
    x_of = {t.get_text(): t.get_position()[0] for t in ax.texts}
    assert x_of["w"] == x_of["x"] < x_of["m"] < x_of["L"]


def test_draw_graph_takes_positions_and_labels(ax):
    positions = {"w": (0, 1), "x": (0, -1), "m": (3, 0), "L": (6, 0)}
    utils.draw_graph(ax, GRAPH, NODES, positions=positions, labels={"w": "$w$"})
    assert sorted(tuple(c.center) for c in _circles(ax)) == sorted(positions.values())
    assert "$w$" in _texts(ax) and "x" in _texts(ax)


@pytest.mark.parametrize(
    ("edges", "nodes", "positions", "message"),
    [
        ([], NODES, None, r"edges is empty"),
        (
            GRAPH,
            {k: v for k, v in NODES.items() if k != "x"},
            None,
            r"\('x', 'm'\) names 'x', which nodes does not have",
        ),
        (GRAPH, NODES, {"w": (0, 0)}, r"no position for \['x', 'm', 'L'\]"),
    ],
)
def test_draw_graph_bad_input_gets_a_message(ax, edges, nodes, positions, message):
    with pytest.raises(ValueError, match=message):
        utils.draw_graph(ax, edges, nodes, positions=positions)
