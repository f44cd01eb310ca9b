"""YAML fixture (format version 1) -> a validated, complete Dataset. No Flask here.

A bad file is refused whole: every problem is collected and reported on its own line as
`<file>: <path in the file>: <problem>`, never as a traceback. Faker fills what a user leaves
out and builds `generate:` populations from a private generator seeded by the file's `seed`,
so the same file gives the same data every time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .directory import gc_paused
from .model import (
    ENROLLMENT_STATES,
    ENROLLMENT_TYPES,
    KNOWN_PERMISSIONS,
    Account,
    AdminRole,
    Course,
    Dataset,
    Enrollment,
    Link,
    Login,
    PairingCode,
    Token,
    User,
)
from .settings import fixture_settings_problems

if TYPE_CHECKING:
    from faker import Faker

# libyaml's safe loader when PyYAML has it: about 7 times faster, and it refuses deep
# nesting itself ("exceeded maximum nesting depth"). Both build only plain YAML types.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FORMAT_VERSION = 1
DEFAULT_SEED = 0
MAX_NODES = 2_000_000  # after alias expansion: a YAML "billion laughs" stops here
PAIRING_CODE_RE = re.compile(r"[A-Za-z0-9]{6}")
NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "v"})
CREATED_AT_RANGE = (datetime(2019, 1, 1, tzinfo=UTC), datetime(2024, 12, 31, tzinfo=UTC))
DEFAULT_CODE_LIFETIME = timedelta(days=7)

TOP_KEYS = frozenset(
    {
        "version",
        "seed",
        "settings",
        "accounts",
        "courses",
        "users",
        "observer_links",
        "pairing_codes",
        "generate",
    }
)
ACCOUNT_KEYS = frozenset(
    {
        "id",
        "name",
        "domain",
        "default",
        "parent",
        "self_registration",
        "teachers_can_generate_pairing_codes",
        "avatars",
    }
)
COURSE_KEYS = frozenset({"id", "account", "name"})
USER_KEYS = frozenset(
    {
        "id",
        "name",
        "sortable_name",
        "short_name",
        "created_at",
        "avatar_url",
        "state",
        "site_admin",
        "logins",
        "tokens",
        "admin",
        "enrollments",
    }
)
LOGIN_KEYS = frozenset({"account", "unique_id", "password", "sis_user_id", "integration_id"})
TOKEN_KEYS = frozenset({"token", "expires_at"})
ADMIN_KEYS = frozenset({"account", "permissions"})
ENROLLMENT_KEYS = frozenset({"course", "type", "state"})
LINK_KEYS = frozenset({"observer", "observee", "root_account", "state"})
CODE_KEYS = frozenset({"user", "code", "expires_at"})
GENERATE_KEYS = frozenset(
    {
        "account",
        "students",
        "observers",
        "observees_per_observer",
        "token_prefix",
        "password",
        "course",
    }
)


class FixtureError(Exception):
    """A fixture refused whole; `problems` has one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Problems:
    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: list[str] = []

    def add(self, path: str, message: str) -> None:
        where = f"{self.source}: {path}: " if path else f"{self.source}: "
        self.lines.append(where + message)

    def raise_if_any(self) -> None:
        if self.lines:
            raise FixtureError(self.lines)


# -- reading ----------------------------------------------------------------------------


def default_fixture_path() -> Path:
    """The packaged default fixture (ships in the wheel)."""
    return Path(str(resources.files("mock_canvas").joinpath("data/default.yaml")))


def load_path(
    path: str | Path, *, max_bytes: int = 64 * 1024 * 1024, now: datetime | None = None
) -> Dataset:
    """Read, parse and validate a fixture file."""
    source = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise FixtureError([f"{source}: cannot read the file: {exc.strerror or exc}"]) from None
    if len(data) > max_bytes:
        raise FixtureError([f"{source}: the file is larger than {max_bytes} bytes"])
    return load_bytes(data, source=source, now=now)


