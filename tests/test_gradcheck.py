"""Unit tests of utils.gradcheck: numerical_gradient, check_gradients, relative_error and the
GradientReport table.

Every expected gradient is derived by hand and computed in float64 NumPy from the same values the
code sees (a float32 tensor's values, upcast), never taken from the code's own output.
"""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pytest
import tensorflow as tf

import utils


@pytest.fixture
def rng():
    return np.random.default_rng(20240611)


def rel(a, b):
    """||a - b|| / (||a|| + ||b||), written out element by element in float64."""
    a = np.asarray(a, np.float64).ravel()
    b = np.asarray(b, np.float64).ravel()
    diff = math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b, strict=True)))
    return diff / (math.sqrt(sum(x * x for x in a)) + math.sqrt(sum(y * y for y in b)))


def f64(tensor):
    """The exact values of a (possibly float32) tensor, as float64."""
    return np.asarray(tensor).astype(np.float64)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# A float32 linear model and its loss, as a lesson writes it: f closes over x.
def linear_problem(rng, dtype=tf.float32):
    x = tf.constant(rng.normal(size=(2, 4)), dtype)
    w = tf.constant(rng.normal(size=(4, 3)), dtype)
    b = tf.constant(rng.normal(size=3), dtype)
    return x, w, b


def linear_loss(x):
    return lambda w, b: tf.reduce_mean((x @ w + b) ** 2)


def linear_gradients(x, w, b):
    """L = mean(z**2), z = x w + b:  dz = 2 z / z.size, dw = x^T dz, db = sum_rows dz."""
    x, w, b = f64(x), f64(w), f64(b)
    z = x @ w + b
    dz = 2 * z / z.size
    return x.T @ dz, dz.sum(axis=0)


def sin_exp(a):
    return tf.reduce_sum(tf.sin(a) * tf.exp(a / 3))


def sin_exp_gradient(a):
    a = f64(a)
    return np.cos(a) * np.exp(a / 3) + np.sin(a) * np.exp(a / 3) / 3


# --- numerical_gradient: accuracy -------------------------------------------------------------


@pytest.mark.parametrize("dtype", [tf.float64, tf.float32])
def test_numerical_gradient_of_sin_exp(rng, dtype):
    a = tf.constant(rng.normal(size=5), dtype)
    (grad,) = utils.numerical_gradient(sin_exp, [a])
    assert grad.dtype == np.float64
    assert grad.shape == (5,)
    assert rel(grad, sin_exp_gradient(a)) <= 1e-9


def test_numerical_gradient_of_quadratic_form_with_non_symmetric_matrix(rng):
    a = rng.normal(size=(4, 4))
    assert not np.allclose(a, a.T)
    a_t = tf.constant(a)
    w = tf.constant(rng.normal(size=4))
    (grad,) = utils.numerical_gradient(
        lambda w: tf.tensordot(w, tf.linalg.matvec(a_t, w), 1), [w]
    )
    expected = (a + a.T) @ f64(w)  # d(w^T A w)/dw
    assert rel(grad, expected) <= 1e-9
    # the symmetric-A formula would be wrong here
    assert rel(grad, 2 * a @ f64(w)) > 1e-2


def test_numerical_gradient_of_softmax_cross_entropy(rng):
    n, d, k = 5, 3, 4
    x = rng.normal(size=(n, d))
    y = np.eye(k)[rng.integers(0, k, size=n)]
    w = rng.normal(size=(d, k))
    x_t, y_t = tf.constant(x), tf.constant(y)

    def loss(w):
        z = x_t @ w
        return tf.reduce_mean(
            tf.reduce_logsumexp(z, axis=1) - tf.reduce_sum(y_t * z, axis=1)
        )

    (grad,) = utils.numerical_gradient(loss, [tf.constant(w)])
    assert rel(grad, x.T @ (softmax(x @ w) - y) / n) <= 1e-9


def test_numerical_gradient_of_several_sources_of_different_shapes(rng):
    # f(s, v, m) = s^2 v^T m v:  df/ds = 2 s v^T m v,  df/dv = s^2 (m + m^T) v,  df/dm = s^2 v v^T
    s = tf.constant(1.3, tf.float64)
    v = tf.constant(rng.normal(size=3))
    m = tf.constant(rng.normal(size=(3, 3)))

    def f(s, v, m):
        return s**2 * tf.tensordot(v, tf.linalg.matvec(m, v), 1)

    grads = utils.numerical_gradient(f, [s, v, m])
    sv, vv, mv = f64(s), f64(v), f64(m)
    expected = [
        2 * sv * vv @ mv @ vv,
        sv**2 * (mv + mv.T) @ vv,
        sv**2 * np.outer(vv, vv),
    ]
    assert isinstance(grads, list) and len(grads) == 3
    for grad, want in zip(grads, expected, strict=True):
        assert isinstance(grad, np.ndarray) and grad.dtype == np.float64
        assert grad.shape == np.shape(want)
        assert rel(grad, want) <= 1e-9


def test_numerical_gradient_accepts_arrays_variables_and_floats_and_leaves_them_alone(
    rng,
):
    array = rng.normal(size=3)
    variable = tf.Variable(rng.normal(size=(2, 2)), dtype=tf.float32)
    before = [array.copy(), variable.numpy().copy()]

    def f(a, v, c):
        v_squared = tf.cast(tf.reduce_sum(v**2), tf.float64)
        return tf.reduce_sum(a**3) + v_squared * tf.cast(c, tf.float64)

    grads = utils.numerical_gradient(f, [array, variable, 2.0])
    assert rel(grads[0], 3 * array**2) <= 1e-9
    assert rel(grads[1], 2 * 2.0 * f64(variable)) <= 1e-9
    assert rel(grads[2], np.sum(f64(variable) ** 2)) <= 1e-9
    assert grads[2].shape == ()
    np.testing.assert_array_equal(array, before[0])
    np.testing.assert_array_equal(variable.numpy(), before[1])


