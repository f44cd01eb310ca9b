"""Named sandboxes: /sandboxes/<name>/... is an isolated copy of the state."""

from __future__ import annotations

import pytest
import yaml

from mock_canvas.app import create_app
from mock_canvas.model import Dataset
from mock_canvas.settings import Settings
from mock_canvas.store import Store
from tests.api.helpers import JSON_TYPE, NOT_FOUND, assert_user
from tests.conftest import ApiClient

SB = "/sandboxes"
CONTROL = "/__mock__/sandboxes"
OBSERVEES = "/api/v1/users/self/observees"
NAME_RULE = (
    "A sandbox name is 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-', "
    "starting with a letter or digit."
)
SMALL_FIXTURE = {
    "accounts": [{"id": 1, "name": "Tiny School", "domain": "tiny.test"}],
    "users": [
        {
            "id": 7,
            "name": "Pat Parent",
            "tokens": ["pat-token"],
            "logins": [{"account": 1, "unique_id": "pat"}],
        },
        {"id": 8, "name": "Sam Student", "logins": [{"account": 1, "unique_id": "sam"}]},
    ],
    "observer_links": [{"observer": 7, "observee": 8}],
}


def ids(api: ApiClient, prefix: str = "", token: str = "parent-token") -> list[int]:
    r = api.get(prefix + OBSERVEES, token=token)
    assert r.status == 200, r.text
    return [user["id"] for user in r.body]


def names(api: ApiClient) -> list[str]:
    r = api.get(CONTROL)
    assert r.status == 200
    return [sandbox["name"] for sandbox in r.body]


def test_a_sandbox_is_made_on_first_use_from_the_server_fixture(api: ApiClient) -> None:
    assert names(api) == []
    assert ids(api, SB + "/alpha") == [201, 200]
    r = api.get(CONTROL + "/alpha")
    assert r.status == 200
    assert r.header("content-type") == JSON_TYPE
    assert r.body["name"] == "alpha"
    assert r.body["fixture"] == "server"
    assert r.body["created_at"].endswith("Z")
    assert r.body["users"] == api.store.counts()["users"]
    assert r.body["active_links"] == api.store.counts()["active_links"]
    assert r.body["estimated_bytes"] > 0
    assert names(api) == ["alpha"]


def test_changes_in_one_sandbox_are_invisible_in_the_others(api: ApiClient) -> None:
    r = api.delete(SB + "/alpha" + OBSERVEES + "/200", token="parent-token")
    assert_user(r, 200, [])
    assert api.put(SB + "/beta/api/v1/users/102/observees/202", token="admin-token").status == 200
    assert ids(api, SB + "/alpha") == [201]
    assert ids(api, SB + "/beta") == [201, 200]
    assert ids(api, SB + "/beta", "newparent-token") == [202]
    assert ids(api, SB + "/alpha", "newparent-token") == []
    assert ids(api) == [201, 200]
    assert ids(api, token="newparent-token") == []
    # The default sandbox's changes stay there too.
    assert api.delete(OBSERVEES + "/201", token="parent-token").status == 200
    assert ids(api, SB + "/beta") == [201, 200]
    assert ids(api, SB + "/gamma") == [201, 200]


def test_link_urls_stay_inside_the_sandbox(api: ApiClient) -> None:
    r = api.get(SB + "/alpha" + OBSERVEES, token="parent-token", query={"per_page": 1})
    assert r.status == 200
    assert [u["id"] for u in r.body] == [201]
    base = (api.base_url or "http://localhost") + SB + "/alpha" + OBSERVEES
    assert r.header("Link") == (
        f'<{base}?page=1&per_page=1>; rel="current",'
        f'<{base}?page=2&per_page=1>; rel="next",'
        f'<{base}?page=1&per_page=1>; rel="first",'
        f'<{base}?page=2&per_page=1>; rel="last"'
    )


def test_each_sandbox_has_its_own_clock_journal_and_reset(api: ApiClient) -> None:
    r = api.put(SB + "/alpha/__mock__/clock", json={"freeze": "2031-01-01T00:00:00Z"})
    assert r.status == 200
    assert r.body == {"now": "2031-01-01T00:00:00.000Z", "frozen": True}
    assert api.get("/__mock__/clock").body["frozen"] is False
    assert api.get(SB + "/beta/__mock__/clock").body["frozen"] is False
    # Tokens and pairing codes follow the sandbox's clock: Eli202 expires 2030-01-01.
    r = api.post(
        SB + "/alpha/api/v1/users/self/observees",
        token="newparent-token",
        json={"pairing_code": "Eli202"},
    )
    assert r.status == 422
    assert r.body == {"errors": [{"message": "Invalid pairing code."}]}
    r = api.get(SB + "/alpha/__mock__/requests")
    assert [(e["action"], e["status"]) for e in r.body] == [("add_observee_with_credentials", 422)]
    assert api.get("/__mock__/requests").body == []
    # The sandbox's reset: its fixture, its real clock, its empty journal.
    assert api.delete(SB + "/alpha" + OBSERVEES + "/200", token="parent-token").status == 200
    r = api.post(SB + "/alpha/__mock__/reset")
    assert r.status == 200
    assert ids(api, SB + "/alpha") == [201, 200]
    assert api.get(SB + "/alpha/__mock__/clock").body["frozen"] is False
    assert len(api.get(SB + "/alpha/__mock__/requests").body) == 1  # the list just made


