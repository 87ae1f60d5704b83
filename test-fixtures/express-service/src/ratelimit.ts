import type { NextFunction, Request, Response } from 'express';
import rateLimit from 'express-rate-limit';
import { RedisStore } from 'rate-limit-redis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { redis } from './db';

// Public API: 300 requests a minute per address.
export const apiLimiter = rateLimit({ windowMs: 60_000, limit: 300, standardHeaders: 'draft-7', legacyHeaders: false }); // expect: in-memory-rate-limiter; ok: hardcoded-fetch-cap

// Sign-in: counted in Redis, so every replica sees the same attempts.
export const signInLimiter = rateLimit({ // ok: in-memory-rate-limiter
  windowMs: 15 * 60_000,
  limit: 10,
  store: new RedisStore({ sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as never, prefix: 'rl:signin:' }),
});

// Password reset codes: 5 per hour per address.
const resetLimiter = new RateLimiterMemory({ points: 5, duration: 3600 }); // expect: in-memory-rate-limiter

// Partner API keys: 1000 per minute, shared in Redis.
const partnerLimiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: 'rl:partner', points: 1000, duration: 60 }); // ok: in-memory-rate-limiter

export function limitResets(req: Request, res: Response, next: NextFunction): void {
  resetLimiter
    .consume(req.ip ?? 'unknown')
    .then(() => next())
    .catch(() => res.status(429).json({ error: 'Too many reset requests' }));
}

export function limitPartners(req: Request, res: Response, next: NextFunction): void {
  partnerLimiter
    .consume(req.header('x-api-key') ?? 'anonymous')
    .then(() => next())
    .catch(() => res.status(429).json({ error: 'Rate limit exceeded' }));
}

// Upload endpoint: a sliding window of request times per client address.
const uploadHits = new Map<string, number[]>(); // expect: in-memory-rate-limiter

export function limitUploads(maxPerMinute: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const ip = req.ip ?? 'unknown';
    const now = Date.now();
    const recent = (uploadHits.get(ip) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= maxPerMinute) {
      res.status(429).json({ error: 'Too many uploads' });
      return;
    }
    recent.push(now);
    uploadHits.set(ip, recent);
    next();
  };
}

// Profiles by user id, kept for a minute: a cache, not a limiter.
const profileCache = new Map<string, { expires: number; profile: unknown }>(); // ok: in-memory-rate-limiter

export function cachedProfile(userId: string): unknown {
  const hit = profileCache.get(userId);
  return hit && hit.expires > Date.now() ? hit.profile : undefined;
}

export function rememberProfile(userId: string, profile: unknown): void {
  profileCache.set(userId, { expires: Date.now() + 60_000, profile });
}
