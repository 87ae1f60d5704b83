"""Order reports and exports for the back office."""
import csv
import io
import os
import smtplib
from datetime import datetime, timedelta

from flask import Blueprint, Response, abort, g, jsonify, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from billing.db import ReplicaSession, SessionLocal
from billing.mailer import build, send_invoice_email
from billing.models import Customer, Order

bp = Blueprint("reports", __name__, url_prefix="/reports")

MAIL_RELAY = os.environ.get("MAIL_RELAY", "localhost")
MAX_PAGE = 500


def list_orders(session: Session, *, customer_id: int | None = None, status: str | None = None, limit: int | None = 100) -> list[Order]:  # ok: unbounded-fetch
    stmt = select(Order).order_by(Order.created_at.desc())
    if customer_id is not None:
        stmt = stmt.where(Order.customer_id == customer_id)
    if status is not None:
        stmt = stmt.where(Order.status == status)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def search_orders(session: Session, term: str, limit: int) -> list[Order]:
    stmt = select(Order).where(Order.reference.ilike(f"%{term}%")).order_by(Order.id.desc()).limit(limit)  # ok: over-fetch-multiplier
    return list(session.scalars(stmt))


def page_size() -> int:
    return max(1, min(int(request.args.get("limit", 50)), MAX_PAGE))  # ok: unbounded-page-size


@bp.get("/orders/search")
def search_orders_report():
    per_page = request.args.get("per_page", 25, type=int)  # expect: unbounded-page-size
    with ReplicaSession() as session:
        orders = search_orders(session, request.args.get("q", ""), limit=per_page)
        return jsonify([{"id": o.id, "reference": o.reference} for o in orders])


@bp.get("/orders")
def orders_report():
    with ReplicaSession() as session:
        orders = list_orders(session, status=request.args.get("status"), limit=page_size())  # ok: unbounded-fetch
        return jsonify([{"id": o.id, "reference": o.reference, "total": str(o.total)} for o in orders])


@bp.get("/orders.csv")
def export_orders_csv():
    customer_id = request.args.get("customer_id", type=int)
    with ReplicaSession() as session:
        orders = list_orders(session, customer_id=customer_id, limit=None)  # expect: unbounded-fetch
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "reference", "status", "total", "created_at"])
    for o in orders:
        writer.writerow([o.id, o.reference, o.status, o.total, o.created_at.isoformat()])
    return Response(out.getvalue(), mimetype="text/csv")


@bp.get("/orders/open.csv")
def export_open_orders_csv():
    with ReplicaSession() as session:
        orders = list_orders(session, status="open", limit=10000)  # expect: hardcoded-fetch-cap
        first_page = list_orders(session, status="open", limit=page_size())  # ok: hardcoded-fetch-cap
    out = io.StringIO()
    csv.writer(out).writerows([[o.id, o.reference, o.total] for o in orders + first_page])
    return Response(out.getvalue(), mimetype="text/csv")


@bp.get("/orders/search")
def search():
    term = request.args.get("q", "")
    size = page_size()
    with ReplicaSession() as session:
        # Fetch extra rows: orders of other regions are filtered out below.
        candidates = search_orders(session, term, limit=size * 3)  # expect: over-fetch-multiplier
        visible = [o for o in candidates if o.customer_id in g.user.customer_ids][:size]
        return jsonify([{"id": o.id, "reference": o.reference} for o in visible])


@bp.get("/top-customers")
def top_customers():
    since = datetime.utcnow() - timedelta(days=30)
    stmt = (
        select(Customer.id, Customer.name, func.sum(Order.total).label("revenue"))
        .join(Order)
        .where(Order.created_at >= since)
        .group_by(Customer.id)
        .order_by(func.sum(Order.total).desc())
        .limit(5)
    )
    with ReplicaSession() as session:
        return jsonify([dict(r._mapping) for r in session.execute(stmt)])


@bp.post("/orders/<int:order_id>/invoice")
def email_invoice(order_id: int):
    with SessionLocal() as session:
        order = session.get(Order, order_id) or abort(404)
        msg = build(order.customer.email, f"Invoice {order.reference}", f"Total due: {order.total}")
    with smtplib.SMTP(MAIL_RELAY, 25, timeout=10) as smtp:  # expect: sync-smtp-in-request (warning)
        smtp.send_message(msg)
    return jsonify({"sent": True})


@bp.post("/orders/<int:order_id>/invoice/resend")
def resend_invoice(order_id: int):
    with SessionLocal() as session:
        order = session.get(Order, order_id) or abort(404)
        send_invoice_email.delay(order.customer.email, f"Invoice {order.reference}", f"Total due: {order.total}")  # ok: sync-smtp-in-request
    return jsonify({"queued": True}), 202
