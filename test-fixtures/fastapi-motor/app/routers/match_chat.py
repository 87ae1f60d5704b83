"""Match chat: every instance keeps its own sockets and relays the messages it gets from Redis."""
import redis.asyncio as aioredis
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from app.config import settings

router = APIRouter(prefix="/chat", tags=["chat"])
redis = aioredis.from_url(settings.redis_url)

CHANNEL = "match-chat"
local_sockets: set[WebSocket] = set()  # ok: in-process-shared-state -- fed by Redis pub/sub below


async def relay() -> None:
    """Started with the app: delivers what any instance published to the sockets of this one."""
    pubsub = redis.pubsub()
    await pubsub.subscribe(CHANNEL)
    async for message in pubsub.listen():
        if message["type"] != "message":
            continue
        for ws in list(local_sockets):
            try:
                await ws.send_text(message["data"].decode())
            except RuntimeError:
                local_sockets.discard(ws)


@router.websocket("/ws")
async def chat(websocket: WebSocket):
    await websocket.accept()
    local_sockets.add(websocket)
    try:
        while True:
            text = await websocket.receive_text()
            await redis.publish(CHANNEL, text)
    except WebSocketDisconnect:
        local_sockets.discard(websocket)