def test_numerical_gradient_uses_the_given_step():
    # For x^3 the centred difference is exactly 3 x^2 + eps^2, so a large eps shows up.
    x = tf.constant([0.5, -2.0, 3.0], tf.float64)
    (grad,) = utils.numerical_gradient(lambda x: tf.reduce_sum(x**3), [x], eps=0.1)
    np.testing.assert_allclose(grad, 3 * f64(x) ** 2 + 0.01, rtol=1e-12)


@pytest.mark.parametrize("x0", [1e6, -3e7, 123.456])
def test_numerical_gradient_divides_by_the_step_actually_taken(x0):
    # Far from 0, x0 + eps and x0 - eps are rounded: up - down is not 2 eps (off by up to ~1e-4
    # relative here). f(x) = x is evaluated exactly at both, so its gradient, 1, comes out exact.
    (grad,) = utils.numerical_gradient(
        lambda x: tf.reduce_sum(x), [tf.constant([x0], tf.float64)]
    )
    assert grad[0] == 1.0


# --- numerical_gradient: closures over float32 tensors are evaluated in float64 ---------------


def test_numerical_gradient_upcasts_a_cast_to_float32_inside_f(rng):
    w = tf.constant(rng.normal(size=4), tf.float32)
    # called with float64 w this f still returns float32: the cast must be rewritten too
    (grad,) = utils.numerical_gradient(
        lambda w: tf.reduce_sum(tf.sin(tf.cast(w, tf.float32))), [w]
    )
    assert rel(grad, np.cos(f64(w))) <= 1e-9


def float32_centred_difference(f, w, b, eps):
    """The same estimate done naively: f evaluated in float32, for w only."""
    w0 = w.numpy()
    grad = np.zeros(w0.shape)
    for i in np.ndindex(w0.shape):
        up, down = w0.copy(), w0.copy()
        up[i] += eps
        down[i] -= eps
        grad[i] = (float(f(tf.constant(up), b)) - float(f(tf.constant(down), b))) / (
            2 * eps
        )
    return grad


def test_numerical_gradient_of_a_float32_closure_is_computed_in_float64(rng):
    x, w, b = linear_problem(rng, tf.float32)
    f = linear_loss(x)
    assert w.dtype == b.dtype == x.dtype == tf.float32
    dw, db = linear_gradients(x, w, b)
    grads = utils.numerical_gradient(f, [w, b])
    assert [g.dtype for g in grads] == [np.float64, np.float64]
    assert [g.shape for g in grads] == [(4, 3), (3,)]
    assert rel(grads[0], dw) <= 1e-8
    assert rel(grads[1], db) <= 1e-8
    # Evaluating f in float32 cannot get anywhere near that, whatever the step.
    best_float32 = min(
        rel(float32_centred_difference(f, w, b, eps), dw) for eps in (1e-2, 1e-3, 1e-4)
    )
    assert rel(grads[0], dw) * 1000 < best_float32


def test_numerical_gradient_of_a_closure_over_a_float32_variable(rng):
    v = tf.Variable(rng.normal(size=(3, 2)), dtype=tf.float32)
    w = tf.constant(rng.normal(size=2), tf.float32)
    (grad,) = utils.numerical_gradient(
        lambda w: tf.reduce_sum(tf.linalg.matvec(v, w) ** 2), [w]
    )
    vv = f64(v)
    assert rel(grad, 2 * vv.T @ (vv @ f64(w))) <= 1e-8


def one_hot_problem(rng):
    n, d, k = 4, 3, 3
    labels = tf.constant(rng.permutation(np.arange(n) % k), tf.int32)
    feats = tf.constant(rng.normal(size=(n, d)), tf.float32)
    w = tf.constant(rng.normal(size=(d, k)) * 0.5, tf.float32)
    return labels, feats, w, np.eye(k)[labels.numpy()]


def test_numerical_gradient_of_keras_cross_entropy_on_one_hot_labels(rng):
    labels, feats, w, y = one_hot_problem(rng)

    def loss(w):
        logits = feats @ w
        targets = tf.one_hot(labels, 3)
        return tf.reduce_mean(
            tf.losses.categorical_crossentropy(targets, logits, from_logits=True)
        )

    x = f64(feats)
    expected = x.T @ (softmax(x @ f64(w)) - y) / len(y)
    (grad,) = utils.numerical_gradient(loss, [w])
    assert rel(grad, expected) <= 1e-8
    utils.check_gradients(loss, [w], [expected])  # raises if it fails


def test_numerical_gradient_of_keras_mse_on_softmax_of_one_hot_labels(rng):
    labels, feats, w, y = one_hot_problem(rng)

    def loss(w):
        p = tf.nn.softmax(feats @ w)
        return tf.reduce_mean(tf.losses.MSE(tf.one_hot(labels, 3), p))

    # L = mean_i mean_k (p_ik - y_ik)^2;  dp = 2 (p - y) / (n k);  dz = p * (dp - sum_k dp p)
    x = f64(feats)
    p = softmax(x @ f64(w))
    dp = 2 * (p - y) / y.size
    dz = p * (dp - np.sum(dp * p, axis=1, keepdims=True))
    (grad,) = utils.numerical_gradient(loss, [w])
    assert rel(grad, x.T @ dz) <= 1e-8


