import * as assert from 'assert';
import { applyFix, code, config, findingsOf, hits, offeredFixes } from '../../server/test/harness';

const ID = 'per-request-client';

/** The fix ids offered for every finding of the rule, in order. */
function fixesPerFinding(lang: 'python' | 'go' | 'typescript' | 'javascript', src: string): string[][] {
  return findingsOf(lang, src, ID).map((_, i) => offeredFixes(lang, src, ID, i));
}

describe(ID, () => {
  describe('python', () => {
    it('flags database, Redis and HTTP clients created inside FastAPI, Flask and Django handlers', () => {
      const src = code`
        import asyncpg
        import httpx
        import psycopg2
        import redis
        import requests
        from aiohttp import ClientSession
        from motor.motor_asyncio import AsyncIOMotorClient
        from pymongo import MongoClient
        from redis.asyncio import Redis
        from sqlalchemy import create_engine

        @router.get("/users/{user_id}")
        async def get_user(user_id: str):
            client = AsyncIOMotorClient(settings.mongo_url)
            return await client.app.users.find_one({"_id": user_id})

        @router.get("/reports")
        def reports():
            engine = create_engine(os.environ["DATABASE_URL"])
            cache = redis.Redis(host="cache", port=6379)
            hot = Redis.from_url(settings.redis_url)
            return run(engine, cache, hot)

        @router.post("/webhooks")
        async def relay(payload: dict):
            async with httpx.AsyncClient(timeout=10) as http:
                await http.post(settings.hook_url, json=payload)
            async with ClientSession() as session:
                await session.post(settings.audit_url, json=payload)

        @app.route("/legacy")
        def legacy():
            s = requests.Session()
            conn = psycopg2.connect(os.environ["DSN"])
            return s.get(URL).text

        @app.websocket("/ws")
        async def ws(websocket):
            pool = await asyncpg.create_pool(DSN)

        def profile(request, user_id):
            users = MongoClient(MONGO_URL).app.users
            return JsonResponse(users.find_one({"_id": user_id}))
      `;
      assert.deepStrictEqual(hits('python', src, ID), [
        'AsyncIOMotorClient(settings.mongo_url)',
        'create_engine(os.environ["DATABASE_URL"])',
        'redis.Redis(host="cache", port=6379)',
        'Redis.from_url(settings.redis_url)',
        'httpx.AsyncClient(timeout=10)',
        'ClientSession()',
        'requests.Session()',
        'psycopg2.connect(os.environ["DSN"])',
        'asyncpg.create_pool(DSN)',
        'MongoClient(MONGO_URL)',
      ]);
    });

    it('flags clients made in a Flask request hook, kept in per-request storage, made under an unrelated condition, in a handler whose responses are cached, and in class-based views', () => {
      const src = code`
        import psycopg2
        import redis

        @app.before_request
        def open_db():
            g.db = psycopg2.connect(DSN)

        @app.route("/report")
        def report():
            if "db" not in g:
                g.db = psycopg2.connect(DSN)
            if not settings.shared_cache:
                r = redis.Redis(host="cache")
            return render(g.db)

        @router.get("/rates")
        @cache(expire=60)
        async def rates():
            r = redis.Redis(host="cache")
            return await r.get("rates")

        class ProfileView(View):
            def get(self, request, pk):
                r = redis.Redis(host="cache")
                return r.get(pk)
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['psycopg2.connect(DSN)', 'psycopg2.connect(DSN)', 'redis.Redis(host="cache")', 'redis.Redis(host="cache")', 'redis.Redis(host="cache")']);
    });

    it('flags dependencies that yield a new client, and functions handed to Depends()', () => {
      const src = code`
        import httpx
        import redis.asyncio as aioredis
        from fastapi import Depends

        async def get_redis():
            r = aioredis.from_url(settings.redis_url)
            try:
                yield r
            finally:
                await r.aclose()

        def get_http():
            with httpx.Client(base_url=API) as client:
                yield client

        def get_engine():
            return create_engine(settings.database_url)

        def make_client():
            return httpx.Client()

        @router.get("/items")
        def items(engine=Depends(get_engine), r=Depends(get_redis)):
            ...
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['aioredis.from_url(settings.redis_url)', 'httpx.Client(base_url=API)', 'create_engine(settings.database_url)']);
      const [, , engine] = findingsOf('python', src, ID);
      assert.deepStrictEqual(
        engine.related.map((r) => [src.slice(r.start, r.end), r.message]),
        [['get_engine', 'the per-request dependency: it runs for every request that uses it']],
      );
    });

    it('leaves clients made at module level, at startup and in cached factories alone', () => {
      const src = code`
        import httpx
        import redis
        from contextlib import asynccontextmanager
        from functools import lru_cache
        from motor.motor_asyncio import AsyncIOMotorClient

        client = AsyncIOMotorClient(settings.mongo_url)
        http = httpx.AsyncClient(timeout=10)
        _redis = None

        @asynccontextmanager
        async def lifespan(app):
            async with httpx.AsyncClient() as shared:
                app.state.http = shared
                yield

        async def lifespan_state(app):
            async with httpx.AsyncClient() as shared:
                yield {"http": shared}

        @app.on_event("startup")
        async def startup():
            app.state.redis = redis.Redis(host="cache")

        def get_client():
            global _redis
            if _redis is None:
                _redis = redis.Redis(host="cache")
            return _redis

        @lru_cache
        def get_mongo():
            return AsyncIOMotorClient(settings.mongo_url)

        async def fetch_rates():
            async with httpx.AsyncClient() as c:
                return (await c.get(RATES_URL)).json()

        @router.get("/users")
        async def users(mongo=Depends(get_mongo), r=Depends(get_client)):
            return await client.app.users.find().to_list(50)
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('leaves look-alikes in handlers alone: sessions from a pool, shared pools, lazy globals, tests, other libraries', () => {
      const src = code`
        import aiohttp
        import httpx
        import redis
        from mongomock import MongoClient
        from openai import AsyncClient
        from arq import create_pool
        from sqlalchemy import create_engine

        def get_db():
            db = SessionLocal()
            try:
                yield db
            finally:
                db.close()

        @router.get("/a")
        async def a(request: Request):
            r = redis.Redis(connection_pool=pool)
            h = httpx.AsyncClient(transport=shared_transport)
            s = aiohttp.ClientSession(connector=shared_connector, connector_owner=False)
            cache = create_engine("sqlite:///./cache.db")
            ai = AsyncClient(api_key=KEY)
            queue = await create_pool(RedisSettings())
            if not hasattr(request.app.state, "http"):
                request.app.state.http = httpx.AsyncClient()
            return h

        @router.get("/b")
        def b(user_id: str):
            global _client
            if _client is None:
                _client = redis.Redis(host="cache")
            return _client.get(user_id)

        def test_profile(request):
            client = MongoClient()

        @pytest.fixture
        def http(request):
            return httpx.Client()

        @router.get("/tenants/{tenant}")
        def tenant_cache(tenant: str):
            if tenant not in _engines:
                _engines[tenant] = create_engine(TENANT_URLS[tenant])
            elif _clients.get(tenant) is None:
                _clients.setdefault(tenant, redis.Redis(host=tenant))
            return _engines[tenant]

        @router.get("/c")
        def c(user_id: str, client=httpx.Client()):
            return client.get(user_id)
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('leaves the project’s own factories named like a library’s alone, in handlers too', () => {
      // The project's create_async_engine and AsyncClient: what they build (and whether once) is theirs to say.
      const src = code`
        from app.db import create_async_engine
        from .clients import AsyncClient, Redis

        def create_engine(url):
            return get_shared_engine(url)

        @router.get("/users")
        async def users():
            engine = create_async_engine(settings.database_url)
            http = AsyncClient(base_url=API)
            cache = Redis(host="cache")
            sync_engine = create_engine(settings.database_url)
            return await fetch(engine, http, cache, sync_engine)
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('reports database clients as errors at 100k users, HTTP clients as warnings, with the handler as related information', () => {
      const src = code`
        import httpx
        from motor.motor_asyncio import AsyncIOMotorClient

        @router.get("/u")
        async def get_user(user_id: str):
            client = AsyncIOMotorClient(settings.mongo_url)
            async with httpx.AsyncClient() as http:
                return await http.get(URL)
      `;
      const [mongo, http] = findingsOf('python', src, ID);
      assert.strictEqual(mongo.severity, 'error');
      assert.strictEqual(http.severity, 'warning');
      assert.strictEqual(
        mongo.message,
        '`AsyncIOMotorClient(...)` creates a MongoDB client with its own connection pool on every request: every request opens new connections (TCP, TLS and authentication) plus the new client’s monitoring connections and threads, and a client that is not closed keeps them, so at a few hundred requests per second the cluster reaches its connection limit (1,500 on an Atlas M10). Create one client at startup and share it.',
      );
      assert.deepStrictEqual(
        mongo.related.map((r) => [src.slice(r.start, r.end), r.message]),
        [['get_user', 'the request handler it runs in']],
      );
      assert.deepStrictEqual(findingsOf('python', src, ID, config({ targetUsers: '10k' })).map((f) => f.severity), ['warning', 'warning']);
    });

    it('fix: moves the client to module level, above the handler', () => {
      const src = code`
        import os

        import redis
        from fastapi import APIRouter

        router = APIRouter()


        @router.get("/counter/{key}")
        async def counter(key: str):
            r = redis.Redis(host=os.environ["REDIS_HOST"], port=6379)  # hot keys
            return {"value": r.incr(key)}
      `;
      assert.strictEqual(
        applyFix('python', src, ID, 'hoist-to-module'),
        code`
          import os

          import redis
          from fastapi import APIRouter

          router = APIRouter()


          r = redis.Redis(host=os.environ["REDIS_HOST"], port=6379)  # hot keys


          @router.get("/counter/{key}")
          async def counter(key: str):
              return {"value": r.incr(key)}
        `,
      );
    });

    it('fix: keeps the comment above the handler with it and dedents a call laid out on several lines', () => {
      const src = code`
        import httpx
        from app.config import settings

        # Proxies the partner API.
        @router.get("/partner/{path}")
        async def partner(path: str):
            client = httpx.AsyncClient(
                base_url=settings.partner_url,
                timeout=10,
            )
            return (await client.get(path)).json()
      `;
      assert.strictEqual(
        applyFix('python', src, ID, 'hoist-to-module'),
        code`
          import httpx
          from app.config import settings

          client = httpx.AsyncClient(
              base_url=settings.partner_url,
              timeout=10,
          )


          # Proxies the partner API.
          @router.get("/partner/{path}")
          async def partner(path: str):
              return (await client.get(path)).json()
        `,
      );
    });

    it('fix: not offered when the client depends on the request, is closed, is used inline, or cannot be shared', () => {
      const src = code`
        import httpx
        import psycopg2
        import redis
        from app.config import settings

        @router.get("/a/{tenant}")
        def a(tenant: str):
            r = redis.Redis(host=f"{tenant}.cache")
            return r.get("x")

        @router.get("/b")
        async def b(request: Request):
            c = httpx.AsyncClient(headers={"Authorization": request.headers["authorization"]})
            return await c.get(URL)

        @router.get("/c")
        async def c():
            h = httpx.AsyncClient()
            try:
                return await h.get(URL)
            finally:
                await h.aclose()

        @router.get("/d")
        async def d():
            async with httpx.AsyncClient() as h:
                return await h.get(URL)

        @router.get("/e")
        def e():
            return redis.Redis(host="cache").get("x")

        @router.get("/f")
        def f():
            conn = psycopg2.connect(settings.dsn)
            return conn.cursor()

        @router.get("/g")
        def g():
            r = redis.Redis(host=CACHE_HOST)
            return r.get("x")

        CACHE_HOST = "cache"

        @router.get("/h")
        def h():
            settings = redis.Redis(host="cache")
            return settings.get("x")

        @router.get("/i")
        def i():
            r = redis.Redis(host="cache")
            r = r.pipeline()
            return r.execute()
      `;
      assert.deepStrictEqual(fixesPerFinding('python', src), [[], [], [], [], [], [], [], [], []]);
    });
  });

  describe('go', () => {
    it('flags pools, clients and Transports created inside net/http and gin handlers', () => {
      const src = code`
        package api

        func (s *Server) orders(w http.ResponseWriter, r *http.Request) {
        	db, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
        	if err != nil {
        		http.Error(w, err.Error(), 500)
        		return
        	}
        	defer db.Close()
        	pool, _ := pgxpool.New(r.Context(), s.dsn)
        	conn, _ := pgx.Connect(r.Context(), s.dsn)
        	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 10}, Timeout: 5 * time.Second}
        	tr := http.DefaultTransport.(*http.Transport).Clone()
        }

        func counter(c *gin.Context) {
        	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
        	m, _ := mongo.Connect(c, options.Client().ApplyURI(mongoURL))
        	g, _ := gorm.Open(postgres.Open(dsn), &gorm.Config{})
        	x := sqlx.MustConnect("postgres", dsn)
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), [
        'sql.Open("postgres", os.Getenv("DATABASE_URL"))',
        'pgxpool.New(r.Context(), s.dsn)',
        'pgx.Connect(r.Context(), s.dsn)',
        '&http.Transport{MaxIdleConnsPerHost: 10}',
        'http.DefaultTransport.(*http.Transport).Clone()',
        'redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})',
        'mongo.Connect(c, options.Client().ApplyURI(mongoURL))',
        'gorm.Open(postgres.Open(dsn), &gorm.Config{})',
        'sqlx.MustConnect("postgres", dsn)',
      ]);
      const [sqlOpen, , , transport] = findingsOf('go', src, ID);
      assert.strictEqual(sqlOpen.severity, 'error');
      assert.strictEqual(transport.severity, 'warning');
      assert.match(transport.message, /^`&http\.Transport\{\.\.\.\}` creates an http\.Transport \(a connection pool of its own\) on every request: every request pays new TCP and TLS handshakes/);
      assert.deepStrictEqual(
        sqlOpen.related.map((r) => [src.slice(r.start, r.end), r.message]),
        [['orders', 'the request handler it runs in']],
      );
    });

    it('leaves an http.Client without its own Transport, pools opened at startup, lazy and shared ones alone', () => {
      const src = code`
        package api

        var (
        	once sync.Once
        	rdb  *redis.Client
        	db   *sql.DB
        )

        func main() {
        	db, _ = sql.Open("postgres", os.Getenv("DATABASE_URL"))
        	rdb = redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
        	http.ListenAndServe(":8080", routes())
        }

        func openStore(dsn string) (*Store, error) {
        	db, err := sql.Open("postgres", dsn)
        	return &Store{db: db}, err
        }

        func RateLimit(next http.Handler) http.Handler {
        	limiter := redis.NewClient(&redis.Options{Addr: "cache:6379"})
        	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
        		client := &http.Client{Timeout: 5 * time.Second}
        		once.Do(func() {
        			db, _ = sql.Open("postgres", os.Getenv("DATABASE_URL"))
        		})
        		if rdb == nil {
        			rdb = redis.NewClient(&redis.Options{Addr: "cache:6379"})
        		}
        		cache, _ := sql.Open("sqlite3", "file:cache.db")
        		g, _ := gorm.Open(postgres.New(postgres.Config{Conn: db}), &gorm.Config{})
        		x := sqlx.NewDb(db, "postgres")
        		mu.Lock()
        		p, ok := pools[tenant]
        		if !ok {
        			p, _ = pgxpool.New(r.Context(), dsns[tenant])
        			pools[tenant] = p
        		}
        		mu.Unlock()
        		next.ServeHTTP(w, r)
        	})
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
    });

    it('leaves the project’s own Open and NewClient wrappers alone, whatever their package is called', () => {
      const src = code`
        package api

        import (
        	"net/http"

        	"example.com/app/internal/db"
        	redis "example.com/app/internal/cache"
        	sql "example.com/app/internal/sqlwrap"
        )

        func orders(w http.ResponseWriter, r *http.Request) {
        	store, _ := db.Open(r.Context())
        	cache := redis.NewClient(r.Context())
        	conn, _ := sql.Open("postgres", dsn)
        	use(store, cache, conn)
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
    });

    it('fix: moves a Redis client to package level', () => {
      const src = code`
        package api

        import (
        	"net/http"
        	"os"

        	"github.com/redis/go-redis/v9"
        )

        // hits counts page views.
        func hits(w http.ResponseWriter, r *http.Request) {
        	rdb := redis.NewClient(&redis.Options{
        		Addr: os.Getenv("REDIS_ADDR"),
        	})
        	n, _ := rdb.Incr(r.Context(), r.URL.Path).Result()
        	fmt.Fprint(w, n)
        }
      `;
      assert.strictEqual(
        applyFix('go', src, ID, 'hoist-to-module'),
        code`
          package api

          import (
          	"net/http"
          	"os"

          	"github.com/redis/go-redis/v9"
          )

          var rdb = redis.NewClient(&redis.Options{
          	Addr: os.Getenv("REDIS_ADDR"),
          })

          // hits counts page views.
          func hits(w http.ResponseWriter, r *http.Request) {
          	n, _ := rdb.Incr(r.Context(), r.URL.Path).Result()
          	fmt.Fprint(w, n)
          }
        `,
      );
    });

    it('fix: moves a Transport assigned to a variable to package level', () => {
      const src = code`
        package api

        func proxy(w http.ResponseWriter, r *http.Request) {
        	var tr = &http.Transport{MaxIdleConnsPerHost: 32}
        	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
        	resp, _ := client.Get(upstream + r.URL.Path)
        	io.Copy(w, resp.Body)
        }
      `;
      assert.strictEqual(
        applyFix('go', src, ID, 'hoist-to-module'),
        code`
          package api

          var tr = &http.Transport{MaxIdleConnsPerHost: 32}

          func proxy(w http.ResponseWriter, r *http.Request) {
          	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
          	resp, _ := client.Get(upstream + r.URL.Path)
          	io.Copy(w, resp.Body)
          }
        `,
      );
    });

    it('fix: not offered for pools with an error result, clients that depend on the request, closed or inline ones', () => {
      const src = code`
        package api

        func a(w http.ResponseWriter, r *http.Request) {
        	db, err := sql.Open("postgres", dsn)
        	rdb := redis.NewClient(&redis.Options{Addr: r.URL.Query().Get("shard")})
        	other := redis.NewClient(&redis.Options{Addr: addr})
        	defer other.Close()
        	client := &http.Client{Transport: &http.Transport{}}
        	rows := redis.NewClient(opts).Keys(r.Context(), "*")
        }

        func b(c *gin.Context) {
        	addr := c.Query("addr")
        	rdb := redis.NewClient(&redis.Options{Addr: addr})
        	rdb.Ping(c)
        }
      `;
      assert.deepStrictEqual(fixesPerFinding('go', src), [[], [], [], [], [], []]);
    });
  });

  for (const lang of ['typescript', 'javascript'] as const) {
    describe(lang, () => {
      it('flags pools and clients created inside Express, Next.js and NestJS handlers', () => {
        const src = code`
          import { Pool, Client } from 'pg';
          import { Pool as PgPool } from 'pg';
          import { MongoClient } from 'mongodb';
          import Redis from 'ioredis';
          import { createClient } from 'redis';
          import mysql from 'mysql2/promise';
          import https from 'https';
          import { PrismaClient } from '@prisma/client';

          app.get('/users/:id', async (req, res) => {
            const pool = new Pool({ connectionString: process.env.DATABASE_URL });
            const client = new MongoClient(process.env.MONGO_URL);
            await client.connect();
            const redis = new Redis(process.env.REDIS_URL);
            const cache = createClient({ url: process.env.REDIS_URL });
            res.json(await pool.query('SELECT 1'));
          });

          router.post('/orders', async function (req, res) {
            const db = mysql.createPool({ uri: process.env.MYSQL_URL });
            const conn = await mysql.createConnection(process.env.MYSQL_URL);
            const pg = new Client();
            const replica = new PgPool();
            const agent = new https.Agent({ keepAlive: true });
          });

          export async function GET(request) {
            const prisma = new PrismaClient();
            return Response.json(await prisma.user.findMany({ take: 10 }));
          }

          class UsersController {
            @Get(':id')
            async find(id) {
              const redis = new Redis.Cluster([{ host: 'cache' }]);
            }
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), [
          'new Pool({ connectionString: process.env.DATABASE_URL })',
          'new MongoClient(process.env.MONGO_URL)',
          'new Redis(process.env.REDIS_URL)',
          'createClient({ url: process.env.REDIS_URL })',
          'mysql.createPool({ uri: process.env.MYSQL_URL })',
          'mysql.createConnection(process.env.MYSQL_URL)',
          'new Client()',
          'new PgPool()',
          'new https.Agent({ keepAlive: true })',
          'new PrismaClient()',
          "new Redis.Cluster([{ host: 'cache' }])",
        ]);
        const [pool, , , , , , , , agent] = findingsOf(lang, src, ID);
        assert.strictEqual(pool.severity, 'error');
        assert.strictEqual(agent.severity, 'warning');
        assert.strictEqual(
          pool.message,
          '`new Pool(...)` creates a node-postgres pool on every request: every request opens new connections (TCP, TLS and authentication) instead of reusing pooled ones, and a pool that is not closed keeps its connections, so at a few hundred requests per second the database runs out of connections (PostgreSQL allows 100 by default). Create it once at startup and share it.',
        );
        assert.deepStrictEqual(
          pool.related.map((r) => [src.slice(r.start, r.end), r.message]),
          [['app.get', 'the request handler it runs in']],
        );
      });

      it('flags clients required in CommonJS, kept on the request, or made under an unrelated condition', () => {
        const src = code`
          const { Pool } = require('pg');
          const Redis = require('ioredis');
          const mysql = require('mysql');

          module.exports = function handler(req, res) {
            const pool = new Pool();
            const redis = new Redis();
            const db = mysql.createConnection({ host: 'db' });
            if (!req.db) {
              req.db = new Pool();
            }
            if (!config.sharedCache) {
              const local = new Redis();
            }
          };
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ['new Pool()', 'new Redis()', "mysql.createConnection({ host: 'db' })", 'new Pool()', 'new Redis()']);
      });

      it('leaves module-level clients, providers, lazy singletons and look-alikes alone', () => {
        const src = code`
          import { Pool } from 'pg';
          import Redis from 'ioredis';
          import axios from 'axios';
          import { createClient } from '@supabase/supabase-js';
          import { Pool as WorkerPool } from 'workerpool';
          import { PrismaClient } from '@prisma/client';

          export const prisma = globalThis.prisma ?? new PrismaClient();
          const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
          let redis;

          @Injectable()
          export class CacheService {
            private readonly client = new Redis(process.env.REDIS_URL);
            constructor() {
              this.replica = new Redis(process.env.REPLICA_URL);
            }
          }

          export function makePool(url) {
            return new Pool({ connectionString: url });
          }

          app.get('/profile', async (req, res) => {
            const api = axios.create({ baseURL: process.env.API_URL, timeout: 5000 });
            const supabase = createClient(process.env.SUPABASE_URL, req.headers.authorization);
            const workers = new WorkerPool(4);
            redis ??= new Redis(process.env.REDIS_URL);
            if (!req.app.locals.pool) {
              req.app.locals.pool = new Pool();
            }
            const db = globalThis.db || new Pool();
            if (!shared) {
              shared = new Pool();
            }
            res.json(await pool.query('SELECT 1'));
          });
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });

      it('leaves the project’s own createPool and client helpers alone, imported or defined in the file', () => {
        const src = code`
          import { createPool } from './db/pool';
          import { Pool, createClient } from '@app/clients';

          function createConnection(req) {
            return getTenantConnection(req.params.tenant);
          }

          app.get('/orders', async (req, res) => {
            const pool = createPool({ host: 'db' });
            const other = new Pool();
            const cache = createClient();
            const conn = createConnection(req);
            res.json(await pool.query('SELECT 1'));
          });
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });

      it('fix: moves the pool to module level, above the route', () => {
        const src = code`
          import express from 'express';
          import { Pool } from 'pg';

          const app = express();

          // Orders of the signed-in user.
          app.get('/orders', async (req, res) => {
            const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
            const { rows } = await pool.query('SELECT * FROM orders WHERE user_id = $1 LIMIT 50', [req.user.id]);
            res.json(rows);
          });
        `;
        assert.strictEqual(
          applyFix(lang, src, ID, 'hoist-to-module'),
          code`
            import express from 'express';
            import { Pool } from 'pg';

            const app = express();

            const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

            // Orders of the signed-in user.
            app.get('/orders', async (req, res) => {
              const { rows } = await pool.query('SELECT * FROM orders WHERE user_id = $1 LIMIT 50', [req.user.id]);
              res.json(rows);
            });
          `,
        );
      });

      it('fix: keeps a file without semicolons without them', () => {
        const src = code`
          const Redis = require('ioredis')

          router.get('/hits', async (req, res) => {
            const redis = new Redis(process.env.REDIS_URL)
            res.json({ hits: await redis.incr('hits') })
          })
        `;
        assert.strictEqual(
          applyFix(lang, src, ID, 'hoist-to-module'),
          code`
            const Redis = require('ioredis')

            const redis = new Redis(process.env.REDIS_URL)

            router.get('/hits', async (req, res) => {
              res.json({ hits: await redis.incr('hits') })
            })
          `,
        );
      });

      it('fix: not offered when the client depends on the request, is connected or closed, is inline, or is a single connection', () => {
        const src = code`
          import { Pool, Client } from 'pg';
          import { MongoClient } from 'mongodb';
          import Redis from 'ioredis';

          app.get('/a/:tenant', async (req, res) => {
            const pool = new Pool({ connectionString: req.params.tenant });
            res.json(await pool.query('SELECT 1'));
          });

          app.get('/b', async (req, res) => {
            const mongo = new MongoClient(process.env.MONGO_URL);
            await mongo.connect();
            res.json(await mongo.db().collection('x').findOne());
            await mongo.close();
          });

          app.get('/c', async (req, res) => {
            res.json(await new Redis(process.env.REDIS_URL).get('x'));
          });

          app.get('/d', async (req, res) => {
            const pg = new Client();
            res.json(await pg.query('SELECT 1'));
          });

          app.get('/e', async (req, res) => {
            const pool = new Pool(), other = 1;
            res.json(await pool.query('SELECT 1'));
          });

          app.get('/f', async (req, res) => {
            const pool = new Pool({ connectionString: DB_URL });
            res.json(await pool.query('SELECT 1'));
          });

          const DB_URL = process.env.DATABASE_URL;
        `;
        assert.deepStrictEqual(fixesPerFinding(lang, src), [[], [], [], [], [], []]);
      });
    });
  }
});
