from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Order


async def latest_order_of(session: AsyncSession, customer_id: int):
    result = await session.execute(
        select(Order).where(Order.customer_id == customer_id).order_by(Order.created_at.desc()).limit(1)
    )
    return result.scalar_one_or_none()
