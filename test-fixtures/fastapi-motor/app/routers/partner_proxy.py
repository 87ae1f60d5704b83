"""Partner catalogue proxy: prices and stock from the partner API, cached in Redis."""
import httpx
from fastapi import APIRouter, Depends, Request
from redis.asyncio import Redis

from app.config import settings

router = APIRouter(prefix="/partners", tags=["partners"])

# One client for the process: connections to the partner API stay open between requests.
partner_api = httpx.AsyncClient(base_url="https://api.partner.test", timeout=10)  # ok: per-request-client


async def get_cache():
    # expect: per-request-client (error) -- a new Redis pool for every request that depends on it
    cache = Redis.from_url(settings.redis_url)
    try:
        yield cache
    finally:
        await cache.aclose()


async def get_partner_api() -> httpx.AsyncClient:
    return partner_api


@router.get("/{partner_id}/prices")
async def prices(partner_id: str, cache: Redis = Depends(get_cache)):
    cached = await cache.get(f"prices:{partner_id}")
    if cached is not None:
        return {"prices": cached}
    async with httpx.AsyncClient(base_url="https://api.partner.test", timeout=10) as client:  # expect: per-request-client (warning)
        resp = await client.get(f"/partners/{partner_id}/prices")
    await cache.set(f"prices:{partner_id}", resp.text, ex=300)
    return resp.json()


@router.get("/{partner_id}/stock")
async def stock(partner_id: str, api: httpx.AsyncClient = Depends(get_partner_api)):
    resp = await api.get(f"/partners/{partner_id}/stock")
    return resp.json()


@router.get("/{partner_id}/feed")
async def feed(partner_id: str, request: Request):
    if not hasattr(request.app.state, "feed_client"):
        request.app.state.feed_client = httpx.AsyncClient(timeout=30)  # ok: per-request-client -- made by the first request, then reused
    resp = await request.app.state.feed_client.get(f"https://feeds.partner.test/{partner_id}")
    return resp.json()
