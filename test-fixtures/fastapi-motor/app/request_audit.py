"""Request auditing and activity tracking.

Support reads the audit log, product reads the page views and the sessions' last activity.
Registered in main.py with app.middleware("http")(audit_requests) and app.add_middleware(...).
"""
import asyncio
import random
import time
from datetime import datetime, timedelta, timezone

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.middleware.base import BaseHTTPMiddleware

from app.db import db

router = APIRouter(prefix="/audit")

PAGE_VIEW_SAMPLE_RATE = 0.02
LAST_SEEN_EVERY = timedelta(minutes=5)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


async def audit_requests(request: Request, call_next):
    started = time.perf_counter()
    response = await call_next(request)
    await db.audit_log.insert_one(  # expect: per-request-db-write
        {
            "method": request.method,
            "path": request.url.path,
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000),
            "user_id": request.headers.get("x-user-id"),
            "at": utcnow(),
        }
    )
    if response.status_code >= 500:
        await db.failed_requests.insert_one({"path": request.url.path, "status": response.status_code, "at": utcnow()})  # ok: per-request-db-write -- error responses only
    return response


class ActivityMiddleware(BaseHTTPMiddleware):
    """Marks the caller active. Fire-and-forget: the response does not wait, the primary still takes the write."""

    async def dispatch(self, request: Request, call_next):
        response = await call_next(request)
        user_id = request.headers.get("x-user-id")
        if user_id:
            # expect: per-request-db-write
            asyncio.create_task(db.users.update_one({"_id": user_id}, {"$set": {"last_active_at": utcnow()}}))
        return response


class SessionMiddleware(BaseHTTPMiddleware):
    """Loads the session; refreshes its last_seen at most every five minutes; samples page views."""

    async def dispatch(self, request: Request, call_next):
        session = await db.sessions.find_one({"token": request.cookies.get("sid")})  # expect: missing-index; ok: per-request-db-write -- a read
        request.state.session = session
        response = await call_next(request)
        if session and utcnow() - session["last_seen"] > LAST_SEEN_EVERY:
            await db.sessions.update_one({"_id": session["_id"]}, {"$set": {"last_seen": utcnow()}})  # ok: per-request-db-write -- at most once per session every 5 minutes
        if random.random() < PAGE_VIEW_SAMPLE_RATE:
            await db.page_views.insert_one({"path": request.url.path, "at": utcnow()})  # ok: per-request-db-write -- a 2% sample
        return response


class AuditBuffer:
    """Audit rows collected by the middleware and written once a second in one insert_many."""

    def __init__(self, max_rows: int = 5000):
        self.rows: list[dict] = []
        self.max_rows = max_rows

    def add(self, row: dict) -> None:
        if len(self.rows) < self.max_rows:
            self.rows.append(row)

    async def flush_every(self, seconds: float = 1.0) -> None:
        while True:
            await asyncio.sleep(seconds)
            batch, self.rows = self.rows, []
            if batch:
                await db.audit_log.insert_many(batch, ordered=False)  # ok: per-request-db-write -- one batch per second, not in the middleware


audit_buffer = AuditBuffer()


async def buffered_audit(request: Request, call_next):
    response = await call_next(request)
    audit_buffer.add({"path": request.url.path, "status": response.status_code, "at": utcnow()})  # ok: per-request-db-write -- in memory
    return response


class Note(BaseModel):
    body: str


@router.post("/notes")
async def add_note(note: Note, request: Request):
    await db.audit_notes.insert_one({"body": note.body, "by": request.headers.get("x-user-id"), "at": utcnow()})  # ok: per-request-db-write -- the route's own write
    return {"ok": True}
