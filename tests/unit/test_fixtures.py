"""fixtures.py: the fixture format (version 1), its problems and the data Faker fills in."""

from __future__ import annotations

import copy
import json
import random
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from faker import Faker

from mock_canvas import cli
from mock_canvas.fixtures import (
    CREATED_AT_RANGE,
    FixtureError,
    default_fixture_path,
    dump_dataset,
    load_bytes,
    load_mapping,
    load_path,
    sortable_name_for,
)
from mock_canvas.model import Dataset, Link
from mock_canvas.store import Store

BAD = Path(__file__).resolve().parent.parent / "data" / "bad"

# Every file in tests/data/bad and the problems it must report, without the "<file>: " prefix.
# `exact`: the problems are these lines and no others; otherwise they contain these lines.
EXPECTED: dict[str, tuple[list[str], bool]] = {
    "wrong_type_accounts.yaml": (["accounts: must be a list, not a mapping"], False),
    "wrong_type_user_name.yaml": (["users[0].name: must be a string, not an integer"], True),
    "wrong_type_site_admin.yaml": (
        ["users[0].site_admin: must be true or false, not a string"],
        True,
    ),
    "unknown_top_key.yaml": (
        [
            "colour: unknown key (allowed: accounts, courses, generate, observer_links,"
            " pairing_codes, seed, settings, users, version)"
        ],
        True,
    ),
    "unknown_nested_key.yaml": (
        [
            "users[0].logins[0].pasword: unknown key"
            " (allowed: account, integration_id, password, sis_user_id, unique_id)"
        ],
        True,
    ),
    "duplicate_account_id.yaml": (
        ["accounts[1].id: duplicate account id 1 (first at accounts[0].id)"],
        True,
    ),
    "duplicate_course_id.yaml": (
        ["courses[1].id: duplicate course id 10 (first at courses[0].id)"],
        True,
    ),
    "duplicate_user_id.yaml": (["users[1].id: duplicate user id 100 (first at users[0].id)"], True),
    "dangling_login_account.yaml": (["users[0].logins[0].account: no account with id 9"], True),
    "login_sub_account.yaml": (
        ["users[0].logins[0].account: account 3 is a sub-account; a root account is required"],
        True,
    ),
    "duplicate_login.yaml": (
        [
            "users[1].logins[0].unique_id: duplicate login 'parent@CANVAS.test' in account 1"
            " (first at users[0].logins[0].unique_id)"
        ],
        True,
    ),
    "duplicate_sis_user_id.yaml": (
        [
            "users[1].logins[0].sis_user_id: duplicate sis_user_id 'S1' in account 1"
            " (first at users[0].logins[0].sis_user_id)"
        ],
        True,
    ),
    "duplicate_token.yaml": (
        # the token itself is never echoed in an error
        ["users[1].tokens[0]: duplicate token (first at users[0].tokens[0])"],
        True,
    ),
    "bad_date.yaml": (
        ["users[0].created_at: must be an ISO 8601 date-time, not 'yesterday'"],
        True,
    ),
    "bad_enrollment_type.yaml": (
        [
            "users[0].enrollments[0].type: must be one of student, teacher, ta, observer,"
            " designer, not 'parent'"
        ],
        True,
    ),
    "bad_enrollment_state.yaml": (
        [
            "users[0].enrollments[0].state: must be one of active, invited, completed,"
            " inactive, deleted, not 'pending'"
        ],
        True,
    ),
    "self_link.yaml": (["observer_links[0]: user 100 cannot observe itself"], True),
    "link_no_common_root.yaml": (
        ["observer_links[0]: users 100 and 400 share no root account"],
        True,
    ),
    "link_root_not_common.yaml": (
        ["observer_links[0].root_account: users 100 and 200 do not both belong to root account 2"],
        True,
    ),
    "duplicate_link.yaml": (
        [
            "observer_links[1]: duplicate link from 100 to 200 in root account 1"
            " (first at observer_links[0])"
        ],
        True,
    ),
    "bad_pairing_code.yaml": (
        ["pairing_codes[0].code: must be 6 characters of A-Z, a-z and 0-9"],
        True,
    ),
    "duplicate_pairing_code.yaml": (
        ["pairing_codes[1].code: duplicate pairing code 'Ab3xY9' (first at pairing_codes[0].code)"],
        True,
    ),
    "unknown_setting.yaml": (
        [
            "settings.colour: unknown setting (a fixture may set: auth_error_status, "
            "default_per_page, max_per_page, throttle, throttle_hwm, "
            "throttle_invalid_pairing_code_penalty, throttle_maximum, throttle_outflow, "
            "throttle_request_cost, throttle_up_front_cost)"
        ],
        True,
    ),
    "bad_setting_value.yaml": (["settings.auth_error_status: must be one of 401, 403"], True),
    "version_2.yaml": (["version: must be 1, not 2"], True),
    "not_a_mapping.yaml": (["the document must be a mapping, not a list"], True),
    "invalid_yaml.yaml": (
        ["line 5, column 6: not valid YAML: did not find expected ',' or ']'"],
        True,
    ),
    "no_root_account.yaml": (
        ["accounts: at least one root account (an account without a parent) is required"],
        True,
    ),
    "two_default_accounts.yaml": (
        ["accounts: more than one account is marked default: 1, 2"],
        True,
    ),
    "parent_loop.yaml": (
        [
            "accounts[1].parent: the parent chain loops",
            "accounts[2].parent: the parent chain loops",
        ],
        True,
    ),
    "unknown_permission.yaml": (
        [
            "users[0].admin[0].permissions.manage_everything: unknown permission (known:"
            " manage_user_observers, generate_observer_pairing_code, read_sis, manage_sis,"
            " view_user_logins)"
        ],
        True,
    ),
    "generate_bad_per_observer.yaml": (
        [
            "generate[0].observees_per_observer: must be an integer or a pair [min, max]"
            " with 0 <= min <= max <= 1000"
        ],
        True,
    ),
    "bool_id.yaml": (["users[0].id: must be an integer, not a boolean"], True),
    "alias_bomb.yaml": (
        ["the document expands to more than 2000000 values (YAML aliases?)"],
        True,
    ),
    "several_problems.yaml": (
        [
            "users[0].created_at: must be an ISO 8601 date-time, not 'not a date'",
            "users[0].logins[0].account: no account with id 9",
            "users[1].state: must be one of active, deleted, not 'gone'",
            "observer_links[0].observee: no user with id 999",
            "pairing_codes[0].code: must be 6 characters of A-Z, a-z and 0-9",
        ],
        True,
    ),
}