def cube_derivative(x):
    """d/dx sum(x^3) by a tape inside f: 3 x^2."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(x**3)
    return tf.reduce_sum(tape.gradient(y, x))


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
def test_check_gradients_of_a_function_with_its_own_tape(dtype):
    x = tf.constant([0.5, -1.25, 2.0], dtype)
    second = 6 * f64(x)
    report = utils.check_gradients(cube_derivative, [x], [second])
    assert rel(report.numerical[0], second) <= 1e-9
    assert rel(report.tape[0], second) <= 1e-6


def test_numerical_gradient_of_a_nested_tape_closing_over_float32():
    c = tf.constant([1.5, 0.25, -2.0])
    x = tf.constant([0.5, -1.2, 2.0])

    def f(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(c * x**3)
        return tf.reduce_sum(tape.gradient(y, x))

    (grad,) = utils.numerical_gradient(f, [x])
    assert rel(grad, 6 * f64(c) * f64(x)) <= 1e-9


@pytest.mark.parametrize("kind", ["tf.cond", "tf.while_loop", "inner tf.function"])
def test_numerical_gradient_of_a_float32_closure_with_a_function_library(kind):
    x = tf.constant([2.0, 3.0])  # float32, captured
    w = tf.constant([0.5, -1.0])
    if kind == "tf.cond":

        def f(w):
            return tf.cond(
                w[0] > 0, lambda: tf.reduce_sum(x * w**2), lambda: tf.reduce_sum(w)
            )
    elif kind == "tf.while_loop":

        def f(w):  # adds x * w^2 / 2 twice
            _, total = tf.while_loop(
                lambda i, t: i < 2,
                lambda i, t: (i + 1, t + tf.reduce_sum(x * w**2) / 2),
                (tf.constant(0), tf.constant(0.0)),
            )
            return total
    else:
        inner = tf.function(lambda w: tf.reduce_sum(x * w**2))

        def f(w):
            return inner(w)

    (grad,) = utils.numerical_gradient(f, [w])  # at w[0] > 0: f = sum(x w^2)
    assert rel(grad, 2 * f64(x) * f64(w)) <= 1e-9


# --- check_gradients: passing checks and the report -------------------------------------------


@pytest.mark.parametrize(
    ("dtype", "rtol", "floor"), [(tf.float32, 1e-4, 1e-2), (tf.float64, 1e-7, 1e-2)]
)
def test_check_gradients_passes_and_reports_every_array(rng, dtype, rtol, floor):
    x, w, b = linear_problem(rng, dtype)
    dw, db = linear_gradients(x, w, b)
    report = utils.check_gradients(linear_loss(x), [w, b], [dw, db])

    assert report.names == ["w", "b"]
    assert (report.dtype, report.rtol, report.floor) == (dtype.name, rtol, floor)
    tape_tolerance = 1e-6 if dtype == tf.float32 else 1e-12
    for i, (source, want) in enumerate([(w, dw), (b, db)]):
        assert report.tape[i].dtype == report.numerical[i].dtype == np.float64
        assert report.tape[i].shape == report.numerical[i].shape == tuple(source.shape)
        assert rel(report.tape[i], want) <= tape_tolerance
        assert rel(report.numerical[i], want) <= 1e-8
        assert report.expected[i].dtype == np.float64
        np.testing.assert_array_equal(report.expected[i], want)
        errors = report.errors[i]
        assert set(errors) == {"tape~numerical", "derived~numerical", "derived~tape"}
        assert errors["derived~tape"] == pytest.approx(
            rel(want, report.tape[i]), rel=1e-9
        )
        assert errors["tape~numerical"] == pytest.approx(
            rel(report.tape[i], report.numerical[i]), rel=1e-6
        )
    every_error = [e for row in report.errors for e in row.values()]
    assert report.max_error == max(every_error) <= rtol


def test_check_gradients_without_expected(rng):
    x, w, b = linear_problem(rng)
    report = utils.check_gradients(linear_loss(x), [w, b])
    assert report.expected is None
    assert [set(row) for row in report.errors] == [{"tape~numerical"}] * 2
    assert "derived" not in str(report)
    assert "derived" not in report._repr_html_()


def test_check_gradients_accepts_a_tuple_of_variables_and_expected_tensors(rng):
    v = tf.Variable(rng.normal(size=(2, 2)), dtype=tf.float32)
    report = utils.check_gradients(
        lambda v: tf.reduce_sum(v**3), (v,), (tf.constant(3 * f64(v) ** 2, tf.float32),)
    )
    assert rel(report.tape[0], 3 * f64(v) ** 2) <= 1e-6


def test_names_default_to_parameter_names(rng):
    x, w, b = linear_problem(rng)
    assert utils.check_gradients(linear_loss(x), [w, b]).names == ["w", "b"]

    def loss(weights, bias):
        return tf.reduce_mean((x @ weights + bias) ** 2)

    assert utils.check_gradients(loss, [w, b]).names == ["weights", "bias"]


def test_names_skip_parameters_with_defaults(rng):
    x, w, b = linear_problem(rng)

    def loss(w, b, scale=2.0):
        return scale * tf.reduce_mean((x @ w + b) ** 2)

    assert utils.check_gradients(loss, [w, b]).names == ["w", "b"]


def test_the_same_tensor_twice_is_rejected(rng):
    w = tf.constant([1.0, 2.0])
    with pytest.raises(ValueError, match="sources 0 and 1 are the same tensor"):
        utils.check_gradients(lambda a, b: tf.reduce_sum(a * b), [w, w])


def test_names_fall_back_to_source_numbers(rng):
    x, w, b = linear_problem(rng)
    report = utils.check_gradients(lambda *args: linear_loss(x)(*args), [w, b])
    assert report.names == ["source 0", "source 1"]


def test_explicit_names(rng):
    x, w, b = linear_problem(rng)
    report = utils.check_gradients(linear_loss(x), [w, b], names=["W1", "b1"])
    assert report.names == ["W1", "b1"]
    lines = str(report).splitlines()
    assert lines[2].startswith("W1 ") and lines[3].startswith("b1 ")


def test_wrong_number_of_names_is_rejected(rng):
    x, w, b = linear_problem(rng)
    with pytest.raises(ValueError, match="3 names for 2 sources"):
        utils.check_gradients(linear_loss(x), [w, b], names=["a", "b", "c"])


def test_str_shows_a_titled_table_with_a_row_per_source(rng):
    x, w, b = linear_problem(rng)
    report = utils.check_gradients(
        linear_loss(x), [w, b], list(linear_gradients(x, w, b))
    )
    lines = str(report).splitlines()
    assert repr(report) == str(report)
    assert len(lines) == 4  # title, header, w, b
    assert lines[0].startswith("Gradient check (float32)") and "1e-04" in lines[0]
    for heading in [
        "source",
        "shape",
        "|tape grad|",
        "tape~numerical",
        "derived~numerical",
    ]:
        assert heading in lines[1]
    assert lines[1].split()[-2:] == ["derived~tape", "result"]
    assert (
        lines[2].split()[0] == "w" and "(4, 3)" in lines[2] and lines[2].endswith("ok")
    )
    assert lines[3].split()[0] == "b" and "(3,)" in lines[3] and lines[3].endswith("ok")


def test_html_is_a_table_with_a_row_per_source_and_escapes_names(rng):
    x, w, b = linear_problem(rng)
    report = utils.check_gradients(
        linear_loss(x), [w, b], list(linear_gradients(x, w, b)), names=["<w>", "b&c"]
    )
    page = report._repr_html_()
    assert page.startswith("<table>") and page.endswith("</table>")
    assert page.count("<tr>") == 3  # header + two sources
    assert page.count("<th>") == 7
    for heading in [
        "source",
        "shape",
        "|tape grad|",
        "tape~numerical",
        "derived~tape",
        "result",
    ]:
        # "~<wbr>": a narrow screen may break the heading after its tilde
        assert f"<th>{heading.replace('~', '~<wbr>')}</th>" in page
    assert "<td>&lt;w&gt;</td>" in page and "<td>b&amp;c</td>" in page
    assert "<w>" not in page
    assert page.count("<td>ok</td>") == 2


# --- the table: errors at rounding level are shown as bounds ----------------------------------

PAIRS = ["tape~numerical", "derived~numerical", "derived~tape"]


def table_cells(text):
    """The plain-text table as {source: {column: cell}}, each cell cut at its header's column.

    Asserts that the table is aligned: every cell of a column starts where its heading does.
    """
    lines = text.splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("source "))
    header, rows = lines[header_at], lines[header_at + 1 :]
    headings = [
        "source",
        "shape",
        "|tape grad|",
        *[p for p in PAIRS if p in header],
        "result",
    ]
    starts = [header.index(h) for h in headings]
    cells = {}
    for row in rows:
        assert all(row[s - 1] == " " != row[s] for s in starts[1:]), (
            f"misaligned: {row!r}"
        )
        parts = [
            row[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)
        ]
        cells[parts[0]] = dict(zip(headings, parts, strict=True))
    return cells


def html_cells(page):
    """The HTML table as {source: {column: cell}}, unescaped."""
    headings = [h.replace("<wbr>", "") for h in re.findall(r"<th>(.*?)</th>", page)]
    rows = re.findall(r"<tr>((?:<td>.*?</td>)+)</tr>", page)
    cells = {}
    for row in rows:
        values = [html.unescape(v) for v in re.findall(r"<td>(.*?)</td>", row)]
        cells[values[0]] = dict(zip(headings, values, strict=True))
    return cells


def independent_errors(report, i):
    """Source i's three relative errors by this file's rel() (every norm here exceeds the floor)."""
    tape, numerical, expected = report.tape[i], report.numerical[i], report.expected[i]
    return {
        "tape~numerical": rel(tape, numerical),
        "derived~numerical": rel(expected, numerical),
        "derived~tape": rel(expected, tape),
    }


@pytest.mark.parametrize(
    ("dtype", "bounds"),
    [
        (
            tf.float32,
            {
                "tape~numerical": "< 1e-06",
                "derived~numerical": "< 1e-06",
                "derived~tape": "< 1e-06",
            },
        ),
        (
            tf.float64,
            {
                "tape~numerical": "< 1e-08",
                "derived~numerical": "< 1e-08",
                "derived~tape": "< 1e-12",
            },
        ),
    ],
)
def test_errors_below_the_noise_level_show_as_bounds(rng, dtype, bounds):
    # float32: rounding in float32, ~1e-8; float64: the finite differences' own error, ~1e-11,
    # and the derivation against the tape, ~1e-16
    x, w, b = linear_problem(rng, dtype)
    report = utils.check_gradients(
        linear_loss(x), [w, b], list(linear_gradients(x, w, b))
    )
    text, page = str(report), report._repr_html_()
    for i, name in enumerate(["w", "b"]):
        for pair, bound in bounds.items():
            assert independent_errors(report, i)[pair] < float(bound[2:])
            assert table_cells(text)[name][pair] == bound
            assert html_cells(page)[name][pair] == bound
    # no error printed as a number
    assert re.search(r"\d\.\de-", text.split("\n", 1)[1]) is None
    assert "<td>&lt; 1e-" in page


@pytest.mark.parametrize(
    ("dtype", "relative_change", "shown"),
    [
        # rel(g (1 + c), g) = c / (2 + c): 1.0e-05 is above float32's 1e-6 and passes (1e-4)
        (
            tf.float32,
            2e-5,
            {
                "tape~numerical": "< 1e-06",
                "derived~numerical": "1.0e-05",
                "derived~tape": "1.0e-05",
            },
        ),
        # 1.0e-09 is above float64's 1e-12, but below what finite differences resolve (1e-8)
        (
            tf.float64,
            2e-9,
            {
                "tape~numerical": "< 1e-08",
                "derived~numerical": "< 1e-08",
                "derived~tape": "1.0e-09",
            },
        ),
    ],
)
def test_an_error_above_the_noise_level_is_printed_as_a_number(
    dtype, relative_change, shown
):
    report = perturbed_sin_exp_check(dtype, relative_change)
    errors = independent_errors(report, 0)
    c = relative_change
    # the finite differences add their own ~1e-11
    assert errors["derived~numerical"] == pytest.approx(
        c / (2 + c), rel=1e-2, abs=1e-10
    )
    assert errors["derived~tape"] == pytest.approx(c / (2 + c), rel=1e-2)
    assert table_cells(str(report))["a"] == {
        "source": "a",
        "shape": "(4,)",
        "|tape grad|": f"{np.linalg.norm(report.tape[0]):.4g}",
        **shown,
        "result": "ok",
    }
    assert html_cells(report._repr_html_())["a"] == table_cells(str(report))["a"]


def test_a_failing_check_shows_its_real_errors(rng):
    # rel(2 g, g) = 1/3 for b; w is right, so its errors stay bounds
    x, w, b = linear_problem(rng)
    dw, db = linear_gradients(x, w, b)
    with pytest.raises(AssertionError) as caught:
        utils.check_gradients(linear_loss(x), [w, b], [dw, 2 * db])
    cells = table_cells(str(caught.value))
    assert cells["b"]["derived~numerical"] == cells["b"]["derived~tape"] == "3.3e-01"
    assert cells["b"]["tape~numerical"] == "< 1e-06" and cells["b"]["result"] == "FAIL"
    assert [cells["w"][p] for p in PAIRS] == ["< 1e-06"] * 3 and cells["w"][
        "result"
    ] == "ok"


def test_an_rtol_below_the_noise_level_still_shows_the_failing_error():
    # float64 finite differences are good to ~1e-11: an rtol of 1e-14 fails on them, and the
    # table must show that error, not "< 1e-08"; the derivation agrees with the tape to ~1e-16
    a = tf.constant([0.3, -1.1, 2.4, 0.7], tf.float64)
    with pytest.raises(AssertionError) as caught:
        utils.check_gradients(sin_exp, [a], [sin_exp_gradient(a)], rtol=1e-14)
    message = str(caught.value)
    error = float(re.search(r"relative error (\S+) > rtol 1e-14", message).group(1))
    assert 1e-14 < error < 1e-8
    cells = table_cells(message)["a"]
    # the failing errors are shown as numbers
    shown = [float(cells[p]) for p in ["tape~numerical", "derived~numerical"]]
    assert max(shown) == pytest.approx(error, rel=0.05)
    # passing errors: below the rtol, the bound
    assert cells["derived~tape"] == "< 1e-14"
    assert cells["result"] == "FAIL"


def test_noise_levels_by_dtype_and_pair(rng):
    levels = {}
    for dtype in [tf.float16, tf.float32, tf.float64]:
        h = tf.constant([0.5, -1.0], dtype)
        report = utils.check_gradients(
            lambda h: tf.reduce_sum(h**3), [h], [3 * f64(h) ** 2]
        )
        levels[dtype.name] = [report.noise_level(p) for p in PAIRS]
    assert levels == {
        "float16": [1e-2, 1e-2, 1e-2],
        "float32": [1e-6, 1e-6, 1e-6],
        "float64": [1e-8, 1e-8, 1e-12],
    }


# --- check_gradients: failing checks -----------------------------------------------------------


@pytest.mark.parametrize(
    ("factor", "error", "diagnosis"),
    [
        (-1.0, 1.0, "has the opposite sign of the tape's gradient"),
        (2.0, 1 / 3, "is 2 × the tape's"),
    ],
)
def test_a_wrong_expected_gradient_fails_naming_source_pair_and_mistake(
    rng, factor, error, diagnosis
):
    # rel(k g, g) = |k - 1| / (|k| + 1): 1 for a flipped sign, 1/3 for a factor of 2.
    x, w, b = linear_problem(rng)
    dw, db = linear_gradients(x, w, b)
    with pytest.raises(AssertionError) as caught:
        utils.check_gradients(linear_loss(x), [w, b], [dw, factor * db])
    lines = str(caught.value).splitlines()
    assert lines[0].startswith(f"your derived gradient for 'b' {diagnosis}")
    assert "'b'" in lines[1] and "'w'" not in lines[1]
    assert "derived~numerical" in lines[1] or "derived~tape" in lines[1]
    assert f"{error:.2e}" in lines[1]
    table = lines[2:]
    assert (
        table[0].startswith("Gradient check (float32)") and "tape~numerical" in table[1]
    )
    assert table[2].startswith("w ") and table[2].endswith("ok")
    assert table[3].startswith("b ") and table[3].endswith("FAIL")


def test_the_diagnosis_names_the_learners_answer_and_takes_hints(rng):
    x, w, b = linear_problem(rng)
    dw, db = linear_gradients(x, w, b)
    with pytest.raises(AssertionError) as caught:
        utils.check_gradients(
            linear_loss(x),
            [w, b],
            [dw / 6, db / 6],
            expected_name="grads(x)",
            hints={"factor": "count the means."},
        )
    # the same mistake in both: said once
    assert str(caught.value).splitlines()[0] == (
        "grads(x): each of the 2 gradients (w, b) is 1/6 × the tape's gradient: count the means."
    )
    with pytest.raises(AssertionError) as caught:
        utils.check_gradients(
            linear_loss(x), [w, b], [dw / 6, -db], expected_name="grads(x)"
        )
    first, second = str(caught.value).splitlines()[:2]
    assert first.startswith(
        "grads(x)[0], your gradient for 'w', is 1/6 × the tape's gradient"
    )
    assert second.startswith(
        "grads(x)[1], your gradient for 'b', has the opposite sign"
    )


def test_gradients_in_the_wrong_order_are_named(rng):
    a, c, d = (tf.constant(v) for v in (2.0, 1.0, 3.0))
    with pytest.raises(
        AssertionError,
        match=r"^g has the right gradients in the wrong order: "
        r"item 0 is the gradient for 'c', item 1 is the gradient for 'a'\. "
        r"Give them in the order of the sources: a, c, d\.",
    ):
        # d(acd)/da = cd = 3, /dc = ad = 6, /dd = ac = 2
        utils.check_gradients(
            lambda a, c, d: a * c * d, [a, c, d], [6.0, 3.0, 2.0], expected_name="g"
        )


def test_a_transposed_gradient_of_a_square_matrix_is_named(rng):
    # f(w) = sum(m * w) has gradient m; a square m keeps its shape when transposed
    m = tf.constant(rng.normal(size=(4, 4)), tf.float32)
    w = tf.constant(rng.normal(size=(4, 4)), tf.float32)
    with pytest.raises(
        AssertionError, match=r"^your derived gradient for 'w' is the transpose"
    ):
        utils.check_gradients(lambda w: tf.reduce_sum(m * w), [w], [f64(m).T])


def test_a_wrong_custom_gradient_is_blamed_on_the_tape():
    @tf.custom_gradient
    def double_slope_sin(x):
        return tf.sin(x), lambda upstream: upstream * 2 * tf.cos(x)

    x = tf.constant([0.5, 1.0, 2.0])
    with pytest.raises(AssertionError) as caught:
        utils.check_gradients(lambda x: tf.reduce_sum(double_slope_sin(x)), [x])
    first = str(caught.value).splitlines()[0]
    assert first.startswith(
        "the tape's gradient for 'x' is 2 × the finite-difference estimate"
    )
    assert "tf.custom_gradient" in first


def perturbed_sin_exp_check(dtype, relative_change, **kwargs):
    a = tf.constant([0.3, -1.1, 2.4, 0.7], dtype)
    return utils.check_gradients(
        sin_exp, [a], [sin_exp_gradient(a) * (1 + relative_change)], **kwargs
    )


@pytest.mark.parametrize(
    ("dtype", "relative_change", "passes"),
    [
        # rel(g (1 + c), g) = c / (2 + c): about c / 2
        (tf.float32, 1e-6, True),
        (tf.float32, 1e-3, False),
        (tf.float64, 1e-9, True),
        (tf.float64, 1e-6, False),
    ],
)
def test_default_rtol_depends_on_dtype(dtype, relative_change, passes):
    if passes:
        perturbed_sin_exp_check(dtype, relative_change)  # raises if it fails
    else:
        rtol = {tf.float32: "1e-04", tf.float64: "1e-07"}[dtype]
        with pytest.raises(AssertionError, match=f"derived~.* > rtol {rtol}"):
            perturbed_sin_exp_check(dtype, relative_change)


def test_rtol_overrides_the_default():
    with pytest.raises(AssertionError):
        perturbed_sin_exp_check(tf.float32, 1e-2)
    report = perturbed_sin_exp_check(tf.float32, 1e-2, rtol=1e-1)
    assert report.rtol == 1e-1
    assert report.errors[0]["derived~tape"] == pytest.approx(1e-2 / 2.01, rel=1e-3)
    # and tighter than the default: float64 differences are good to ~1e-10, not 1e-14
    perturbed_sin_exp_check(tf.float64, 0.0)  # raises if it fails
    a = tf.constant([0.3, -1.1, 2.4, 0.7], tf.float64)
    with pytest.raises(AssertionError, match="tape~numerical .* > rtol 1e-14"):
        utils.check_gradients(sin_exp, [a], rtol=1e-14)


def test_least_precise_dtype_chooses_the_tolerance():
    a = tf.constant([0.3, -1.1], tf.float64)
    report = utils.check_gradients(
        sin_exp, [a], [sin_exp_gradient(a).astype(np.float32)]
    )
    assert (report.dtype, report.rtol) == ("float32", 1e-4)
    h = tf.constant([0.5, -1.0], tf.float16)
    report = utils.check_gradients(
        lambda h: tf.reduce_sum(h**3), [h], [3 * f64(h) ** 2]
    )
    assert (report.dtype, report.rtol, report.floor) == ("float16", 1e-2, 1.0)


# --- check_gradients: zero gradients and the floor --------------------------------------------


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
@pytest.mark.parametrize(
    "f",
    [lambda x: tf.reduce_sum((x - 1) ** 2), lambda x: tf.reduce_sum(x * tf.exp(-x))],
    ids=["(x-1)^2", "x exp(-x)"],
)
def test_zero_gradient_at_a_stationary_point_passes(dtype, f):
    x = tf.constant([1.0], dtype)
    report = utils.check_gradients(f, [x], [np.zeros(1)])
    np.testing.assert_array_equal(report.tape[0], [0.0])
    # the estimate is rounding noise, not exactly 0: only the floor makes the check pass
    assert 0 < abs(report.numerical[0][0]) < 1e-10
    with pytest.raises(AssertionError, match=r"~numerical relative error 1.00e\+00"):
        utils.check_gradients(f, [x], [np.zeros(1)], floor=1e-300)


# --- bad inputs ---------------------------------------------------------------------------------

BOTH = pytest.mark.parametrize(
    "check",
    [utils.numerical_gradient, utils.check_gradients],
    ids=["numerical", "check"],
)


@BOTH
def test_non_scalar_output_is_rejected(check):
    w = tf.constant([1.0, 2.0], tf.float64)
    with pytest.raises(
        ValueError, match=r"scalar.*shape \(2,\).*reduce_mean.*reduce_sum"
    ):
        check(lambda w: w**2, [w])


def test_non_scalar_output_of_a_float32_closure_is_rejected(rng):
    x, w, _ = linear_problem(rng)
    with pytest.raises(ValueError, match=r"scalar.*shape \(2, 3\).*reduce_mean"):
        utils.numerical_gradient(lambda w: x @ w, [w])


@BOTH
@pytest.mark.parametrize(
    ("source", "dtype"),
    [
        (tf.constant([1, 2]), "int32"),
        (tf.constant([True]), "bool"),
        (np.arange(3), "int64"),
    ],
)
def test_non_float_source_is_rejected(check, source, dtype):
    with pytest.raises(TypeError, match=rf"source 0 has dtype {dtype}.*float"):
        check(lambda w: tf.reduce_sum(w), [source])


@BOTH
@pytest.mark.parametrize(
    "sources",
    [tf.constant([1.0, 2.0]), np.array([1.0, 2.0]), tf.Variable([1.0, 2.0]), 3.0],
    ids=["tensor", "array", "variable", "float"],
)
def test_sources_must_be_a_list(check, sources):
    with pytest.raises(TypeError, match=r"sources must be a list.*\[w\]"):
        check(lambda w: tf.reduce_sum(w), sources)


@BOTH
def test_empty_sources_are_rejected(check):
    with pytest.raises(ValueError, match="sources is empty"):
        check(lambda: tf.constant(1.0), [])


@BOTH
def test_f_must_be_callable(check):
    with pytest.raises(
        TypeError, match=r"f must be a function of the sources, got \w*Tensor"
    ):
        check(tf.constant(1.0), [tf.constant(1.0)])


@pytest.mark.parametrize(
    "eps", [0, 0.0, -1e-5, float("nan"), float("inf"), "1e-5", None, True]
)
def test_numerical_gradient_rejects_a_bad_step(eps):
    with pytest.raises(ValueError, match="eps must be a positive number"):
        utils.numerical_gradient(
            lambda w: tf.reduce_sum(w), [tf.constant([1.0])], eps=eps
        )


@pytest.mark.parametrize("eps", [np.float32(1e-3), np.float64(1e-5), 1e-4, 1])
def test_numerical_gradient_accepts_any_positive_real_step(eps):
    (grad,) = utils.numerical_gradient(
        lambda w: tf.reduce_sum(w * 3.0), [tf.constant([1.0])], eps
    )
    assert abs(grad[0] - 3.0) < 1e-9


# A wrong `expected` is a wrong answer: it fails the check (AssertionError) and says how.


def test_expected_with_the_transposed_shape_is_rejected(rng):
    x, w, b = linear_problem(rng)
    with pytest.raises(
        AssertionError,
        match=r"^your derived gradient for 'w' has shape \(3, 4\), but shape \(4, 3\) is its "
        r"source's: transposed\?$",
    ):
        utils.check_gradients(linear_loss(x), [w, b], [np.zeros((3, 4)), np.zeros(3)])


def test_expected_with_another_wrong_shape_is_rejected(rng):
    x, w, b = linear_problem(rng)
    with pytest.raises(
        AssertionError, match=r"'b', has shape \(2,\), but shape \(3,\) is its"
    ):
        utils.check_gradients(
            linear_loss(x), [w, b], [np.zeros((4, 3)), np.zeros(2)], expected_name="g"
        )


def test_expected_in_the_wrong_order_of_shapes_is_named(rng):
    x, w, b = linear_problem(rng)
    with pytest.raises(
        AssertionError,
        match=r"^g\[0\], your gradient for 'w', has shape \(3,\), not \(4, 3\): the gradients "
        r"are in the wrong order\? \(3,\) is the shape of 'b'; give them in the order of the "
        r"sources: w, b\.$",
    ):
        utils.check_gradients(
            linear_loss(x), [w, b], [np.zeros(3), np.zeros((4, 3))], expected_name="g"
        )


def test_expected_with_wrong_count_is_rejected(rng):
    x, w, b = linear_problem(rng)
    with pytest.raises(
        AssertionError, match="expected has 1 gradient, but there are 2 sources"
    ):
        utils.check_gradients(linear_loss(x), [w, b], [np.zeros((4, 3))])


@pytest.mark.parametrize(
    "expected", [np.zeros(3), tf.zeros(3), 0.0], ids=["array", "tensor", "0"]
)
def test_expected_must_be_a_list(expected):
    b = tf.constant([1.0, 2.0, 3.0])
    with pytest.raises(AssertionError, match=r"expected must be a list.*\[dw\]"):
        utils.check_gradients(lambda b: tf.reduce_sum(b), [b], expected)


def test_expected_must_be_real_valued():
    b = tf.constant([1.0, 2.0])
    with pytest.raises(AssertionError, match=r"gradient for 'b' has dtype bool"):
        utils.check_gradients(lambda b: tf.reduce_sum(b), [b], [np.ones(2, bool)])


@pytest.mark.parametrize(
    ("answer", "says"),
    [(None, "is None"), (np.sin, "is a function"), ("0.5", "is a str")],
    ids=["None", "function", "str"],
)
def test_expected_that_is_not_an_array_says_what_it_is(answer, says):
    b = tf.constant([1.0, 2.0])
    with pytest.raises(
        AssertionError, match=rf"^db\(b\), your gradient for 'b', {says}"
    ):
        utils.check_gradients(
            lambda b: tf.reduce_sum(b), [b], [answer], expected_name="db(b)"
        )


def test_integer_expected_is_accepted():
    b = tf.constant([1.0, 2.0])
    # raises if it fails
    utils.check_gradients(lambda b: tf.reduce_sum(3 * b), [b], [np.array([3, 3])])


# --- a tape gradient that is None -----------------------------------------------------------------


def test_none_gradient_when_f_ignores_an_argument(rng):
    x, w, b = linear_problem(rng)
    with pytest.raises(ValueError) as caught:
        utils.check_gradients(lambda w, b: tf.reduce_sum((x @ w) ** 2), [w, b])
    message = str(caught.value)
    assert "gradient for 'b' (source 1) is None" in message
    assert (
        "does not change when 'b' changes" in message
        and "ignores that argument" in message
    )
    assert "UnconnectedGradients.ZERO" in message


def test_none_gradient_when_f_returns_a_tensor_computed_before_the_call(rng):
    x, w, _ = linear_problem(rng)
    precomputed = tf.reduce_sum((x @ w) ** 2)
    with pytest.raises(ValueError) as caught:
        utils.check_gradients(lambda w: precomputed, [w])
    message = str(caught.value)
    assert "gradient for 'w' (source 0) is None" in message
    assert "does not change" in message and "computed before the call" in message


@pytest.mark.parametrize(
    "leak",
    [tf.stop_gradient, lambda t: tf.constant(t.numpy())],
    ids=["stop_gradient", "numpy"],
)
def test_none_gradient_when_the_path_leaves_tensorflow(leak):
    w = tf.constant([1.0, -2.0, 0.5])
    with pytest.raises(ValueError) as caught:
        utils.check_gradients(lambda w: tf.reduce_sum(leak(w) ** 2), [w])
    message = str(caught.value)
    assert "gradient for 'w' (source 0) is None" in message
    assert "the output does change when 'w' changes" in message
    # finite differences give 2 w, whose norm the message quotes
    assert f"norm {np.linalg.norm(2 * f64(w)):.3g}" in message
    assert "stop_gradient" in message and ".numpy()" in message


def test_none_gradient_when_finite_differences_fail_too():
    # float32: f fails on float64 input and cannot be traced
    x = tf.constant([2.0, 3.0])
    w = tf.constant([1.0, -2.0])
    with pytest.raises(ValueError, match=r"is None.*Likely causes:.*\.numpy\(\)"):
        utils.check_gradients(lambda w: tf.reduce_sum(x * tf.constant(w.numpy())), [w])


def test_f_returning_a_python_float_is_rejected():
    w = tf.constant([1.0, 2.0])
    with pytest.raises(TypeError, match="f returned a float, not a tensor"):
        utils.check_gradients(lambda w: float(tf.reduce_sum(w**2)), [w])


# --- relative_error ------------------------------------------------------------------------------


def test_relative_error_of_equal_arrays_is_zero(rng):
    a = rng.normal(size=(3, 2))
    assert utils.relative_error(a, a.copy(), 1e-2) == 0.0
    assert utils.relative_error(np.zeros(3), np.zeros(3), 1e-2) == 0.0


def test_relative_error_of_opposite_arrays_is_one(rng):
    a = rng.normal(size=5)
    assert utils.relative_error(a, -a, 1e-2) == pytest.approx(1.0, rel=1e-15)


def test_relative_error_matches_the_formula(rng):
    for _ in range(5):
        a, b = rng.normal(size=(2, 3, 4)) * rng.uniform(0.1, 10)
        error = utils.relative_error(a, b, 1e-2)
        assert isinstance(error, float)
        assert error == pytest.approx(rel(a, b), rel=1e-12)
        assert error == utils.relative_error(b, a, 1e-2)


def test_relative_error_accepts_tensors_and_computes_in_float64():
    a = tf.constant([1.0, 2.0], tf.float32)
    b = np.array([1.0, 2.0 + 1e-9])
    # in float32 b would round to a and the error would be 0
    expected = 1e-9 / (math.sqrt(5) + math.sqrt(1 + (2 + 1e-9) ** 2))
    assert utils.relative_error(a, b, 1e-2) == pytest.approx(expected, rel=1e-6)


def test_relative_error_rejects_different_shapes():
    with pytest.raises(ValueError, match=r"shapes \(3,\) and \(2, 3\) differ"):
        utils.relative_error(np.zeros(3), np.ones((2, 3)), 1e-2)


def test_relative_error_floor_for_tiny_arrays():
    a = np.array([3e-6, 4e-6])  # norm 5e-6
    zero = np.zeros(2)
    assert utils.relative_error(a, zero, 1e-2) == pytest.approx(5e-6 / 1e-2, rel=1e-12)
    assert utils.relative_error(a, zero, 1e-12) == pytest.approx(1.0, rel=1e-12)
    assert utils.relative_error(a, -a, 1e-2) == pytest.approx(1e-5 / 1e-2, rel=1e-12)
    # the floor only matters while ||a|| + ||b|| is below it
    big = np.array([3.0, 4.0])
    assert utils.relative_error(big, zero, 1e-2) == pytest.approx(1.0, rel=1e-15)


def test_a_tape_that_disagrees_with_the_values_is_not_blamed_on_a_derivation():
    # x * stop_gradient(x): the tape sees x (not 2x); finite differences see the values, 2x
    x = tf.constant(3.0)
    with pytest.raises(AssertionError) as caught:
        utils.check_gradients(lambda x: x * tf.stop_gradient(x), [x], expected=[3.0])
    first = str(caught.value).splitlines()[0]
    assert first.startswith(
        "the tape's gradient for 'x' is 1/2 × the finite-difference estimate."
    )
    assert "tf.stop_gradient" in first and "a 2 from a square" not in first
