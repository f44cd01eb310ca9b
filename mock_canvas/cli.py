"""The `mock-canvas` command: serve a fixture, or validate fixture files."""

from __future__ import annotations

import argparse
import ipaddress
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from .fixtures import FixtureError, default_fixture_path, load_path
from .model import Dataset
from .settings import Settings, from_env

SAMPLE_TOKENS = 16


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mock-canvas", description="A stateful emulator of the Canvas User Observees API."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API until SIGINT or SIGTERM")
    serve.add_argument("--fixtures", help="a fixture file (default: the packaged default)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000; 0 picks one)")
    serve.add_argument("--threads", type=int, help="worker threads (default 8)")
    serve.add_argument(
        "--show-tokens", action="store_true", help="print sample tokens of a custom fixture too"
    )
    validate = commands.add_parser("validate", help="check fixture files; exit 2 on problems")
    validate.add_argument("paths", nargs="+", metavar="PATH")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "validate":
        return validate(args.paths)
    try:
        settings = from_env().with_arguments(
            fixtures=args.fixtures, host=args.host, port=args.port, threads=args.threads
        )
    except ValueError as exc:
        print(f"mock-canvas: {exc}", file=sys.stderr)
        return 2
    return serve(settings, show_tokens=args.show_tokens)


def validate(paths: Sequence[str]) -> int:
    failed = False
    for path in paths:
        try:
            dataset = load_path(path)
        except FixtureError as exc:
            failed = True
            print("\n".join(exc.problems), file=sys.stderr)
        else:
            print(f"{path}: ok ({len(dataset.users)} users, {len(dataset.links)} links)")
    return 2 if failed else 0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _banner(settings: Settings, dataset: Dataset, url: str, show_tokens: bool) -> str:
    lines = [f"mock-canvas: serving {dataset.source} on {url}"]
    lines.append(f"  {len(dataset.users)} users, {len(dataset.links)} links")
    if settings.fixtures is None or show_tokens:
        lines.append("  sample tokens (Authorization: Bearer <token>):")
        sample = [(u, t) for u in dataset.users for t in u.tokens[:1] if u.active][:SAMPLE_TOKENS]
        lines.extend(f"    {token.token:<26} {user.name} (id {user.id})" for user, token in sample)
    else:
        lines.append("  tokens: see the fixture file (or pass --show-tokens)")
    if not _is_loopback(settings.host) and not settings.control_token:
        lines.append(
            f"  WARNING: listening on {settings.host} without MOCK_CANVAS_CONTROL_TOKEN: anyone who"
            " can reach this port can replace or read the whole state through /__mock__."
        )
    return "\n".join(lines)


def serve(settings: Settings, *, show_tokens: bool = False) -> int:
    from waitress.server import create_server

    from .app import create_app
    from .store import Store

    try:
        dataset = load_path(
            settings.fixtures or default_fixture_path(), max_bytes=settings.max_fixture_bytes
        )
    except FixtureError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        return 2
    app = create_app(settings, store=Store(dataset))
    server = create_server(
        app, host=settings.host, port=settings.port, threads=settings.threads, ident="mock-canvas"
    )
    port = getattr(server, "effective_port", settings.port)
    host = settings.host if ":" not in settings.host else f"[{settings.host}]"
    print(_banner(settings, dataset, f"http://{host}:{port}", show_tokens), flush=True)

    def _stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        server.run()  # returns once SIGTERM/SIGINT raises SystemExit inside its loop
    finally:
        server.close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