NOW = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)


def _problems(excinfo: pytest.ExceptionInfo[FixtureError]) -> list[str]:
    problems = excinfo.value.problems
    assert isinstance(problems, list)
    assert str(excinfo.value) == "\n".join(problems)
    for line in problems:
        assert "\n" not in line, f"a problem spans several lines: {line!r}"
        assert "Traceback" not in line
    return problems


def _refused(mapping: Any, *, source: str = "<fixture>") -> list[str]:
    with pytest.raises(FixtureError) as caught:
        load_mapping(mapping, source=source, now=NOW)
    return _problems(caught)


def _world(**extra: Any) -> dict[str, Any]:
    """Two root accounts, a sub-account, a course in each root; `extra` adds sections."""
    doc: dict[str, Any] = {
        "version": 1,
        "seed": 7,
        "accounts": [
            {"id": 1, "name": "One", "domain": "one.test", "default": True},
            {"id": 2, "name": "Two", "domain": "two.test"},
            {"id": 3, "name": "Sub", "parent": 1},
        ],
        "courses": [{"id": 10, "account": 3}, {"id": 20, "account": 2}],
    }
    doc.update(extra)
    return doc


# -- the corpus of bad files ----------------------------------------------------------------


def test_bad_corpus_matches_expectations_exactly() -> None:
    on_disk = {p.name for p in BAD.glob("*.yaml")}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_fixture_refused_with_expected_problems(name: str) -> None:
    path = BAD / name
    lines, exact = EXPECTED[name]
    expected = [f"{path}: {line}" for line in lines]
    with pytest.raises(FixtureError) as caught:  # any other exception fails the test
        load_path(path, now=NOW)
    problems = _problems(caught)
    if exact:
        assert problems == expected
    else:
        missing = [line for line in expected if line not in problems]
        assert not missing, f"missing {missing} in {problems}"
    assert all(line.startswith(f"{path}: ") for line in problems)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_fixture_via_cli_validate_exits_2(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = BAD / name
    assert cli.main(["validate", str(path)]) == 2
    captured = capsys.readouterr()
    lines, _ = EXPECTED[name]
    for line in lines:
        assert f"{path}: {line}" in captured.err.splitlines()
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_several_problems_each_reported_on_own_line() -> None:
    path = BAD / "several_problems.yaml"
    with pytest.raises(FixtureError) as caught:
        load_path(path, now=NOW)
    problems = _problems(caught)
    assert len(problems) == 5
    assert len(set(problems)) == 5
    paths = [line.removeprefix(f"{path}: ").split(":")[0] for line in problems]
    assert paths == [
        "users[0].created_at",
        "users[0].logins[0].account",
        "users[1].state",
        "observer_links[0].observee",
        "pairing_codes[0].code",
    ]


def test_several_problems_in_one_mapping_all_reported() -> None:
    doc = _world(
        colour="blue",
        users=[
            {"id": "one", "name": 5},
            {"id": 7, "logins": [{"account": 3, "unique_id": "x"}], "tokens": [""]},
        ],
        pairing_codes=[{"user": 7, "code": "toolongcode"}],
    )
    problems = _refused(doc, source="several.yaml")
    assert problems == [
        "several.yaml: colour: unknown key (allowed: accounts, courses, generate,"
        " observer_links, pairing_codes, seed, settings, users, version)",
        "several.yaml: users[0].id: must be an integer, not a string",
        "several.yaml: users[1].logins[0].account: account 3 is a sub-account;"
        " a root account is required",
        "several.yaml: users[1].tokens[0]: must not be empty",
        "several.yaml: pairing_codes[0].code: must be 6 characters of A-Z, a-z and 0-9",
    ]


def test_alias_bomb_refused_quickly_with_message() -> None:
    path = BAD / "alias_bomb.yaml"
    started = time.perf_counter()
    with pytest.raises(FixtureError) as caught:
        load_path(path)
    elapsed = time.perf_counter() - started
    problems = _problems(caught)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: ")
    assert "alias" in problems[0].lower()
    assert elapsed < 30  # generous: expanding 9**9 values would take far longer


def test_yaml_aliases_in_moderation_load() -> None:
    text = """
version: 1
accounts: [{id: 1}]
courses: [{id: 10, account: 1}]
users:
  - {id: 1, name: Ann Able, enrollments: &both [{course: 10, type: student}]}
  - {id: 2, name: Ben Baker, enrollments: *both}
"""
    dataset = load_bytes(text)
    assert [len(u.enrollments) for u in dataset.users] == [1, 1]


def test_file_larger_than_max_bytes_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    shutil.copyfile(default_fixture_path(), path)
    with pytest.raises(FixtureError) as caught:
        load_path(path, max_bytes=100)
    assert _problems(caught) == [f"{path}: the file is larger than 100 bytes"]


def test_file_of_exactly_max_bytes_loads(tmp_path: Path) -> None:
    path = tmp_path / "exact.yaml"
    path.write_bytes(b"accounts: [{id: 1}]\n")
    dataset = load_path(path, max_bytes=path.stat().st_size)
    assert [a.id for a in dataset.accounts] == [1]


def test_missing_file_refused_with_reason(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(FixtureError) as caught:
        load_path(path)
    problems = _problems(caught)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: cannot read the file")


@pytest.mark.parametrize(
    "text",
    [
        "users: " + "{a: " * 5000 + "1" + "}" * 5000,
        "users:\n" + "".join(" " * i + "- \n" for i in range(2000)),
        "users: " + "[" * 1500 + "]" * 1500,
    ],
    ids=["flow-mappings", "block-sequences", "flow-sequences"],
)
def test_deeply_nested_document_refused(text: str) -> None:
    with pytest.raises(FixtureError) as caught:
        load_bytes(text, source="deep.yaml")
    assert _problems(caught) == ["deep.yaml: the document is nested too deeply"]


def test_deeply_nested_mapping_reports_shape_problem() -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    problems = _refused({"accounts": [{"id": 1}], "users": deep}, source="deep")
    assert problems == ["deep: users[0]: must be a mapping, not a list"]


def test_moderately_nested_document_reports_shape_problem() -> None:
    text = "accounts: [{id: 1}]\nusers: " + "[" * 20 + "]" * 20
    with pytest.raises(FixtureError) as caught:
        load_bytes(text, source="nest.yaml")
    assert _problems(caught) == ["nest.yaml: users[0]: must be a mapping, not a list"]


@pytest.mark.parametrize(
    "data",
    [
        b'version: 1\naccounts: [{id: 1}]\nusers: [{id: 1, name: "\xc3\x28"}]\n',
        b"version: 1\naccounts: [{id: 1}]\nusers: [{id: 1, name: Jos\xe9}]\n",
    ],
    ids=["broken-utf8", "latin-1"],
)
def test_non_utf8_bytes_refused_on_one_line(data: bytes) -> None:
    with pytest.raises(FixtureError) as caught:
        load_bytes(data, source="latin.yaml")
    problems = _problems(caught)  # one line each: no "\n  in <byte string>" continuation
    assert len(problems) == 1
    assert problems[0].startswith("latin.yaml: ")
    assert "UTF-8" in problems[0]
    assert "<byte string>" not in problems[0]


def test_non_utf8_file_refused_naming_file(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"accounts: [{id: 1, name: Universit\xe9}]\n")
    with pytest.raises(FixtureError) as caught:
        load_path(path)
    problems = _problems(caught)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: ")
    assert "UTF-8" in problems[0]


def test_nul_byte_refused_on_one_line() -> None:
    with pytest.raises(FixtureError) as caught:
        load_bytes(b"accounts: [{id: 1}]\x00\n", source="nul.yaml")
    problems = _problems(caught)
    assert len(problems) == 1
    assert problems[0].startswith("nul.yaml: ")


def test_invalid_yaml_reports_line_and_column() -> None:
    with pytest.raises(FixtureError) as caught:
        load_bytes("version: 1\n\tusers: []\n", source="tab.yaml")
    assert _problems(caught) == [
        "tab.yaml: line 2, column 1: not valid YAML: found a tab character that violates"
        " indentation"
    ]


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ([1, 2], "the document must be a mapping, not a list"),
        ("hello", "the document must be a mapping, not a string"),
        (42, "the document must be a mapping, not an integer"),
    ],
)
def test_non_mapping_document_refused(doc: Any, expected: str) -> None:
    assert _refused(doc, source="doc") == [f"doc: {expected}"]


