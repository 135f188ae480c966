"""Who may do what: every role x operation pair, and nothing crosses a council boundary."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx
import pytest

from service.callers import Role
from tests.integration.apiclient import Api, case_body, is_problem, new_ref, today, wait_listed

pytestmark = pytest.mark.integration

Op = Callable[[httpx.AsyncClient, str, Api], Awaitable[httpx.Response]]


async def _start(client, ref, api):
    return await client.post("/api/v1/cases", json=case_body(new_ref("ACC")))


async def _event(client, ref, api):
    # a case of its own each time: a case takes an event like this once
    own = new_ref("ACC")
    starter = api.client(api.key("access", "caseworker"))
    assert (await starter.post("/api/v1/cases", json=case_body(own))).status_code == 201
    event = {"kind": "mediation_adviser_contacted", "date": today().isoformat()}
    return await client.post(f"/api/v1/cases/{own}/events", json=event)


async def _create_key(client, ref, api):
    return await client.post("/api/v1/api-keys", json={"name": "made by a test", "role": "viewer"})


async def _revoke_key(client, ref, api):
    victim = api.key("access", "viewer", "to revoke")
    return await client.delete(f"/api/v1/api-keys/{victim.split('_')[1]}")


OPERATIONS: dict[str, tuple[Op, set[Role]]] = {
    "list": (lambda c, r, a: c.get("/api/v1/cases"), set(Role)),
    "status": (lambda c, r, a: c.get(f"/api/v1/cases/{r}"), set(Role)),
    "timeline": (lambda c, r, a: c.get(f"/api/v1/cases/{r}/timeline"), set(Role)),
    "deadlines": (
        lambda c, r, a: c.get("/api/v1/deadlines", params={"decision_date": "2026-10-01"}),
        set(Role),
    ),
    "start": (_start, {Role.caseworker, Role.manager}),
    "event": (_event, {Role.caseworker, Role.manager}),
    "list keys": (lambda c, r, a: c.get("/api/v1/api-keys"), {Role.manager}),
    "create key": (_create_key, {Role.manager}),
    "revoke key": (_revoke_key, {Role.manager}),
}


@pytest.fixture(scope="module")
async def access_case(api: Api) -> str:
    ref = new_ref("ACC")
    client = api.client(api.key("access", "caseworker"))
    response = await client.post("/api/v1/cases", json=case_body(ref))
    assert response.status_code == 201, response.text
    return ref


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("operation", list(OPERATIONS))
async def test_role_operation(api: Api, access_case: str, role: Role, operation: str):
    run, allowed = OPERATIONS[operation]
    response = await run(api.client(api.key("access", role)), access_case, api)
    if role in allowed:
        assert response.status_code in (200, 201), response.text
    else:
        body = is_problem(response, 403, "forbidden")
        assert f"a {role} key cannot" in body["detail"]


async def test_keys_made_over_the_api_work_and_are_shown_once(api: Api):
    manager = api.client(api.key("keyscouncil", "manager", "SEND manager"))
    made = await manager.post("/api/v1/api-keys", json={"name": "Nightly import", "role": "viewer"})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["council"] == "keyscouncil" and body["created_by"] == "SEND manager"
    assert (await api.client(body["key"]).get("/api/v1/cases")).status_code == 200
    listed = (await manager.get("/api/v1/api-keys")).json()
    assert body["key_id"] in [k["key_id"] for k in listed]
    assert all("key" not in k and "secret_hash" not in k for k in listed)
    revoked = await manager.delete(f"/api/v1/api-keys/{body['key_id']}")
    assert revoked.json()["revoked_at"] is not None
    is_problem(await api.client(body["key"]).get("/api/v1/cases"), 401)


async def test_nothing_crosses_a_council_boundary(api: Api):
    """Two councils, keys for each: every endpoint tried across the boundary answers exactly
    as for something that does not exist."""
    north = api.client(api.key("northshire", "manager"))
    south = api.client(api.key("southshire", "manager"))
    ref = new_ref("NTH")
    decision = today() - timedelta(days=10)
    assert (await north.post("/api/v1/cases", json=case_body(ref, decision))).status_code == 201
    missing = new_ref("NTH")

    for path in ("/api/v1/cases/{}", "/api/v1/cases/{}/timeline"):
        theirs = await south.get(path.format(ref))
        nothing = await south.get(path.format(missing))
        assert theirs.status_code == nothing.status_code == 404
        assert theirs.json() == {**nothing.json(), "detail": f"no case {ref}"}
        assert (await north.get(path.format(ref))).status_code == 200

    event = {"kind": "mediation_declined", "date": decision.isoformat()}
    theirs = await south.post(f"/api/v1/cases/{ref}/events", json=event)
    nothing = await south.post(f"/api/v1/cases/{missing}/events", json=event)
    assert theirs.status_code == nothing.status_code == 404
    assert theirs.json() == {**nothing.json(), "detail": f"no case {ref}"}
    timeline = (await north.get(f"/api/v1/cases/{ref}/timeline")).json()
    assert timeline["events"] == [], "an event from another council reached the case"

    # lists: never the other council's cases, and asking for them is refused
    await _wait_north_lists(north, ref)
    south_cases = (await south.get("/api/v1/cases", params={"limit": 1000})).json()["cases"]
    assert all(c["council"] == "southshire" for c in south_cases)
    assert ref not in [c["case_ref"] for c in south_cases]
    asked = await south.get("/api/v1/cases", params={"council": "northshire"})
    assert is_problem(asked, 422)["errors"][0]["pointer"] == "/council"

    # starting a case for the other council is refused; keys of the other council are 404
    other = await south.post("/api/v1/cases", json=case_body(new_ref(), council="northshire"))
    is_problem(other, 422)
    north_key = (await north.post("/api/v1/api-keys", json={"name": "n", "role": "viewer"})).json()
    gone = await south.delete(f"/api/v1/api-keys/{north_key['key_id']}")
    is_problem(gone, 404)
    assert north_key["key_id"] not in [
        k["key_id"] for k in (await south.get("/api/v1/api-keys")).json()
    ]
    assert (await api.client(north_key["key"]).get(f"/api/v1/cases/{ref}")).status_code == 200


async def _wait_north_lists(north: httpx.AsyncClient, ref: str) -> None:
    await wait_listed(north, ref)
