"""The project's own engine factory: every engine it makes has a sized pool."""
from sqlalchemy.ext.asyncio import create_async_engine as _sqlalchemy_engine


def create_async_engine(url: str):
    # ok: pool-unconfigured -- the project's wrapper sets the pool
    return _sqlalchemy_engine(url, pool_size=20, max_overflow=10, pool_timeout=30, pool_pre_ping=True)
