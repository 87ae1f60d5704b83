"""Payment provider webhooks: each event is delivered at least once, so duplicates are dropped."""
from fastapi import APIRouter, Request

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

# expect: in-process-shared-state -- the de-duplication only holds within one worker
processed_events = set()

KNOWN_TYPES = {"payment.succeeded", "payment.failed"}  # ok: in-process-shared-state -- read, never written


@router.post("/payments")
async def payment_webhook(request: Request):
    event = await request.json()
    if event["id"] in processed_events or event["type"] not in KNOWN_TYPES:
        return {"status": "ignored"}
    processed_events.add(event["id"])
    return {"status": "ok"}
