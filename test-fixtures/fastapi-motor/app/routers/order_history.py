"""Order history: recent orders with their buyers, per-region counts, and the seller's dashboard."""
from bson import ObjectId
from fastapi import APIRouter, Depends, HTTPException, Query
from motor.motor_asyncio import AsyncIOMotorDatabase

from app.db import get_db
from app.paging import CappedPageQuery, PageQuery, page_limit

router = APIRouter(prefix="/orders", tags=["orders"])

REGIONS = ("eu", "us", "apac")


async def ensure_order_indexes(db: AsyncIOMotorDatabase) -> None:
    await db.orders.create_index([("seller_id", 1), ("acknowledged", 1)])
    await db.orders.create_index("region")
    await db.order_items.create_index("order_id")
    await db.reviews.create_index([("product_id", 1), ("_id", -1)])


@router.get("/recent")
async def recent_orders(limit: int = Query(20, le=100), db: AsyncIOMotorDatabase = Depends(get_db)):
    orders = await db.orders.find({}, {"user_id": 1, "total": 1}).sort("_id", -1).limit(limit).to_list(length=limit)
    out = []
    for order in orders:
        buyer = await db.users.find_one({"_id": order["user_id"]}, {"name": 1})  # expect: n-plus-one
        items = await db.order_items.count_documents({"order_id": order["_id"]})  # expect: n-plus-one
        out.append({"id": str(order["_id"]), "buyer": buyer["name"] if buyer else None, "items": items, "total": order["total"]})
    return out


@router.get("/recent/compact")
async def recent_orders_compact(limit: int = Query(20, le=100), db: AsyncIOMotorDatabase = Depends(get_db)):
    orders = await db.orders.find({}, {"user_id": 1, "total": 1}).sort("_id", -1).limit(limit).to_list(length=limit)
    buyer_ids = list({o["user_id"] for o in orders})
    # One query for all buyers, then a dict lookup per order.
    buyers = {u["_id"]: u async for u in db.users.find({"_id": {"$in": buyer_ids}}, {"name": 1})}  # ok: n-plus-one
    return [{"id": str(o["_id"]), "buyer": buyers.get(o["user_id"], {}).get("name"), "total": o["total"]} for o in orders]


@router.get("/by-region")
async def orders_by_region(db: AsyncIOMotorDatabase = Depends(get_db)):
    counts = {}
    for region in REGIONS:
        counts[region] = await db.orders.count_documents({"region": region})  # ok: n-plus-one -- three regions, a fixed set
    return counts


@router.post("/{seller_id}/acknowledge")
async def acknowledge_orders(seller_id: str, limit: int = Query(100, le=500), db: AsyncIOMotorDatabase = Depends(get_db)):
    pending = await db.orders.find({"seller_id": ObjectId(seller_id), "acknowledged": False}, {"_id": 1}).limit(limit).to_list(length=limit)
    for order in pending:
        await db.orders.update_one({"_id": order["_id"]}, {"$set": {"acknowledged": True}})  # ok: n-plus-one -- a write per item
    return {"acknowledged": len(pending)}


@router.get("/{seller_id}/dashboard")
async def seller_dashboard(seller_id: str, db: AsyncIOMotorDatabase = Depends(get_db)):
    seller = await db.sellers.find_one({"_id": ObjectId(seller_id)}, {"product_ids": 1})
    if seller is None:
        raise HTTPException(status_code=404, detail="Seller not found")
    products = []
    async for product in db.products.find({"_id": {"$in": seller["product_ids"]}}, {"name": 1, "stock": 1}):  # ok: n-plus-one
        reviews = await db.reviews.find({"product_id": product["_id"]}).sort("_id", -1).limit(3).to_list(length=3)  # expect: n-plus-one
        products.append({"name": product["name"], "stock": product["stock"], "latest_reviews": reviews})
    return products


@router.get("/{seller_id}/history")
async def seller_history(seller_id: str, page_size: int = Query(50, ge=1), db: AsyncIOMotorDatabase = Depends(get_db)):  # expect: unbounded-page-size
    return await db.orders.find({"seller_id": ObjectId(seller_id)}).sort("_id", -1).limit(page_size).to_list(length=page_size)


@router.get("/{seller_id}/history/paged")
async def seller_history_paged(seller_id: str, limit: int = Query(50, ge=1), db: AsyncIOMotorDatabase = Depends(get_db)):  # ok: unbounded-page-size -- page_limit caps it, in another module
    n = page_limit(limit)
    return await db.orders.find({"seller_id": ObjectId(seller_id)}).sort("_id", -1).limit(n).to_list(length=n)


@router.get("/feed")
async def orders_feed(q: PageQuery = Depends(), db: AsyncIOMotorDatabase = Depends(get_db)):
    skip = (q.page - 1) * q.per_page
    return await db.orders.find({}).sort("_id", -1).skip(skip).limit(q.per_page).to_list(length=q.per_page)


@router.get("/feed/capped")
async def orders_feed_capped(q: CappedPageQuery = Depends(CappedPageQuery), db: AsyncIOMotorDatabase = Depends(get_db)):
    return await db.orders.find({}).sort("_id", -1).skip((q.page - 1) * q.per_page).limit(q.per_page).to_list(length=q.per_page)
