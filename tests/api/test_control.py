"""The control API under /__mock__: health, reset, fixtures, state, and its token."""

from __future__ import annotations

import json

import pytest
import yaml
from flask import Flask

from mock_canvas.app import create_app
from mock_canvas.fixtures import load_mapping
from mock_canvas.model import Dataset
from mock_canvas.settings import Settings
from mock_canvas.store import Store
from tests.conftest import MINIMAL_FIXTURE, ApiClient


def test_health_is_ok(api: ApiClient) -> None:
    r = api.get("/__mock__/health")
    assert r.status == 200
    assert r.body == {"status": "ok"}
    assert r.header("content-type") == "application/json; charset=utf-8"


def test_reset_restores_links_removed_through_the_api(api: ApiClient) -> None:
    assert api.delete("/api/v1/users/self/observees/200", token="parent-token").status == 200
    assert [
        u["id"] for u in api.get("/api/v1/users/self/observees", token="parent-token").body
    ] == [201]
    r = api.post("/__mock__/reset")
    assert r.status == 200
    assert r.body["status"] == "ok"
    assert [
        u["id"] for u in api.get("/api/v1/users/self/observees", token="parent-token").body
    ] == [201, 200]


def test_reset_does_not_parse_the_fixture_again(api: ApiClient) -> None:
    dataset = api.store.dataset
    api.post("/__mock__/reset")
    assert api.store.dataset is dataset


def test_put_fixtures_replaces_the_state(api: ApiClient) -> None:
    r = api.put(
        "/__mock__/fixtures",
        data=json.dumps(MINIMAL_FIXTURE),
        headers={"Content-Type": "application/json"},
    )
    assert r.status == 200
    assert r.body["users"] == 2
    assert api.get("/api/v1/users/self/observees", token="parent-token").status == 401
    listed = api.get("/api/v1/users/self/observees", token="p")
    assert [u["id"] for u in listed.body] == [2]
    # and reset now goes back to this fixture, not the old one
    api.delete("/api/v1/users/self/observees/2", token="p")
    api.post("/__mock__/reset")
    assert [u["id"] for u in api.get("/api/v1/users/self/observees", token="p").body] == [2]


def test_put_fixtures_accepts_yaml(api: ApiClient) -> None:
    r = api.put(
        "/__mock__/fixtures",
        data=yaml.safe_dump(MINIMAL_FIXTURE),
        headers={"Content-Type": "application/yaml"},
    )
    assert r.status == 200
    assert [u["id"] for u in api.get("/api/v1/users/1/observees", token="p").body] == [2]


def test_put_fixtures_bad_file_is_400_with_every_problem_and_changes_nothing(
    api: ApiClient,
) -> None:
    bad = {
        "accounts": [{"id": 1}],
        "users": [{"id": 1, "logins": [{"account": 9, "unique_id": "x"}]}, {"id": 1}],
    }
    r = api.put(
        "/__mock__/fixtures", data=json.dumps(bad), headers={"Content-Type": "application/json"}
    )
    assert r.status == 400
    assert r.body == {
        "errors": [
            {"message": "request body: users[0].logins[0].account: no account with id 9"},
            {"message": "request body: users[1].id: duplicate user id 1 (first at users[0].id)"},
        ]
    }
    assert api.get("/api/v1/users/self/observees", token="parent-token").status == 200


def test_put_fixtures_invalid_yaml_is_400(api: ApiClient) -> None:
    r = api.put(
        "/__mock__/fixtures", data="users: [unclosed", headers={"Content-Type": "application/yaml"}
    )
    assert r.status == 400
    assert r.body == {
        "errors": [
            {
                "message": "request body: line 2, column 1: not valid YAML: did not find expected ',' or ']'"
            }
        ]
    }


def test_state_round_trips_through_the_fixture_format(api: ApiClient) -> None:
    api.delete("/api/v1/users/self/observees/200", token="parent-token")
    api.put("/api/v1/users/102/observees/202", token="admin-token")
    state = api.get("/__mock__/state")
    assert state.status == 200
    reloaded = Store(load_mapping(state.body))
    links = {
        (lk.observer_id, lk.student_id, lk.root_account_id, lk.state)
        for lk in reloaded.export().links
    }
    assert (100, 200, 1, "deleted") in links
    assert (102, 202, 1, "active") in links
    assert links == {
        (lk.observer_id, lk.student_id, lk.root_account_id, lk.state)
        for lk in api.store.export().links
    }


def test_state_as_yaml(api: ApiClient) -> None:
    r = api.get("/__mock__/state", query={"format": "yaml"})
    assert r.status == 200
    assert r.header("content-type") == "application/yaml; charset=utf-8"
    assert yaml.safe_load(r.text)["version"] == 1


def _locked_app(dataset: Dataset) -> Flask:
    return create_app(Settings(control_token="s3cret"), store=Store(dataset))


def test_control_token_required_when_set(default_dataset: Dataset) -> None:
    client = _locked_app(default_dataset).test_client()
    r = client.post("/__mock__/reset")
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="mock-canvas-control"'
    assert "s3cret" not in r.get_data(as_text=True)
    assert (
        client.post("/__mock__/reset", headers={"Authorization": "Bearer wrong"}).status_code == 401
    )
    assert (
        client.post("/__mock__/reset", headers={"Authorization": "Bearer s3cret"}).status_code
        == 200
    )


def test_control_token_not_needed_for_health(default_dataset: Dataset) -> None:
    client = _locked_app(default_dataset).test_client()
    assert client.get("/__mock__/health").status_code == 200


def test_unknown_control_path_is_json_404(api: ApiClient) -> None:
    r = api.get("/__mock__/nope")
    assert r.status == 404
    assert r.body == {"errors": [{"message": "The specified resource does not exist."}]}


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("POST", "/__mock__/reset", {}),
        ("POST", "/__mock__/snapshots", {"data": '{"name": "x"}'}),
        ("PUT", "/__mock__/sandboxes/x", {}),
        ("POST", "/__mock__/links", {"json": {"observer_id": 102, "student_id": 203}}),
        ("POST", "/__mock__/faults", {"json": {"status": 503}}),
    ],
)
def test_control_calls_from_another_site_are_refused(
    api: ApiClient, method: str, path: str, kwargs: dict[str, object]
) -> None:
    before = api.store.export().links, api.get("/__mock__/snapshots").body
    r = api.request(method, path, headers={"Origin": "http://evil.test"}, **kwargs)  # type: ignore[arg-type]
    assert (r.status, r.body) == (
        403,
        {"errors": [{"message": "Control calls from another site are refused."}]},
    )
    assert (api.store.export().links, api.get("/__mock__/snapshots").body) == before
    assert api.get("/__mock__/sandboxes").body == []
    assert api.get("/__mock__/faults").body == []
    # Reading is not refused (a page cannot read the answer anyway), nor the same origin.
    assert api.get("/__mock__/clock", headers={"Origin": "http://evil.test"}).status == 200
    host = (api.base_url or "http://localhost").split("//", 1)[1]
    same = api.request(method, path, headers={"Origin": f"http://{host}"}, **kwargs)  # type: ignore[arg-type]
    assert same.status in (200, 201), same.text
