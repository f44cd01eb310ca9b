"""The pytest plugin (entry point `pytest11`): the `mock_canvas` and `mock_canvas_client` fixtures.

Fixtures and hooks only. Everything heavy (Flask, YAML, Faker, waitress) is imported inside
them, so a test suite that has the package installed but never uses the mock pays nothing.

Which fixture file a test gets, most specific first: `@pytest.mark.mock_canvas(fixtures=...)`
on the test, its class or module; `--mock-canvas-fixtures PATH`; the ini option
`mock_canvas_fixtures`; the packaged default. Each file is parsed once per session (per xdist
worker), at collection, so a broken file stops the run before any test with a clear error.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .remote import RemoteMockCanvas, RemoteSession
    from .testing import MockCanvas, MockCanvasClient, PluginSession

MARKER = "mock_canvas"
INI_OPTION = "mock_canvas_fixtures"
URL_ENV = "MOCK_CANVAS_URL"
CONTROL_TOKEN_ENV = "MOCK_CANVAS_CONTROL_TOKEN"
FIXTURE_NAMES = frozenset({"mock_canvas", "mock_canvas_client"})

_SESSION = pytest.StashKey["PluginSession"]()
_FIXTURE_FILE = pytest.StashKey[tuple[str | None, str]]()  # (path or None: default, origin)
_CONFIGURED_FILE = pytest.StashKey[tuple[str | None, str]]()
_MARKER_PATHS = pytest.StashKey[dict[tuple[Path, str], str]]()
_ACTIVE = pytest.StashKey["PluginSession"]()  # on an item using the mock, for its errors


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mock_canvas", "mock_canvas (Canvas User Observees API emulator)")
    group.addoption(
        "--mock-canvas-fixtures",
        dest="mock_canvas_fixtures",
        metavar="PATH",
        default=None,
        help="fixture file for the mock_canvas fixtures (default: the packaged one)",
    )
    group.addoption(
        "--mock-canvas-url",
        dest="mock_canvas_url",
        metavar="URL",
        default=None,
        help=f"use the mock_canvas server at URL (e.g. a CI service container; env {URL_ENV}) "
        "instead of one in a thread: each session (each xdist worker) gets its own sandbox",
    )
    parser.addini(
        INI_OPTION,
        "fixture file for the mock_canvas fixtures, relative to the ini file",
        default="",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(fixtures=PATH): serve this fixture file to the mock_canvas fixtures "
        "(relative to the test file's directory, else to the rootdir)",
    )


# -- which fixture file -----------------------------------------------------------------


def _configured_file(config: pytest.Config) -> tuple[str | None, str]:
    """The command-line option, else the ini option, else the packaged default (None)."""
    chosen = config.stash.get(_CONFIGURED_FILE, None)
    if chosen is None:
        given = config.getoption("mock_canvas_fixtures", None)
        ini = str(config.getini(INI_OPTION) or "")
        if given:
            path = config.invocation_params.dir / given
            chosen = str(path.resolve()), "--mock-canvas-fixtures"
        elif ini:
            base = config.inipath.parent if config.inipath else config.rootpath
            chosen = str((base / ini).resolve()), f"ini option {INI_OPTION}"
        else:
            chosen = None, "the packaged default"
        config.stash[_CONFIGURED_FILE] = chosen
    return chosen


def _marker_file(item: pytest.Item) -> tuple[str, str] | None:
    """The file named by the closest mock_canvas marker; ValueError for a malformed one."""
    marker = item.get_closest_marker(MARKER)
    if marker is None:
        return None
    where = f"@pytest.mark.{MARKER} on {item.nodeid}"
    unknown = sorted(set(marker.kwargs) - {"fixtures"})
    fixtures = marker.kwargs.get("fixtures")
    if marker.args or unknown or not isinstance(fixtures, str | os.PathLike):
        raise ValueError(f"{where}: use {MARKER}(fixtures='path/to/fixture.yaml')")
    resolved = item.config.stash.setdefault(_MARKER_PATHS, {})
    key = (item.path.parent, os.fspath(fixtures))
    if key not in resolved:  # once per directory and path, not once per test
        path = Path(fixtures)
        if not path.is_absolute():
            beside = item.path.parent / path
            path = beside if beside.exists() else item.config.rootpath / path
        resolved[key] = str(path.resolve())
    return resolved[key], where


def _fixture_file(item: pytest.Item) -> tuple[str | None, str]:
    chosen = item.stash.get(_FIXTURE_FILE, None)
    if chosen is None:
        chosen = item.stash[_FIXTURE_FILE] = _marker_file(item) or _configured_file(item.config)
    return chosen


def _uses_mock(item: pytest.Item) -> bool:
    return not FIXTURE_NAMES.isdisjoint(getattr(item, "fixturenames", ()))


def _plugin_session(config: pytest.Config) -> PluginSession:
    session = config.stash.get(_SESSION, None)
    if session is None:
        from .testing import PluginSession

        session = config.stash[_SESSION] = PluginSession()
    return session


def _fixture_problem(item: pytest.Item) -> str | None:
    """Why the item's fixture file (or marker) cannot be used, else None; parses it once."""
    from .fixtures import FixtureError

    try:
        path, origin = _fixture_file(item)
    except ValueError as exc:
        return str(exc)
    try:
        _plugin_session(item.config).dataset(path)
    except FixtureError as exc:
        lines = "\n".join(f"  {line}" for line in exc.problems)
        return f"mock_canvas: cannot load the fixture file {path} (from {origin}):\n{lines}"
    return None


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, Any]:
    """Parse the fixture file of each collected test that uses the mock, now: a bad file or
    marker is a collection error of its module, in a plain run and under xdist alike."""
    report: pytest.CollectReport = yield
    if not report.passed:
        return report
    for node in report.result:
        if isinstance(node, pytest.Item) and _uses_mock(node):
            problem = _fixture_problem(node)
            if problem is not None:  # the first one is enough
                report.outcome = "failed"
                report.longrepr = problem
                report.result = []
                break
    return report


