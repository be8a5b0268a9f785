"""Hot reload: files written while the app runs appear in the API within seconds."""

from __future__ import annotations

import pytest

from server.app import create_app, shutdown_app
from tests.support import GroupWriter, JsonClient, make_settings, wait_for


@pytest.fixture
def watched(tmp_path):
    settings = make_settings(tmp_path / "home", watch_script_groups=True)
    writer = GroupWriter(settings.script_groups_path)
    writer.group("live")
    app = create_app(settings)
    yield app, writer
    shutdown_app(app)


def test_new_changed_and_deleted_scripts_and_groups_are_seen(watched):
    app, writer = watched
    from server.services.audit import Actor
    from server.services.registry import EXTENSION_KEY

    services = app.extensions[EXTENSION_KEY]
    services.users.create("watcher", "w@example.com", "Watch3r-Password", "admin", Actor.system())
    services.db.remove()
    client = JsonClient(app.test_client())
    client.post("/api/auth/login", {"username": "watcher", "password": "Watch3r-Password"})
    gid = client.get("/api/script-groups").get_json()["items"][0]["id"]

    def scripts():
        return {
            s["filename"]: s
            for s in client.get(f"/api/script-groups/{gid}/scripts").get_json()["items"]
        }

    writer.script("live", "new_tool.py", "@description: First")
    wait_for(lambda: "new_tool.py" in scripts())
    writer.script("live", "new_tool.py", "@description: Second version")
    wait_for(lambda: scripts()["new_tool.py"]["description"] == "Second version")
    (writer.root / "live" / "new_tool.py").unlink()
    wait_for(lambda: "new_tool.py" not in scripts())

    writer.group("late_group", name="Late group")
    writer.script("late_group", "hello.py")
    wait_for(
        lambda: (
            "Late group"
            in [g["name"] for g in client.get("/api/script-groups").get_json()["items"]]
        )
    )
    writer.group("live", name="Renamed live")
    wait_for(
        lambda: (
            "Renamed live"
            in [g["name"] for g in client.get("/api/script-groups").get_json()["items"]]
        )
    )
