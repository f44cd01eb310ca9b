"""Store.fork (copy-on-write) and the sandbox registry, without Flask requests."""

from __future__ import annotations

import pytest

from mock_canvas import errors
from mock_canvas.fixtures import load_mapping
from mock_canvas.model import Dataset
from mock_canvas.pagination import PageRequest
from mock_canvas.sandbox import Sandbox, Sandboxes
from mock_canvas.settings import Settings
from mock_canvas.store import Store

ACCOUNT = {"id": 1, "name": "One", "domain": "one.test"}


def world(students: int = 5) -> Dataset:
    users = [
        {
            "id": 1,
            "name": "Admin",
            "tokens": ["admin"],
            "admin": [{"account": 1}],
            "logins": [{"account": 1, "unique_id": "admin"}],
        },
        {
            "id": 10,
            "name": "Pat Parent",
            "tokens": ["pat"],
            "logins": [{"account": 1, "unique_id": "pat"}],
        },
    ]
    for n in range(students):
        users.append(
            {
                "id": 100 + n,
                "name": f"Student {n:03d}",
                "tokens": [f"s{n}"],
                "logins": [{"account": 1, "unique_id": f"s{n}"}],
                "enrollments": [{"course": 5}],
            }
        )
    return load_mapping(
        {
            "accounts": [ACCOUNT],
            "courses": [{"id": 5, "account": 1}],
            "users": users,
            "observer_links": [
                {"observer": 10, "observee": 100 + n} for n in range(0, students, 2)
            ],
            "pairing_codes": [
                {"user": 101, "code": "Abc123", "expires_at": "2099-01-01T00:00:00Z"}
            ],
        },
        source="world",
    )


def observees(store: Store, token: str = "pat") -> list[int]:
    caller = store.authenticate(token)
    domain = store.domain_root_account("one.test")
    page = store.list_observees(caller, "self", domain, PageRequest(1, 100))
    return [view.user.id for view in page.views]


def test_a_fork_starts_from_the_fixture_not_from_the_current_state() -> None:
    store = Store(world())
    store.add_link(10, 101)
    assert observees(store) == [100, 101, 102, 104]
    fork = store.fork()
    assert observees(fork) == [100, 102, 104]
    assert fork.dataset is store.dataset


def test_changes_in_a_fork_are_invisible_to_its_parent_and_siblings() -> None:
    store = Store(world())
    first, second = store.fork(), store.fork()
    first.add_link(10, 103)
    first.remove_link(10, 100)
    second.remove_link(10, 104)
    assert observees(first) == [102, 103, 104]
    assert observees(second) == [100, 102]
    assert observees(store) == [100, 102, 104]
    store.remove_link(10, 102)
    assert observees(first) == [102, 103, 104]
    assert observees(store.fork()) == [100, 102, 104]  # the fixture is never changed
    assert [link.state for link in store.links() if link.student_id == 102] == ["deleted"]
    assert [link.state for link in first.links() if link.student_id == 102] == ["active"]


def test_a_pairing_code_used_in_a_fork_stays_usable_elsewhere() -> None:
    store = Store(world())
    fork = store.fork()
    caller = fork.authenticate("pat")
    domain = fork.domain_root_account("one.test")
    fork.add_observee(caller, "self", {"pairing_code": "Abc123"}, domain)
    assert 101 in observees(fork)
    assert [code.code for code in fork.pairing_codes()] == []
    assert [code.code for code in store.pairing_codes()] == ["Abc123"]
    assert [code.workflow_state for code in store.fork().pairing_codes()] == ["active"]


def test_reset_snapshot_and_restore_of_a_fork() -> None:
    store = Store(world())
    fork = store.fork()
    fork.add_link(10, 101)
    saved = fork.snapshot()
    fork.remove_link(10, 100)
    fork.restore(saved)
    assert observees(fork) == [100, 101, 102, 104]
    fork.reset()
    assert observees(fork) == [100, 102, 104]
    fork.add_link(10, 103)
    fork.reset()
    assert observees(fork) == [100, 102, 104]
    assert observees(store) == [100, 102, 104]


