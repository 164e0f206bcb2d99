"""Check an exercise answer, and say what is wrong with a wrong one.

:func:`check_answer` is what an exercise's check cell calls. A right answer passes silently; a
wrong one raises ``AssertionError`` with a message that starts with the answer's name and says
what is wrong, checking in this order:

1. its type (``None``, a function, a list where a number is expected, ...);
2. its shape (``transposed?`` when the transpose has the expected shape);
3. its dtype (a bool or an integer tensor, or a float too coarse for the check);
4. its values, where it recognises the usual mistakes: a constant factor (``2 ×``, ``1/2 ×``;
   in gradients a square's 2, a mean's 1/N or 1/C), the opposite sign, a transpose, one wrong
   element, row or column, only the diagonal, all zeros, NaN, items of a list in the wrong
   order, and wrong answers a lesson names; otherwise it shows expected against got where they
   differ most.

Predictions (``True``/``False``, a dict of them, a count, a word such as ``"forward"``) are told
which item is wrong first, and only then what happens instead, with the lesson's reason.

:func:`diagnose` is the value step on its own; :func:`utils.check_gradients` uses it when a
hand-derived gradient disagrees with the tape.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import tensorflow as tf

#: Where a constant factor in a gradient usually comes from (the default ``factor`` hint).
FACTOR_SOURCES = (
    "a constant factor is missing or extra: a 2 from a square, 1/N from a mean over the "
    "batch, 1/C from a mean over classes?"
)
#: The default explanation of each kind of mistake; ``hints`` add to it (``factor`` replaces).
DEFAULT_HINTS = {
    "sign": "Look for a difference taken the wrong way round (t - p for p - t) or a lost minus.",
    "transpose": "Its rows and columns are swapped.",
}

#: ``mismatch(got, want)``: a bool array, True where ``got`` differs from ``want``.
Mismatch = Callable[[np.ndarray, np.ndarray], np.ndarray]


def check_answer(
    name: str,
    answer: Any,
    expected: Any,
    *,
    rtol: float = 1e-5,
    atol: float | None = None,
    hints: Mapping[str, str] | None = None,
    items: Sequence[str] | None = None,
    mistakes: Sequence[tuple[Any, str]] = (),
    why: str | Mapping[Any, str] | None = None,
    of_type: type | None = None,
    reference: str = "the expected value",
) -> None:
    """Raise ``AssertionError`` saying what is wrong unless ``answer`` matches ``expected``.

    What ``expected`` is decides how ``answer`` is judged:

    - a number, an array or a tensor, shape ``s``: ``answer`` must be a number, array or
      tensor of shape ``s`` whose values are close (``numpy.isclose`` with ``rtol`` and
      ``atol``);
    - a :class:`~fractions.Fraction`: ``answer`` must be an exact Fraction (or an int);
    - a list or tuple of those, ``n`` items: a list or tuple of ``n`` items, judged item by
      item, after a check that they are not the right items in the wrong order;
    - ``True``/``False``, an ``int`` count, a ``str``, or a dict of them (a prediction): equal,
      item by item for a dict, whose keys must be the same.

    Args:
        name: how the learner wrote the answer, e.g. ``"dx_formula"`` or ``"grad_y3(x)"``; every
            message starts with it.
        answer: the learner's answer.
        expected: the right answer, computed independently by the check.
        rtol: relative tolerance of the values.
        atol: absolute tolerance; default ``rtol`` times the largest ``|expected|`` (``rtol``
            if that is 0), so that tiny elements are judged on the array's scale.
        hints: lesson-specific text added to a diagnosis, by kind: ``"type"``, ``"shape"``,
            ``"dtype"``, ``"factor"`` (replaces :data:`FACTOR_SOURCES`), ``"sign"``,
            ``"transpose"``, ``"element"``, ``"row"``, ``"column"``, ``"diagonal"``,
            ``"zeros"``, ``"nan"``, ``"order"``, ``"values"``.
        items: a name for each item of a list answer, e.g. ``["dw", "db"]``.
        mistakes: ``(wrong_value, explanation)`` pairs: an answer close to ``wrong_value``
            gets its explanation.
        why: for a prediction, the reason for the true value (a dict: one per key), shown
            after the learner's item is found wrong.
        of_type: a type the answer must also be an instance of (e.g. ``tf.Variable``).
        reference: what ``expected`` is, for the messages: "the tape's Jacobian", "the
            measured drop".

    Raises:
        AssertionError: the answer is wrong; the message names it and the kind of mistake.
        TypeError: ``name`` is not a non-empty string (a mistake in the check, not the answer).
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"check_answer: name must be a non-empty string, got {name!r}.")
    hints = dict(hints or {})
    if of_type is not None and not isinstance(answer, of_type):
        wanted = "tf.Variable" if of_type is tf.Variable else of_type.__name__
        _fail(
            f"{name} is {_describe(answer)}, but a {wanted} is expected.", hints, "type"
        )
    for wrong, explanation in mistakes:
        if _matches(answer, wrong, rtol, atol) and not _matches(
            answer, expected, rtol, atol
        ):
            raise AssertionError(f"{name} {explanation}")
    if isinstance(expected, Mapping):
        _check_dict(name, answer, expected, why)
    elif _is_prediction(expected):
        _check_prediction(name, answer, expected, why if isinstance(why, str) else None)
    elif isinstance(expected, (list, tuple)):
        _check_list(name, answer, expected, rtol, atol, hints, items, reference)
    else:
        exact = isinstance(expected, Fraction)
        got = _numeric(name, answer, exact, hints)
        want = _numeric("expected", expected, exact, {})
        _check_array(name, got, want, rtol, atol, hints, exact, reference)


