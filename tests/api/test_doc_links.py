"""Links from one script's docs to another's (``other.md``, ``other_es.md``, ``script:``)
lead to that script's page; a link to a script that does not exist keeps its text only."""

from __future__ import annotations

from tests.api.test_catalog import rescan

DOC = """# Heat

See [fins](fin.md), [en español](fin_es.md#uso), [the pump](script:pumps/pump)
and [a script that is gone](gone.md). [Elsewhere](https://example.org/x.md).
"""


def ids_by_filename(client) -> dict[str, int]:
    found = {}
    for group in client.get("/api/script-groups").json["items"]:
        for script in client.get(f"/api/script-groups/{group['id']}/scripts").json["items"]:
            found[script["filename"]] = script["id"]
    return found


def test_doc_links_open_the_other_scripts_page(app, groups, login, make_user):
    for folder, name in (("thermal", "heat"), ("thermal", "fin"), ("pumps", "pump")):
        path = groups.group(folder)
        groups.script(folder, f"{name}.py", f"@description: {name}\n")
        (path / "docs").mkdir(exist_ok=True)
    (groups.root / "thermal" / "docs" / "heat.md").write_text(DOC, encoding="utf-8")
    rescan(app)
    client = login(make_user(level="operator"))
    ids = ids_by_filename(client)

    html = client.get(f"/api/scripts/{ids['heat.py']}/description-long").json["html"]
    assert f'href="/scripts/{ids["fin.py"]}"' in html
    assert f'href="/scripts/{ids["fin.py"]}#uso"' in html
    assert f'href="/scripts/{ids["pump.py"]}"' in html
    assert '<a class="sm-broken-link" rel="noopener noreferrer">a script that is gone</a>' in html
    assert 'href="https://example.org/x.md"' in html
    page = client.raw.get(f"/scripts/{ids['fin.py']}")
    assert page.status_code == 200
