"""api.Router: one prebound adapter, the Host checked once per distinct value."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import BadHost, MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect
from werkzeug.test import EnvironBuilder

from mock_canvas.api import Router
from mock_canvas.app import create_app
from mock_canvas.settings import Settings


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(create_app(Settings()).url_map)


def environ(path: str, method: str = "GET", host: str = "school.test") -> dict[str, object]:
    env = EnvironBuilder(path="/", method=method, headers={"Host": host}).get_environ()
    env["PATH_INFO"] = path
    return env


def test_routes_by_path_and_method(router: Router) -> None:
    assert router.match(environ("/api/v1/users/self/observees/7", "PUT")) == (
        "api.add_observee",
        {"user_id": "self", "observee_id": "7"},
    )
    assert router.match(environ("/api/v1/users/5/observees/", "HEAD"))[0] == "api.list_observees"
    with pytest.raises(MethodNotAllowed):
        router.match(environ("/api/v1/users/5/observees", "PATCH"))
    with pytest.raises(NotFound):
        router.match(environ("/api/v1/users/5/nothing"))


def test_a_host_werkzeug_cannot_encode_is_its_400_every_time(router: Router) -> None:
    bad = "a" * 64 + ".test"  # a label over 63 characters
    for _ in range(2):
        with pytest.raises(BadHost):
            router.match(environ("/api/v1/users/self/observees", host=bad))
    assert router.match(environ("/api/v1/users/self/observees"))[0] == "api.list_observees"


def test_a_redirect_points_at_the_requests_own_host(router: Router) -> None:
    with pytest.raises(RequestRedirect) as caught:
        router.match(environ("/api/v1/users/self//observees", host="other.test:8080"))
    assert caught.value.new_url == "http://other.test:8080/api/v1/users/self/observees"


def test_the_host_checks_kept_are_bounded() -> None:
    router = Router(create_app(Settings()).url_map)
    router.MAX_HOSTS = 8
    for n in range(50):
        router.match(environ("/api/v1/users/self/observees", host=f"h{n}.test"))
        assert len(router._hosts) <= 8
