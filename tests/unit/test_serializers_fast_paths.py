"""The fast paths behind a listed page give what the general code gives: sort keys of ASCII
names, plain query pairs, plain page numbers, permission checks of users without roles."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import unquote_plus

from hypothesis import given
from hypothesis import strategies as st

from mock_canvas.directory import Directory, gc_paused, sortable_name_key
from mock_canvas.model import Account, AdminRole, Dataset, User
from mock_canvas.pagination import add_param, parse_query, ruby_to_i


def general_key(sortable_name: str, user_id: int) -> tuple[str, str, int]:
    decomposed = unicodedata.normalize("NFKD", sortable_name)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return (folded, sortable_name, user_id)


@given(st.text(max_size=30), st.integers(min_value=1))
def test_sortable_name_key_is_the_general_collation(name: str, user_id: int) -> None:
    assert sortable_name_key(name, user_id) == general_key(name, user_id)


def general_parse(query: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in query.split("&"):
        if not pair:
            continue
        raw_key, sep, raw_value = pair.partition("=")
        value = unquote_plus(raw_value, errors="strict") if sep else None
        add_param(params, unquote_plus(raw_key, errors="strict"), value)
    return params


plain = st.text(alphabet=st.characters(blacklist_characters="%+[]&=", codec="utf-8"), max_size=8)


@given(st.lists(st.tuples(plain, st.booleans(), plain), max_size=6))
def test_parse_query_plain_pairs_as_rack_reads_them(pairs: list[tuple[str, bool, str]]) -> None:
    query = "&".join(f"{k}={v}" if has_value else k for k, has_value, v in pairs)
    assert parse_query(query) == general_parse(query)


@given(st.from_regex(r"\A[0-9]{1,40}\Z"))
def test_ruby_to_i_of_plain_digits(digits: str) -> None:
    expected = int(digits) if len(digits.lstrip("0")) <= 30 else 10**30
    assert ruby_to_i(digits) == expected


def test_permission_checks_with_and_without_roles() -> None:
    accounts = [Account(1, "Root", default=True, root_id=1), Account(3, "Sub", parent_id=1)]
    users = [
        User(1, "A", "A", "A", None, admin=[AdminRole(1, {"read_sis": False})]),  # type: ignore[arg-type]
        User(2, "B", "B", "B", None),  # type: ignore[arg-type]
        User(3, "C", "C", "C", None, site_admin=True),  # type: ignore[arg-type]
    ]
    directory = Directory(Dataset(accounts=accounts, users=users))
    admin, nobody, site = (directory.users[i] for i in (1, 2, 3))
    assert directory.is_admin_of(admin, 3) and directory.has_permission(admin, 3, "manage_sis")
    assert not directory.has_permission(admin, 3, "read_sis")
    assert not directory.is_admin_of(nobody, 1) and not directory.has_permission(nobody, 1, "x")
    assert directory.is_admin_of(site, 99) and directory.has_permission(site, 1, "read_sis")
    assert directory.chains == {1: frozenset({1}), 3: frozenset({1, 3})}


def test_gc_paused_restores_collection() -> None:
    import gc

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
