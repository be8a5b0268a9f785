"""URL converters: whole-number path ids bounded to what the database can hold."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, Map

MIN_ID = 1
# The INTEGER columns of PostgreSQL (SQLite's hold more, but no install gets near): larger
# ids and numbers could never be stored, so they must not reach the database and crash.
MAX_ID = 2**31 - 1


def up_to(limit: int) -> str:
    """Return a regular expression matching exactly the decimal numbers 1 .. ``limit``."""
    digits = str(limit)
    shorter = f"[1-9][0-9]{{0,{len(digits) - 2}}}" if len(digits) > 1 else ""
    same_length = [digits]
    for index, digit in enumerate(digits):
        lowest = 1 if index == 0 else 0
        if int(digit) > lowest:
            rest = len(digits) - index - 1
            same_length.append(f"{digits[:index]}[{lowest}-{int(digit) - 1}][0-9]{{{rest}}}")
    return "|".join(filter(None, [shorter, *same_length]))


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` for ids: ASCII digits for 1 .. 2**31-1 (leading zeros allowed).

    The pattern itself leaves larger numbers out, so they match no route at all: a 404
    whatever the method (a value refused after matching would make Werkzeug answer 405).
    """

    regex = f"0*(?:{up_to(MAX_ID)})"

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = MIN_ID,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
