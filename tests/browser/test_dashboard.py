"""The dashboard knows the user: favourites, recent scripts, active projects, health."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_catalog import create_user, open_script
from tests.browser.test_shell import log_in

pytestmark = pytest.mark.browser
LANGUAGES = ("en", "es", "it", "fr")


def assert_one_line_navbar(page, language: str) -> None:
    """Fail when a menu entry breaks in two or the menu wraps below the brand."""
    brand = page.locator("nav.sm-navbar .navbar-brand").bounding_box()
    for link in page.locator("nav.sm-navbar .navbar-nav > .nav-item > .nav-link").all():
        box = link.bounding_box()
        assert box["height"] < 48, f"{language}: {link.inner_text()!r} breaks in two"
        assert box["y"] < brand["y"] + brand["height"], f"{language}: the menu wraps"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{language}: the page is {overflow} px too wide"
    container = page.locator("nav.sm-navbar > .container-xl").bounding_box()
    menu = page.locator("#sm-user-menu").bounding_box()
    assert menu["x"] + menu["width"] <= container["x"] + container["width"], f"{language}"


def data_card(page):
    return page.locator("#sm-group-cards .sm-group-card", has_text="Data")


def test_a_user_stars_runs_and_switches_project(page, live_server, shot):
    create_user(live_server, "fern", "operator")
    url = live_server.url
    log_in(page, url, "fern", "Us3r-Password!")
    expect(page.locator("#sm-favourites-empty")).to_contain_text("star a script")
    expect(page.locator("#sm-recent-empty")).to_contain_text("run a script from a group")
    expect(page.locator("#sm-health")).to_have_count(0)
    expect(data_card(page).locator(".sm-count")).to_have_text("3 scripts")
    shot(page, "dashboard_empty")

    open_script(page, url, "Data", "Unit")
    star = page.locator("#sm-script [data-sm-favourite]")
    with page.expect_response(re.compile(r".*/api/user/favourites/\d+$")):
        star.click()
    expect(star).to_have_attribute("aria-pressed", "true")
    shot(page, "script_starred")
    page.fill("#param-value", "10")
    page.select_option("#param-quantity", "pressure")
    page.fill("#param-from_unit", "bar")
    page.fill("#param-to_unit", "psi")
    page.click("#sm-run-submit")
    expect(page.locator("#sm-console [data-console-status]")).to_have_text("Completed")

    page.goto(url)
    expect(page.locator("#sm-favourites-list li")).to_have_count(1)
    expect(page.locator("#sm-favourites-list")).to_contain_text("unit converter")
    expect(page.locator("#sm-favourites-empty")).to_be_hidden()
    recent = page.locator("#sm-recent-list li")
    expect(recent).to_have_count(1)
    expect(recent).to_contain_text("Completed")
    expect(recent.locator("[data-sm-favourite]")).to_have_attribute("aria-pressed", "true")
    shot(page, "dashboard_lists")

    card = data_card(page)
    card.locator("[data-sm-new-project]").click()
    page.fill("#sm-new-project-name", "bridge")
    with page.expect_response("**/set-active"):
        page.click("#sm-new-project-submit")
    expect(page.locator("#sm-new-project")).to_be_hidden()
    select = card.locator("[data-sm-project-select]")
    expect(select.locator("option:checked")).to_have_text("bridge")
    page.reload()
    expect(select.locator("option:checked")).to_have_text("bridge")  # kept for the session
    with page.expect_response("**/set-active"):
        select.select_option(label="Default")
    page.reload()
    expect(select.locator("option:checked")).to_have_text("Default")

    # Unstarring from the dashboard empties the favourites again.
    with page.expect_response("**/api/user/favourites"):
        page.locator("#sm-favourites-list [data-sm-favourite]").click()
    expect(page.locator("#sm-favourites-list li")).to_have_count(0)
    expect(page.locator("#sm-favourites-empty")).to_be_visible()
    expect(recent.locator("[data-sm-favourite]")).to_have_attribute("aria-pressed", "false")


def test_a_star_on_the_group_page_reaches_the_dashboard(page, live_server, shot):
    url = live_server.url
    log_in(page, url)
    page.click("#sm-group-cards a:has-text('Thermal')")
    page.wait_for_url(re.compile(r".*/groups/\d+$"))
    star = page.locator(".sm-script-item [data-sm-favourite]").first
    with page.expect_response(re.compile(r".*/api/user/favourites/\d+$")):
        star.click()
    expect(star).to_have_attribute("aria-pressed", "true")
    shot(page, "group_starred")
    page.goto(url)
    expect(page.locator("#sm-favourites-list li")).to_have_count(1)


def test_admins_see_health_in_every_language(page, live_server, shot):
    url = live_server.url
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, url)
    expect(page.locator("#sm-health")).to_be_visible()
    expect(page.locator("#sm-health-status")).to_have_text(re.compile("Healthy|Degraded"))
    expect(page.locator("#sm-health [data-sm-bytes]")).to_contain_text("GiB")
    expect(page.locator("#sm-health a[href='/admin/users']")).to_be_visible()
    html = page.locator("html")
    for language in LANGUAGES:
        page.click("#sm-language-menu")
        with page.expect_navigation():
            page.click(f"[data-sm-language={language}]")
        expect(html).to_have_attribute("lang", language)
        expect(page.locator("#sm-health")).to_be_visible()
        assert_one_line_navbar(page, language)
        shot(page, f"dashboard_{language}")
