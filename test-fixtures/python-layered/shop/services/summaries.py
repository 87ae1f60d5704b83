from ..repositories import latest_order_of


async def summary_of(session, customer):
    order = await latest_order_of(session, customer.id)
    return {"email": customer.email, "last_order": order.id if order else None}


def initials(customer):
    return customer.email[:2].upper()
