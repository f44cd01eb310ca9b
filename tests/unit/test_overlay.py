"""Overlay: a copy-on-write dict over a shared base that it never changes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mock_canvas.overlay import Overlay


def test_reads_the_base_until_changed() -> None:
    base = {1: "a", 2: "b"}
    over = Overlay(base)
    assert over[1] == "a" and over.get(2) == "b" and over.get(3) is None and over.get(3, "z") == "z"
    assert 1 in over and 3 not in over and len(over) == 2 and not over.changed
    assert list(over) == [1, 2] and over.base is base


def test_writes_and_deletions_never_touch_the_base() -> None:
    base = {1: "a", 2: "b", 3: "c"}
    over = Overlay(base)
    over[1] = "A"
    over[4] = "d"
    del over[2]
    assert base == {1: "a", 2: "b", 3: "c"}
    assert dict(over.iter_items()) == {1: "A", 3: "c", 4: "d"}
    assert len(over) == 3 and over.changed
    assert 2 not in over and over.get(2) is None and over.get(2, "z") == "z"
    assert sorted(over.changed_keys()) == [1, 2, 4]
    assert over.own(1) and over.own(4) and not over.own(2) and not over.own(3)


def test_deleted_keys_raise_and_can_come_back() -> None:
    over = Overlay({1: "a"})
    del over[1]
    with pytest.raises(KeyError):
        over[1]
    with pytest.raises(KeyError):
        del over[1]
    over[1] = "again"
    assert over[1] == "again" and len(over) == 1
    over[2] = "new"
    del over[2]  # a key the base does not have: no tombstone left behind
    assert 2 not in over and len(over) == 1 and list(over.changed_keys()) == [1]
    with pytest.raises(KeyError):
        del over[2]


def test_iteration_keeps_the_base_order_then_new_keys() -> None:
    over = Overlay({3: "c", 1: "a", 2: "b"})
    over[9] = "z"
    over[1] = "A"
    over[5] = "y"
    del over[2]
    assert list(over.iter_items()) == [(3, "c"), (1, "A"), (9, "z"), (5, "y")]
    assert list(over.items()) == list(over.iter_items())
    assert list(over.values()) == ["c", "A", "z", "y"]
    assert repr(over) == "Overlay({3: 'c', 1: 'A', 9: 'z', 5: 'y'})"


def test_forks_are_independent_and_share_the_base() -> None:
    base = {1: [1], 2: [2]}
    first = Overlay(base)
    first[1] = [10]
    del first[2]
    second = first.fork(list)  # copies the changed (owned) values
    assert dict(second.iter_items()) == {1: [10]}
    second[1].append(11)
    second[2] = [20]
    first[3] = [30]
    assert dict(first.iter_items()) == {1: [10], 3: [30]}
    assert dict(second.iter_items()) == {1: [10, 11], 2: [20]}
    assert base == {1: [1], 2: [2]}
    assert second.base is first.base is base
    shallow = first.fork()
    assert shallow[1] is first[1]


def test_clear_changes_goes_back_to_the_base() -> None:
    base = {1: "a", 2: "b"}
    over = Overlay(base)
    over[1] = "A"
    over[3] = "c"
    del over[2]
    over.clear_changes()
    assert dict(over.iter_items()) == base and len(over) == 2 and not over.changed
    assert list(over.changed_keys()) == []


operations = st.lists(
    st.tuples(st.sampled_from(["set", "del", "fork", "clear"]), st.integers(0, 6), st.integers()),
    max_size=40,
)


@given(st.dictionaries(st.integers(0, 6), st.integers(), max_size=6), operations)
def test_behaves_like_a_dict_copy(base: dict[int, int], ops: list[tuple[str, int, int]]) -> None:
    """Against a plain dict copy, fork and clear included (order: see the class)."""
    frozen = dict(base)
    over, model = Overlay(base), dict(base)
    for op, key, value in ops:
        if op == "set":
            over[key] = value
            model[key] = value
        elif op == "del":
            raised = False
            try:
                del over[key]
            except KeyError:
                raised = True
            assert raised == (key not in model)
            model.pop(key, None)
        elif op == "fork":
            over = over.fork()
        else:
            over.clear_changes()
            model = dict(base)
        assert len(over) == len(model)
        assert dict(over.iter_items()) == model
        assert all((k in over) == (k in model) for k in range(7))
        assert all(over.get(k) == model.get(k) for k in range(7))
    assert base == frozen
