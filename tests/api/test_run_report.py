"""The PDF report of a run, read back with pdftotext: facts, masked secrets, the output with
stderr marked, a long output cut with the counts, the reader's language, and access."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.api.test_catalog import rescan
from tests.api.test_runs import run, wait_done

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

HEADER = (
    '@parameters: [{"name": "lines", "type": "int"}, {"name": "token", "type": "secret"},'
    ' {"name": "label", "type": "string"}]'
)
CODE = """import sys
args = dict(a.lstrip('-').partition('=')[::2] for a in sys.argv[1:])
print('Température mesurée: 21,5 °C — ça marche')
print('attention: débit faible', file=sys.stderr)
for n in range(int(args.get('lines', '0'))):
    print(f'ligne {n:06d}')
print('fin du calcul')
"""


@pytest.fixture
def reporter(app, groups, login, make_user):
    groups.group("lab")
    groups.script("lab", "report_me.py", HEADER, CODE)
    rescan(app)
    client = login(make_user("rita", level="operator"))
    gid = client.get("/api/script-groups").get_json()["items"][0]["id"]
    script = client.get(f"/api/script-groups/{gid}/scripts").get_json()["items"][0]
    return client, script["id"]


def pdf_text(client, execution_id: str, tmp_path: Path) -> str:
    answer = client.get(f"/api/logs/execution/{execution_id}/download?format=pdf")
    assert answer.status_code == 200, answer.get_json()
    assert answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"].endswith(f'execution_{execution_id}.pdf"')
    path = tmp_path / f"{execution_id}.pdf"
    path.write_bytes(answer.data)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def test_the_report_holds_the_facts_masked_parameters_and_the_output(reporter, tmp_path):
    client, script_id = reporter
    params = {"lines": 3, "token": "hunter2-very-secret", "label": "essai n°7"}
    record = wait_done(client, run(client, script_id, params))
    text = pdf_text(client, record["execution_id"], tmp_path)
    assert "Run report" in text and "rita" in text and "Completed" in text
    assert record["execution_id"] in text
    assert "********" in text and "hunter2" not in text
    assert "essai n°7" in text
    assert "Température mesurée: 21,5 °C — ça marche" in text
    assert "[stderr] attention: débit faible" in text
    assert "fin du calcul" in text and "left out" not in text


def test_a_long_output_is_cut_with_the_counts(reporter, tmp_path):
    client, script_id = reporter
    record = wait_done(
        client, run(client, script_id, {"lines": 30_000, "token": "x", "label": "l"})
    )
    text = pdf_text(client, record["execution_id"], tmp_path)
    assert "ligne 000000" in text and "fin du calcul" in text  # the start and the end
    assert "ligne 015000" not in text
    log = client.get(f"/api/logs/execution/{record['execution_id']}/download?format=txt").data
    total = len(log.splitlines())
    assert f"lines left out here (lines 1,501 to {total - 500:,} of {total:,})" in " ".join(
        text.split()
    )


def test_the_report_speaks_the_readers_language(reporter, tmp_path):
    client, script_id = reporter
    client.post("/api/user/preferences", {"language": "fr"})
    record = wait_done(client, run(client, script_id, {"lines": 1, "token": "x", "label": "l"}))
    text = pdf_text(client, record["execution_id"], tmp_path)
    assert "Rapport d'exécution" in text and "Paramètres" in text and "Terminé" in text


def test_another_users_run_has_no_report(reporter, login, make_user):
    client, script_id = reporter
    record = wait_done(client, run(client, script_id, {"lines": 1, "token": "x", "label": "l"}))
    stranger = login(make_user("sam", level="operator"))
    url = f"/api/logs/execution/{record['execution_id']}/download?format=pdf"
    assert stranger.get(url).status_code == 404
