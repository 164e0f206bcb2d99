"""Check a gradient three ways: the tape, a hand-derived formula, and float64 finite differences.

``numerical_gradient`` estimates the gradient of a scalar function by centred differences in
float64. ``check_gradients`` compares it with what ``tf.GradientTape`` computes and, when given,
with the arrays a lesson derived by hand, and returns a :class:`GradientReport` that shows as a
table.

Every comparison uses the relative error of whole arrays (CS231n's formula, with norms),

    rel(a, b) = ||a - b||_2 / max(floor, ||a||_2 + ||b||_2),

which is 0 for equal arrays, about 1 for unrelated ones, and is not thrown off by a single
element that happens to be near zero. ``floor`` keeps gradients that are essentially zero from
being judged on their rounding noise. The defaults depend on the least precise floating dtype
involved (sources, f's output, expected arrays):

=============  ========  =======
dtype          rtol      floor
=============  ========  =======
float64        1e-7      1e-2
float32        1e-4      1e-2
float16/bf16   1e-2      1.0
=============  ========  =======

Correct float32 gradients agree with the float64 estimate to 1e-8..3e-7; a wrong formula is off
by 1e-2 or more. float64 gradients of smooth functions agree with it to 1e-12..1e-9.

Below some size a relative error is rounding noise: its digits follow the last bits of the
arithmetic, which change with the CPU (another BLAS kernel, another order of summation), not with
the gradient. The report's table shows such an error as a bound, ``< 1e-06``, and every other
error as a number; an error above ``rtol`` is always a number, so a failing check shows its real
errors. A pair's level is its dtype's rounding level (:data:`NOISE_LEVELS`) and, for the two
pairs with the finite-difference estimate, at least that estimate's own error
(:data:`NUMERICAL_NOISE`):

==================  =====  =======================================================================
level of            value  why
==================  =====  =======================================================================
float32             1e-6   about 8 eps (eps = 1.2e-7). Measured: correct float32 gradients differ
                           from the estimate and from a float32 derivation by 1e-8..3e-7 (the
                           course's largest, 2.6e-7); the rtol, 1e-4, is a hundred times higher.
float64             1e-12  eps = 2.2e-16; a float64 derivation and the tape differ by
                           1e-17..5e-16 (measured).
finite differences  1e-8   at the default step the estimate is off by about
                           h**2 |f'''| / 6 + eps |f| / h, near 1e-11 per element; relative to a
                           norm as small as the floor (1e-2), over a dozen elements, that reaches
                           1e-9 (measured: up to 1.3e-9). This is the float64 level of the
                           ~numerical pairs, ten times below the float64 rtol.
float16, bfloat16   1e-2   eps = 9.8e-4 and 7.8e-3 (measured: 1e-4..3e-3): the level is the rtol,
                           so a passing half-precision check shows bounds only.
==================  =====  =======================================================================

Measured on one machine under other code paths (OpenBLAS kernels for Sandybridge and Prescott,
oneDNN on): float32 errors moved by up to 1e-7 (1.3e-7 became 5.0e-8), float64 ones of 1e-11
against the estimate by a third (1.1e-11 became 8.3e-12), and derived~tape ones of 1e-16
everywhere, all below their levels.
"""

from __future__ import annotations

import html
import inspect
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import tensorflow as tf

from utils import answers
from utils.upcast import float64_evaluator, require_scalar

#: (rtol, floor) by dtype name; see the module docstring.
TOLERANCES: dict[str, tuple[float, float]] = {
    "float64": (1e-7, 1e-2),
    "float32": (1e-4, 1e-2),
    "float16": (1e-2, 1.0),
    "bfloat16": (1e-2, 1.0),
}
_PRECISION_ORDER = ["bfloat16", "float16", "float32", "float64"]  # least precise first

#: Rounding level by dtype: what two correct computations of one gradient in that dtype can
#: differ by. The table shows a smaller relative error as ``< level``; see the module docstring.
NOISE_LEVELS: dict[str, float] = {
    "float64": 1e-12,
    "float32": 1e-6,
    "float16": 1e-2,
    "bfloat16": 1e-2,
}

