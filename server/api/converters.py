"""URL converters: whole-number path ids bounded to what the database can hold."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, Map

MIN_ID = 1
MAX_ID = 2**63 - 1  # SQLite's INTEGER; larger ids could never exist, so they must not crash


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` for ids: ASCII digits only, 1 .. 2**63-1; anything else matches no route."""

    regex = r"[0-9]+"

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = MIN_ID,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
