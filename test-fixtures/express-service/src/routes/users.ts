import { Router, type Request, type Response } from 'express';
import { ObjectId } from 'mongodb';
import { analyticsDb, mongoDb, prisma, replica, supabase } from '../db';
import { cachedProfile, rememberProfile } from '../ratelimit';

export const users = Router();

function pageParams(req: Request): { limit: number; skip: number } {
  const limit = Math.min(Math.max(Number(req.query.limit) || 50, 1), 200);
  const skip = Math.max(Number(req.query.skip) || 0, 0);
  return { limit, skip };
}

users.get('/', async (req: Request, res: Response) => {
  const { limit, skip } = pageParams(req);
  const page = await prisma.user.findMany({ where: { deletedAt: null }, orderBy: { id: 'asc' }, skip, take: limit }); // ok: hardcoded-fetch-cap, unbounded-fetch
  res.json(page);
});

users.get('/all', async (_req: Request, res: Response) => {
  const everyone = await prisma.user.findMany(); // expect: unbounded-fetch
  res.json(everyone.map((u) => ({ id: u.id, email: u.email })));
});

users.get('/newest', async (_req: Request, res: Response) => {
  const newest = await prisma.user.findMany({ orderBy: { createdAt: 'desc' }, take: 5 }); // ok: hardcoded-fetch-cap, unbounded-fetch
  res.json(newest);
});

users.get('/search', async (req: Request, res: Response) => {
  const { limit } = pageParams(req);
  const q = String(req.query.q ?? '');
  // Twice the page: blocked users are dropped below.
  const found = await prisma.user.findMany({ where: { name: { contains: q, mode: 'insensitive' } }, take: limit * 2 }); // expect: over-fetch-multiplier
  res.json(found.filter((u) => !u.blocked).slice(0, limit));
});

users.get('/:id/activity', async (req: Request, res: Response) => {
  const events = await mongoDb.collection('activity').find({ userId: new ObjectId(req.params.id) }).sort({ at: -1 }).limit(1000).toArray(); // expect: hardcoded-fetch-cap (warning); ok: missing-index
  res.json(events);
});

users.get('/:id/activity/recent', async (req: Request, res: Response) => {
  const { limit, skip } = pageParams(req);
  const events = await mongoDb.collection('activity').find({ userId: new ObjectId(req.params.id) }).sort({ at: -1 }).skip(skip).limit(limit).toArray(); // ok: hardcoded-fetch-cap, unbounded-fetch, missing-index
  res.json(events);
});

users.get('/:id/feed', async (req: Request, res: Response) => {
  const { limit } = pageParams(req);
  const muted: ObjectId[] = (await mongoDb.collection('mutes').findOne({ userId: new ObjectId(req.params.id) }))?.muted ?? []; // expect: missing-index
  const posts = await mongoDb.collection('posts').find({}).sort({ _id: -1 }).limit(limit * 3).toArray(); // expect: over-fetch-multiplier; ok: unbounded-fetch
  res.json(posts.filter((p) => !muted.some((m) => m.equals(p.authorId))).slice(0, limit));
});

users.get('/search/plain', async (req: Request, res: Response) => {
  const q = String(req.query.q ?? '');
  const limit = Math.min(Number(req.query.limit) || 20, 100);
  // Twice the rows, then the blocked accounts are dropped in code.
  const { rows } = await replica.query('SELECT id, name FROM users WHERE name ILIKE $1 ORDER BY id LIMIT $2', [`%${q}%`, limit * 2]); // expect: over-fetch-multiplier
  res.json(rows.filter((u) => !u.blocked).slice(0, limit));
});

users.get('/:id/profile', async (req: Request, res: Response) => {
  const cached = cachedProfile(req.params.id);
  if (cached) {
    res.json(cached);
    return;
  }
  const { rows } = await replica.query('SELECT id, email, name, plan FROM users WHERE id = $1', [req.params.id]);
  if (rows.length === 0) {
    res.sendStatus(404);
    return;
  }
  rememberProfile(req.params.id, rows[0]);
  res.json(rows[0]);
});

users.get('/:id/orgs', async (req: Request, res: Response) => {
  // A user belongs to a handful of organisations.
  const orgs = await mongoDb.collection('memberships').find({ userId: new ObjectId(req.params.id) }).toArray(); // ok: unbounded-fetch, missing-index -- filtered, not the whole collection
  res.json(orgs);
});

users.get('/admin/countries', async (_req: Request, res: Response) => {
  const countries = await mongoDb.collection('countries').find({}).toArray(); // expect: unbounded-fetch
  res.json(countries);
});

users.get('/admin/sessions', async (_req: Request, res: Response) => {
  const sessions = await analyticsDb.collection('sessions').find().toArray(); // expect: unbounded-fetch
  res.json(sessions.length);
});

users.get('/admin/signups', async (_req: Request, res: Response) => {
  const { data, error } = await supabase.from('signups').select('id, email, source, created_at').order('created_at', { ascending: false }).range(0, 999); // expect: hardcoded-fetch-cap (warning)
  if (error) {
    res.status(502).json({ error: error.message });
    return;
  }
  res.json(data);
});

users.get('/admin/signups/latest', async (_req: Request, res: Response) => {
  const { data } = await supabase.from('signups').select('id, email').order('created_at', { ascending: false }).range(0, 9); // ok: hardcoded-fetch-cap
  res.json(data ?? []);
});

users.get('/admin/top-referrers', async (_req: Request, res: Response) => {
  const top = await mongoDb.collection('users').find({ referrals: { $gt: 0 } }).sort({ referrals: -1 }).limit(5).toArray(); // expect: missing-index; ok: hardcoded-fetch-cap
  res.json(top);
});

users.post('/admin/invitations', async (req: Request, res: Response) => {
  const invitees: { email: string; teamId: string }[] = await loadInvitees(String(req.body.teamId));
  for (const invitee of invitees) {
    await mongoDb.collection('invitations').insertOne({ email: invitee.email, teamId: invitee.teamId, at: new Date() }); // expect: n-plus-one
  }
  await mongoDb.collection('audit').insertMany(invitees.map((i) => ({ action: 'invited', email: i.email }))); // ok: n-plus-one
  res.status(201).json({ invited: invitees.length });
});

async function loadInvitees(teamId: string): Promise<{ email: string; teamId: string }[]> {
  return prisma.pendingInvitee.findMany({ where: { teamId } });
}
