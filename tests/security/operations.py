"""The API's operations as /api/openapi.json lists them, and bodies they would act on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tests.security.harness import PASSWORD

LOGOUT = "POST /api/auth/logout"


@dataclass(frozen=True)
class Operation:
    """One method on one path of /api/openapi.json."""

    method: str
    template: str
    level: str
    has_body: bool

    @property
    def key(self) -> str:
        """Return "METHOD /template"."""
        return f"{self.method} {self.template}"

    def path(self, values: dict[str, Any]) -> str:
        """Return the path with each ``{name}`` replaced by ``values[name]`` (else 1)."""
        return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), 1)), self.template)


def operations(openapi: dict[str, Any]) -> list[Operation]:
    """Return every operation of the OpenAPI document, logout last."""
    found = [
        Operation(method.upper(), template, spec.get("x-required-level"), "requestBody" in spec)
        for template, methods in openapi["paths"].items()
        for method, spec in methods.items()
        if method.upper() in ("GET", "POST", "PUT", "DELETE", "PATCH")
    ]
    return sorted(found, key=lambda op: op.key == LOGOUT)


def valid_body(op: Operation, values: dict[str, Any], tag: str) -> Any:
    """Return a body that the operation would act on (used where acting is the failure)."""
    bodies: dict[str, Any] = {
        "POST /api/admin/users": {"username": f"made_{tag}", "email": f"made_{tag}@example.com",
                                  "password": PASSWORD, "user_level": "viewer"},
        "PUT /api/admin/users/{user_id}": {"email": f"changed_{tag}@example.com"},
        "POST /api/auth/login": {"username": "bob", "password": PASSWORD},
        "POST /api/auth/password": {"current_password": PASSWORD, "new_password": PASSWORD},
        "POST /api/auth/setup": {"username": f"boss_{tag}", "email": f"boss_{tag}@example.com",
                                 "password": PASSWORD},
        "POST /api/projects": {"project_name": f"made_{tag}", "group_id": values["group_id"]},
        "PUT /api/projects/{project_id}": {"description": f"changed {tag}"},
        "POST /api/data/{group_id}/{project_id}/{filename}": {"made": tag},
        "POST /api/docs/preview": {"markdown": "# x"},
        "POST /api/script-groups/{group_id}/conda": {"environment": None},
        "PUT /api/scripts/{script_id}/description-long": {"markdown": f"# {tag}", "language": "en"},
        "POST /api/scripts/{script_id}/execute": {"parameters": {"text": tag}},
        "PUT /api/scripts/{script_id}/metadata": {"category": f"c_{tag}"},
        "PUT /api/scripts/{script_id}/tags": {"tags": [f"t_{tag}"]},
        "POST /api/user/preferences": {"theme": "dark"},
        "POST /api/user/tokens": {"name": f"token_{tag}"},
        "POST /api/scripts/{script_id}/ping-interface": {"session_id": values["session_id"]},
        "POST /api/scripts/{script_id}/close-interface": {"session_id": values["session_id"]},
        "POST /api/admin/logs/export": {"format": "json"},
    }  # fmt: skip
    return bodies.get(op.key, {})
