"""A second client style, unlike canvasapi where it matters: urllib only, `include` without
brackets, the `access_token` query parameter, JSON bodies, and Link URLs followed verbatim."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any

import pytest

pytestmark = pytest.mark.live


def _get(url: str, token: str | None = None) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.load(error)


def _send(method: str, url: str, token: str, body: dict[str, Any]) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method=method)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def _next(headers: dict[str, str]) -> str | None:
    match = re.search(r'<([^>]+)>; rel="next"', headers.get("Link", ""))
    return match.group(1) if match else None


def test_follows_link_urls_verbatim_with_unbracketed_include(live: str) -> None:
    url: str | None = f"{live}/api/v1/users/self/observees?include=avatar_url&per_page=10"
    seen: list[int] = []
    while url:
        status, headers, page = _get(url, "big-observer-1")
        assert status == 200
        assert all(user["avatar_url"].startswith(f"{live}/images/") for user in page)
        seen += [user["id"] for user in page]
        url = _next(headers)
        if url:  # the unbracketed include is carried as the client wrote it
            assert "include=avatar_url&page=" in url
    assert len(seen) == 25 == len(set(seen))


def test_access_token_query_parameter_is_never_carried_into_links(live: str) -> None:
    status, headers, page = _get(f"{live}/api/v1/users/self/observees?access_token=big-observer-1")
    assert status == 200 and len(page) == 10
    assert "access_token" not in headers["Link"]
    # so a client following the link must authenticate again
    status, _, body = _get(_next(headers) or "")
    assert status == 401
    assert body == {
        "status": "unauthenticated",
        "errors": [{"message": "user authorization required"}],
    }


def test_json_body_with_nested_observee_credentials(live: str) -> None:
    status, body = _send(
        "POST",
        f"{live}/api/v1/users/self/observees",
        "newparent-token",
        {"observee": {"unique_id": "eli@canvas.test", "password": "eli-pass"}},
    )
    assert status == 200
    assert (body["id"], body["observation_link_root_account_ids"]) == (202, [1])


def test_json_body_root_account_id_as_a_number(live: str) -> None:
    status, body = _send(
        "PUT", f"{live}/api/v1/users/101/observees/200", "admin-token", {"root_account_id": 1}
    )
    assert status == 200
    assert body["observation_link_root_account_ids"] == [1]
