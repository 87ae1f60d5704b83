"""Order status feed for the kitchen screens: server-sent events fed from the order routes."""
import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from app.db import db

router = APIRouter(prefix="/feed", tags=["feed"])

kitchen_screens: list[asyncio.Queue] = []  # expect: in-process-shared-state
print_jobs: list[asyncio.Queue] = []  # ok: in-process-shared-state -- work queues, no event stream opened for them


@router.get("/orders")
async def order_stream(request: Request):
    screen = asyncio.Queue()
    kitchen_screens.append(screen)

    async def events():
        try:
            while not await request.is_disconnected():
                order = await screen.get()
                yield f"data: {order['_id']}\n\n"
        finally:
            kitchen_screens.remove(screen)

    return StreamingResponse(events(), media_type="text/event-stream")


@router.post("/orders/{order_id}/ready")
async def mark_ready(order_id: str):
    order = await db.orders.find_one_and_update({"_id": order_id}, {"$set": {"status": "ready"}})
    for screen in kitchen_screens:
        await screen.put(order)
    return {"ok": True}


@router.post("/orders/{order_id}/print")
async def print_ticket(order_id: str):
    job = asyncio.Queue()
    print_jobs.append(job)
    for queue in print_jobs:
        queue.put_nowait(order_id)
    return {"queued": True}
