"""Monthly statement export, run by the worker: `python -m billing.exports 2024-05`."""
import asyncio
import csv
import io
import logging
import os
import smtplib
import sys
from datetime import date

from sqlalchemy import select

from billing import mailer
from billing.db import ExportSession
from billing.models import Customer, Order

log = logging.getLogger(__name__)

FINANCE_RELAY = os.environ.get("FINANCE_RELAY", "localhost")
FINANCE_TO = os.environ.get("FINANCE_TO", "finance@acme.test")


def mail_finance_summary(month: str, rows: int) -> None:
    msg = mailer.build(FINANCE_TO, f"Statements {month}", f"{rows} statements exported.")
    with smtplib.SMTP(FINANCE_RELAY, 25) as smtp:
        smtp.send_message(msg)


async def statement_rows(customer_id: int, start: date, end: date) -> list[list[str]]:
    async with ExportSession() as session:
        result = await session.stream(
            select(Order.reference, Order.status, Order.total)
            .where(Order.customer_id == customer_id, Order.created_at >= start, Order.created_at < end)
            .order_by(Order.created_at)
        )
        return [[r.reference, r.status, str(r.total)] async for r in result]


async def export_month(month: str) -> None:
    start = date.fromisoformat(f"{month}-01")
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    messages = []
    async with ExportSession() as session:
        customers = await session.stream_scalars(select(Customer).where(Customer.statements_opt_in.is_(True)))
        async for customer in customers:
            rows = await statement_rows(customer.id, start, end)
            buf = io.StringIO()
            csv.writer(buf).writerows(rows)
            messages.append(mailer.build(customer.email, f"Your statement for {month}", "Attached.", (f"{month}.csv", buf.getvalue().encode())))
    await asyncio.to_thread(mailer.send_batch, messages)  # ok: sync-smtp-in-request
    mail_finance_summary(month, len(messages))  # expect: sync-smtp-in-request (error)
    log.info("exported %d statements for %s", len(messages), month)


async def alert_on_failure(month: str, error: Exception) -> None:
    smtp = smtplib.SMTP(FINANCE_RELAY, 25, timeout=5)  # expect: sync-smtp-in-request (error)
    try:
        smtp.send_message(mailer.build(FINANCE_TO, f"Statement export {month} failed", repr(error)))
    finally:
        smtp.quit()


async def main(month: str) -> None:
    try:
        await export_month(month)
    except Exception as exc:  # noqa: BLE001 -- report any failure, then re-raise
        await alert_on_failure(month, exc)
        raise


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
