"""Live match scores: a WebSocket feed for the scoreboard and the cached lookups it serves."""
from functools import lru_cache

from async_lru import alru_cache
from cachetools import TTLCache
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from app.db import db

router = APIRouter(prefix="/live", tags=["live"])

PERIOD_NAMES = {"1h": "First half", "2h": "Second half", "et": "Extra time"}  # ok: in-process-shared-state

# expect: in-process-shared-state
standings_cache = TTLCache(maxsize=512, ttl=300)


class ScoreboardManager:
    """Keeps the scoreboard sockets and pushes each goal to all of them."""

    def __init__(self):
        self.active_connections: list[WebSocket] = []  # expect: in-process-shared-state

    async def connect(self, websocket: WebSocket):
        await websocket.accept()
        self.active_connections.append(websocket)

    def disconnect(self, websocket: WebSocket):
        self.active_connections.remove(websocket)

    async def broadcast(self, event: dict):
        for connection in self.active_connections:
            await connection.send_json(event)


manager = ScoreboardManager()


@lru_cache(maxsize=128)  # ok: in-process-shared-state -- a pure function
def parse_period(code: str) -> str:
    return PERIOD_NAMES.get(code, code.upper())


@alru_cache(ttl=30)  # expect: in-process-shared-state
async def get_team(team_id: str) -> dict | None:
    return await db.teams.find_one({"_id": team_id}, {"name": 1, "crest_url": 1})


@router.get("/standings/{league_id}")
async def standings(league_id: str):
    if league_id in standings_cache:
        return standings_cache[league_id]
    table = await db.standings.find_one({"_id": league_id}, {"rows": 1, "updated_at": 1})
    standings_cache[league_id] = table
    return table


@router.post("/matches/{match_id}/goals", status_code=201)
async def record_goal(match_id: str, goal: dict):
    await db.goals.insert_one({"match_id": match_id, **goal})
    team = await get_team(goal["team_id"])
    await manager.broadcast({"match_id": match_id, "team": team["name"], "minute": goal["minute"], "period": parse_period(goal["period"])})


@router.websocket("/ws/scoreboard")
async def scoreboard(websocket: WebSocket):
    await manager.connect(websocket)
    seen = set()  # ok: in-process-shared-state -- one connection's own state
    try:
        while True:
            match_id = await websocket.receive_text()
            seen.add(match_id)
    except WebSocketDisconnect:
        manager.disconnect(websocket)
