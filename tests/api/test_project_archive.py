"""A project's files in bulk: the streamed zip of the whole folder, uploads, and the
project's zip backups (listed, downloaded, deleted), each under the data routes' rules."""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from server.models import AuditEvent
from server.services.project_backups import mark_of
from server.services.registry import EXTENSION_KEY
from tests.api.test_catalog import rescan
from tests.support import JsonClient

ZIP_NAME = re.compile(r'attachment; filename="?lab_project_default_\d{8}_\d{6}\.zip"?')


@dataclass
class Project:
    """An operator's default project in group ``lab``, with its folder and routes."""

    client: JsonClient
    group_id: int
    project_id: int
    folder: Path
    base: str


@pytest.fixture
def project(app, groups, login, make_user, settings) -> Project:
    groups.group("lab")
    rescan(app)
    client = login(make_user("uma", level="operator"))
    gid = client.get("/api/script-groups").get_json()["items"][0]["id"]
    pid = client.get(f"/api/projects?group_id={gid}").get_json()["items"][0]["id"]
    folder = settings.base_data_path / "script_groups" / "lab" / "uma" / "project_default"
    folder.mkdir(parents=True, exist_ok=True)
    return Project(client, gid, pid, folder, f"/api/data/{gid}/{pid}")


def audit_actions(app) -> list[tuple[str, str | None]]:
    with app.app_context():
        session = app.extensions[EXTENSION_KEY].db.session
        return [(e.action, e.target) for e in session.scalars(select(AuditEvent))]


def fill(folder: Path, outside: Path) -> dict[str, bytes]:
    """Write nested files, a large one, and links (to a file, to a folder) leading out."""
    files = {
        "top.txt": b"top\n",
        "nested/deep/inner.json": b'{"a": 1}',
        "nested/data.bin": os.urandom(3 * 1024 * 1024),  # several chunks, barely compressible
    }
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    (folder / "link.txt").symlink_to(outside / "secret.txt")
    (folder / "nested" / "linked").symlink_to(outside, target_is_directory=True)
    return files


def test_the_archive_streams_the_folder_with_relative_names_and_no_links(project, tmp_path):
    files = fill(project.folder, tmp_path / "outside")
    response = project.client.raw.get(f"{project.base}/archive")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "application/zip"
    assert ZIP_NAME.fullmatch(response.headers["Content-Disposition"])
    assert "Content-Length" not in response.headers
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    chunks = list(response.response)  # the app's own iterator: made piece by piece
    assert len(chunks) > 3 and max(map(len, chunks)) < 1024 * 1024
    with zipfile.ZipFile(io.BytesIO(b"".join(chunks))) as archive:
        assert sorted(archive.namelist()) == sorted(files)
        assert {name: archive.read(name) for name in files} == files
        assert archive.testzip() is None


def test_an_empty_project_is_an_empty_zip(project):
    response = project.client.get(f"{project.base}/archive")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert archive.namelist() == []


def test_the_archive_follows_the_data_routes_rules(project, app, login, make_user, admin):
    (project.folder / "a.txt").write_text("a")
    other = login(make_user("vic", level="operator"))
    for path in ("archive", "backups", "files"):
        assert other.get(f"{project.base}/{path}").status_code == 404, path
    wrong_group = f"/api/data/{project.group_id + 1}/{project.project_id}/archive"
    assert project.client.get(wrong_group).status_code == 404
    boss = login(admin)
    answer = boss.get(f"{project.base}/archive")
    assert answer.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(answer.data)).namelist() == ["a.txt"]
    assert ("admin.read_data", "lab/uma/project_default") in audit_actions(app)


def write_backup(folder: Path, name: str, mark: bytes | None) -> None:
    with zipfile.ZipFile(folder / name, "w") as archive:
        archive.writestr("x.txt", "x")
        if mark is not None:
            archive.comment = mark


