"""Operations messages (projects, data files, runs, retention, backups, /health) answered
in the asker's language: the catalog's form with the values put in, English otherwise."""

from __future__ import annotations

import pytest

from server.services.audit import Actor
from server.services.backup.manifest import Limits
from server.services.backup.schedule import BackupPolicy
from server.services.errors import InvalidInput
from tests.api.test_catalog import rescan
from tests.api.translated import error_message, form, speaking
from tests.backups.archives import file_info, with_manifest

MISSING_RUN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def lab(app, groups) -> None:
    groups.group("lab")
    groups.script("lab", "hello.py", "", "print('hello')\n")
    rescan(app)


@pytest.mark.parametrize("language", ["es", "it", "fr", "en"])
def test_project_and_run_errors_follow_the_users_language(language, login, make_user, lab):
    client = speaking(login, make_user, language)
    gid = client.get("/api/script-groups").get_json()["items"][0]["id"]
    assert (
        client.post("/api/projects", {"project_name": "alpha", "group_id": gid}).status_code == 201
    )

    again = client.post("/api/projects", {"project_name": "alpha", "group_id": gid})
    template = "A project named {name!r} exists in this group."
    assert error_message(again, 409) == form(template, language, name="alpha")

    unknown = client.delete("/api/projects/987654")
    assert error_message(unknown, 404) == form(
        "Project {project_id} does not exist.", language, project_id=987654
    )

    run = client.get(f"/api/logs/execution/{MISSING_RUN}")
    assert error_message(run, 404) == form(
        "Run {execution_id} does not exist.", language, execution_id=MISSING_RUN
    )


@pytest.mark.parametrize("language", ["it", "en"])
def test_data_file_errors_follow_the_users_language(language, login, make_user, lab):
    client = speaking(login, make_user, language)
    gid = client.get("/api/script-groups").get_json()["items"][0]["id"]
    project = client.get(f"/api/projects?group_id={gid}").get_json()["items"][0]["id"]
    base = f"/api/data/{gid}/{project}"

    missing = client.get(f"{base}/absent.json")
    assert error_message(missing, 404) == form(
        "{filename}: no such file in the project folder.", language, filename="absent.json"
    )
    reserved = client.post(f"{base}/con.json", {"x": 1})
    assert error_message(reserved, 400) == form(
        "{field}: {name!r} is a reserved name.", language, field="filename", name="con.json"
    )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_broken_config_file_is_reported_in_the_admins_language(
    language, login, make_user, settings
):
    client = speaking(login, make_user, language, level="admin")
    settings.config_file.write_text("[1, 2]", encoding="utf-8")
    refused = client.put("/api/admin/retention", {"days": {"viewer": 7}})
    assert error_message(refused, 409) == form(
        "{file} is not a JSON object; fix it first.", language, file=settings.config_file.name
    )


def failed_backup(services) -> InvalidInput:
    """Fail a backup (the data tree is beyond a one-file limit); return its error."""
    services.backups.policy = BackupPolicy(True, "02:00", 30, Limits(max_files=1, max_bytes=10**9))
    with pytest.raises(InvalidInput) as caught:
        services.backups.backup_now(Actor.system())
    return caught.value


def test_health_reasons_follow_lang_accept_language_and_default_to_english(services, client):
    error = failed_backup(services)
    values = error.text.values
    failure = error.text.template
    assert failure.startswith("No backup was taken: the data tree holds {entries} files")
    reason = "the last system backup failed: {failure}"

    english = client.get("/health").get_json()
    assert english["status"] == "degraded"
    assert form(reason, "en", failure=form(failure, "en", **values)) in english["reasons"]

    french = client.get("/health?lang=fr").get_json()["reasons"]
    assert form(reason, "fr", failure=form(failure, "fr", **values)) in french

    spanish = client.get("/health", headers={"Accept-Language": "es-ES,es;q=0.9"}).get_json()
    assert form(reason, "es", failure=form(failure, "es", **values)) in spanish["reasons"]
    assert all(isinstance(text, str) for text in spanish["reasons"])


@pytest.mark.parametrize("language", ["it", "en"])
def test_a_failed_backup_is_told_in_the_admins_language(language, services, login, make_user):
    client = speaking(login, make_user, language, level="admin")
    error = failed_backup(services)
    template = error.text.template
    last = client.get("/api/system/backup-status").get_json()["last_result"]
    assert last["result"] == "failed"
    assert last["message"] == form(template, language, **error.text.values)


@pytest.mark.parametrize("language", ["es", "fr", "en"])
def test_a_refused_restore_is_told_in_the_admins_language(language, services, login, make_user):
    client = speaking(login, make_user, language, level="admin")
    backup_id = "20260101_000000"
    path = services.backups.store.root / "2026-01-01" / f"data_backup_{backup_id}.tar.gz"
    with_manifest(path, [(file_info("data/../escaped.txt", 3), b"bad")])
    with pytest.raises(InvalidInput):
        services.backups.restore_now(backup_id, Actor.system(), services.restore_quiescer())

    last = client.get("/api/system/backup-status").get_json()["last_result"]
    template = (
        "The backup was not restored: unsafe name in the backup: {name!r}. Nothing was changed."
    )
    assert last["kind"] == "restore" and last["result"] == "failed"
    assert last["message"] == form(template, language, name="data/../escaped.txt")
