"""The billing back office: a Flask app over PostgreSQL."""
import os
import time

from flask import Flask, jsonify, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.security import check_password_hash

from billing.db import SessionLocal
from billing.models import Customer
from billing.reports import bp as reports_bp

limiter = Limiter(get_remote_address, storage_uri=os.environ["RATELIMIT_REDIS_URL"], default_limits=["600 per minute"])  # ok: in-memory-rate-limiter


class LoginThrottle:
    """Failed logins per client address, kept from before the app used flask-limiter."""

    def __init__(self, max_failures: int = 5, window_seconds: int = 900):
        self.max_failures = max_failures
        self.window = window_seconds
        self.failures: dict[str, list[float]] = {}  # expect: in-memory-rate-limiter

    def blocked(self, addr: str) -> bool:
        now = time.time()
        recent = [t for t in self.failures.get(addr, []) if now - t < self.window]
        self.failures[addr] = recent
        return len(recent) >= self.max_failures

    def record_failure(self, addr: str) -> None:
        self.failures.setdefault(addr, []).append(time.time())


class PermissionCache:
    """Role lookups per user id for the lifetime of the worker; invalidated on role changes."""

    def __init__(self):
        self.by_user: dict[int, frozenset[str]] = {}  # ok: in-memory-rate-limiter

    def get(self, user_id: int) -> frozenset[str] | None:
        return self.by_user.get(user_id)

    def put(self, user_id: int, roles: frozenset[str]) -> None:
        self.by_user[user_id] = roles


throttle = LoginThrottle()
permissions = PermissionCache()


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    limiter.init_app(app)
    app.register_blueprint(reports_bp)

    @app.post("/login")
    @limiter.limit("20 per minute")
    def login():
        addr = request.remote_addr or "unknown"
        if throttle.blocked(addr):
            return jsonify({"error": "too many attempts"}), 429
        body = request.get_json(force=True)
        with SessionLocal() as session:
            customer = session.query(Customer).filter_by(email=body.get("email")).one_or_none()
        if customer is None or not check_password_hash(customer.password_hash, body.get("password", "")):
            throttle.record_failure(addr)
            return jsonify({"error": "invalid credentials"}), 401
        return jsonify({"id": customer.id})

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app
