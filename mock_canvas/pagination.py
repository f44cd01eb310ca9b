"""Pagination the way Canvas's Api.paginate does it: parameters, slicing, the Link header.

Pure functions. Query strings are parsed with Rack's rules (nested `a[b]`, arrays `a[]`, the
last of a repeated scalar wins) and re-encoded with Rails' `Hash#to_query` (keys sorted, arrays
as `include%5B%5D=...`), because that is what puts the bytes into Canvas's Link header.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from . import errors

# Api::EXCLUDE_IN_PAGINATION_LINKS: never carried into Link URLs.
EXCLUDED_FROM_LINKS = frozenset({"page", "per_page", "access_token", "api_key"})

Params = dict[str, Any]

_KEY_HEAD = re.compile(r"\A[\[\]]*([^\[\]]+)\]*")
_RUBY_TO_I = re.compile(r"\A[ \t\n\v\f\r]*([+-]?\d+(?:_\d+)*)", re.ASCII)
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PLAIN = re.compile(r"[^%+\[\]]*")
# Rack::QueryParser's param_depth_limit: deeper names are a 400, never a deep recursion.
PARAM_DEPTH_LIMIT = 32
# Past this many digits a number is "huge" for every purpose here (Ruby has bignums; Python
# refuses to convert strings of more than 4300 digits).
MAX_DIGITS = 30
HUGE: int = 10**30


def parse_query(query: str) -> Params:
    """Rack::Utils.parse_nested_query. Bad %-escapes, bytes that are not UTF-8, names nested
    too deeply and type clashes (`a=1&a[]=2`) are Rails' 400."""
    params: Params = {}
    for pair in query.split("&"):
        if not pair:
            continue
        raw_key, sep, raw_value = pair.partition("=")
        if raw_key and _PLAIN.fullmatch(pair):
            # No escape, no `+`, no brackets (`per_page=10`): nothing to decode or nest.
            params[raw_key] = raw_value if sep else None
            continue
        if _BAD_ESCAPE.search(pair):
            raise errors.bad_parameters()
        try:
            key = unquote_plus(raw_key, errors="strict")
            value: str | None = unquote_plus(raw_value, errors="strict") if sep else None
        except UnicodeDecodeError:
            raise errors.bad_parameters() from None
        add_param(params, key, value)
    return params


def add_param(params: Params, name: str, value: Any, depth: int = 0) -> None:
    """Rack's normalize_params: put one `name=value` pair into nested params."""
    if depth > PARAM_DEPTH_LIMIT:
        raise errors.bad_parameters()
    match = _KEY_HEAD.match(name)
    if not match:
        return
    key = match.group(1)
    after = name[match.end() :]
    if after == "":
        params[key] = value
        return
    if after.startswith("[]"):
        existing = params.setdefault(key, [])
        if not isinstance(existing, list):
            raise errors.bad_parameters()  # Rack's ParameterTypeError
        if after == "[]":
            existing.append(value)
        else:
            # An array of hashes (`a[][b]=1`): rare in this API; each pair starts a new hash.
            child: Params = {}
            existing.append(child)
            add_param(child, after[2:], value, depth + 1)
        return
    child_hash = params.setdefault(key, {})
    if not isinstance(child_hash, dict):
        raise errors.bad_parameters()
    add_param(child_hash, after, value, depth + 1)


def _escape(value: str) -> str:
    """Ruby's CGI.escape: unreserved characters stay, space is `+`."""
    return quote_plus(value, safe="~")


def _to_query(value: Any, key: str) -> str | None:
    if isinstance(value, dict):
        return to_query(value, key)
    if isinstance(value, list):
        prefix = f"{key}[]"
        if not value:
            return f"{_escape(prefix)}="
        return "&".join(q for v in value if (q := _to_query(v, prefix)) is not None)
    text = "" if value is None else str(value)
    return f"{_escape(key)}={_escape(text)}"


