"""The Docker image: build it, run it with a mounted fixture and MOCK_CANVAS_* settings,
and check it over HTTP like a CI service container would use it.

Marked `docker`: the default `pytest` run deselects it (`-m "not docker"` in addopts);
`.ci/run` runs `pytest -m docker` after starting an engine. A missing engine is a failure,
never a silent skip.

The container runs with `--network host` (Linux engines), so MOCK_CANVAS_PORT picks the port
and no bridge network or port publishing is needed.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[2]
CONTROL_TOKEN = "docker-test-control-token"

# One school whose parent observes three children: with MOCK_CANVAS_DEFAULT_PER_PAGE=2 from
# the environment the list takes two pages.
FIXTURE = """\
version: 1
seed: 7
accounts:
  - {id: 1, name: Container School, domain: container.test, default: true}
courses:
  - {id: 10, account: 1, name: Docker 101}
users:
  - {id: 100, name: Casey Container, logins: [{account: 1, unique_id: casey@container.test, password: pw}], tokens: [casey-token]}
  - {id: 200, name: Ann Alpha, logins: [{account: 1, unique_id: ann@container.test, password: pw}], enrollments: [{course: 10, type: student}]}
  - {id: 201, name: Ben Beta, logins: [{account: 1, unique_id: ben@container.test, password: pw}], enrollments: [{course: 10, type: student}]}
  - {id: 202, name: Cal Gamma, logins: [{account: 1, unique_id: cal@container.test, password: pw}], enrollments: [{course: 10, type: student}]}
observer_links:
  - {observer: 100, observee: 200}
  - {observer: 100, observee: 201}
  - {observer: 100, observee: 202}