def diagnose(
    got: np.ndarray,
    want: np.ndarray,
    mismatch: Mismatch,
    hints: Mapping[str, str] | None = None,
    *,
    reference: str = "the expected value",
    labels: tuple[str, str] = ("expected", "got"),
) -> tuple[str, str]:
    """Name the kind of mistake that makes ``got`` differ from ``want``.

    Args:
        got: the wrong array, shape ``s``.
        want: the right one, same shape ``s``.
        mismatch: says which elements differ (see :data:`Mismatch`).
        hints: extra text by kind, as for :func:`check_answer`; an empty string leaves a
            kind's default explanation out.
        reference: how the text refers to ``want`` ("the tape's gradient").
        labels: how it labels the two values where they differ, e.g. ``("the tape", "yours")``.

    Returns:
        ``(kind, text)``: the kind (``"factor"``, ``"sign"``, ``"transpose"``, ``"element"``,
        ``"row"``, ``"column"``, ``"diagonal"``, ``"zeros"``, ``"nan"``, ``"values"``) and a
        sentence that completes "<the answer's name> ...", with its hint.
    """
    hints = dict(hints or {})
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    wrong = mismatch(got, want)

    def said(kind: str, text: str) -> tuple[str, str]:
        extra = hints.get(kind, DEFAULT_HINTS.get(kind))
        return kind, f"{text} {extra}" if extra else text

    if not np.all(np.isfinite(got)):
        first = tuple(np.argwhere(~np.isfinite(got))[0])
        where = _index(first) if got.ndim else ""
        return said(
            "nan", f"contains {got[first]}{where}: a log of 0, a 0/0 or an overflow?"
        )
    if not np.any(got) and np.any(wrong):
        return said("zeros", f"is all zeros, but {reference} is not.")
    if not np.any(mismatch(-got, want)):
        return said("sign", f"has the opposite sign of {reference}.")
    dot = float(np.sum(want * want))
    ratio = float(np.sum(got * want)) / dot if dot > 0 else 0.0
    simple = got.size > 1 or _simple(ratio)  # any two numbers have *some* ratio
    if ratio and simple and not np.any(mismatch(got, ratio * want)):
        sign = " (so the sign is wrong too)" if ratio < 0 else ""
        extra = hints.get("factor", FACTOR_SOURCES)
        text = f"is {_ratio(ratio)} × {reference}{sign}"
        return "factor", f"{text}: {extra}" if extra else f"{text}."
    square = got.ndim == 2 and got.shape[0] == got.shape[1] > 1
    if square and not np.any(mismatch(got.T, want)):
        return said("transpose", f"is the transpose of {reference}.")

    worst = np.unravel_index(int(np.argmax(np.abs(got - want))), got.shape)
    if got.size == 1:
        high = "too high" if got[worst] > want[worst] else "too low"
        return said(
            "values",
            f"is {_fmt(got[worst])}, {high}: {reference} is {_fmt(want[worst])}.",
        )
    where = _index(worst).strip()
    differ = f"{where}: {labels[0]} {_fmt(want[worst])}, {labels[1]} {_fmt(got[worst])}"
    places = np.argwhere(wrong)
    if len(places) == 1:
        return said("element", f"is right except one element, {differ}.")
    if got.ndim == 2 and len(places) > 1:
        rows, cols = set(places[:, 0].tolist()), set(places[:, 1].tolist())
        if len(rows) == 1 and got.shape[0] > 1:
            return said("row", f"is right except row {rows.pop()}; most {differ}.")
        if len(cols) == 1 and got.shape[1] > 1:
            return said(
                "column", f"is right except column {cols.pop()}; most {differ}."
            )
        if square and all(i == j for i, j in places):
            return said("diagonal", f"is right except on the diagonal; most {differ}.")
    count = (
        f"{len(places)} of {got.size} elements differ"
        if len(places)
        else "all differ slightly"
    )
    return said("values", f"differs from {reference} ({count}); most {differ}.")


