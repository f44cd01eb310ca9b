"""The pytest plugin as a downstream suite sees it: pytester runs that load it from its
`pytest11` entry point (the package is installed editable), with nothing in a conftest.

`pytester` itself comes from `-p pytester` in pyproject.toml's addopts: pytest refuses
`pytest_plugins` in a conftest below the rootdir when the whole suite runs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]

# Two tiny fixtures whose users tell which one a test got.
SCHOOL = """
version: 1
accounts: [{id: 1, name: Tiny School, default: true}]
courses: [{id: 10, account: 1, name: Reading}]
users:
  - {id: 1, name: Pat Parent, logins: [{account: 1, unique_id: pat@tiny.test}], tokens: [pat-token]}
  - id: 2
    name: Sam Student
    logins: [{account: 1, unique_id: sam@tiny.test}]
    tokens: [sam-token]
    enrollments: [{course: 10}]
observer_links: [{observer: 1, observee: 2}]
"""
OTHER = """
version: 1
accounts: [{id: 1, name: Other School}]
users:
  - {id: 7, name: Olive Other, logins: [{account: 1, unique_id: olive@other.test}], tokens: [olive-token]}
"""


@pytest.fixture
def repo_fixtures(pytester: pytest.Pytester) -> Path:
    """The repository's example fixture files, copied to fixtures/ in the pytester dir."""
    target = pytester.path / "fixtures"
    shutil.copytree(REPO / "fixtures", target)
    return target
