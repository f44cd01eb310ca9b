"""A copy-on-write dict: a shared base dict that is never changed, with a small dict of
changes in front of it.

The store keeps the loaded fixture's link index once and gives every state made from it
(the default one, each sandbox, each reset) an Overlay on it: making one costs nothing,
lookups stay two dict lookups at most, and a reset drops the changes (O(changes)), whatever
the size of the base.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from enum import Enum
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class _Gone(Enum):
    """A tombstone: the key is in the base but deleted here."""

    GONE = 0


_GONE = _Gone.GONE
GONE = _GONE  # what `changes` holds for a deleted base key


class Overlay(MutableMapping[K, V]):
    """A mutable mapping over a base mapping that it never changes.

    Writes and deletions go to `changes` (a deletion of a base key is a tombstone), so any
    number of overlays can share one base. Iteration follows the base's order, with changed
    values in their place, then the keys the base does not have, in the order they were
    added; a base key deleted and set again keeps its base place.

    The values are shared with the base and with forks, as a dict copy shares them: a
    mutable value must be copied before it is changed (see Store's link index)."""

    __slots__ = ("_base", "_changes", "_size")

    def __init__(self, base: Mapping[K, V]) -> None:
        self._base = base
        self._changes: dict[K, V | _Gone] = {}
        self._size = len(base)

    @property
    def base(self) -> Mapping[K, V]:
        return self._base

    @property
    def changes(self) -> Mapping[K, V | _Gone]:
        """The changes in front of the base, GONE for a deleted base key: a hot path may
        look here, then in the base (this stays the same object until the overlay dies)."""
        return self._changes

    @property
    def changed(self) -> bool:
        """True when a key was set or deleted since the base (or the last clear_changes)."""
        return bool(self._changes)

    def own(self, key: K) -> bool:
        """True when the key's value was set here (not read from the base)."""
        value = self._changes.get(key, _GONE)
        return value is not _GONE

    def fork(self, copy: Callable[[V], V] | None = None) -> Overlay[K, V]:
        """An independent overlay on the same base with the same content: O(changes).
        `copy` copies each changed value (mutable values owned by this overlay)."""
        other: Overlay[K, V] = Overlay(self._base)
        if copy is None:
            other._changes = dict(self._changes)
        else:
            other._changes = {
                key: value if value is _GONE else copy(value)
                for key, value in self._changes.items()
            }
        other._size = self._size
        return other

    def clear_changes(self) -> None:
        """Back to the base: O(changes)."""
        self._changes.clear()
        self._size = len(self._base)

    # -- the mapping --------------------------------------------------------------------

    def get(self, key: K, default: V | None = None) -> V | None:  # type: ignore[override]
        changes = self._changes
        if key in changes:
            value = changes[key]
            return default if value is _GONE else value
        return self._base.get(key, default)

    def __getitem__(self, key: K) -> V:
        changes = self._changes
        if key in changes:
            value = changes[key]
            if value is _GONE:
                raise KeyError(key)
            return value
        return self._base[key]

    def __contains__(self, key: object) -> bool:
        changes = self._changes
        if key in changes:
            return changes[key] is not _GONE
        return key in self._base

    def __setitem__(self, key: K, value: V) -> None:
        changes = self._changes
        if key in changes:
            if changes[key] is _GONE:
                self._size += 1
        elif key not in self._base:
            self._size += 1
        changes[key] = value

    def __delitem__(self, key: K) -> None:
        changes = self._changes
        if key in self._base:
            if changes.get(key, None) is _GONE:
                raise KeyError(key)
            changes[key] = _GONE
        elif key in changes:
            del changes[key]
        else:
            raise KeyError(key)
        self._size -= 1

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[K]:
        for key, _ in self._items():
            yield key

    def _items(self) -> Iterator[tuple[K, V]]:
        changes, base = self._changes, self._base
        if not changes:
            yield from base.items()
            return
        for key, value in base.items():
            if key in changes:
                mine = changes[key]
                if mine is not _GONE:
                    yield key, mine
            else:
                yield key, value
        for key, mine in changes.items():
            if mine is not _GONE and key not in base:
                yield key, mine

    def iter_items(self) -> Iterator[tuple[K, V]]:
        """(key, value) pairs in iteration order, without the view's lookup per key."""
        return self._items()

    def changed_keys(self) -> Iterator[K]:
        """The keys set or deleted here: O(changes)."""
        return iter(self._changes)

    def __repr__(self) -> str:
        return f"Overlay({dict(self._items())!r})"