# --- the steps ------------------------------------------------------------------------------------


def _fail(text: str, hints: Mapping[str, str], kind: str) -> None:
    extra = hints.get(kind)
    raise AssertionError(f"{text} {extra}" if extra else text)


def _is_prediction(value: Any) -> bool:
    integral = isinstance(value, numbers.Integral) and not isinstance(value, Fraction)
    return integral or isinstance(value, (str, np.bool_))


def _check_prediction(name: str, answer: Any, expected: Any, why: str | None) -> None:
    """A truth value, a count or a word: equal, or told which is true instead."""
    reason = f" {why}" if why else ""
    if isinstance(expected, (bool, np.bool_)):
        if not isinstance(answer, (bool, np.bool_)):
            raise AssertionError(
                f"{name} is {_describe(answer)}, but True or False is expected."
            )
        if bool(answer) != bool(expected):
            raise AssertionError(
                f"{name} is wrong: you said {bool(answer)}, and it is {bool(expected)}.{reason}"
            )
    elif isinstance(expected, str):
        if not isinstance(answer, str):
            raise AssertionError(
                f"{name} is {_describe(answer)}, but a word in quotes is expected."
            )
        if answer != expected:
            case = " (mind the case)" if answer.lower() == expected.lower() else ""
            raise AssertionError(
                f"{name} is wrong: you said {answer!r}, and it is {expected!r}{case}.{reason}"
            )
    else:
        count = isinstance(answer, numbers.Real) and not isinstance(
            answer, (bool, np.bool_)
        )
        if not count or not float(answer).is_integer():  # also NaN and inf
            raise AssertionError(
                f"{name} is {_describe(answer)}, but a whole number is expected."
            )
        if answer != expected:
            size = "too high" if answer > expected else "too low"
            if answer == -expected:
                size += ", the opposite sign"
            elif (
                expected
                and answer
                and (answer % expected == 0 or expected % answer == 0)
            ):
                size += f", {_ratio(answer / expected)} × the right number"
            raise AssertionError(
                f"{name} is wrong: you said {int(answer)}, {size}; it is {expected}.{reason}"
            )


