"""Third-party integrations: Gravatar avatars, the CRM contact sync, Slack alerts and PDF exports."""
import asyncio
import os
import subprocess
import time
from pathlib import Path

import httpx
import redis
import requests
from fastapi import APIRouter, Depends, HTTPException
from motor.motor_asyncio import AsyncIOMotorDatabase
from pydantic import BaseModel

from app.config import settings
from app.db import get_db

router = APIRouter(prefix="/integrations", tags=["integrations"])

CRM_URL = os.environ.get("CRM_URL", "https://crm.internal/api")
EXPORT_TEMPLATE = Path(__file__).parent / "templates" / "export.html"

# Feature switches live in the shared Redis; this module talks to it with the sync client.
switches = redis.Redis.from_url(settings.redis_url, decode_responses=True)

crm = requests.Session()
crm.headers["Authorization"] = f"Bearer {os.environ.get('CRM_TOKEN', '')}"

slack = httpx.AsyncClient(timeout=5)

# Fetched once at import time, before the app serves anything.
SLACK_WEBHOOK = requests.get(f"{CRM_URL}/slack-webhook", timeout=5).json()["url"]  # ok: blocking-call-in-async


class ResolveIn(BaseModel):
    items: list[dict]
    target: str


@router.get("/avatar/{user_id}")
async def avatar(user_id: str, db: AsyncIOMotorDatabase = Depends(get_db)):
    user = await db.users.find_one({"_id": user_id}, {"email_hash": 1})
    if user is None:
        raise HTTPException(404)
    # expect: blocking-call-in-async (error)
    resp = requests.get(f"https://www.gravatar.com/avatar/{user['email_hash']}?d=404", timeout=3)
    return {"found": resp.status_code == 200}


@router.post("/crm/{user_id}")
async def sync_contact(user_id: str, db: AsyncIOMotorDatabase = Depends(get_db)):
    if switches.get("crm-sync:paused"):  # expect: blocking-call-in-async
        raise HTTPException(503, "CRM sync is paused")
    user = await db.users.find_one({"_id": user_id}, {"email": 1, "name": 1})
    crm.post(f"{CRM_URL}/contacts", json={"email": user["email"], "name": user["name"]}, timeout=10)  # expect: blocking-call-in-async
    await asyncio.to_thread(crm.post, f"{CRM_URL}/events", json={"type": "synced", "user": user_id})  # ok: blocking-call-in-async
    return {"synced": True}


@router.post("/alerts")
async def alert(text: str):
    for attempt in range(3):
        r = await slack.post(SLACK_WEBHOOK, json={"text": text})  # ok: blocking-call-in-async
        if r.status_code < 500:
            return {"ok": True}
        time.sleep(2**attempt)  # expect: blocking-call-in-async (error)
    await asyncio.sleep(1)  # ok: blocking-call-in-async
    return {"ok": False}


@router.post("/exports/{user_id}")
async def export_pdf(user_id: str):
    html = open(EXPORT_TEMPLATE).read()  # expect: blocking-call-in-async (warning)
    Path(f"/tmp/{user_id}.html").write_text(html.replace("{{user}}", user_id))
    cmd = ["wkhtmltopdf", f"/tmp/{user_id}.html", f"/tmp/{user_id}.pdf"]
    await asyncio.to_thread(subprocess.run, cmd, check=True)  # ok: blocking-call-in-async
    return {"pdf": f"/tmp/{user_id}.pdf"}


@router.post("/resolve")
async def resolve(payload: ResolveIn):
    requests = {item["id"]: item for item in payload.items}
    return requests.get(payload.target)  # ok: blocking-call-in-async -- a local dict, not the library


@router.get("/version")
def version():
    # A sync route: FastAPI runs it in its threadpool, off the event loop.
    sha = subprocess.check_output(["git", "rev-parse", "HEAD"], text=True).strip()  # ok: blocking-call-in-async
    status = requests.get(f"{CRM_URL}/status", timeout=3).json()  # ok: blocking-call-in-async
    return {"sha": sha, "crm": status}
