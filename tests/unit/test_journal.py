"""Journal.entries: filters, after_id and limit, without Flask."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mock_canvas.journal import Journal

WHEN = datetime(2030, 1, 1, tzinfo=UTC)


def journal_of(actions: list[str], size: int = 10) -> Journal:
    journal = Journal(size)
    for action in actions:
        journal.record(
            time=WHEN,
            method="GET",
            path="/api/v1/users/self/observees",
            query="",
            body=None,
            user_id=1,
            action=action,
            status=200,
            duration_ms=0.1,
        )
    return journal


def test_limit_keeps_the_newest_matching_entries_oldest_first() -> None:
    journal = journal_of(["a", "b", "a", "b", "a"])
    assert [e.id for e in journal.entries(limit=2)] == [4, 5]
    assert [e.id for e in journal.entries(action="a", limit=2)] == [3, 5]
    assert [e.id for e in journal.entries(limit=99)] == [1, 2, 3, 4, 5]


def test_after_id_counts_across_the_ring_buffer() -> None:
    journal = journal_of(["a"] * 7, size=3)  # ids 5, 6, 7 kept
    assert [e.id for e in journal.entries(after_id=2)] == [5, 6, 7]
    assert [e.id for e in journal.entries(after_id=6)] == [7]
    assert journal.entries(after_id=7) == []


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="limit"):
        journal_of(["a"]).entries(limit=0)
