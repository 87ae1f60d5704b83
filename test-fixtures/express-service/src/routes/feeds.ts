import { Router } from 'express';
import { z } from 'zod';
import { prisma } from '../db';

// The feed's query string, parsed per request.
const feedQuery = z.object({
  cursor: z.string().optional(),
  // expect: unbounded-page-size -- any page size the client asks for
  pageSize: z.coerce.number().int().positive().default(20),
});

const archiveQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20), // ok: unbounded-page-size
});

export const feeds = Router();

feeds.get('/feed', async (req, res) => {
  const { cursor, pageSize } = feedQuery.parse(req.query);
  res.json(await prisma.post.findMany({ take: pageSize, orderBy: { id: 'desc' }, ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}) }));
});

feeds.get('/archive', async (req, res) => {
  const { limit } = archiveQuery.parse(req.query);
  res.json(await prisma.post.findMany({ take: limit, orderBy: { id: 'asc' } }));
});

feeds.get('/drafts', async (req, res) => {
  // expect: unbounded-page-size -- handed to the query as the client sent it
  const limit = Number(req.query.limit) || 20;
  res.json(await prisma.post.findMany({ where: { published: false }, take: limit }));
});
