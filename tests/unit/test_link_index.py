"""The store's link index (_Links): rows by (observer, student) pair in Overlays over the
pristine index, checked against a plain model: an ordered dict of rows by (observer,
student, root account), with the lists and root sets computed from it."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from mock_canvas.directory import Directory, sortable_name_key
from mock_canvas.model import Account, Dataset, Link, Login, User
from mock_canvas.store import Store, _Links, _pair

BIG = 2**30  # pairs of ids from here on are keyed by tuples, not packed ints
WHEN = datetime(2024, 1, 1, tzinfo=UTC)
Triple = tuple[int, int, int]


def user(user_id: int, sortable_name: str, state: str = "active") -> User:
    logins = [Login(1, f"u{user_id}"), Login(2, f"u{user_id}")]
    return User(
        user_id, sortable_name, sortable_name, sortable_name, WHEN, state=state, logins=logins
    )


USERS = [
    user(1, "Admin", "active"),
    user(5, "Émile, Zoë"),
    user(7, "emile, zoe"),
    user(12, "Able, Ann"),
    user(BIG - 1, "Able, Ann"),
    user(BIG, "Baker, Bo"),
    user(2**40, "Carter, Cy"),
    user(9, "Gone, Dee", "deleted"),
]
IDS = [u.id for u in USERS] + [999]  # 999: a user the directory does not have
ROOTS = [1, 2, 3]
INITIAL = [
    Link(5, 7, 1),
    Link(BIG, 5, 1),
    Link(5, 7, 2, "deleted"),
    Link(2**40, BIG - 1, 2),
    Link(9, 12, 1),  # a deleted observer: kept, never listed
    Link(5, 999, 1),  # an unknown student: kept, never listed
    Link(5, 7, 1, "deleted"),  # the same row again: its first place, this state
    Link(12, 2**40, 3),
]


def directory() -> Directory:
    accounts = [Account(1, "One", default=True, root_id=1), Account(2, "Two", root_id=2)]
    return Directory(Dataset(accounts=accounts, users=USERS))


class Model:
    """What the index must show, computed the slow and obvious way."""

    def __init__(self, links: list[Link]) -> None:
        self.rows: dict[Triple, Link] = {}
        for link in links:
            self.rows[(link.observer_id, link.student_id, link.root_account_id)] = link

    def copy(self) -> Model:
        model = Model([])
        model.rows = dict(self.rows)
        return model

    def activate(self, o: int, s: int, r: int) -> bool:
        row = self.rows.get((o, s, r))
        if row is not None and row.state == "active":
            return False
        self.rows[(o, s, r)] = Link(o, s, r, "active")
        return True

    def deactivate(self, o: int, s: int, r: int) -> None:
        self.rows[(o, s, r)] = Link(o, s, r, "deleted")


def listed(d: Directory, o: int, s: int) -> bool:
    return all(i in d.users and d.users[i].active for i in (o, s))


def check(links: _Links, model: Model, d: Directory) -> None:
    assert list(links.all_rows()) == list(model.rows.values())
    assert len(links) == len(model.rows)
    assert links.active_count == sum(1 for r in model.rows.values() if r.state == "active")
    for o in IDS:
        for s in IDS:
            roots = frozenset(
                r
                for (mo, ms, r), row in model.rows.items()
                if (mo, ms) == (o, s) and row.state == "active" and listed(d, o, s)
            )
            assert links.active_roots(o, s) == roots
            assert [(k.root_account_id, k.state) for k in links.active_links(o, s)] == [
                (r, "active") for r in sorted(roots)
            ]

    def key(user_id: int) -> tuple[str, str, int]:
        return sortable_name_key(d.users[user_id].sortable_name, user_id)

    for owner in IDS:
        students = {s for o, s in _pairs(links, d) if o == owner}
        observers = {o for o, s in _pairs(links, d) if s == owner}
        for side, expected in ((links.observees, students), (links.observers, observers)):
            shown = [d.ranked[rank].id for rank in side.get(owner) or ()]
            assert shown == sorted(expected, key=key)


def _pairs(links: _Links, d: Directory) -> set[tuple[int, int]]:
    return {(o, s) for o in IDS for s in IDS if links.active_roots(o, s)}


def test_the_pristine_index_as_loaded() -> None:
    d = directory()
    links = _Links(d, INITIAL)
    check(links, Model(INITIAL), d)
    assert [(k.observer_id, k.student_id, k.root_account_id) for k in links.all_rows()][:3] == [
        (5, 7, 1),
        (BIG, 5, 1),
        (5, 7, 2),
    ]
    assert links.active_roots(5, 7) == frozenset()  # its second row in the list deleted it
    assert isinstance(_pair(5, 7), int) and _pair(BIG, 5) == (BIG, 5)
    assert _pair(BIG - 1, BIG - 1) != _pair(BIG - 1, 0) and isinstance(_pair(BIG - 1, 1), int)


operation = st.one_of(
    st.tuples(
        st.just("activate"), st.sampled_from(IDS), st.sampled_from(IDS), st.sampled_from(ROOTS)
    ),
    st.tuples(st.just("deactivate"), st.integers(0, 50)),
    st.tuples(st.just("restore")),
    st.tuples(st.just("fork")),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(operation, max_size=25))
def test_changes_forks_and_restores_match_the_model(ops: list[tuple[object, ...]]) -> None:
    d = directory()
    pristine = _Links(d, INITIAL)
    links, model = pristine.fork(), Model(INITIAL)
    forks: list[tuple[_Links, Model]] = []
    for op in ops:
        if op[0] == "activate":
            o, s, r = op[1], op[2], op[3]
            assert isinstance(o, int) and isinstance(s, int) and isinstance(r, int)
            assert links.activate(o, s, r) == model.activate(o, s, r)
        elif op[0] == "deactivate":
            active = [k for k in model.rows if model.rows[k].state == "active"]
            if active:
                o, s, r = active[int(str(op[1])) % len(active)]
                current = [k for k in links.all_rows() if (k.observer_id, k.student_id) == (o, s)]
                links.deactivate(next(k for k in current if k.root_account_id == r))
                model.deactivate(o, s, r)
        elif op[0] == "restore":
            links.restore()
            model = Model(INITIAL)
        else:
            forks.append((links, model.copy()))
            links, model = links.fork(), model.copy()
        check(links, model, d)
    for fork, expected in forks:  # later changes never reach the states forked from
        check(fork, expected, d)
    check(pristine, Model(INITIAL), d)


def test_a_store_exports_rows_in_place_and_new_ones_last() -> None:
    accounts = [Account(1, "One", default=True, root_id=1), Account(2, "Two", root_id=2)]
    store = Store(Dataset(accounts=accounts, users=USERS, links=list(INITIAL)))
    store.remove_link(BIG, 5)
    store.add_link(12, 7)  # two common roots: two new rows
    store.add_link(5, 7, 2)
    rows = [(k.observer_id, k.student_id, k.root_account_id, k.state) for k in store.export().links]
    assert rows == [
        (5, 7, 1, "deleted"),
        (BIG, 5, 1, "deleted"),
        (5, 7, 2, "active"),
        (2**40, BIG - 1, 2, "active"),
        (9, 12, 1, "active"),
        (5, 999, 1, "active"),
        (12, 2**40, 3, "active"),
        (12, 7, 1, "active"),
        (12, 7, 2, "active"),
    ]
    assert [k.observer_id for k in store.links()] == sorted(r[0] for r in rows)
    assert store.sizes() == (len(USERS), len(rows))
    store.reset()
    assert store.export().links == [
        Link(5, 7, 1, "deleted"),
        Link(BIG, 5, 1),
        Link(5, 7, 2, "deleted"),
        *INITIAL[3:6],
        INITIAL[7],
    ]
