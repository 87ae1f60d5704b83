"""Reminders: a user schedules a nudge for later; each reminder is one APScheduler job."""
from datetime import datetime

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from app.jobs import scheduler, send_digest_to

router = APIRouter(prefix="/reminders", tags=["reminders"])


class ReminderIn(BaseModel):
    user_id: str
    at: datetime


def reminder_id(user_id: str) -> str:
    return f"reminder:{user_id}"


@router.post("", status_code=201)
async def create_reminder(payload: ReminderIn):
    scheduler.add_job(send_digest_to, "date", run_date=payload.at, args=[payload.user_id], id=reminder_id(payload.user_id), replace_existing=True)
    return {"id": reminder_id(payload.user_id)}


@router.get("/{user_id}")
async def get_reminder(user_id: str):
    job = scheduler.get_job(reminder_id(user_id))  # ok: scheduler-job-scan
    if job is None:
        raise HTTPException(status_code=404)
    return {"id": job.id, "next_run_time": job.next_run_time}


@router.delete("/{user_id}", status_code=204)
async def delete_reminder(user_id: str):
    # Older reminders were added without an id, so this one searches for them by argument.
    for job in scheduler.get_jobs():  # expect: scheduler-job-scan (error)
        if job.args and job.args[0] == user_id:
            job.remove()


@router.get("/admin/all")
async def list_reminders():
    return [{"id": j.id, "next_run_time": j.next_run_time} for j in scheduler.get_jobs()]  # ok: scheduler-job-scan -- a listing, no search


def pause_reminders(user_ids: list[str]) -> int:
    """Called by the account-suspension sweep with the suspended users."""
    paused = 0
    for user_id in user_ids:
        for job in [j for j in scheduler.get_jobs() if j.id == reminder_id(user_id)]:  # expect: scheduler-job-scan (error)
            job.pause()
            paused += 1
    return paused


def resume_reminder(user_id: str) -> None:
    if scheduler.get_job(reminder_id(user_id)) is not None:  # ok: scheduler-job-scan
        scheduler.resume_job(reminder_id(user_id))