def test_reset_and_delete_through_the_control_api(api: ApiClient) -> None:
    assert api.delete(SB + "/alpha" + OBSERVEES + "/200", token="parent-token").status == 200
    r = api.post(CONTROL + "/alpha/reset")
    assert r.status == 200
    assert r.body["name"] == "alpha"
    assert ids(api, SB + "/alpha") == [201, 200]
    r = api.delete(CONTROL + "/alpha")
    assert r.status == 200
    assert r.body == {"deleted": "alpha"}
    assert names(api) == []
    for method, path in [
        ("GET", CONTROL + "/alpha"),
        ("POST", CONTROL + "/alpha/reset"),
        ("DELETE", CONTROL + "/alpha"),
    ]:
        r = api.request(method, path)
        assert (r.status, r.body) == (404, NOT_FOUND), (method, path)


def test_put_with_a_fixture_body_gives_the_sandbox_its_own_fixture(api: ApiClient) -> None:
    text = yaml.safe_dump(SMALL_FIXTURE)
    headers = {"Content-Type": "application/yaml"}
    r = api.put(CONTROL + "/tiny", data=text, headers=headers)
    assert r.status == 201, r.text
    assert r.body["fixture"] == "own"
    assert r.body["users"] == 2
    assert r.body["active_links"] == 1
    assert ids(api, SB + "/tiny", "pat-token") == [8]
    r = api.get(SB + "/tiny" + OBSERVEES, token="parent-token")
    assert r.status == 401
    # PUT again: replaced, back to its fixture.
    assert api.delete(SB + "/tiny" + OBSERVEES + "/8", token="pat-token").status == 200
    r = api.put(CONTROL + "/tiny", data=text, headers=headers)
    assert r.status == 200
    assert ids(api, SB + "/tiny", "pat-token") == [8]
    # An empty body: a fresh copy of the server's fixture.
    assert api.put(CONTROL + "/tiny").status == 200
    assert ids(api, SB + "/tiny") == [201, 200]
    assert ids(api) == [201, 200]


def test_a_bad_fixture_body_is_refused_whole(api: ApiClient) -> None:
    good = yaml.safe_dump(SMALL_FIXTURE)
    assert api.put(CONTROL + "/tiny", data=good).status == 201
    bad = dict(SMALL_FIXTURE, observer_links=[{"observer": 7, "observee": 99}])
    r = api.put(CONTROL + "/tiny", data=yaml.safe_dump(bad))
    assert r.status == 400
    assert r.body == {
        "errors": [{"message": "request body: observer_links[0].observee: no user with id 99"}]
    }
    assert ids(api, SB + "/tiny", "pat-token") == [8]  # the old one stays
    r = api.put(CONTROL + "/other", data=b"users: [")
    assert r.status == 400
    assert names(api) == ["tiny"]


@pytest.mark.parametrize(
    "name", ["-dash", "_under", "a b", "x" * 65, "caf\u00e9", "semi;colon", "a+b"]
)
def test_bad_names_are_refused(api: ApiClient, name: str) -> None:
    r = api.get(f"{SB}/{name}{OBSERVEES}", token="parent-token")
    assert (r.status, r.body) == (400, {"errors": [{"message": NAME_RULE}]}), name
    r = api.put(f"{CONTROL}/{name}")
    assert (r.status, r.body) == (400, {"errors": [{"message": NAME_RULE}]}), name
    assert names(api) == []


def test_sandboxes_are_not_managed_from_inside_a_sandbox(api: ApiClient) -> None:
    r = api.get(SB + "/alpha" + CONTROL)
    assert (r.status, r.body) == (404, NOT_FOUND)
    r = api.put(SB + "/alpha" + CONTROL + "/beta")
    assert (r.status, r.body) == (404, NOT_FOUND)
    assert names(api) == []


def test_unknown_paths_in_a_sandbox_are_404s_and_make_no_sandbox(api: ApiClient) -> None:
    for path in [SB + "/alpha", SB + "/alpha/", SB + "/alpha/nothing", SB + "/"]:
        r = api.get(path)
        assert r.status == 404, path
    assert names(api) == []


