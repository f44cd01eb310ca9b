"""Pagination of the two list endpoints: per_page, page, and the Link header byte for byte."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from mock_canvas.model import Dataset
from tests.api.helpers import (
    FORBIDDEN,
    INVALID_PAGE,
    NOT_FOUND,
    OBSERVEES,
    assert_error,
    base_url,
    user_ids,
)
from tests.conftest import ApiClient

BIG = "big-observer-1"  # observes 25 generated students
LINK_ENTRY = re.compile(r'<([^>]*)>; rel="([a-z]+)"')
CANVAS = "http://canvas.test"
ONE_PAGE = [("current", 1), ("first", 1), ("last", 1)]


def _links(header: str | None) -> list[tuple[str, str]]:
    """(rel, url) in header order; the whole header must be well-formed entries and commas."""
    assert header is not None
    entries = header.split(",")
    parsed: list[tuple[str, str]] = []
    for entry in entries:
        match = LINK_ENTRY.fullmatch(entry)
        assert match is not None, entry
        parsed.append((match.group(2), match.group(1)))
    return parsed


def _pages(header: str | None) -> dict[str, int]:
    """rel -> page number."""
    result: dict[str, int] = {}
    for rel, url in _links(header):
        match = re.search(r"[?&]page=(\d+)&per_page=\d+$", url)
        assert match is not None, url
        result[rel] = int(match.group(1))
    return result


def _link(base: str, path: str, rels: list[tuple[str, int]], per_page: int, query: str = "") -> str:
    """The Link header Canvas sends for these rels, page size and carried query."""
    prefix = f"{base}{path}?{query + '&' if query else ''}"
    return ",".join(f'<{prefix}page={n}&per_page={per_page}>; rel="{rel}"' for rel, n in rels)


def _relative(url: str) -> str:
    """The path and query of an absolute URL."""
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


@pytest.fixture(scope="module")
def big_order(default_dataset: Dataset) -> list[int]:
    """big-observer-1's students in Canvas order: sortable_name (case-folded), then id."""
    observer = next(u for u in default_dataset.users if any(t.token == BIG for t in u.tokens))
    users = {u.id: u for u in default_dataset.users}
    linked = {
        link.student_id
        for link in default_dataset.links
        if link.observer_id == observer.id and link.state == "active"
    }
    return sorted(linked, key=lambda i: (users[i].sortable_name.casefold(), i))


def test_fixture_big_observer_observes_25_students(big_order: list[int]) -> None:
    assert len(big_order) == 25
    assert len(set(big_order)) == 25


# -- per_page ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "stop", "per_page"),
    [
        pytest.param("?per_page=0", 1, 1, id="per_page=0"),
        pytest.param("?per_page=-5", 1, 1, id="per_page=-5"),
        pytest.param("?per_page=abc", 1, 1, id="per_page=abc"),
        pytest.param("?per_page=", 1, 1, id="per_page="),
        pytest.param("?per_page=500", None, 100, id="per_page=500"),
        pytest.param("?per_page=101", None, 100, id="per_page=101"),
        pytest.param(f"?per_page={10**30}", None, 100, id="per_page=10**30"),
        pytest.param("?per_page=100", None, 100, id="per_page=100"),
        # Ruby's "5abc".to_i is 5.
        pytest.param("?per_page=5abc", 5, 5, id="per_page=5abc-uses-the-digits"),
        pytest.param("?per_page=5&per_page=100", None, 100, id="repeated-per_page-uses-the-last"),
    ],
)
def test_list_per_page_sets_page_size(
    api: ApiClient, big_order: list[int], query: str, stop: int | None, per_page: int
) -> None:
    # Small or bad values give 1, large ones at most 100.
    r = api.get(OBSERVEES + query, token=BIG)
    assert r.status == 200
    assert user_ids(r.body) == big_order[:stop]
    assert all(url.endswith(f"&per_page={per_page}") for _, url in _links(r.header("Link")))


