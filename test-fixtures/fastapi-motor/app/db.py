"""MongoDB clients. One client per cluster and process: Motor pools connections per client."""
from motor.motor_asyncio import AsyncIOMotorClient, AsyncIOMotorDatabase
from pymongo import MongoClient

from app.config import settings

# The primary cluster: every request goes through this client.
client = AsyncIOMotorClient(settings.mongo_url, uuidRepresentation="standard")  # expect: pool-unconfigured
db: AsyncIOMotorDatabase = client[settings.mongo_db]

# The analytics replica, sized for the scheduler's batch reads.
analytics_client = AsyncIOMotorClient(  # ok: pool-unconfigured
    settings.analytics_url,
    maxPoolSize=20,
    minPoolSize=2,
    maxIdleTimeMS=60_000,
)
analytics = analytics_client["analytics"]

# Cold storage for closed accounts; the pool size travels in the connection string.
archive_client = AsyncIOMotorClient("mongodb://archive.internal:27017/?maxPoolSize=10&readPreference=secondary")  # ok: pool-unconfigured
archive = archive_client["archive"]


# Full-text search cluster. 500 per process x 12 gunicorn workers (Procfile) = 6,000 connections;
# the drivers' default 100 x 12 = 1,200 of the clients above fits the 1,500 assumed for MongoDB.
search_client = AsyncIOMotorClient(  # ok: pool-unconfigured
    settings.search_url,
    maxPoolSize=500,  # expect: pool-oversized
    waitQueueTimeoutMS=2_000,
)
search = search_client["search"]


# Blocking client for the admin CLI (`python -m app.admin`), which never runs on the event loop.
admin_client = MongoClient(settings.mongo_url, serverSelectionTimeoutMS=5000)  # expect: pool-unconfigured


def sync_client() -> MongoClient:
    """For the migration scripts, which run outside the event loop. Options come from the settings."""
    return MongoClient(settings.mongo_url, **settings.mongo_options)  # ok: pool-unconfigured -- options unknown here


async def get_db() -> AsyncIOMotorDatabase:
    return db


async def ensure_indexes() -> None:
    await db.users.create_index("email", unique=True)
    await db.notifications.create_index([("user_id", 1), ("created_at", -1)])
    await db.sessions.create_index("last_seen")
