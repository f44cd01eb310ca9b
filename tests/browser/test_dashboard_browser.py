"""The dashboard in a real headless browser: Debian's Chromium driven by Playwright, against
a live server. Every action goes through the page; the Canvas API then checks the result.

Run with `pytest -m browser` (needs `apt-get install chromium` and `pip install playwright`;
never `playwright install`). DASHBOARD_SCREENSHOTS=dir also copies the screenshots there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from flask import Flask

from mock_canvas.model import Dataset
from tests.browser.conftest import CONTROL_TOKEN, reset
from tests.browser.test_dashboard_pages import HOSTILE, HOSTILE_FIXTURE

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

TIMEOUT_MS = 10_000


def api_get(base: str, path: str, token: str) -> requests.Response:
    return requests.get(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def observee_ids(base: str, user: str, token: str) -> list[int]:
    r = api_get(base, f"/api/v1/users/{user}/observees", token)
    assert r.status_code == 200, r.text
    return [u["id"] for u in r.json()]


@pytest.fixture
def site(live: tuple[Flask, str], default_dataset: Dataset) -> str:
    app, url = live
    reset(app, default_dataset)
    return url


def _page(browser: Any, width: int = 1280, height: int = 900) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("dialog", lambda dialog: _dialog(dialog, problems))
    yield page
    context.close()
    assert problems == [], problems  # no script error, no alert() from user data


def _dialog(dialog: Any, problems: list[str]) -> None:
    """The dashboard's own confirm() (before a reset) is accepted; any other dialog is a
    failure: an alert() would come from user data run as script."""
    if dialog.type == "confirm" and dialog.message.startswith("Reset "):
        dialog.accept()
    else:
        problems.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    yield from _page(browser)


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    yield from _page(browser, 320, 640)


def open_dashboard(page: Any, base: str, prefix: str = "") -> None:
    page.goto(f"{base}{prefix}/__mock__/")
    expect(page.locator("h1")).to_contain_text("mock_canvas")


def link_form(page: Any) -> Any:
    return page.locator("#links form.act")


# -- links ----------------------------------------------------------------------------------


def test_link_and_unlink_through_the_page_are_seen_by_the_api(page: Any, site: str) -> None:
    open_dashboard(page, site)
    form = link_form(page)
    form.get_by_label("Observer id").fill("102")
    form.get_by_label("Student id").fill("203")
    form.get_by_role("button", name="Link", exact=True).click()
    expect(page.locator("#flash")).to_have_text("Linked.")
    assert observee_ids(site, "102", "newparent-token") == [203]
    assert observee_ids(site, "102", "admin-token") == [203]  # an admin sees it too

    row = page.locator("#links tbody tr", has_text="Frankie Ortiz")
    expect(row).to_contain_text("active")
    row.get_by_role("button", name="Unlink").click()
    expect(page.locator("#flash")).to_have_text("Unlinked.")
    assert observee_ids(site, "102", "newparent-token") == []
    expect(page.locator("#links tbody tr", has_text="Frankie Ortiz")).to_contain_text("deleted")


def test_link_in_a_chosen_root_account(page: Any, site: str) -> None:
    requests.delete(
        site + "/__mock__/links", json={"observer_id": 101, "student_id": 201}, timeout=10
    )
    open_dashboard(page, site)
    form = link_form(page)
    form.get_by_label("Observer id").fill("101")
    form.get_by_label("Student id").fill("201")
    form.get_by_label("Root account").select_option(label="Riverside School District (2)")
    form.get_by_role("button", name="Link", exact=True).click()
    expect(page.locator("#flash")).to_have_text("Linked.")
    listed = requests.get(site + "/__mock__/links?user_id=101&state=active", timeout=10).json()
    assert [(k["student_id"], k["root_account_id"]) for k in listed["links"]] == [(201, 2)]


@pytest.mark.parametrize(
    ("observer", "student", "message"),
    [
        ("102", "102", "A user cannot observe themselves."),
        ("102", "400", "Users 102 and 400 share no root account."),
        ("102", "99999", "No user with id 99999."),
    ],
)
def test_a_refused_link_shows_the_error(
    page: Any, site: str, observer: str, student: str, message: str
) -> None:
    open_dashboard(page, site)
    form = link_form(page)
    form.get_by_label("Observer id").fill(observer)
    form.get_by_label("Student id").fill(student)
    form.get_by_role("button", name="Link", exact=True).click()
    expect(form.locator(".err")).to_have_text(message)
    assert observee_ids(site, "102", "newparent-token") == []


# -- pairing codes --------------------------------------------------------------------------


def test_create_a_pairing_code_and_see_it_listed(page: Any, site: str) -> None:
    open_dashboard(page, site)
    form = page.locator("#codes form.act")
    form.get_by_label("Student id").fill("203")
    form.get_by_label("Code").fill("Zz9Yy8")
    form.get_by_role("button", name="Create").click()
    expect(page.locator("#flash")).to_have_text("Pairing code created.")
    row = page.locator("#codes tbody tr", has_text="Zz9Yy8")
    expect(row).to_contain_text("Frankie Ortiz")
    expect(row).to_contain_text("in 6 d 23 h")
    # a parent pairs with it through the Canvas API
    r = requests.post(
        site + "/api/v1/users/self/observees",
        data={"pairing_code": "Zz9Yy8"},
        headers={"Authorization": "Bearer newparent-token"},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    assert observee_ids(site, "self", "newparent-token") == [203]


def test_a_random_pairing_code_expires_by_the_mock_clock(page: Any, site: str) -> None:
    open_dashboard(page, site)
    page.get_by_role("button", name="Freeze", exact=True).click()
    expect(page.locator("#frozen")).to_be_visible()
    form = page.locator("#codes form.act")
    form.get_by_label("Student id").fill("200")
    form.get_by_role("button", name="Create").click()
    expect(page.locator("#flash")).to_have_text("Pairing code created.")
    expect(page.locator("#codes tbody tr", has_text="Child Smith")).to_contain_text("in 7 d")
    advance = page.locator("#clock form[data-kind=advance]")
    advance.get_by_label("Advance by").fill("8")
    advance.get_by_role("button", name="Advance").click()
    expect(page.locator("#flash")).to_have_text("Clock advanced.")
    row = page.locator("#codes tbody tr", has_text="Child Smith")
    expect(row).to_contain_text("expired 1 d ago")
    expect(row).to_have_class("expired")


# -- the clock, reset, fixtures -------------------------------------------------------------


def test_freeze_advance_and_release_the_clock(page: Any, site: str) -> None:
    open_dashboard(page, site)
    page.get_by_role("button", name="Freeze", exact=True).click()
    expect(page.locator("#flash")).to_have_text("Clock frozen.")
    frozen = requests.get(site + "/__mock__/clock", timeout=10).json()
    assert frozen["frozen"] is True
    advance = page.locator("#clock form[data-kind=advance]")
    advance.get_by_label("Advance by").fill("3")
    advance.get_by_label("unit").select_option(label="hours")
    advance.get_by_role("button", name="Advance").click()
    expect(page.locator("#flash")).to_have_text("Clock advanced.")
    later = requests.get(site + "/__mock__/clock", timeout=10).json()
    step = datetime.fromisoformat(later["now"]) - datetime.fromisoformat(frozen["now"])
    assert step == timedelta(hours=3)
    expect(page.locator("#now")).to_have_text(re.sub(r"\.\d+Z$", "Z", later["now"]))
    page.locator("#clock").get_by_label("Set to (UTC)").fill("2031-05-06T07:08:09")
    page.locator("#clock").get_by_role("button", name="Set").click()
    expect(page.locator("#flash")).to_have_text("Clock set.")
    assert (
        requests.get(site + "/__mock__/clock", timeout=10).json()["now"]
        == "2031-05-06T07:08:09.000Z"
    )
    page.get_by_role("button", name="Real time").click()
    expect(page.locator("#frozen")).to_be_hidden()
    assert requests.get(site + "/__mock__/clock", timeout=10).json()["frozen"] is False


def test_reset_asks_first_then_restores_the_fixture(page: Any, site: str) -> None:
    requests.delete(
        site + "/__mock__/links", json={"observer_id": 100, "student_id": 200}, timeout=10
    )
    assert observee_ids(site, "self", "parent-token") == [201]
    open_dashboard(page, site)
    page.get_by_role("button", name="Reset").click()
    expect(page.locator("#flash")).to_have_text("Reset to the fixture.")
    assert observee_ids(site, "self", "parent-token") == [201, 200]


def test_upload_a_fixture_and_download_the_state(page: Any, site: str, tmp_path: Path) -> None:
    fixture = tmp_path / "tiny.yaml"
    fixture.write_text(
        yaml.safe_dump(
            {
                "version": 1,
                "accounts": [{"id": 1, "name": "Tiny School"}],
                "users": [
                    {
                        "id": 1,
                        "name": "Pat Parent",
                        "tokens": ["p"],
                        "logins": [{"account": 1, "unique_id": "pat"}],
                    },
                    {
                        "id": 2,
                        "name": "Sam Student",
                        "tokens": ["s"],
                        "logins": [{"account": 1, "unique_id": "sam"}],
                    },
                ],
                "observer_links": [{"observer": 1, "observee": 2}],
            }
        )
    )
    open_dashboard(page, site)
    upload = page.locator("#upload")
    upload.locator("input[type=file]").set_input_files(str(fixture))
    upload.get_by_role("button", name="Upload").click()
    expect(page.locator("#flash")).to_have_text("Loaded tiny.yaml.")
    expect(page.locator("#users tbody")).to_contain_text("Sam Student")
    assert observee_ids(site, "self", "p") == [2]

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the state (YAML)").click()
    state = yaml.safe_load(Path(info.value.path()).read_text())
    assert [u["name"] for u in state["users"]] == ["Pat Parent", "Sam Student"]
    assert state["observer_links"][0]["observee"] == 2


def test_a_refused_fixture_shows_every_problem(page: Any, site: str, tmp_path: Path) -> None:
    fixture = tmp_path / "bad.json"
    fixture.write_text(json.dumps({"version": 1, "accounts": [], "users": [{"id": "x"}]}))
    open_dashboard(page, site)
    upload = page.locator("#upload")
    upload.locator("input[type=file]").set_input_files(str(fixture))
    upload.get_by_role("button", name="Upload").click()
    error = upload.locator(".err")
    expect(error).to_contain_text("request body: ")
    assert error.inner_text().count("\n") >= 1  # one line per problem
    assert requests.get(site + "/__mock__/users", timeout=10).json()["total"] > 100  # unchanged


# -- the journal and faults -----------------------------------------------------------------


def test_the_journal_updates_live(page: Any, site: str) -> None:
    open_dashboard(page, site)
    expect(page.locator("#journal-rows")).to_contain_text("No requests yet.")
    page.evaluate("window.__same_page = true")
    api_get(site, "/api/v1/users/self/observees", "parent-token")
    api_get(site, "/api/v1/users/self/observees", "no-such-token")
    rows = page.locator("#journal-rows tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td.st")).to_have_text("401")  # newest first
    expect(rows.nth(0).locator("td.st")).to_have_class("st s4")
    expect(rows.nth(1).locator("td.st")).to_have_class("st s2")
    assert page.evaluate("window.__same_page") is True  # no reload: polled
    # filtered by user
    page.locator("#journal").get_by_label("User id").fill("100")
    page.locator("#journal").get_by_role("button", name="Filter").click()
    expect(page.locator("#journal-rows tr")).to_have_count(1)
    expect(page.locator("#journal-rows")).to_contain_text("list_observees")


def test_a_fault_added_through_the_page_shows_in_the_journal(
    page: Any, site: str, screenshots: Any
) -> None:
    """Needs the faults API (POST/GET/DELETE /__mock__/faults)."""
    open_dashboard(page, site)
    faults = page.locator("#faults")
    expect(faults.locator("#faults-state")).not_to_have_text("Loading…")
    faults.get_by_label("Action").select_option("list_observees")
    faults.get_by_label("Status").fill("503")
    faults.get_by_label("Times").fill("1")
    faults.get_by_role("button", name="Add fault").click()
    expect(page.locator("#flash")).to_have_text("Fault added.")
    expect(faults.locator("#fault-rows tr")).to_have_count(1)
    expect(faults.locator("#fault-rows")).to_contain_text("list_observees")

    tripped = api_get(site, "/api/v1/users/self/observees", "parent-token")
    assert tripped.status_code == 503
    assert api_get(site, "/api/v1/users/self/observees", "parent-token").status_code == 200
    rows = page.locator("#journal-rows tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1).locator("td.st")).to_have_text("503")
    # used up (times: 1): the live panel drops it
    expect(faults.locator("#faults-state")).to_contain_text("No faults")
    expect(rows.nth(1).locator("td.st")).to_have_class("st s5")
    screenshots(page, "dashboard-fault")

    faults.get_by_label("Times").fill("")  # every request
    faults.get_by_role("button", name="Add fault").click()
    expect(faults.locator("#fault-rows")).to_contain_text("every request")
    faults.get_by_role("button", name="Clear faults").click()
    expect(page.locator("#flash")).to_have_text("Faults cleared.")
    expect(faults.locator("#faults-state")).to_contain_text("No faults")


# -- escaping, small screens, sandboxes ----------------------------------------------------------


def test_a_user_named_script_is_shown_as_text(page: Any, site: str, screenshots: Any) -> None:
    r = requests.put(site + "/__mock__/fixtures", json=HOSTILE_FIXTURE, timeout=10)
    assert r.status_code == 200, r.text
    open_dashboard(page, site)
    expect(page.locator("#users tbody tr").first).to_contain_text(HOSTILE)
    expect(page.locator("#links tbody")).to_contain_text("<script>window.__xss=1</script>")
    expect(page.locator("#accounts")).to_contain_text("<b>Evil</b> & Co")
    for section in ("#users", "#links", "#codes", "#accounts"):
        assert (
            page.locator(f"{section} script, {section} img, {section} svg, {section} b").count()
            == 0
        )
    assert page.evaluate("window.__xss") is None
    # the token is copied as it is
    button = page.locator("#users button.copy").first
    assert button.get_attribute("data-copy") == "tok'\"<>&"
    screenshots(page, "dashboard-escaped")


def test_the_page_fits_320_px_without_horizontal_scrolling(
    phone: Any, site: str, screenshots: Any
) -> None:
    api_get(site, "/api/v1/users/self/observees", "parent-token")
    open_dashboard(phone, site)
    expect(phone.locator("#journal-rows tr")).to_have_count(1)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320
    # wide tables scroll inside their own box
    assert phone.evaluate("document.querySelector('#users .scroll').scrollWidth") > 320
    # and the forms are usable at that width
    form = link_form(phone)
    form.get_by_label("Observer id").fill("102")
    form.get_by_label("Student id").fill("203")
    form.get_by_role("button", name="Link", exact=True).click()
    expect(phone.locator("#flash")).to_have_text("Linked.")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320
    screenshots(phone, "dashboard-320", full_page=False)
    screenshots(phone, "dashboard-320-full")


def test_the_sandbox_selector_switches_state(page: Any, site: str) -> None:
    assert requests.put(site + "/__mock__/sandboxes/team-a", timeout=10).status_code == 201
    open_dashboard(page, site)
    page.locator(".sandboxes summary").click()
    page.get_by_role("link", name="team-a").click()
    expect(page).to_have_url(site + "/sandboxes/team-a/__mock__/")
    expect(page.locator("h1")).to_contain_text("sandbox team-a")
    form = link_form(page)
    form.get_by_label("Observer id").fill("102")
    form.get_by_label("Student id").fill("203")
    form.get_by_role("button", name="Link", exact=True).click()
    expect(page.locator("#flash")).to_have_text("Linked.")
    assert observee_ids(site, "102", "newparent-token") == []  # not in the default sandbox
    r = api_get(site, "/sandboxes/team-a/api/v1/users/102/observees", "newparent-token")
    assert [u["id"] for u in r.json()] == [203]


# -- the control token ----------------------------------------------------------------------


@pytest.fixture
def guarded_site(live_with_token: tuple[Flask, str], default_dataset: Dataset) -> str:
    app, url = live_with_token
    reset(app, default_dataset)
    return url


def test_the_control_token_login_flow(page: Any, guarded_site: str, screenshots: Any) -> None:
    site = guarded_site
    page.goto(site + "/__mock__/")
    expect(page).to_have_url(site + "/__mock__/login")
    screenshots(page, "dashboard-login")
    page.get_by_label("control token").fill("wrong")
    page.get_by_role("button", name="Open the dashboard").click()
    expect(page.locator(".err")).to_have_text("That is not the control token.")
    page.get_by_label("control token").fill(CONTROL_TOKEN)
    page.get_by_role("button", name="Open the dashboard").click()
    expect(page).to_have_url(site + "/__mock__/")
    assert CONTROL_TOKEN not in page.content()

    # the page's actions and the live journal carry the token as a Bearer header
    form = link_form(page)
    form.get_by_label("Observer id").fill("102")
    form.get_by_label("Student id").fill("203")
    form.get_by_role("button", name="Link", exact=True).click()
    expect(page.locator("#flash")).to_have_text("Linked.")
    assert observee_ids(site, "102", "newparent-token") == [203]
    api_get(site, "/api/v1/users/self/observees", "parent-token")
    expect(page.locator("#journal-rows tr")).to_have_count(2)
    expect(page.locator("#auth")).to_be_hidden()

    # a new tab has the cookie (pages render) but not the token: asked for it, once
    other = page.context.new_page()
    other.goto(site + "/__mock__/")
    expect(other.locator("#auth")).to_be_visible()  # the live journal needed it
    other.locator("#auth-token").fill(CONTROL_TOKEN)
    other.locator("#auth").get_by_role("button", name="Use it").click()
    expect(other.locator("#auth")).to_be_hidden()
    row = other.locator("#links tbody tr", has_text="Frankie Ortiz")
    row.get_by_role("button", name="Unlink").click()
    expect(other.locator("#flash")).to_have_text("Unlinked.")
    assert observee_ids(site, "102", "newparent-token") == []
    other.close()

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(site + "/__mock__/login")
    page.goto(site + "/__mock__/")
    expect(page).to_have_url(site + "/__mock__/login")


# -- the picture for the closing note --------------------------------------------------------


def test_screenshot_of_a_busy_dashboard(page: Any, site: str, screenshots: Any) -> None:
    requests.put(site + "/__mock__/clock", json={"freeze": "2029-12-25T09:30:00Z"}, timeout=10)
    requests.post(
        site + "/__mock__/links", json={"observer_id": 102, "student_id": 203}, timeout=10
    )
    requests.post(
        site + "/__mock__/pairing_codes", json={"user_id": 200, "code": "Kid200"}, timeout=10
    )
    for token in ("parent-token", "guardian-token", "expired-or-not", "student-token"):
        api_get(site, "/api/v1/users/self/observees", token)
    api_get(site, "/api/v1/users/201/observers", "admin-token")
    requests.put(
        site + "/api/v1/users/102/observees/203",
        headers={"Authorization": "Bearer noperm-token"},
        timeout=10,
    )
    open_dashboard(page, site)
    expect(page.locator("#journal-rows tr")).to_have_count(6)
    expect(page.locator("#frozen")).to_be_visible()
    path = screenshots(page, "dashboard")
    assert path.stat().st_size > 10_000