def test_list_with_per_page_returns_that_many(api: ApiClient, big_order: list[int]) -> None:
    r = api.get(OBSERVEES + "?per_page=7", token=BIG)
    assert r.status == 200
    assert user_ids(r.body) == big_order[:7]
    assert _links(r.header("Link"))[0][1].endswith("page=1&per_page=7")


# -- page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "start", "stop"),
    [
        pytest.param("", 0, 10, id="without-per_page-returns-10"),
        # `?per_page` (no `=`) is nil in Rack, so the default applies; `per_page=` is "" -> 1.
        pytest.param("?per_page", 0, 10, id="per_page-without-value-uses-default"),
        pytest.param("?page=1&page=2", 10, 20, id="repeated-page-uses-the-last"),
        pytest.param("?page=2&per_page=10", 10, 20, id="page-2-returns-the-second-slice"),
        pytest.param("?page=3&per_page=10", 20, None, id="last-page-returns-the-rest"),
    ],
)
def test_list_page_returns_slice(
    api: ApiClient, big_order: list[int], query: str, start: int, stop: int | None
) -> None:
    r = api.get(OBSERVEES + query, token=BIG)
    assert r.status == 200
    assert user_ids(r.body) == big_order[start:stop]


def test_list_page_past_the_end_is_empty(api: ApiClient) -> None:
    r = api.get(f"{OBSERVEES}?page=4&per_page=10", token=BIG)
    assert r.status == 200
    assert r.body == []
    pages = _pages(r.header("Link"))
    assert pages["current"] == 4
    assert pages["prev"] == 3
    assert pages["first"] == 1


def test_list_far_page_past_the_end_is_empty(api: ApiClient) -> None:
    r = api.get(f"{OBSERVEES}?page=999999", token=BIG)
    assert r.status == 200
    assert r.body == []
    assert _pages(r.header("Link"))["current"] == 999999


@pytest.mark.parametrize(
    ("path", "token", "status", "body"),
    [
        pytest.param(OBSERVEES + "?page=0", BIG, 404, INVALID_PAGE, id="page=0"),
        pytest.param(OBSERVEES + "?page=-1", BIG, 404, INVALID_PAGE, id="page=-1"),
        pytest.param(OBSERVEES + "?page=abc", BIG, 404, INVALID_PAGE, id="page=abc"),
        pytest.param(OBSERVEES + "?page=", BIG, 404, INVALID_PAGE, id="page="),
        pytest.param(
            "/api/v1/users/self/observers?page=0",
            "dana-token",
            404,
            INVALID_PAGE,
            id="observers-list-is-404",
        ),
        pytest.param(
            "/api/v1/users/101/observees?page=0",
            "parent-token",
            403,
            FORBIDDEN,
            id="forbidden-caller-is-403",
        ),
        pytest.param(
            "/api/v1/users/999999/observees?page=abc",
            "admin-token",
            404,
            NOT_FOUND,
            id="missing-user-is-resource-404",
        ),
        pytest.param(
            OBSERVEES + "?page=0", "newparent-token", 404, INVALID_PAGE, id="empty-list-is-404"
        ),
    ],
)
def test_list_with_bad_page_is_refused(
    api: ApiClient, path: str, token: str, status: int, body: dict[str, Any]
) -> None:
    r = api.get(path, token=token)
    assert_error(r, status, body)
    assert r.header("Link") is None


# -- the Link header, byte for byte -----------------------------------------------------


