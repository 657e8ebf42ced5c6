"""ID numbers, phones and names (graph/formats.py): the GB 11643 check digit worked out
by hand, phones as clerks type them, and the scenario's synthetic people all pass."""

from __future__ import annotations

import pytest

from graph.formats import (
    check_digit,
    check_id_number,
    check_phone,
    excel_mangled,
    normalise_name,
    normalise_phone,
)
from graph.store import GraphStore


def test_check_digit_by_hand() -> None:
    # digits 4 4 0 3 0 6 1 9 9 0 0 1 0 1 1 2 3, weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2:
    # 28+36+0+15+0+24+2+9+54+0+0+9+0+5+8+8+6 = 204; 204 % 11 = 6; "10X98765432"[6] = "6"
    assert check_digit("44030619900101123") == "6"
    assert check_id_number("440306199001011236") is None
    # the reason names what is wrong, never digits (beside a masked number they would
    # give it back)
    assert check_id_number("440306199001011230") == (
        "the check digit (the last character) is wrong (GB 11643)")


def test_bad_shapes_and_dates() -> None:
    assert "18 characters" in (check_id_number("44030619900101123") or "")
    assert "18 characters" in (check_id_number("44030619900101123Y") or "")
    assert check_id_number("440306199002301234") == (
        "the birth date in the ID number is not a real date")  # 19900230 not shown
    assert check_id_number(" 11010519491231002x ") is None  # lower-case x and spaces
    assert "differs" in (check_id_number("440306199001011236", "1990-01-02") or "")


@pytest.mark.parametrize("typed, stored", [
    ("19912345678", "19912345678"),
    ("138 1234 5678", "13812345678"),  # spaces, as typed to be read out
    ("138-1234-5678", "13812345678"),
    ("+8613812345678", "13812345678"),
    ("0755-27012345", "0755-27012345"),  # a landline with Shenzhen's area code
    ("0755 2701 2345", "0755-27012345"),
    ("(0755)27012345", "0755-27012345"),
    ("020-81234567", "020-81234567"),  # three-digit codes start 01 or 02
    ("0755-27012345-801", "0755-27012345-801"),  # an extension
    ("0755-27012345转801", "0755-27012345-801"),
    ("400-123-4567", "400-123-4567"),
])
def test_phones_as_typed(typed: str, stored: str) -> None:
    assert normalise_phone(typed) == stored and check_phone(typed) is None


@pytest.mark.parametrize("bad", ["1381234567", "23812345678", "27012345", "0755-123",
                                 "12345678901", "电话"])
def test_not_phones(bad: str) -> None:
    assert normalise_phone(bad) is None and check_phone(bad) is not None


def test_names_and_excel_numbers() -> None:
    assert normalise_name("卢　芳") == "卢芳"  # an ideographic space aligning two characters
    assert normalise_name("欧阳 晓燕") == "欧阳晓燕"
    assert normalise_name("Jüri  Ratas") == "Jüri Ratas"  # spaces between words stay
    assert normalise_name("ＡＢＣ公司") == "ABC公司"  # full-width letters
    assert excel_mangled("5.11025E+17") and excel_mangled("1.70675E+10")
    assert not excel_mangled("511025199001011236") and not excel_mangled("E+17")


def test_scenario_people_pass(xinqiao: GraphStore) -> None:
    people = list(xinqiao.nodes("Person"))[:2000]
    assert people
    for p in people:
        props = p.properties
        if "id_number" in props:
            assert check_id_number(props["id_number"], props.get("birth_date")) is None, p.id
        if "phone" in props:
            assert normalise_phone(props["phone"]) == props["phone"], p.id
        assert normalise_name(p.name) == p.name
