"""Request throttling: slowapi for the public routes, a sliding window for the login form."""
import time
from collections import defaultdict

from fastapi import Request
from fastapi.responses import JSONResponse
from redis.asyncio import Redis
from slowapi import Limiter
from slowapi.util import get_remote_address
from starlette.middleware.base import BaseHTTPMiddleware

from app.config import settings

limiter = Limiter(key_func=get_remote_address, default_limits=["300/minute"])  # expect: in-memory-rate-limiter

LOGIN_WINDOW_SECONDS = 300
LOGIN_MAX_ATTEMPTS = 10

# client address -> timestamps of its recent login attempts
_login_attempts: defaultdict[str, list[float]] = defaultdict(list)  # expect: in-memory-rate-limiter

# user id -> (expires at, plan): saves a Mongo round trip per request, not a limiter
_plan_cache: dict[str, tuple[float, str]] = {}  # ok: in-memory-rate-limiter


class LoginRateLimitMiddleware(BaseHTTPMiddleware):
    def __init__(self, app, paths: tuple[str, ...] = ("/auth/login",)):
        super().__init__(app)
        self.paths = paths

    async def dispatch(self, request: Request, call_next):
        if request.method != "POST" or request.url.path not in self.paths:
            return await call_next(request)
        client_ip = request.client.host if request.client else "unknown"
        now = time.time()
        recent = [t for t in _login_attempts[client_ip] if now - t < LOGIN_WINDOW_SECONDS]
        if len(recent) >= LOGIN_MAX_ATTEMPTS:
            return JSONResponse({"detail": "Too many login attempts"}, status_code=429)
        recent.append(now)
        _login_attempts[client_ip] = recent
        return await call_next(request)


def cached_plan(user_id: str) -> str | None:
    entry = _plan_cache.get(user_id)
    if entry and entry[0] > time.time():
        return entry[1]
    return None


def remember_plan(user_id: str, plan: str) -> None:
    _plan_cache[user_id] = (time.time() + 300, plan)


class RedisRateLimiter:  # ok: in-memory-rate-limiter -- counters live in Redis, shared by every instance
    """Fixed-window counter in Redis for the API keys of partners."""

    def __init__(self, redis: Redis, limit: int, window_seconds: int):
        self.redis = redis
        self.limit = limit
        self.window = window_seconds

    async def allow(self, key: str) -> bool:
        bucket = f"rl:{key}:{int(time.time()) // self.window}"
        count = await self.redis.incr(bucket)
        if count == 1:
            await self.redis.expire(bucket, self.window)
        return count <= self.limit


partner_limiter = RedisRateLimiter(Redis.from_url(settings.redis_url), limit=1000, window_seconds=60)
