"""store.py: the Canvas rules, exercised without Flask."""

from __future__ import annotations

import contextlib
import threading
from datetime import UTC, datetime

import pytest

from mock_canvas import errors
from mock_canvas.fixtures import load_mapping
from mock_canvas.ids import IdRef, SelfRef, SisRef, parse_user_ref
from mock_canvas.model import Dataset
from mock_canvas.pagination import PageRequest
from mock_canvas.store import Store

WORLD = {
    "accounts": [
        {"id": 1, "name": "One", "domain": "one.test", "default": True},
        {"id": 2, "name": "Two", "domain": "two.test"},
    ],
    "courses": [{"id": 10, "account": 1}, {"id": 20, "account": 2}],
    "users": [
        {
            "id": 1,
            "name": "Admin One",
            "logins": [{"account": 1, "unique_id": "admin"}],
            "tokens": ["admin"],
            "admin": [{"account": 1}],
        },
        {
            "id": 2,
            "name": "Admin Two",
            "logins": [{"account": 2, "unique_id": "admin2"}],
            "tokens": ["admin2"],
            "admin": [{"account": 2}],
        },
        {
            "id": 10,
            "name": "Pat Parent",
            "logins": [{"account": 1, "unique_id": "pat"}, {"account": 2, "unique_id": "pat"}],
            "tokens": ["pat"],
        },
        {
            "id": 20,
            "name": "Sam Student",
            "tokens": ["sam"],
            "logins": [{"account": 1, "unique_id": "sam", "password": "pw"}],
            "enrollments": [{"course": 10}, {"course": 20}],
        },
        {
            "id": 21,
            "name": "Zoe Student",
            "tokens": ["zoe"],
            "logins": [{"account": 1, "unique_id": "zoe", "password": "pw"}],
            "enrollments": [{"course": 10}],
        },
    ],
    "observer_links": [{"observer": 10, "observee": 21, "root_account": 1}],
}


@pytest.fixture
def store() -> Store:
    return Store(load_mapping(WORLD, source="world"))


def _one(store: Store) -> object:
    return store.domain_root_account("one.test")


def test_parse_user_ref_forms() -> None:
    assert parse_user_ref("self") == SelfRef()
    assert parse_user_ref(" 0042 ") == IdRef(42)
    assert parse_user_ref("sis_login_id:a:b") == SisRef("sis_login_id", "a:b")
    for bad in ("abc", "-1", "1.5", "1" * 20, "SIS_USER_ID:x", "sis_user_id:", "uuid:x", "١٢"):
        assert parse_user_ref(bad) is None


def test_authenticate_unknown_token_is_invalid(store: Store) -> None:
    with pytest.raises(errors.CanvasError) as caught:
        store.authenticate("nope")
    assert caught.value.status == 401
    assert caught.value.body == {"errors": [{"message": "Invalid access token."}]}


def test_authenticate_missing_token_is_unauthenticated(store: Store) -> None:
    with pytest.raises(errors.CanvasError) as caught:
        store.authenticate(None)
    assert caught.value.body["status"] == "unauthenticated"


def test_domain_root_account_ignores_port_and_case(store: Store) -> None:
    assert store.domain_root_account("TWO.test:8443").id == 2
    assert store.domain_root_account("unknown.example").id == 1


def test_add_observee_with_token_links_in_domain_root_only(store: Store) -> None:
    pat = store.authenticate("pat")
    view = store.add_observee(
        pat, "self", {"access_token": "sam"}, store.domain_root_account("two.test")
    )
    assert view.user.id == 20
    assert view.link_root_account_ids == (2,)


def test_add_observee_all_links_every_common_root(store: Store) -> None:
    pat = store.authenticate("pat")
    view = store.add_observee(
        pat,
        "self",
        {"access_token": "sam", "root_account_id": "all"},
        store.domain_root_account("one.test"),
    )
    assert view.link_root_account_ids == (1, 2)


def test_add_observee_pairing_code_used_up_before_admin_check(store: Store) -> None:
    domain = store.domain_root_account("one.test")
    code = store.create_pairing_code(store.authenticate("zoe"), "self", domain)
    admin_two = store.authenticate("admin2")
    # Admin Two passes the check on Pat (account 2 is Pat's), but Zoe shares only account 1
    # with Pat, where Admin Two has no permission: 403, after the code was destroyed.
    with pytest.raises(errors.Unauthorized):
        store.add_observee(
            admin_two, "10", {"pairing_code": code.code, "root_account_id": "all"}, domain
        )
    pat = store.authenticate("pat")
    with pytest.raises(errors.CanvasError) as again:
        store.add_observee(pat, "self", {"pairing_code": code.code}, domain)
    assert again.value.status == 422
    assert again.value.body == {"errors": [{"message": "Invalid pairing code."}]}


def test_remove_observee_soft_deletes_and_add_restores(store: Store) -> None:
    pat = store.authenticate("pat")
    domain = store.domain_root_account("one.test")
    view = store.remove_observee(pat, "self", "21", domain)
    assert view.link_root_account_ids == ()
    rows = [
        (lk.observer_id, lk.student_id, lk.root_account_id, lk.state) for lk in store.export().links
    ]
    assert rows == [(10, 21, 1, "deleted")]
    store.add_observee(pat, "self", {"access_token": "zoe"}, domain)
    rows = [
        (lk.observer_id, lk.student_id, lk.root_account_id, lk.state) for lk in store.export().links
    ]
    assert rows == [(10, 21, 1, "active")]


