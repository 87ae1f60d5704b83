import * as assert from 'assert';
import { applyFix, assertParses, code, config, findingsOf, fixAll, hits, offeredFixes } from '../../server/test/harness';

const ID = 'blocking-call-in-async';

describe(ID, () => {
  describe('python', () => {
    it('flags password hashing and whole-file copies inside an async def; not in a thread, not a sync route, not a queued session.add', () => {
      const src = code`
        import asyncio
        import bcrypt
        import hashlib
        import shutil
        from fastapi import APIRouter, Depends, UploadFile
        from passlib.context import CryptContext
        from sqlalchemy.orm import Session

        router = APIRouter()
        pwd = CryptContext(schemes=["bcrypt"])

        @router.post("/login")
        async def login(password: str, hashed: bytes, salt: bytes):
            a = bcrypt.checkpw(password.encode(), hashed)
            b = pwd.verify(password, hashed)
            c = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)
            d = await asyncio.to_thread(pwd.verify, password, hashed)
            e = hashlib.sha256(salt).hexdigest()
            return a and b and c and d and e

        @router.post("/upload")
        async def upload(file: UploadFile, db: Session = Depends(get_db)):
            with open(f"/data/{file.filename}", "wb") as out:
                shutil.copyfileobj(file.file, out)
            db.add(Upload(name=file.filename))
            db.commit()
            free = shutil.disk_usage("/data")
            return free

        @router.post("/register")
        def register(password: str):
            return pwd.hash(password)
      `;
      assert.deepStrictEqual(hits('python', src, ID), [
        'bcrypt.checkpw(password.encode(), hashed)',
        'pwd.verify(password, hashed)',
        'hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)',
        'shutil.copyfileobj(file.file, out)',
        'db.commit()',
      ]);
      const found = findingsOf('python', src, ID);
      assert.match(found[0].message, /deliberately slow CPU work inside `async def login`/);
      assert.match(found[3].message, /reads or writes the file synchronously inside `async def upload`/);
      assert.deepStrictEqual(offeredFixes('python', src, ID, 0), ['to-thread']);
    });

    it('flags requests, httpx, urlopen, time.sleep and subprocess inside an async def', () => {
      const src = code`
        import subprocess
        import time
        import urllib.request

        import httpx
        import requests

        @router.get("/profile/{user_id}")
        async def profile(user_id: str):
            r = requests.get(f"{API}/users/{user_id}", timeout=5)
            requests.post(AUDIT_URL, json={"user": user_id})
            avatar = httpx.get(r.json()["avatar"])
            page = urllib.request.urlopen(HOME).read()
            time.sleep(0.5)
            subprocess.run(["convert", "in.png", "out.webp"], check=True)
            return r.json()
      `;
      assert.deepStrictEqual(hits('python', src, ID), [
        'requests.get(f"{API}/users/{user_id}", timeout=5)',
        'requests.post(AUDIT_URL, json={"user": user_id})',
        'httpx.get(r.json()["avatar"])',
        'urllib.request.urlopen(HOME)',
        'time.sleep(0.5)',
        'subprocess.run(["convert", "in.png", "out.webp"], check=True)',
      ]);
      const [first, , , , sleep, run] = findingsOf('python', src, ID);
      assert.strictEqual(
        first.message,
        '`requests.get(...)` makes a blocking HTTP call inside `async def profile`: the event loop stops until the remote answers (50 ms to seconds, unbounded without a timeout), so every other request on this worker stalls with it and from a few dozen concurrent requests latency multiplies. Use an async client (httpx.AsyncClient, aiohttp) or `await asyncio.to_thread(...)`.',
      );
      assert.match(sleep.message, /^`time\.sleep\(\.\.\.\)` inside `async def profile` freezes the whole event loop/);
      assert.match(run.message, /blocks the event loop until the command exits/);
    });

    it('is an error from 100k users and a warning below', () => {
      const src = code`
        import time

        async def poll():
            time.sleep(2)
      `;
      assert.deepStrictEqual(findingsOf('python', src, ID).map((f) => f.severity), ['error']);
      assert.deepStrictEqual(findingsOf('python', src, ID, config({ targetUsers: '10k' })).map((f) => f.severity), ['warning']);
      assert.deepStrictEqual(findingsOf('python', src, ID, config({ targetUsers: '1m' })).map((f) => f.severity), ['error']);
    });

    it('flags functions imported by name', () => {
      const src = code`
        from time import sleep
        from urllib.request import urlopen
        from urllib import request
        from requests import post
        from subprocess import check_output

        async def webhook(event):
            sleep(1)
            urlopen(event.url)
            request.urlopen(event.url)
            post(event.url, json=event.body)
            check_output(["git", "rev-parse", "HEAD"])
      `;
      assert.deepStrictEqual(hits('python', src, ID), [
        'sleep(1)',
        'urlopen(event.url)',
        'request.urlopen(event.url)',
        'post(event.url, json=event.body)',
        'check_output(["git", "rev-parse", "HEAD"])',
      ]);
    });

    it('flags methods of a requests session or a sync httpx client', () => {
      const src = code`
        import httpx
        import requests

        session = requests.Session()
        github = httpx.Client(base_url="https://api.github.com")

        class Billing:
            def __init__(self):
                self.http = requests.Session()

            async def charge(self, order):
                return self.http.post(STRIPE, data=order.payload())

        async def repos(org):
            session.get(f"{API}/orgs/{org}")
            return github.get(f"/orgs/{org}/repos").json()

        async def download(url):
            with requests.Session() as s:
                return s.get(url).content
      `;
      assert.deepStrictEqual(hits('python', src, ID), [
        'self.http.post(STRIPE, data=order.payload())',
        'session.get(f"{API}/orgs/{org}")',
        'github.get(f"/orgs/{org}/repos")',
        's.get(url)',
      ]);
      assert.match(findingsOf('python', src, ID)[0].message, /^`self\.http\.post\(\.\.\.\)` \(a sync `requests\.Session`\) makes a blocking HTTP call inside `async def charge`/);
    });

    it('flags sync Redis, PyMongo and psycopg2 clients the file shows to be sync', () => {
      const src = code`
        import psycopg2
        import redis
        from pymongo import MongoClient

        cache = redis.Redis(host="cache", port=6379)
        client = MongoClient(MONGO_URL)
        db = client["app"]
        conn = psycopg2.connect(PG_DSN)

        async def get_user(user_id: str):
            hit = cache.get(f"user:{user_id}")
            if hit:
                return hit
            user = client.app.users.find_one({"_id": user_id})
            db.audit.insert_one({"user": user_id})
            orders = list(db.orders.find({"user": user_id}))
            cache.set(f"user:{user_id}", user, ex=60)
            return user, orders

        async def report():
            with conn.cursor() as cur:
                cur.execute("SELECT count(*) FROM users")
            conn.commit()
            other = psycopg2.connect(REPLICA_DSN)
      `;
      assert.deepStrictEqual(hits('python', src, ID), [
        'cache.get(f"user:{user_id}")',
        'client.app.users.find_one({"_id": user_id})',
        'db.audit.insert_one({"user": user_id})',
        'db.orders.find({"user": user_id})',
        'cache.set(f"user:{user_id}", user, ex=60)',
        'cur.execute("SELECT count(*) FROM users")',
        'conn.commit()',
        'psycopg2.connect(REPLICA_DSN)',
      ]);
      const found = findingsOf('python', src, ID);
      // The client is named by its model type.
      assert.match(found[0].message, /^`cache\.get\(\.\.\.\)` \(a sync `redis\.Redis`\) runs a blocking database call inside `async def get_user`/);
      assert.match(found[1].message, /\(a sync `pymongo\.collection\.Collection`\)/);
      assert.match(found[2].message, /\(a sync `pymongo\.collection\.Collection`\)/);
      assert.match(found[5].message, /\(a sync `dbapi\.Cursor`\)/);
      assert.match(found[6].message, /\(a sync `dbapi\.Connection`\)/);
    });

    it('flags a Redis client from `from redis import Redis` and one made in the function', () => {
      const src = code`
        from redis import Redis

        sessions = Redis.from_url(REDIS_URL)

        async def logout(token):
            sessions.delete(token)

        async def hits_today(key):
            r = Redis(host="cache")
            return r.incr(key)
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['sessions.delete(token)', 'r.incr(key)']);
    });

    it('flags open(...).read() inside an async def as a warning, whatever the scale', () => {
      const src = code`
        async def report(path):
            body = open(path).read()
            open(OUT, "w").write(body)
      `;
      const found = findingsOf('python', src, ID);
      assert.deepStrictEqual(found.map((f) => src.slice(f.start, f.end)), ['open(path).read()', 'open(OUT, "w").write(body)']);
      assert.deepStrictEqual(found.map((f) => f.severity), ['warning', 'warning']);
      assert.match(found[0].message, /reads or writes the file synchronously inside `async def report`/);
    });

    it('leaves calls handed to a thread or an executor alone', () => {
      const src = code`
        import asyncio
        import functools
        import time

        import anyio
        import requests
        from fastapi.concurrency import run_in_threadpool
        from starlette.concurrency import run_in_threadpool as to_pool

        async def fetch(url):
            r = await asyncio.to_thread(requests.get, url, timeout=5)
            await loop.run_in_executor(None, requests.get, url)
            await loop.run_in_executor(None, lambda: requests.get(url, timeout=5))
            await loop.run_in_executor(None, functools.partial(requests.post, url, json={}))
            await run_in_threadpool(requests.get, url)
            await to_pool(time.sleep, 1)
            await anyio.to_thread.run_sync(functools.partial(requests.get, url))

            def slow():
                time.sleep(1)
                return requests.get(url).json()

            return await asyncio.to_thread(slow)
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('leaves module-level start-up code, sync routes and start-up hooks alone', () => {
      const src = code`
        import time

        import pytest
        import requests

        CONFIG = requests.get(CONFIG_URL, timeout=5).json()
        time.sleep(1)

        @app.get("/legacy")
        def legacy():
            return requests.get(LEGACY_URL).json()

        @app.route("/health")
        def health():
            time.sleep(0.1)
            return "ok"

        @app.on_event("startup")
        async def warm_up():
            requests.get(WARMUP_URL)

        @asynccontextmanager
        async def lifespan(app):
            time.sleep(1)
            yield

        @pytest.fixture
        async def seeded():
            time.sleep(0.1)

        async def test_profile(client):
            time.sleep(0.1)
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('leaves Flask async views alone: each runs in an event loop of its own', () => {
      const src = code`
        import time

        import requests
        from flask import Flask

        app = Flask(__name__)

        @app.route("/sync-partner", methods=["POST"])
        async def sync_partner():
            time.sleep(1)
            return requests.post(PARTNER_URL, json={}).json()
      `;
      const quart = code`
        import requests
        from quart import Quart

        app = Quart(__name__)

        @app.route("/sync-partner", methods=["POST"])
        async def sync_partner():
            return requests.post(PARTNER_URL, json={}).json()
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
      assert.deepStrictEqual(hits('python', quart, ID), ['requests.post(PARTNER_URL, json={})']);
    });

    it('leaves async APIs and awaited calls alone', () => {
      const src = code`
        import asyncio
        import time
        from asyncio import sleep

        import httpx
        import redis.asyncio as redis
        from pymongo import MongoClient
        from motor.motor_asyncio import AsyncIOMotorClient

        cache = redis.Redis()
        http = httpx.AsyncClient()
        admin = MongoClient(ADMIN_URL)
        db = AsyncIOMotorClient(MONGO_URL)["app"]

        async def profile(user_id, session):
            await asyncio.sleep(1)
            await sleep(1)
            time.sleep(0)
            async with httpx.AsyncClient() as c:
                r = await c.get(URL)
            await http.post(URL, json={})
            await session.get(URL)
            hit = cache.get(user_id)
            user = await db.users.find_one({"_id": user_id})
            pending = db.jobs.find_one({"user": user_id})
            return await hit, user, await pending
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });


    it('leaves the rows of an executed result alone: the round-trip is the execute, awaited or flagged there', () => {
      const src = code`
        from sqlalchemy import select
        from sqlalchemy.ext.asyncio import AsyncSession
        from sqlalchemy.orm import Session

        async def latest(session: AsyncSession, customer_id: int):
            result = await session.execute(select(Order).where(Order.customer_id == customer_id).limit(1))
            rows = (await session.execute(select(Order).limit(10))).scalars().all()
            return result.scalar_one_or_none(), rows

        async def legacy(session: Session):
            return session.execute(select(Order).limit(1)).scalar_one()
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['session.execute(select(Order).limit(1))']);
    });
    it('leaves `requests` alone when it is not the library', () => {
      const src = code`
        import requests

        async def dispatch(requests: dict, key):
            return requests.get(key)

        async def summary(rows):
            counts = {}
            return counts.get("total"), rows.find("x")
      `;
      const other = code`
        async def handle(batch):
            requests = {r.id: r for r in batch}
            return requests.get(batch[0].id)

        async def pending(store):
            requests = store.pending()
            return requests.delete(0)
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
      assert.deepStrictEqual(hits('python', other, ID), []);
    });

    it('leaves a session name alone when the function has its own of that name', () => {
      const src = code`
        import aiohttp
        import requests

        session = requests.Session()

        async def fetch(session: aiohttp.ClientSession, url):
            return session.get(url)

        async def fetch_all(urls):
            session = aiohttp.ClientSession()
            return [session.get(u) for u in urls]
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('tells instance attributes of different classes apart, and leaves async with / async for alone', () => {
      const src = code`
        import aiohttp
        import requests
        from pymongo import MongoClient

        class LegacyClient:
            def __init__(self):
                self.session = requests.Session()

            async def ping(self):
                return self.session.head(BASE)

        class Client:
            def __init__(self):
                self.session = aiohttp.ClientSession()

            async def fetch(self, url):
                async with self.session.get(url) as r:
                    return await r.json()

            async def stream(self, coll):
                async for doc in coll.find({"open": True}):
                    yield doc

            async def maybe(self, url):
                return self.session.get(url)
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['self.session.head(BASE)']);
    });

    it('leaves PyMongo method names alone without a sync client import', () => {
      const src = code`
        from app.db import users

        async def find_user(email, text):
            pending = users.find_one({"email": email})
            return await pending, text.find("@")
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('leaves a client local to another function alone', () => {
      const src = code`
        import redis

        def make_cache():
            cache = redis.Redis()
            return cache

        async def read(cache, key):
            return cache.get(key)

        async def other(store, key):
            return store.get(key)
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('leaves `open` alone when the file imports another one', () => {
      const src = code`
        from aiofiles import open

        async def report(path):
            return open(path).read()
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('leaves lazy one-time initialisation and the project\'s own functions named like a library\'s alone', () => {
      const src = code`
        import requests
        from .http import get
        from .shell import run

        _template = None

        async def render(ctx):
            global _template
            if not _template:
                _template = open(TEMPLATE).read()
            return _template.format(**ctx)

        async def fetch(url):
            return get(url), run(["true"])

        async def other(url):
            return requests.get(url)
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['requests.get(url)']);
    });

    describe('fix asyncio-sleep', () => {
      it('replaces time.sleep with await asyncio.sleep and imports asyncio', () => {
        const src = code`
          """Polling."""
          import time

          import httpx


          async def wait_for(job):
              while not job.done:
                  time.sleep(job.interval * 2)
        `;
        assert.deepStrictEqual(offeredFixes('python', src, ID), ['asyncio-sleep']);
        assert.strictEqual(
          applyFix('python', src, ID, 'asyncio-sleep'),
          code`
            """Polling."""
            import time

            import httpx
            import asyncio


            async def wait_for(job):
                while not job.done:
                    await asyncio.sleep(job.interval * 2)
          `,
        );
      });

      it('uses an existing import and its alias', () => {
        const src = code`
          import asyncio as aio
          from time import sleep

          async def backoff(attempt):
              sleep(2 ** attempt)
        `;
        assert.strictEqual(
          applyFix('python', src, ID, 'asyncio-sleep'),
          code`
            import asyncio as aio
            from time import sleep

            async def backoff(attempt):
                await aio.sleep(2 ** attempt)
          `,
        );
      });

      it('is not offered for a sleep inside a generator expression or with unpacked arguments', () => {
        const src = code`
          import time

          async def throttle(items, args):
              done = sum(time.sleep(0.1) or 1 for _ in items)
              time.sleep(*args)
        `;
        assert.deepStrictEqual(hits('python', src, ID), ['time.sleep(0.1)', 'time.sleep(*args)']);
        assert.deepStrictEqual(offeredFixes('python', src, ID, 0), []);
        assert.deepStrictEqual(offeredFixes('python', src, ID, 1), []);
      });
    });

    describe('fix to-thread', () => {
      it('hands a requests call to asyncio.to_thread, keyword arguments and all', () => {
        const src = code`
          import asyncio

          import requests

          async def notify(url, payload):
              resp = requests.post(url, json=payload, timeout=5)
              return requests.get(url).json()
        `;
        assert.deepStrictEqual(offeredFixes('python', src, ID), ['to-thread']);
        assert.strictEqual(
          applyFix('python', src, ID, 'to-thread'),
          code`
            import asyncio

            import requests

            async def notify(url, payload):
                resp = await asyncio.to_thread(requests.post, url, json=payload, timeout=5)
                return requests.get(url).json()
          `,
        );
        assert.strictEqual(
          applyFix('python', src, ID, 'to-thread', { nth: 1 }),
          code`
            import asyncio

            import requests

            async def notify(url, payload):
                resp = requests.post(url, json=payload, timeout=5)
                return (await asyncio.to_thread(requests.get, url)).json()
          `,
        );
      });

      it('keeps a multi-line argument list and handles calls without arguments', () => {
        const src = code`
          import subprocess
          from redis import Redis

          cache = Redis(host="cache")

          async def build():
              subprocess.run(
                  ["make", "assets"],
                  check=True,
              )
              return cache.ping()
        `;
        assert.strictEqual(
          applyFix('python', src, ID, 'to-thread'),
          code`
            import subprocess
            from redis import Redis
            import asyncio

            cache = Redis(host="cache")

            async def build():
                await asyncio.to_thread(subprocess.run,
                    ["make", "assets"],
                    check=True,
                )
                return cache.ping()
          `,
        );
        assert.strictEqual(
          applyFix('python', src, ID, 'to-thread', { nth: 1 }),
          code`
            import subprocess
            from redis import Redis
            import asyncio

            cache = Redis(host="cache")

            async def build():
                subprocess.run(
                    ["make", "assets"],
                    check=True,
                )
                return await asyncio.to_thread(cache.ping)
          `,
        );
      });

      it('hands sync Redis and PyMongo calls to a thread', () => {
        const src = code`
          import asyncio
          import redis
          from pymongo import MongoClient

          cache = redis.Redis()
          users = MongoClient(URL).app.users

          async def load(uid):
              raw = cache.get(f"u:{uid}")
              return users.find_one({"_id": uid})
        `;
        assert.strictEqual(
          applyFix('python', src, ID, 'to-thread'),
          code`
            import asyncio
            import redis
            from pymongo import MongoClient

            cache = redis.Redis()
            users = MongoClient(URL).app.users

            async def load(uid):
                raw = await asyncio.to_thread(cache.get, f"u:{uid}")
                return users.find_one({"_id": uid})
          `,
        );
        assert.strictEqual(
          applyFix('python', src, ID, 'to-thread', { nth: 1 }),
          code`
            import asyncio
            import redis
            from pymongo import MongoClient

            cache = redis.Redis()
            users = MongoClient(URL).app.users

            async def load(uid):
                raw = cache.get(f"u:{uid}")
                return await asyncio.to_thread(users.find_one, {"_id": uid})
          `,
        );
      });

      it('is not offered for sessions, cursors, connections, files, streamed bodies or a generator expression', () => {
        const src = code`
          import psycopg2
          import requests
          import urllib.request
          from pymongo import MongoClient

          session = requests.Session()
          client = MongoClient(URL)

          async def work(urls, path):
              session.get(URL)
              rows = list(client.app.users.find({}))
              conn = psycopg2.connect(DSN)
              text = open(path).read()
              pages = list(requests.get(u) for u in urls)
              body = urllib.request.urlopen(URL).read()
              big = requests.get(URL, stream=True)
        `;
        assert.deepStrictEqual(hits('python', src, ID), [
          'session.get(URL)',
          'client.app.users.find({})',
          'psycopg2.connect(DSN)',
          'open(path).read()',
          'requests.get(u)',
          'urllib.request.urlopen(URL)',
          'requests.get(URL, stream=True)',
        ]);
        for (let i = 0; i < 7; i++) assert.deepStrictEqual(offeredFixes('python', src, ID, i), [], `finding ${i}`);
      });
    });

    it('fix-all applies the sleep and thread fixes together with one import', () => {
      const src = code`
        import time

        import requests

        async def sync_partner(order):
            for attempt in range(3):
                r = requests.post(PARTNER_URL, json=order, timeout=5)
                if r.ok:
                    return r.json()
                time.sleep(2**attempt)
      `;
      const fixed = fixAll('python', src);
      assert.strictEqual(
        fixed,
        code`
          import time

          import requests
          import asyncio

          async def sync_partner(order):
              for attempt in range(3):
                  r = await asyncio.to_thread(requests.post, PARTNER_URL, json=order, timeout=5)
                  if r.ok:
                      return r.json()
                  await asyncio.sleep(2**attempt)
        `,
      );
      assertParses('python', fixed);
      assert.deepStrictEqual(hits('python', fixed, ID), []);
    });
  });

  describe('typescript', () => {
    it('flags fs, child_process, crypto and bcrypt sync calls in handlers and async functions', () => {
      const src = code`
        import fs from 'fs';
        import * as cp from 'node:child_process';
        import crypto from 'crypto';
        import bcrypt from 'bcryptjs';
        import { Router, type Request, type Response } from 'express';

        const router = Router();

        router.get('/report/:id', (req, res) => {
          const tpl = fs.readFileSync(TEMPLATE, 'utf8');
          cp.execSync(\`wkhtmltopdf \${req.params.id}.html out.pdf\`);
          res.send(tpl);
        });

        export async function signIn(email: string, password: string) {
          const user = await users.findOne({ email });
          const ok = bcrypt.compareSync(password, user.hash);
          const key = crypto.pbkdf2Sync(password, user.salt, 310000, 32, 'sha256');
          return ok && key;
        }
      `;
      assert.deepStrictEqual(hits('typescript', src, ID), [
        "fs.readFileSync(TEMPLATE, 'utf8')",
        'cp.execSync(`wkhtmltopdf ${req.params.id}.html out.pdf`)',
        'bcrypt.compareSync(password, user.hash)',
        "crypto.pbkdf2Sync(password, user.salt, 310000, 32, 'sha256')",
      ]);
      const found = findingsOf('typescript', src, ID);
      assert.deepStrictEqual(found.map((f) => f.severity), ['warning', 'error', 'error', 'error']);
      assert.strictEqual(
        found[0].message,
        '`fs.readFileSync(...)` blocks the Node event loop in a request handler: while the disk works no other request on this process is served; a small local file costs little, but a large file or a slow or network disk stalls every concurrent request. Use the promise API (`await fs.promises...`), or read it once at start-up.',
      );
      assert.match(found[2].message, /^`bcrypt\.compareSync\(\.\.\.\)` hashes on the Node event loop in `async signIn`/);
      assert.match(found[3].message, /deliberately slow key derivation/);
    });

    it('flags named imports, require() and callbacks inside async functions', () => {
      const src = code`
        import { readFileSync, existsSync } from 'node:fs';
        const { spawnSync } = require('child_process');
        const { scryptSync } = require('crypto');

        export class AvatarService {
          async render(ids: string[]) {
            const files = ids.map((id) => readFileSync(\`/data/\${id}.png\`));
            if (!existsSync(CACHE)) spawnSync('mkdir', ['-p', CACHE]);
            return require('fs').statSync(CACHE).size + files.length;
          }
        }

        export const hashToken = async (token: string) => scryptSync(token, SALT, 64);
      `;
      // existsSync and statSync read metadata (one cached system call): not findings.
      assert.deepStrictEqual(hits('typescript', src, ID), [
        'readFileSync(`/data/${id}.png`)',
        "spawnSync('mkdir', ['-p', CACHE])",
        'scryptSync(token, SALT, 64)',
      ]);
    });

    it("a read of one of the app's own files (a fixed path: literals, __dirname, process.env, path.join) is no finding, directly or through a helper; a file the module also writes (a JSON kept as a database) or a path from the request is", () => {
      const src = code`
        import express from 'express';
        import fs from 'fs';
        import path from 'path';
        import { writeFile } from 'fs/promises';
        const DB = path.join(__dirname, 'db.json');
        const TEMPLATE = path.join(__dirname, 'templates', 'index.html');
        const CERT = process.env.CERT_PATH ?? '/etc/ssl/cert.pem';
        function getDatabase() { return JSON.parse(fs.readFileSync(DB, 'utf8')); }
        function renderLogo() { return fs.readFileSync(path.join(process.cwd(), 'public', 'logo.png')); }
        async function save(data: unknown) { await writeFile(DB, JSON.stringify(data)); }
        const app = express();
        app.get('/page', async (req, res) => {
          const db = getDatabase();
          const html = fs.readFileSync(TEMPLATE, 'utf8');
          const cert = fs.readFileSync(CERT);
          const banner = fs.readFileSync(__dirname + '/banner.txt', 'utf8');
          const logo = renderLogo();
          const upload = fs.readFileSync(path.join('/uploads', req.params.name));
          const named = fs.readFileSync(\`/data/\${req.params.name}.json\`);
          res.json({ db, html, cert, banner, logo, upload, named });
          await save(db);
        });
      `;
      assert.deepStrictEqual(hits('typescript', src, ID), ['getDatabase()', "fs.readFileSync(path.join('/uploads', req.params.name))", 'fs.readFileSync(`/data/${req.params.name}.json`)']);
    });

    it('flags a NestJS route method and a JavaScript require()', () => {
      const ts = code`
        import * as fs from 'fs';

        @Controller('files')
        export class FilesController {
          @Get(':name')
          download(@Param('name') name: string) {
            return fs.readFileSync(join(ROOT, name));
          }
        }
      `;
      const js = code`
        const bcrypt = require('bcrypt');

        app.post('/signup', async (req, res) => {
          const hash = bcrypt.hashSync(req.body.password, 12);
          res.json(await User.create({ ...req.body, hash }));
        });
      `;
      assert.deepStrictEqual(hits('typescript', ts, ID), ['fs.readFileSync(join(ROOT, name))']);
      assert.deepStrictEqual(hits('javascript', js, ID), ['bcrypt.hashSync(req.body.password, 12)']);
    });

    it('leaves start-up code, scripts, sync helpers and tests alone', () => {
      const src = code`
        import fs from 'fs';
        import { execSync } from 'child_process';

        const config = JSON.parse(fs.readFileSync('config.json', 'utf8'));
        const commit = execSync('git rev-parse HEAD').toString().trim();

        function loadTemplates(dir: string) {
          return fs.readdirSync(dir).map((f) => fs.readFileSync(\`\${dir}/\${f}\`, 'utf8'));
        }

        async function main() {
          fs.mkdirSync(UPLOADS, { recursive: true });
          await app.listen(3000);
        }

        async function bootstrapApp() {
          fs.writeFileSync(PID_FILE, String(process.pid));
        }

        (async () => {
          fs.writeFileSync('ready', '1');
        })();

        app.listen(3000, async () => {
          fs.writeFileSync(PID_FILE, String(process.pid));
        });

        program.command('seed').action(async (file: string) => {
          await seed(JSON.parse(fs.readFileSync(file, 'utf8')));
        });

        export async function getStaticProps() {
          return { props: { posts: fs.readdirSync(POSTS) } };
        }

        class Store {
          constructor() {
            this.data = JSON.parse(fs.readFileSync(DB_FILE, 'utf8'));
          }
          save() {
            fs.writeFileSync(DB_FILE, JSON.stringify(this.data));
          }
        }

        describe('export', () => {
          it('writes the file', async () => {
            fs.writeFileSync(TMP, 'x');
            expect(fs.readFileSync(TMP, 'utf8')).toBe('x');
          });
        });
      `;
      assert.deepStrictEqual(hits('typescript', src, ID), []);
    });

    it('a callback handed to a method named like a route is no request handler unless it looks like one', () => {
      // playwright-core's bootstrap: \`session.post("Profiler.stop", (error, result) => ...)\` (the inspector protocol).
      const src = code`
        import fs from 'fs';

        function stopProfiling(session, done) {
          session.post('Profiler.stop', (error, result) => {
            if (!error) fs.writeFileSync(PROFILE, JSON.stringify(result.profile));
            done();
          });
          cache.get(\`user:\${id}\`, (value) => {
            fs.appendFileSync(LOG, String(value));
          });
          client.get(key, (err, reply) => {
            fs.appendFileSync(LOG, String(reply));
          });
        }

        app.post('/upload', (req, res) => {
          fs.writeFileSync(UPLOAD, req.body);
          res.end();
        });
        router.get(ROUTES.report, (req, res) => {
          res.send(fs.readFileSync(REPORT));
        });
        router.get('user', '/users/:id', (ctx) => {
          ctx.body = fs.readFileSync(USERS);
        });
        app.use((err, req, res, next) => {
          fs.appendFileSync(ERRORS, String(err));
          next(err);
        });
      `;
      assert.deepStrictEqual(hits('typescript', src, ID), ['fs.writeFileSync(UPLOAD, req.body)', 'fs.readFileSync(REPORT)', 'fs.readFileSync(USERS)', 'fs.appendFileSync(ERRORS, String(err))']);
    });

    it('leaves lazy one-time initialisation, the app\'s own small files named in the code, and project functions named like fs\'s alone', () => {
      const src = code`
        import fs from 'fs';
        import { readFileSync } from './cache';

        let initialized = false;

        export async function inlineCSS(html) {
          if (!initialized) {
            await initWasm(fs.readFileSync(WASM_PATH));
            initialized = true;
          }
          return inline(html);
        }

        app.get('/version', (req, res) => {
          const sha = fs.readFileSync('CI_COMMIT_SHA', 'utf8');
          const manifest = JSON.parse(fs.readFileSync('./.versions.json', 'utf8'));
          res.send({ sha, manifest, cached: readFileSync(req.query.key) });
        });

        app.get('/report', (req, res) => {
          res.send(fs.readFileSync(REPORT));
        });
      `;
      assert.deepStrictEqual(hits('typescript', src, ID), ['fs.readFileSync(REPORT)']);
    });

    it('flags other CPU work the models know (zlib\'s *Sync) with its own wording', () => {
      const src = code`
        import zlib from 'zlib';

        export async function saveRecording(events) {
          return zlib.gzipSync(Buffer.from(JSON.stringify(events)));
        }
      `;
      const [f] = findingsOf('typescript', src, ID);
      assert.strictEqual(src.slice(f.start, f.end), 'zlib.gzipSync(Buffer.from(JSON.stringify(events)))');
      assert.match(f.message, /does its CPU work on the Node event loop in `async saveRecording`/);
    });

    it('leaves async APIs, cheap sync calls and unrelated objects alone', () => {
      const src = code`
        import fs from 'fs';
        import fsp from 'fs/promises';
        import crypto from 'crypto';
        import bcrypt from 'bcrypt';
        import { Volume } from 'memfs';

        const vol = Volume.fromJSON({});

        app.get('/files/:id', async (req, res) => {
          const a = await fs.promises.readFile(PATH, 'utf8');
          const b = await fsp.readFile(PATH, 'utf8');
          const id = crypto.randomBytes(16).toString('hex');
          crypto.randomFillSync(buf);
          const salt = bcrypt.genSaltSync(10);
          const hash = await bcrypt.hash(req.body.password, salt);
          const c = vol.readFileSync('/a.txt');
          const d = cache.getSync(id);
          res.json({ a, b, id, hash, c, d });
        });
      `;
      assert.deepStrictEqual(hits('typescript', src, ID), []);
    });

    describe('fix fs-promises', () => {
      it('awaits the promise API in an async function', () => {
        const src = code`
          import fs from 'node:fs';

          export async function loadInvoice(id: string) {
            const raw = fs.readFileSync(\`\${DIR}/\${id}.json\`, 'utf8');
            const size = fs.readFileSync(PATH).toString().length;
            return { invoice: JSON.parse(raw), size };
          }
        `;
        assert.deepStrictEqual(offeredFixes('typescript', src, ID), ['fs-promises']);
        assert.strictEqual(
          applyFix('typescript', src, ID, 'fs-promises'),
          code`
            import fs from 'node:fs';

            export async function loadInvoice(id: string) {
              const raw = await fs.promises.readFile(\`\${DIR}/\${id}.json\`, 'utf8');
              const size = fs.readFileSync(PATH).toString().length;
              return { invoice: JSON.parse(raw), size };
            }
          `,
        );
        assert.strictEqual(
          applyFix('typescript', src, ID, 'fs-promises', { nth: 1 }),
          code`
            import fs from 'node:fs';

            export async function loadInvoice(id: string) {
              const raw = fs.readFileSync(\`\${DIR}/\${id}.json\`, 'utf8');
              const size = (await fs.promises.readFile(PATH)).toString().length;
              return { invoice: JSON.parse(raw), size };
            }
          `,
        );
      });

      it('works with require() in JavaScript and other fs methods', () => {
        const src = code`
          const fs = require('fs');

          router.post('/upload', async (req, res) => {
            fs.writeFileSync(dest(req), req.body);
            res.sendStatus(201);
          });
        `;
        assert.strictEqual(
          applyFix('javascript', src, ID, 'fs-promises'),
          code`
            const fs = require('fs');

            router.post('/upload', async (req, res) => {
              await fs.promises.writeFile(dest(req), req.body);
              res.sendStatus(201);
            });
          `,
        );
      });

      it('is not offered outside an async function, for names imported alone, or without a twin', () => {
        const src = code`
          import fs from 'fs';
          import fse from 'fs-extra';
          import { readFileSync } from 'fs';

          app.get('/a', (req, res) => res.send(fs.readFileSync(A)));

          app.get('/b', async (req, res) => {
            const parts = PARTS.map((p) => fs.readFileSync(p));
            const one = readFileSync(B);
            const there = fs.existsSync(C);
            const st = fs.statSync(C, { throwIfNoEntry: false });
            const json = fse.readFileSync(D);
            res.send({ parts, one, there, st, json });
          });
        `;
        assert.deepStrictEqual(hits('typescript', src, ID), ['fs.readFileSync(A)', 'fs.readFileSync(p)', 'readFileSync(B)', 'fse.readFileSync(D)']);
        for (let i = 0; i < 4; i++) assert.deepStrictEqual(offeredFixes('typescript', src, ID, i), [], `finding ${i}`);
      });
    });

    describe('fix bcrypt-async', () => {
      it('awaits bcrypt.compare / bcrypt.hash', () => {
        const src = code`
          import bcrypt from 'bcrypt';

          export async function verify(user: User, password: string) {
            if (!bcrypt.compareSync(password, user.passwordHash)) throw new Unauthorized();
          }
        `;
        assert.deepStrictEqual(offeredFixes('typescript', src, ID), ['bcrypt-async']);
        assert.strictEqual(
          applyFix('typescript', src, ID, 'bcrypt-async'),
          code`
            import bcrypt from 'bcrypt';

            export async function verify(user: User, password: string) {
              if (!await bcrypt.compare(password, user.passwordHash)) throw new Unauthorized();
            }
          `,
        );
      });

      it('is not offered in a sync handler', () => {
        const src = code`
          const bcrypt = require('bcryptjs');

          app.post('/hash', (req, res) => res.send(bcrypt.hashSync(req.body.pw, 10)));
        `;
        assert.deepStrictEqual(hits('javascript', src, ID), ['bcrypt.hashSync(req.body.pw, 10)']);
        assert.deepStrictEqual(offeredFixes('javascript', src, ID), []);
      });
    });
  });
});
