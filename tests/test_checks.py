"""ID numbers and phones: the GB 11643 check digit worked out by hand, and the
scenario's synthetic people all pass."""

from __future__ import annotations

from graph.store import GraphStore
from loaders.checks import check_digit, check_id_number, check_phone


def test_check_digit_by_hand() -> None:
    # digits 4 4 0 3 0 6 1 9 9 0 0 1 0 1 1 2 3, weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2:
    # 28+36+0+15+0+24+2+9+54+0+0+9+0+5+8+8+6 = 204; 204 % 11 = 6; "10X98765432"[6] = "6"
    assert check_digit("44030619900101123") == "6"
    assert check_id_number("440306199001011236") is None
    assert check_id_number("440306199001011230") == "check digit is 0, GB 11643 wants 6"


def test_bad_shapes_and_dates() -> None:
    assert "18 characters" in (check_id_number("44030619900101123") or "")
    assert "18 characters" in (check_id_number("44030619900101123Y") or "")
    assert "not a real date" in (check_id_number("440306199002301234") or "")
    assert check_id_number(" 11010519491231002x ") is None  # lower-case x and spaces
    assert "differs" in (check_id_number("440306199001011236", "1990-01-02") or "")


def test_phones() -> None:
    assert check_phone("19912345678") is None
    for bad in ("1381234567", "23812345678", "138-1234-5678", "+8613812345678"):
        assert check_phone(bad) is not None, bad


def test_scenario_people_pass(xinqiao: GraphStore) -> None:
    people = list(xinqiao.nodes("Person"))[:2000]
    assert people
    for p in people:
        props = p.properties
        if "id_number" in props:
            assert check_id_number(props["id_number"], props.get("birth_date")) is None, p.id
        if "phone" in props:
            assert check_phone(props["phone"]) is None, p.id
