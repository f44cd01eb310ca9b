"""Plain data: the Canvas objects the mock knows about, in Canvas's own words."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

LinkState = Literal["active", "deleted"]
UserState = Literal["active", "deleted"]
EnrollmentType = Literal["student", "teacher", "ta", "observer", "designer"]
ENROLLMENT_TYPES: tuple[str, ...] = ("student", "teacher", "ta", "observer", "designer")
ENROLLMENT_STATES: tuple[str, ...] = ("active", "invited", "completed", "inactive", "deleted")

MANAGE_USER_OBSERVERS = "manage_user_observers"
GENERATE_OBSERVER_PAIRING_CODE = "generate_observer_pairing_code"
# Account-admin permissions the mock knows; every one is granted unless a fixture sets it false.
KNOWN_PERMISSIONS: tuple[str, ...] = (
    MANAGE_USER_OBSERVERS,
    GENERATE_OBSERVER_PAIRING_CODE,
    "read_sis",
    "manage_sis",
    "view_user_logins",
)


@dataclass(slots=True)
class Account:
    """A Canvas account; a root account has no parent."""

    id: int
    name: str
    parent_id: int | None = None
    domain: str | None = None
    default: bool = False
    self_registration: bool = True
    teachers_can_generate_pairing_codes: bool = False
    avatars: bool = True  # the account's avatars service (Canvas's default is off)
    root_id: int = 0  # filled in by the loader: the id of the root account above (or self)

    @property
    def is_root(self) -> bool:
        return self.parent_id is None


@dataclass(slots=True)
class Course:
    id: int
    account_id: int
    name: str
    root_account_id: int = 0  # filled in by the loader


@dataclass(slots=True)
class Login:
    """A Canvas pseudonym: a user's unique_id and password in one root account."""

    account_id: int
    unique_id: str
    password: str | None = None
    sis_user_id: str | None = None
    integration_id: str | None = None


@dataclass(slots=True)
class Token:
    token: str
    expires_at: datetime | None = None


@dataclass(slots=True)
class AdminRole:
    """An account admin role; every permission is granted unless set false."""

    account_id: int
    permissions: dict[str, bool] = field(default_factory=dict)

    def grants(self, permission: str) -> bool:
        return self.permissions.get(permission, True)


@dataclass(slots=True)
class Enrollment:
    course_id: int
    type: str = "student"
    state: str = "active"


@dataclass(slots=True)
class User:
    id: int
    name: str
    sortable_name: str
    short_name: str
    created_at: datetime
    avatar_url: str | None = None
    state: str = "active"
    site_admin: bool = False
    logins: list[Login] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    admin: list[AdminRole] = field(default_factory=list)
    enrollments: list[Enrollment] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.state == "active"


@dataclass(slots=True)
class Link:
    """A UserObservationLink: one row per (observer, student, root account)."""

    observer_id: int
    student_id: int
    root_account_id: int
    state: str = "active"


@dataclass(slots=True)
class PairingCode:
    user_id: int
    code: str
    expires_at: datetime
    workflow_state: str = "active"


@dataclass(slots=True)
class Dataset:
    """Everything a fixture describes, validated and complete (Faker has filled the gaps)."""

    accounts: list[Account] = field(default_factory=list)
    courses: list[Course] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    pairing_codes: list[PairingCode] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    source: str = "<fixture>"
