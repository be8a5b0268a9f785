"""Validation failures of request bodies, told in the server's own (translated) words."""

from __future__ import annotations

import re
from typing import Any

from server.services.errors import InvalidInput

# pydantic's error type -> the English template (every one is in translations/messages/).
BODY_MESSAGES = {
    "missing": "{field}: a value is required.",
    "extra_forbidden": "{field}: not a field of this request.",
    "string_type": "{field}: must be text.",
    "int_type": "{field}: must be a whole number.",
    "float_type": "{field}: must be a number.",
    "bool_type": "{field}: must be true or false.",
    "list_type": "{field}: must be a list.",
    "dict_type": "{field}: must be an object.",
    "model_type": "{field}: must be an object.",
    "none_required": "{field}: must be empty (null).",
    "finite_number": "{field}: must be a finite number.",
    "string_too_short": "{field}: must have at least {min_length} characters.",
    "string_too_long": "{field}: must have at most {max_length} characters.",
    "too_short": "{field}: must have at least {min_length} items.",
    "too_long": "{field}: must have at most {max_length} items.",
    "greater_than": "{field}: must be greater than {gt}.",
    "greater_than_equal": "{field}: must be at least {ge}.",
    "less_than": "{field}: must be less than {lt}.",
    "less_than_equal": "{field}: must be at most {le}.",
    "literal_error": "{field}: must be one of {expected}.",
    "enum": "{field}: must be one of {expected}.",
    "string_pattern_mismatch": "{field}: does not have the expected form.",
}
OTHER = "{field}: the value is not accepted."
QUOTED = re.compile(r"'([^']*)'")


def body_error(error: dict[str, Any]) -> InvalidInput:
    """Return the InvalidInput for pydantic's first error, naming the field."""
    field = ".".join(str(part) for part in error["loc"]) or "body"
    context = dict(error.get("ctx") or {})
    if "expected" in context:  # "'a', 'b' or 'c'": the choices, without English words
        context["expected"] = ", ".join(QUOTED.findall(str(context["expected"])))
    template = BODY_MESSAGES.get(error["type"], OTHER)
    wanted = set(re.findall(r"{(\w+)}", template)) - {"field"}
    values = {name: context[name] for name in wanted if name in context}
    if wanted - values.keys():
        return InvalidInput(OTHER, field=field)
    return InvalidInput(template, field=field, **values)
