"""Inputs that arrive as files: uploads for ``file`` parameters, kept in the project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from werkzeug.utils import secure_filename

from server.services.errors import InvalidInput
from server.services.execution.run import Upload
from server.services.safe_paths import inside

UPLOADS = "uploads"
CHUNK = 1024 * 1024


def save_uploads(
    params: list[dict[str, Any]], folder: Path, uploads: list[Upload]
) -> dict[str, str]:
    """Store uploads in ``<project>/uploads/``; return the stored name per parameter."""
    kinds = {p["name"]: p.get("type") for p in params}
    saved = {}
    for upload in uploads:
        if kinds.get(upload.parameter) != "file":
            raise InvalidInput("{field}: not a file parameter.", field=upload.parameter)
        name = secure_filename(upload.filename)
        if not name:
            raise InvalidInput("{field}: a file name is needed.", field=upload.parameter)
        target = folder / UPLOADS
        target.mkdir(exist_ok=True)
        with open(target / name, "wb") as handle:
            while chunk := upload.stream.read(CHUNK):
                handle.write(chunk)
        saved[upload.parameter] = name
    return saved


def resolve_files(
    params: list[dict[str, Any]], values: dict[str, Any], folder: Path
) -> dict[str, Any]:
    """Replace each ``file`` value (a stored name) by its absolute path; it must exist."""
    resolved = dict(values)
    for param in params:
        name = param["name"]
        if param.get("type") == "file" and name in values:
            path = inside(folder / UPLOADS, values[name], name)
            if not path.is_file():
                raise InvalidInput("{field}: upload the file first.", field=name)
            resolved[name] = str(path)
    return resolved