def test_backups_are_listed_downloaded_and_deleted_only_for_their_project(
    project, app, settings, login, make_user
):
    (project.folder / "notes.txt").write_text("notes")
    made = project.client.post(f"{project.base}/backup")
    assert made.status_code == 201
    newest = made.get_json()["backup"]
    backups = settings.base_data_path / "backups"
    older = "uma_project_default_20200101_000000.zip"
    write_backup(backups, older, mark_of(project.folder))
    decoys = {  # same name pattern, someone else's folder (or none at all)
        "uma_project_default_20210101_000000.zip": mark_of(Path("other/uma/project_default")),
        "uma_project_default_20220101_000000.zip": mark_of(Path("lab/uma_project/default")),
        "uma_project_default_20230101_000000.zip": None,
    }
    for name, mark in decoys.items():
        write_backup(backups, name, mark)
    (backups / "uma_project_default_20240101_000000.zip").write_text("not a zip")

    listed = project.client.get(f"{project.base}/backups").get_json()["items"]
    assert [item["name"] for item in listed] == [newest, older]
    assert listed[0]["size"] == (backups / newest).stat().st_size
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", listed[1]["created"])

    download = project.client.get(f"{project.base}/backups/{newest}")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert zipfile.ZipFile(io.BytesIO(download.data)).namelist() == ["notes.txt"]
    bad = [*decoys, "uma_project_default_20240101_000000.zip", "nothing.zip", ".hidden.zip",
           "con.zip", "a" * 300 + ".zip", "%00.zip", "..", "x%5C..%5Cy.zip"]  # fmt: skip
    for name in bad:
        assert project.client.get(f"{project.base}/backups/{name}").status_code == 404, name
        assert project.client.delete(f"{project.base}/backups/{name}").status_code == 404, name
    (backups.parent / "x.zip").write_bytes(download.data)
    for path in ("..%2Fx.zip", "%2E%2E/x.zip"):  # a slash: not a backup name, and no path out
        assert project.client.get(f"{project.base}/backups/{path}").status_code in (400, 404)
    assert all((backups / name).exists() for name in decoys)

    other = login(make_user("vic", level="operator"))
    assert other.get(f"{project.base}/backups/{newest}").status_code == 404
    assert other.delete(f"{project.base}/backups/{newest}").status_code == 404
    viewer = login(make_user("val", level="viewer"))
    assert viewer.delete(f"{project.base}/backups/{newest}").status_code == 403

    assert project.client.delete(f"{project.base}/backups/{newest}").status_code == 200
    assert not (backups / newest).exists()
    assert [
        i["name"] for i in project.client.get(f"{project.base}/backups").get_json()["items"]
    ] == [older]
    actions = audit_actions(app)
    assert ("data.backup", newest) in actions and ("data.backup_delete", newest) in actions


def upload(client: JsonClient, url: str, *files: tuple[bytes, str], csrf: bool = True):
    data = {"files": [(io.BytesIO(body), name) for body, name in files]}
    headers = {"X-CSRFToken": client.csrf} if csrf else {}
    return client.raw.post(url, data=data, headers=headers, content_type="multipart/form-data")


def test_uploads_are_stored_under_safe_names_listed_and_audited(project, app):
    url = f"{project.base}/files"
    answer = upload(project.client, url, (b"one", "report 1.txt"), (b"\x00\x01", "data.bin"))
    assert answer.status_code == 201
    assert [item["name"] for item in answer.get_json()["items"]] == ["report_1.txt", "data.bin"]
    assert (project.folder / "report_1.txt").read_bytes() == b"one"
    listed = project.client.get(url).get_json()["items"]
    assert [(item["name"], item["size"]) for item in listed] == [
        ("data.bin", 2),
        ("report_1.txt", 3),
    ]
    assert re.search(r"[+-]\d\d:\d\d$", listed[0]["modified"])  # a time with its offset
    replaced = upload(project.client, url, (b"two!", "data.bin"))
    assert replaced.status_code == 201 and (project.folder / "data.bin").read_bytes() == b"two!"
    assert ("data.upload", "uma/project_default/data.bin") in audit_actions(app)

    refused = upload(project.client, url, (b"x", "..."))
    assert refused.status_code == 400 and "..." in refused.get_json()["error"]["message"]
    assert upload(project.client, url).status_code == 400
    assert upload(project.client, url, (b"x", "a.txt"), csrf=False).status_code in (400, 403)
    app.config["MAX_CONTENT_LENGTH"] = 1000
    assert upload(project.client, url, (b"x" * 2000, "big.bin")).status_code == 413
    assert not (project.folder / "big.bin").exists()


def test_a_file_is_served_as_an_attachment_on_request(project):
    (project.folder / "notes.txt").write_text("hello")
    inline = project.client.get(f"{project.base}/notes.txt")
    assert "attachment" not in inline.headers.get("Content-Disposition", "")
    download = project.client.get(f"{project.base}/notes.txt?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.data == b"hello"
    project.client.delete(f"{project.base}/notes.txt")
    assert ("data.delete", "uma/project_default/notes.txt") in audit_actions(project_app(project))


def project_app(project: Project):
    return project.client.raw.application


def test_the_files_page_and_the_links_to_it(project, login, make_user, admin):
    page = f"/projects/{project.group_id}/{project.project_id}"
    answer = project.client.raw.get(page)
    assert answer.status_code == 200
    assert f'data-base="{project.base}"' in answer.get_data(as_text=True)
    assert f'href="{page}"' in project.client.raw.get("/").get_data(as_text=True)
    assert login(make_user("vic")).raw.get(page).status_code == 404
    (project.folder / "a.txt").write_text("a")
    rows = login(admin).get("/api/admin/data/projects").get_json()["items"]
    assert [(r["group_id"], r["project_id"]) for r in rows] == [
        (project.group_id, project.project_id)
    ]