#: The float64 finite-difference estimate's own relative error, at most, at the default step:
#: the least level of a pair with the estimate (see the module docstring).
NUMERICAL_NOISE = 1e-8

#: Step of the centred differences. For float64 and functions of order-one inputs it balances
#: truncation error (~eps**2) against rounding error (~1e-16 / eps), both near 1e-10.
DEFAULT_EPS = 1e-5

Source = tf.Tensor | tf.Variable | np.ndarray


def numerical_gradient(
    f: Callable[..., Any], sources: Sequence[Source], eps: float = DEFAULT_EPS
) -> list[np.ndarray]:
    """Estimate the gradient of the scalar ``f(*sources)`` by centred differences in float64.

    For each element ``x`` of each source, ``(f(x + eps) - f(x - eps)) / (2 eps)`` with every
    other element held fixed: two evaluations of ``f`` per element. ``f`` is evaluated in
    float64 even when it closes over float32 tensors (see :mod:`utils.upcast`).

    Args:
        f: takes one tensor per source and returns a scalar tensor.
        sources: floating-point tensors, Variables or arrays, any shapes ``s_i``.
        eps: the step, a positive float.

    Returns:
        One float64 array per source, with shape ``s_i``.

    Raises:
        TypeError: ``f`` is not callable, ``sources`` is not a list, or a source is not floating.
        ValueError: ``eps`` is not positive, or ``f`` does not return a scalar.
    """
    sources = _validate_sources(f, sources, "numerical_gradient")
    real = isinstance(eps, numbers.Real) and not isinstance(eps, bool)
    if not (real and np.isfinite(eps) and eps > 0):
        raise ValueError(
            f"numerical_gradient(): eps must be a positive number, got {eps!r}."
        )
    evaluate = float64_evaluator(f, sources, "numerical_gradient")
    values = [np.array(s.numpy(), dtype=np.float64) for s in sources]
    gradients = []
    for value in values:
        flat = value.reshape(-1)  # a view: writing to it perturbs `values`
        gradient = np.zeros(flat.size)
        for j, original in enumerate(flat.copy()):
            flat[j] = up = original + eps
            f_up = evaluate(values)
            flat[j] = down = original - eps
            f_down = evaluate(values)
            flat[j] = original
            gradient[j] = (f_up - f_down) / (up - down)  # the step actually taken
        gradients.append(gradient.reshape(value.shape))
    return gradients


