"""Back-office screens: order and customer lists for the support team."""
from flask import Blueprint, jsonify, request
from sqlalchemy import select

from billing.db import ReplicaSession
from billing.models import Currency, Customer, Order

bp = Blueprint("back_office", __name__, url_prefix="/back-office")


@bp.get("/orders")
def all_orders():
    with ReplicaSession() as session:
        orders = session.scalars(select(Order).order_by(Order.created_at.desc())).all()  # expect: unbounded-fetch
        return jsonify([{"reference": o.reference, "total": str(o.total)} for o in orders])


@bp.get("/customers/search")
def search_customers():
    q = request.args.get("q", "")
    with ReplicaSession() as session:
        found = session.scalars(select(Customer).where(Customer.name.ilike(f"%{q}%"))).all()  # expect: unbounded-fetch
        return jsonify([c.email for c in found])


@bp.get("/customers/<int:customer_id>/orders")
def customer_orders(customer_id: int):
    with ReplicaSession() as session:
        orders = session.scalars(select(Order).where(Order.customer_id == customer_id)).all()  # ok: unbounded-fetch -- one customer's rows
        recent = session.scalars(select(Order).order_by(Order.id.desc()).limit(50)).all()  # ok: unbounded-fetch -- a page
        return jsonify({"orders": len(orders), "recent": len(recent)})


@bp.get("/currencies")
def currencies():
    with ReplicaSession() as session:
        rows = session.scalars(select(Currency)).all()  # ok: unbounded-fetch -- a table finance maintains, not one that grows with customers
        return jsonify([c.code for c in rows])
