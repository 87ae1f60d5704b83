import { Router, type Request, type Response } from 'express';
import { ObjectId } from 'mongodb';
import { mongoDb, prisma, replica } from '../db';

export const orderSummaries = Router();

export async function ensureOrderIndexes(): Promise<void> {
  await mongoDb.collection('orders').createIndex({ sellerId: 1, acknowledged: 1 });
  await mongoDb.collection('orders').createIndex({ status: 1 });
}

function pageLimit(req: Request): number {
  return Math.min(Math.max(Number(req.query.limit) || 20, 1), 100);
}

orderSummaries.get('/recent', async (req: Request, res: Response) => {
  const limit = pageLimit(req);
  const orders = await mongoDb.collection('orders').find({}).sort({ _id: -1 }).limit(limit).toArray();
  const out = [];
  for (const order of orders) {
    const buyer = await mongoDb.collection('users').findOne({ _id: order.userId }); // expect: n-plus-one
    out.push({ id: order._id, buyer: buyer?.name ?? null, total: order.total });
  }
  res.json(out);
});

orderSummaries.get('/recent/compact', async (req: Request, res: Response) => {
  const limit = pageLimit(req);
  const orders = await mongoDb.collection('orders').find({}).sort({ _id: -1 }).limit(limit).toArray();
  // One query for all buyers, then a Map lookup per order.
  const buyers = await mongoDb.collection('users').find({ _id: { $in: orders.map((o) => o.userId) } }).project({ name: 1 }).toArray(); // ok: n-plus-one
  const byId = new Map(buyers.map((b) => [String(b._id), b]));
  res.json(orders.map((o) => ({ id: o._id, buyer: byId.get(String(o.userId))?.name ?? null, total: o.total })));
});

orderSummaries.get('/:sellerId/invoices', async (req: Request, res: Response) => {
  const invoices = await prisma.invoice.findMany({ where: { sellerId: req.params.sellerId }, orderBy: { id: 'desc' }, take: pageLimit(req) });
  const rows = [];
  for (const invoice of invoices) {
    const account = await prisma.account.findUnique({ where: { id: invoice.accountId } }); // expect: n-plus-one
    const { rows: refunds } = await replica.query('SELECT amount_cents FROM refunds WHERE invoice_id = $1', [invoice.id]); // expect: n-plus-one
    rows.push({ id: invoice.id, account: account?.name, refunded: refunds.reduce((s, r) => s + r.amount_cents, 0) });
  }
  res.json(rows);
});

orderSummaries.get('/by-status', async (_req: Request, res: Response) => {
  const counts: Record<string, number> = {};
  for (const status of ['open', 'paid', 'refunded']) {
    counts[status] = await mongoDb.collection('orders').countDocuments({ status }); // ok: n-plus-one -- a fixed set of statuses
  }
  res.json(counts);
});

orderSummaries.post('/:sellerId/acknowledge', async (req: Request, res: Response) => {
  const pending = await mongoDb.collection('orders').find({ sellerId: new ObjectId(req.params.sellerId), acknowledged: false }).limit(pageLimit(req)).toArray();
  for (const order of pending) {
    await mongoDb.collection('orders').updateOne({ _id: order._id }, { $set: { acknowledged: true } }); // ok: n-plus-one -- a write per item
  }
  res.json({ acknowledged: pending.length });
});
