"""Unit tests of utils.answers: check_answer says what kind of mistake a wrong answer makes.

Each wrong answer below is made by hand from a right one, the way a learner gets it wrong (twice
too large, the sign flipped, transposed, one element off, the items swapped, one prediction
flipped), and the test asserts the message names the answer and that mistake.
"""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pytest
import tensorflow as tf

import utils
from utils.answers import check_answer, diagnose

# 2 x 3: its transpose has another shape
RIGHT = np.array([[0.5, -1.25, 2.0], [3.0, 0.75, -4.0]])


def message(answer, expected, **kwargs) -> str:
    with pytest.raises(AssertionError) as caught:
        check_answer("ans", answer, expected, **kwargs)
    return str(caught.value)


# --- right answers pass silently ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (RIGHT, RIGHT),
        (
            tf.constant(RIGHT, tf.float32),
            RIGHT,
        ),  # float32 rounding is within the tolerance
        (tf.Variable(RIGHT), tf.constant(RIGHT)),
        (RIGHT.tolist(), RIGHT),
        (3, 3.0),
        (np.float32(0.1), 0.1),
        ([RIGHT, RIGHT[0]], (RIGHT, RIGHT[0])),
        (np.array([1.0, 2.0]), [1.0, 2.0]),  # a vector for a list of numbers
        ([Fraction(1, 3), 2], [Fraction(1, 3), Fraction(2)]),
        ({"a": True, "b": False}, {"a": True, "b": False}),
        (4, 4),
        ("forward", "forward"),
        (np.bool_(True), True),
        ((1.5, [(RIGHT, 2.0)]), (1.5, [(RIGHT, 2.0)])),  # nested
    ],
)
def test_a_right_answer_passes_silently(answer, expected, capsys):
    assert check_answer("ans", answer, expected) is None
    assert capsys.readouterr() == ("", "")


def test_the_tolerance_is_relative_to_the_arrays_scale():
    tiny = RIGHT.copy()
    tiny[0, 0] = 1e-9
    check_answer("ans", tiny + 1e-7, tiny, rtol=1e-5)  # 1e-7 is small next to |4.0|
    bump = np.zeros_like(tiny)
    bump[0, 0] = 1e-3  # but not 1e-3 next to 1e-9
    assert "one element, at [0, 0]" in message(tiny + bump, tiny, rtol=1e-5)
    check_answer("ans", 1e-9, 0.0, atol=1e-6)


# --- values: the kinds of mistake ---------------------------------------------------------------


def test_twice_the_value_names_the_factor_and_where_factors_come_from():
    text = message(2 * RIGHT, RIGHT)
    assert text.startswith(
        "ans is 2 × the expected value: a constant factor is missing or extra"
    )
    assert (
        "a 2 from a square, 1/N from a mean over the batch, 1/C from a mean over classes"
        in text
    )


@pytest.mark.parametrize(
    ("factor", "says"), [(0.5, "1/2 ×"), (1 / 6, "1/6 ×"), (1.5, "3/2 ×")]
)
def test_other_constant_factors_are_named_as_fractions(factor, says):
    assert message(factor * RIGHT, RIGHT).startswith(
        f"ans is {says} the expected value"
    )


def test_a_lesson_hint_replaces_the_usual_sources_of_a_factor():
    text = message(2 * RIGHT, RIGHT, hints={"factor": "check the square."})
    assert text == "ans is 2 × the expected value: check the square."


def test_the_reference_names_what_the_answer_is_compared_with():
    text = message(2 * RIGHT, RIGHT, reference="the tape's Jacobian")
    assert text.startswith("ans is 2 × the tape's Jacobian:")
    assert (
        message(4.0, 4.5849, reference="the root")
        == "ans is 4, too low: the root is 4.585."
    )


def test_the_opposite_sign_is_named():
    text = message(-RIGHT, RIGHT)
    assert text.startswith("ans has the opposite sign of the expected value.")
    assert "p - t" in text  # the usual cause
    assert message(-RIGHT, RIGHT, hints={"sign": "Mind the minus."}).endswith(
        "Mind the minus."
    )


