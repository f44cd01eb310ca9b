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

# Api::EXCLUDE_IN_PAGINATION_LINKS: never carried into Link URLs.
EXCLUDED_FROM_LINKS = frozenset({"page", "per_page", "access_token", "api_key"})

Params = dict[str, Any]

_KEY_HEAD = re.compile(r"\A[\[\]]*([^\[\]]+)\]*")
_RUBY_TO_I = re.compile(r"\A[ \t\n\v\f\r]*([+-]?\d+(?:_\d+)*)")


def parse_query(query: str) -> Params:
    """Rack::Utils.parse_nested_query, forgiving: type clashes keep the later value."""
    params: Params = {}
    for pair in query.split("&"):
        if not pair:
            continue
        raw_key, sep, raw_value = pair.partition("=")
        key = unquote_plus(raw_key)
        value: str | None = unquote_plus(raw_value) if sep else None
        add_param(params, key, value)
    return params


def add_param(params: Params, name: str, value: Any) -> None:
    """Rack's normalize_params: put one `name=value` pair into nested params."""
    match = _KEY_HEAD.match(name)
    if not match:
        return
    key = match.group(1)
    after = name[match.end() :]
    if after == "":
        params[key] = value
    elif after == "[]":
        existing = params.get(key)
        if isinstance(existing, list):
            existing.append(value)
        else:
            params[key] = [value]
    elif after.startswith("[]"):
        # An array of hashes (`a[][b]=1`): rare in this API; each pair starts a new hash.
        existing = params.get(key)
        if not isinstance(existing, list):
            existing = params[key] = []
        child: Params = {}
        existing.append(child)
        add_param(child, after[2:], value)
    else:
        child_hash = params.get(key)
        if not isinstance(child_hash, dict):
            child_hash = params[key] = {}
        add_param(child_hash, after, value)


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
    """String#to_i: leading whitespace, a sign and digits (with `_`), else 0."""
    if not isinstance(value, str):
        return 0
    match = _RUBY_TO_I.match(value)
    return int(match.group(1).replace("_", "")) if match else 0


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
        if stripped.isascii() and stripped.isdigit() and int(stripped) >= 1:
            page = int(stripped)
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
