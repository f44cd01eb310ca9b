"""pagination.py: Rack/Rails parameter rules and Canvas's Link header, without Flask."""

from __future__ import annotations

import re

import pytest

from mock_canvas.errors import CanvasError
from mock_canvas.pagination import (
    PageRequest,
    link_header,
    parse_page_request,
    parse_query,
    ruby_to_i,
    to_query,
)


def test_parse_query_last_repeated_scalar_wins() -> None:
    assert parse_query("per_page=5&per_page=100") == {"per_page": "100"}


def test_parse_query_builds_arrays_and_nested_hashes() -> None:
    parsed = parse_query(
        "include[]=avatar_url&include[]=x&observee[unique_id]=a%40b&observee[password]=p+w"
    )
    assert parsed == {
        "include": ["avatar_url", "x"],
        "observee": {"unique_id": "a@b", "password": "p w"},
    }


def test_parse_query_key_without_value_is_none() -> None:
    assert parse_query("flag&x=") == {"flag": None, "x": ""}


def test_parse_query_scalar_after_array_replaces_it() -> None:
    assert parse_query("a[]=1&a=2") == {"a": "2"}


@pytest.mark.parametrize(
    "query",
    ["a=1&a[]=2", "a=1&a[b]=2", "a[]=1&a[b]=2", "x=%zz", "x=%FF", "%E9=1", "a" + "[b]" * 40 + "=1"],
)
def test_parse_query_refuses_what_rack_refuses(query: str) -> None:
    with pytest.raises(CanvasError) as caught:
        parse_query(query)
    assert caught.value.status == 400
    assert caught.value.body == {
        "errors": [{"message": "An error occurred.", "error_code": "bad_request"}]
    }


def test_to_query_sorts_encoded_pairs_and_brackets_arrays() -> None:
    assert to_query({"zeta": "1", "include": ["avatar_url"], "alpha": "a b"}) == (
        "alpha=a+b&include%5B%5D=avatar_url&zeta=1"
    )


def test_to_query_keeps_array_order_and_drops_empty_collections() -> None:
    assert to_query({"i": ["b", "a"], "e": [], "h": {}}) == "i%5B%5D=b&i%5B%5D=a"


def test_to_query_nested_hash() -> None:
    assert to_query({"a": {"c": "2", "b": "1"}}) == "a%5Bb%5D=1&a%5Bc%5D=2"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10", 10),
        (" 7", 7),
        ("5abc", 5),
        ("abc", 0),
        ("", 0),
        ("-5", -5),
        ("+3", 3),
        ("1e3", 1),
        ("1_000", 1000),
        ("1__0", 1),
        (None, 0),
        (["5"], 0),
    ],
)
def test_ruby_to_i_matches_string_to_i(raw: object, expected: int) -> None:
    assert ruby_to_i(raw) == expected


@pytest.mark.parametrize(
    ("query", "per_page"),
    [
        ("", 10),
        ("per_page=0", 1),
        ("per_page=-5", 1),
        ("per_page=abc", 1),
        ("per_page=", 1),
        ("per_page=500", 100),
        ("per_page=" + "9" * 30, 100),
        ("per_page=5abc", 5),
        ("per_page=5&per_page=100", 100),
        ("per_page[]=5", 1),
    ],
)
def test_parse_page_request_per_page(query: str, per_page: int) -> None:
    assert parse_page_request(parse_query(query)).per_page == per_page


@pytest.mark.parametrize(
    ("query", "page"),
    [
        ("", 1),
        ("page=1", 1),
        ("page=3", 3),
        ("page=%203%20", 3),
        ("page=0", None),
        ("page=-1", None),
        ("page=abc", None),
        ("page=", None),
        ("page[]=1", None),
    ],
)
def test_parse_page_request_page(query: str, page: int | None) -> None:
    assert parse_page_request(parse_query(query)).page == page


def test_page_request_offset() -> None:
    assert PageRequest(3, 10).offset == 20


def test_link_header_middle_page_has_all_five_in_canvas_order() -> None:
    link = link_header("http://h/api/v1/users/self/observees", {}, 2, 10, 25)
    base = "http://h/api/v1/users/self/observees?"
    assert link == ",".join(
        [
            f'<{base}page=2&per_page=10>; rel="current"',
            f'<{base}page=3&per_page=10>; rel="next"',
            f'<{base}page=1&per_page=10>; rel="prev"',
            f'<{base}page=1&per_page=10>; rel="first"',
            f'<{base}page=3&per_page=10>; rel="last"',
        ]
    )


def test_link_header_empty_list_is_current_first_last_page_one() -> None:
    link = link_header("http://h/x", {}, 1, 10, 0)
    assert link == (
        '<http://h/x?page=1&per_page=10>; rel="current",'
        '<http://h/x?page=1&per_page=10>; rel="first",'
        '<http://h/x?page=1&per_page=10>; rel="last"'
    )


def test_link_header_past_the_end_is_folios_endless_page() -> None:
    # No total is known on Canvas's synthetic empty page: no `last`, and `next` is page + 1.
    link = link_header("http://h/x", {}, 9, 10, 25)
    assert link == (
        '<http://h/x?page=9&per_page=10>; rel="current",'
        '<http://h/x?page=10&per_page=10>; rel="next",'
        '<http://h/x?page=8&per_page=10>; rel="prev",'
        '<http://h/x?page=1&per_page=10>; rel="first"'
    )


def test_link_header_carries_sorted_params_without_excluded_ones() -> None:
    params = parse_query(
        "zeta=1&include[]=avatar_url&access_token=t&api_key=k&page=2&per_page=3&alpha=x"
    )
    link = link_header("http://h/x", params, 1, 3, 1)
    assert link.startswith("<http://h/x?alpha=x&include%5B%5D=avatar_url&zeta=1&page=1&per_page=3>")
    assert "access_token" not in link and "api_key" not in link


def test_link_header_stops_before_six_kilobytes() -> None:
    # Each URL is about 1.5 KB: next, last, prev and current fit in 6 KB, first does not.
    link = link_header("http://h/x", {"q": "x" * 1500}, 2, 10, 50)
    assert re.findall(r'rel="(\w+)"', link) == ["current", "next", "prev", "last"]