@pytest.mark.parametrize(
    ("accounts", "expected"),
    [
        ([{"id": True}], "accounts[0].id: must be an integer, not a boolean"),
        ([{"id": 0}], "accounts[0].id: must be a positive integer"),
        ([{"id": "1"}], "accounts[0].id: must be an integer, not a string"),
        ([{"name": "No id"}], "accounts[0].id: is required"),
    ],
)
def test_bad_account_id_refused(accounts: list[dict[str, Any]], expected: str) -> None:
    problems = _refused({"accounts": [{"id": 1}, *accounts]})
    shifted = expected.replace("accounts[0]", "accounts[1]")
    assert problems == [f"<fixture>: {shifted}"]


def test_version_true_refused() -> None:
    assert _refused({"version": True, "accounts": [{"id": 1}]}) == [
        "<fixture>: version: must be 1, not True"
    ]


def test_sub_account_with_domain_refused() -> None:
    doc = {"accounts": [{"id": 1}, {"id": 3, "parent": 1, "domain": "sub.test"}]}
    assert _refused(doc) == [
        "<fixture>: accounts[1]: only a root account (no parent) can have a domain or be the default"
    ]


def test_duplicate_domain_case_insensitive_refused() -> None:
    doc = {"accounts": [{"id": 1, "domain": "one.test"}, {"id": 2, "domain": "ONE.test"}]}
    assert _refused(doc) == [
        "<fixture>: accounts[1].domain: duplicate domain 'one.test' (first at accounts[0].domain)"
    ]


