"""The packaged default fixture: what the README and the sample tokens promise is there."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from mock_canvas.fixtures import default_fixture_path, load_path
from mock_canvas.model import KNOWN_PERMISSIONS, MANAGE_USER_OBSERVERS, Dataset, User

GENERATED_PREFIXES = ("gen-", "big-")


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return load_path(default_fixture_path())


def _generated(user: User) -> bool:
    return any(login.unique_id.startswith(GENERATED_PREFIXES) for login in user.logins)


def _named(dataset: Dataset) -> list[User]:
    return [u for u in dataset.users if not _generated(u)]


def _roots(dataset: Dataset, user: User) -> set[int]:
    course_roots = {c.id: c.root_account_id for c in dataset.courses}
    roots = {login.account_id for login in user.logins}
    roots |= {course_roots[e.course_id] for e in user.enrollments if e.state != "deleted"}
    return roots


def test_default_fixture_path_is_packaged_file() -> None:
    path = default_fixture_path()
    assert path.is_file()
    assert path.name == "default.yaml"
    assert path.parent.name == "data"


def test_default_has_two_root_accounts_with_domains(dataset: Dataset) -> None:
    roots = [a for a in dataset.accounts if a.is_root]
    assert len(roots) == 2
    assert all(a.domain for a in roots)
    assert len({a.domain for a in roots}) == 2
    assert [a.id for a in roots if a.default] == [roots[0].id]


def test_default_has_sub_account_with_course(dataset: Dataset) -> None:
    subs = [a for a in dataset.accounts if not a.is_root]
    assert subs
    sub_ids = {a.id for a in subs}
    courses = [c for c in dataset.courses if c.account_id in sub_ids]
    assert courses
    by_id = {a.id: a for a in dataset.accounts}
    for course in courses:
        assert course.root_account_id == by_id[course.account_id].root_id
        assert by_id[course.root_account_id].is_root


def test_default_has_at_least_twelve_named_users(dataset: Dataset) -> None:
    named = _named(dataset)
    assert len(named) >= 12
    assert all(u.name and u.sortable_name and u.short_name for u in named)


def test_default_named_users_have_logins_and_tokens(dataset: Dataset) -> None:
    for user in _named(dataset):
        assert user.logins, user.name
        assert user.tokens, user.name
        assert all(login.password for login in user.logins), user.name
    tokens = Counter(t.token for u in dataset.users for t in u.tokens)
    assert max(tokens.values()) == 1


def test_default_has_parents_and_students(dataset: Dataset) -> None:
    named = {u.id for u in _named(dataset)}
    active = [x for x in dataset.links if x.state == "active"]
    parents = {x.observer_id for x in active if x.observer_id in named}
    observed = {x.student_id for x in active if x.student_id in named}
    assert len(parents) >= 2
    assert len(observed) >= 2
    students = [
        u
        for u in _named(dataset)
        if any(e.type == "student" and e.state == "active" for e in u.enrollments)
    ]
    assert len(students) >= 3


def test_default_has_full_account_admin(dataset: Dataset) -> None:
    roots = {a.id for a in dataset.accounts if a.is_root}
    admins = [
        u
        for u in _named(dataset)
        if any(
            role.account_id in roots and all(role.grants(p) for p in KNOWN_PERMISSIONS)
            for role in u.admin
        )
    ]
    assert admins
    assert all(u.tokens for u in admins)


def test_default_has_admin_without_manage_user_observers(dataset: Dataset) -> None:
    refused = [
        u for u in _named(dataset) if any(not r.grants(MANAGE_USER_OBSERVERS) for r in u.admin)
    ]
    assert len(refused) >= 1


def test_default_has_teacher(dataset: Dataset) -> None:
    assert any(e.type == "teacher" for u in _named(dataset) for e in u.enrollments)


def test_default_has_user_only_in_second_account(dataset: Dataset) -> None:
    roots = [a for a in dataset.accounts if a.is_root]
    second = roots[1].id
    only_second = [u for u in _named(dataset) if _roots(dataset, u) == {second}]
    assert only_second


def test_default_has_user_in_both_root_accounts(dataset: Dataset) -> None:
    roots = {a.id for a in dataset.accounts if a.is_root}
    assert any(_roots(dataset, u) == roots for u in _named(dataset))


def test_default_has_a_few_explicit_links(dataset: Dataset) -> None:
    named = {u.id for u in _named(dataset)}
    explicit = [x for x in dataset.links if x.observer_id in named]
    assert len(explicit) >= 3
    assert any(x.state == "deleted" for x in explicit)
    per_pair = Counter((x.observer_id, x.student_id) for x in explicit if x.state == "active")
    assert max(per_pair.values()) >= 2  # one pair linked in both root accounts


def test_default_has_one_active_pairing_code(dataset: Dataset) -> None:
    now = datetime.now(UTC)
    active = [
        c for c in dataset.pairing_codes if c.workflow_state == "active" and c.expires_at > now
    ]
    assert len(active) >= 1
    users = {u.id: u for u in dataset.users}
    for code in active:
        assert users[code.user_id].active
        assert any(e.type == "student" for e in users[code.user_id].enrollments)


def test_default_has_generated_population(dataset: Dataset) -> None:
    generated = [u for u in dataset.users if _generated(u)]
    assert len(generated) >= 50
    assert all(u.tokens for u in generated)
    generated_ids = {u.id for u in generated}
    assert any(x.observer_id in generated_ids for x in dataset.links)


def test_default_has_observer_with_more_than_ten_observees(dataset: Dataset) -> None:
    per_observer = Counter(x.observer_id for x in dataset.links if x.state == "active")
    assert max(per_observer.values()) > 10


def test_default_loads_identically_twice(dataset: Dataset) -> None:
    assert load_path(default_fixture_path()) == dataset
