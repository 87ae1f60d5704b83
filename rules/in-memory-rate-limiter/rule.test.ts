import * as assert from 'assert';
import { applyFix, code, config, findingsOf, hits, offeredFixes } from '../../server/test/harness';

const ID = 'in-memory-rate-limiter';

describe(ID, () => {
  describe('python', () => {
    describe('slowapi and limits', () => {
      it('flags a slowapi Limiter without storage_uri or with a memory:// storage', () => {
        const src = code`
          from slowapi import Limiter
          from slowapi.util import get_remote_address

          limiter = Limiter(key_func=get_remote_address)
          also = Limiter(key_func=get_remote_address, default_limits=["100/minute"], storage_uri="memory://")
          empty = Limiter(key_func=get_remote_address, storage_uri="")
        `;
        assert.deepStrictEqual(hits('python', src, ID), [
          'Limiter(key_func=get_remote_address)',
          'Limiter(key_func=get_remote_address, default_limits=["100/minute"], storage_uri="memory://")',
          'Limiter(key_func=get_remote_address, storage_uri="")',
        ]);
      });
      it('follows an aliased import of slowapi', () => {
        const src = code`
          from slowapi.extension import Limiter as RateLimiter

          a = RateLimiter(key_func=key)
        `;
        assert.deepStrictEqual(hits('python', src, ID), ['RateLimiter(key_func=key)']);
      });
      it('flags the memory storage of limits', () => {
        const src = code`
          from limits.storage import MemoryStorage, storage_from_string
          from limits.strategies import MovingWindowRateLimiter

          storage = MemoryStorage()
          other = storage_from_string("memory://")
          shared = storage_from_string("redis://redis:6379/0")
          limiter = MovingWindowRateLimiter(storage)
        `;
        assert.deepStrictEqual(hits('python', src, ID), ['MemoryStorage()', 'storage_from_string("memory://")']);
      });
      it('leaves a configured storage, unknown options and other Limiter classes alone', () => {
        const src = code`
          import os
          from slowapi import Limiter
          from aiolimiter import AsyncLimiter
          from flask_limiter import Limiter as FlaskLimiter

          a = Limiter(key_func=get_remote_address, storage_uri=os.environ["REDIS_URL"])
          b = Limiter(key_func=get_remote_address, storage_uri="redis://redis:6379/0")
          c = Limiter(key_func=get_remote_address, storage_uri=settings.RATE_LIMIT_STORAGE)
          d = Limiter(**limiter_options)
          e = Limiter(key_func=get_remote_address, config_filename="limits.env")
          f = Limiter(key_func=get_remote_address, enabled=False)
          g = AsyncLimiter(100, 60)
          h = FlaskLimiter(get_remote_address, app=app)
        `;
        assert.deepStrictEqual(hits('python', src, ID), []);
      });
      it('does not flag a Limiter that is not slowapi', () => {
        const src = code`
          from myapp.throttling import Limiter

          limiter = Limiter(key_func=get_remote_address)
        `;
        assert.deepStrictEqual(hits('python', src, ID), []);
      });
      it('says what breaks, as a warning (info at 1k users)', () => {
        const src = 'from slowapi import Limiter\nlimiter = Limiter(key_func=k)\n';
        const [f] = findingsOf('python', src, ID);
        assert.strictEqual(
          f.message,
          "slowapi `Limiter` without `storage_uri` (and no RATELIMIT_STORAGE_URL in the environment) keeps rate-limit counts in this process's memory: with N instances each one allows the full limit (behind a load balancer with 4 replicas a 100/min limit lets 400/min through), and every restart or deploy resets the counts. Keep the counters in a shared store such as Redis.",
        );
        assert.strictEqual(f.severity, 'warning');
        assert.strictEqual(findingsOf('python', src, ID, config({ targetUsers: '1k' }))[0].severity, 'info');
      });
    });

    describe('dict stores keyed by client address', () => {
      it('flags a module-level defaultdict filled with request times per client address', () => {
        const src = code`
          import time
          from collections import defaultdict

          requests_by_ip = defaultdict(list)

          def is_rate_limited(request) -> bool:
              ip = request.client.host
              now = time.time()
              requests_by_ip[ip] = [t for t in requests_by_ip[ip] if now - t < 60]
              if len(requests_by_ip[ip]) >= 100:
                  return True
              requests_by_ip[ip].append(now)
              return False
        `;
        assert.deepStrictEqual(hits('python', src, ID), ['requests_by_ip = defaultdict(list)']);
        const [f] = findingsOf('python', src, ID);
        assert.match(f.message, /^`requests_by_ip`, filled per client address, keeps rate-limit counts/);
        assert.deepStrictEqual(
          f.related.map((r) => [src.slice(r.start, r.end), r.message]),
          [['requests_by_ip[ip] = [t for t in requests_by_ip[ip] if now - t < 60]', 'filled per client address here']],
        );
      });
      it('flags annotated and plain dicts filled directly from the request', () => {
        const src = code`
          import time
          from flask import request

          hits: dict[str, list[float]] = {}
          last_request = {}
          attempts = collections.Counter()

          def limit():
              hits.setdefault(request.remote_addr, []).append(time.monotonic())

          def throttle(request):
              last_request[request.headers.get("X-Forwarded-For", "").split(",")[0]] = time.time()

          def login(request):
              attempts[get_remote_address(request)] += 1
        `;
        assert.deepStrictEqual(hits('python', src, ID), ['hits: dict[str, list[float]] = {}', 'last_request = {}', 'attempts = collections.Counter()']);
      });
      it('flags instance-level and class-level stores of a limiter class', () => {
        const src = code`
          import time
          from collections import defaultdict, deque

          class SlidingWindowLimiter:
              blocked = {}

              def __init__(self, limit: int, window: float):
                  self.limit = limit
                  self.window = window
                  self._requests: dict[str, deque] = defaultdict(deque)
                  self.settings = {}

              def allow(self, client_ip: str) -> bool:
                  now = time.monotonic()
                  window = self._requests[client_ip]
                  while window and now - window[0] > self.window:
                      window.popleft()
                  window.append(now)
                  return len(window) <= self.limit

              def block(self, request):
                  self.blocked[request.client.host] = time.time() + 300
        `;
        assert.deepStrictEqual(hits('python', src, ID), ['blocked = {}', 'self._requests: dict[str, deque] = defaultdict(deque)']);
      });
      it('reads the address through a local, a parameter, a tuple or an f-string key', () => {
        const src = code`
          rate_counts = {}
          hits_by_route = defaultdict(int)
          windows = defaultdict(list)

          def check(request, path):
              key = get_remote_address(request)
              rate_counts[key] = rate_counts.get(key, 0) + 1
              hits_by_route[(request.client.host, path)] += 1
              windows[f"{request.client.host}:{path}"].append(time.time())
        `;
        assert.deepStrictEqual(hits('python', src, ID), ['rate_counts = {}', 'hits_by_route = defaultdict(int)', 'windows = defaultdict(list)']);
      });
      it('flags a store kept in the closure of a decorator or middleware factory', () => {
        const src = code`
          def rate_limit(max_calls: int, period: float):
              calls = defaultdict(list)

              def decorator(func):
                  @wraps(func)
                  async def wrapper(request, *args, **kwargs):
                      calls[request.client.host].append(time.monotonic())
                      return await func(request, *args, **kwargs)
                  return wrapper
              return decorator
        `;
        assert.deepStrictEqual(hits('python', src, ID), ['calls = defaultdict(list)']);
      });
      it('leaves caches and counters that are not keyed by client address alone', () => {
        const src = code`
          import time
          from collections import Counter, defaultdict

          cache = {}
          hits_by_endpoint = defaultdict(int)
          user_requests = defaultdict(list)
          sessions = {}

          def handle(request, user):
              cache[user.id] = load(user.id)
              hits_by_endpoint[request.url.path] += 1
              user_requests[user.id].append(time.time())
              sessions[request.cookies["sid"]] = time.time()
        `;
        assert.deepStrictEqual(hits('python', src, ID), []);
      });
      it('needs times or counts as values, and a limiting name for single times and counts', () => {
        const src = code`
          import time

          profiles = {}
          last_seen = {}
          visits = Counter()
          geo = {}

          def track(request):
              ip = request.client.host
              profiles[ip] = lookup_profile(ip)
              last_seen[ip] = time.time()
              visits[ip] += 1
              geo[ip] = [country_of(ip)]
        `;
        assert.deepStrictEqual(hits('python', src, ID), []);
      });
      it('does not take an address-like name from a loop or from a non-request value', () => {
        const src = code`
          request_counts = Counter()
          request_times = defaultdict(list)

          def report(lines):
              for ip in parse(lines):
                  request_counts[ip] += 1
              for line in lines:
                  ip = line.split()[0]
                  request_times[ip].append(time.time())
        `;
        assert.deepStrictEqual(hits('python', src, ID), []);
      });
      it('leaves local dicts, prefilled dicts and stores of other instances alone', () => {
        const src = code`
          LIMITS = {"free": 10, "pro": 100}

          def handler(request):
              seen = defaultdict(list)
              seen[request.client.host].append(time.time())

          class Report:
              def build(self):
                  self.hits = {}

          def record(other, request):
              other.hits[request.client.host] += 1
        `;
        assert.deepStrictEqual(hits('python', src, ID), []);
      });
    });

    describe('fixes', () => {
      it('storage_uri from the Redis URL variable the file already has (safe, preferred)', () => {
        const src = code`
          import os
          from slowapi import Limiter
          from slowapi.util import get_remote_address

          REDIS_URL = os.environ["REDIS_URL"]
          limiter = Limiter(key_func=get_remote_address)
        `;
        assert.deepStrictEqual(offeredFixes('python', src, ID), ['storage-uri-from-redis-url']);
        assert.strictEqual(
          applyFix('python', src, ID, 'storage-uri-from-redis-url'),
          code`
            import os
            from slowapi import Limiter
            from slowapi.util import get_remote_address

            REDIS_URL = os.environ["REDIS_URL"]
            limiter = Limiter(key_func=get_remote_address, storage_uri=REDIS_URL)
          `,
        );
      });
      it('storage_uri from a settings attribute, in a multi-line call with a trailing comma', () => {
        const src = code`
          from slowapi import Limiter
          from slowapi.util import get_remote_address
          from app.config import settings

          limiter = Limiter(
              key_func=get_remote_address,
              default_limits=["100/minute"],  # per client
          )
          cache = Redis.from_url(settings.redis_url)
        `;
        assert.strictEqual(
          applyFix('python', src, ID, 'storage-uri-from-redis-url'),
          code`
            from slowapi import Limiter
            from slowapi.util import get_remote_address
            from app.config import settings

            limiter = Limiter(
                key_func=get_remote_address,
                default_limits=["100/minute"],  # per client
                storage_uri=settings.redis_url,
            )
            cache = Redis.from_url(settings.redis_url)
          `,
        );
      });
      it('storage_uri from the same environment read the file makes elsewhere', () => {
        const src = code`
          from os import getenv
          from slowapi import Limiter

          limiter = Limiter(key_func=k)

          def redis_client():
              return Redis.from_url(getenv("REDIS_URL", "redis://localhost:6379/0"))
        `;
        assert.strictEqual(
          applyFix('python', src, ID, 'storage-uri-from-redis-url'),
          code`
            from os import getenv
            from slowapi import Limiter

            limiter = Limiter(key_func=k, storage_uri=getenv("REDIS_URL", "redis://localhost:6379/0"))

            def redis_client():
                return Redis.from_url(getenv("REDIS_URL", "redis://localhost:6379/0"))
          `,
        );
      });
      it('otherwise reads RATELIMIT_STORAGE_URL from os.environ, as an unsafe fix', () => {
        const src = code`
          import os
          from slowapi import Limiter

          limiter = Limiter(
              key_func=get_remote_address
          )
        `;
        assert.deepStrictEqual(offeredFixes('python', src, ID), ['storage-uri-from-env']);
        assert.strictEqual(
          applyFix('python', src, ID, 'storage-uri-from-env'),
          code`
            import os
            from slowapi import Limiter

            limiter = Limiter(
                key_func=get_remote_address,
                storage_uri=os.environ["RATELIMIT_STORAGE_URL"]
            )
          `,
        );
      });
      it('keeps CRLF line endings when it adds a line', () => {
        const src = 'import os\r\nfrom slowapi import Limiter\r\n\r\nlimiter = Limiter(\r\n    key_func=get_remote_address,\r\n)\r\n';
        assert.strictEqual(
          applyFix('python', src, ID, 'storage-uri-from-env'),
          'import os\r\nfrom slowapi import Limiter\r\n\r\nlimiter = Limiter(\r\n    key_func=get_remote_address,\r\n    storage_uri=os.environ["RATELIMIT_STORAGE_URL"],\r\n)\r\n',
        );
      });
      it('offers no storage fix when the file has neither a Redis URL nor os, nor for other findings', () => {
        const noOs = 'from slowapi import Limiter\nlimiter = Limiter(key_func=k)\n';
        assert.deepStrictEqual(offeredFixes('python', noOs, ID), []);
        // os imported inside a function only: os.environ is not available at module level
        const localOs = 'from slowapi import Limiter\nlimiter = Limiter(key_func=k)\ndef f():\n    import os\n    return os.environ["REDIS_URL"]\n';
        assert.deepStrictEqual(offeredFixes('python', localOs, ID), []);
        const memory = 'import os\nfrom slowapi import Limiter\nREDIS_URL = os.environ["REDIS_URL"]\nlimiter = Limiter(key_func=k, storage_uri="memory://")\n';
        assert.deepStrictEqual(offeredFixes('python', memory, ID), []);
        const dict = 'import os\nhits = {}\ndef f(request):\n    hits[request.client.host] = [time.time()]\n';
        assert.deepStrictEqual(offeredFixes('python', dict, ID), []);
      });
    });
  });

  describe('go', () => {
    it('flags maps of per-client limiters: package variables, struct fields and locals', () => {
      const src = code`
        package main

        import (
            "sync"

            "golang.org/x/time/rate"
        )

        var limiters = make(map[string]*rate.Limiter)

        type IPRateLimiter struct {
            ips map[string]*rate.Limiter
            mu  *sync.RWMutex
        }

        func NewIPRateLimiter() *IPRateLimiter {
            return &IPRateLimiter{ips: make(map[string]*rate.Limiter), mu: &sync.RWMutex{}}
        }

        func (l *IPRateLimiter) reset() {
            l.ips = map[string]*rate.Limiter{}
        }

        func middleware() {
            perClient := map[string]*rate.Limiter{}
            _ = perClient
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['map[string]*rate.Limiter', 'map[string]*rate.Limiter', 'map[string]*rate.Limiter']);
      const lines = findingsOf('go', src, ID).map((f) => src.slice(0, f.start).split('\n').length);
      assert.deepStrictEqual(lines, [9, 12, 25]);
    });
    it('flags a map of visitor structs that hold a limiter', () => {
      const src = code`
        package main

        import (
            "sync"
            "time"

            "golang.org/x/time/rate"
        )

        var (
            mu       sync.Mutex
            visitors = make(map[string]*visitor)
        )

        type visitor struct {
            limiter  *rate.Limiter
            lastSeen time.Time
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['map[string]*visitor']);
      const [f] = findingsOf('go', src, ID);
      assert.match(f.message, /^`map\[string\]\*visitor` \(each `visitor` holds a rate limiter\) keeps rate-limit counts/);
      assert.deepStrictEqual(f.related.map((r) => src.slice(r.start, r.end)), ['visitor']);
    });
    it('flags tollbooth, the ulule memory store, httprate, Echo and Fiber memory stores', () => {
      const src = code`
        package main

        import (
            "github.com/didip/tollbooth/v7"
            "github.com/go-chi/httprate"
            "github.com/gofiber/fiber/v2/middleware/limiter"
            "github.com/labstack/echo/v4/middleware"
            "github.com/ulule/limiter/v3/drivers/store/memory"
        )

        func setup() {
            a := tollbooth.NewLimiter(1, nil)
            b := memory.NewStore()
            r.Use(httprate.LimitByIP(100, time.Minute))
            r.Use(httprate.Limit(10, time.Minute, httprate.WithKeyFuncs(httprate.KeyByIP)))
            e.Use(middleware.RateLimiter(middleware.NewRateLimiterMemoryStore(20)))
            app.Use(limiter.New(limiter.Config{Max: 20, Expiration: 30 * time.Second}))
            app.Use(limiter.New())
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), [
        'tollbooth.NewLimiter(1, nil)',
        'memory.NewStore()',
        'httprate.LimitByIP(100, time.Minute)',
        'httprate.Limit(10, time.Minute, httprate.WithKeyFuncs(httprate.KeyByIP))',
        'middleware.NewRateLimiterMemoryStore(20)',
        'limiter.New(limiter.Config{Max: 20, Expiration: 30 * time.Second})',
        'limiter.New()',
      ]);
    });
    it('leaves shared stores, a single global limiter and unrelated maps alone', () => {
      const src = code`
        package main

        import (
            "github.com/go-chi/httprate"
            "github.com/gofiber/fiber/v2/middleware/limiter"
            "github.com/ulule/limiter/v3"
            sredis "github.com/ulule/limiter/v3/drivers/store/redis"
            "golang.org/x/time/rate"
        )

        var global = rate.NewLimiter(rate.Every(time.Second), 10)
        var names = map[string]string{}
        var users = make(map[string]*User)
        var routeLimits = map[string]*rate.Limiter{
            "/upload": rate.NewLimiter(1, 5),
            "/search": rate.NewLimiter(10, 20),
        }

        type User struct {
            Name string
        }

        func setup(client *redis.Client, cfg limiter.Config) {
            store, _ := sredis.NewStore(client)
            l := limiter.New(store, limiter.Rate{Period: time.Minute, Limit: 100})
            r.Use(httprate.Limit(10, time.Minute, httprate.WithLimitCounter(counter)))
            r.Use(httprate.Limit(10, time.Minute, opts...))
            app.Use(limiter.New(limiter.Config{Max: 20, Storage: redisStorage}))
            app.Use(limiter.New(cfg))
            _ = l
        }

        func lookup(m map[string]*rate.Limiter, ip string) *rate.Limiter { return m[ip] }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
    });
    it('needs the import: a rate.Limiter of another package or a tollbooth look-alike is not flagged', () => {
      const src = code`
        package main

        import "example.com/internal/rate"

        var limiters = map[string]*rate.Limiter{}

        func f() { _ = tollbooth.NewLimiter(1, nil); _ = memory.NewStore() }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
    });
    it('follows an aliased import', () => {
      const src = code`
        package main

        import xrate "golang.org/x/time/rate"

        var limiters = map[string]*xrate.Limiter{}
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['map[string]*xrate.Limiter']);
    });
    it('offers no fix besides ignore', () => {
      const src = 'package main\n\nimport "github.com/didip/tollbooth/v7"\n\nvar l = tollbooth.NewLimiter(1, nil)\n';
      assert.deepStrictEqual(offeredFixes('go', src, ID), []);
    });
  });

  for (const lang of ['typescript', 'javascript'] as const) {
    describe(lang, () => {
      it('flags express-rate-limit without a store (default, named and require forms)', () => {
        const src = code`
          import rateLimit from 'express-rate-limit';
          import { rateLimit as limit } from 'express-rate-limit';
          const { slowDown } = require('express-slow-down');

          export const apiLimiter = rateLimit({ windowMs: 15 * 60 * 1000, max: 100 });
          app.use('/login', limit({ windowMs: 60_000, limit: 5 }));
          app.use(rateLimit());
          const speed = slowDown({ windowMs: 60_000, delayAfter: 50 });
        `;
        assert.deepStrictEqual(hits(lang, src, ID), [
          'rateLimit({ windowMs: 15 * 60 * 1000, max: 100 })',
          "limit({ windowMs: 60_000, limit: 5 })",
          'rateLimit()',
          'slowDown({ windowMs: 60_000, delayAfter: 50 })',
        ]);
        assert.match(findingsOf(lang, src, ID)[0].message, /^express-rate-limit without `store` keeps rate-limit counts/);
      });
      it('flags express-rate-limit used through a namespace import', () => {
        const src = code`
          import * as erl from 'express-rate-limit';

          const a = erl.rateLimit({ max: 10 });
          const b = erl.default({ max: 10, store: sharedStore });
          const c = other.rateLimit({ max: 10 });
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ['erl.rateLimit({ max: 10 })']);
      });
      it('flags RateLimiterMemory, an explicit MemoryStore and @fastify/rate-limit without redis', () => {
        const src = code`
          const { RateLimiterMemory, RateLimiterRedis } = require('rate-limiter-flexible');
          const flexible = require('rate-limiter-flexible');
          import { rateLimit, MemoryStore } from 'express-rate-limit';
          import fastifyRateLimit from '@fastify/rate-limit';

          const loginLimiter = new RateLimiterMemory({ points: 5, duration: 60 });
          const other = new flexible.RateLimiterMemory({ points: 5 });
          const limiter = rateLimit({ max: 100, store: new MemoryStore() });
          await app.register(fastifyRateLimit, { max: 100, timeWindow: '1 minute' });
        `;
        assert.deepStrictEqual(hits(lang, src, ID), [
          'new RateLimiterMemory({ points: 5, duration: 60 })',
          'new flexible.RateLimiterMemory({ points: 5 })',
          'new MemoryStore()',
          "app.register(fastifyRateLimit, { max: 100, timeWindow: '1 minute' })",
        ]);
      });
      it('leaves shared stores, unknown options, insurance limiters and other libraries alone', () => {
        const src = code`
          import rateLimit from 'express-rate-limit';
          import { RedisStore } from 'rate-limit-redis';
          import { RateLimiterRedis, RateLimiterMemory } from 'rate-limiter-flexible';
          import fastifyRateLimit from '@fastify/rate-limit';
          import { rateLimit as otherLimit } from './my-limiter';

          const a = rateLimit({ max: 100, store: new RedisStore({ sendCommand: (...args) => client.sendCommand(args) }) });
          const b = rateLimit(options);
          const c = rateLimit({ ...defaults, max: 10 });
          const d = rateLimit({ max: 100, store });
          const e = new RateLimiterRedis({ storeClient: redis, points: 10, insuranceLimiter: new RateLimiterMemory({ points: 5 }) });
          await app.register(fastifyRateLimit, { max: 100, redis });
          await app.register(fastifyRateLimit, limitOptions);
          await app.register(cors, { origin: true });
          const f = otherLimit({ max: 100 });
          const g = new MemoryStore();
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });

      it('leaves a memory limiter alone that a shared limiter takes as its insurance, bound to a name or a static field', () => {
        const src = code`
          import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
          import Redis from 'ioredis';

          const redis = new Redis();

          export default class RateLimiter {
            static readonly insuranceRateLimiter = new RateLimiterMemory({ points: 10, duration: 1 });

            static get defaultRateLimiter(): RateLimiterRedis {
              return new RateLimiterRedis({ storeClient: redis, insuranceLimiter: this.insuranceRateLimiter });
            }
          }

          const fallback = new RateLimiterMemory({ points: 5 });
          export const apiLimiter = new RateLimiterRedis({ storeClient: redis, points: 100, insuranceLimiter: fallback });

          const loginLimiter = new RateLimiterMemory({ points: 5, duration: 60 });
          export const other = new RateLimiterRedis({ storeClient: redis, points: 5, keyPrefix: loginLimiter.keyPrefix });
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ['new RateLimiterMemory({ points: 5, duration: 60 })']);
      });

      it('flags a module-level Map filled with request times or counts per client address', () => {
        const src = code`
          const hits = new Map();
          const counters = {};
          const attemptsByIp = new Map();

          function rateLimiter(req, res, next) {
            const ip = req.ip ?? req.socket.remoteAddress;
            const now = Date.now();
            const recent = (hits.get(ip) ?? []).filter((t) => now - t < 60_000);
            recent.push(now);
            hits.set(ip, recent);
            counters[req.headers['x-forwarded-for']] = (counters[req.headers['x-forwarded-for']] || 0) + 1;
            next();
          }

          app.post('/login', (req, res) => {
            const entry = attemptsByIp.get(req.ip);
            if (!entry || entry.resetAt < Date.now()) attemptsByIp.set(req.ip, { count: 1, resetAt: Date.now() + 900_000 });
          });
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ['hits = new Map()', 'counters = {}', 'attemptsByIp = new Map()']);
        const [f] = findingsOf(lang, src, ID);
        assert.deepStrictEqual(f.related.map((r) => src.slice(r.start, r.end)), ['hits.set(ip, recent)']);
      });
      it('flags a Map kept in the closure of a middleware factory', () => {
        const src = code`
          export function limitByIp(max) {
            const windows = new Map();
            return (req, res, next) => {
              const stamps = windows.get(req.ip) ?? [];
              stamps.push(Date.now());
              windows.set(req.ip, stamps);
              next();
            };
          }

          function perRequest(req, res) {
            const seen = new Map();
            seen.set(req.ip, [Date.now()]);
            function helper() {}
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ['windows = new Map()']);
      });
      it('flags push and increment forms, and class stores', () => {
        const src = code`
          export const requestLog = new Map();
          const requestCounts = {};

          export function track(req) {
            const key = req.header('x-real-ip') || req.ip;
            if (!requestLog.has(key)) requestLog.set(key, []);
            requestLog.get(key).push(Date.now());
            requestCounts[req.ip]++;
          }

          class RateLimiter {
            windows = new Map();
            constructor() {
              this.blocked = {};
            }
            hit(clientIp) {
              const list = this.windows.get(clientIp) ?? [];
              list.push(Date.now());
              this.windows.set(clientIp, list);
              this.blocked[clientIp] = Date.now() + 60_000;
            }
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ['requestLog = new Map()', 'requestCounts = {}', 'windows = new Map()', 'this.blocked = {}']);
      });
      it('leaves maps keyed by user or route, caches and per-call maps alone', () => {
        const src = code`
          const cache = new Map();
          const routeHits = new Map();
          const userRequests = new Map();
          const lastSeen = new Map();
          const geoByIp = {};
          const CODES = new Map([['a', 1]]);
          const visits = {};

          function track(req) {
            visits[req.ip]++;
          }

          app.get('/x', async (req, res) => {
            cache.set(req.user.id, await load(req.user.id));
            routeHits.set(req.path, (routeHits.get(req.path) ?? 0) + 1);
            userRequests.set(req.user.id, [...(userRequests.get(req.user.id) ?? []), Date.now()]);
            lastSeen.set(req.ip, Date.now());
            geoByIp[req.ip] = lookup(req.ip);
            const local = new Map();
            local.set(req.ip, [Date.now()]);
          });
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });

      it('fix: a RedisStore on the node-redis client of the file', () => {
        const src = code`
          import { rateLimit } from 'express-rate-limit';
          import { RedisStore } from 'rate-limit-redis';
          import { createClient } from 'redis';

          const client = createClient({ url: process.env.REDIS_URL });

          export const limiter = rateLimit({ windowMs: 60_000, max: 100 });
        `;
        assert.deepStrictEqual(offeredFixes(lang, src, ID), ['redis-store']);
        const args = lang === 'typescript' ? '...args: string[]' : '...args';
        assert.strictEqual(
          applyFix(lang, src, ID, 'redis-store'),
          code`
            import { rateLimit } from 'express-rate-limit';
            import { RedisStore } from 'rate-limit-redis';
            import { createClient } from 'redis';

            const client = createClient({ url: process.env.REDIS_URL });

            export const limiter = rateLimit({ windowMs: 60_000, max: 100, store: new RedisStore({ sendCommand: (${args}) => client.sendCommand(args) }) });
          `,
        );
      });
      it('fix: a RedisStore on an ioredis client, in a multi-line options object', () => {
        const src = code`
          const rateLimit = require('express-rate-limit');
          const RedisStore = require('rate-limit-redis');
          const Redis = require('ioredis');

          const redis = new Redis(process.env.REDIS_URL);

          app.use(
            rateLimit({
              windowMs: 60_000,
              max: 100, // per IP
            }),
          );
        `;
        assert.strictEqual(
          applyFix('javascript', src, ID, 'redis-store'),
          code`
            const rateLimit = require('express-rate-limit');
            const RedisStore = require('rate-limit-redis');
            const Redis = require('ioredis');

            const redis = new Redis(process.env.REDIS_URL);

            app.use(
              rateLimit({
                windowMs: 60_000,
                max: 100, // per IP
                store: new RedisStore({ sendCommand: (command, ...args) => redis.call(command, ...args) }),
              }),
            );
          `,
        );
      });
      it('fix: no RedisStore fix without the store import, without a client, or with the client declared later', () => {
        const noStore = "import rateLimit from 'express-rate-limit';\nimport Redis from 'ioredis';\nconst redis = new Redis();\nconst l = rateLimit({ max: 1 });\n";
        assert.deepStrictEqual(offeredFixes(lang, noStore, ID), []);
        const noClient = "import rateLimit from 'express-rate-limit';\nimport { RedisStore } from 'rate-limit-redis';\nconst l = rateLimit({ max: 1 });\n";
        assert.deepStrictEqual(offeredFixes(lang, noClient, ID), []);
        const later = "import rateLimit from 'express-rate-limit';\nimport { RedisStore } from 'rate-limit-redis';\nimport Redis from 'ioredis';\nconst l = rateLimit({ max: 1 });\nconst redis = new Redis();\n";
        assert.deepStrictEqual(offeredFixes(lang, later, ID), []);
        const notRedis = "import rateLimit from 'express-rate-limit';\nimport { RedisStore } from 'rate-limit-redis';\nconst redis = new Cache();\nconst l = rateLimit({ max: 1 });\n";
        assert.deepStrictEqual(offeredFixes(lang, notRedis, ID), []);
      });

      it('fix: RateLimiterRedis with the ioredis client of the file', () => {
        const src = code`
          import Redis from 'ioredis';
          import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';

          const redis = new Redis(process.env.REDIS_URL);
          const limiter = new RateLimiterMemory({ points: 10, duration: 1 });
        `;
        assert.deepStrictEqual(offeredFixes(lang, src, ID), ['rate-limiter-redis']);
        assert.strictEqual(
          applyFix(lang, src, ID, 'rate-limiter-redis'),
          code`
            import Redis from 'ioredis';
            import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';

            const redis = new Redis(process.env.REDIS_URL);
            const limiter = new RateLimiterRedis({ storeClient: redis, points: 10, duration: 1 });
          `,
        );
      });
      it('fix: RateLimiterRedis with a node-redis client, multi-line options and a namespace import', () => {
        const src = code`
          const flexible = require('rate-limiter-flexible');
          const { createClient } = require('redis');

          const redisClient = createClient({ url: process.env.REDIS_URL });

          function makeLimiter() {
            return new flexible.RateLimiterMemory({
              keyPrefix: 'login',
              points: 5,
            });
          }
        `;
        assert.strictEqual(
          applyFix(lang, src, ID, 'rate-limiter-redis'),
          code`
            const flexible = require('rate-limiter-flexible');
            const { createClient } = require('redis');

            const redisClient = createClient({ url: process.env.REDIS_URL });

            function makeLimiter() {
              return new flexible.RateLimiterRedis({
                storeClient: redisClient, useRedisPackage: true,
                keyPrefix: 'login',
                points: 5,
              });
            }
          `,
        );
      });
      it('fix: no RateLimiterRedis fix when it is not imported or there is no Redis client', () => {
        const noRedisClass = "import Redis from 'ioredis';\nimport { RateLimiterMemory } from 'rate-limiter-flexible';\nconst redis = new Redis();\nconst l = new RateLimiterMemory({ points: 1 });\n";
        assert.deepStrictEqual(offeredFixes(lang, noRedisClass, ID), []);
        const noClient = "import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';\nconst l = new RateLimiterMemory({ points: 1 });\n";
        assert.deepStrictEqual(offeredFixes(lang, noClient, ID), []);
        const dynamicOpts = "import Redis from 'ioredis';\nimport { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';\nconst redis = new Redis();\nconst l = new RateLimiterMemory(opts);\n";
        assert.deepStrictEqual(offeredFixes(lang, dynamicOpts, ID), []);
      });
    });
  }

  describe('typescript only', () => {
    it('fix: an ioredis RedisStore in TypeScript casts to RedisReply and imports the type', () => {
      const src = code`
        import { rateLimit } from 'express-rate-limit';
        import { RedisStore } from 'rate-limit-redis';
        import { Redis } from 'ioredis';

        const redis = new Redis();
        const limiter = rateLimit({});
      `;
      assert.strictEqual(
        applyFix('typescript', src, ID, 'redis-store'),
        code`
          import { rateLimit } from 'express-rate-limit';
          import { RedisStore, type RedisReply } from 'rate-limit-redis';
          import { Redis } from 'ioredis';

          const redis = new Redis();
          const limiter = rateLimit({ store: new RedisStore({ sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<RedisReply> }) });
        `,
      );
    });
    it('fix: options created for a bare rateLimit(), and RedisReply imported next to a default RedisStore import', () => {
      const src = code`
        import rateLimit from 'express-rate-limit';
        import RedisStore from 'rate-limit-redis';
        import Redis from 'ioredis';

        const redis: Redis = new Redis();
        app.use(rateLimit());
      `;
      assert.strictEqual(
        applyFix('typescript', src, ID, 'redis-store'),
        code`
          import rateLimit from 'express-rate-limit';
          import RedisStore, { type RedisReply } from 'rate-limit-redis';
          import Redis from 'ioredis';

          const redis: Redis = new Redis();
          app.use(rateLimit({ store: new RedisStore({ sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<RedisReply> }) }));
        `,
      );
    });
    it('flags a private class field store', () => {
      const src = code`
        export class IpThrottle {
          private readonly hits = new Map<string, number[]>();
          #counts: Record<string, number> = {};
          check(req: Request & { ip: string }): boolean {
            this.hits.get(req.ip)?.push(Date.now());
            this.#counts[req.ip] += 1;
            return true;
          }
        }
      `;
      assert.deepStrictEqual(hits('typescript', src, ID), ['private readonly hits = new Map<string, number[]>()', '#counts: Record<string, number> = {}']);
    });
  });
});
