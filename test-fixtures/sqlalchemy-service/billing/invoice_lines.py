"""Invoice lines for the back office: per-order customer details and the dunning run."""
from flask import Blueprint, jsonify, request
from sqlalchemy import select, update

from billing.db import ReplicaSession, SessionLocal
from billing.models import Customer, Order

bp = Blueprint("invoice_lines", __name__, url_prefix="/invoice-lines")

STATUSES = ("open", "paid", "overdue")


def page_limit() -> int:
    return max(1, min(int(request.args.get("limit", 50)), 200))


@bp.get("/orders")
def order_lines():
    with ReplicaSession() as session:
        orders = session.scalars(select(Order).order_by(Order.id.desc()).limit(page_limit())).all()
        lines = []
        for order in orders:
            customer = session.get(Customer, order.customer_id)  # expect: n-plus-one
            lines.append({"reference": order.reference, "customer": customer.name, "total": str(order.total)})
        return jsonify(lines)


@bp.get("/orders/joined")
def order_lines_joined():
    with ReplicaSession() as session:
        orders = session.scalars(select(Order).order_by(Order.id.desc()).limit(page_limit())).all()
        ids = {o.customer_id for o in orders}
        customers = {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(ids)))}  # ok: n-plus-one
        return jsonify([{"reference": o.reference, "customer": customers[o.customer_id].name} for o in orders])


@bp.get("/customers/<int:customer_id>/summary")
def customer_summary(customer_id: int):
    with ReplicaSession() as session:
        totals = {}
        for status in STATUSES:
            stmt = select(Order.id).where(Order.customer_id == customer_id, Order.status == status)
            totals[status] = len(session.scalars(stmt).all())  # ok: n-plus-one -- one query per status, a fixed set
        return jsonify(totals)


@bp.post("/dunning")
def dunning_run():
    with SessionLocal() as session:
        overdue = session.scalars(select(Order).where(Order.status == "open").order_by(Order.id).limit(page_limit())).all()
        for order in overdue:
            last = session.execute(select(Order.created_at).where(Order.customer_id == order.customer_id).order_by(Order.created_at.desc()).limit(1)).scalar()  # expect: n-plus-one
            if last is not None and last < order.created_at:
                session.execute(update(Order).where(Order.id == order.id).values(status="overdue"))  # ok: n-plus-one -- a write per item
        session.commit()
        return jsonify({"checked": len(overdue)})