# -- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _mock_canvas_session(request: pytest.FixtureRequest) -> Iterator[PluginSession]:
    """The session's app, parsed fixture files and (once started) live server."""
    session = _plugin_session(request.config)
    yield session
    session.close()


@pytest.fixture(scope="session")
def _mock_canvas_url(_mock_canvas_session: PluginSession) -> str:
    """Start the live server once per session (per xdist worker); its base URL."""
    return _mock_canvas_session.start_server()


def _begin(item: pytest.Item, session: PluginSession) -> bool:
    """Before each test, once (whichever mock fixture comes first): its fixture file as
    loaded, no server errors. False when another fixture of the test has done it."""
    __tracebackhide__ = True
    if item.stash.get(_ACTIVE, None) is not None:
        return False
    problem = _fixture_problem(item)  # tests not seen at collection (getfixturevalue)
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    path = _fixture_file(item)[0]
    session.begin(path)
    item.stash[_ACTIVE] = session
    return True


def _end(item: pytest.Item, session: PluginSession) -> None:
    """After the test and its other fixtures: fail on server errors they caused."""
    __tracebackhide__ = True
    del item.stash[_ACTIVE]
    session.raise_errors("after the test (in a fixture's teardown)")


def _remote_url(config: pytest.Config) -> str | None:
    """--mock-canvas-url, else MOCK_CANVAS_URL, else None (a server in a thread)."""
    given = config.getoption("mock_canvas_url", None) or os.environ.get(URL_ENV, "")
    return given.strip() or None


@pytest.fixture(scope="session")
def _mock_canvas_remote(request: pytest.FixtureRequest) -> Iterator[RemoteSession]:
    """Remote mode: this session's (this xdist worker's) sandbox on the remote server."""
    from .remote import RemoteSession

    url = _remote_url(request.config)
    assert url is not None
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    session = RemoteSession(url, os.environ.get(CONTROL_TOKEN_ENV) or None, worker)
    yield session
    session.close()


@pytest.fixture
def mock_canvas(
    request: pytest.FixtureRequest, _mock_canvas_session: PluginSession
) -> Iterator[MockCanvas | RemoteMockCanvas]:
    """A live mock Canvas on 127.0.0.1 and a random port, reset before each test; or, with
    --mock-canvas-url / MOCK_CANVAS_URL, this worker's sandbox on that server.

    `.url` is the base URL for any client; `.token_for("Parent Smith")`, `.link(...)`,
    `.load(...)`, `.state()`: see mock_canvas.testing.MockCanvas.
    """
    from .testing import MockCanvas

    __tracebackhide__ = True
    if _remote_url(request.config) is not None:
        yield _remote_handle(request)
        return
    _mock_canvas_url: str = request.getfixturevalue("_mock_canvas_url")
    began = _begin(request.node, _mock_canvas_session)
    path = _fixture_file(request.node)[0]
    yield MockCanvas(_mock_canvas_session, path, _mock_canvas_url)
    if began:
        _end(request.node, _mock_canvas_session)


def _remote_handle(request: pytest.FixtureRequest) -> RemoteMockCanvas:
    from .remote import RemoteMockCanvas

    __tracebackhide__ = True
    problem = _fixture_problem(request.node)
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    remote: RemoteSession = request.getfixturevalue("_mock_canvas_remote")
    path = _fixture_file(request.node)[0]
    remote.begin(path)
    return RemoteMockCanvas(remote, path)


@pytest.fixture
def mock_canvas_client(
    request: pytest.FixtureRequest, _mock_canvas_session: PluginSession
) -> Iterator[MockCanvasClient]:
    """The same mock through Flask's test client: no socket, no thread, fastest.

    `.get(path, user="Parent Smith")` and friends, `.client` (a FlaskClient): see
    mock_canvas.testing.MockCanvasClient.
    """
    from .testing import MockCanvasClient

    __tracebackhide__ = True
    began = _begin(request.node, _mock_canvas_session)
    path = _fixture_file(request.node)[0]
    yield MockCanvasClient(_mock_canvas_session, path)
    if began:
        _end(request.node, _mock_canvas_session)


# -- errors inside the server fail the test that caused them -----------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    __tracebackhide__ = True
    session = item.stash.get(_ACTIVE, None)
    try:
        result = yield
    except BaseException:
        if session is not None and session.errors:
            # The test failed on its own: keep its failure, and show the server's tracebacks.
            text = "\n\n".join(error.format() for error in session.take_errors())
            item.add_report_section("call", "mock_canvas server errors", text)
        raise
    if session is not None:
        session.raise_errors()
    return result
