"""The red and black list rule: sizes, ties at the boundaries, few units, never on both."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from assessment import lists


def scored(*values):
    return [(i + 1, Decimal(str(v))) for i, v in enumerate(values)]


def test_26_units_top_5_red_bottom_3_black():
    result = lists.assign(scored(*range(100, 74, -1)), 5, 3)  # 26 distinct scores, unit 1 best
    assert result.red == [1, 2, 3, 4, 5]
    assert result.black == [24, 25, 26]
    assert not result.shortened and not result.red_grew and not result.black_grew


def test_tie_at_the_red_boundary_puts_every_tied_unit_on_the_list():
    values = [99, 98, 97, 96, 95, 95, 95] + list(range(90, 71, -1))  # 26 units
    result = lists.assign(scored(*values), 5, 3)
    assert result.red == [1, 2, 3, 4, 5, 6, 7]
    assert result.red_grew
    assert result.black == [24, 25, 26]


def test_tie_at_the_black_boundary_lengthens_the_black_list():
    values = list(range(100, 78, -1)) + [70, 70, 70, 70]  # 22 distinct, then 4 tied last
    result = lists.assign(scored(*values), 5, 3)
    assert result.black == [23, 24, 25, 26]
    assert result.black_grew


def test_a_tie_reaching_into_both_lists_is_on_neither():
    result = lists.assign(scored(*[90] * 26), 5, 3)
    assert result.red == [] and result.black == []
    assert len(result.on_neither) == 26


def test_six_units_shorten_both_lists_in_proportion():
    result = lists.assign(scored(100, 95, 90, 85, 80, 75), 5, 3)
    assert (result.red_size, result.black_size, result.shortened) == (3, 2, True)
    assert result.red == [1, 2, 3]
    assert result.black == [5, 6]


def test_one_unit_is_on_no_list():
    assert lists.assign(scored(88), 5, 3).red == []


@given(
    st.lists(st.integers(min_value=60, max_value=100), min_size=0, max_size=40),
    st.integers(min_value=0, max_value=8),
    st.integers(min_value=0, max_value=8),
)
def test_no_unit_is_on_both_and_lists_hold_the_best_and_worst(values, red, black):
    pairs = scored(*values)
    result = lists.assign(pairs, red, black)
    assert not set(result.red) & set(result.black)
    score = dict(pairs)
    others = set(score) - set(result.red) - set(result.black)
    if result.red:
        assert min(score[u] for u in result.red) > max(
            [score[u] for u in others | set(result.black)], default=Decimal(-1)
        )
    if result.black:
        assert max(score[u] for u in result.black) < min(
            [score[u] for u in others | set(result.red)], default=Decimal(1000)
        )
    # A list never falls short of its size except by a tie reaching into the other list.
    if len(result.red) < result.red_size:
        assert result.on_neither
