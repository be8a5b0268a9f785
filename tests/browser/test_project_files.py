"""A user opens a project's files from the dashboard, uploads two files, sorts, downloads
one, deletes one after the confirmation, makes and deletes a backup, and downloads the
whole project as a zip; the page is looked at in light and dark theme and in French."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_catalog import create_user
from tests.browser.test_shell import log_in

pytestmark = pytest.mark.browser

PASSWORD = "Us3r-Password!"
ZIP_NAME = re.compile(r"data_tools_project_default_\d{8}_\d{6}\.zip")


def row(page, name: str):
    return page.locator(f'#sm-files-body tr[data-name="{name}"]')


def names(page, body: str = "#sm-files-body") -> list[str]:
    return page.locator(f"{body} tr").evaluate_all("rows => rows.map(r => r.dataset.name)")


def open_files_page(page, url: str, shot) -> None:
    card = page.locator("#sm-group-cards .sm-group-card", has_text="Data tools")
    shot(page, "dashboard_files_link")
    card.locator("[data-sm-project-files]").click()
    page.wait_for_url(re.compile(r".*/projects/\d+/\d+$"))
    expect(page.locator("#sm-project-group")).to_have_text("Data tools")
    expect(page.locator("#sm-files-empty")).to_be_visible()
    expect(page.locator("#sm-backups-empty")).to_be_visible()
    expect(page.locator("#sm-download-all")).to_have_attribute("aria-disabled", "true")


def upload_two(page, tmp_path: Path) -> dict[str, bytes]:
    files = {"results.csv": b"a,b\n1,2\n", "field_data.bin": os.urandom(4 * 1024 * 1024)}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    page.set_input_files("#sm-upload-input", [str(tmp_path / name) for name in files])
    expect(page.locator("#sm-files-body tr")).to_have_count(2)
    expect(page.locator("#sm-files-summary")).to_contain_text("2 files")
    expect(row(page, "field_data.bin")).to_contain_text("4.0 MiB")
    expect(page.locator("#sm-upload-progress")).to_be_hidden()
    expect(page.locator("#sm-upload-errors")).to_be_hidden()
    return files


def refused_name(page, tmp_path: Path, shot) -> None:
    """A name with nothing usable in it is refused, said so by name; the rest is kept."""
    (tmp_path / "файл").write_bytes(b"x")
    page.set_input_files("#sm-upload-input", str(tmp_path / "файл"))
    errors = page.locator("#sm-upload-errors")
    expect(errors).to_be_visible()
    expect(errors).to_contain_text("файл: not a usable file name")
    expect(page.locator("#sm-files-body tr")).to_have_count(2)
    shot(page, "project_files_upload_error")
    page.click("#sm-upload-errors-close")
    expect(errors).to_be_hidden()


def check_sorting(page) -> None:
    assert names(page) == ["field_data.bin", "results.csv"]
    page.click('button[data-sort="size"]')
    expect(page.locator('th[data-sort="size"]')).to_have_attribute("aria-sort", "descending")
    assert names(page) == ["field_data.bin", "results.csv"]
    page.click('button[data-sort="size"]')
    expect(page.locator('th[data-sort="size"]')).to_have_attribute("aria-sort", "ascending")
    assert names(page) == ["results.csv", "field_data.bin"]
    page.click('button[data-sort="name"]')
    expect(page.locator('th[data-sort="name"]')).to_have_attribute("aria-sort", "ascending")
    assert names(page) == ["field_data.bin", "results.csv"]


def toggle_theme(page, theme: str) -> None:
    with page.expect_response("**/api/user/preferences"):
        page.click("#sm-theme-toggle")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-bs-theme", theme)
    expect(page.locator("#sm-files-body tr")).to_have_count(2)


def look(page, shot) -> None:
    """Screenshots in light, dark and French (kept in /tmp and tests/artifacts)."""
    page.screenshot(path="/tmp/project_files_light.png", full_page=True)
    shot(page, "project_files_light")
    toggle_theme(page, "dark")  # drawn afresh: no colour transition half-way in the picture
    page.screenshot(path="/tmp/project_files_dark.png", full_page=True)
    shot(page, "project_files_dark")
    toggle_theme(page, "light")
    page.click("#sm-language-menu")
    page.click('[data-sm-language="fr"]')
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#sm-files-title")).to_have_text("Fichiers")
    expect(page.locator("#sm-files-summary")).to_contain_text("2 fichiers")
    expect(row(page, "field_data.bin")).to_contain_text("4,0 MiB")
    page.screenshot(path="/tmp/project_files_fr.png", full_page=True)
    shot(page, "project_files_fr")
    page.click("#sm-language-menu")
    page.click('[data-sm-language="en"]')
    expect(page.locator("#sm-files-title")).to_have_text("Files")


def download(page, selector: str):
    with page.expect_download() as info:
        page.click(selector)
    return info.value


def test_upload_list_download_delete_back_up_and_zip(page, live_server, tmp_path, shot, browser):
    url = live_server.url
    create_user(live_server, "pia", "operator", PASSWORD)
    log_in(page, url, "pia", PASSWORD)
    open_files_page(page, url, shot)
    shot(page, "project_files_empty")
    files = upload_two(page, tmp_path)
    check_sorting(page)
    refused_name(page, tmp_path, shot)

    page.click("#sm-backup-now")
    expect(page.locator("#sm-backups-body tr")).to_have_count(1)
    look(page, shot)

    one = download(page, '#sm-files-body tr[data-name="results.csv"] [data-action="download"]')
    assert one.suggested_filename == "results.csv"
    assert Path(one.path()).read_bytes() == files["results.csv"]

    asked: list[str] = []

    def confirm(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", confirm)
    row(page, "results.csv").locator('[data-action="delete"]').click()
    expect(page.locator("#sm-files-body tr")).to_have_count(1)
    assert asked and "results.csv" in asked[0]

    whole = download(page, "#sm-download-all")
    assert ZIP_NAME.fullmatch(whole.suggested_filename)
    with zipfile.ZipFile(whole.path()) as archive:
        assert archive.namelist() == ["field_data.bin"]
        assert archive.read("field_data.bin") == files["field_data.bin"]

    backup = download(page, '#sm-backups-body [data-action="download"]')
    with zipfile.ZipFile(backup.path()) as archive:
        assert sorted(archive.namelist()) == sorted(files)
    page.once("dialog", confirm)
    page.locator('#sm-backups-body [data-action="delete"]').click()
    expect(page.locator("#sm-backups-empty")).to_be_visible()
    assert backup.suggested_filename in asked[1]
    an_admin_opens_it_from_the_data_page(browser, url, page.url, shot)


def an_admin_opens_it_from_the_data_page(browser, url: str, files_url: str, shot) -> None:
    admin = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(admin, url)
    admin.goto(url + "admin/data")
    link = admin.locator("#sm-data-projects-body a", has_text="project_default")
    expect(link).to_have_attribute("href", files_url.removeprefix(url.rstrip("/")))
    link.click()
    admin.wait_for_url(files_url)
    expect(admin.locator("#sm-project-files")).to_contain_text("pia")
    expect(admin.locator("#sm-files-body tr")).to_have_count(1)
    shot(admin, "project_files_admin")
    admin.context.close()