"""


def _docker(
    *args: str, timeout: float = 60, check: bool = True
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=check
    )


def _engine_problem() -> str | None:
    if shutil.which("docker") is None:
        return "the `docker` command is not installed"
    try:
        info = _docker("info", "--format", "{{.ServerVersion}}", timeout=30, check=False)
    except subprocess.TimeoutExpired:
        return "`docker info` timed out"
    if info.returncode != 0:
        where = os.environ.get("DOCKER_HOST", "the default socket (DOCKER_HOST is not set)")
        return f"no Docker engine answers at {where}: {info.stderr.strip()}"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Container:
    name: str
    image: str
    url: str
    port: int
    started: float  # time.monotonic() just before `docker run`


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    problem = _engine_problem()
    if problem is not None:
        message = (
            f"docker tests need a Docker engine: {problem}. Start one (e.g. "
            '`eval "$(bash docker-local.sh prepare .)"`) and set DOCKER_HOST.'
        )
        pytest.fail(message, pytrace=False)  # selected with -m docker: never a silent skip
    tag = f"localhost/mock-canvas-test:{uuid.uuid4().hex[:12]}"
    build = _docker("build", "--network", "host", "-t", tag, str(ROOT), timeout=600, check=False)
    assert build.returncode == 0, (
        f"docker build failed:\n{build.stdout[-4000:]}\n{build.stderr[-4000:]}"
    )
    yield tag
    _docker("rmi", "-f", tag, check=False)


@pytest.fixture(scope="module")
def container(image: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    fixture = tmp_path_factory.mktemp("docker") / "school.yaml"
    fixture.write_text(FIXTURE)
    fixture.chmod(0o644)  # the container's user is not the file's owner
    port = _free_port()
    name = f"mock-canvas-test-{uuid.uuid4().hex[:12]}"
    started = time.monotonic()
    _docker(
        "run", "-d", "--name", name, "--network", "host",
        "-v", f"{fixture}:/fixtures/school.yaml:ro",
        "-e", "MOCK_CANVAS_FIXTURES=/fixtures/school.yaml",
        "-e", f"MOCK_CANVAS_PORT={port}",
        "-e", "MOCK_CANVAS_DEFAULT_PER_PAGE=2",
        "-e", f"MOCK_CANVAS_CONTROL_TOKEN={CONTROL_TOKEN}",
        image,
    )  # fmt: skip
    try:
        yield Container(name, image, f"http://127.0.0.1:{port}", port, started)
    finally:
        logs = _docker("logs", name, check=False)
        print(f"--- docker logs {name}\n{logs.stdout}{logs.stderr}")
        _docker("rm", "-f", name, check=False)


def _wait_for_health(container: Container, timeout: float = 30) -> requests.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            response = requests.get(f"{container.url}/__mock__/health", timeout=2)
            if response.status_code == 200:
                return response
        except requests.ConnectionError:
            pass
        running = _docker("inspect", "--format", "{{.State.Running}}", container.name)
        if running.stdout.strip() != "true":
            logs = _docker("logs", container.name, check=False)
            pytest.fail(f"the container exited:\n{logs.stdout}{logs.stderr}", pytrace=False)
        if time.monotonic() > deadline:
            pytest.fail(f"no 200 from /__mock__/health within {timeout} s", pytrace=False)
        time.sleep(0.1)


def _health_status(container: Container) -> str:
    state = _docker("inspect", "--format", "{{json .State.Health}}", container.name)
    return str(json.loads(state.stdout)["Status"])


def test_image_serves_the_mounted_fixture_with_env_settings(container: Container) -> None:
    # One test, in order: the container is shared and the last step stops it.
    health = _wait_for_health(container)
    print(
        f"first 200 from /__mock__/health {time.monotonic() - container.started:.2f} s after docker run"
    )
    assert health.json() == {"status": "ok"}

    # The container user is not root, in the image's config and in the running process.
    config_user = _docker("inspect", "--format", "{{.Config.User}}", container.image).stdout
    assert config_user.strip() not in ("", "0", "root", "0:0")
    uid = _docker("exec", container.name, "id", "-u").stdout.strip()
    assert uid != "0"

    # An authenticated call answers from the mounted fixture.
    auth = {"Authorization": "Bearer casey-token"}
    first = requests.get(
        f"{container.url}/api/v1/users/self/observees",
        headers={**auth, "Host": f"container.test:{container.port}"},
        timeout=10,
    )
    assert first.status_code == 200
    # MOCK_CANVAS_DEFAULT_PER_PAGE=2 from the environment: two of the three children.
    assert len(first.json()) == 2
    unauthenticated = requests.get(f"{container.url}/api/v1/users/self/observees", timeout=10)
    assert unauthenticated.status_code == 401

    # Pagination links are built from the request's Host, not from the listen address.
    assert (
        f"http://container.test:{container.port}/api/v1/users/self/observees?"
        in first.headers["Link"]
    )
    assert "0.0.0.0" not in first.headers["Link"]
    second = requests.get(
        first.links["next"]["url"].replace(
            f"container.test:{container.port}", f"127.0.0.1:{container.port}"
        ),
        headers=auth,
        timeout=10,
    )
    assert second.status_code == 200
    everyone = {child["id"] for child in first.json() + second.json()}
    assert everyone == {200, 201, 202}

    # MOCK_CANVAS_CONTROL_TOKEN from the environment guards the control calls.
    state = requests.get(f"{container.url}/__mock__/state", timeout=10)
    assert state.status_code == 401
    state = requests.get(
        f"{container.url}/__mock__/state",
        headers={"Authorization": f"Bearer {CONTROL_TOKEN}"},
        timeout=10,
    )
    assert state.status_code == 200

    # A change persists across requests (one process, one in-memory store).
    removed = requests.delete(
        f"{container.url}/api/v1/users/self/observees/201", headers=auth, timeout=10
    )
    assert removed.status_code == 200
    after = requests.get(
        f"{container.url}/api/v1/users/self/observees?per_page=10", headers=auth, timeout=10
    )
    assert {child["id"] for child in after.json()} == {200, 202}

    # A sandbox: a fresh copy of the fixture (the removal above is not in it), Link URLs
    # inside its prefix, and the dashboard served from the wheel's templates.
    control = {"Authorization": f"Bearer {CONTROL_TOKEN}"}
    made = requests.put(f"{container.url}/__mock__/sandboxes/ci", headers=control, timeout=10)
    assert made.status_code == 201, made.text
    inside = requests.get(
        f"{container.url}/sandboxes/ci/api/v1/users/self/observees", headers=auth, timeout=10
    )
    assert inside.status_code == 200
    assert f"{container.url}/sandboxes/ci/api/v1/users/self/observees?" in inside.headers["Link"]
    assert inside.headers["X-Rate-Limit-Remaining"]  # Canvas's throttle headers
    # With a control token the dashboard asks for it first.
    dashboard = requests.get(f"{container.url}/__mock__/", timeout=10, allow_redirects=False)
    assert dashboard.status_code == 303
    assert dashboard.headers["Location"].endswith("/__mock__/login")
    login = requests.get(f"{container.url}/__mock__/login", timeout=10)
    assert login.status_code == 200
    assert login.headers["Content-Type"] == "text/html; charset=utf-8"

    # The image's own HEALTHCHECK (python + urllib, no curl) turns healthy.
    deadline = time.monotonic() + 60
    while (status := _health_status(container)) == "starting" and time.monotonic() < deadline:
        time.sleep(0.5)
    assert status == "healthy"
    print(f"HEALTHCHECK healthy {time.monotonic() - container.started:.1f} s after docker run")

    # `docker stop` sends SIGTERM; waitress under our handler exits at once, with status 0.
    begin = time.monotonic()
    _docker("stop", "-t", "10", container.name, timeout=30)
    took = time.monotonic() - begin
    print(f"docker stop took {took:.2f} s")
    assert took < 2, f"docker stop took {took:.2f} s"
    exit_code = _docker("inspect", "--format", "{{.State.ExitCode}}", container.name).stdout
    assert exit_code.strip() == "0"
