"""/api/v1/api-keys: a manager creates, lists and revokes its own council's keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, StringConstraints

from api.auth import KeyManager
from api.problems import problem_responses
from service.callers import Role
from service.errors import Forbidden, KeyNotFound
from store.api_keys import ApiKeys, KeyInfo

router = APIRouter(prefix="/api/v1/api-keys", tags=["api keys"])

KeyName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"^\S.*$")
]
KeyIdPath = Annotated[str, Path(pattern=r"^[0-9a-f]{8}$", description="the key's id")]


class NewApiKey(BaseModel):
    """A key to make, for the manager's own council."""

    model_config = {"extra": "forbid"}

    name: KeyName = Field(description="what events record as recorded_by, e.g. CMS import")
    role: Role


class ApiKeyInfo(BaseModel):
    """A key, never its secret."""

    key_id: str
    name: str
    council: str
    role: Role
    created_at: datetime
    created_by: str
    revoked_at: datetime | None


class CreatedApiKey(ApiKeyInfo):
    key: str = Field(description="the key itself: shown this once, stored only as a hash")


def _info(info: KeyInfo) -> ApiKeyInfo:
    return ApiKeyInfo(**info.__dict__)


def _keys(request: Request) -> ApiKeys:
    return request.app.state.keys


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CreatedApiKey,
    responses=problem_responses(401, 403, 422, 429),
    summary="Create a key",
)
async def create_key(caller: KeyManager, request: Request, new: NewApiKey) -> CreatedApiKey:
    """A new key for the manager's council; the response is the only time it is shown."""
    councils = request.app.state.settings.councils
    if caller.council not in councils:  # the council was taken out of the configuration
        raise Forbidden(
            f"your key's council {caller.council!r} is not a council of this service "
            f"(allowed: {', '.join(sorted(councils))}); no key was made"
        )
    key, info = await run_in_threadpool(
        _keys(request).create, new.name, caller.council, new.role, caller.name
    )
    return CreatedApiKey(key=key, **_info(info).model_dump())


@router.get(
    "",
    response_model=list[ApiKeyInfo],
    responses=problem_responses(401, 403, 422, 429),
    summary="List keys",
)
async def list_keys(caller: KeyManager, request: Request) -> list[ApiKeyInfo]:
    """The council's keys that are not revoked, oldest first."""
    keys = await run_in_threadpool(_keys(request).list, caller.council)
    return [_info(k) for k in keys]


@router.delete(
    "/{key_id}",
    response_model=ApiKeyInfo,
    responses=problem_responses(401, 403, 404, 422, 429),
    summary="Revoke a key",
)
async def revoke_key(caller: KeyManager, request: Request, key_id: KeyIdPath) -> ApiKeyInfo:
    """Revoke one of the council's keys at once (a key of another council is 404)."""
    info = await run_in_threadpool(_keys(request).revoke, key_id, caller.council)
    request.app.state.known_keys.forget_all()
    if info is None:
        raise KeyNotFound(f"no key {key_id}")
    return _info(info)
