import { Router, type Request, type Response } from 'express';
import axios from 'axios';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { PrismaClient } from '@prisma/client';

export const shippingQuotes = Router();

// Quotes are cached in Redis, through one connection for the process.
const quoteCache = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379'); // ok: per-request-client

shippingQuotes.get('/quote/:zip', async (req: Request, res: Response) => {
  const key = `quote:${req.params.zip}`;
  const cached = await quoteCache.get(key);
  if (cached) {
    res.json(JSON.parse(cached));
    return;
  }
  // A configured instance over Node's global agent: no connection pool of its own.
  const carrier = axios.create({ baseURL: process.env.CARRIER_API_URL, timeout: 5000 }); // ok: per-request-client
  const { data } = await carrier.get('/quotes', { params: { zip: req.params.zip } });
  await quoteCache.set(key, JSON.stringify(data), 'EX', 300);
  res.json(data);
});

shippingQuotes.get('/zones', async (_req: Request, res: Response) => {
  const pool = new Pool({ connectionString: process.env.LOGISTICS_DATABASE_URL, max: 5 }); // expect: per-request-client (error)
  try {
    const { rows } = await pool.query('SELECT id, name FROM zones ORDER BY id LIMIT 50');
    res.json(rows);
  } finally {
    await pool.end();
  }
});

shippingQuotes.get('/carriers', async (_req: Request, res: Response) => {
  const prisma = new PrismaClient(); // expect: per-request-client (error)
  res.json(await prisma.carrier.findMany({ orderBy: { name: 'asc' }, take: 50 }));
});

shippingQuotes.get('/quotes/recent', async (_req: Request, res: Response) => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379'); // expect: per-request-client (error)
  const recent = await redis.lrange('quotes:recent', 0, 19);
  redis.disconnect();
  res.json(recent.map((q) => JSON.parse(q)));
});