def _check_dict(name: str, answer: Any, expected: Mapping, why: Any) -> None:
    keys = ", ".join(repr(k) for k in expected)
    example = ", ".join(f"{k!r}: {_placeholder(v)}" for k, v in expected.items())
    if not isinstance(answer, Mapping):
        raise AssertionError(
            f"{name} is {_describe(answer)}, but a dict with the keys {keys} is expected, "
            f"like {{{example}}}."
        )
    missing = [k for k in expected if k not in answer]
    extra = [k for k in answer if k not in expected]
    if missing or extra:
        parts = [f"misses {', '.join(map(repr, missing))}"] if missing else []
        parts += [f"has {', '.join(map(repr, extra))} too"] if extra else []
        raise AssertionError(f"{name} {' and '.join(parts)}: its keys must be {keys}.")
    reasons = why if isinstance(why, Mapping) else {}
    wrong = []
    for key, value in expected.items():
        try:
            _check_prediction(f"{name}[{key!r}]", answer[key], value, reasons.get(key))
        except AssertionError as error:
            if not str(error).startswith(f"{name}[{key!r}] is wrong"):
                raise
            wrong.append(str(error))
    if wrong:
        raise AssertionError("\n".join(wrong))


def _check_list(
    name: str,
    answer: Any,
    expected: Sequence[Any],
    rtol: float,
    atol: float | None,
    hints: Mapping[str, str],
    items: Sequence[str] | None,
    reference: str,
) -> None:
    n = len(expected)
    if items is not None and len(items) != n:
        raise TypeError(
            f"check_answer: {len(items)} item names for {n} expected items."
        )
    label = [f"{name}[{i}]" + (f" ({items[i]})" if items else "") for i in range(n)]
    if any(isinstance(e, (list, tuple, Mapping)) for e in expected):  # item by item
        if not isinstance(answer, (list, tuple)) or len(answer) != n:
            _fail(
                f"{name} is {_describe(answer)}, but a list or tuple of {n} items is expected.",
                hints,
                "type",
            )
        for i in range(n):
            check_answer(
                label[i],
                answer[i],
                expected[i],
                rtol=rtol,
                atol=atol,
                hints=hints,
                reference=reference,
            )
        return
    exact = any(isinstance(e, Fraction) for e in expected)
    wants = [_numeric("expected", e, exact, {}) for e in expected]
    scalars = all(w.ndim == 0 for w in wants)
    if (
        scalars
        and not exact
        and isinstance(answer, (tf.Tensor, tf.Variable, np.ndarray))
    ):
        # a vector will do for a list of numbers
        vector = _numeric(name, answer, exact, hints)
        answer = list(vector) if vector.ndim == 1 else answer
    order = f" ({', '.join(items)})" if items else ""
    if not isinstance(answer, (list, tuple)):
        kind = "numbers" if scalars else "arrays"
        _fail(
            f"{name} is {_describe(answer)}, but a list of {n} {kind}{order} is expected.",
            hints,
            "type",
        )
    if len(answer) != n:
        count = f"{len(answer)} item" + ("" if len(answer) == 1 else "s")
        _fail(f"{name} has {count}, but {n} are expected{order}.", hints, "type")
    gots = [_numeric(label[i], a, exact, hints) for i, a in enumerate(answer)]

    mismatch = _tolerance(rtol, atol, exact)

    def same(g: np.ndarray, w: np.ndarray) -> bool:
        return g.shape == w.shape and not np.any(mismatch(g, w))

    if not all(same(g, w) for g, w in zip(gots, wants, strict=True)):
        moved = _permutation([[same(g, w) for w in wants] for g in gots])
        if moved is not None:
            where = ", ".join(
                f"your item {i} is item {j}" + (f" ({items[j]})" if items else "")
                for i, j in enumerate(moved)
                if i != j
            )
            order = f" Return them in the order {', '.join(items)}." if items else ""
            _fail(
                f"{name} has the right items in the wrong order: {where}.{order}",
                hints,
                "order",
            )
    if scalars:
        got, want = np.stack(gots), np.stack(wants)
        _check_array(name, got, want, rtol, atol, hints, exact, reference)
        return
    for i in range(n):
        _check_array(label[i], gots[i], wants[i], rtol, atol, hints, exact, reference)


