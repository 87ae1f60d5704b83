from sqlalchemy.ext.asyncio import async_sessionmaker

from .engine import create_async_engine
from .settings import DATABASE_URL

# ok: pool-unconfigured -- the project's create_async_engine, not SQLAlchemy's
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


async def get_session():
    async with SessionLocal() as session:
        yield session