def test_the_number_of_sandboxes_is_bounded(default_dataset: Dataset) -> None:
    app = create_app(Settings(max_sandboxes=2), store=Store(default_dataset))
    client = ApiClient("inprocess", app)
    assert ids(client, SB + "/one") == [201, 200]
    assert client.put(CONTROL + "/two").status == 201
    r = client.get(SB + "/three" + OBSERVEES, token="parent-token")
    assert r.status == 507
    assert r.body == {
        "errors": [
            {
                "message": "At most 2 sandboxes (MOCK_CANVAS_MAX_SANDBOXES): delete one with "
                "DELETE /__mock__/sandboxes/<name>."
            }
        ]
    }
    assert client.put(CONTROL + "/three").status == 507
    assert names(client) == ["one", "two"]
    assert client.get("/__mock__/requests").body == []  # not recorded anywhere
    # Replacing an existing one is not a new one; deleting makes room.
    assert client.put(CONTROL + "/two").status == 200
    assert client.delete(CONTROL + "/one").status == 200
    assert ids(client, SB + "/three") == [201, 200]


def test_the_total_size_of_sandboxes_is_bounded(default_dataset: Dataset) -> None:
    app = create_app(Settings(max_sandbox_mb=1), store=Store(default_dataset))
    client = ApiClient("inprocess", app)
    assert client.put(CONTROL + "/small").status == 201
    big = {
        "accounts": [{"id": 1, "name": "Big"}],
        "users": [
            {"id": n, "name": f"User {n}", "logins": [{"account": 1, "unique_id": f"u{n}"}]}
            for n in range(1, 600)
        ],
    }
    r = client.put(CONTROL + "/big", data=yaml.safe_dump(big))
    assert r.status == 507
    message = r.body["errors"][0]["message"]
    assert message.startswith("The sandboxes would hold about 1 MiB, over the 1 MiB bound")
    assert "MOCK_CANVAS_MAX_SANDBOX_MB" in message
    assert names(client) == ["small"]
    # A sandbox's own fixture replacement is bounded too, and refused whole.
    r = client.put(SB + "/small/__mock__/fixtures", data=yaml.safe_dump(big))
    assert r.status == 507
    assert ids(client, SB + "/small") == [201, 200]


def test_control_token_is_needed_before_a_sandbox_is_made(default_dataset: Dataset) -> None:
    app = create_app(Settings(control_token="s3cret"), store=Store(default_dataset))
    client = ApiClient("inprocess", app)
    auth = {"Authorization": "Bearer s3cret"}
    for method, path in [
        ("GET", SB + "/alpha/__mock__/state"),
        ("POST", SB + "/alpha/__mock__/reset"),
        ("GET", CONTROL),
        ("PUT", CONTROL + "/alpha"),
    ]:
        r = client.request(method, path)
        assert r.status == 401, path
        assert "s3cret" not in r.text
    assert client.get(CONTROL, headers=auth).body == []
    assert client.put(CONTROL + "/alpha", headers=auth).status == 201
    assert client.get(SB + "/alpha/__mock__/health").status == 200


def test_with_a_control_token_only_the_control_api_makes_sandboxes(
    default_dataset: Dataset,
) -> None:
    app = create_app(Settings(control_token="s3cret"), store=Store(default_dataset))
    client = ApiClient("inprocess", app)
    auth = {"Authorization": "Bearer s3cret"}
    r = client.get(SB + "/junk" + OBSERVEES, token="parent-token")
    assert (r.status, r.body) == (404, NOT_FOUND)
    assert client.get(CONTROL, headers=auth).body == []
    assert client.put(CONTROL + "/mine", headers=auth).status == 201
    assert ids(client, SB + "/mine") == [201, 200]


def test_a_fork_that_outlives_the_servers_fixture_is_counted_as_its_own(
    default_dataset: Dataset,
) -> None:
    app = create_app(Settings(), store=Store(default_dataset))
    client = ApiClient("inprocess", app)
    assert client.put(CONTROL + "/early").status == 201
    users, rows = app.extensions["mock_canvas"].sandboxes.get("early").store.sizes()
    before = client.get(CONTROL + "/early").body
    assert (before["fixture"], before["estimated_bytes"]) == ("server", 250 * rows)
    # The default sandbox serves another fixture: the fork alone keeps the old one.
    r = client.put("/__mock__/fixtures", data=yaml.safe_dump(SMALL_FIXTURE))
    assert r.status == 200, r.text
    after = client.get(CONTROL + "/early").body
    assert after["fixture"] == "own"
    assert after["estimated_bytes"] == 3000 * users + 250 * rows
    assert ids(client, SB + "/early") == [201, 200]  # still the fixture it was made from
    # A fork made now shares the new fixture.
    assert client.put(CONTROL + "/late").status == 201
    assert client.get(CONTROL + "/late").body["fixture"] == "server"
    assert ids(client, SB + "/late", token="pat-token") == [8]
