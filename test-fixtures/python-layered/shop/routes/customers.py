from fastapi import APIRouter, BackgroundTasks, Depends
from sqlalchemy import select

from ..db import get_session
from ..models import Customer
from ..services.mail import send_receipt
from ..services.auth import current_customer, customer_id, rename_customer
from ..services.rates import exchange_rate, exchange_rate_async
from ..services.summaries import initials, summary_of

router = APIRouter()


@router.get("/customers/summaries")
async def customer_summaries(session=Depends(get_session)):
    result = await session.execute(select(Customer).limit(50))
    customers = result.scalars().all()
    out = []
    for customer in customers:
        # expect: n-plus-one -- summary_of → latest_order_of runs one query per customer
        out.append(await summary_of(session, customer))
        # ok: n-plus-one -- initials does no I/O
        out[-1]["initials"] = initials(customer)
    return out


@router.post("/orders/{order_id}/receipt")
def send_order_receipt(order_id: int, email: str):
    # expect: sync-smtp-in-request -- send_receipt opens smtplib.SMTP in another module
    send_receipt(email, f"Thanks for order {order_id}")
    return {"sent": True}


@router.post("/customers/newsletter")
def send_newsletter(session=Depends(get_session)):
    subscribers = session.execute(select(Customer).where(Customer.newsletter.is_(True)).limit(500)).scalars().all()
    for customer in subscribers:
        # expect: sync-smtp-in-request -- one SMTP exchange per subscriber, through send_receipt
        send_receipt(customer.email, "This month's news")
    return {"sent": len(subscribers)}


@router.post("/orders/{order_id}/receipt/later")
def queue_order_receipt(order_id: int, email: str, tasks: BackgroundTasks):
    # ok: sync-smtp-in-request -- handed to a background task
    tasks.add_task(send_receipt, email, f"Thanks for order {order_id}")
    return {"queued": True}


@router.get("/prices/{currency}")
async def price_in(currency: str):
    # expect: blocking-call-in-async -- exchange_rate calls requests.get, synchronously
    rate = exchange_rate(currency)
    return {"rate": rate}


@router.get("/prices/{currency}/async")
async def price_in_async(currency: str, client=Depends(get_session)):
    # ok: blocking-call-in-async -- the async helper is awaited
    rate = await exchange_rate_async(client, currency)
    return {"rate": rate}


@router.get("/me")
async def me(customer=Depends(current_customer)):
    return {"id": customer.id, "email": customer.email}


@router.put("/me/name")
async def rename_me(name: str, customer=Depends(current_customer), session=Depends(get_session)):
    await rename_customer(session, customer, name)
    return {"renamed": True}


@router.get("/me/id")
async def my_id(cid: int = Depends(customer_id)):
    return {"id": cid}

