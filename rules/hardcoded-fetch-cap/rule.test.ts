import * as assert from 'assert';
import { applyFix, code, config, findingsOf, hits, offeredFixes, type TestLanguage } from '../../server/test/harness';
import { defaultConfig } from '../../server/src/config/config';
import { UnitCache } from '../../server/src/engine/analyzer';
import { analyzeText } from '../../server/src/engine/index';

const ID = 'hardcoded-fetch-cap';

/** Severity and related-information lines of each finding: `[text, severity, [related text...]]`. */
function shape(lang: TestLanguage, src: string): [string, string, string[]][] {
  return findingsOf(lang, src, ID).map((f) => [src.slice(f.start, f.end), f.severity, f.related.map((r) => src.slice(r.start, r.end).split('\n')[0])]);
}

describe(ID, () => {
  it('keeps the escalation right when cached units shift or a twin function elsewhere differs', () => {
    const cfg = config();
    const cache = new UnitCache();
    const notify = code`
      class Digest:
          async def run(self, db):
              users = await db.users.find({}).to_list(1000)
              for user in users:
                  await send_email(user)
    `;
    const read = notify.replace('class Digest', 'class Report').replace('await send_email(user)', 'print(user)');
    const versions = [
      `${notify}\n${read}`,
      `import os\n\n\n${notify}\n${read}`,
      `import os\n\n\n${read}\n${notify}`,
      `${read}\n${read.replace('class Report', 'class Other')}`,
    ];
    for (const text of versions) {
      const severities = (r: ReturnType<typeof analyzeText>): string[] => r.findings.filter((f) => f.ruleId === ID).map((f) => `${f.start}:${f.severity}:${f.related.map((x) => x.start).join()}`);
      const cached = severities(analyzeText(text, 'python', cfg, cache));
      assert.deepStrictEqual(cached, severities(analyzeText(text, 'python', cfg)), text);
      assert.strictEqual(cached.filter((c) => c.includes(':error:')).length, text.includes('send_email') ? 1 : 0, text);
    }
  });

  describe('python', () => {
    it('flags a literal row count handed to data access that stands in for "all": huge on any call, or the first page only', () => {
      const src = code`
        import traceback
        from app.repos import PaginationParams, repo

        def report(group_id, page):
            a = repo.multi_query({"group_id": group_id}, limit=9999)
            b = export(PaginationParams(limit=1000000, page=1))
            c = repo.list_users(limit=500, page=1)
            d = repo.list_users(limit=500, page=page)
            e = repo.list_users(limit=50)
            f = repo.search(q, limit=200)
            g = [p async for p in sdk.products.iter_list(page=1, limit=100)]
            traceback.print_exc(limit=100000)
            return a, b, c, d, e, f, g
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['limit=9999', 'limit=1000000', 'limit=500']);
      const found = findingsOf('python', src, ID);
      assert.match(found[0].message, /`multi_query\(limit=9999\)` returns at most 9,999 records/);
      // The threshold scales the "all" cut-off too: at fetchCap 500, 9,999 is below 50×.
      assert.deepStrictEqual(hits('python', src, ID, config({ thresholds: { ...defaultConfig().thresholds, fetchCap: 500 } })), ['limit=1000000', 'limit=500']);
    });

    it('flags to_list(N) and to_list(length=N) at or above the threshold', () => {
      const src = code`
        async def everyone(db):
            a = await db.users.find({"active": True}).to_list(1000)
            b = await db.orders.find().sort("created_at", -1).to_list(length=5000)
            c = await db["invoices"].aggregate([{"$match": {"paid": False}}]).to_list(100)
            d = await User.find(User.active == True).to_list(1_000)
            return a, b, c, d
      `;
      assert.deepStrictEqual(hits('python', src, ID), [
        'db.users.find({"active": True}).to_list(1000)',
        'db.orders.find().sort("created_at", -1).to_list(length=5000)',
        'db["invoices"].aggregate([{"$match": {"paid": False}}]).to_list(100)',
        'User.find(User.active == True).to_list(1_000)',
      ]);
    });

    it('says what is lost, naming the collection', () => {
      const [f] = findingsOf('python', 'async def f(db):\n    return await db.users.find({}).to_list(1000)\n', ID);
      assert.strictEqual(
        f.message,
        '`to_list(1000)` returns at most 1,000 users: the users beyond the first 1,000 are silently left out once the collection grows past that. Stream the whole result, or page through it.',
      );
      assert.strictEqual(f.severity, 'warning');
      assert.deepStrictEqual(f.related, []);
    });

    it('reports the chain limit when it is the cap that bounds the result', () => {
      const src = code`
        async def f(db):
            a = await db.users.find({}).limit(1000).to_list(None)
            b = await db.users.find({}).limit(500).to_list(1000)
            c = await db.users.find({}).limit(2000).to_list(1000)
            d = await db.users.find({}, limit=1000).to_list(None)
      `;
      assert.deepStrictEqual(hits('python', src, ID), [
        'db.users.find({}).limit(1000)',
        'db.users.find({}).limit(500)',
        'db.users.find({}).limit(2000).to_list(1000)',
        'limit=1000',
      ]);
      const messages = findingsOf('python', src, ID).map((f) => f.message.split(' returns')[0]);
      assert.deepStrictEqual(messages, ['`limit(1000)`', '`limit(500)`', '`to_list(1000)`', '`limit=1000`']);
    });

    it('leaves top-N queries, computed and None lengths, paging and batch loops alone', () => {
      const src = code`
        async def f(db, limit: int, skip: int, last_id):
            top = await db.scores.find().sort("score", -1).to_list(10)
            small = await db.users.find({}).limit(10).to_list(1000)
            equal = await db.users.find({}).limit(50).to_list(50)
            computed = await db.users.find({}).to_list(limit)
            paged = await db.users.find({}).skip(skip).to_list(1000)
            limited = await db.users.find({}).limit(limit).to_list(1000)
            kw = await db.users.find({}, limit=limit).to_list(1000)
            everything = await db.users.find({}).to_list(None)
            also = await db.users.find({}).to_list(length=None)
            pipeline = await db.users.aggregate([{"$sort": {"a": 1}}, {"$limit": 20}]).to_list(1000)
            doubled = await db.users.find({}).to_list(limit * 2)
            just_above = await db.users.find({}).to_list(99)
            while True:
                batch = await db.users.find({"_id": {"$gt": last_id}}).sort("_id").to_list(1000)
                if not batch:
                    break
                last_id = batch[-1]["_id"]
            items = some_list.to_list()
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('uses the configured threshold', () => {
      const src = 'async def f(db):\n    return await db.users.find({}).to_list(250)\n';
      const cfg = config({ thresholds: { ...defaultConfig().thresholds, fetchCap: 500 } });
      assert.deepStrictEqual(hits('python', src, ID, cfg), []);
      assert.deepStrictEqual(hits('python', src.replace('250', '500'), ID, cfg), ['db.users.find({}).to_list(500)']);
      assert.deepStrictEqual(hits('python', src, ID), ['db.users.find({}).to_list(250)']);
    });

    it('raises to error, pointing at the loop, when the capped result is sent to per item', () => {
      const src = code`
        async def send_digest(db, mailer):
            users = await db.users.find({"subscribed": True}).to_list(1000)
            for user in users:
                if user.get("email"):
                    await mailer.send_email(user["email"], "digest")
      `;
      const [f] = findingsOf('python', src, ID);
      assert.strictEqual(f.severity, 'error');
      assert.strictEqual(
        f.message,
        '`to_list(1000)` returns at most 1,000 users, and the loop over `users` sends per item: once the collection holds more than 1,000, the users beyond the first 1,000 are silently never sent anything. Stream the whole result instead.',
      );
      assert.deepStrictEqual(
        f.related.map((r) => [src.slice(r.start, r.end).split('\n')[0], r.message]),
        [['for user in users:', 'sends per item here, for the first 1,000 users only']],
      );
    });

    it('escalates for scheduling and writing loops, comprehensions and loops over the call itself', () => {
      const src = code`
        async def a(db):
            users = await db.users.find({}).to_list(1000)
            for i, user in enumerate(users):
                send_reminder.delay(user["_id"])

        async def b(db):
            users = await db.users.find({}).to_list(1000)
            for user in users:
                await db.users.update_one({"_id": user["_id"]}, {"$set": {"seen": True}})

        async def c(db):
            for user in await db.users.find({}).to_list(1000):
                scheduler.add_job(remind, args=[user["_id"]])

        async def d(db):
            users = await db.users.find({}).to_list(1000)
            await asyncio.gather(*(notify(u) for u in users))

        async def e(db, tasks: BackgroundTasks):
            users = await db.users.find({}).to_list(1000)
            for user in users:
                for device in user["devices"]:
                    tasks.add_task(push_to_device, device)
      `;
      assert.deepStrictEqual(shape('python', src), [
        ['db.users.find({}).to_list(1000)', 'error', ['for i, user in enumerate(users):']],
        ['db.users.find({}).to_list(1000)', 'error', ['for user in users:']],
        ['db.users.find({}).to_list(1000)', 'error', ['for user in await db.users.find({}).to_list(1000):']],
        ['db.users.find({}).to_list(1000)', 'error', ['(notify(u) for u in users)']],
        ['db.users.find({}).to_list(1000)', 'error', ['for user in users:']],
      ]);
      const verbs = findingsOf('python', src, ID).map((f) => /, and the loop(?: over `\w+`)? (.*?) per item/.exec(f.message)?.[1]);
      assert.deepStrictEqual(verbs, ['schedules work', 'writes', 'schedules work', 'sends', 'schedules work']);
    });

    it('stays a warning when the loop only reads, builds locally, or iterates something else', () => {
      const src = code`
        async def a(db):
            users = await db.users.find({}).to_list(1000)
            emails = []
            seen = set()
            counts = {}
            for user in users:
                emails.append(user["email"])
                seen.add(user["_id"])
                counts.update({user["plan"]: 1})
                print(user["name"].replace("a", "b"))
            return emails

        async def b(db, others):
            users = await db.users.find({}).to_list(1000)
            for other in others:
                await send_email(other)
            return users

        async def c(db):
            users = await db.users.find({}).to_list(1000)
            def later():
                for user in users:
                    send_email(user)
            return later

        async def d(db, users):
            for user in users:
                await send_email(user)

        async def e(db):
            users = await db.users.find({}).to_list(1000)
            for user in users:
                post_process(user)
      `;
      assert.deepStrictEqual(
        shape('python', src).map(([, severity]) => severity),
        ['warning', 'warning', 'warning', 'warning'],
      );
    });

    it('does not borrow a loop from an identical variable name in another function', () => {
      const src = code`
        async def fetch(db):
            users = await db.users.find({}).to_list(1000)
            return users

        async def notify_all(users):
            for user in users:
                await send_email(user)
      `;
      assert.deepStrictEqual(shape('python', src), [['db.users.find({}).to_list(1000)', 'warning', []]]);
    });

    it('escalates across module-level statements of a script', () => {
      const src = code`
        users = db.users.find({}).to_list(1000)
        for user in users:
            send_email(user)
      `;
      assert.deepStrictEqual(shape('python', src), [['db.users.find({}).to_list(1000)', 'error', ['for user in users:']]]);
    });

    it('fix stream: iterates the cursor with async for (safe, preferred)', () => {
      const src = code`
        async def send_digest(db):
            # everyone who subscribed
            users = await db.users.find({"subscribed": True}).to_list(1000)
            sent = 0
            for user in users:
                await send_email(user["email"])
                sent += 1
            return sent
      `;
      assert.deepStrictEqual(offeredFixes('python', src, ID), ['stream']);
      assert.strictEqual(
        applyFix('python', src, ID, 'stream'),
        code`
          async def send_digest(db):
              # everyone who subscribed
              sent = 0
              async for user in db.users.find({"subscribed": True}):
                  await send_email(user["email"])
                  sent += 1
              return sent
        `,
      );
    });

    it('fix stream: drops a hard-coded chain limit and keeps a multi-line chain in parentheses', () => {
      const src = code`
        async def export(db, out):
            rows = await (
                db.orders.find({"status": "paid"})
                .sort("_id")
                .limit(1000)
                .to_list(None)
            )
            for row in rows:
                out.write(row["id"])
      `;
      assert.strictEqual(
        applyFix('python', src, ID, 'stream'),
        code`
          async def export(db, out):
              async for row in (
                  db.orders.find({"status": "paid"})
                  .sort("_id")
              ):
                  out.write(row["id"])
        `,
      );
    });

    it('fix stream: keeps CRLF line endings', () => {
      const src = 'async def f(db):\r\n    users = await db.users.find({}).to_list(1000)\r\n    for user in users:\r\n        await send_email(user)\r\n';
      assert.strictEqual(
        applyFix('python', src, ID, 'stream'),
        'async def f(db):\r\n    async for user in db.users.find({}):\r\n        await send_email(user)\r\n',
      );
    });

    it('offers streaming first (safe) and paging second (unsafe) on a listing route that loops', () => {
      const src = code`
        from fastapi import FastAPI
        app = FastAPI()
        @app.get("/users")
        async def list_users():
            users = await db.users.find({}).to_list(1000)
            out = []
            for user in users:
                out.append({"id": str(user["_id"])})
            return out
      `;
      assert.deepStrictEqual(offeredFixes('python', src, ID), ['stream', 'page-route']);
    });

    it('fix stream: not offered when the list is used besides the loop, something is awaited in between, or the function is sync', () => {
      const usedTwice = code`
        async def f(db):
            users = await db.users.find({}).to_list(1000)
            for user in users:
                await send_email(user)
            return len(users)
      `;
      const awaitedBetween = code`
        async def f(db):
            users = await db.users.find({}).to_list(1000)
            await db.users.update_many({}, {"$set": {"queued": True}})
            for user in users:
                await send_email(user)
      `;
      const noLoop = code`
        async def f(db):
            users = await db.users.find({}).to_list(1000)
            return [u["email"] for u in users]
      `;
      const syncScript = code`
        users = db.users.find({}).to_list(1000)
        for user in users:
            send_email(user)
      `;
      for (const src of [usedTwice, awaitedBetween, noLoop, syncScript]) assert.deepStrictEqual(offeredFixes('python', src, ID), [], src);
    });

    it('fix page-route: adds bounded skip/limit query parameters to a FastAPI route (unsafe)', () => {
      const src = code`
        from fastapi import APIRouter, Depends

        router = APIRouter()


        @router.get("/users")
        async def list_users(db=Depends(get_db)):
            users = await db.users.find({}, {"password": 0}).to_list(1000)
            return users
      `;
      assert.deepStrictEqual(offeredFixes('python', src, ID), ['page-route']);
      assert.strictEqual(
        applyFix('python', src, ID, 'page-route'),
        code`
          from fastapi import APIRouter, Depends, Query

          router = APIRouter()


          @router.get("/users")
          async def list_users(db=Depends(get_db), skip: int = Query(0, ge=0), limit: int = Query(50, ge=1, le=500)):
              users = await db.users.find({}, {"password": 0}).skip(skip).limit(limit).to_list(length=limit)
              return users
        `,
      );
    });

    it('fix page-route: multi-line parameters, no parameters, configured bounds, and a chain limit', () => {
      const multi = code`
        import fastapi
        from app.db import get_db

        @app.get("/orders")
        async def list_orders(
            status: str,
            db=Depends(get_db),
        ):
            return await db.orders.find({"status": status}).limit(1000).to_list(None)
      `;
      assert.strictEqual(
        applyFix('python', multi, ID, 'page-route'),
        code`
          import fastapi
          from app.db import get_db
          from fastapi import Query

          @app.get("/orders")
          async def list_orders(
              status: str,
              db=Depends(get_db),
              skip: int = Query(0, ge=0),
              limit: int = Query(50, ge=1, le=500),
          ):
              return await db.orders.find({"status": status}).skip(skip).limit(limit).to_list(length=limit)
        `,
      );
      const none = code`
        from fastapi import FastAPI, Query
        app = FastAPI()
        @app.get("/users")
        async def list_users():
            return await db.users.find().to_list(1000)
      `;
      const cfg = config({ fixDefaults: { ...defaultConfig().fixDefaults, pageLimit: { default: 20, max: 100 } } });
      assert.strictEqual(
        applyFix('python', none, ID, 'page-route', { cfg }),
        code`
          from fastapi import FastAPI, Query
          app = FastAPI()
          @app.get("/users")
          async def list_users(skip: int = Query(0, ge=0), limit: int = Query(20, ge=1, le=100)):
              return await db.users.find().skip(skip).limit(limit).to_list(length=limit)
        `,
      );
    });

    it('fix page-route: reads and clamps skip/limit from the request in a Starlette endpoint', () => {
      const src = code`
        from starlette.responses import JSONResponse


        async def list_users(request):
            """All users."""
            users = await db.users.find({}).to_list(1000)
            return JSONResponse(users)
      `;
      assert.strictEqual(
        applyFix('python', src, ID, 'page-route'),
        code`
          from starlette.responses import JSONResponse


          async def list_users(request):
              """All users."""
              skip = max(int(request.query_params.get("skip", 0)), 0)
              limit = min(max(int(request.query_params.get("limit", 50)), 1), 500)
              users = await db.users.find({}).skip(skip).limit(limit).to_list(length=limit)
              return JSONResponse(users)
        `,
      );
    });

    it('fix page-route: not offered outside a route, on a route that acts per item, or when skip/limit are taken', () => {
      const helper = code`
        from fastapi import FastAPI
        async def all_users(db):
            return await db.users.find({}).to_list(1000)
      `;
      const notFastapi = code`
        from flask import Flask
        @app.get("/users")
        def list_users():
            return db.users.find({}).to_list(1000)
      `;
      const perItem = code`
        from fastapi import FastAPI
        @app.get("/digest")
        async def digest():
            users = await db.users.find({}).to_list(1000)
            for user in users:
                await send_email(user)
      `;
      const taken = code`
        from fastapi import FastAPI
        @app.get("/users")
        async def list_users(limit: int = 10):
            users = await db.users.find({}).to_list(1000)
            return users[:limit]
      `;
      for (const src of [helper, notFastapi, taken]) assert.deepStrictEqual(offeredFixes('python', src, ID), [], src);
      assert.deepStrictEqual(offeredFixes('python', perItem, ID), ['stream']);
    });
  });
  for (const lang of ['typescript', 'javascript'] as const) {
    describe(lang, () => {
      it('flags .limit(N), query-builder .take(N), take/limit options and Supabase ranges at or above the threshold', () => {
        const src = code`
          export async function everyone(db, prisma, supabase, knex) {
            const a = await db.collection('users').find({ active: true }).limit(1000).toArray();
            const b = await User.find({ active: true }).sort({ createdAt: -1 }).limit(500).lean();
            const c = await prisma.user.findMany({ where: { active: true }, take: 1000 });
            const d = await db.collection('orders').find({}, { limit: 2000 }).toArray();
            const e = await Order.findAll({ where: { paid: false }, limit: 1000 });
            const { data } = await supabase.from('profiles').select('*').range(0, 999);
            const f = await knex('invoices').where({ paid: false }).limit(100);
            const g = await dataSource.getRepository(Event).createQueryBuilder('e').orderBy('e.at').take(1000).getMany();
            const h = await drizzle.select().from(auditLogs).limit(1000);
            return [a, b, c, d, e, data, f, g, h];
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), [
          "db.collection('users').find({ active: true }).limit(1000)",
          'User.find({ active: true }).sort({ createdAt: -1 }).limit(500)',
          'take: 1000',
          'limit: 2000',
          'limit: 1000',
          "supabase.from('profiles').select('*').range(0, 999)",
          "knex('invoices').where({ paid: false }).limit(100)",
          "dataSource.getRepository(Event).createQueryBuilder('e').orderBy('e.at').take(1000)",
          'drizzle.select().from(auditLogs).limit(1000)',
        ]);
        const messages = findingsOf(lang, src, ID).map((f) => f.message.split(': the ')[0]);
        assert.deepStrictEqual(messages, [
          '`limit(1000)` returns at most 1,000 users',
          '`limit(500)` returns at most 500 users',
          '`take: 1000` returns at most 1,000 users',
          '`limit: 2000` returns at most 2,000 orders',
          '`limit: 1000` returns at most 1,000 orders',
          '`range(0, 999)` returns at most 1,000 profiles',
          '`limit(100)` returns at most 100 invoices',
          '`take(1000)` returns at most 1,000 events',
          '`limit(1000)` returns at most 1,000 audit logs',
        ]);
      });

      it('leaves top-N queries, computed limits, paging, batch loops and non-query look-alikes alone', () => {
        const src = code`
          export async function f(db, prisma, supabase, limit, page, cursor) {
            const top = await db.collection('scores').find().sort({ score: -1 }).limit(10).toArray();
            const few = await prisma.user.findMany({ take: 10 });
            const computed = await db.collection('users').find().limit(limit).toArray();
            const doubled = await db.collection('users').find().limit(limit * 2).toArray();
            const paged = await db.collection('users').find().skip(page * 1000).limit(1000).toArray();
            const prismaPaged = await prisma.user.findMany({ skip: page * 1000, take: 1000 });
            const keyset = await prisma.user.findMany({ cursor: { id: cursor }, take: 1000 });
            const secondPage = await supabase.from('users').select('*').range(1000, 1999);
            const noLimit = await db.collection('users').find().limit(0).toArray();
            while (true) {
              const batch = await db.collection('users').find({ _id: { $gt: cursor } }).limit(1000).toArray();
              if (batch.length === 0) break;
              cursor = batch[batch.length - 1]._id;
            }
            const limiter = rateLimit({ windowMs: 60_000, limit: 1000 });
            const body = express.json({ limit: 1000 });
            const numbers = _.range(0, 999);
            const firstIds = _.chain(ids).take(1000).value();
            const firstLines = lines.values().take(1000).toArray();
            return [top, few, computed, doubled, paged, prismaPaged, keyset, secondPage, noLimit, limiter, body, numbers, firstIds, firstLines];
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });

      it('raises to error when the capped result is acted on per item: for-of, forEach, Promise.all(map), a loop over the call, an index loop', () => {
        const src = code`
          async function a(db, mailer) {
            const users = await db.collection('users').find({ subscribed: true }).limit(1000).toArray();
            for (const user of users) {
              await mailer.sendMail({ to: user.email, subject: 'Digest' });
            }
          }
          async function b(queue) {
            const users = await User.find({}).limit(1000);
            users.forEach(async (u) => {
              await queue.add('welcome', { id: u.id });
            });
          }
          async function c(prisma) {
            const users = await prisma.user.findMany({ take: 1000 });
            await Promise.all(users.map((u) => prisma.user.update({ where: { id: u.id }, data: { seen: true } })));
          }
          async function e(db) {
            for (const user of await db.collection('users').find({}).limit(1000).toArray()) {
              await db.collection('audit').insertOne({ user: user._id });
            }
          }
          async function d(supabase) {
            const { data: profiles } = await supabase.from('profiles').select('*').range(0, 999);
            for (let i = 0; i < profiles.length; i++) {
              await notifyUser(profiles[i]);
            }
          }
        `;
        assert.deepStrictEqual(
          findingsOf(lang, src, ID).map((f) => [f.severity, f.related.map((r) => src.slice(r.start, r.end).split('\n')[0]), /loop over `(\w+)` (.*?) per item/.exec(f.message)?.slice(1)]),
          [
            ['error', ['for (const user of users) {'], ['users', 'sends']],
            ['error', ['users.forEach(async (u) => {'], ['users', 'schedules work']],
            ['error', ['users.map((u) => prisma.user.update({ where: { id: u.id }, data: { seen: true } }))'], ['users', 'writes']],
            ['error', ["for (const user of await db.collection('users').find({}).limit(1000).toArray()) {"], undefined],
            ['error', ['for (let i = 0; i < profiles.length; i++) {'], ['profiles', 'sends']],
          ],
        );
      });

      it('stays a warning when the loop only builds local data', () => {
        const src = code`
          async function a(db) {
            const users = await db.collection('users').find({}).limit(1000).toArray();
            const byId = new Map();
            const ids = [];
            for (const user of users) {
              ids.push(user._id);
              byId.set(user._id, user);
              byId.delete(user.legacyId);
              console.log(user.name.replace('a', 'b'));
            }
            return ids;
          }
        `;
        assert.deepStrictEqual(findingsOf(lang, src, ID).map((f) => f.severity), ['warning']);
      });

      it('fix stream: iterates the cursor with for await, without the cap (safe, preferred)', () => {
        const src = code`
          export async function sendDigest(db, mailer) {
            const users = await db.collection('users').find({ subscribed: true }).limit(1000).toArray();
            let sent = 0;
            for (const user of users) {
              await mailer.sendMail({ to: user.email });
              sent++;
            }
            return sent;
          }
        `;
        assert.deepStrictEqual(offeredFixes(lang, src, ID), ['stream']);
        assert.strictEqual(
          applyFix(lang, src, ID, 'stream'),
          code`
            export async function sendDigest(db, mailer) {
              let sent = 0;
              for await (const user of db.collection('users').find({ subscribed: true })) {
                await mailer.sendMail({ to: user.email });
                sent++;
              }
              return sent;
            }
          `,
        );
      });

      it('fix stream: keeps the rest of the chain', () => {
        const src = code`
          async function f(db) {
            const orders = await db
              .collection('orders')
              .find({ paid: true })
              .limit(5000)
              .sort({ _id: 1 })
              .toArray();
            for (const order of orders) await archive.write(order);
          }
        `;
        assert.strictEqual(
          applyFix(lang, src, ID, 'stream'),
          code`
            async function f(db) {
              for await (const order of db
                .collection('orders')
                .find({ paid: true })
                .sort({ _id: 1 })) await archive.write(order);
            }
          `,
        );
      });

      it('fix stream: not offered without toArray, when the array is used besides the loop, or with a for-in loop', () => {
        const mongoose = code`
          async function f() {
            const users = await User.find({}).limit(1000);
            for (const u of users) await send(u);
          }
        `;
        const usedTwice = code`
          async function f(db) {
            const users = await db.collection('users').find({}).limit(1000).toArray();
            for (const u of users) await send(u);
            return users.length;
          }
        `;
        const forIn = code`
          async function f(db) {
            const users = await db.collection('users').find({}).limit(1000).toArray();
            for (const i in users) await send(i);
          }
        `;
        const awaitedBetween = code`
          async function f(db) {
            const users = await db.collection('users').find({}).limit(1000).toArray();
            await db.collection('users').updateMany({}, { $set: { queued: true } });
            for (const u of users) await send(u);
          }
        `;
        for (const src of [mongoose, usedTwice, forIn, awaitedBetween]) assert.deepStrictEqual(offeredFixes(lang, src, ID), [], src);
      });
    });
  }
  describe('go', () => {
    it('flags LIMIT N in SQL literals passed to query calls, gorm Limit and mongo SetLimit', () => {
      const src = code`
        package main

        func everyone(ctx context.Context, db *sql.DB, x *sqlx.DB, g *gorm.DB, coll *mongo.Collection) {
        	rows, _ := db.QueryContext(ctx, "SELECT id, email FROM users WHERE active LIMIT 1000")
        	var orders []Order
        	_ = x.Select(&orders, \`
        		SELECT * FROM public.orders
        		ORDER BY created_at DESC
        		limit 5000\`)
        	var invoices []Invoice
        	g.Where("paid = ?", false).Limit(1000).Find(&invoices)
        	g.Raw("SELECT * FROM accounts LIMIT 200").Scan(&accounts)
        	cur, _ := coll.Find(ctx, bson.M{}, options.Find().SetLimit(int64(1000)))
        	_, _ = rows, cur
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), [
        '"SELECT id, email FROM users WHERE active LIMIT 1000"',
        '`\n\t\tSELECT * FROM public.orders\n\t\tORDER BY created_at DESC\n\t\tlimit 5000`',
        'g.Where("paid = ?", false).Limit(1000)',
        '"SELECT * FROM accounts LIMIT 200"',
        'options.Find().SetLimit(int64(1000))',
      ]);
      assert.deepStrictEqual(
        findingsOf('go', src, ID).map((f) => f.message.split(': the ')[0]),
        [
          '`LIMIT 1000` returns at most 1,000 users',
          '`LIMIT 5000` returns at most 5,000 orders',
          '`Limit(1000)` returns at most 1,000 invoices',
          '`LIMIT 200` returns at most 200 accounts',
          '`SetLimit(int64(1000))` returns at most 1,000 documents',
        ],
      );
    });

    it("a pool setting, the project's own Limit and a batch stream are no cap on a query (by the models)", () => {
      const src = code`
        package main

        import (
        	"database/sql"
        	"gorm.io/gorm"
        )

        type Pager struct{}

        func (p *Pager) Limit(n int) *Pager { return p }

        func setup(db *sql.DB, gdb *gorm.DB, p *Pager) {
        	db.SetMaxOpenConns(1000)
        	p.Limit(1000)
        	gdb.Limit(5000).FindInBatches(&rows, 100, process)
        	gdb.Limit(5000).Find(&users)
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['gdb.Limit(5000)']);
    });

    it('leaves parameters, small limits, single rows, paging, batch loops and rates alone', () => {
      const src = code`
        package main

        func f(ctx context.Context, db *sql.DB, g *gorm.DB, limit, page int, lastID int64) {
        	a, _ := db.QueryContext(ctx, "SELECT id FROM users ORDER BY id LIMIT $1", limit)
        	b, _ := db.Query("SELECT id FROM scores ORDER BY score DESC LIMIT 10")
        	row := db.QueryRow("SELECT id FROM users ORDER BY id LIMIT 1000")
        	c, _ := db.Query("SELECT id FROM users ORDER BY id LIMIT 1000 OFFSET $1", page*1000)
        	d, _ := db.Query("SELECT id FROM users ORDER BY id LIMIT 1000, 1000")
        	_, _ = db.Exec("DELETE FROM sessions WHERE expired LIMIT 1000")
        	g.Limit(limit).Find(&users)
        	g.Offset(page * 1000).Limit(1000).Find(&users)
        	for {
        		rows, _ := db.Query("SELECT id FROM users WHERE id > $1 ORDER BY id LIMIT 1000", lastID)
        		if !rows.Next() {
        			break
        		}
        	}
        	limiter := rate.NewLimiter(rate.Limit(100), 10)
        	limiter.SetLimit(500)
        	var group errgroup.Group
        	group.SetLimit(200)
        	const q = "SELECT id FROM users LIMIT 1000"
        	_, _, _, _, _, _, _ = a, b, row, c, d, limiter, q
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
    });

    it('raises to error when rows or results are sent to, scheduled or written per item', () => {
      const src = code`
        package main

        func digest(db *sql.DB, mailer *Mailer) error {
        	rows, err := db.Query("SELECT email FROM users WHERE subscribed LIMIT 1000")
        	if err != nil {
        		return err
        	}
        	defer rows.Close()
        	for rows.Next() {
        		var email string
        		if err := rows.Scan(&email); err != nil {
        			return err
        		}
        		if err := mailer.Send(email, "digest"); err != nil {
        			return err
        		}
        	}
        	return rows.Err()
        }

        func touch(g *gorm.DB) {
        	var users []User
        	g.Limit(1000).Find(&users)
        	for _, u := range users {
        		g.Model(&u).Update("seen", true)
        	}
        }

        func queueAll(x *sqlx.DB, q *Queue) {
        	var users []User
        	_ = x.Select(&users, "SELECT * FROM users LIMIT 500")
        	for i := 0; i < len(users); i++ {
        		q.Enqueue(users[i].ID)
        	}
        }

        func archive(ctx context.Context, coll, audit *mongo.Collection) {
        	cur, _ := coll.Find(ctx, bson.M{}, options.Find().SetLimit(1000))
        	for cur.Next(ctx) {
        		_, _ = audit.InsertOne(ctx, cur.Current)
        	}
        }

        func perOrder(db *sql.DB, orders *sql.Rows) {
        	for orders.Next() {
        		items, _ := db.Query("SELECT id FROM items WHERE order_id = $1 LIMIT 1000", 1)
        		_ = items
        	}
        }

        func readOnly(db *sql.DB) (n int) {
        	rows, _ := db.Query("SELECT id FROM users LIMIT 1000")
        	for rows.Next() {
        		n++
        	}
        	return n
        }
      `;
      assert.deepStrictEqual(shape('go', src), [
        ['"SELECT email FROM users WHERE subscribed LIMIT 1000"', 'error', ['for rows.Next() {']],
        ['g.Limit(1000)', 'error', ['for _, u := range users {']],
        ['"SELECT * FROM users LIMIT 500"', 'error', ['for i := 0; i < len(users); i++ {']],
        ['options.Find().SetLimit(1000)', 'error', ['for cur.Next(ctx) {']],
        ['"SELECT id FROM items WHERE order_id = $1 LIMIT 1000"', 'warning', []],
        ['"SELECT id FROM users LIMIT 1000"', 'warning', []],
      ]);
      const [first] = findingsOf('go', src, ID);
      assert.strictEqual(
        first.message,
        '`LIMIT 1000` returns at most 1,000 users, and the loop over `rows` sends per item: once the table holds more than 1,000, the users beyond the first 1,000 are silently never sent anything. Stream the whole result instead.',
      );
    });

    it('offers no rewrite fix', () => {
      const src = 'package main\nfunc f() { db.Query("SELECT id FROM users LIMIT 1000") }\n';
      assert.deepStrictEqual(offeredFixes('go', src, ID), []);
    });
  });
});

