"""Tax rates from the tax service, and the ledger totals they apply to."""
import os

import requests
from flask import Blueprint, g, jsonify
from sqlalchemy import create_engine, text

from billing.db import SessionLocal

bp = Blueprint("tax_rates", __name__, url_prefix="/tax")

TAX_API = os.environ.get("TAX_API_URL", "https://tax.internal")

# Shared by every request of the worker: keeps the connections to the tax service alive.
tax_http = requests.Session()  # ok: per-request-client


def ledger_engine():
    """For the nightly reconciliation (a CLI command), not for requests."""
    return create_engine(os.environ["LEDGER_DATABASE_URL"], pool_size=2, max_overflow=0)  # ok: per-request-client


@bp.before_request
def open_session():
    g.db = SessionLocal()  # ok: per-request-client -- a session from the shared pool


@bp.get("/rates/<region>")
def rates(region: str):
    session = requests.Session()  # expect: per-request-client (warning)
    resp = session.get(f"{TAX_API}/rates/{region}", timeout=5)
    return jsonify(resp.json())


@bp.get("/rates/<region>/cached")
def cached_rates(region: str):
    resp = tax_http.get(f"{TAX_API}/rates/{region}", timeout=5)
    return jsonify(resp.json())


@bp.get("/ledger/<int:customer_id>")
def ledger_total(customer_id: int):
    # expect: per-request-client (error)
    engine = create_engine(os.environ["LEDGER_DATABASE_URL"], pool_size=5, max_overflow=0)
    with engine.connect() as conn:
        total = conn.execute(text("SELECT sum(amount) FROM entries WHERE customer_id = :c"), {"c": customer_id}).scalar()
    return jsonify({"customer_id": customer_id, "total": total})