def load_bytes(
    data: bytes | str, *, source: str = "<fixture>", now: datetime | None = None
) -> Dataset:
    """Parse YAML (or JSON) text and validate it."""
    try:
        with gc_paused():  # no cyclic GC over a growing document: linear, not quadratic
            mapping = yaml.load(data, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.reader.ReaderError as exc:
        # Not UTF-8 (or a control character such as NUL): one line, no byte-string dump.
        problem = f"cannot read the file as UTF-8 YAML text (byte {exc.position}: {exc.reason})"
        raise FixtureError([f"{source}: {problem}"]) from None
    except yaml.MarkedYAMLError as exc:
        if exc.problem and "nesting depth" in exc.problem:  # libyaml's own depth limit
            raise FixtureError([f"{source}: the document is nested too deeply"]) from None
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise FixtureError([f"{source}: {where}not valid YAML: {exc.problem}"]) from None
    except yaml.YAMLError as exc:
        raise FixtureError([f"{source}: not valid YAML: {exc}"]) from None
    except RecursionError:
        raise FixtureError([f"{source}: the document is nested too deeply"]) from None
    except UnicodeDecodeError:
        raise FixtureError([f"{source}: the file is not UTF-8 text"]) from None
    return load_mapping(mapping, source=source, now=now)


def load_mapping(
    mapping: Any, *, source: str = "<fixture>", now: datetime | None = None
) -> Dataset:
    """Validate an already parsed fixture; raises FixtureError with every problem."""
    problems = _Problems(source)
    if mapping is None:
        mapping = {}
    if not isinstance(mapping, dict):
        problems.add("", f"the document must be a mapping, not {_kind(mapping)}")
        problems.raise_if_any()
    if _too_big(mapping):
        problems.add("", f"the document expands to more than {MAX_NODES} values (YAML aliases?)")
        problems.raise_if_any()
    loader = _Loader(mapping, problems, now or datetime.now(UTC))
    with gc_paused():
        dataset = loader.load()
    problems.raise_if_any()
    dataset.source = source
    return dataset


def _too_big(root: Any) -> bool:
    """Count values depth-first, aliases expanded, and stop at MAX_NODES."""
    budget = MAX_NODES
    stack = [root]
    while stack:
        node = stack.pop()
        budget -= 1
        if budget < 0:
            return True
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, datetime | date):
        return "a date"
    return type(value).__name__


# -- Canvas's name rules ----------------------------------------------------------------


def sortable_name_for(name: str) -> str:
    """User.last_name_first: "First Middle Last Jr." -> "Last, First Middle Jr."."""
    parts = name.split()
    if len(parts) < 2:
        return name.strip()
    suffix = ""
    if len(parts) >= 3 and parts[-1].lower() in NAME_SUFFIXES:
        suffix = " " + parts.pop()
    return f"{parts[-1]}, {' '.join(parts[:-1])}{suffix}"


def parse_time(value: Any) -> datetime | None:
    """A YAML timestamp, date or ISO 8601 string as an aware UTC datetime; None if not one."""
    if isinstance(value, datetime):
        try:
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        except OverflowError:  # 9999-12-31T23:59:59-01:00 is past year 9999 in UTC
            return None
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return parse_time(parsed)
    return None


