"""Compliance: every export a clerk downloads is recorded, with who and which page."""
import functools

from flask import g, request
from sqlalchemy import text

from billing.db import SessionLocal


def audited(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        finally:
            with SessionLocal() as session:
                session.execute(text("INSERT INTO export_audit (clerk_id, path) VALUES (:c, :p)"), {"c": g.get("clerk_id"), "p": request.path})  # expect: per-request-db-write
                session.commit()

    return wrapper


def logged_retries(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with SessionLocal() as session:
            session.execute(text("INSERT INTO retry_log (name) VALUES (:n)"), {"n": fn.__name__})  # ok: per-request-db-write -- no route is wrapped in it
            session.commit()
        return fn(*args, **kwargs)

    return wrapper
