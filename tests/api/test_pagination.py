"""Pagination of the two list endpoints: per_page, page, and the Link header byte for byte."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from mock_canvas.model import Dataset
from tests.conftest import ApiClient

BIG = "big-observer-1"  # observes 25 generated students
SELF_OBSERVEES = "/api/v1/users/self/observees"
UNAUTHORIZED = {
    "status": "unauthorized",
    "errors": [{"message": "user not authorized to perform that action"}],
}
INVALID_PAGE = {"errors": [{"message": "An error occurred.", "error_code": "not_found"}]}
NOT_FOUND = {"errors": [{"message": "The specified resource does not exist."}]}
LINK_ENTRY = re.compile(r'<([^>]*)>; rel="([a-z]+)"')


def _ids(body: Any) -> list[int]:
    return [user["id"] for user in body]


def _base(api: ApiClient) -> str:
    """The scheme and host the mock sees when no Host header is set."""
    return api.base_url if api.mode == "live" and api.base_url else "http://localhost"


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
    prefix = f"{base}{path}?{query + '&' if query else ''}"
    return ",".join(f'<{prefix}page={n}&per_page={per_page}>; rel="{rel}"' for rel, n in rels)


def _relative(url: str) -> str:
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


def test_list_without_per_page_returns_10(api: ApiClient, big_order: list[int]) -> None:
    r = api.get(SELF_OBSERVEES, token=BIG)
    assert r.status == 200
    assert _ids(r.body) == big_order[:10]


def test_list_with_per_page_returns_that_many(api: ApiClient, big_order: list[int]) -> None:
    r = api.get(SELF_OBSERVEES + "?per_page=7", token=BIG)
    assert r.status == 200
    assert _ids(r.body) == big_order[:7]
    assert _links(r.header("Link"))[0][1].endswith("page=1&per_page=7")


@pytest.mark.parametrize("raw", ["0", "-5", "abc", ""])
def test_list_with_small_or_bad_per_page_returns_1(
    api: ApiClient, big_order: list[int], raw: str
) -> None:
    r = api.get(f"{SELF_OBSERVEES}?per_page={raw}", token=BIG)
    assert r.status == 200
    assert _ids(r.body) == big_order[:1]
    assert all(url.endswith("&per_page=1") for _, url in _links(r.header("Link")))


@pytest.mark.parametrize("raw", ["500", "101", str(10**30)])
def test_list_with_large_per_page_returns_at_most_100(
    api: ApiClient, big_order: list[int], raw: str
) -> None:
    r = api.get(f"{SELF_OBSERVEES}?per_page={raw}", token=BIG)
    assert r.status == 200
    assert _ids(r.body) == big_order
    assert all(url.endswith("&per_page=100") for _, url in _links(r.header("Link")))


def test_list_with_per_page_100_returns_100(api: ApiClient, big_order: list[int]) -> None:
    r = api.get(f"{SELF_OBSERVEES}?per_page=100", token=BIG)
    assert r.status == 200
    assert _ids(r.body) == big_order
    assert all(url.endswith("&per_page=100") for _, url in _links(r.header("Link")))


def test_list_with_per_page_digits_then_letters_uses_the_digits(
    api: ApiClient, big_order: list[int]
) -> None:
    # Ruby's "5abc".to_i is 5.
    r = api.get(f"{SELF_OBSERVEES}?per_page=5abc", token=BIG)
    assert r.status == 200
    assert _ids(r.body) == big_order[:5]
    assert all(url.endswith("&per_page=5") for _, url in _links(r.header("Link")))


def test_list_with_per_page_without_value_uses_default(
    api: ApiClient, big_order: list[int]
) -> None:
    # `?per_page` (no `=`) is nil in Rack, so the default applies; `per_page=` is "" -> 1.
    r = api.get(f"{SELF_OBSERVEES}?per_page", token=BIG)
    assert r.status == 200
    assert _ids(r.body) == big_order[:10]


def test_list_with_repeated_per_page_uses_the_last(api: ApiClient, big_order: list[int]) -> None:
    r = api.get(f"{SELF_OBSERVEES}?per_page=5&per_page=100", token=BIG)
    assert r.status == 200
    assert _ids(r.body) == big_order
    assert all(url.endswith("&per_page=100") for _, url in _links(r.header("Link")))


def test_list_with_repeated_page_uses_the_last(api: ApiClient, big_order: list[int]) -> None:
    r = api.get(f"{SELF_OBSERVEES}?page=1&page=2", token=BIG)
    assert r.status == 200
    assert _ids(r.body) == big_order[10:20]


# -- page -------------------------------------------------------------------------------


def test_list_page_2_returns_the_second_slice(api: ApiClient, big_order: list[int]) -> None:
    r = api.get(f"{SELF_OBSERVEES}?page=2&per_page=10", token=BIG)
    assert r.status == 200
    assert _ids(r.body) == big_order[10:20]


def test_list_last_page_returns_the_rest(api: ApiClient, big_order: list[int]) -> None:
    r = api.get(f"{SELF_OBSERVEES}?page=3&per_page=10", token=BIG)
    assert r.status == 200
    assert _ids(r.body) == big_order[20:]


def test_list_page_past_the_end_is_empty(api: ApiClient) -> None:
    r = api.get(f"{SELF_OBSERVEES}?page=4&per_page=10", token=BIG)
    assert r.status == 200
    assert r.body == []
    pages = _pages(r.header("Link"))
    assert pages["current"] == 4
    assert pages["prev"] == 3
    assert pages["first"] == 1


def test_list_far_page_past_the_end_is_empty(api: ApiClient) -> None:
    r = api.get(f"{SELF_OBSERVEES}?page=999999", token=BIG)
    assert r.status == 200
    assert r.body == []
    assert _pages(r.header("Link"))["current"] == 999999


@pytest.mark.parametrize("raw", ["0", "-1", "abc", ""])
def test_list_with_bad_page_is_404(api: ApiClient, raw: str) -> None:
    r = api.get(f"{SELF_OBSERVEES}?page={raw}", token=BIG)
    assert r.status == 404
    assert r.body == INVALID_PAGE
    assert r.header("Link") is None
    assert r.header("WWW-Authenticate") is None


def test_list_observers_with_bad_page_is_404(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observers?page=0", token="dana-token")
    assert r.status == 404
    assert r.body == INVALID_PAGE


def test_list_with_bad_page_for_forbidden_caller_is_403(api: ApiClient) -> None:
    r = api.get("/api/v1/users/101/observees?page=0", token="parent-token")
    assert r.status == 403
    assert r.body == UNAUTHORIZED
    assert r.header("WWW-Authenticate") is None


def test_list_with_bad_page_for_missing_user_is_resource_404(api: ApiClient) -> None:
    r = api.get("/api/v1/users/999999/observees?page=abc", token="admin-token")
    assert r.status == 404
    assert r.body == NOT_FOUND


def test_list_with_bad_page_for_empty_list_is_404(api: ApiClient) -> None:
    r = api.get(f"{SELF_OBSERVEES}?page=0", token="newparent-token")
    assert r.status == 404
    assert r.body == INVALID_PAGE


# -- the Link header, byte for byte -----------------------------------------------------


def test_link_header_on_first_page(api: ApiClient) -> None:
    r = api.get(SELF_OBSERVEES, token=BIG, host="canvas.test")
    assert r.header("Link") == _link(
        "http://canvas.test",
        SELF_OBSERVEES,
        [("current", 1), ("next", 2), ("first", 1), ("last", 3)],
        10,
    )


def test_link_header_on_middle_page(api: ApiClient) -> None:
    r = api.get(SELF_OBSERVEES + "?page=2", token=BIG, host="canvas.test")
    assert r.header("Link") == _link(
        "http://canvas.test",
        SELF_OBSERVEES,
        [("current", 2), ("next", 3), ("prev", 1), ("first", 1), ("last", 3)],
        10,
    )


def test_link_header_on_last_page(api: ApiClient) -> None:
    r = api.get(SELF_OBSERVEES + "?page=3", token=BIG, host="canvas.test")
    assert r.header("Link") == _link(
        "http://canvas.test",
        SELF_OBSERVEES,
        [("current", 3), ("prev", 2), ("first", 1), ("last", 3)],
        10,
    )


def test_link_header_on_single_page(api: ApiClient) -> None:
    r = api.get(SELF_OBSERVEES, token="parent-token", host="canvas.test")
    assert r.header("Link") == _link(
        "http://canvas.test", SELF_OBSERVEES, [("current", 1), ("first", 1), ("last", 1)], 10
    )


def test_link_header_on_empty_list(api: ApiClient) -> None:
    r = api.get(SELF_OBSERVEES, token="newparent-token", host="canvas.test")
    assert r.status == 200
    assert r.body == []
    assert r.header("Link") == _link(
        "http://canvas.test", SELF_OBSERVEES, [("current", 1), ("first", 1), ("last", 1)], 10
    )


def test_link_header_uses_clamped_per_page(api: ApiClient) -> None:
    r = api.get(SELF_OBSERVEES + "?per_page=500", token=BIG, host="canvas.test")
    assert r.header("Link") == _link(
        "http://canvas.test", SELF_OBSERVEES, [("current", 1), ("first", 1), ("last", 1)], 100
    )


def test_link_header_with_per_page_1_counts_25_pages(api: ApiClient) -> None:
    r = api.get(SELF_OBSERVEES + "?per_page=0&page=25", token=BIG, host="canvas.test")
    assert r.header("Link") == _link(
        "http://canvas.test",
        SELF_OBSERVEES,
        [("current", 25), ("prev", 24), ("first", 1), ("last", 25)],
        1,
    )


def test_link_header_on_observers_list(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observers?per_page=1", token="dana-token", host="canvas.test")
    assert r.header("Link") == _link(
        "http://canvas.test",
        "/api/v1/users/self/observers",
        [("current", 1), ("next", 2), ("first", 1), ("last", 2)],
        1,
    )


def test_link_header_uses_request_host_and_port(api: ApiClient) -> None:
    r = api.get(SELF_OBSERVEES, token="parent-token", host="riverside.test:8443")
    assert r.header("Link") == _link(
        "http://riverside.test:8443",
        SELF_OBSERVEES,
        [("current", 1), ("first", 1), ("last", 1)],
        10,
    )


def test_link_header_drops_default_port(api: ApiClient) -> None:
    r = api.get(SELF_OBSERVEES, token="parent-token", host="canvas.test:80")
    assert r.header("Link") == _link(
        "http://canvas.test", SELF_OBSERVEES, [("current", 1), ("first", 1), ("last", 1)], 10
    )


def test_link_header_without_host_header_uses_server_address(api: ApiClient) -> None:
    r = api.get(SELF_OBSERVEES, token="parent-token")
    assert r.header("Link") == _link(
        _base(api), SELF_OBSERVEES, [("current", 1), ("first", 1), ("last", 1)], 10
    )


def test_link_header_keeps_self_in_path(api: ApiClient) -> None:
    r = api.get(SELF_OBSERVEES, token="parent-token", host="canvas.test")
    assert all(
        url.startswith("http://canvas.test/api/v1/users/self/observees?")
        for _, url in _links(r.header("Link"))
    )


def test_link_header_keeps_decimal_id_as_written(api: ApiClient) -> None:
    r = api.get("/api/v1/users/0100/observees", token="parent-token", host="canvas.test")
    assert r.header("Link") == _link(
        "http://canvas.test",
        "/api/v1/users/0100/observees",
        [("current", 1), ("first", 1), ("last", 1)],
        10,
    )


def test_link_header_keeps_sis_user_id_in_path(api: ApiClient) -> None:
    path = "/api/v1/users/sis_user_id:P100/observees"
    r = api.get(path, token="parent-token", host="canvas.test")
    assert r.status == 200
    assert r.header("Link") == _link(
        "http://canvas.test", path, [("current", 1), ("first", 1), ("last", 1)], 10
    )


def test_link_header_keeps_sis_login_id_in_path(api: ApiClient) -> None:
    path = "/api/v1/users/sis_login_id:PARENT@canvas.test/observees"
    r = api.get(path, token="parent-token", host="canvas.test")
    assert r.status == 200
    assert r.header("Link") == _link(
        "http://canvas.test", path, [("current", 1), ("first", 1), ("last", 1)], 10
    )


def test_link_header_carries_include_array(api: ApiClient) -> None:
    r = api.get(SELF_OBSERVEES + "?include[]=avatar_url", token="parent-token", host="canvas.test")
    assert r.header("Link") == _link(
        "http://canvas.test",
        SELF_OBSERVEES,
        [("current", 1), ("first", 1), ("last", 1)],
        10,
        query="include%5B%5D=avatar_url",
    )


def test_link_header_carries_encoded_include_array(api: ApiClient) -> None:
    r = api.get(
        SELF_OBSERVEES + "?include%5B%5D=avatar_url", token="parent-token", host="canvas.test"
    )
    assert r.header("Link") == _link(
        "http://canvas.test",
        SELF_OBSERVEES,
        [("current", 1), ("first", 1), ("last", 1)],
        10,
        query="include%5B%5D=avatar_url",
    )


def test_link_header_sorts_carried_params(api: ApiClient) -> None:
    r = api.get(SELF_OBSERVEES + "?zeta=1&alpha=2", token="parent-token", host="canvas.test")
    assert r.header("Link") == _link(
        "http://canvas.test",
        SELF_OBSERVEES,
        [("current", 1), ("first", 1), ("last", 1)],
        10,
        query="alpha=2&zeta=1",
    )


def test_link_header_keeps_array_values_in_request_order(api: ApiClient) -> None:
    r = api.get(
        SELF_OBSERVEES + "?zeta=1&include[]=b&include[]=a&alpha=2",
        token="parent-token",
        host="canvas.test",
    )
    assert r.header("Link") == _link(
        "http://canvas.test",
        SELF_OBSERVEES,
        [("current", 1), ("first", 1), ("last", 1)],
        10,
        query="alpha=2&include%5B%5D=b&include%5B%5D=a&zeta=1",
    )


def test_link_header_escapes_carried_values_like_cgi_escape(api: ApiClient) -> None:
    r = api.get(SELF_OBSERVEES + "?q=a%20b%2Fc", token="parent-token", host="canvas.test")
    assert r.header("Link") == _link(
        "http://canvas.test",
        SELF_OBSERVEES,
        [("current", 1), ("first", 1), ("last", 1)],
        10,
        query="q=a+b%2Fc",
    )


def test_link_header_drops_access_token_and_api_key(api: ApiClient) -> None:
    r = api.get(SELF_OBSERVEES + "?access_token=parent-token&api_key=k&zeta=1", host="canvas.test")
    assert r.status == 200
    assert r.header("Link") == _link(
        "http://canvas.test",
        SELF_OBSERVEES,
        [("current", 1), ("first", 1), ("last", 1)],
        10,
        query="zeta=1",
    )


def test_link_header_replaces_page_and_per_page(api: ApiClient) -> None:
    r = api.get(SELF_OBSERVEES + "?page=2&zeta=1&per_page=10", token=BIG, host="canvas.test")
    assert r.header("Link") == _link(
        "http://canvas.test",
        SELF_OBSERVEES,
        [("current", 2), ("next", 3), ("prev", 1), ("first", 1), ("last", 3)],
        10,
        query="zeta=1",
    )


def test_link_header_entries_are_joined_without_spaces(api: ApiClient) -> None:
    r = api.get(SELF_OBSERVEES + "?page=2", token=BIG)
    header = r.header("Link")
    assert header is not None
    assert ", " not in header
    assert [rel for rel, _ in _links(header)] == ["current", "next", "prev", "first", "last"]


# -- walking the pages ------------------------------------------------------------------


def _walk(api: ApiClient, start: str, token: str) -> tuple[list[int], int]:
    seen: list[int] = []
    requests_made = 0
    url: str | None = start
    while url is not None:
        r = api.get(url, token=token)
        requests_made += 1
        assert r.status == 200
        seen.extend(_ids(r.body))
        links = dict(_links(r.header("Link")))
        next_url = links.get("next")
        if next_url is not None:
            assert next_url.startswith(_base(api) + "/api/v1/users/self/observees?")
            url = _relative(next_url)
        else:
            url = None
        assert requests_made <= 30
    return seen, requests_made


def test_following_next_links_visits_every_student_once(
    api: ApiClient, big_order: list[int]
) -> None:
    seen, count = _walk(api, SELF_OBSERVEES, BIG)
    assert count == 3
    assert seen == big_order


def test_following_next_links_with_per_page_7_visits_every_student_once(
    api: ApiClient, big_order: list[int]
) -> None:
    seen, count = _walk(api, SELF_OBSERVEES + "?per_page=7&include[]=avatar_url", BIG)
    assert count == 4
    assert seen == big_order
    assert len(set(seen)) == 25


def test_following_last_link_reaches_the_final_slice(api: ApiClient, big_order: list[int]) -> None:
    first = api.get(SELF_OBSERVEES + "?per_page=4", token=BIG)
    last_url = dict(_links(first.header("Link")))["last"]
    r = api.get(_relative(last_url), token=BIG)
    assert r.status == 200
    assert _ids(r.body) == big_order[24:]