def test_reset_restores_the_loaded_links_and_codes(store: Store) -> None:
    pat = store.authenticate("pat")
    domain = store.domain_root_account("one.test")
    store.add_observee(pat, "self", {"access_token": "sam", "root_account_id": "all"}, domain)
    store.create_pairing_code(store.authenticate("zoe"), "self", domain)
    store.reset()
    page = store.list_observees(pat, "self", domain, PageRequest(1, 10))
    assert [v.user.id for v in page.views] == [21]
    assert store.export().pairing_codes == []


def test_list_observees_orders_by_sortable_name_then_id(store: Store) -> None:
    pat = store.authenticate("pat")
    domain = store.domain_root_account("one.test")
    store.add_observee(pat, "self", {"access_token": "sam"}, domain)
    page = store.list_observees(pat, "self", domain, PageRequest(1, 10))
    # "Student, Sam" < "Student, Zoe"
    assert [v.user.id for v in page.views] == [20, 21]
    assert page.total == 2


def test_list_observees_bad_page_after_permission_check(store: Store) -> None:
    sam = store.authenticate("sam")
    domain = store.domain_root_account("one.test")
    with pytest.raises(errors.Unauthorized):
        store.list_observees(sam, "10", domain, PageRequest(None, 10))
    pat = store.authenticate("pat")
    with pytest.raises(errors.CanvasError) as caught:
        store.list_observees(pat, "self", domain, PageRequest(None, 10))
    assert caught.value.body["errors"][0]["error_code"] == "not_found"


def test_expired_token_reports_its_expiry() -> None:
    dataset = load_mapping(
        {
            "accounts": [{"id": 1}],
            "users": [
                {"id": 1, "tokens": [{"token": "old", "expires_at": "2020-01-01T00:00:00Z"}]}
            ],
        }
    )
    store = Store(dataset, clock=lambda: datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(errors.CanvasError) as caught:
        store.authenticate("old")
    assert caught.value.body == {
        "errors": [{"message": "Expired access token.", "expired_at": "2020-01-01T00:00:00Z"}]
    }


def test_pairing_code_race_uses_each_code_once(store: Store) -> None:
    domain = store.domain_root_account("one.test")
    code = store.create_pairing_code(store.authenticate("sam"), "self", domain).code
    pat = store.authenticate("pat")
    outcomes: list[int] = []
    barrier = threading.Barrier(8)

    def use() -> None:
        barrier.wait()
        try:
            store.add_observee(pat, "self", {"pairing_code": code}, domain)
            outcomes.append(200)
        except errors.CanvasError as exc:
            outcomes.append(exc.status)

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [200] + [422] * 7


def test_concurrent_adds_and_removes_leave_consistent_indexes(store: Store) -> None:
    domain = store.domain_root_account("one.test")
    pat = store.authenticate("pat")

    def churn() -> None:
        for _ in range(200):
            store.add_observee(pat, "self", {"access_token": "sam"}, domain)
            with contextlib.suppress(errors.CanvasError):
                store.remove_observee(pat, "self", "20", domain)

    threads = [threading.Thread(target=churn) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    page = store.list_observees(pat, "self", domain, PageRequest(1, 10))
    active = {(lk.student_id) for lk in store.export().links if lk.state == "active"}
    assert {v.user.id for v in page.views} == active
    assert page.total == len(active)


def test_dataset_is_not_changed_by_the_api(store: Store) -> None:
    before = [(lk.observer_id, lk.student_id, lk.state) for lk in store.dataset.links]
    store.remove_observee(
        store.authenticate("pat"), "self", "21", store.domain_root_account("one.test")
    )
    assert [(lk.observer_id, lk.student_id, lk.state) for lk in store.dataset.links] == before
    assert isinstance(store.dataset, Dataset)


def test_snapshot_restore_and_reset_goes_back_to_the_fixture(store: Store) -> None:
    pat = store.authenticate("pat")
    domain = store.domain_root_account("one.test")
    store.add_observee(pat, "self", {"access_token": "sam"}, domain)
    store.create_pairing_code(store.authenticate("zoe"), "self", domain)
    store.expire_token("sam")
    snap = store.snapshot()
    store.remove_observee(pat, "self", "21", domain)
    store.remove_observee(pat, "self", "20", domain)

    def observees() -> list[int]:
        page = store.list_observees(pat, "self", domain, PageRequest(1, 10))
        return [v.user.id for v in page.views]

    store.restore(snap)
    assert observees() == [20, 21]
    assert len(store.export().pairing_codes) == 1
    with pytest.raises(errors.CanvasError):
        store.authenticate("sam")  # the expiry override came back too
    store.remove_observee(pat, "self", "20", domain)  # the snapshot is not changed by this
    store.restore(snap)
    assert observees() == [20, 21]
    store.reset()
    assert observees() == [21]
    assert store.export().pairing_codes == []
    assert store.authenticate("sam").id == 20
    store.add_observee(pat, "self", {"access_token": "sam"}, domain)
    store.reset()  # the undo log works again after the rebuild
    assert observees() == [21]


def test_restore_refuses_a_snapshot_of_another_fixture(store: Store) -> None:
    snap = store.snapshot()
    store.load(load_mapping(WORLD, source="world"))
    with pytest.raises(ValueError):
        store.restore(snap)
