"""Sign-in and avatar upload."""
import asyncio
import shutil

from fastapi import APIRouter, Depends, HTTPException, UploadFile
from motor.motor_asyncio import AsyncIOMotorDatabase
from passlib.context import CryptContext

from app.db import get_db

router = APIRouter(prefix="/sessions", tags=["sessions"])
pwd = CryptContext(schemes=["bcrypt"], deprecated="auto")


@router.post("")
async def sign_in(email: str, password: str, db: AsyncIOMotorDatabase = Depends(get_db)):
    user = await db.users.find_one({"email": email})
    if not user or not pwd.verify(password, user["password_hash"]):  # expect: blocking-call-in-async
        raise HTTPException(401)
    return {"id": str(user["_id"])}


@router.post("/password")
async def change_password(user_id: str, password: str, db: AsyncIOMotorDatabase = Depends(get_db)):
    hashed = await asyncio.to_thread(pwd.hash, password)  # ok: blocking-call-in-async
    await db.users.update_one({"_id": user_id}, {"$set": {"password_hash": hashed}})
    return {"ok": True}


@router.post("/avatar")
async def upload_avatar(user_id: str, file: UploadFile):
    with open(f"/srv/avatars/{user_id}.png", "wb") as out:
        shutil.copyfileobj(file.file, out)  # expect: blocking-call-in-async
    return {"ok": True}
