"""The example fixture files in fixtures/: every one loads, and holds what its comments say."""

from __future__ import annotations

import time
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from mock_canvas.fixtures import default_fixture_path, load_path
from mock_canvas.model import Dataset

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "fixtures"
EXAMPLE_FILES = sorted(p.name for p in EXAMPLES.iterdir() if p.suffix in (".yaml", ".yml", ".json"))


LOAD_SECONDS: dict[str, float] = {}


@cache
def _load(name: str) -> Dataset:
    started = time.perf_counter()
    dataset = load_path(EXAMPLES / name)
    LOAD_SECONDS[name] = time.perf_counter() - started
    return dataset


def _roots(dataset: Dataset, user_id: int) -> set[int]:
    user = next(u for u in dataset.users if u.id == user_id)
    course_roots = {c.id: c.root_account_id for c in dataset.courses}
    return {login.account_id for login in user.logins} | {
        course_roots[e.course_id] for e in user.enrollments if e.state != "deleted"
    }


def test_examples_directory_has_expected_files() -> None:
    assert {"default.yaml", "minimal.yaml", "multi-account.yaml", "large.yaml"} <= set(
        EXAMPLE_FILES
    )


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_fixture_loads_without_problems(name: str) -> None:
    dataset = _load(name)
    assert dataset.users
    assert any(a.is_root for a in dataset.accounts)
    assert dataset.source == str(EXAMPLES / name)


def test_default_example_is_symlink_to_packaged_default() -> None:
    link = EXAMPLES / "default.yaml"
    assert link.is_symlink()
    assert link.readlink() == Path("../mock_canvas/data/default.yaml")
    assert link.resolve() == default_fixture_path().resolve()
    assert link.read_bytes() == default_fixture_path().read_bytes()


def test_minimal_example_has_one_parent_one_student_one_link() -> None:
    dataset = _load("minimal.yaml")
    assert [a.id for a in dataset.accounts] == [1]
    assert len(dataset.users) == 2
    assert all(u.tokens for u in dataset.users)
    assert [(x.observer_id, x.student_id, x.root_account_id, x.state) for x in dataset.links] == [
        (100, 200, 1, "active")
    ]


def test_multi_account_example_has_three_roots_with_domains() -> None:
    dataset = _load("multi-account.yaml")
    roots = [a for a in dataset.accounts if a.is_root]
    assert len(roots) == 3
    assert all(a.domain for a in roots)
    assert sum(a.default for a in roots) == 1


def test_multi_account_example_has_admin_per_root_account() -> None:
    dataset = _load("multi-account.yaml")
    roots = {a.id for a in dataset.accounts if a.is_root}
    admin_accounts = {r.account_id for u in dataset.users for r in u.admin}
    assert roots <= admin_accounts


def test_multi_account_example_has_cross_account_cases() -> None:
    dataset = _load("multi-account.yaml")
    roots = {a.id for a in dataset.accounts if a.is_root}
    assert _roots(dataset, 100) == roots  # a parent in every root account
    assert _roots(dataset, 200) == {1, 2}  # a student in two, one of them by enrollment only
    link_roots = Counter((x.observer_id, x.student_id) for x in dataset.links)
    assert link_roots[(100, 203)] == 3  # one link per shared root account
    assert {x.root_account_id for x in dataset.links} == roots
    assert any(x.state == "deleted" for x in dataset.links)


def test_large_example_has_ten_thousand_generated_users() -> None:
    dataset = _load("large.yaml")
    elapsed = LOAD_SECONDS["large.yaml"]
    print(f"fixtures/large.yaml loaded in {elapsed:.2f}s")
    handles = [login.unique_id for u in dataset.users for login in u.logins]
    assert sum(h.startswith("lg-student-") for h in handles) == 7000
    assert sum(h.startswith("lg-observer-") for h in handles) == 3000
    per_observer = Counter(x.observer_id for x in dataset.links)
    assert len(per_observer) == 3000
    assert set(per_observer.values()) <= {1, 2, 3}
    assert elapsed < 10  # generous; the time is printed above (pytest -s)
