"""User ids as Canvas's api_find reads them: decimal, `self`, and the SIS forms. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Api::ID_REGEX: a bare decimal id of at most 19 digits; api_find strips the value first.
_DECIMAL = re.compile(r"\d{1,19}")
SIS_PREFIXES: tuple[str, ...] = ("sis_user_id", "sis_login_id", "sis_integration_id")


@dataclass(frozen=True, slots=True)
class SelfRef:
    """`self`: the caller."""


@dataclass(frozen=True, slots=True)
class IdRef:
    id: int


@dataclass(frozen=True, slots=True)
class SisRef:
    """A lookup among the logins of the domain root account."""

    kind: str  # one of SIS_PREFIXES
    value: str


UserRef = SelfRef | IdRef | SisRef


# Ruby's String#strip: ASCII whitespace and NUL only (not Unicode spaces).
_RUBY_SPACE = " \t\n\v\f\r\0"


def parse_user_ref(raw: str) -> UserRef | None:
    """Parse a path id as Api.sis_parse_id does; None means Canvas would answer 404."""
    if raw == "self":  # api_find_all compares before any stripping
        return SelfRef()
    stripped = raw.strip(_RUBY_SPACE)
    if _DECIMAL.fullmatch(stripped) and stripped.isascii():
        return IdRef(int(stripped))
    prefix, sep, value = stripped.partition(":")
    if sep and prefix in SIS_PREFIXES and value:
        return SisRef(prefix, value)
    return None