def relative_error(a: np.ndarray, b: np.ndarray, floor: float) -> float:
    """``||a - b|| / max(floor, ||a|| + ||b||)`` for two arrays of the same shape, in float64.

    Raises:
        ValueError: the shapes differ (no broadcasting: a gradient has its source's shape).
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error(): shapes {a.shape} and {b.shape} differ.")
    return float(
        np.linalg.norm(a - b) / max(floor, np.linalg.norm(a) + np.linalg.norm(b))
    )


@dataclass(frozen=True)
class GradientReport:
    """The outcome of :func:`check_gradients`: one row per source.

    It shows as a table (plain text, and HTML in Jupyter) of each source's shape, the norm of
    its tape gradient to 4 significant digits, and its relative errors; an error below its
    :meth:`noise_level` shows as a bound, ``< 1e-06`` (see the module docstring). The norm's
    digits hold: a float32 gradient is good to about 3e-7, far finer than 4 digits resolve
    (1e-4..1e-3), so they could change only for a norm within about 1e-6 of a rounding
    boundary (the course's closest: 6e-6).

    Attributes:
        names: a name per source.
        tape: the tape's gradients, as float64 arrays shaped like the sources.
        numerical: the centred-difference estimates, same shapes.
        expected: the hand-derived arrays, or ``None`` if none were given.
        errors: per source, the relative errors ``{"tape~numerical": e, ...}`` (the two
            ``derived`` pairs only when ``expected`` was given).
        dtype: the least precise dtype involved, which chose the defaults.
        rtol: an error above it fails the check.
        floor: the ``floor`` of the relative error.
    """

    names: list[str]
    tape: list[np.ndarray]
    numerical: list[np.ndarray]
    expected: list[np.ndarray] | None
    errors: list[dict[str, float]]
    dtype: str
    rtol: float
    floor: float

    @property
    def max_error(self) -> float:
        """The largest relative error in the report."""
        return max(e for row in self.errors for e in row.values())

    def noise_level(self, pair: str) -> float:
        """The relative error below which ``pair`` (e.g. ``"tape~numerical"``) is rounding noise.

        The report dtype's :data:`NOISE_LEVELS`, and at least :data:`NUMERICAL_NOISE` for a pair
        with the finite-difference estimate.
        """
        level = NOISE_LEVELS[self.dtype]
        return max(level, NUMERICAL_NOISE) if pair.endswith("~numerical") else level

    def _error_text(self, error: float, pair: str) -> str:
        """``< 1e-06`` for an error below its noise level (and below ``rtol``), else the number."""
        bound = min(self.noise_level(pair), self.rtol)
        if error >= bound:
            return f"{error:.1e}"
        power = f"{bound:.0e}"
        return f"< {power}" if float(power) == bound else f"< {bound:.1e}"

    def _rows(self) -> tuple[list[str], list[list[str]]]:
        pairs = ["tape~numerical"] + (
            ["derived~numerical", "derived~tape"] if self.expected else []
        )
        header = ["source", "shape", "|tape grad|", *pairs, "result"]
        rows = []
        for name, grad, errors in zip(self.names, self.tape, self.errors, strict=True):
            ok = all(e <= self.rtol for e in errors.values())
            rows.append(
                [name, str(grad.shape), f"{np.linalg.norm(grad):.4g}"]
                + [self._error_text(errors[p], p) for p in pairs]
                + ["ok" if ok else "FAIL"]
            )
        return header, rows

    def _title(self) -> str:
        return f"Gradient check ({self.dtype}): relative errors, pass if <= {self.rtol:.0e}"

    def __str__(self) -> str:
        header, rows = self._rows()
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines = [self._title()]
        for row in [header, *rows]:
            lines.append(
                "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            )
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def _repr_html_(self) -> str:
        header, rows = self._rows()
        # A narrow screen may break a header after its "~" ("tape~ numerical").
        head = "".join(
            f"<th>{html.escape(c).replace('~', '~<wbr>')}</th>" for c in header
        )
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
            for row in rows
        )
        return (
            f"<table><caption>{html.escape(self._title())}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )


def check_gradients(
    f: Callable[..., Any],
    sources: Sequence[Source],
    expected: Sequence[Any] | None = None,
    *,
    names: Sequence[str] | None = None,
    rtol: float | None = None,
    floor: float | None = None,
    eps: float = DEFAULT_EPS,
    expected_name: str | None = None,
    hints: Mapping[str, str] | None = None,
) -> GradientReport:
    """Compare the tape's gradient of ``f(*sources)`` with finite differences and a derivation.

    Takes ``tf.GradientTape().gradient(f(*sources), sources)`` (watching every source), the
    float64 :func:`numerical_gradient`, and ``expected`` when given, and compares each pair by
    :func:`relative_error`. In Jupyter the returned report shows as a table.

    When a pair disagrees, the message says how, with :func:`utils.answers.diagnose`: a
    derived gradient that is ``2 ×`` the tape's (a constant factor), of the opposite sign,
    transposed, wrong in one element, or the right gradients in the wrong order.

    Args:
        f: takes one tensor per source, returns a scalar tensor. Closures over float32 tensors
            are fine: the numerical estimate still runs in float64.
        sources: floating-point tensors, Variables or arrays, shapes ``s_i``.
        expected: optional hand-derived gradients, one array-like per source, shape ``s_i``.
        names: a label per source; default: ``f``'s parameter names, else ``source 0``, ...
        rtol: largest relative error that passes; default from :data:`TOLERANCES`.
        floor: the relative error's floor; default from :data:`TOLERANCES`.
        eps: step of the centred differences.
        expected_name: how the learner wrote ``expected``, e.g. ``"grads(x, w)"``; messages
            about a wrong derivation name it.
        hints: lesson-specific text added to a diagnosis, by kind (see
            :func:`utils.answers.check_answer`).

    Returns:
        A :class:`GradientReport`: every error in it is at most ``rtol`` (otherwise the
        check raises instead of returning).

    Raises:
        AssertionError: a pair disagrees beyond ``rtol`` (the message says how, for each
            source that fails, then shows the whole table), or ``expected`` is not one real
            array per source with the source's shape (a wrong answer too).
        ValueError: ``f`` does not return a scalar, or a tape gradient is ``None`` (the message
            says the likely cause).
        TypeError: a source is not floating-point, or ``f`` is not callable.
    """
    sources = _validate_sources(f, sources, "check_gradients")
    names = _names(f, sources, names)
    expected_arrays = _validate_expected(
        expected, sources, names, expected_name, hints or {}
    )

    with tf.GradientTape() as tape:
        for s in sources:
            tape.watch(s)
        output = f(*sources)
    if not isinstance(output, tf.Tensor):
        raise TypeError(
            f"check_gradients(): f returned a {type(output).__name__}, not a tensor, so the tape "
            "recorded nothing. Compute the result with TensorFlow operations on the sources."
        )
    require_scalar(output, "check_gradients")
    tape_grads = tape.gradient(output, sources)
    missing = [i for i, grad in enumerate(tape_grads) if grad is None]
    if missing:
        try:
            estimate = numerical_gradient(f, sources, eps)[missing[0]]
        except Exception:  # the diagnosis is a bonus; the None is the error
            estimate = None
        raise ValueError(_none_message(names[missing[0]], missing[0], estimate))
    numerical = numerical_gradient(f, sources, eps)
    tape_arrays = [np.asarray(tf.convert_to_tensor(g), np.float64) for g in tape_grads]

    dtypes = [s.dtype.name for s in sources] + [output.dtype.name]
    if expected is not None:
        dtypes += [
            tf.as_dtype(np.asarray(e).dtype).name for e in expected if _is_float(e)
        ]
    dtype = min((d for d in dtypes if d in TOLERANCES), key=_PRECISION_ORDER.index)
    default_rtol, default_floor = TOLERANCES[dtype]
    rtol = default_rtol if rtol is None else rtol
    floor = default_floor if floor is None else floor

    errors = []
    for i in range(len(sources)):
        row = {"tape~numerical": relative_error(tape_arrays[i], numerical[i], floor)}
        if expected_arrays is not None:
            row["derived~numerical"] = relative_error(
                expected_arrays[i], numerical[i], floor
            )
            row["derived~tape"] = relative_error(
                expected_arrays[i], tape_arrays[i], floor
            )
        errors.append(row)
    report = GradientReport(
        names, tape_arrays, numerical, expected_arrays, errors, dtype, rtol, floor
    )
    if report.max_error > rtol:
        worst = [
            (e, names[i], pair)
            for i, row in enumerate(errors)
            for pair, e in row.items()
        ]
        error, name, pair = max(worst)
        diagnosis = _diagnosis(report, expected_name, hints)
        raise AssertionError(
            f"{diagnosis}\nGradient check failed for {name!r}: {pair} relative error "
            f"{error:.2e} > rtol {rtol:.0e}.\n{report}"
        )
    return report


def _derived(expected_name: str | None, index: int, count: int, name: str) -> str:
    """How a message refers to the learner's derived gradient for source ``index``."""
    if expected_name is None:
        return f"your derived gradient for {name!r}"
    which = expected_name if count == 1 else f"{expected_name}[{index}]"
    return f"{which}, your gradient for {name!r},"


def _diagnosis(
    report: GradientReport, expected_name: str | None, hints: Mapping[str, str] | None
) -> str:
    """One line per failing source saying how its arrays differ (utils.answers.diagnose)."""
    rtol, floor, count = report.rtol, report.floor, len(report.names)

    def mismatch(got: np.ndarray, want: np.ndarray) -> np.ndarray:
        bound = rtol * max(floor, float(np.linalg.norm(got) + np.linalg.norm(want)))
        return np.abs(got - want) > bound

    expected = report.expected
    if expected is not None and count > 1:
        failing = [row["derived~tape"] > rtol for row in report.errors]
        same = [
            [e.shape == t.shape and not np.any(mismatch(e, t)) for t in report.tape]
            for e in expected
        ]
        moved = answers._permutation(same) if sum(failing) > 1 else None
        if moved is not None:
            which = expected_name or "your derived gradients"
            where = ", ".join(
                f"item {i} is the gradient for {report.names[j]!r}"
                for i, j in enumerate(moved)
                if i != j
            )
            return (
                f"{which} has the right gradients in the wrong order: {where}. Give them in "
                f"the order of the sources: {', '.join(report.names)}."
            )
    lines: list[tuple[str, str]] = []  # (subject, what is wrong with it)
    derived_only = True  # every line is about the derivation, none about the tape
    for i, (name, row) in enumerate(zip(report.names, report.errors, strict=True)):
        tape, numerical = report.tape[i], report.numerical[i]
        derived = _derived(expected_name, i, count, name)
        if expected is not None and row["derived~tape"] > rtol >= row["tape~numerical"]:
            subject, got, want, reference = (
                derived,
                expected[i],
                tape,
                "the tape's gradient",
            )
            labels, kind_hints, after = ("the tape has", "yours"), hints, ""
        elif row["tape~numerical"] > rtol:
            derived_only = False
            subject, got, want = f"the tape's gradient for {name!r}", tape, numerical
            reference, labels = (
                "the finite-difference estimate",
                ("the estimate has", "the tape"),
            )
            # not a derivation's slip: no advice about squares and means
            kind_hints = {"factor": "", "sign": "", **(hints or {})}
            after = (
                " The tape follows each operation's gradient function, the estimate only f's "
                "values: they part where f uses tf.stop_gradient or a gradient written with "
                "tf.custom_gradient, or where f has a kink."
            )
        elif expected is not None and row["derived~numerical"] > rtol:
            subject, got, want = derived, expected[i], numerical
            reference, labels = (
                "the finite-difference estimate",
                ("the estimate has", "yours"),
            )
            kind_hints, after = hints, ""
        else:
            continue
        _, text = answers.diagnose(
            got, want, mismatch, kind_hints, reference=reference, labels=labels
        )
        text += after
        lines.append((subject, text))
    texts = {text for _, text in lines}
    if count > 1 and len(lines) == count and len(texts) == 1 and derived_only:
        # the same mistake in every gradient: say it once
        which = expected_name or "your derived gradients"
        return f"{which}: each of the {count} gradients ({', '.join(report.names)}) {texts.pop()}"
    return "\n".join(f"{subject} {text}" for subject, text in lines)


def _is_float(value: Any) -> bool:
    dtype = (
        value.dtype
        if isinstance(value, (tf.Tensor, tf.Variable))
        else np.asarray(value).dtype
    )
    return tf.as_dtype(dtype).is_floating


def _validate_sources(
    f: Any, sources: Any, caller: str
) -> list[tf.Tensor | tf.Variable]:
    if not callable(f):
        raise TypeError(
            f"{caller}(): f must be a function of the sources, got {type(f).__name__}."
        )
    if isinstance(sources, (tf.Tensor, tf.Variable, np.ndarray)) or not isinstance(
        sources, (list, tuple)
    ):
        raise TypeError(
            f"{caller}(): sources must be a list of tensors, got {type(sources).__name__}. "
            "Wrap a single source in a list: [w]."
        )
    if not sources:
        raise ValueError(
            f"{caller}(): sources is empty; pass the tensors to differentiate by."
        )
    checked = []
    for i, s in enumerate(sources):
        if not isinstance(s, tf.Variable):
            try:
                s = tf.convert_to_tensor(s)
            except (TypeError, ValueError) as error:
                raise TypeError(
                    f"{caller}(): source {i} is not a tensor: {error}"
                ) from error
        if not s.dtype.is_floating:
            raise TypeError(
                f"{caller}(): source {i} has dtype {s.dtype.name}; gradients exist only for "
                "floating-point sources. Create it as a float, e.g. tf.constant(2.0) instead of "
                "tf.constant(2), or tf.cast(x, tf.float32)."
            )
        for j, earlier in enumerate(checked):
            if s is earlier:
                raise ValueError(
                    f"{caller}(): sources {j} and {i} are the same tensor. The tape would add the "
                    "two gradients into one; pass each tensor once."
                )
        checked.append(s)
    return checked


def _names(f: Any, sources: Sequence[Any], names: Sequence[str] | None) -> list[str]:
    if names is not None:
        if len(names) != len(sources):
            raise ValueError(
                f"check_gradients(): {len(names)} names for {len(sources)} sources."
            )
        return [str(n) for n in names]
    try:
        params = [
            p
            for p in inspect.signature(f).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        params = []
    # f's first len(sources) positional parameters name the sources, if the rest have defaults
    rest = params[len(sources) :]
    if len(params) >= len(sources) and all(p.default is not p.empty for p in rest):
        return [p.name for p in params[: len(sources)]]
    return [f"source {i}" for i in range(len(sources))]


def _validate_expected(
    expected: Sequence[Any] | None,
    sources: Sequence[Any],
    names: Sequence[str],
    expected_name: str | None = None,
    hints: Mapping[str, str] | None = None,
) -> list[np.ndarray] | None:
    """One float64 array per source, shaped like it; anything else is a wrong answer."""
    if expected is None:
        return None
    which = expected_name or "expected"
    listed = ", ".join(names)
    if isinstance(expected, (tf.Tensor, tf.Variable, np.ndarray)) or not isinstance(
        expected, (list, tuple)
    ):
        raise AssertionError(
            f"{which} must be a list with one gradient per source ({listed}), but it is "
            f"{answers._describe(expected)}. Wrap a single array in a list: [dw]."
        )
    if len(expected) != len(sources):
        plural = "" if len(expected) == 1 else "s"
        raise AssertionError(
            f"{which} has {len(expected)} gradient{plural}, but there are {len(sources)} "
            f"sources ({listed}): give one hand-derived gradient per source, in that order."
        )
    count = len(sources)
    labels = [_derived(expected_name, i, count, names[i]) for i in range(count)]
    arrays = [
        answers._numeric(label, e, False, hints or {})
        for label, e in zip(labels, expected, strict=True)
    ]
    shapes = [tuple(s.shape) for s in sources]
    if any(a.shape != shape for a, shape in zip(arrays, shapes, strict=True)):
        same = [[a.shape == shape for shape in shapes] for a in arrays]
        moved = answers._permutation(same)
        for i, (array, shape) in enumerate(zip(arrays, shapes, strict=True)):
            if array.shape == shape:
                continue
            label = labels[i]
            text = answers._shape_text(array.shape, shape).replace(
                "is expected", "is its source's"
            )
            if moved is not None:
                order = (
                    f"the gradients are in the wrong order? {array.shape} is the shape of "
                    f"{names[moved[i]]!r}; give them in the order of the sources: {listed}."
                )
                transposed = text.endswith("transposed?")
                text = (
                    f"{text} Or {order[0].lower()}{order[1:]}"
                    if transposed
                    else (f"has shape {array.shape}, not {shape}: {order}")
                )
            answers._fail(f"{label} {text}", hints or {}, "shape")
    return [a.astype(np.float64) for a in arrays]


def _none_message(name: str, index: int, numerical: np.ndarray | None) -> str:
    start = (
        f"check_gradients(): the tape's gradient for {name!r} (source {index}) is None: "
        "TensorFlow recorded no path from it to f's output."
    )
    if numerical is None:
        return (
            f"{start} Likely causes: f returns a tensor computed before it was called (outside "
            "the tape), ignores that argument, or sends it through NumPy (.numpy(), np.*), an "
            "integer cast or tf.stop_gradient."
        )
    if np.any(numerical != 0):
        return (
            f"{start} Yet the output does change when {name!r} changes (finite differences "
            f"give a gradient of norm {np.linalg.norm(numerical):.3g}), so the path leaves "
            "TensorFlow inside f: look for .numpy(), NumPy functions, float(...), a cast to an "
            "integer, or tf.stop_gradient."
        )
    return (
        f"{start} The output does not change when {name!r} changes either: f ignores that "
        "argument, e.g. it returns a tensor computed before the call (outside the tape) or uses "
        "a global instead of its parameter. If a zero gradient is what you mean, ask the tape "
        "with unconnected_gradients=tf.UnconnectedGradients.ZERO."
    )
