"""Back-office activity: the pages each clerk opens are kept for the compliance export."""
import random
from datetime import datetime, timezone

from flask import Blueprint, Flask, g, jsonify, request
from sqlalchemy import text

from billing.audit import audited
from billing.db import SessionLocal

bp = Blueprint("activity", __name__)

TIMING_SAMPLE_RATE = 0.05


@bp.before_app_request
def open_session():
    g.db = SessionLocal()
    g.clerk_id = request.headers.get("X-Clerk-Id")


@bp.before_app_request
def load_clerk():
    g.clerk = g.db.execute(text("SELECT id, role FROM clerks WHERE id = :id"), {"id": g.clerk_id}).first()  # ok: per-request-db-write -- a read


@bp.after_app_request
def record_page_view(response):
    if g.clerk_id:
        g.db.execute(  # expect: per-request-db-write
            text("INSERT INTO page_views (clerk_id, path, status) VALUES (:clerk, :path, :status)"),
            {"clerk": g.clerk_id, "path": request.path, "status": response.status_code},
        )
        g.db.commit()
    return response


@bp.after_app_request
def sample_timings(response):
    if random.random() < TIMING_SAMPLE_RATE:
        g.db.execute(text("INSERT INTO timings (path, ms) VALUES (:p, :ms)"), {"p": request.path, "ms": response.headers.get("X-Elapsed-Ms")})  # ok: per-request-db-write -- a 5% sample
        g.db.commit()
    return response


@bp.teardown_app_request
def close_session(exc):
    db = g.pop("db", None)
    if db is None:
        return
    if exc is not None:
        db.execute(text("INSERT INTO request_errors (path, error) VALUES (:p, :e)"), {"p": request.path, "e": repr(exc)})  # ok: per-request-db-write -- only when the request failed
        db.commit()
    db.close()


def touch_last_seen():
    clerk_id = request.headers.get("X-Clerk-Id")
    if not clerk_id:
        return
    with SessionLocal() as session:
        session.execute(text("UPDATE clerks SET last_seen_at = :now WHERE id = :id"), {"now": datetime.now(timezone.utc), "id": clerk_id})  # expect: per-request-db-write
        session.commit()


def remember_login(clerk_id: int) -> None:
    with SessionLocal() as session:
        session.execute(text("UPDATE clerks SET last_login_at = now() WHERE id = :id"), {"id": clerk_id})  # ok: per-request-db-write -- called from the login route, not registered as a hook
        session.commit()


@bp.post("/activity/notes")
def add_note():
    body = request.get_json(force=True)
    g.db.execute(text("INSERT INTO clerk_notes (clerk_id, body) VALUES (:c, :b)"), {"c": g.clerk_id, "b": body["body"]})  # ok: per-request-db-write -- the route's own write
    g.db.commit()
    return jsonify({"ok": True}), 201


@bp.get("/activity/export")
@audited
def export_activity():
    return jsonify({"rows": []})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(touch_last_seen)
