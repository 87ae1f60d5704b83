"""Push and webhook broadcasts: one message to every device or subscriber of a segment."""
import asyncio

import httpx
from fastapi import APIRouter, Depends
from motor.motor_asyncio import AsyncIOMotorDatabase
from pydantic import BaseModel

from app.config import settings
from app.db import get_db
from app.push import chunked, deliver_webhook, load_segment_devices, load_subscribers, send_push

router = APIRouter(prefix="/broadcasts", tags=["broadcasts"])

# At most this many pushes in flight per process, whichever endpoint sends them.
push_slots = asyncio.Semaphore(50)
webhook_client = httpx.AsyncClient(timeout=10)


class PushIn(BaseModel):
    segment: str
    message: str


async def push_one(device: dict, message: str) -> None:
    async with push_slots:
        await send_push(device["token"], message)


@router.post("/push")
async def push_to_segment(body: PushIn, db: AsyncIOMotorDatabase = Depends(get_db)):
    devices = await load_segment_devices(db, body.segment)
    # expect: unbounded-fan-out
    results = await asyncio.gather(*[send_push(d["token"], body.message) for d in devices], return_exceptions=True)
    failed = sum(1 for r in results if isinstance(r, Exception))
    return {"sent": len(devices) - failed, "failed": failed}


@router.post("/push/throttled")
async def push_to_segment_throttled(body: PushIn, db: AsyncIOMotorDatabase = Depends(get_db)):
    devices = await load_segment_devices(db, body.segment)
    await asyncio.gather(*[push_one(d, body.message) for d in devices])  # ok: unbounded-fan-out -- push_one holds push_slots
    return {"sent": len(devices)}


@router.post("/push/batched")
async def push_to_segment_batched(body: PushIn, db: AsyncIOMotorDatabase = Depends(get_db)):
    devices = await load_segment_devices(db, body.segment)
    for batch in chunked(devices, 100):
        await asyncio.gather(*(send_push(d["token"], body.message) for d in batch))  # ok: unbounded-fan-out -- 100 at a time
    return {"sent": len(devices)}


@router.post("/events/{event_type}")
async def publish_event(event_type: str, payload: dict, db: AsyncIOMotorDatabase = Depends(get_db)):
    subscribers = await load_subscribers(db, event_type)
    for sub in subscribers:
        asyncio.create_task(deliver_webhook(webhook_client, sub["url"], payload))  # expect: unbounded-fan-out
    return {"queued": len(subscribers)}


@router.get("/health")
async def broadcast_health(db: AsyncIOMotorDatabase = Depends(get_db)):
    await asyncio.gather(db.command("ping"), send_push(settings.canary_token, "ping"))  # ok: unbounded-fan-out
    return {"ok": True}


async def start_push_workers(queue: asyncio.Queue) -> list[asyncio.Task]:
    # ok: unbounded-fan-out -- a fixed pool of workers
    return [asyncio.create_task(push_worker(queue)) for _ in range(settings.push_workers)]


async def push_worker(queue: asyncio.Queue) -> None:
    while True:
        device, message = await queue.get()
        await send_push(device["token"], message)
        queue.task_done()
