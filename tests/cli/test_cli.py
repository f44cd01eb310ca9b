"""The `mock-canvas` command: serve in a real process, stop on a signal, validate files."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from mock_canvas.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_canvas.cli", "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if requests.get(url + "/__mock__/health", timeout=1).status_code == 200:
                return process, url
        except requests.ConnectionError:
            time.sleep(0.05)
    process.kill()
    out, err = process.communicate()
    raise AssertionError(f"server did not start: {out}\n{err}")


@pytest.fixture
def served() -> Iterator[tuple[subprocess.Popen[str], str]]:
    process, url = _serve()
    yield process, url
    if process.poll() is None:
        process.kill()
        process.communicate()


def test_serve_default_fixture_answers_the_api(served: tuple[subprocess.Popen[str], str]) -> None:
    _, url = served
    r = requests.get(
        url + "/api/v1/users/self/observees",
        headers={"Authorization": "Bearer parent-token"},
        timeout=5,
    )
    assert r.status_code == 200
    assert [u["id"] for u in r.json()] == [201, 200]
    assert r.headers["Link"].startswith(f"<{url}/api/v1/users/self/observees?page=1&per_page=10>")


def test_serve_stops_cleanly_on_sigterm_in_under_a_second(
    served: tuple[subprocess.Popen[str], str],
) -> None:
    process, _ = served
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    out, _err = process.communicate(timeout=5)
    assert process.returncode == 0
    assert time.monotonic() - started < 1.0
    assert "parent-token" in out  # the packaged default's public sample tokens
    assert "serving" in out


def test_serve_bad_fixture_exits_2_with_the_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("accounts: [{id: 1}]\nusers: [{id: x}]\n")
    result = subprocess.run(
        [sys.executable, "-m", "mock_canvas.cli", "serve", "--fixtures", str(bad), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"{bad}: users[0].id: must be an integer, not a string"
    assert "Traceback" not in result.stderr


def test_serve_custom_fixture_does_not_print_tokens(tmp_path: Path) -> None:
    fixture = tmp_path / "mine.yaml"
    fixture.write_text("accounts: [{id: 1}]\nusers: [{id: 1, tokens: [my-secret-token]}]\n")
    process, _ = _serve("--fixtures", str(fixture))
    process.send_signal(signal.SIGTERM)
    out, _err = process.communicate(timeout=5)
    assert "my-secret-token" not in out
    assert "--show-tokens" in out


def test_serve_bad_environment_value_exits_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mock_canvas.cli", "serve"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "MOCK_CANVAS_PORT": "eighty"},
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "mock-canvas: MOCK_CANVAS_PORT: must be an integer"


def test_serve_reads_settings_from_the_environment(tmp_path: Path) -> None:
    process, url = _serve(env={"MOCK_CANVAS_AUTH_ERROR_STATUS": "401"})
    try:
        r = requests.get(
            url + "/api/v1/users/100/observees",
            headers={"Authorization": "Bearer student-token"},
            timeout=5,
        )
        assert r.status_code == 401
        assert r.json() == {
            "status": "unauthorized",
            "errors": [{"message": "user not authorized to perform that action"}],
        }
        assert "WWW-Authenticate" not in r.headers
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=5)


def test_validate_default_fixture_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(ROOT / "mock_canvas" / "data" / "default.yaml")]) == 0
    assert "ok" in capsys.readouterr().out


def test_validate_reports_every_bad_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "a.yaml"
    first.write_text("version: 2\naccounts: [{id: 1}]\n")
    second = tmp_path / "b.yaml"
    second.write_text("accounts: [{id: 1, colour: red}]\n")
    assert main(["validate", str(first), str(second)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{first}: version: must be 1, not 2",
        f"{second}: accounts[0].colour: unknown key (allowed: avatars, default, domain, id, name, parent, self_registration, teachers_can_generate_pairing_codes)",
    ]