@pytest.mark.parametrize(
    ("url", "token", "host", "expected"),
    [
        pytest.param(
            OBSERVEES,
            BIG,
            "canvas.test",
            _link(CANVAS, OBSERVEES, [("current", 1), ("next", 2), ("first", 1), ("last", 3)], 10),
            id="on-first-page",
        ),
        pytest.param(
            OBSERVEES + "?page=2",
            BIG,
            "canvas.test",
            _link(
                CANVAS,
                OBSERVEES,
                [("current", 2), ("next", 3), ("prev", 1), ("first", 1), ("last", 3)],
                10,
            ),
            id="on-middle-page",
        ),
        pytest.param(
            OBSERVEES + "?page=3",
            BIG,
            "canvas.test",
            _link(CANVAS, OBSERVEES, [("current", 3), ("prev", 2), ("first", 1), ("last", 3)], 10),
            id="on-last-page",
        ),
        pytest.param(
            OBSERVEES,
            "parent-token",
            "canvas.test",
            _link(CANVAS, OBSERVEES, ONE_PAGE, 10),
            id="on-single-page",
        ),
        pytest.param(
            OBSERVEES + "?per_page=500",
            BIG,
            "canvas.test",
            _link(CANVAS, OBSERVEES, ONE_PAGE, 100),
            id="uses-clamped-per-page",
        ),
        pytest.param(
            OBSERVEES + "?per_page=0&page=25",
            BIG,
            "canvas.test",
            _link(
                CANVAS, OBSERVEES, [("current", 25), ("prev", 24), ("first", 1), ("last", 25)], 1
            ),
            id="with-per-page-1-counts-25-pages",
        ),
        pytest.param(
            "/api/v1/users/self/observers?per_page=1",
            "dana-token",
            "canvas.test",
            _link(
                CANVAS,
                "/api/v1/users/self/observers",
                [("current", 1), ("next", 2), ("first", 1), ("last", 2)],
                1,
            ),
            id="on-observers-list",
        ),
        pytest.param(
            OBSERVEES,
            "parent-token",
            "riverside.test:8443",
            _link("http://riverside.test:8443", OBSERVEES, ONE_PAGE, 10),
            id="uses-request-host-and-port",
        ),
        pytest.param(
            OBSERVEES,
            "parent-token",
            "canvas.test:80",
            _link(CANVAS, OBSERVEES, ONE_PAGE, 10),
            id="drops-default-port",
        ),
        pytest.param(
            "/api/v1/users/0100/observees",
            "parent-token",
            "canvas.test",
            _link(CANVAS, "/api/v1/users/0100/observees", ONE_PAGE, 10),
            id="keeps-decimal-id-as-written",
        ),
        pytest.param(
            "/api/v1/users/sis_user_id:P100/observees",
            "parent-token",
            "canvas.test",
            _link(CANVAS, "/api/v1/users/sis_user_id:P100/observees", ONE_PAGE, 10),
            id="keeps-sis-user-id-in-path",
        ),
        pytest.param(
            "/api/v1/users/sis_login_id:PARENT@canvas.test/observees",
            "parent-token",
            "canvas.test",
            _link(CANVAS, "/api/v1/users/sis_login_id:PARENT@canvas.test/observees", ONE_PAGE, 10),
            id="keeps-sis-login-id-in-path",
        ),
        pytest.param(
            OBSERVEES + "?include[]=avatar_url",
            "parent-token",
            "canvas.test",
            _link(CANVAS, OBSERVEES, ONE_PAGE, 10, query="include%5B%5D=avatar_url"),
            id="carries-include-array",
        ),
        pytest.param(
            OBSERVEES + "?include%5B%5D=avatar_url",
            "parent-token",
            "canvas.test",
            _link(CANVAS, OBSERVEES, ONE_PAGE, 10, query="include%5B%5D=avatar_url"),
            id="carries-encoded-include-array",
        ),
        pytest.param(
            OBSERVEES + "?zeta=1&alpha=2",
            "parent-token",
            "canvas.test",
            _link(CANVAS, OBSERVEES, ONE_PAGE, 10, query="alpha=2&zeta=1"),
            id="sorts-carried-params",
        ),
        pytest.param(
            OBSERVEES + "?zeta=1&include[]=b&include[]=a&alpha=2",
            "parent-token",
            "canvas.test",
            _link(
                CANVAS,
                OBSERVEES,
                ONE_PAGE,
                10,
                query="alpha=2&include%5B%5D=b&include%5B%5D=a&zeta=1",
            ),
            id="keeps-array-values-in-request-order",
        ),
        pytest.param(
            OBSERVEES + "?q=a%20b%2Fc",
            "parent-token",
            "canvas.test",
            _link(CANVAS, OBSERVEES, ONE_PAGE, 10, query="q=a+b%2Fc"),
            id="escapes-carried-values-like-cgi-escape",
        ),
        pytest.param(
            OBSERVEES + "?access_token=parent-token&api_key=k&zeta=1",
            None,
            "canvas.test",
            _link(CANVAS, OBSERVEES, ONE_PAGE, 10, query="zeta=1"),
            id="drops-access-token-and-api-key",
        ),
        pytest.param(
            OBSERVEES + "?page=2&zeta=1&per_page=10",
            BIG,
            "canvas.test",
            _link(
                CANVAS,
                OBSERVEES,
                [("current", 2), ("next", 3), ("prev", 1), ("first", 1), ("last", 3)],
                10,
                query="zeta=1",
            ),
            id="replaces-page-and-per-page",
        ),
    ],
)
def test_link_header(api: ApiClient, url: str, token: str | None, host: str, expected: str) -> None:
    r = api.get(url, token=token, host=host)
    assert r.status == 200
    assert r.header("Link") == expected