def to_query(params: Params, namespace: str | None = None) -> str:
    """ActiveSupport's Hash#to_query: empty collections dropped, pairs sorted."""
    parts: list[str] = []
    for key, value in params.items():
        if isinstance(value, dict | list) and not value:
            continue
        part = _to_query(value, f"{namespace}[{key}]" if namespace else key)
        if part is not None:
            parts.append(part)
    if namespace is None or "[]" not in namespace:
        parts.sort()
    return "&".join(parts)


def ruby_to_i(value: Any) -> int:
    """String#to_i: leading whitespace, a sign and ASCII digits (with `_`), else 0. Values of
    more than MAX_DIGITS digits come back as +/-10**MAX_DIGITS: huge is huge."""
    if not isinstance(value, str):
        return 0
    if value.isascii() and value.isdigit() and len(value) <= MAX_DIGITS:
        return int(value)  # plain digits (`per_page=10`): what the pattern below finds
    match = _RUBY_TO_I.match(value)
    if not match:
        return 0
    digits = match.group(1).replace("_", "")
    if len(digits.lstrip("+-").lstrip("0")) > MAX_DIGITS:
        return -HUGE if digits.startswith("-") else HUGE
    return int(digits)


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A parsed page request; `page` is None when Canvas would answer 404 for it."""

    page: int | None
    per_page: int

    @property
    def offset(self) -> int:
        return ((self.page or 1) - 1) * self.per_page


def parse_page_request(
    params: Params, default_per_page: int = 10, max_per_page: int = 100
) -> PageRequest:
    """Api.per_page_for and the page check of Api.paginate."""
    raw_per_page = params.get("per_page")
    per_page = default_per_page if raw_per_page is None else ruby_to_i(raw_per_page)
    per_page = min(max(per_page, 1), max_per_page)
    raw_page = params.get("page")
    if raw_page is None:
        return PageRequest(1, per_page)
    page: int | None = None
    if isinstance(raw_page, str):
        stripped = raw_page.strip()
        if stripped.isascii() and stripped.isdigit():
            # A page of more than MAX_DIGITS digits is simply past the end.
            digits = stripped.lstrip("0") or "0"
            number = int(digits) if len(digits) <= MAX_DIGITS else HUGE
            page = number if number >= 1 else None
    return PageRequest(page, per_page)


def last_page(total: int, per_page: int) -> int:
    return max(1, math.ceil(total / per_page))


# Canvas builds the links in this priority and stops before 6 KB (Apache's header limit)...
LINK_PRIORITY = ("next", "last", "prev", "current", "first")
# ...then emits them in this order.
LINK_ORDER = ("current", "next", "prev", "first", "last")
MAX_LINKS_SIZE = 6 * 1024


def link_header(base_url: str, params: Params, page: int, per_page: int, total: int) -> str:
    """Api.build_links: current, next, prev, first, last; joined by a bare comma."""
    carried = {k: v for k, v in params.items() if k not in EXCLUDED_FROM_LINKS}
    prefix = base_url + ("&" if "?" in base_url else "?")
    if carried:
        prefix += to_query(carried) + "&"
    last = last_page(total, per_page)
    # A page past the end is Api.paginate's synthetic empty Folio page: it knows no total,
    # so it has no `last`, and Folio assumes an endless stream: `next` is page + 1.
    past_end = page > last
    pages = {
        "current": page,
        "next": page + 1 if page < last or past_end else None,
        "prev": page - 1 if page > 1 else None,
        "first": 1,
        "last": None if past_end else last,
    }
    links: dict[str, str] = {}
    size = 0
    for rel in LINK_PRIORITY:
        number = pages[rel]
        if number is None:
            continue
        url = f"{prefix}page={number}&per_page={per_page}"
        if size + len(url) > MAX_LINKS_SIZE:
            break
        size += len(url)
        links[rel] = url
    return ",".join(f'<{links[rel]}>; rel="{rel}"' for rel in LINK_ORDER if rel in links)
