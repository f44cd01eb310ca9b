"""Typed settings: defaults < MOCK_CANVAS_* environment < fixture `settings:` < arguments."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

ENV_PREFIX = "MOCK_CANVAS_"


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    fixtures: str | None = None  # a fixture file; None serves the packaged default
    # 403 for "authenticated but not allowed", as Canvas with api_auth_error_updates on;
    # 401 reproduces older Canvas (and Canvas's own request specs).
    auth_error_status: int = 403
    default_per_page: int = 10
    max_per_page: int = 100
    control_token: str | None = None  # when set, /__mock__ calls (but health) need it
    threads: int = 8  # worker threads of the production server
    max_body_bytes: int = 1024 * 1024  # API request bodies
    max_fixture_bytes: int = 64 * 1024 * 1024  # fixture files and PUT /__mock__/fixtures
    journal_size: int = 1000  # requests the journal keeps (GET /__mock__/requests)
    max_sandboxes: int = 256  # named sandboxes one server keeps (/sandboxes/<name>/...)
    max_sandbox_mb: int = 1024  # their estimated total size, in MiB
    # Names given as arguments (command line, create_app callers): a fixture cannot change them.
    explicit: frozenset[str] = frozenset()

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def with_arguments(self, **arguments: Any) -> Settings:
        """The top layer: values given as arguments, which fixtures do not override."""
        given = {k: v for k, v in arguments.items() if v is not None}
        return self.replace(**given, explicit=self.explicit | frozenset(given))

    def with_fixture(self, fixture_settings: Mapping[str, Any]) -> Settings:
        """Apply a fixture's `settings:` (already validated) under the arguments."""
        changes = {k: v for k, v in fixture_settings.items() if k not in self.explicit}
        return self.replace(**changes) if changes else self


# Only behaviour can come from a fixture; where to listen and secrets cannot.
FIXTURE_SETTINGS: frozenset[str] = frozenset(
    {"auth_error_status", "default_per_page", "max_per_page"}
)
_CHOICES: dict[str, tuple[int, ...]] = {"auth_error_status": (401, 403)}
_RANGES: dict[str, tuple[int, int]] = {
    "port": (0, 65535),
    "default_per_page": (1, 100),
    "max_per_page": (1, 1000),
    "threads": (1, 256),
    "max_body_bytes": (1024, 1 << 34),
    "max_fixture_bytes": (1024, 1 << 34),
    "journal_size": (1, 1_000_000),
    "max_sandboxes": (0, 100_000),
    "max_sandbox_mb": (1, 1 << 20),
}
_TYPES: dict[str, type] = {
    f.name: (str if f.name in ("fixtures", "control_token") else type(f.default))
    for f in fields(Settings)
    if f.name != "explicit"
}


def check_value(name: str, value: Any) -> str | None:
    """A problem with one setting's value, or None."""
    expected = _TYPES[name]
    if expected is int:
        if not isinstance(value, int) or isinstance(value, bool):
            return "must be an integer"
        if name in _CHOICES and value not in _CHOICES[name]:
            return "must be one of " + ", ".join(str(c) for c in _CHOICES[name])
        low, high = _RANGES.get(name, (-(1 << 63), 1 << 63))
        if not low <= value <= high:
            return f"must be between {low} and {high}"
    elif not isinstance(value, str):
        return "must be a string"
    return None


def fixture_settings_problems(mapping: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key, problem) pairs for a fixture's `settings:` mapping."""
    problems: list[tuple[str, str]] = []
    for key, value in mapping.items():
        if key not in FIXTURE_SETTINGS:
            known = ", ".join(sorted(FIXTURE_SETTINGS))
            problems.append((str(key), f"unknown setting (a fixture may set: {known})"))
        elif (problem := check_value(key, value)) is not None:
            problems.append((key, problem))
    return problems


def from_env(environ: Mapping[str, str] | None = None, base: Settings | None = None) -> Settings:
    """Settings from MOCK_CANVAS_* variables; a bad value raises ValueError naming it."""
    environ = os.environ if environ is None else environ
    changes: dict[str, Any] = {}
    for name, expected in _TYPES.items():
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is None or raw == "":
            continue
        value: Any = raw
        if expected is int:
            try:
                value = int(raw.strip())
            except ValueError:
                raise ValueError(f"{ENV_PREFIX}{name.upper()}: must be an integer") from None
        if (problem := check_value(name, value)) is not None:
            raise ValueError(f"{ENV_PREFIX}{name.upper()}: {problem}")
        changes[name] = value
    return (base or Settings()).replace(**changes)