def test_link_header_on_empty_list(api: ApiClient) -> None:
    r = api.get(OBSERVEES, token="newparent-token", host="canvas.test")
    assert r.status == 200
    assert r.body == []
    assert r.header("Link") == _link(CANVAS, OBSERVEES, ONE_PAGE, 10)


def test_link_header_without_host_header_uses_server_address(api: ApiClient) -> None:
    r = api.get(OBSERVEES, token="parent-token")
    assert r.header("Link") == _link(base_url(api), OBSERVEES, ONE_PAGE, 10)


def test_link_header_keeps_self_in_path(api: ApiClient) -> None:
    r = api.get(OBSERVEES, token="parent-token", host="canvas.test")
    assert all(
        url.startswith("http://canvas.test/api/v1/users/self/observees?")
        for _, url in _links(r.header("Link"))
    )


def test_link_header_entries_are_joined_without_spaces(api: ApiClient) -> None:
    r = api.get(OBSERVEES + "?page=2", token=BIG)
    header = r.header("Link")
    assert header is not None
    assert ", " not in header
    assert [rel for rel, _ in _links(header)] == ["current", "next", "prev", "first", "last"]


# -- walking the pages ------------------------------------------------------------------


def _walk(api: ApiClient, start: str, token: str) -> tuple[list[int], int]:
    """Follow next links from `start`: the ids seen, in order, and the requests made."""
    seen: list[int] = []
    requests_made = 0
    url: str | None = start
    while url is not None:
        r = api.get(url, token=token)
        requests_made += 1
        assert r.status == 200
        seen.extend(user_ids(r.body))
        links = dict(_links(r.header("Link")))
        next_url = links.get("next")
        if next_url is not None:
            assert next_url.startswith(base_url(api) + "/api/v1/users/self/observees?")
            url = _relative(next_url)
        else:
            url = None
        assert requests_made <= 30
    return seen, requests_made


@pytest.mark.parametrize(
    ("query", "count"),
    [
        pytest.param("", 3, id="default-per-page"),
        pytest.param("?per_page=7&include[]=avatar_url", 4, id="per-page-7"),
    ],
)
def test_following_next_links_visits_every_student_once(
    api: ApiClient, big_order: list[int], query: str, count: int
) -> None:
    seen, requests_made = _walk(api, OBSERVEES + query, BIG)
    assert requests_made == count
    assert seen == big_order
    assert len(set(seen)) == 25


def test_following_last_link_reaches_the_final_slice(api: ApiClient, big_order: list[int]) -> None:
    first = api.get(OBSERVEES + "?per_page=4", token=BIG)
    last_url = dict(_links(first.header("Link")))["last"]
    r = api.get(_relative(last_url), token=BIG)
    assert r.status == 200
    assert user_ids(r.body) == big_order[24:]