def test_link_observee_with_sub_account_root_refused() -> None:
    doc = _world(
        users=[
            {"id": 1, "logins": [{"account": 1, "unique_id": "a"}]},
            {"id": 2, "logins": [{"account": 1, "unique_id": "b"}]},
        ],
        observer_links=[{"observer": 1, "observee": 2, "root_account": 3}],
    )
    assert _refused(doc) == [
        "<fixture>: observer_links[0].root_account: account 3 is a sub-account;"
        " a root account is required"
    ]


def test_generate_course_outside_account_refused() -> None:
    doc = _world(generate=[{"account": 1, "students": 2, "course": 20}])
    assert _refused(doc) == ["<fixture>: generate[0].course: course 20 is not in root account 1"]


def test_generate_token_clash_with_explicit_token_refused() -> None:
    doc = _world(
        users=[{"id": 1, "tokens": ["g-student-1"]}],
        generate=[{"account": 1, "students": 1, "token_prefix": "g-"}],
    )
    problems = _refused(doc)
    assert len(problems) == 1
    assert problems[0].startswith("<fixture>: generate[0].token_prefix: duplicate token")


# -- the command line -------------------------------------------------------------------


def test_cli_validate_default_fixture_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    path = default_fixture_path()
    assert cli.main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.startswith(f"{path}: ok (")