def test_a_negative_factor_names_both_the_factor_and_the_sign():
    assert "is -2 × the expected value (so the sign is wrong too)" in message(
        -2 * RIGHT, RIGHT
    )


def test_a_transposed_square_matrix_is_named():
    square = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert message(square.T, square).startswith(
        "ans is the transpose of the expected value."
    )


def test_one_wrong_element_is_located():
    wrong = RIGHT.copy()
    wrong[1, 2] = 9.0
    assert message(wrong, RIGHT) == (
        "ans is right except one element, at [1, 2]: expected -4, got 9."
    )


def test_a_wrong_row_a_wrong_column_and_a_wrong_diagonal_are_located():
    row, column = RIGHT.copy(), RIGHT.copy()
    row[1] += [1.0, 2.0, 3.0]
    column[:, 2] = 0.0
    assert message(row, RIGHT).startswith("ans is right except row 1; most at [1, 2]")
    assert message(column, RIGHT).startswith(
        "ans is right except column 2; most at [1, 2]"
    )
    square = np.arange(1.0, 10.0).reshape(3, 3)
    assert message(square - np.diag([1.0, 5.0, 9.0]), square).startswith(
        "ans is right except on the diagonal"
    )


def test_all_zeros_and_nan_are_named():
    assert (
        message(np.zeros_like(RIGHT), RIGHT)
        == "ans is all zeros, but the expected value is not."
    )
    with_nan = RIGHT.copy()
    with_nan[0, 1] = np.nan
    assert message(with_nan, RIGHT).startswith("ans contains nan at [0, 1]: a log of 0")


def test_otherwise_it_shows_expected_against_got_where_they_differ_most():
    wrong = RIGHT + np.array([[0.1, -0.2, 0.3], [0.0, 5.0, 0.2]])
    assert message(wrong, RIGHT) == (
        "ans differs from the expected value (5 of 6 elements differ); most at [1, 1]: "
        "expected 0.75, got 5.75."
    )


def test_a_single_number_says_too_high_or_too_low():
    assert message(4.0, 4.5849) == "ans is 4, too low: the expected value is 4.585."
    assert message(7, 6.0) == "ans is 7, too high: the expected value is 6."
    # a factor, not noise
    assert message(12, 6.0).startswith("ans is 2 × the expected value")


def test_a_known_wrong_answer_gets_the_lessons_explanation():
    mistakes = [(0.4134, "is the broadcast loss: [N] against [N, 1].")]
    assert (
        message(0.4134, 0.0142, mistakes=mistakes)
        == "ans is the broadcast loss: [N] against [N, 1]."
    )
    assert message(0.5, 0.0142, mistakes=mistakes).startswith("ans is 0.5, too high")


def test_a_known_wrong_answer_of_zero_is_named_and_other_answers_still_diagnosed():
    mistakes = [(0.0, "is where the unit is most wrong, but its gradient is 0 there.")]
    assert message(0.0, 1 / 3, mistakes=mistakes) == (
        "ans is where the unit is most wrong, but its gradient is 0 there."
    )
    assert message(0.5, 1 / 3, mistakes=mistakes).startswith("ans is 0.5, too high")


def test_diagnose_works_on_its_own_with_any_reference_and_labels():
    kind, text = diagnose(
        np.array([1.0, 2.0, 3.5]),
        np.array([1.0, 2.0, 3.0]),
        lambda got, want: np.abs(got - want) > 1e-6,
        reference="the tape's gradient",
        labels=("the tape has", "yours"),
    )
    assert (kind, text) == (
        "element",
        "is right except one element, at [2]: the tape has 3, yours 3.5.",
    )


# --- type, shape and dtype, before any value ---------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (
            None,
            "is None. If it comes from a function, the function is missing a `return`.",
        ),
        (np.sin, "is a function, but a value is expected: did you forget to call it?"),
        ("2.0", "is a str ('2.0'), but a number or an array is expected."),
        (True, "is a bool (True), but a number or an array is expected."),
        ({"a": 1.0}, "is a dict of 1 items, but a number or an array is expected."),
    ],
)
def test_an_answer_of_the_wrong_type_is_told_what_it_is(answer, says):
    assert message(answer, RIGHT) == f"ans {says}"


