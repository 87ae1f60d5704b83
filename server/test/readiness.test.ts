import * as assert from 'assert';
import { engine, parse } from '../src/engine/index';
import { buildReadiness, type Located, type ReadinessFinding } from '../src/readiness/model';
import { readinessOf } from '../src/readiness/report';
import { analyze, code, config, scanTree } from './harness';

const rules = engine().catalogue.rules.map((r) => r.meta);
const at = (ruleId: string, path: string, line: number, severity: ReadinessFinding['severity'] = 'warning'): ReadinessFinding => ({
  ruleId,
  severity,
  message: `${ruleId} here`,
  path,
  line,
  column: 1,
});
const evidence = (ruleId: string, message: string, path: string, line: number): Located => ({ ruleId, message, path, line, column: 1 });

describe('readiness model', () => {
  it('blockers come first in the verdict, naming the categories in plain words', () => {
    const r = buildReadiness({
      findings: [at('pool-unconfigured', 'db.py', 3, 'error'), at('hardcoded-fetch-cap', 'jobs.py', 9, 'error'), at('hardcoded-fetch-cap', 'jobs.py', 20, 'error'), at('over-fetch-multiplier', 'feed.py', 4)],
      evidence: [],
      rules,
      targetUsers: '100k',
      filesScanned: 12,
    });
    assert.strictEqual(r.verdict, 'Not ready for 100K users: 3 blockers in connection pooling and query bounds.');
    assert.strictEqual(r.ready, false);
    const byCategory = Object.fromEntries(r.categories.map((c) => [c.category, [c.status, c.reason]]));
    assert.deepStrictEqual(byCategory['query-bounds'], ['blocker', '2 blockers and 1 warning']);
    assert.deepStrictEqual(byCategory['connection-pooling'], ['blocker', '1 blocker']);
    assert.deepStrictEqual(byCategory['rate-limiting'], ['not-detected', 'nothing found, for or against']);
  });

  it('a category is OK for a reason it shows: the evidence, or findings that are only informational at this scale', () => {
    const r = buildReadiness({
      findings: [at('over-fetch-multiplier', 'feed.py', 4, 'info'), at('in-memory-rate-limiter', 'limits.py', 7)],
      evidence: [evidence('pool-unconfigured', 'connection pool sized', 'app/db.py', 12), evidence('pool-unconfigured', 'connection pool sized', 'app/reports.py', 3)],
      rules,
      targetUsers: '1k',
      filesScanned: 5,
    });
    const byCategory = Object.fromEntries(r.categories.map((c) => [c.category, [c.status, c.reason]]));
    assert.deepStrictEqual(byCategory['connection-pooling'], ['ok', 'connection pool sized in app/db.py:12 (and 1 more)']);
    assert.deepStrictEqual(byCategory['query-bounds'], ['ok', '1 informational finding: not a risk at 1K users']);
    assert.strictEqual(r.verdict, 'At risk at 1K users: 1 warning in rate limiting.');
    assert.strictEqual(r.ready, true);
  });

  it('with nothing against, the verdict says so and names what the code shows handled; no invented numbers', () => {
    const r = buildReadiness({
      findings: [{ ...at('unused-suppression', 'a.py', 1), severity: 'warning' }],
      evidence: [evidence('in-memory-rate-limiter', 'rate limits kept in Redis', 'limits.ts', 14)],
      rules,
      targetUsers: '1m',
      filesScanned: 3,
    });
    assert.strictEqual(r.verdict, 'No blockers or warnings for 1M users; the code shows rate limiting handled.');
    assert.ok(!/\d/.test(r.verdict.replace('1M', '')), 'no figures other than the target scale');
  });

  it('the engine reports evidence with its location, and none for a rule switched off', () => {
    const src = 'from motor.motor_asyncio import AsyncIOMotorClient\nclient = AsyncIOMotorClient(URL, maxPoolSize=50)\n';
    const { evidence: found } = engine().analyzer.analyze(
      { tree: parse('python', src), text: src, grammar: 'python' },
      config(),
    );
    assert.deepStrictEqual(found.map((e) => [e.ruleId, e.message, src.slice(e.start, e.end)]), [
      ['pool-unconfigured', 'connection pool sized', 'AsyncIOMotorClient(URL, maxPoolSize=50)'],
    ]);
    assert.deepStrictEqual(analyze('python', src, config({ rules: { 'pool-unconfigured': 'off' } })), []);
    const off = engine().analyzer.analyze(
      { tree: parse('python', src), text: src, grammar: 'python' },
      config({ rules: { 'pool-unconfigured': 'off' } }),
    );
    assert.deepStrictEqual(off.evidence, []);
  });

  it('a Redis limiter with an in-memory fallback is evidence once, with what happens while Redis is down; one without says only Redis', () => {
    const src = code`
      import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
      import { redis } from './db';

      const insurance = new RateLimiterMemory({ points: 20, duration: 60 });
      export const login = new RateLimiterRedis({ storeClient: redis, points: 5, duration: 60, insuranceLimiter: insurance });
      export const api = new RateLimiterRedis({ storeClient: redis, points: 100, duration: 60 });
    `;
    const { evidence: found } = engine().analyzer.analyze({ tree: parse('typescript', src), text: src, grammar: 'typescript' }, config());
    assert.deepStrictEqual(
      found.filter((e) => e.ruleId === 'in-memory-rate-limiter').map((e) => [src.slice(e.start, e.end).slice(0, 40), e.message.replace(/ \(each instance.*$/, '')]),
      [
        ['new RateLimiterRedis({ storeClient: redi', 'rate limits kept in Redis, with an in-memory fallback while Redis is down'],
        ['new RateLimiterRedis({ storeClient: redi', 'rate limits kept in Redis'],
      ],
    );
  });

  it("a pool sized in the project's wrapper, which imports the constructor under another name, is evidence once; a project function of the same shape is not", () => {
    const src = code`
      from sqlalchemy.ext.asyncio import create_async_engine as _sqlalchemy_engine
      from .pools import make_pool

      def create_async_engine(url):
          return _sqlalchemy_engine(url, pool_size=20, max_overflow=10)

      other = make_pool(URL, pool_size=5)
    `;
    const { evidence: found } = engine().analyzer.analyze({ tree: parse('python', src), text: src, grammar: 'python' }, config());
    assert.deepStrictEqual(found.map((e) => [e.ruleId, e.message, src.slice(e.start, e.end)]), [
      ['pool-unconfigured', 'connection pool sized', '_sqlalchemy_engine(url, pool_size=20, max_overflow=10)'],
    ]);
  });
});

describe('readiness of a workspace, end to end (scan → evidence → model)', () => {
  it('a service that handles each concern shows each category OK with the code that handles it', async () => {
    const result = await scanTree({
      'requirements.txt': '',
      'app/db.py': code`
        from motor.motor_asyncio import AsyncIOMotorClient
        client = AsyncIOMotorClient(URL, maxPoolSize=50)
        db = client.app

        async def ensure_indexes():
            await db.users.create_index("email", unique=True)
      `,
      'app/tasks.py': code`
        from celery import Celery
        celery_app = Celery("app", broker=BROKER_URL)
      `,
      'app/limits.py': code`
        from slowapi import Limiter
        from slowapi.util import get_remote_address
        limiter = Limiter(key_func=get_remote_address, storage_uri="redis://cache:6379/0")
      `,
      'app/ws.py': code`
        from broadcaster import Broadcast
        broadcast = Broadcast("redis://cache:6379")
      `,
      'app/users.py': code`
        from app.db import db

        async def by_email(email):
            return await db.users.find_one({"email": email})
      `,
    });
    const r = readinessOf(result);
    const byCategory = Object.fromEntries(r.categories.map((c) => [c.category, [c.status, c.reason]]));
    assert.deepStrictEqual(byCategory, {
      'connection-pooling': ['ok', 'connection pool sized in app/db.py:2'],
      'query-bounds': ['not-detected', 'nothing found, for or against'],
      'database-load': ['ok', 'MongoDB indexes declared in app/db.py:6'],
      concurrency: ['not-detected', 'nothing found, for or against'],
      'background-work': ['ok', 'background jobs run on a job queue (Celery) in app/tasks.py:2'],
      'rate-limiting': ['ok', 'rate limits kept in a shared store (storage_uri) in app/limits.py:3'],
      'shared-state': ['ok', 'broadcasts go through a pub/sub backend (broadcaster) in app/ws.py:2'],
      'blocking-io': ['not-detected', 'nothing found, for or against'],
    });
    assert.strictEqual(
      r.verdict,
      'No blockers or warnings for 100K users; the code shows connection pooling, database load, background work, rate limiting and shared state and caching handled.',
    );
  });
});
