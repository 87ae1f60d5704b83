"""Email notifications: transactional mail, admin broadcasts and the SMTP health check."""
import asyncio
import secrets
import smtplib
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage

from arq.connections import ArqRedis
from fastapi import APIRouter, BackgroundTasks, Depends, Request
from motor.motor_asyncio import AsyncIOMotorDatabase
from pydantic import BaseModel, EmailStr

from app.config import settings
from app.db import get_db
from app.ratelimit import limiter

router = APIRouter(prefix="/notifications", tags=["notifications"])


class EmailIn(BaseModel):
    to: EmailStr
    subject: str
    body: str


class BroadcastIn(BaseModel):
    subject: str
    body: str
    segment: str = "all"


class ResetIn(BaseModel):
    email: EmailStr


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    return msg


def deliver(msg: EmailMessage) -> None:
    """Blocking SMTP delivery. Callers on the event loop hand it to a thread or a background task."""
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(msg)


async def get_queue(request: Request) -> ArqRedis:
    return request.app.state.arq


@router.post("/email", status_code=202)
async def send_email(payload: EmailIn, background_tasks: BackgroundTasks):
    background_tasks.add_task(deliver, build_message(payload.to, payload.subject, payload.body))  # ok: sync-smtp-in-request
    return {"queued": True}


@router.post("/email/now")
async def send_email_now(payload: EmailIn):
    await asyncio.to_thread(deliver, build_message(payload.to, payload.subject, payload.body))  # ok: sync-smtp-in-request
    return {"sent": True}


@router.post("/password-reset", status_code=202)
@limiter.limit("5/minute")
async def password_reset(request: Request, payload: ResetIn, db: AsyncIOMotorDatabase = Depends(get_db)):
    user = await db.users.find_one({"email": payload.email})  # ok: missing-index
    if user is not None:
        token = secrets.token_urlsafe(32)
        expires = datetime.now(timezone.utc) + timedelta(hours=1)
        await db.password_resets.insert_one({"user_id": user["_id"], "token": token, "expires_at": expires})
        link = f"{settings.public_url}/reset?token={token}"
        deliver(build_message(user["email"], "Reset your password", f"Open {link} within an hour."))  # expect: sync-smtp-in-request (error)
    return {"status": "If the address is known, a link is on its way."}


@router.post("/broadcast", status_code=202)
async def broadcast(payload: BroadcastIn, db: AsyncIOMotorDatabase = Depends(get_db), queue: ArqRedis = Depends(get_queue)):
    query = {"unsubscribed": False} if payload.segment == "all" else {"unsubscribed": False, "segment": payload.segment}
    recipients = await db.users.find(query, {"email": 1}).to_list(5000)  # expect: hardcoded-fetch-cap (error)
    for user in recipients:
        await queue.enqueue_job("send_email", user["email"], payload.subject, payload.body)  # ok: sync-smtp-in-request
    return {"status": "queued"}


@router.get("/smtp-check")
async def smtp_check():
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=5) as smtp:  # expect: sync-smtp-in-request (error)
        code, _ = smtp.noop()
    return {"smtp": "ok" if code == 250 else "degraded"}
