"""The plan catalogue and customer display names, as served to the billing pages."""
import functools
import os

import requests
from flask import Blueprint, jsonify
from sqlalchemy import select

from billing.db import SessionLocal
from billing.models import Customer

bp = Blueprint("plan_catalog", __name__, url_prefix="/catalog")

FX_API = os.environ.get("FX_API_URL", "https://fx.internal")
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}  # ok: in-process-shared-state

_customer_names = {}  # expect: in-process-shared-state


@functools.lru_cache(maxsize=256)  # expect: in-process-shared-state
def plan_by_code(code: str):
    with SessionLocal() as session:
        return session.execute(select(Plan).where(Plan.code == code)).scalar_one_or_none()


@functools.lru_cache(maxsize=64)  # ok: in-process-shared-state -- a pure function
def currency_symbol(code: str) -> str:
    return CURRENCY_SYMBOLS.get(code.upper(), code.upper())


@functools.lru_cache(maxsize=32)  # ok: in-process-shared-state -- rates from another service, not our data
def fx_rate(currency: str) -> float:
    return requests.get(f"{FX_API}/rates/{currency}", timeout=5).json()["rate"]


def customer_name(customer_id: int) -> str:
    if customer_id not in _customer_names:
        with SessionLocal() as session:
            customer = session.get(Customer, customer_id)
            _customer_names[customer_id] = customer.name if customer else "(deleted)"
    return _customer_names[customer_id]


@bp.get("/plans/<code>")
def plan(code: str):
    p = plan_by_code(code)
    if p is None:
        return jsonify(error="unknown plan"), 404
    return jsonify(code=p.code, price=f"{currency_symbol(p.currency)}{p.price}", rate=fx_rate(p.currency))
