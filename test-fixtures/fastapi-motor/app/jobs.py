"""Scheduled jobs: the daily digest, renewal reminders, trial notices and session cleanup."""
import asyncio
import logging
import smtplib
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from motor.motor_asyncio import AsyncIOMotorDatabase

from app.config import settings
from app.db import analytics, db
from app.routers.notifications import build_message, deliver

log = logging.getLogger(__name__)

scheduler = AsyncIOScheduler(timezone="UTC")


async def send_daily_digest() -> None:
    subscribers = await db.users.find({"digest": True, "unsubscribed": False}, {"email": 1}).to_list(length=10000)  # expect: hardcoded-fetch-cap (error), missing-index
    for user in subscribers:
        scheduler.add_job(send_digest_to, args=[user["_id"]], misfire_grace_time=3600)
    log.info("digest scheduled for %d users", len(subscribers))


async def send_digest_to(user_id) -> None:
    user = await db.users.find_one({"_id": user_id}, {"email": 1, "name": 1})  # ok: missing-index
    if user is None:
        return
    unread = await db.notifications.find({"user_id": user_id, "read": False}).sort("created_at", -1).to_list(20)  # ok: hardcoded-fetch-cap, missing-index
    if not unread:
        return
    lines = "\n".join(f"- {n['title']}" for n in unread)
    msg = build_message(user["email"], "Your daily digest", f"Hi {user['name']},\n\n{lines}")
    await asyncio.to_thread(deliver, msg)  # ok: sync-smtp-in-request


def send_renewal_reminders(subscriptions: list[dict]) -> None:
    for sub in subscriptions:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:  # expect: sync-smtp-in-request (warning)
            smtp.starttls()
            smtp.send_message(build_message(sub["email"], "Your plan renews soon", f"Renews on {sub['renews_at']:%d %b}."))


def send_trial_notices(users: list[dict]) -> None:
    # One connection for the whole batch, and this runs in a worker thread.
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:  # ok: sync-smtp-in-request
        smtp.starttls()
        for user in users:
            smtp.send_message(build_message(user["email"], "Your trial ends tomorrow", "Pick a plan to keep your data."))


async def renewal_job() -> None:
    soon = datetime.now(timezone.utc) + timedelta(days=3)
    due = await db.subscriptions.find({"renews_at": {"$lt": soon}, "reminded": False}).to_list(None)  # expect: unbounded-fetch, missing-index
    send_renewal_reminders(due)  # expect: sync-smtp-in-request (error)
    await db.subscriptions.update_many({"_id": {"$in": [s["_id"] for s in due]}}, {"$set": {"reminded": True}})


async def trial_job() -> None:
    tomorrow = datetime.now(timezone.utc) + timedelta(days=1)
    expiring = await db.users.find({"trial_ends_at": {"$lt": tomorrow}, "plan": None}).to_list(length=None)  # expect: unbounded-fetch, missing-index
    await asyncio.to_thread(send_trial_notices, expiring)  # ok: sync-smtp-in-request


async def fetch_stale_sessions(database: AsyncIOMotorDatabase, older_than: datetime, limit: int | None = 1000) -> list[dict]:  # ok: unbounded-fetch
    cursor = database.sessions.find({"last_seen": {"$lt": older_than}}, {"_id": 1})
    if limit is not None:
        cursor = cursor.limit(limit)
    return await cursor.to_list(length=limit)  # ok: unbounded-fetch, hardcoded-fetch-cap


async def purge_sessions_job() -> None:
    cutoff = datetime.now(timezone.utc) - timedelta(days=30)
    stale = await fetch_stale_sessions(db, cutoff, limit=None)  # expect: unbounded-fetch
    for batch_start in range(0, len(stale), 500):
        ids = [s["_id"] for s in stale[batch_start : batch_start + 500]]
        await db.sessions.delete_many({"_id": {"$in": ids}})


async def rollup_job() -> None:
    # Top 10 pages of the day for the dashboard.
    pages = await analytics.page_views.aggregate([{"$sortByCount": "$path"}, {"$limit": 10}]).to_list(10)  # ok: hardcoded-fetch-cap
    await analytics.daily_top_pages.insert_one({"day": datetime.now(timezone.utc).date().isoformat(), "pages": pages})


async def snapshot_balances_job() -> None:
    # One snapshot row per active account, every night.
    async for account in db.accounts.find({"active": True}, {"balance": 1}):  # expect: missing-index
        await analytics.balance_snapshots.insert_one({"account_id": account["_id"], "balance": account["balance"]})  # expect: n-plus-one
    for region in ("eu", "us"):
        await analytics.region_runs.insert_one({"region": region, "at": datetime.now(timezone.utc)})  # ok: n-plus-one -- a fixed list


def register_jobs() -> None:
    scheduler.add_job(send_daily_digest, "cron", hour=7, id="daily-digest", replace_existing=True)
    scheduler.add_job(renewal_job, "cron", hour=9, id="renewals", replace_existing=True)
    scheduler.add_job(trial_job, "cron", hour=10, id="trials", replace_existing=True)
    scheduler.add_job(purge_sessions_job, "interval", hours=6, id="purge-sessions", replace_existing=True)
    scheduler.add_job(rollup_job, "cron", hour=0, minute=5, id="rollup", replace_existing=True)
    scheduler.add_job(snapshot_balances_job, "cron", hour=1, id="balance-snapshots", replace_existing=True)
