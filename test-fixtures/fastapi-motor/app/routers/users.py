"""User directory: listing, search, leaderboard and the admin export."""
from bson import ObjectId
from fastapi import APIRouter, Depends, HTTPException, Query
from motor.motor_asyncio import AsyncIOMotorDatabase

from app.db import get_db

router = APIRouter(prefix="/users", tags=["users"])

PUBLIC_FIELDS = {"password_hash": 0, "mfa_secret": 0}


def serialize(user: dict) -> dict:
    user["id"] = str(user.pop("_id"))
    return user


@router.get("")
async def list_users(db: AsyncIOMotorDatabase = Depends(get_db)):
    users = await db.users.find({"deleted": False}, PUBLIC_FIELDS).sort("created_at", -1).to_list(1000)  # expect: hardcoded-fetch-cap (warning), missing-index
    return [serialize(u) for u in users]


@router.get("/page")
async def page_users(
    skip: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=200),
    db: AsyncIOMotorDatabase = Depends(get_db),
):
    cursor = db.users.find({"deleted": False}, PUBLIC_FIELDS).sort("_id", 1).skip(skip).limit(limit)  # expect: missing-index
    users = await cursor.to_list(length=limit)  # ok: hardcoded-fetch-cap, unbounded-fetch
    return [serialize(u) for u in users]


@router.get("/leaderboard")
async def leaderboard(db: AsyncIOMotorDatabase = Depends(get_db)):
    top = await db.users.find({"deleted": False}, {"name": 1, "score": 1}).sort("score", -1).limit(5).to_list(5)  # expect: missing-index; ok: hardcoded-fetch-cap
    return [serialize(u) for u in top]


@router.get("/search")
async def search_users(q: str, limit: int = Query(20, le=100), db: AsyncIOMotorDatabase = Depends(get_db)):
    # Over-fetch so that suspended accounts can be dropped below and the page still fills up.
    # ok: unbounded-fetch -- the chain is bounded by .limit()
    found = await db.users.find({"$text": {"$search": q}}, PUBLIC_FIELDS).limit(limit * 2).to_list(None)  # expect: over-fetch-multiplier
    visible = [u for u in found if not u.get("suspended")]
    return [serialize(u) for u in visible[:limit]]


@router.get("/{user_id}/notifications")
async def user_notifications(user_id: str, db: AsyncIOMotorDatabase = Depends(get_db)):
    items = await db.notifications.find({"user_id": ObjectId(user_id)}).sort("created_at", -1).to_list(100)  # expect: hardcoded-fetch-cap (warning)
    return [serialize(n) for n in items]


@router.get("/{user_id}/devices")
async def user_devices(user_id: str, db: AsyncIOMotorDatabase = Depends(get_db)):
    # A user has a handful of devices; the explicit limit bounds the list.
    devices = await db.devices.find({"user_id": ObjectId(user_id)}).limit(20).to_list(500)  # expect: missing-index; ok: hardcoded-fetch-cap
    return [serialize(d) for d in devices]


@router.get("/{user_id}")
async def get_user(user_id: str, db: AsyncIOMotorDatabase = Depends(get_db)):
    user = await db.users.find_one({"_id": ObjectId(user_id)}, PUBLIC_FIELDS)  # ok: missing-index
    if user is None:
        raise HTTPException(status_code=404, detail="User not found")
    return serialize(user)


@router.get("/admin/export")
async def export_users(db: AsyncIOMotorDatabase = Depends(get_db)):
    users = await db.users.find({}, {"email": 1, "name": 1, "created_at": 1}).to_list(None)  # expect: unbounded-fetch
    return [serialize(u) for u in users]