# -- validation -------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Loader:
    """Walks a parsed fixture once, collecting problems and building the model."""

    def __init__(self, doc: dict[str, Any], problems: _Problems, now: datetime) -> None:
        self.doc = doc
        self.problems = problems
        self.now = now
        self.seed = DEFAULT_SEED
        self._faker: Faker | None = None
        self.accounts: dict[int, Account] = {}
        self.courses: dict[int, Course] = {}
        self.users: dict[int, User] = {}
        self.user_roots: dict[int, set[int]] = {}

    # helpers --------------------------------------------------------------------------

    @property
    def faker(self) -> Faker:
        if self._faker is None:
            from faker import Faker  # heavy: only when a fixture leaves something out

            fake = Faker("en_US")
            fake.seed_instance(self.seed)  # private: never Faker.seed(), which is global
            self._faker = fake
        return self._faker

    def add(self, path: str, message: str) -> None:
        self.problems.add(path, message)

    def mapping(self, value: Any, path: str, keys: frozenset[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.add(path, f"must be a mapping, not {_kind(value)}")
            return None
        for key in value:
            if key not in keys:
                self.add(
                    f"{path}.{key}" if path else str(key),
                    "unknown key (allowed: " + ", ".join(sorted(keys)) + ")",
                )
        return value

    def items(self, key: str, parent: Mapping[str, Any], path: str) -> Iterator[tuple[str, Any]]:
        value = parent.get(key)
        if value is None:
            return
        full = f"{path}.{key}" if path else key
        if not isinstance(value, list):
            self.add(full, f"must be a list, not {_kind(value)}")
            return
        for index, item in enumerate(value):
            yield f"{full}[{index}]", item

    def get(
        self,
        entry: Mapping[str, Any],
        key: str,
        path: str,
        check: Callable[[Any], bool],
        expected: str,
        *,
        required: bool = False,
    ) -> Any:
        if key not in entry or entry[key] is None:
            if required:
                self.add(f"{path}.{key}", "is required")
            return None
        value = entry[key]
        if not check(value):
            self.add(f"{path}.{key}", f"must be {expected}, not {_kind(value)}")
            return None
        return value

    def int_(
        self, entry: Mapping[str, Any], key: str, path: str, *, required: bool = False
    ) -> int | None:
        value = self.get(entry, key, path, _is_int, "an integer", required=required)
        if (
            value is not None
            and value < 1
            and key
            in ("id", "account", "course", "user", "observer", "observee", "parent", "root_account")
        ):
            self.add(f"{path}.{key}", "must be a positive integer")
            return None
        return value  # type: ignore[no-any-return]

    def str_(
        self, entry: Mapping[str, Any], key: str, path: str, *, required: bool = False
    ) -> str | None:
        value = self.get(
            entry, key, path, lambda v: isinstance(v, str), "a string", required=required
        )
        if value is not None and required and not value.strip():
            self.add(f"{path}.{key}", "must not be empty")
            return None
        return value  # type: ignore[no-any-return]

    def sis_(self, entry: Mapping[str, Any], key: str, path: str) -> str | None:
        # SIS ids are strings in Canvas; YAML reads `P100` as text but `100` as a number.
        value = self.get(entry, key, path, lambda v: isinstance(v, str) or _is_int(v), "a string")
        return None if value is None else str(value)

    def bool_(self, entry: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
        value = self.get(entry, key, path, lambda v: isinstance(v, bool), "true or false")
        return default if value is None else bool(value)

    def time_(self, entry: Mapping[str, Any], key: str, path: str) -> datetime | None:
        if key not in entry or entry[key] is None:
            return None
        parsed = parse_time(entry[key])
        if parsed is None:
            self.add(f"{path}.{key}", f"must be an ISO 8601 date-time, not {entry[key]!r}")
        return parsed

    def choice(
        self, entry: Mapping[str, Any], key: str, path: str, choices: tuple[str, ...], default: str
    ) -> str:
        value = entry.get(key)
        if value is None:
            return default
        if value not in choices:
            self.add(f"{path}.{key}", f"must be one of {', '.join(choices)}, not {value!r}")
            return default
        return str(value)

    def unique(
        self, seen: dict[Any, str], key: Any, path: str, what: str, shown: str | None = None
    ) -> bool:
        """Record `key`; a second time is a problem. `shown` replaces repr(key) in the
        message ("" to show nothing: a token is never echoed)."""
        if key in seen:
            label = f" {key!r}" if shown is None else shown
            self.add(path, f"duplicate {what}{label} (first at {seen[key]})")
            return False
        seen[key] = path
        return True

    # sections -------------------------------------------------------------------------

    def load(self) -> Dataset:
        doc = self.doc
        for key in doc:
            if key not in TOP_KEYS:
                self.add(str(key), "unknown key (allowed: " + ", ".join(sorted(TOP_KEYS)) + ")")
        version = doc.get("version", FORMAT_VERSION)
        if version != FORMAT_VERSION or isinstance(version, bool):
            self.add("version", f"must be {FORMAT_VERSION}, not {version!r}")
        seed = self.get(doc, "seed", "", _is_int, "an integer")
        if seed is not None:
            self.seed = seed
        settings: dict[str, Any] = {}
        raw_settings = doc.get("settings")
        if raw_settings is not None:
            if not isinstance(raw_settings, dict):
                self.add("settings", f"must be a mapping, not {_kind(raw_settings)}")
            else:
                for key, problem in fixture_settings_problems(raw_settings):
                    self.add(f"settings.{key}", problem)
                settings = dict(raw_settings)
        self.load_accounts()
        self.load_courses()
        self.load_users()
        self.generate()
        links = self.load_links()
        codes = self.load_codes()
        return Dataset(
            accounts=list(self.accounts.values()),
            courses=list(self.courses.values()),
            users=list(self.users.values()),
            links=links,
            pairing_codes=codes,
            settings=settings,
            seed=self.seed if seed is not None else None,
        )

    def load_accounts(self) -> None:
        seen: dict[Any, str] = {}
        domains: dict[Any, str] = {}
        parents: dict[int, tuple[int, str]] = {}
        for path, raw in self.items("accounts", self.doc, ""):
            entry = self.mapping(raw, path, ACCOUNT_KEYS)
            if entry is None:
                continue
            account_id = self.int_(entry, "id", path, required=True)
            name = self.str_(entry, "name", path) or (
                f"Account {account_id}" if account_id else "Account"
            )
            domain = self.str_(entry, "domain", path)
            if domain is not None:
                domain = domain.strip().lower()
                self.unique(domains, domain, f"{path}.domain", "domain")
            parent = self.int_(entry, "parent", path)
            account = Account(
                id=account_id or 0,
                name=name,
                parent_id=parent,
                domain=domain,
                default=self.bool_(entry, "default", path, False),
                self_registration=self.bool_(entry, "self_registration", path, True),
                teachers_can_generate_pairing_codes=self.bool_(
                    entry, "teachers_can_generate_pairing_codes", path, False
                ),
                avatars=self.bool_(entry, "avatars", path, True),
            )
            if account_id is None or not self.unique(seen, account_id, f"{path}.id", "account id"):
                continue
            if parent is not None:
                parents[account_id] = (parent, path)
                if account.default or domain is not None:
                    self.add(
                        path, "only a root account (no parent) can have a domain or be the default"
                    )
            self.accounts[account_id] = account
        for account_id, (parent, path) in parents.items():
            if parent not in self.accounts:
                self.add(f"{path}.parent", f"no account with id {parent}")
                self.accounts.pop(account_id, None)
        for account in self.accounts.values():
            root = self._root_of(account)
            if root is None:
                self.add(
                    f"accounts[{list(self.accounts).index(account.id)}].parent",
                    "the parent chain loops",
                )
            else:
                account.root_id = root
        defaults = [a for a in self.accounts.values() if a.default]
        if len(defaults) > 1:
            self.add(
                "accounts",
                "more than one account is marked default: "
                + ", ".join(str(a.id) for a in defaults),
            )
        if not any(a.parent_id is None for a in self.accounts.values()):
            self.add(
                "accounts", "at least one root account (an account without a parent) is required"
            )

    def _root_of(self, account: Account) -> int | None:
        seen: set[int] = set()
        current = account
        while current.parent_id is not None:
            if current.id in seen:
                return None
            seen.add(current.id)
            parent = self.accounts.get(current.parent_id)
            if parent is None:
                return None
            current = parent
        return current.id

    def root_account(self, value: int | None, path: str) -> int | None:
        if value is None:
            return None
        account = self.accounts.get(value)
        if account is None:
            self.add(path, f"no account with id {value}")
            return None
        if account.parent_id is not None:
            self.add(path, f"account {value} is a sub-account; a root account is required")
            return None
        return value

    def load_courses(self) -> None:
        seen: dict[Any, str] = {}
        for path, raw in self.items("courses", self.doc, ""):
            entry = self.mapping(raw, path, COURSE_KEYS)
            if entry is None:
                continue
            course_id = self.int_(entry, "id", path, required=True)
            account_id = self.int_(entry, "account", path, required=True)
            name = self.str_(entry, "name", path) or f"Course {course_id}"
            if account_id is not None and account_id not in self.accounts:
                self.add(f"{path}.account", f"no account with id {account_id}")
                continue
            if (
                course_id is None
                or account_id is None
                or not self.unique(seen, course_id, f"{path}.id", "course id")
            ):
                continue
            root = self.accounts[account_id].root_id or account_id
            self.courses[course_id] = Course(course_id, account_id, name, root)

    def load_users(self) -> None:
        raw_users = list(self.items("users", self.doc, ""))
        explicit: list[int] = [
            raw["id"] for _, raw in raw_users if isinstance(raw, dict) and _is_int(raw.get("id"))
        ]
        self.next_id = max(explicit, default=0) + 1
        seen_ids: dict[Any, str] = {}
        # account id -> lower-case unique_id -> where (no (account, unique_id) tuple each)
        self.seen_logins: dict[int, dict[Any, str]] = {}
        self.seen_sis: dict[Any, str] = {}
        self.seen_tokens: dict[Any, str] = {}
        for path, raw in raw_users:
            entry = self.mapping(raw, path, USER_KEYS)
            if entry is None:
                continue
            user_id = self.int_(entry, "id", path)
            if user_id is None and entry.get("id") is None:
                user_id = self.next_id
                self.next_id += 1
            if user_id is None or not self.unique(seen_ids, user_id, f"{path}.id", "user id"):
                continue
            user = self.build_user(user_id, entry, path)
            self.users[user_id] = user

    def build_user(self, user_id: int, entry: Mapping[str, Any], path: str) -> User:
        name = self.str_(entry, "name", path)
        if name is None or not name.strip():
            name = f"{self.faker.first_name()} {self.faker.last_name()}"
        created_at = self.time_(entry, "created_at", path)
        if created_at is None:
            created_at = self.faker.date_time_between_dates(*CREATED_AT_RANGE, tzinfo=UTC).replace(
                microsecond=0
            )
        user = User(
            id=user_id,
            name=name,
            sortable_name=self.str_(entry, "sortable_name", path) or sortable_name_for(name),
            short_name=self.str_(entry, "short_name", path) or name,
            created_at=created_at,
            avatar_url=self.str_(entry, "avatar_url", path),
            state=self.choice(entry, "state", path, ("active", "deleted"), "active"),
            site_admin=self.bool_(entry, "site_admin", path, False),
        )
        roots: set[int] = set()
        for lpath, raw in self.items("logins", entry, path):
            login_entry = self.mapping(raw, lpath, LOGIN_KEYS)
            if login_entry is None:
                continue
            account = self.root_account(
                self.int_(login_entry, "account", lpath, required=True), f"{lpath}.account"
            )
            unique_id = self.str_(login_entry, "unique_id", lpath, required=True)
            login = Login(
                account_id=account or 0,
                unique_id=unique_id or "",
                password=self.str_(login_entry, "password", lpath),
                sis_user_id=self.sis_(login_entry, "sis_user_id", lpath),
                integration_id=self.sis_(login_entry, "integration_id", lpath),
            )
            if account is None or unique_id is None:
                continue
            self.add_login(user, login, lpath)
            roots.add(account)
        for tpath, raw in self.items("tokens", entry, path):
            token = self.token(raw, tpath)
            if token is not None and self.unique(self.seen_tokens, token.token, tpath, "token", ""):
                user.tokens.append(token)
        for apath, raw in self.items("admin", entry, path):
            admin_entry = self.mapping(raw, apath, ADMIN_KEYS)
            if admin_entry is None:
                continue
            account_id = self.int_(admin_entry, "account", apath, required=True)
            if account_id is not None and account_id not in self.accounts:
                self.add(f"{apath}.account", f"no account with id {account_id}")
                continue
            permissions = self.permissions(admin_entry.get("permissions"), f"{apath}.permissions")
            if account_id is not None:
                user.admin.append(AdminRole(account_id, permissions))
        for epath, raw in self.items("enrollments", entry, path):
            enrollment_entry = self.mapping(raw, epath, ENROLLMENT_KEYS)
            if enrollment_entry is None:
                continue
            course_id = self.int_(enrollment_entry, "course", epath, required=True)
            kind = self.choice(enrollment_entry, "type", epath, ENROLLMENT_TYPES, "student")
            state = self.choice(enrollment_entry, "state", epath, ENROLLMENT_STATES, "active")
            if course_id is not None and course_id not in self.courses:
                self.add(f"{epath}.course", f"no course with id {course_id}")
                continue
            if course_id is not None:
                user.enrollments.append(Enrollment(course_id, kind, state))
                if state != "deleted":
                    roots.add(self.courses[course_id].root_account_id)
        self.user_roots[user_id] = roots
        return user

    def add_login(self, user: User, login: Login, path: str) -> None:
        if self.login_ok(login, path):
            user.logins.append(login)

    def login_ok(self, login: Login, path: str, unique_id_path: str | None = None) -> bool:
        """Record the login's unique_id (and SIS ids); False, with a problem, for a second
        one. `unique_id_path` is f"{path}.unique_id", made once by a caller with many."""
        seen = self.seen_logins.get(login.account_id)
        if seen is None:
            seen = self.seen_logins[login.account_id] = {}
        ok = self.unique(
            seen,
            login.unique_id.lower(),
            unique_id_path or f"{path}.unique_id",
            "login",
            f" {login.unique_id!r} in account {login.account_id}",
        )
        for value, what in (
            (login.sis_user_id, "sis_user_id"),
            (login.integration_id, "integration_id"),
        ):
            if value is not None:
                ok = (
                    self.unique(
                        self.seen_sis,
                        (login.account_id, what, value),
                        f"{path}.{what}",
                        what,
                        f" {value!r} in account {login.account_id}",
                    )
                    and ok
                )
        return ok

    def token(self, raw: Any, path: str) -> Token | None:
        if isinstance(raw, str):
            if not raw:
                self.add(path, "must not be empty")
                return None
            return Token(raw)
        entry = self.mapping(raw, path, TOKEN_KEYS)
        if entry is None:
            return None
        value = self.str_(entry, "token", path, required=True)
        expires_at = self.time_(entry, "expires_at", path)
        return Token(value, expires_at) if value else None

    def permissions(self, raw: Any, path: str) -> dict[str, bool]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.add(path, f"must be a mapping, not {_kind(raw)}")
            return {}
        result: dict[str, bool] = {}
        for key, value in raw.items():
            if key not in KNOWN_PERMISSIONS:
                self.add(
                    f"{path}.{key}",
                    "unknown permission (known: " + ", ".join(KNOWN_PERMISSIONS) + ")",
                )
            elif not isinstance(value, bool):
                self.add(f"{path}.{key}", f"must be true or false, not {_kind(value)}")
            else:
                result[key] = value
        return result

    # generated populations ------------------------------------------------------------

    def generate(self) -> None:
        self.generated_links: list[Link] = []
        for gpath, raw in self.items("generate", self.doc, ""):
            entry = self.mapping(raw, gpath, GENERATE_KEYS)
            if entry is None:
                continue
            account = self.root_account(
                self.int_(entry, "account", gpath, required=True), f"{gpath}.account"
            )
            students = self.count(entry, "students", gpath)
            observers = self.count(entry, "observers", gpath)
            per_observer = self.per_observer(
                entry.get("observees_per_observer"), f"{gpath}.observees_per_observer"
            )
            prefix = self.str_(entry, "token_prefix", gpath)
            password = self.str_(entry, "password", gpath) or "password"
            course_id = self.int_(entry, "course", gpath)
            if course_id is not None and course_id not in self.courses:
                self.add(f"{gpath}.course", f"no course with id {course_id}")
                continue
            if (
                course_id is not None
                and account is not None
                and self.courses[course_id].root_account_id != account
            ):
                self.add(f"{gpath}.course", f"course {course_id} is not in root account {account}")
                continue
            if account is None or per_observer is None or self.problems.lines:
                continue
            index = int(gpath.rsplit("[", 1)[1].rstrip("]"))
            self.populate(
                account,
                students,
                observers,
                per_observer,
                prefix,
                password,
                course_id,
                index,
                gpath,
            )

    def people(self, count: int) -> Iterator[tuple[str, str, datetime]]:
        """`count` (first name, last name, created_at) drawn in bulk from Faker's en_US name
        frequencies with the private generator: the same as Faker's own weighted choice,
        about 50 times faster for large populations."""
        rng = self.faker.random
        person = next(p for p in self.faker.get_providers() if hasattr(p, "last_names"))
        firsts = rng.choices(list(person.first_names), list(person.first_names.values()), k=count)
        lasts = rng.choices(list(person.last_names), list(person.last_names.values()), k=count)
        start, end = (int(moment.timestamp()) for moment in CREATED_AT_RANGE)
        created = [datetime.fromtimestamp(rng.randint(start, end), UTC) for _ in range(count)]
        return zip(firsts, lasts, created, strict=True)

    def count(self, entry: Mapping[str, Any], key: str, path: str) -> int:
        value = self.get(entry, key, path, _is_int, "an integer")
        if value is None:
            return 0
        if not 0 <= value <= 1_000_000:
            self.add(f"{path}.{key}", "must be between 0 and 1000000")
            return 0
        return int(value)

    def per_observer(self, raw: Any, path: str) -> tuple[int, int] | None:
        if raw is None:
            return (1, 1)
        if _is_int(raw):
            raw = [raw, raw]
        if (
            not isinstance(raw, list)
            or len(raw) != 2
            or not all(_is_int(v) for v in raw)
            or not 0 <= raw[0] <= raw[1] <= 1000
        ):
            self.add(path, "must be an integer or a pair [min, max] with 0 <= min <= max <= 1000")
            return None
        return (raw[0], raw[1])

    def populate(
        self,
        account: int,
        students: int,
        observers: int,
        per_observer: tuple[int, int],
        prefix: str | None,
        password: str,
        course_id: int | None,
        index: int,
        path: str,
    ) -> None:
        fake = self.faker
        rng = fake.random  # the private generator's random.Random: fast sampling
        name_prefix = prefix if prefix is not None else f"gen{index}-"
        student_ids: list[int] = []
        roots = {account}  # shared: the loader only reads user_roots
        token_path = f"{path}.token_prefix"  # one string each, not one per user
        for kind, count in (("student", students), ("observer", observers)):
            login_path = f"{path}.{kind}s"
            unique_id_path = f"{login_path}.unique_id"
            for k, (first, last, created_at) in enumerate(self.people(count), start=1):
                handle = f"{name_prefix}{kind}-{k}"
                login = Login(account, handle, password)
                login_ok = self.login_ok(login, login_path, unique_id_path)
                token_ok = prefix is not None and self.unique(
                    self.seen_tokens, handle, token_path, "token", ""
                )
                name = f"{first} {last}"
                # Each list made with its items: no spare room (a list grown by append has
                # room for 4), and no empty list made only to be replaced.
                user = User(
                    id=self.next_id,
                    name=name,
                    sortable_name=f"{last}, {first}",
                    short_name=name,  # the same text: one string
                    created_at=created_at,
                    logins=[login] if login_ok else [],
                    tokens=[Token(handle)] if token_ok else [],
                    enrollments=(
                        [Enrollment(course_id, "student", "active")]
                        if kind == "student" and course_id is not None
                        else []
                    ),
                )
                self.next_id += 1
                self.users[user.id] = user
                self.user_roots[user.id] = roots
                if kind == "student":
                    student_ids.append(user.id)
                else:
                    low, high = per_observer
                    wanted = min(rng.randint(low, high), len(student_ids))
                    for student in rng.sample(student_ids, wanted):
                        self.generated_links.append(Link(user.id, student, account))

    # links and pairing codes ----------------------------------------------------------

    def user_ref(self, entry: Mapping[str, Any], key: str, path: str) -> int | None:
        user_id = self.int_(entry, key, path, required=True)
        if user_id is not None and user_id not in self.users:
            self.add(f"{path}.{key}", f"no user with id {user_id}")
            return None
        return user_id

    def load_links(self) -> list[Link]:
        links: list[Link] = []
        seen: dict[Any, str] = {}
        for path, raw in self.items("observer_links", self.doc, ""):
            entry = self.mapping(raw, path, LINK_KEYS)
            if entry is None:
                continue
            observer = self.user_ref(entry, "observer", path)
            student = self.user_ref(entry, "observee", path)
            root = self.root_account(self.int_(entry, "root_account", path), f"{path}.root_account")
            state = self.choice(entry, "state", path, ("active", "deleted"), "active")
            if observer is None or student is None:
                continue
            if observer == student:
                self.add(path, f"user {observer} cannot observe itself")
                continue
            common = self.user_roots[observer] & self.user_roots[student]
            if entry.get("root_account") is None:
                if not common:
                    self.add(path, f"users {observer} and {student} share no root account")
                roots = sorted(common)
            elif root is None:
                continue
            elif root not in common:
                self.add(
                    f"{path}.root_account",
                    f"users {observer} and {student} do not both belong to root account {root}",
                )
                continue
            else:
                roots = [root]
            for root_id in roots:
                if self.unique(
                    seen,
                    (observer, student, root_id),
                    path,
                    "link",
                    f" from {observer} to {student} in root account {root_id}",
                ):
                    links.append(Link(observer, student, root_id, state))
        # Generated links are distinct (each observer is new and samples distinct students):
        # only a link of observer_links can be one of them again.
        if not seen:
            links.extend(self.generated_links)
        else:
            links.extend(
                link
                for link in self.generated_links
                if (link.observer_id, link.student_id, link.root_account_id) not in seen
            )
        return links

    def load_codes(self) -> list[PairingCode]:
        codes: list[PairingCode] = []
        seen: dict[Any, str] = {}
        for path, raw in self.items("pairing_codes", self.doc, ""):
            entry = self.mapping(raw, path, CODE_KEYS)
            if entry is None:
                continue
            user_id = self.user_ref(entry, "user", path)
            code = self.str_(entry, "code", path, required=True)
            expires_at = self.time_(entry, "expires_at", path) or self.now + DEFAULT_CODE_LIFETIME
            if code is not None and not PAIRING_CODE_RE.fullmatch(code):
                self.add(f"{path}.code", "must be 6 characters of A-Z, a-z and 0-9")
                continue
            if (
                user_id is None
                or code is None
                or not self.unique(seen, code, f"{path}.code", "pairing code")
            ):
                continue
            codes.append(PairingCode(user_id, code, expires_at.replace(microsecond=0)))
        return codes


# -- writing ----------------------------------------------------------------------------


def _time_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def dump_dataset(dataset: Dataset) -> dict[str, Any]:
    """The Dataset in the fixture format, everything explicit; load_mapping gives it back."""
    doc: dict[str, Any] = {"version": FORMAT_VERSION}
    if dataset.seed is not None:
        doc["seed"] = dataset.seed
    if dataset.settings:
        doc["settings"] = dict(dataset.settings)
    doc["accounts"] = [_dump_account(a) for a in dataset.accounts]
    doc["courses"] = [
        {"id": c.id, "account": c.account_id, "name": c.name} for c in dataset.courses
    ]
    doc["users"] = [_dump_user(u) for u in dataset.users]
    doc["observer_links"] = [
        {
            "observer": link.observer_id,
            "observee": link.student_id,
            "root_account": link.root_account_id,
            "state": link.state,
        }
        for link in dataset.links
    ]
    doc["pairing_codes"] = [
        {"user": c.user_id, "code": c.code, "expires_at": _time_text(c.expires_at)}
        for c in dataset.pairing_codes
        if c.workflow_state == "active"
    ]
    return doc


def _dump_account(account: Account) -> dict[str, Any]:
    data: dict[str, Any] = {"id": account.id, "name": account.name}
    if account.parent_id is not None:
        data["parent"] = account.parent_id
    if account.domain is not None:
        data["domain"] = account.domain
    if account.default:
        data["default"] = True
    data["self_registration"] = account.self_registration
    data["teachers_can_generate_pairing_codes"] = account.teachers_can_generate_pairing_codes
    data["avatars"] = account.avatars
    return data


def _dump_user(user: User) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": user.id,
        "name": user.name,
        "sortable_name": user.sortable_name,
        "short_name": user.short_name,
        "created_at": _time_text(user.created_at),
    }
    if user.avatar_url is not None:
        data["avatar_url"] = user.avatar_url
    if user.state != "active":
        data["state"] = user.state
    if user.site_admin:
        data["site_admin"] = True
    if user.logins:
        data["logins"] = [
            {
                k: v
                for k, v in (
                    ("account", login.account_id),
                    ("unique_id", login.unique_id),
                    ("password", login.password),
                    ("sis_user_id", login.sis_user_id),
                    ("integration_id", login.integration_id),
                )
                if v is not None
            }
            for login in user.logins
        ]
    if user.tokens:
        data["tokens"] = [
            {"token": t.token, "expires_at": _time_text(t.expires_at)} if t.expires_at else t.token
            for t in user.tokens
        ]
    if user.admin:
        data["admin"] = [
            {"account": role.account_id, "permissions": dict(role.permissions)}
            if role.permissions
            else {"account": role.account_id}
            for role in user.admin
        ]
    if user.enrollments:
        data["enrollments"] = [
            {"course": e.course_id, "type": e.type, "state": e.state} for e in user.enrollments
        ]
    return data