def test_a_transposed_shape_is_named():
    assert (
        message(RIGHT.T, RIGHT)
        == "ans has shape (3, 2), but shape (2, 3) is expected: transposed?"
    )


def test_other_wrong_shapes_say_what_to_do():
    assert "an axis of length 1 is missing or extra" in message(
        RIGHT.reshape(-1), RIGHT
    )
    assert "keepdims=True" in message(np.ones((3, 1)), np.ones(3))
    assert "reduce it, e.g. with tf.reduce_mean" in message(np.ones((3, 1)), 1.0)
    assert message(1.0, np.ones(3)).endswith(
        "a single number where an array is expected."
    )
    assert (
        message(np.ones(4), np.ones(3))
        == "ans has shape (4,), but shape (3,) is expected."
    )


def test_a_wrong_dtype_is_named():
    assert message(tf.constant([1, 2]), [1.5, 2.0]).startswith(
        "ans has the integer dtype int32"
    )
    assert message(np.array([True, False]), [1.0, 0.0]).startswith("ans has dtype bool")
    text = message(RIGHT.astype(np.float16), RIGHT)
    assert text.startswith(
        "ans has dtype float16, whose precision (about 1e-03) is too coarse"
    )
    assert "ans has dtype float32" in message(
        RIGHT.astype(np.float32), RIGHT, rtol=1e-9
    )
    # Python ints are exact numbers, not an int dtype
    check_answer("ans", [1, 2], [1.0, 2.0])


def test_of_type_asks_for_a_type_as_well():
    text = message(
        tf.constant(3.0), 3.0, of_type=tf.Variable, hints={"type": "Update it."}
    )
    assert (
        text
        == "ans is a float32 tensor of shape (), but a tf.Variable is expected. Update it."
    )
    check_answer("ans", tf.Variable(3.0), 3.0, of_type=tf.Variable)


# --- lists ---------------------------------------------------------------------------------------


def test_items_in_the_wrong_order_are_named():
    text = message([RIGHT[0], RIGHT], [RIGHT, RIGHT[0]], items=["dW", "db"])
    assert text == (
        "ans has the right items in the wrong order: your item 0 is item 1 (db), your item 1 "
        "is item 0 (dW). Return them in the order dW, db."
    )
    assert "wrong order" in message([2.0, 1.0, 3.0], [1.0, 2.0, 3.0])


def test_the_fewest_moves_explain_a_wrong_order():
    # items 0 and 2 swapped; items 1 and 2 are equal, so 0 <-> 1 would also match
    assert message([9.0, 6.0, 6.0], [6.0, 6.0, 9.0]).endswith(
        "your item 0 is item 2, your item 2 is item 0."
    )


def test_a_wrong_item_is_named_by_its_index_and_name():
    text = message([2 * RIGHT, RIGHT[0]], [RIGHT, RIGHT[0]], items=["dW", "db"])
    assert text.startswith("ans[0] (dW) is 2 × the expected value")


def test_a_list_of_numbers_is_judged_as_a_whole():
    assert message([2.0, 4.0, 6.0], [1.0, 2.0, 3.0]).startswith(
        "ans is 2 × the expected value"
    )


def test_a_list_of_the_wrong_length_or_kind_is_named():
    assert message([RIGHT], [RIGHT, RIGHT[0]], items=["dW", "db"]) == (
        "ans has 1 item, but 2 are expected (dW, db)."
    )
    assert message(RIGHT, [RIGHT, RIGHT[0]]) == (
        "ans is a float64 array of shape (2, 3), but a list of 2 arrays is expected."
    )
    assert message([1.0, None], [1.0, 2.0]) == (
        "ans[1] is None. If it comes from a function, the function is missing a `return`."
    )