def test_cli_validate_bad_file_prints_problems_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = BAD / "dangling_login_account.yaml"
    assert cli.main(["validate", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"{path}: users[0].logins[0].account: no account with id 9"
    ]


def test_cli_validate_good_and_bad_files_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = default_fixture_path(), BAD / "several_problems.yaml"
    assert cli.main(["validate", str(good), str(bad)]) == 2
    captured = capsys.readouterr()
    assert f"{good}: ok (" in captured.out
    assert len(captured.err.splitlines()) == 5
    assert all(line.startswith(f"{bad}: ") for line in captured.err.splitlines())


# -- Faker fills the gaps ---------------------------------------------------------------


def test_faker_fills_missing_user_fields() -> None:
    dataset = load_mapping(_world(users=[{"id": 1}, {"id": 2, "name": "Mary Ann Smith"}]))
    generated, named = dataset.users
    first, last = generated.name.split(" ", 1)
    assert first and last
    assert generated.sortable_name == f"{last}, {first}"
    assert generated.short_name == generated.name
    assert generated.created_at.tzinfo is not None
    assert CREATED_AT_RANGE[0] <= generated.created_at <= CREATED_AT_RANGE[1]
    assert generated.created_at.microsecond == 0
    assert named.name == "Mary Ann Smith"
    assert named.sortable_name == "Smith, Mary Ann"
    assert named.short_name == "Mary Ann Smith"


def test_explicit_user_fields_kept() -> None:
    user = {
        "id": 1,
        "name": "Parent Smith",
        "sortable_name": "Smith-Jones, Parent",
        "short_name": "Pat",
        "created_at": "2024-08-01T12:00:00Z",
        "avatar_url": "/images/p.png",
        "state": "deleted",
        "site_admin": True,
    }
    (got,) = load_mapping(_world(users=[user])).users
    assert got.sortable_name == "Smith-Jones, Parent"
    assert got.short_name == "Pat"
    assert got.created_at == datetime(2024, 8, 1, 12, 0, tzinfo=UTC)
    assert got.avatar_url == "/images/p.png"
    assert got.state == "deleted"
    assert got.site_admin is True


def test_created_at_with_offset_converted_to_utc() -> None:
    (got,) = load_mapping(
        _world(users=[{"id": 1, "created_at": "2024-08-01T14:00:00+02:00"}])
    ).users
    assert got.created_at == datetime(2024, 8, 1, 12, 0, tzinfo=UTC)
    assert got.created_at.utcoffset() == timedelta(0)


def _names_for_seed(seed: int | None) -> list[str]:
    doc = _world(users=[{} for _ in range(20)])
    if seed is None:
        del doc["seed"]
    else:
        doc["seed"] = seed
    return [u.name for u in load_mapping(doc).users]


def test_same_file_and_seed_gives_identical_data(tmp_path: Path) -> None:
    path = tmp_path / "seeded.yaml"
    doc = _world(
        users=[{} for _ in range(10)],
        generate=[
            {"account": 1, "students": 30, "observers": 10, "observees_per_observer": [1, 3]}
        ],
    )
    path.write_text(yaml.safe_dump(doc))
    first = load_path(path, now=NOW)
    second = load_path(path, now=NOW)
    assert first == second
    assert _names_for_seed(None) == _names_for_seed(None)


def test_different_seed_gives_different_names() -> None:
    assert _names_for_seed(1) != _names_for_seed(2)


def test_loader_does_not_seed_faker_globally() -> None:
    Faker.seed(1234)
    reference = Faker("en_US")
    expected = [reference.name() for _ in range(5)]
    random.seed(99)
    expected_stdlib = [random.random() for _ in range(3)]

    Faker.seed(1234)
    other = Faker("en_US")
    random.seed(99)
    got = [other.name()]
    load_mapping(_world(users=[{} for _ in range(5)]))
    load_mapping(_world(seed=1, generate=[{"account": 1, "students": 5, "observers": 2}]))
    got += [other.name() for _ in range(4)]
    assert got == expected
    assert [random.random() for _ in range(3)] == expected_stdlib


def test_ids_assigned_after_max_explicit_id() -> None:
    doc = _world(
        users=[{}, {"id": 50}, {}, {"id": 7}, {}],
        generate=[{"account": 1, "students": 2}],
    )
    assert [u.id for u in load_mapping(doc).users] == [51, 50, 52, 7, 53, 54, 55]


def test_generate_builds_population_with_logins_tokens_links_and_course() -> None:
    doc = _world(
        generate=[
            {
                "account": 1,
                "students": 12,
                "observers": 6,
                "observees_per_observer": [1, 3],
                "token_prefix": "g-",
                "password": "pw",
                "course": 10,
            }
        ]
    )
    dataset = load_mapping(doc)
    users = {u.id: u for u in dataset.users}
    handles = {u.logins[0].unique_id: u for u in dataset.users}
    assert set(handles) == {f"g-student-{k}" for k in range(1, 13)} | {
        f"g-observer-{k}" for k in range(1, 7)
    }
    for handle, user in handles.items():
        assert len(user.logins) == 1
        assert user.logins[0].account_id == 1
        assert user.logins[0].password == "pw"
        assert [t.token for t in user.tokens] == [handle]
        assert user.name and user.sortable_name == sortable_name_for(user.name)
    students = {u.id for h, u in handles.items() if h.startswith("g-student-")}
    observers = {u.id for h, u in handles.items() if h.startswith("g-observer-")}
    for sid in students:
        assert [(e.course_id, e.type, e.state) for e in users[sid].enrollments] == [
            (10, "student", "active")
        ]
    for oid in observers:
        assert users[oid].enrollments == []
        mine = [link for link in dataset.links if link.observer_id == oid]
        assert 1 <= len(mine) <= 3
        assert len({link.student_id for link in mine}) == len(mine)
        assert all(link.student_id in students for link in mine)
        assert all(link.root_account_id == 1 and link.state == "active" for link in mine)
    assert len(dataset.links) == len({(x.observer_id, x.student_id) for x in dataset.links})


def test_generate_without_token_prefix_has_logins_and_no_tokens() -> None:
    dataset = load_mapping(
        _world(
            generate=[
                {"account": 2, "students": 3, "observers": 1, "observees_per_observer": 2},
                {"account": 1, "students": 1},
            ]
        )
    )
    logins = [(u.logins[0].account_id, u.logins[0].unique_id) for u in dataset.users]
    assert logins == [
        (2, "gen0-student-1"),
        (2, "gen0-student-2"),
        (2, "gen0-student-3"),
        (2, "gen0-observer-1"),
        (1, "gen1-student-1"),
    ]
    assert all(u.tokens == [] for u in dataset.users)
    assert all(u.logins[0].password == "password" for u in dataset.users)
    assert len(dataset.links) == 2
    assert {link.root_account_id for link in dataset.links} == {2}


def test_an_explicit_link_to_generated_users_is_kept_once() -> None:
    doc = _world(generate=[{"account": 1, "students": 1, "observers": 1}])
    generated = load_mapping(doc)
    [link] = generated.links
    doc["observer_links"] = [
        {"observer": link.observer_id, "observee": link.student_id, "state": "deleted"}
    ]
    links = load_mapping(doc).links
    assert [(x.observer_id, x.student_id, x.root_account_id, x.state) for x in links] == [
        (link.observer_id, link.student_id, 1, "deleted")
    ]


def test_generated_users_share_no_list_or_text_that_matters() -> None:
    doc = _world(generate=[{"account": 1, "students": 2, "token_prefix": "g-", "course": 10}])
    first, second = load_mapping(doc).users[-2:]
    for field in ("logins", "tokens", "admin", "enrollments"):
        assert getattr(first, field) is not getattr(second, field)
    first.tokens.append(first.tokens[0])
    assert len(second.tokens) == 1
    assert first.short_name == first.name


def test_generate_observees_capped_by_students() -> None:
    dataset = load_mapping(
        _world(
            generate=[{"account": 1, "students": 2, "observers": 1, "observees_per_observer": 5}]
        )
    )
    assert len(dataset.links) == 2


def test_link_without_root_account_made_per_common_root() -> None:
    doc = _world(
        users=[
            {
                "id": 1,
                "logins": [
                    {"account": 1, "unique_id": "p@one"},
                    {"account": 2, "unique_id": "p@two"},
                ],
            },
            {
                "id": 2,
                "logins": [{"account": 1, "unique_id": "s@one"}],
                "enrollments": [{"course": 20}],  # course 20 is in root account 2
            },
            {"id": 3, "logins": [{"account": 1, "unique_id": "t@one"}]},
        ],
        observer_links=[{"observer": 1, "observee": 2}, {"observer": 1, "observee": 3}],
    )
    links = load_mapping(doc).links
    assert links == [Link(1, 2, 1, "active"), Link(1, 2, 2, "active"), Link(1, 3, 1, "active")]


def test_deleted_enrollment_gives_no_root_account() -> None:
    doc = _world(
        users=[
            {"id": 1, "logins": [{"account": 2, "unique_id": "p"}]},
            {"id": 2, "enrollments": [{"course": 20, "state": "deleted"}]},
        ],
        observer_links=[{"observer": 1, "observee": 2}],
    )
    assert _refused(doc) == ["<fixture>: observer_links[0]: users 1 and 2 share no root account"]


def test_explicit_deleted_link_kept() -> None:
    doc = _world(
        users=[
            {"id": 1, "logins": [{"account": 1, "unique_id": "p"}]},
            {"id": 2, "logins": [{"account": 1, "unique_id": "s"}]},
        ],
        observer_links=[{"observer": 1, "observee": 2, "root_account": 1, "state": "deleted"}],
    )
    assert load_mapping(doc).links == [Link(1, 2, 1, "deleted")]


def test_pairing_code_without_expiry_lasts_seven_days() -> None:
    doc = _world(
        users=[{"id": 1}],
        pairing_codes=[
            {"user": 1, "code": "Ab3xY9"},
            {"user": 1, "code": "Zz9900", "expires_at": "2030-01-01T00:00:00Z"},
        ],
    )
    codes = load_mapping(doc, now=NOW).pairing_codes
    assert [(c.user_id, c.code, c.expires_at, c.workflow_state) for c in codes] == [
        (1, "Ab3xY9", NOW + timedelta(days=7), "active"),
        (1, "Zz9900", datetime(2030, 1, 1, tzinfo=UTC), "active"),
    ]


def test_pairing_code_default_expiry_drops_microseconds() -> None:
    now = NOW.replace(microsecond=123456)
    doc = _world(users=[{"id": 1}], pairing_codes=[{"user": 1, "code": "Ab3xY9"}])
    (code,) = load_mapping(doc, now=now).pairing_codes
    assert code.expires_at == NOW + timedelta(days=7)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("John Doe", "Doe, John"),
        ("John Doe Jr.", "Doe, John Jr."),
        ("Mary Ann Smith", "Smith, Mary Ann"),
        ("Henry Ford III", "Ford, Henry III"),
        ("Cher", "Cher"),
        ("  Cher  ", "Cher"),
        ("Prince Jr.", "Jr., Prince"),
    ],
)
def test_sortable_name_for_gives_last_first(name: str, expected: str) -> None:
    assert sortable_name_for(name) == expected


