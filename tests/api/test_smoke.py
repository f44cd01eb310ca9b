from tests.conftest import ApiClient


def test_list_observees_self_returns_linked_students(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observees", token="parent-token")
    assert r.status == 200
    assert [u["id"] for u in r.body] == [201, 200]
