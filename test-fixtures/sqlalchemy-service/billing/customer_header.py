"""The customer block of the invoice header: the CRM owns it, and it is kept in memory between requests."""
import requests
from cachetools import TTLCache
from flask import Blueprint, jsonify, request

bp = Blueprint("customer_header", __name__)

CRM_URL = "https://crm.internal/api"

header_cache = TTLCache(maxsize=50_000, ttl=3600)  # expect: in-process-shared-state
tax_note_cache = TTLCache(maxsize=16, ttl=3600)  # ok: in-process-shared-state -- no route invalidates it


def load_customer_header(cid: int) -> dict:
    return requests.get(f"{CRM_URL}/customers/{cid}/header", timeout=5).json()


def rename_customer(cid: int, name: str) -> None:
    requests.patch(f"{CRM_URL}/customers/{cid}", json={"name": name}, timeout=5).raise_for_status()


@bp.get("/customers/<int:cid>/header")
def header(cid):
    if cid not in header_cache:
        header_cache[cid] = load_customer_header(cid)
    return jsonify(header_cache[cid])


@bp.put("/customers/<int:cid>/name")
def rename(cid):
    rename_customer(cid, request.get_json(force=True)["name"])
    header_cache.pop(cid, None)
    return jsonify({"ok": True})