def test_nested_answers_are_checked_item_by_item():
    expected = (1.5, [(RIGHT, np.ones(3))])
    assert message((3.0, [(RIGHT, np.ones(3))]), expected).startswith(
        "ans[0] is 2 × the expected"
    )
    assert message((1.5, [(RIGHT.T, np.ones(3))]), expected).startswith(
        "ans[1][0][0] has shape (3, 2), but shape (2, 3) is expected: transposed?"
    )
    assert message(1.5, expected) == (
        "ans is a float (1.5), but a list or tuple of 2 items is expected."
    )


# --- exact fractions -----------------------------------------------------------------------------


def test_fractions_must_be_exact():
    right = [Fraction(-1, 27), Fraction(2, 27), Fraction(-1, 27)]
    check_answer("ans", right, right)
    assert message([-1 / 27, 2 / 27, -1 / 27], right).startswith(
        "ans[0] is a float (-0.03704), not an exact Fraction: write it as a fraction of whole"
    )
    assert message([2 * f for f in right], right).startswith(
        "ans is 2 × the expected value"
    )
    assert message(Fraction(9, 1), Fraction(9, 2)).startswith(
        "ans is 2 × the expected value"
    )
    assert message(Fraction(1, 3) + Fraction(1, 10**9), Fraction(1, 3)).startswith(
        "ans is 0.3333"
    )


# --- predictions ---------------------------------------------------------------------------------

NONE = {"a": False, "b": True, "c": True, "d": True}


def test_a_wrong_prediction_names_the_item_then_what_happens():
    text = message({**NONE, "b": False}, NONE, why={"b": "See section 2."})
    assert text == "ans['b'] is wrong: you said False, and it is True. See section 2."


def test_every_wrong_prediction_of_a_dict_is_named():
    text = message({"a": True, "b": False, "c": True, "d": True}, NONE)
    assert text.splitlines() == [
        "ans['a'] is wrong: you said True, and it is False.",
        "ans['b'] is wrong: you said False, and it is True.",
    ]


def test_predictions_in_the_wrong_form_are_told_the_form():
    assert message(list(NONE.values()), NONE) == (
        "ans is a list of 4 items, but a dict with the keys 'a', 'b', 'c', 'd' is expected, "
        "like {'a': True, 'b': True, 'c': True, 'd': True}."
    )
    assert message({"a": False, "b": True}, NONE) == (
        "ans misses 'c', 'd': its keys must be 'a', 'b', 'c', 'd'."
    )
    assert message({**NONE, "e": 1}, NONE).startswith("ans has 'e' too")
    assert message({**NONE, "a": "no"}, NONE) == (
        "ans['a'] is a str ('no'), but True or False is expected."
    )


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (5, "ans is wrong: you said 5, too high; it is 4."),
        (8, "ans is wrong: you said 8, too high, 2 × the right number; it is 4."),
        (2, "ans is wrong: you said 2, too low, 1/2 × the right number; it is 4."),
        (-4, "ans is wrong: you said -4, too low, the opposite sign; it is 4."),
        (4.5, "ans is a float (4.5), but a whole number is expected."),
        (float("nan"), "ans is a float (nan), but a whole number is expected."),
    ],
)
def test_a_wrong_count_says_too_high_or_too_low(answer, says):
    assert message(answer, 4) == says


def test_a_wrong_word_or_truth_value_says_what_it_is():
    assert message("reverse", "forward", why="Count again.") == (
        "ans is wrong: you said 'reverse', and it is 'forward'. Count again."
    )
    assert message("Forward", "forward").endswith("(mind the case).")
    assert (
        message(1, "forward") == "ans is an int (1), but a word in quotes is expected."
    )
    assert message(False, True) == "ans is wrong: you said False, and it is True."
    assert message(0, True) == "ans is an int (0), but True or False is expected."


def test_the_check_itself_must_name_the_answer():
    with pytest.raises(TypeError, match="name must be a non-empty string"):
        check_answer("", 1.0, 1.0)


def test_messages_never_show_a_bare_tensor_repr():
    for answer in (2 * RIGHT, -RIGHT, RIGHT.T, tf.constant(RIGHT.T)):
        assert not re.search(r"tf\.Tensor\(|array\(", message(answer, RIGHT))


def test_utils_exports_the_checker():
    assert utils.check_answer is check_answer
