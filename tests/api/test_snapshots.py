"""Named snapshots under /__mock__/snapshots: save, list, restore, delete."""

from __future__ import annotations

from mock_canvas.app import MAX_SNAPSHOTS, create_app
from mock_canvas.model import Dataset
from mock_canvas.settings import Settings
from mock_canvas.store import Store
from tests.conftest import ApiClient

OBSERVEES = "/api/v1/users/self/observees"
SNAPSHOTS = "/__mock__/snapshots"


def observee_ids(api: ApiClient) -> list[int]:
    r = api.get(OBSERVEES, token="parent-token")
    assert r.status == 200
    return [user["id"] for user in r.body]


def test_save_lists_and_restores(api: ApiClient) -> None:
    assert observee_ids(api) == [201, 200]
    r = api.post(SNAPSHOTS, json={"name": "before-sync"})
    assert r.status == 201
    assert r.body["name"] == "before-sync"
    assert r.body["created_at"].endswith("Z")
    assert r.body["links"] == len(api.store.export().links)
    assert r.body["pairing_codes"] == len(api.store.export().pairing_codes)
    assert api.delete(OBSERVEES + "/200", token="parent-token").status == 200
    assert observee_ids(api) == [201]
    r = api.post(SNAPSHOTS + "/before-sync/restore")
    assert r.status == 200
    assert r.body["status"] == "ok"
    assert r.body["restored"] == "before-sync"
    assert observee_ids(api) == [201, 200]
    r = api.get(SNAPSHOTS)
    assert r.status == 200
    assert [s["name"] for s in r.body] == ["before-sync"]


def test_reset_after_a_restore_goes_back_to_the_fixture_and_keeps_snapshots(
    api: ApiClient,
) -> None:
    assert api.delete(OBSERVEES + "/200", token="parent-token").status == 200
    assert api.post(SNAPSHOTS, json={"name": "one-left"}).status == 201
    assert api.delete(OBSERVEES + "/201", token="parent-token").status == 200
    assert api.post(SNAPSHOTS + "/one-left/restore").status == 200
    assert observee_ids(api) == [201]
    assert api.post("/__mock__/reset").status == 200
    assert observee_ids(api) == [201, 200]
    assert [s["name"] for s in api.get(SNAPSHOTS).body] == ["one-left"]
    assert api.post(SNAPSHOTS + "/one-left/restore").status == 200
    assert observee_ids(api) == [201]


def test_a_name_is_replaced(api: ApiClient) -> None:
    assert api.post(SNAPSHOTS, json={"name": "a"}).status == 201
    assert api.post(SNAPSHOTS, json={"name": "b"}).status == 201
    assert api.delete(OBSERVEES + "/200", token="parent-token").status == 200
    assert api.post(SNAPSHOTS, json={"name": "a"}).status == 201
    assert [s["name"] for s in api.get(SNAPSHOTS).body] == ["b", "a"]
    assert api.post("/__mock__/reset").status == 200
    assert api.post(SNAPSHOTS + "/a/restore").status == 200
    assert observee_ids(api) == [201]


def test_bad_names_and_bodies_are_400(api: ApiClient) -> None:
    for body in ({"name": ""}, {"name": "x" * 65}, {"name": "a b"}, {"name": 5}, {}, [], "x"):
        r = api.post(SNAPSHOTS, json=body)
        assert r.status == 400, body
        assert list(r.body) == ["errors"]
        assert "1 to 64 characters" in r.body["errors"][0]["message"]
    r = api.post(SNAPSHOTS, data="{", headers={"Content-Type": "application/json"})
    assert r.status == 400
    assert r.body == {"errors": [{"message": "The request body is not valid JSON."}]}
    assert api.post(SNAPSHOTS, json={"name": "x" * 64}).status == 201
    assert api.post(SNAPSHOTS, json={"name": "A.b_c-9"}).status == 201
    assert api.get(SNAPSHOTS).body[0]["name"] == "x" * 64


def test_at_most_max_snapshots(api: ApiClient) -> None:
    for i in range(MAX_SNAPSHOTS):
        assert api.post(SNAPSHOTS, json={"name": f"s{i}"}).status == 201
    r = api.post(SNAPSHOTS, json={"name": "one-too-many"})
    assert r.status == 400
    assert f"At most {MAX_SNAPSHOTS} snapshots" in r.body["errors"][0]["message"]
    assert api.post(SNAPSHOTS, json={"name": "s0"}).status == 201  # replacing is fine
    assert api.delete(SNAPSHOTS + "/s1").status == 200
    assert api.post(SNAPSHOTS, json={"name": "one-too-many"}).status == 201
    assert len(api.get(SNAPSHOTS).body) == MAX_SNAPSHOTS


def test_unknown_names_are_404(api: ApiClient) -> None:
    not_found = {"errors": [{"message": "The specified resource does not exist."}]}
    r = api.post(SNAPSHOTS + "/nope/restore")
    assert (r.status, r.body) == (404, not_found)
    r = api.delete(SNAPSHOTS + "/nope")
    assert (r.status, r.body) == (404, not_found)


def test_delete(api: ApiClient) -> None:
    assert api.post(SNAPSHOTS, json={"name": "gone"}).status == 201
    r = api.delete(SNAPSHOTS + "/gone")
    assert (r.status, r.body) == (200, {"deleted": "gone"})
    assert api.get(SNAPSHOTS).body == []
    assert api.post(SNAPSHOTS + "/gone/restore").status == 404


def test_replacing_the_fixture_drops_snapshots(api: ApiClient) -> None:
    assert api.post(SNAPSHOTS, json={"name": "old"}).status == 201
    state = api.get("/__mock__/state").body
    assert api.put("/__mock__/fixtures", json=state).status == 200
    assert api.get(SNAPSHOTS).body == []
    assert api.post(SNAPSHOTS + "/old/restore").status == 404


def test_the_control_token_applies(default_dataset: Dataset) -> None:
    app = create_app(Settings(control_token="sekrit"), store=Store(default_dataset))
    client = app.test_client()
    assert client.post(SNAPSHOTS, json={"name": "a"}).status_code == 401
    assert client.get(SNAPSHOTS).status_code == 401
    assert client.post(SNAPSHOTS + "/a/restore").status_code == 401
    assert client.delete(SNAPSHOTS + "/a").status_code == 401
    auth = {"Authorization": "Bearer sekrit"}
    assert client.post(SNAPSHOTS, json={"name": "a"}, headers=auth).status_code == 201
    assert client.post(SNAPSHOTS + "/a/restore", headers=auth).status_code == 200
    assert client.delete(SNAPSHOTS + "/a", headers=auth).status_code == 200