def test_json_input_loads_like_yaml(tmp_path: Path) -> None:
    doc = _world(
        users=[
            {"id": 1, "name": "Pat Parent", "logins": [{"account": 1, "unique_id": "p"}]},
            {"id": 2, "name": "Sam Student", "logins": [{"account": 1, "unique_id": "s"}]},
        ],
        observer_links=[{"observer": 1, "observee": 2}],
    )
    from_json = load_bytes(json.dumps(doc).encode(), now=NOW)
    from_yaml = load_bytes(yaml.safe_dump(doc), now=NOW)
    assert from_json == from_yaml
    path = tmp_path / "world.json"
    path.write_text(json.dumps(doc, indent=2))
    from_file = load_path(path, now=NOW)
    assert from_file.users == from_json.users
    assert from_file.links == [Link(1, 2, 1)]


def test_sis_user_id_number_read_as_text() -> None:
    doc = _world(
        users=[{"id": 1, "logins": [{"account": 1, "unique_id": "p", "sis_user_id": 100}]}]
    )
    assert load_mapping(doc).users[0].logins[0].sis_user_id == "100"


# -- writing: dump_dataset --------------------------------------------------------------


def _assert_same_data(got: Dataset, want: Dataset) -> None:
    assert got.accounts == want.accounts
    assert got.courses == want.courses
    assert got.users == want.users

    def link_key(link: Link) -> tuple[int, int, int]:
        return (link.observer_id, link.student_id, link.root_account_id)

    assert sorted(got.links, key=link_key) == sorted(want.links, key=link_key)
    active = [c for c in want.pairing_codes if c.workflow_state == "active"]
    assert sorted(got.pairing_codes, key=lambda c: c.code) == sorted(active, key=lambda c: c.code)
    assert got.settings == want.settings
    assert got.seed == want.seed


