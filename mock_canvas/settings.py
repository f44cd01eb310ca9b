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
    # Canvas's request throttle (a leaky bucket per token): enforce (403 when full), report
    # (Canvas's disabled mode: metered, headers sent, nobody refused) or off (no headers).
    throttle: str = "enforce"
    throttle_hwm: float = 600.0
    throttle_maximum: float = 800.0
    throttle_outflow: float = 10.0  # units per second of the mock's clock
    throttle_up_front_cost: float = 50.0
    # Canvas charges CPU + database seconds; the mock a fixed cost per request (about what
    # these endpoints cost on Canvas), plus the penalty for a wrong pairing code.
    throttle_request_cost: float = 0.02
    throttle_invalid_pairing_code_penalty: float = 200.0
    fault_header: str = "on"  # honour X-Mock-Canvas-Fault (on | off)
    max_fault_rules: int = 1000
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
    {
        "auth_error_status",
        "default_per_page",
        "max_per_page",
        "throttle",
        "throttle_hwm",
        "throttle_maximum",
        "throttle_outflow",
        "throttle_up_front_cost",
        "throttle_request_cost",
        "throttle_invalid_pairing_code_penalty",
    }
)
_CHOICES: dict[str, tuple[int | str, ...]] = {
    "auth_error_status": (401, 403),
    "throttle": ("enforce", "report", "off"),
    "fault_header": ("on", "off"),
}
_RANGES: dict[str, tuple[float, float]] = {
    "port": (0, 65535),
    "default_per_page": (1, 100),
    "max_per_page": (1, 1000),
    "threads": (1, 256),
    "max_body_bytes": (1024, 1 << 34),
    "max_fixture_bytes": (1024, 1 << 34),
    "journal_size": (1, 1_000_000),
    "max_sandboxes": (0, 100_000),
    "max_sandbox_mb": (1, 1 << 20),
    "max_fault_rules": (0, 1_000_000),
    "throttle_hwm": (1, 1e9),
    "throttle_maximum": (1, 1e9),
    "throttle_outflow": (0, 1e9),
    "throttle_up_front_cost": (0, 1e9),
    "throttle_request_cost": (0, 1e9),
    "throttle_invalid_pairing_code_penalty": (0, 1e9),
}
_TYPES: dict[str, type] = {
    f.name: (str if f.name in ("fixtures", "control_token") else type(f.default))
    for f in fields(Settings)
    if f.name != "explicit"
}


def check_value(name: str, value: Any) -> str | None:
    """A problem with one setting's value, or None."""
    expected = _TYPES[name]
    if expected is int and (not isinstance(value, int) or isinstance(value, bool)):
        return "must be an integer"
    if expected is float and (not isinstance(value, int | float) or isinstance(value, bool)):
        return "must be a number"
    if expected is str and not isinstance(value, str):
        return "must be a string"
    if name in _CHOICES and value not in _CHOICES[name]:
        return "must be one of " + ", ".join(str(c) for c in _CHOICES[name])
    if expected is not str:
        low, high = _RANGES.get(name, (-(1 << 63), 1 << 63))
        if not low <= value <= high:  # NaN fails this too
            return f"must be between {_number(low)} and {_number(high)}"
    return None


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


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
        elif expected is float:
            try:
                value = float(raw.strip())
            except ValueError:
                raise ValueError(f"{ENV_PREFIX}{name.upper()}: must be a number") from None
        if (problem := check_value(name, value)) is not None:
            raise ValueError(f"{ENV_PREFIX}{name.upper()}: {problem}")
        changes[name] = value
    return (base or Settings()).replace(**changes)
