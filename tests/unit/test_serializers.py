"""serializers.py and responses.json_text: the pre-encoded user JSON is byte for byte what
json.dumps makes of the same dict, and can never be another user's."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from mock_canvas.model import Login, User
from mock_canvas.responses import json_response, json_text
from mock_canvas.serializers import SisFields, UserJson, UserView, user_json

CREATED = datetime(2024, 8, 1, 12, 0, 0, tzinfo=UTC)
BASE = "http://canvas.test"


def plain(body: object) -> str:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def make_user(user_id: int = 200, name: str = "Child Smith", **kwargs: object) -> User:
    return User(
        user_id,
        name,
        kwargs.pop("sortable_name", "Smith, Child"),  # type: ignore[arg-type]
        kwargs.pop("short_name", name),  # type: ignore[arg-type]
        kwargs.pop("created_at", CREATED),  # type: ignore[arg-type]
        logins=[Login(1, "student@canvas.test")],
        **kwargs,  # type: ignore[arg-type]
    )


def test_user_json_encoded_matches_json_dumps() -> None:
    data = user_json(UserView(make_user(), (1, 2)), base_url=BASE)
    assert data == {
        "id": 200,
        "name": "Child Smith",
        "created_at": "2024-08-01T12:00:00Z",
        "sortable_name": "Smith, Child",
        "short_name": "Child Smith",
        "observation_link_root_account_ids": [1, 2],
    }
    assert data.encoded == plain(dict(data))


def test_user_json_with_sis_and_avatar_keeps_canvas_field_order() -> None:
    view = UserView(
        make_user(avatar_url="/images/a b.png"),
        (1,),
        SisFields(show_ids=True, sis_user_id='S"200', integration_id=None, login_id="ü@x"),
    )
    data = user_json(view, base_url=BASE, include_avatar=True)
    assert list(data) == [
        "id",
        "name",
        "created_at",
        "sortable_name",
        "short_name",
        "sis_user_id",
        "integration_id",
        "login_id",
        "avatar_url",
        "observation_link_root_account_ids",
    ]
    assert data["avatar_url"] == "http://canvas.test/images/a b.png"
    assert data.encoded == plain(dict(data))


def test_user_json_avatar_hidden_when_the_service_is_off() -> None:
    data = user_json(
        UserView(make_user(), (), avatars_enabled=False), base_url=BASE, include_avatar=True
    )
    assert "avatar_url" not in data
    assert data.encoded == plain(dict(data))


def test_user_json_is_keyed_on_values_not_on_the_user() -> None:
    # Two fixtures (or sandboxes) with a user of the same id but other fields.
    first = user_json(UserView(make_user(name="Ada One"), (1,)), base_url=BASE)
    second = user_json(UserView(make_user(name="Bea Two"), (1,)), base_url=BASE)
    later = user_json(
        UserView(make_user(name="Ada One", created_at=CREATED + timedelta(seconds=1)), (1,)),
        base_url=BASE,
    )
    assert first["name"] == "Ada One" and '"Ada One"' in (first.encoded or "")
    assert second["name"] == "Bea Two" and '"Bea Two"' in (second.encoded or "")
    assert later["created_at"] == "2024-08-01T12:00:01Z"
    assert later.encoded == plain(dict(later))


def test_user_json_created_at_in_another_zone_is_utc() -> None:
    moment = datetime(2024, 8, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    data = user_json(UserView(make_user(created_at=moment), ()), base_url=BASE)
    assert data["created_at"] == "2024-08-01T12:00:00Z"
    assert data.encoded == plain(dict(data))


def test_user_json_changed_is_encoded_again() -> None:
    data = user_json(UserView(make_user(), (1,)), base_url=BASE)
    data["name"] = "Renamed"
    assert data.encoded is None
    assert json_text([data]) == plain([dict(data)])
    other = user_json(UserView(make_user(), (1,)), base_url=BASE)
    other.update(extra=1)
    assert json_text(other) == plain(dict(other))


def test_user_json_results_are_independent_copies() -> None:
    data = user_json(UserView(make_user(), (1,)), base_url=BASE)
    data["name"] = "Changed"
    again = user_json(UserView(make_user(), (1,)), base_url=BASE)
    assert again["name"] == "Child Smith"


def test_json_text_joins_a_list_of_users_and_encodes_anything_else() -> None:
    users = [user_json(UserView(make_user(i, f"User {i}"), (1,)), base_url=BASE) for i in range(3)]
    assert json_text(users) == plain([dict(u) for u in users])
    mixed = [*users, {"id": 9}]
    assert json_text(mixed) == plain(mixed)
    assert json_text([]) == "[]"
    assert json_text({"status": "ok"}) == '{"status":"ok"}'


def test_json_response_bytes_and_headers() -> None:
    users = [user_json(UserView(make_user(), (1,)), base_url=BASE)]
    response = json_response(users, headers=[("Link", '<x>; rel="current"')])
    assert response.get_data(as_text=True) == plain([dict(u) for u in users])
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Link"] == '<x>; rel="current"'


names = st.text(min_size=0, max_size=40)


@given(
    user_id=st.integers(min_value=1, max_value=2**62),
    name=names,
    sortable=names,
    short=names,
    seconds=st.integers(min_value=0, max_value=10**9),
    roots=st.lists(st.integers(min_value=1, max_value=2**40), max_size=4),
    sis=st.none()
    | st.tuples(st.booleans(), st.none() | names, st.none() | names, st.none() | names),
    avatar=st.none() | names,
)
def test_user_json_encoded_is_json_dumps_for_any_values(
    user_id: int,
    name: str,
    sortable: str,
    short: str,
    seconds: int,
    roots: list[int],
    sis: tuple[bool, str | None, str | None, str | None] | None,
    avatar: str | None,
) -> None:
    user = make_user(
        user_id,
        name,
        sortable_name=sortable,
        short_name=short,
        created_at=CREATED + timedelta(seconds=seconds),
        avatar_url=avatar,
    )
    fields = SisFields(*sis) if sis is not None else None
    data = user_json(UserView(user, tuple(roots), fields), base_url=BASE, include_avatar=True)
    assert isinstance(data, UserJson)
    assert data.encoded == plain(dict(data))