def _check_array(
    name: str,
    got: np.ndarray,
    want: np.ndarray,
    rtol: float,
    atol: float | None,
    hints: Mapping[str, str],
    exact: bool,
    reference: str,
) -> None:
    if got.shape != want.shape:
        _fail(f"{name} {_shape_text(got.shape, want.shape)}", hints, "shape")
    if exact:  # Fractions: equal exactly, or diagnosed in floats
        if all(g == w for g, w in zip(got.reshape(-1), want.reshape(-1), strict=True)):
            return
        got, want = got.astype(np.float64), want.astype(np.float64)
    elif got.dtype.kind in "iu" and want.dtype.kind == "f":
        _fail(
            f"{name} has the integer dtype {got.dtype}, but the expected values are not whole "
            "numbers: build it from floats (2.0, not 2), or cast it with tf.cast(..., tf.float32).",
            hints,
            "dtype",
        )
    elif got.dtype.kind == "f" and np.finfo(got.dtype).resolution > rtol > 0:
        precision = np.finfo(got.dtype).resolution
        _fail(
            f"{name} has dtype {got.dtype}, whose precision (about {precision:.0e}) is too coarse "
            f"for this check (rtol {rtol:.0e}): compute it in float32 or float64.",
            hints,
            "dtype",
        )
    mismatch = _tolerance(rtol, atol, exact)
    if np.any(mismatch(got, want)):
        _, text = diagnose(got, want, mismatch, hints, reference=reference)
        raise AssertionError(f"{name} {text}")


# --- conversions ----------------------------------------------------------------------------------


def _numeric(
    name: str, value: Any, exact: bool, hints: Mapping[str, str]
) -> np.ndarray:
    """``value`` as an array (float64, or object for exact Fractions), or a clear failure."""
    if isinstance(value, (tf.Tensor, tf.Variable)):
        dtype = value.dtype
        if not (dtype.is_floating or dtype.is_integer):
            _fail(
                f"{name} has dtype {dtype.name}, but real numbers are expected.",
                hints,
                "dtype",
            )
        if exact:
            _fail(
                f"{name} is {_describe(value)}, but an exact Fraction is expected.",
                hints,
                "type",
            )
        return np.asarray(value.numpy())
    if value is None:
        _fail(
            f"{name} is None. If it comes from a function, the function is missing a `return`.",
            hints,
            "type",
        )
    if callable(value) and not isinstance(value, np.ndarray):
        _fail(
            f"{name} is a function, but a value is expected: did you forget to call it?",
            hints,
            "type",
        )
    if isinstance(value, (bool, np.bool_, str, bytes, Mapping, set)):
        _fail(
            f"{name} is {_describe(value)}, but a number or an array is expected.",
            hints,
            "type",
        )
    if exact:
        flat = (
            list(np.asarray(value, dtype=object).reshape(-1))
            if not isinstance(value, numbers.Number)
            else [value]
        )
        inexact = [
            v
            for v in flat
            if not isinstance(v, numbers.Rational) or isinstance(v, bool)
        ]
        if inexact:
            _fail(
                f"{name} is {_describe(inexact[0])}, not an exact Fraction: write it as a "
                "fraction of whole numbers, e.g. Fraction(-1, 27).",
                hints,
                "type",
            )
        return np.array([Fraction(v) for v in flat], dtype=object).reshape(
            np.shape(value)
        )
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        array = np.asarray(value, dtype=object)
    if array.dtype == object:
        if array.size and all(
            isinstance(v, numbers.Rational) for v in array.reshape(-1)
        ):
            return array.astype(np.float64)  # Fractions where floats will do
        _fail(
            f"{name} is {_describe(value)}, but a number or an array is expected.",
            hints,
            "type",
        )
    if array.dtype.kind == "b":
        _fail(
            f"{name} has dtype bool (True/False), but numbers are expected.",
            hints,
            "dtype",
        )
    if array.dtype.kind not in "iuf":
        _fail(
            f"{name} has dtype {array.dtype}, but real numbers are expected.",
            hints,
            "dtype",
        )
    if array.dtype.kind in "iu" and not isinstance(value, (np.ndarray, np.generic)):
        # Python ints are exact: no integer arithmetic here
        return array.astype(np.float64)
    return array


