"""The Acme notifications API."""
from contextlib import asynccontextmanager

from arq import create_pool
from arq.connections import RedisSettings
from fastapi import FastAPI
from slowapi import _rate_limit_exceeded_handler
from slowapi.errors import RateLimitExceeded

from app.config import settings
from app.db import client, ensure_indexes
from app.jobs import register_jobs, scheduler
from app.ratelimit import LoginRateLimitMiddleware, limiter
from app.routers import notifications, users


@asynccontextmanager
async def lifespan(app: FastAPI):
    await ensure_indexes()
    app.state.arq = await create_pool(RedisSettings.from_dsn(settings.redis_url))
    register_jobs()
    scheduler.start()
    yield
    scheduler.shutdown(wait=False)
    await app.state.arq.close()
    client.close()


app = FastAPI(title="Acme notifications", lifespan=lifespan)
app.state.limiter = limiter
app.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)
app.add_middleware(LoginRateLimitMiddleware, paths=("/auth/login",))
app.include_router(users.router)
app.include_router(notifications.router)


@app.get("/healthz")
async def healthz():
    await client.admin.command("ping")
    return {"status": "ok"}