def test_dump_round_trip_of_default_gives_same_data() -> None:
    loaded = load_path(default_fixture_path())
    exported = Store(loaded).export()
    doc = dump_dataset(exported)
    _assert_same_data(load_mapping(doc, now=NOW), loaded)
    _assert_same_data(load_bytes(yaml.safe_dump(doc, sort_keys=False), now=NOW), loaded)
    _assert_same_data(load_bytes(json.dumps(doc), now=NOW), loaded)


def test_dump_round_trip_keeps_settings_tokens_and_admin_permissions() -> None:
    doc = _world(
        settings={"auth_error_status": 401, "default_per_page": 5},
        users=[
            {
                "id": 1,
                "logins": [
                    {
                        "account": 1,
                        "unique_id": "a",
                        "password": "pw",
                        "sis_user_id": "A1",
                        "integration_id": "I1",
                    }
                ],
                "tokens": ["t1", {"token": "t2", "expires_at": "2020-01-01T00:00:00Z"}],
                "admin": [{"account": 1, "permissions": {"manage_user_observers": False}}],
                "site_admin": True,
                "state": "deleted",
            }
        ],
    )
    loaded = load_mapping(doc)
    _assert_same_data(load_mapping(dump_dataset(loaded)), loaded)


def test_dump_round_trip_after_link_state_change_preserves_it() -> None:
    loaded = load_path(default_fixture_path())
    changed = copy.deepcopy(loaded)
    target = next(x for x in changed.links if (x.observer_id, x.student_id) == (100, 200))
    assert target.state == "active"
    target.state = "deleted"
    again = load_mapping(dump_dataset(changed), now=NOW)
    got = next(x for x in again.links if (x.observer_id, x.student_id) == (100, 200))
    assert got.state == "deleted"
    _assert_same_data(again, changed)