def _tolerance(rtol: float, atol: float | None, exact: bool = False) -> Mismatch:
    if exact:
        return lambda got, want: (
            ~np.isclose(
                np.asarray(got, np.float64),
                np.asarray(want, np.float64),
                rtol=1e-12,
                atol=0.0,
            )
        )

    def mismatch(got: np.ndarray, want: np.ndarray) -> np.ndarray:
        scale = float(np.max(np.abs(want), initial=0.0))
        bound = atol if atol is not None else (rtol * scale if scale > 0 else rtol)
        return ~np.isclose(got, want, rtol=rtol, atol=bound)

    return mismatch


def _matches(answer: Any, value: Any, rtol: float, atol: float | None) -> bool:
    """Whether ``answer`` equals ``value`` (a wrong answer a lesson names), quietly."""
    try:
        check_answer("answer", answer, value, rtol=rtol, atol=atol)
    except (AssertionError, TypeError, ValueError):
        return False
    return True


def _permutation(same: list[list[bool]]) -> list[int] | None:
    """The matching of items to expected items (``same[i][j]``: item i equals expected j) that
    moves the fewest items, if one other than the identity exists."""
    n = len(same)
    if n > 8:
        return None
    orders = (
        list(order)
        for order in itertools.permutations(range(n))
        if list(order) != list(range(n)) and all(same[i][order[i]] for i in range(n))
    )
    return min(
        orders, key=lambda order: sum(i != j for i, j in enumerate(order)), default=None
    )


def _shape_text(got: tuple[int, ...], want: tuple[int, ...]) -> str:
    text = f"has shape {got}, but shape {want} is expected"
    if len(got) == 2 and got[::-1] == want:
        return f"{text}: transposed?"
    if want == ():
        return f"{text} (a single number): reduce it, e.g. with tf.reduce_mean or tf.reduce_sum."
    if got == ():
        return f"{text}: a single number where an array is expected."
    if int(np.prod(got)) == int(np.prod(want)):
        return (
            f"{text}: the same number of elements, so an axis of length 1 is missing or extra "
            "(reshape it, or keep the axis: keepdims=True)."
        )
    return f"{text}."


def _describe(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, (bool, np.bool_)):
        return f"a bool ({bool(value)})"
    if isinstance(value, tf.Variable):
        return f"a {value.dtype.name} tf.Variable of shape {tuple(value.shape)}"
    if isinstance(value, tf.Tensor):
        return f"a {value.dtype.name} tensor of shape {tuple(value.shape)}"
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} array of shape {value.shape}"
    if isinstance(value, str):
        return f"a str ({value!r})"
    if isinstance(value, (list, tuple, dict, set)):
        return f"a {type(value).__name__} of {len(value)} items"
    if callable(value):
        return "a function"
    if isinstance(value, Fraction):
        return f"a Fraction ({value})"
    if isinstance(value, numbers.Number):
        return f"{_a(type(value).__name__)} ({_fmt(value)})"
    return _a(type(value).__name__)


def _a(word: str) -> str:
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word}"


def _placeholder(value: Any) -> str:
    return "True" if isinstance(value, (bool, np.bool_)) else type(value).__name__


def _index(index: Any) -> str:
    parts = [int(i) for i in np.atleast_1d(index)]
    return f" at [{', '.join(map(str, parts))}]" if parts else ""


def _fmt(value: Any) -> str:
    value = float(value)
    return f"{value:.4g}" if value == value and abs(value) != np.inf else str(value)


def _simple(ratio: float) -> bool:
    """Whether ``ratio`` is a whole number or one over a whole number, up to 12 (2, -3, 1/2):
    for two single numbers, the only ratios that suggest a missing or extra factor."""
    if ratio == 0:
        return False
    for value in (ratio, 1 / ratio):
        whole = round(value)
        if 2 <= abs(whole) <= 12 and abs(value - whole) < 1e-3 * abs(whole):
            return True
    return False


def _ratio(ratio: float) -> str:
    """2, 1/2, 3/2 or 0.7304: a ratio as a learner would recognise it."""
    for denominator in range(1, 13):
        numerator = round(ratio * denominator)
        if numerator and abs(ratio * denominator - numerator) < 1e-3 * abs(numerator):
            return str(numerator) if denominator == 1 else f"{numerator}/{denominator}"
    return f"{ratio:.4g}"
