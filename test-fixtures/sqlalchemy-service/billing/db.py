"""Engines and sessions. The web app uses the sync engines; the export worker the async one."""
import os

from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import NullPool

DATABASE_URL = os.environ["DATABASE_URL"]
REPLICA_URL = os.environ.get("REPLICA_DATABASE_URL", DATABASE_URL)

engine = create_engine(DATABASE_URL, pool_pre_ping=True, echo=False)  # expect: pool-unconfigured, pool-oversized -- the defaults, (5 + 10) x 9 workers = 135
SessionLocal = sessionmaker(bind=engine, expire_on_commit=False)

# Reports read from the replica: 9 gunicorn workers x (5 + 5) stay under its 100 connections.
replica_engine = create_engine(  # ok: pool-unconfigured
    REPLICA_URL,
    pool_size=5,  # ok: pool-oversized -- (5 + 5) x 9 = 90
    max_overflow=5,
    pool_timeout=10,
    pool_recycle=1800,
)
ReplicaSession = sessionmaker(bind=replica_engine)

export_engine = create_async_engine(os.environ["ASYNC_DATABASE_URL"], pool_pre_ping=True)  # expect: pool-unconfigured, pool-oversized
ExportSession = async_sessionmaker(export_engine, expire_on_commit=False)

# Ledger writes go through pgbouncer in transaction mode, which does the pooling.
ledger_engine = create_async_engine(os.environ["LEDGER_PGBOUNCER_URL"], poolclass=NullPool)  # ok: pool-unconfigured
LedgerSession = async_sessionmaker(ledger_engine)

# Rendered report cache on local disk.
cache_engine = create_engine("sqlite:///./var/report-cache.db")  # ok: pool-unconfigured
