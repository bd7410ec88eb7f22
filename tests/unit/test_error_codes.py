"""One table of error codes (``error_codes.py``): equal to the contract's "Errors"
table, and every route's codes among them."""

from __future__ import annotations

import re

import pytest

from automations.error_codes import ERROR_CODES
from automations.routes import ROUTES, Route
from tests.helpers import ROOT

CONTRACT = ROOT.parent / "shared" / "spec" / "CONTRACT.md"


def contract_table() -> dict[str, tuple[int, set[str]]]:
    """code -> (status, the types its row names), from the contract's "Errors" table."""
    text = CONTRACT.read_text()
    section = text.split("\n## Errors\n", 1)[1].split("\n## ", 1)[0]
    found: dict[str, tuple[int, set[str]]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].isdigit():
            continue
        types = set(re.findall(r"`(\w+)`", cells[1]))
        for item in cells[2].split(", `"):
            code = re.findall(r"`?(\w+)`", item)[0]  # the first name: "(with `validationErrors`)" is no code
            found[code] = (int(cells[0]), types)
    return found


def test_the_table_is_the_contracts() -> None:
    contract = contract_table()
    assert len(contract) > 25  # the table was read
    assert set(ERROR_CODES) == set(contract)
    for code, known in ERROR_CODES.items():
        status, types = contract[code]
        assert known.status == status, code
        assert known.type in types, code
        assert known.message and not known.message.endswith("."), code


def test_a_row_of_two_types_gives_each_code_the_right_one() -> None:
    # 422: validation_error / idempotency_error
    assert ERROR_CODES["idempotency_key_reused"].type == "idempotency_error"
    assert ERROR_CODES["validation_failed"].type == ERROR_CODES["not_publishable"].type == "validation_error"


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.module)
def test_each_route_answers_only_codes_of_the_table(route: Route) -> None:
    assert set(route.errors) <= set(ERROR_CODES)
    assert len(route.errors) == len(set(route.errors))
    assert {"internal_error", "authentication_required", "insufficient_scope"} <= set(route.errors)