def test_dump_round_trip_after_store_actions_preserves_them() -> None:
    store = Store(load_path(default_fixture_path()))
    domain = store.domain_root_account("canvas.test")
    parent = store.authenticate("parent-token")
    store.remove_observee(parent, "self", "200", domain)
    admin = store.authenticate("admin-token")
    store.link_observee(admin, "102", "202", None, domain)
    exported = store.export()
    again = load_mapping(dump_dataset(exported), now=NOW)
    states = {(x.observer_id, x.student_id, x.root_account_id): x.state for x in again.links}
    assert states[(100, 200, 1)] == "deleted"
    assert states[(102, 202, 1)] == "active"
    _assert_same_data(again, exported)
    reloaded = Store(again).export()
    _assert_same_data(reloaded, exported)


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ("per_page=10&page=2", "per_page=10&page=2"),
        ("access_token=abc&page=2", "access_token=[REDACTED]&page=2"),
        ("observee%5Bpassword%5D=pw", "observee%5Bpassword%5D=[REDACTED]"),
        ("pairing+code=x&pairing_code=y", "pairing+code=x&pairing_code=[REDACTED]"),
        ("acc%65ss_token=abc", "acc%65ss_token=[REDACTED]"),
    ],
)
def test_the_journal_redacts_queries_with_and_without_its_fast_path(query: str, kept: str) -> None:
    from mock_canvas.journal import redact_query

    assert redact_query(query) == kept