def test_a_fork_of_a_big_fixture_copies_nothing_per_link_until_it_changes() -> None:
    store = Store(world(students=2000))
    fork = store.fork()
    # The big observer's list is shared until the fork changes it, then copied once.
    assert fork._links.observees[10] is store._links.observees[10]
    fork.remove_link(10, 100)
    assert fork._links.observees[10] is not store._links.observees[10]
    assert len(observees(store)) == 100  # a page of 100 from 1,000
    assert len(fork._links.observees[10]) == 999
    assert len(store._links.observees[10]) == 1000


@pytest.mark.parametrize("name", ["a", "A-1", "x.y_z", "9" * 64])
def test_good_names(name: str) -> None:
    Sandboxes.check_name(name)


@pytest.mark.parametrize("name", ["", ".", "..", "-a", "_a", "a/b", "a b", "é", "9" * 65])
def test_bad_names(name: str) -> None:
    with pytest.raises(errors.CanvasError) as caught:
        Sandboxes.check_name(name)
    assert caught.value.status == 400


def test_registry_bounds_and_replacement() -> None:
    default = Sandbox(None, Settings(), Store(world()))
    registry = Sandboxes(default, max_count=2, max_bytes=10 * 1024 * 1024)
    one = registry.get_or_create("one")
    assert registry.get_or_create("one") is one
    assert one.shared and one.store.dataset is default.store.dataset
    two, created = registry.put("two", world(students=3))
    assert created and not two.shared
    with pytest.raises(errors.CanvasError) as caught:
        registry.get_or_create("three")
    assert caught.value.status == 507
    again, created = registry.put("two", None)
    assert not created and again is not two and again.shared
    assert [s.name for s in registry.list()] == ["one", "two"]
    assert registry.delete("one") and not registry.delete("one")
    assert registry.clear() == 1
    assert registry.list() == []


def test_size_estimate_bounds_own_fixtures() -> None:
    default = Sandbox(None, Settings(), Store(world()))
    registry = Sandboxes(default, max_count=10, max_bytes=100_000)
    registry.put("small", None)
    with pytest.raises(errors.CanvasError) as caught:
        registry.put("big", world(students=100))  # about 102 users x 3,000 bytes
    assert caught.value.status == 507
    assert [s.name for s in registry.list()] == ["small"]


def test_active_link_counts_follow_every_change_reset_and_fork() -> None:
    store = Store(world(students=6))

    def recount(s: Store) -> int:
        return sum(1 for link in s.links() if link.state == "active")

    assert store.counts()["active_links"] == recount(store) == 3
    store.add_link(10, 101)
    store.remove_link(10, 100)
    store.add_link(10, 100)  # a restore of a deleted row
    fork = store.fork()
    fork.remove_link(10, 102)
    assert store.counts()["active_links"] == recount(store) == 4
    assert fork.counts()["active_links"] == recount(fork) == 2
    store.reset()
    assert store.counts()["active_links"] == recount(store) == 3
    fork.restore(store.snapshot())
    assert fork.counts()["active_links"] == recount(fork) == 3


def test_root_id_sets_are_shared_between_pairs() -> None:
    store = Store(world(students=6))
    roots = [store._links.active_roots(10, student) for student in (100, 102, 104)]
    assert roots[0] == {1}
    assert len({id(value) for value in roots}) == 1  # one frozenset({1}) for all


def test_the_sorted_link_rows_follow_every_change() -> None:
    store = Store(world(students=6))

    def keys(s: Store) -> list[tuple[int, int, int, str]]:
        return [(k.observer_id, k.student_id, k.root_account_id, k.state) for k in s.links()]

    first = keys(store)
    assert first == sorted(first) and keys(store) == first  # the second call is cached
    store.add_link(10, 101)
    assert (10, 101, 1, "active") in keys(store)
    store.remove_link(10, 101)
    assert (10, 101, 1, "deleted") in keys(store)
    fork = store.fork()
    assert keys(fork) == first  # the fixture's rows, not the parent's changes
    store.reset()
    assert keys(store) == first
    saved = store.snapshot()
    store.add_link(10, 103)
    store.restore(saved)
    assert keys(store) == first
