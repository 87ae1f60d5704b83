"""Read-only access to the analytics warehouse (PostgreSQL) for the finance dashboards."""
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

# Sized for "lots of dashboards at once": 30 connections in every gunicorn worker.
warehouse_engine = create_engine(
    "postgresql+psycopg2://finance_ro@warehouse.internal:5432/analytics",
    # expect: pool-oversized (error) -- 30 per worker x 9 workers (gunicorn.conf.py on 4 CPUs) = 270 > 100
    pool_size=20,
    max_overflow=10,
    pool_pre_ping=True,
)
WarehouseSession = sessionmaker(bind=warehouse_engine)

# The nightly export runs as a single process with its own small pool.
export_engine = create_engine(
    "sqlite:///exports.db",
    pool_size=50,  # ok: pool-oversized -- SQLite has no server connection limit
)


def revenue_by_month(session, year: int) -> list[tuple[str, int]]:
    rows = session.execute(
        text("SELECT to_char(month, 'YYYY-MM'), total_cents FROM revenue_monthly WHERE year = :year ORDER BY month"),
        {"year": year},
    )
    return [(m, int(c)) for m, c in rows]
