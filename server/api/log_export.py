"""A zip of runs, built while it is sent: each run's full log file as ``<execution_id>.log``,
then ``runs.json`` and ``runs.csv`` (the shapes of the single-run downloads).

The runs are read BATCH at a time and each file is copied in blocks, so an export of
thousands of runs never sits in memory.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from flask import Response, stream_with_context

from server.api.common import actor
from server.api.logs import disposition, export_csv
from server.api.presenters import execution_json
from server.models import ExecutionLog, utcnow
from server.services.log_bulk import Selection
from server.services.registry import services
from server.services.zip_sink import ZipSink

BLOCK = 1 << 20  # bytes of a log file copied at a time


def export_answer(selection: Selection) -> Response:
    """Answer the zip of the selected runs (an admin's export of others' runs is audited);
    X-Bulk-Done and X-Bulk-Skipped count the runs in it and those skipped."""
    services().log_bulk.audit_export(selection, actor())
    headers = disposition(f"runs_{utcnow():%Y%m%d_%H%M%S}.zip")
    headers |= {"X-Bulk-Done": str(len(selection.ids)), "X-Bulk-Skipped": str(selection.skipped)}
    body = stream_with_context(zip_stream(selection))
    return Response(body, mimetype="application/zip", headers=headers)


def zip_stream(selection: Selection) -> Iterator[bytes]:
    """Yield the zip's bytes: the log files, runs.json, runs.csv."""
    sink = ZipSink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for batch in services().log_bulk.batches(selection):
            for record in batch:
                yield from _log_file(archive, sink, record)
        yield from _listing(archive, sink, selection, "runs.json", _json_part)
        yield from _listing(archive, sink, selection, "runs.csv", _csv_part)
    yield sink.take()


def _entry(name: str, when: datetime | None, size: int = 0) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(when or utcnow()).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.file_size = size  # lets zipfile choose ZIP64 up front for a large file
    return info


def _log_file(archive: zipfile.ZipFile, sink: ZipSink, record: ExecutionLog) -> Iterator[bytes]:
    """Copy the run's log file (as far as it was when the copy began); none if it is gone."""
    path = Path(record.log_path or "")
    if not record.log_path or not path.is_file():
        return
    left = path.stat().st_size
    info = _entry(f"{record.execution_uuid}.log", record.start_time, left)
    with path.open("rb") as source, archive.open(info, "w") as target:
        while left > 0 and (block := source.read(min(BLOCK, left))):
            target.write(block)
            left -= len(block)
            yield sink.take()


def _listing(archive, sink: ZipSink, selection: Selection, name: str, part) -> Iterator[bytes]:
    """Write one listing of every selected run, a batch of runs at a time; ``part(rows,
    first)`` gives the bytes of a batch, ``part([], first)`` those of the end."""
    logs = services().logs
    with archive.open(_entry(name, None), "w") as target:
        first = True
        for batch in services().log_bulk.batches(selection):
            if batch:
                rows = [execution_json(record, logs.outputs(record)) for record in batch]
                target.write(part(rows, first))
                first = False
            yield sink.take()
        target.write(part([], first))
    yield sink.take()


def _json_part(rows: list[dict], first: bool) -> bytes:
    """Return the rows as the next items of a JSON list; without rows, the list's end."""
    if not rows:
        return b"[]\n" if first else b"\n]\n"
    items = ",\n".join(json.dumps(row, indent=2, ensure_ascii=False) for row in rows)
    return (("[\n" if first else ",\n") + items).encode("utf-8")


def _csv_part(rows: list[dict], first: bool) -> bytes:
    """Return the rows as CSV lines, the header line before the first; without rows, the
    header alone if nothing came before."""
    if not rows:
        return export_csv([]).encode("utf-8") if first else b""
    text = export_csv(rows)
    return (text if first else text.partition("\r\n")[2]).encode("utf-8")
