from datetime import datetime, timezone

from fastapi import Depends, Header, HTTPException
from sqlalchemy import select, update

from ..db import get_session
from ..models import Customer


async def current_customer(x_customer_token: str = Header(...), session=Depends(get_session)) -> Customer:
    result = await session.execute(select(Customer).where(Customer.token == x_customer_token))
    customer = result.scalar_one_or_none()
    if customer is None:
        raise HTTPException(status_code=401)
    # expect: per-request-db-write -- a last-seen stamp on every request of the routes that depend on it
    await session.execute(update(Customer).where(Customer.id == customer.id).values(last_seen_at=datetime.now(timezone.utc)))
    return customer


async def customer_id(x_customer_token: str = Header(...), session=Depends(get_session)) -> int:
    # ok: per-request-db-write -- a dependency that only reads
    result = await session.execute(select(Customer.id).where(Customer.token == x_customer_token))
    return result.scalar_one()


async def rename_customer(session, customer: Customer, name: str) -> None:
    # ok: per-request-db-write -- a helper the route calls for its own work, not a dependency
    await session.execute(update(Customer).where(Customer.id == customer.id).values(name=name))
