import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.idcard import check_char, validate_id_number
from core.masking import mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    "value",
    ["11010519491231002X", "420101199003071236", "513431198506150045", "11010519491231002x"],
)
def test_valid_id_numbers_pass_and_are_upper_cased(value):
    assert validate_id_number(value) == value.upper()


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("420101199003071235", "id_check_digit"),
        ("42010119900307123", "id_length"),
        ("4201011990030712AB", "id_chars"),
        ("420101199013071236", "id_birth"),
    ],
)
def test_invalid_id_numbers_say_why(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(value)
    assert exc.value.code == code


@given(
    st.sampled_from(["11010519491231002X", "420101199003071236", "513431198506150045"]),
    st.integers(0, 16),
    st.integers(1, 9),
)
def test_changing_any_digit_breaks_the_check(valid, position, delta):
    digit = (int(valid[position]) + delta) % 10
    changed = valid[:position] + str(digit) + valid[position + 1 :]
    assert check_char(changed[:17]) != changed[17]


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三丰", "张*丰"),
        ("李四", "李*"),
        ("欧阳修", "欧阳*"),
        ("欧阳", "欧阳*"),
        ("爱新觉罗溥仪", "爱****仪"),
        ("王", "王"),
        ("", ""),
    ],
)
def test_names_are_masked_as_on_a_paper_board(name, masked):
    assert mask_name(name) == masked


def test_id_and_phone_masks():
    assert mask_id_number("420101199003071236") == "4201**********1236"
    assert mask_phone("13688888888") == "136****8888"
    assert mask_phone("0857-1234567") == "********4567"
