"""Run-list filters given as data (a saved preset, a bulk request's filter), checked by the
rules of the list's query arguments and kept as the text a query string would carry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from server.api.logs import FILTERS, ORDER, SORT
from server.api.query import Args, IntArg, QueryArg
from server.services.errors import InvalidInput
from server.services.logs import LogFilters

EVERYONE = "all"
MAX_KEYS = 20
FilterValue = Any  # text, a whole number or true/false: checked by clean_filters


@dataclass(frozen=True)
class ScopeArg(IntArg):
    """Whose runs: ``all`` or a user's id (admins only); the caller's own when absent."""

    def read(self, args: Args | None = None) -> Any:
        """Return EVERYONE, a user id or None; raise InvalidInput for anything else."""
        return EVERYONE if self.raw(args) == EVERYONE else super().read(args)

    def schema(self) -> dict[str, Any]:
        """Return ``all`` or an id."""
        return {"anyOf": [{"type": "string", "enum": [EVERYONE]}, super().schema()]}


USER_SCOPE = ScopeArg("user_id", "Admins: a user's id, or all for every user's runs.")
FILTER_ARGS: dict[str, QueryArg] = {
    arg.name: arg for arg in (*FILTERS.values(), SORT, ORDER, USER_SCOPE)
}


def _text(key: str, value: FilterValue) -> str:
    """Return a filter's value as query-string text; raise InvalidInput for another type."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | str):
        return str(value)
    raise InvalidInput("{field}: the value is not accepted.", field=key)


def clean_filters(values: Mapping[str, FilterValue], is_admin: bool) -> dict[str, str]:
    """Return the filters as query-string text without empty ones; raise InvalidInput naming
    an unknown key or a bad value."""
    for key in values:
        if key not in FILTER_ARGS:
            raise InvalidInput("{field}: not a field of this request.", field=key)
    text = {key: _text(key, value) for key, value in values.items()}
    for arg in FILTER_ARGS.values():
        arg.read(text)
    if text.get(USER_SCOPE.name) and not is_admin:
        raise InvalidInput("{field}: only admins choose runs by user.", field=USER_SCOPE.name)
    return {key: value for key, value in text.items() if value != ""}


def selection_filters(text: Args, user_id: int) -> tuple[int | None, LogFilters]:
    """Return whose runs the checked filters mean (None: every user's) and the criteria;
    the caller's marks count (``starred``, notes found by ``q``)."""
    values = {field: arg.read(text) for field, arg in FILTERS.items()}
    scope = USER_SCOPE.read(text)
    owner = user_id if scope is None else None if scope == EVERYONE else scope
    return owner, LogFilters(**values, marker=user_id)
