import * as assert from 'assert';
import { applyFix, code, config, findingsOf, hits, offeredFixes, workspaceHits } from '../../server/test/harness';

const ID = 'n-plus-one';

describe(ID, () => {
  describe('per-item writes that have a bulk form', () => {
    it("python: PyMongo/Motor insert_one per item; not a fixed list, not a write that ignores the item, not a bulk call, not Django's create (bulk_create skips save() and signals)", () => {
      const src = code`
        from app.models import AuditLog, Order

        async def import_orders(db, rows, user):
            for row in rows:
                Order.objects.create(owner=user, reference=row["ref"])
            for row in rows:
                await db.orders.insert_one({"ref": row["ref"]})
            for status in ("open", "paid"):
                AuditLog.objects.create(action=status)
            for row in rows:
                AuditLog.objects.create(action="import")
            Order.objects.bulk_create([Order(owner=user, reference=r["ref"]) for r in rows])
            for row in rows:
                cache.create(row["ref"])
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['db.orders.insert_one({"ref": row["ref"]})']);
      assert.match(findingsOf('python', src, ID)[0].message, /`db.orders.insert_one` runs once per item of `rows`.*write them in one statement after it \(`insert_many`\)/);
    });

    it('typescript: Prisma and Sequelize create per item (also all at once in Promise.all); not an unmodelled package named the same', () => {
      const src = code`
        import { PrismaClient } from '@prisma/client';
        import { NodeSelection } from 'prosemirror-state';
        import { Notification } from '@server/models';
        const prisma = new PrismaClient();

        export async function importUsers(users: { email: string; id: string }[], doc: any) {
          for (const u of users) {
            await prisma.user.create({ data: { email: u.email } });
          }
          await Promise.all(users.map((u) => Notification.create({ userId: u.id, event: 'imported' })));
          for (const pos of [1, 2, 3].map((n) => n * doc.size)) {
            NodeSelection.create(doc, pos);
          }
        }
      `;
      assert.deepStrictEqual(hits('typescript', src, ID), ["prisma.user.create({ data: { email: u.email } })", "Notification.create({ userId: u.id, event: 'imported' })"]);
      const found = findingsOf('typescript', src, ID);
      assert.match(found[0].message, /\(`createMany`\)/);
      assert.match(found[1].message, /all at once.*\(`(bulkCreate` or `insertMany|insertMany` or `bulkCreate)`\)/);
    });

    it('a class the project imports is taken for an ORM model only when its package can reach that ORM (package.json, through workspace packages)', async () => {
      const service = code`
        import { TokenDto } from '@acme/dtos';
        import { Notification } from '@acme/models';
        export async function list(rows: { id: string }[]) {
          const dtos = rows.map((r) => TokenDto.create({ id: r.id }));
          await Promise.all(rows.map((r) => Notification.create({ userId: r.id })));
          return dtos;
        }
      `;
      const tree = (models: string[]) => ({
        'package.json': JSON.stringify({ private: true, workspaces: ['packages/*'] }),
        'packages/api/package.json': JSON.stringify({ name: '@acme/api', dependencies: { '@acme/dtos': 'workspace:*', '@acme/models': 'workspace:*', knex: '3' } }),
        'packages/dtos/package.json': JSON.stringify({ name: '@acme/dtos', dependencies: { zod: '3' } }),
        'packages/models/package.json': JSON.stringify({ name: '@acme/models', dependencies: Object.fromEntries(models.map((m) => [m, '6'])) }),
        'packages/api/src/service.ts': service,
      });
      const at = (r: Awaited<ReturnType<typeof workspaceHits>>) => r.map((h) => h.at);
      // Neither Sequelize nor mongoose is reachable: `create` is the project's own.
      assert.deepStrictEqual(at(await workspaceHits(tree([]), ID)), []);
      // The models package depends on Sequelize: either class may be a model, and `create` its insert.
      assert.deepStrictEqual(at(await workspaceHits(tree(['sequelize']), ID)), ['packages/api/src/service.ts:4:32', 'packages/api/src/service.ts:5:37']);
    });

    it('go: gorm Create and mongo InsertOne per item', () => {
      const src = code`
        package store

        import (
          "context"

          "go.mongodb.org/mongo-driver/mongo"
          "gorm.io/gorm"
        )

        func Import(db *gorm.DB, coll *mongo.Collection, rows []Row) {
          for _, r := range rows {
            db.Create(&Order{Ref: r.Ref})
            coll.InsertOne(context.TODO(), r)
          }
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['db.Create(&Order{Ref: r.Ref})', 'coll.InsertOne(context.TODO(), r)']);
      assert.match(findingsOf('go', src, ID)[0].message, /\(`CreateInBatches`\)/);
    });
  });

  describe('python', () => {
    it('flags Motor/PyMongo lookups, counts and finds that use the loop variable', () => {
      const src = code`
        async def order_summaries(db, orders: list[dict]):
            out = []
            for order in orders:
                user = await db.users.find_one({"_id": order["user_id"]})
                n = await db.items.count_documents({"order_id": order["_id"]})
                items = await db.items.find({"order_id": order["_id"]}).to_list(100)
                out.append((user, n, items))
            return out
      `;
      assert.deepStrictEqual(hits('python', src, ID), [
        'db.users.find_one({"_id": order["user_id"]})',
        'db.items.count_documents({"order_id": order["_id"]})',
        'db.items.find({"order_id": order["_id"]})',
      ]);
    });

    it('follows variables derived from the loop variable, comprehensions, async for and nested blocks', () => {
      const src = code`
        async def lookups(db, ids):
            names = [await db.users.find_one({"_id": i}) for i in ids]
            async for order in db.orders.find({"status": "open"}):
                uid = order["user_id"]
                query = {"user_id": uid, "read": False}
                if uid:
                    user = await db.users.find_one({"_id": uid})
                    unread = await db.notifications.count_documents(query)
            for i, (sku, qty) in enumerate(lines):
                product = await db.products.find_one({"sku": sku})
      `;
      assert.deepStrictEqual(hits('python', src, ID), [
        'db.users.find_one({"_id": i})',
        'db.users.find_one({"_id": uid})',
        'db.notifications.count_documents(query)',
        'db.products.find_one({"sku": sku})',
      ]);
    });

    it('flags SQLAlchemy session.get/execute/scalars/query, Flask-SQLAlchemy and DB-API cursors', () => {
      const src = code`
        def invoice_report(session, cur, invoices):
            for inv in invoices:
                customer = session.get(Customer, inv.customer_id)
                lines = session.execute(select(Line).where(Line.invoice_id == inv.id)).scalars().all()
                stmt = select(Payment).where(Payment.invoice_id == inv.id)
                paid = session.scalars(stmt).all()
                refund = session.query(Refund).filter(Refund.invoice_id == inv.id).first()
                owner = User.query.get(inv.owner_id)
                cur.execute("SELECT name FROM tags WHERE invoice_id = %s", (inv.id,))
                raw = session.execute(text("SELECT 1 FROM notes WHERE invoice_id = :id"), {"id": inv.id})
      `;
      assert.deepStrictEqual(hits('python', src, ID), [
        'session.get(Customer, inv.customer_id)',
        'session.execute(select(Line).where(Line.invoice_id == inv.id))',
        'session.scalars(stmt)',
        'session.query(Refund)',
        'User.query.get(inv.owner_id)',
        'cur.execute("SELECT name FROM tags WHERE invoice_id = %s", (inv.id,))',
        'session.execute(text("SELECT 1 FROM notes WHERE invoice_id = :id"), {"id": inv.id})',
      ]);
    });

    it('flags Django .objects.get/filter, once per chain', () => {
      const src = code`
        def open_orders(request):
            rows = []
            for order in Order.objects.filter(status="open"):
                user = User.objects.get(pk=order.user_id)
                tags = Tag.objects.select_related("group").filter(order=order).get(primary=True)
                rows.append((order, user, tags))
            return rows
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['User.objects.get(pk=order.user_id)', 'Tag.objects.select_related("group").filter(order=order).get(primary=True)']);
    });

    it('points at the loop, names the iterable and the batched form, warns (info at 1k users)', () => {
      const src = code`
        async def f(db, orders):
            for order in orders:
                user = await db.users.find_one({"_id": order["user_id"]})
      `;
      const [f] = findingsOf('python', src, ID);
      assert.strictEqual(
        f.message,
        '`db.users.find_one` runs once per item of `orders`: 1,000 items cost 1,000 database round trips, so the response time and the load on the database grow with the data. Fetch them all with one `$in` query before the loop and look each one up in a dict.',
      );
      assert.deepStrictEqual(
        f.related.map((r) => [src.slice(r.start, r.end).split('\n')[0], r.message]),
        [['for order in orders:', 'loop over `orders`']],
      );
      assert.strictEqual(f.severity, 'warning');
      assert.strictEqual(findingsOf('python', src, ID, config({ targetUsers: '1k' }))[0].severity, 'info');
      const [sa] = findingsOf('python', 'def f(session, items):\n    for it in enumerate(items):\n        session.get(User, it[1].user_id)\n', ID);
      assert.match(sa.message, /per item of `items`.*`select\(Model\)\.where\(Model\.id\.in_\(ids\)\)`/);
      const [dbapi] = findingsOf('python', 'def f(conn, items):\n    for it in items:\n        conn.execute("SELECT * FROM t WHERE id = ?", (it,))\n', ID);
      assert.match(dbapi.message, /`WHERE id = ANY\(\$1\)`, `IN \(\.\.\.\)` or a JOIN\) and look them up in a dict\.$/);
      const [dj] = findingsOf('python', 'def f(items):\n    for it in items:\n        Tag.objects.filter(item=it).first()\n', ID);
      assert.match(dj.message, /`in_bulk\(ids\)`/);
    });

    it('asyncio.gather over a comprehension: the queries are sent all at once', () => {
      const src = code`
        async def owners(db, orders):
            return await asyncio.gather(*[db.users.find_one({"_id": o["owner"]}) for o in orders])
      `;
      const [f] = findingsOf('python', src, ID);
      assert.match(f.message, /^`db\.users\.find_one` runs once per item of `orders`, all at once: 1,000 items send 1,000 queries together/);
      assert.deepStrictEqual(f.related.map((r) => r.message), ['loop over `orders`']);
    });

    it('leaves fixed loops, hoistable queries, writes, batches and look-alike methods alone', () => {
      const src = code`
        async def fine(db, session, cur, df, orders, prices, text, chunks, last, statements):
            for region in ["eu", "us"]:
                await db.stats.find_one({"region": region})
            for i in range(3):
                await db.shards.find_one({"n": i})
            for r in REGIONS:
                await db.stats.find_one({"region": r})
            for r in settings.REGIONS:
                await db.stats.find_one({"region": r})
            kinds = ("a", "b")
            for k in kinds:
                await db.kinds.find_one({"k": k})
            for order in orders:
                currency = await db.settings.find_one({"_id": "currency"})
                price = prices.get(order["sku"])
                pos = text.find(order["ref"])
                soup_item = soup.find("div", order["css"])
                cached = cache.get(order["id"], None)
                page = session.get(order["url"], timeout=5)
                frame = df.query(f"sku == '{order['sku']}'")
                raw = session.query(order["sql"])
                await db.orders.update_one({"_id": order["_id"]}, {"$set": {"seen": True}})
                watchers = await db.users.find({"_id": {"$in": order["watchers"]}}).to_list(50)
                session.execute(update(Order).where(Order.id == order["_id"]).values(seen=True))
                session.execute(text("UPDATE orders SET seen = true WHERE id = :id"), {"id": order["_id"]})
                session.execute(stmt_for(order))
                Order.objects.filter(pk=order["_id"]).update(seen=True)
                tagged = Tag.objects.filter(order_id__in=order["related"])
                session.query(Order).filter(Order.id == order["_id"]).delete()
                rows = session.execute(select(Tag).where(Tag.id.in_(order["tag_ids"])))
                cur.execute("SELECT * FROM t WHERE id = ANY(%s)", (order["ids"],))
                order = normalize(order)
            for q in statements:
                cur.execute(q)
            for chunk in chunks:
                await db.users.find({"_id": {"$in": chunk}}).to_list(500)
            while True:
                page = await db.users.find({"_id": {"$gt": last}}).limit(100).to_list(100)
                if not page:
                    break
                last = page[-1]["_id"]
            users = await db.users.find({"_id": {"$in": [o["user_id"] for o in orders]}}).to_list(None)
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('a loop over a tuple written without parentheses runs a fixed number of times', () => {
      // CPython's test_sqlite3: `for value in 0xd8ff, 0xdcff:` is two iterations, not a data set.
      const src = code`
        def check_surrogates(cur, ids):
            for value in 0xd8ff, 0xdcff:
                cur.execute("select pychr(?)", (value,))
            for region in "eu", "us":
                cur.execute("SELECT count(*) FROM users WHERE region = %s", (region,))
            for i in ids:
                cur.execute("SELECT * FROM users WHERE id = %s", (i,))
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['cur.execute("SELECT * FROM users WHERE id = %s", (i,))']);
    });

    it('an empty list filled before the loop is a data set, not a fixed one', () => {
      const src = code`
        def load_authors(cur, articles):
            ids = []
            for a in articles:
                ids.append(a["author_id"])
            for i in ids:
                cur.execute("SELECT * FROM users WHERE id = %s", (i,))
            kinds = ["a", "b"]
            for k in kinds:
                cur.execute("SELECT count(*) FROM items WHERE kind = %s", (k,))
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['cur.execute("SELECT * FROM users WHERE id = %s", (i,))']);
    });

    it('a loop over tables, collections or models is one query per kind of thing, not per record', () => {
      // Judged on real code: a fixed integration registry, a tuple of export configs, `meta.sorted_tables`,
      // the relationships of a model's keyword arguments.
      const src = code`
        def totals(registry, configs, meta, conn, session, org_ids, relationships, kwargs, cur, tables):
            for model, org_lookup_path, _ in registry.values():
                model.objects.filter(**{f"{org_lookup_path}__in": org_ids}).count()
            for config in configs:
                config.model_class.objects.filter(config.qs_filter)
            for table in meta.sorted_tables:
                conn.execute(table.select())
            for key, val in relationships.items():
                relation_cls = relationships[key].mapper.entity
                stmt = select(relation_cls).filter_by(id=val)
                session.execute(stmt).scalars().one_or_none()
            for name in tables:
                cur.execute(f"SELECT count(*) FROM {name}")
                db[name].find_one({"_id": 1})
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
      // The same shapes over records still report.
      const records = code`
        def per_record(session, relation_cls, elements, cur):
            for elem in elements:
                stmt = select(relation_cls).filter_by(id=elem)
                session.execute(stmt).scalars().one_or_none()
                cur.execute(f"SELECT * FROM users WHERE id = {elem}")
      `;
      assert.deepStrictEqual(hits('python', records, ID), ['session.execute(stmt)', 'cur.execute(f"SELECT * FROM users WHERE id = {elem}")']);
    });

    it('a loop over what one request or one call carries (a payload field, **kwargs, parsed text) is not data-sized', () => {
      // Judged on real code: custom fields of one profile PATCH, the e-mails of one invite request,
      // the requirements of one metadata field.
      const src = code`
        def validate(self, data, attrs, text, **kwargs):
            fields = data.get("fields")
            for f in fields:
                TeamFields.query.filter_by(id=f.get("field_id")).first_or_404()
            for email in attrs.get("emails", []):
                Invite.objects.filter(email=email).exists()
            for requirement in data["is_required_for"]:
                Organisation.objects.get(id=requirement["object_id"])
            for key in kwargs:
                Setting.objects.get(key=key)
            for uid in extract_user_ids(text):
                User.objects.get(pk=uid)
            # Judged on plane: the labels one update adds or drops (a set difference of two payloads).
            requested = extract_ids(data, "label_ids")
            current = extract_ids(attrs, "label_ids")
            for added in requested - current:
                Label.objects.get(pk=added)
            for kept in requested & current:
                Label.objects.get(pk=kept)
            for either in requested | current:
                Label.objects.get(pk=either)
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
      // A difference whose left side is data-sized is data-sized.
      const diff = code`
        def g(text, users):
            for u in set(users) - set(extract_ids(text, "skip")):
                Profile.objects.get(user_id=u)
            for u in extract_ids(text, "ids") | set(users):
                Profile.objects.get(user_id=u)
      `;
      assert.strictEqual(hits('python', diff, ID).length, 2);
      // A mapping's value that a query returned, or a plain parameter, still reports.
      const data = code`
        def f(data, users):
            for u in users:
                Profile.objects.get(user_id=u.id)
            for f in load_fields(data):
                TeamFields.query.filter_by(id=f["id"]).first()
      `;
      assert.deepStrictEqual(hits('python', data, ID), ['Profile.objects.get(user_id=u.id)', 'TeamFields.query.filter_by(id=f["id"])']);
    });

    it('statements that are no reads and locking reads are not a lookup per item', () => {
      const src = code`
        def purge(db, cur, processes, bindings):
            for proc in processes:
                db.session.execute(f"KILL {proc.Id}")
            for b in bindings:
                cur.execute("SELECT creator_id FROM attachment WHERE id = %s FOR UPDATE", (b.id,))
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('a query followed by a return or raise in its block leaves the loop: it runs once', () => {
      const src = code`
        async def first_active(db, ids):
            for i in ids:
                if i.enabled:
                    user = await db.users.find_one({"_id": i.user_id})
                    return user
            for i in ids:
                user = await db.users.find_one({"_id": i.user_id})
                if user:
                    return user
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['db.users.find_one({"_id": i.user_id})']);
    });

    it("the project's own function named like a library's, and a library call that is no query, are not reads", () => {
      const src = code`
        from django.core.cache import cache
        from .repo import find_one
        import app.store as store

        class Repo:
            def get(self, key):
                return self.items[key]

            def load(self, ids):
                for i in ids:
                    self.get(i)
                    cache.get(i)
                    store.execute(i)
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('fix (Motor): one async $in query before the loop, a dict lookup inside it', () => {
      const src = code`
        async def order_summaries(db, orders: list[dict]):
            out = []
            for order in orders:
                user = await db.users.find_one({"_id": order["user_id"]})
                out.append({"order": order["_id"], "user": user["name"] if user else None})
            return out
      `;
      assert.strictEqual(
        applyFix('python', src, ID, 'batch-lookup'),
        code`
          async def order_summaries(db, orders: list[dict]):
              out = []
              users_by_id = {doc["_id"]: doc async for doc in db.users.find({"_id": {"$in": [order["user_id"] for order in orders]}})}
              for order in orders:
                  user = users_by_id.get(order["user_id"])
                  out.append({"order": order["_id"], "user": user["name"] if user else None})
              return out
        `,
      );
    });

    it('fix (PyMongo): a plain comprehension, keeping the projection and the key expression', () => {
      const src = code`
        def names(db, orders_query):
            orders = list(db.orders.find(orders_query).limit(50))
            for order in orders:
                user = db.users.find_one({'_id': ObjectId(order['user_id'])}, {'name': 1})
                print(user['name'])
      `;
      assert.strictEqual(
        applyFix('python', src, ID, 'batch-lookup'),
        code`
          def names(db, orders_query):
              orders = list(db.orders.find(orders_query).limit(50))
              users_by_id = {doc['_id']: doc for doc in db.users.find({'_id': {'$in': [ObjectId(order['user_id']) for order in orders]}}, {'name': 1})}
              for order in orders:
                  user = users_by_id.get(ObjectId(order['user_id']))
                  print(user['name'])
        `,
      );
    });

    it('fix: keyed by another field, with a fresh name when the obvious one is taken', () => {
      const src = code`
        async def f(db, members: list[dict], profiles_by_email):
            orders = await db.orders.find({}).to_list(length=20)
            for member in members:
                profile = await db.profiles.find_one({"email": member["email"]})
      `;
      assert.strictEqual(
        applyFix('python', src, ID, 'batch-lookup'),
        code`
          async def f(db, members: list[dict], profiles_by_email):
              orders = await db.orders.find({}).to_list(length=20)
              profiles_by_email2 = {doc["email"]: doc async for doc in db.profiles.find({"email": {"$in": [member["email"] for member in members]}})}
              for member in members:
                  profile = profiles_by_email2.get(member["email"])
        `,
      );
    });

    it('fix is not offered where it does not fit', () => {
      const cases = [
        // two fields in the filter
        'async def f(db, orders: list):\n    for o in orders:\n        await db.users.find_one({"_id": o["u"], "active": True})\n',
        // the iterable is not a plain name
        'async def f(db):\n    for o in await load_orders():\n        await db.users.find_one({"_id": o["u"]})\n',
        'async def f(db):\n    async for o in db.orders.find({}):\n        await db.users.find_one({"_id": o["u"]})\n',
        // the key comes from a variable of the loop body
        'async def f(db, orders: list):\n    for o in orders:\n        uid = o["u"]\n        await db.users.find_one({"_id": uid})\n',
        // only some items are looked up
        'async def f(db, orders: list):\n    for o in orders:\n        if o.get("u"):\n            await db.users.find_one({"_id": o["u"]})\n',
        // a cursor: building the keys would consume it before the loop
        'def f(db):\n    orders = db.orders.find({})\n    for o in orders:\n        db.users.find_one({"_id": o["u"]})\n',
        // an unknown iterable (no annotation, not assigned a list here)
        'async def f(db, orders):\n    for o in orders:\n        await db.users.find_one({"_id": o["u"]})\n',
        // options that the batch query would drop
        'async def f(db, orders: list, s):\n    for o in orders:\n        await db.users.find_one({"_id": o["u"]}, session=s)\n',
        // a projection that drops the key
        'async def f(db, orders: list):\n    for o in orders:\n        await db.users.find_one({"email": o["e"]}, {"name": 1})\n',
        // counts and SQLAlchemy: explained in the message, no fix
        'async def f(db, orders: list):\n    for o in orders:\n        await db.items.count_documents({"order": o["_id"]})\n',
        'def f(session, orders: list):\n    for o in orders:\n        session.get(User, o.user_id)\n',
      ];
      for (const src of cases) assert.deepStrictEqual(offeredFixes('python', src, ID), [], src);
    });
  });

  describe('go', () => {
    it('flags database/sql, sqlx, gorm and mongo-go queries that use the loop variable', () => {
      const src = code`
        package main

        func (s *Store) summaries(ctx context.Context, orders []Order, ids []string) {
        	for _, o := range orders {
        		var name string
        		s.db.QueryRowContext(ctx, "SELECT name FROM users WHERE id = $1", o.UserID).Scan(&name)
        		rows, _ := s.db.QueryContext(ctx, "SELECT sku FROM order_items WHERE order_id = $1", o.ID)
        		var u User
        		s.rx.GetContext(ctx, &u, "SELECT * FROM users WHERE id = $1", o.UserID)
        		s.gdb.Where("order_id = ?", o.ID).Find(&items)
        		s.gdb.First(&u, o.UserID)
        	}
        	rows, _ := s.db.QueryContext(ctx, "SELECT id FROM users")
        	for rows.Next() {
        		var id int64
        		if err := rows.Scan(&id); err != nil {
        			return
        		}
        		s.db.QueryRowContext(ctx, "SELECT count(*) FROM orders WHERE user_id = $1", id).Scan(&n)
        	}
        	for i := 0; i < len(ids); i++ {
        		s.users.FindOne(ctx, bson.M{"_id": ids[i]}).Decode(&u)
        	}
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), [
        's.db.QueryRowContext(ctx, "SELECT name FROM users WHERE id = $1", o.UserID)',
        's.db.QueryContext(ctx, "SELECT sku FROM order_items WHERE order_id = $1", o.ID)',
        's.rx.GetContext(ctx, &u, "SELECT * FROM users WHERE id = $1", o.UserID)',
        's.gdb.Where("order_id = ?", o.ID).Find(&items)',
        's.gdb.First(&u, o.UserID)',
        's.db.QueryRowContext(ctx, "SELECT count(*) FROM orders WHERE user_id = $1", id)',
        's.users.FindOne(ctx, bson.M{"_id": ids[i]})',
      ]);
      const f = findingsOf('go', src, ID)[5];
      assert.match(f.message, /per item of `rows`.*`WHERE id = ANY\(\$1\)`/);
      assert.deepStrictEqual(offeredFixes('go', src, ID), []);
    });

    it('gorm v1 association loads per item (Related), as in gothinkster/golang-gin-realworld-example-app', () => {
      const src = code`
        package articles

        func FindManyArticle(tx *gorm.DB, models []ArticleModel) {
        	for i, _ := range models {
        		tx.Model(&models[i]).Related(&models[i].Author, "Author")
        		tx.Model(&models[i]).Related(&models[i].Tags, "Tags")
        	}
        	var shared TagModel
        	for i, _ := range models {
        		tx.Model(&shared).Related(&shared.Articles, "Articles")
        		models[i].Title = strings.TrimSpace(models[i].Title)
        	}
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), [
        'tx.Model(&models[i]).Related(&models[i].Author, "Author")',
        'tx.Model(&models[i]).Related(&models[i].Tags, "Tags")',
      ]);
    });

    it('leaves fixed loops, hoistable queries, writes, batches and look-alikes alone', () => {
      const src = code`
        package main

        func (s *Store) fine(ctx context.Context, orders []Order, chunks [][]int64, last int64) {
        	for _, region := range []string{"eu", "us"} {
        		s.db.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE region = $1", region).Scan(&n)
        	}
        	regions := []string{"eu", "us"}
        	for _, region := range regions {
        		s.db.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE region = $1", region).Scan(&n)
        	}
        	for i := 0; i < 3; i++ {
        		s.db.QueryRowContext(ctx, "SELECT $1::int", i).Scan(&n)
        	}
        	for _, o := range orders {
        		s.db.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = 'currency'").Scan(&cur)
        		s.db.QueryRowContext(ctx, "INSERT INTO audit (order_id) VALUES ($1) RETURNING id", o.ID).Scan(&id)
        		s.db.QueryRowContext(ctx, insertAudit, o.ID).Scan(&id)
        		v := cache.Get(o.ID)
        		q := r.URL.Query()
        		page := c.Query(o.Key)
        		hit, _ := rdb.Get(ctx, o.Key).Result()
        		resp, _ := http.Get(o.URL)
        		s.gdb.Model(&o).Update("status", "seen")
        		s.gdb.Select("name").Where("x = ?", 1).Find(&names)
        	}
        	for _, chunk := range chunks {
        		s.db.QueryContext(ctx, "SELECT id FROM users WHERE id = ANY($1)", pq.Array(chunk))
        		s.gdb.Where("id IN ?", chunk).Find(&users)
        	}
        	for {
        		s.db.QueryContext(ctx, "SELECT id FROM jobs WHERE id > $1 ORDER BY id LIMIT 100", last)
        	}
        	for _, q := range checks {
        		s.db.QueryRowContext(ctx, q).Scan(&n)
        	}
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
    });

    it('locking reads in a transaction and loops over tables are not a lookup per item', () => {
      const src = code`
        package main

        func (d *DB) apply(ctx context.Context, tx *sql.Tx, m *Mutation, tables []string) {
        	for _, b := range m.Bindings {
        		tx.QueryRowContext(ctx, "SELECT creator_id, memo_id FROM attachment WHERE id = $1 FOR UPDATE", b.ID).Scan(&c, &id)
        	}
        	for _, t := range tables {
        		d.db.QueryRowContext(ctx, "SELECT count(*) FROM " + t).Scan(&n)
        	}
        	for _, b := range m.Bindings {
        		tx.QueryRowContext(ctx, "SELECT creator_id FROM attachment WHERE id = $1", b.ID).Scan(&c)
        	}
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['tx.QueryRowContext(ctx, "SELECT creator_id FROM attachment WHERE id = $1", b.ID)']);
    });

    it('a query followed by a return in its block leaves the loop: it runs once', () => {
      const src = code`
        package main

        func (d *DB) first(ctx context.Context, ids []int64) (*User, error) {
        	for _, id := range ids {
        		if id > 0 {
        			var u User
        			err := d.db.QueryRowContext(ctx, "SELECT name FROM users WHERE id = $1", id).Scan(&u.Name)
        			return &u, err
        		}
        	}
        	for _, id := range ids {
        		d.db.QueryRowContext(ctx, "SELECT name FROM users WHERE id = $1", id).Scan(&n)
        	}
        	return nil, nil
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['d.db.QueryRowContext(ctx, "SELECT name FROM users WHERE id = $1", id)']);
    });

    it('a goroutine per item is left to unbounded-fan-out', () => {
      const src = code`
        package main

        func (s *Store) warm(ctx context.Context, orders []Order) {
        	for _, o := range orders {
        		go func(id int64) {
        			s.db.QueryRowContext(ctx, "SELECT 1 FROM users WHERE id = $1", id).Scan(&n)
        		}(o.UserID)
        	}
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
    });
  });

  for (const lang of ['typescript', 'javascript'] as const) {
    describe(lang, () => {
      it('flags driver, mongoose, Prisma, TypeORM and pg queries per item, in loops and per-item callbacks', () => {
        const src = code`
          async function summaries(orders, ids) {
            for (const order of orders) {
              const user = await db.collection('users').findOne({ _id: order.userId });
              const n = await Item.countDocuments({ orderId: order.id });
              const owner = await User.findById(order.ownerId).lean();
              const account = await prisma.account.findUnique({ where: { id: order.accountId } });
              const { rows } = await pool.query('SELECT * FROM invoices WHERE order_id = $1', [order.id]);
              const tag = await tags.findOneBy({ orderId: order.id });
              const entity = await em.findOne(Order, { id: order.parentId });
            }
            orders.forEach(async (o) => {
              await prisma.log.findFirst({ where: { orderId: o.id } });
            });
            for (let i = 0; i < ids.length; i++) {
              await Product.findOne({ sku: ids[i] });
            }
            for (const { customerId } of orders) {
              const c = await client.query({ text: 'SELECT * FROM customers WHERE id = $1', values: [customerId] });
              const lines = await Line.findAll({ where: { customerId } });
            }
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), [
          "db.collection('users').findOne({ _id: order.userId })",
          'Item.countDocuments({ orderId: order.id })',
          'User.findById(order.ownerId)',
          'prisma.account.findUnique({ where: { id: order.accountId } })',
          "pool.query('SELECT * FROM invoices WHERE order_id = $1', [order.id])",
          'tags.findOneBy({ orderId: order.id })',
          'em.findOne(Order, { id: order.parentId })',
          'prisma.log.findFirst({ where: { orderId: o.id } })',
          'Product.findOne({ sku: ids[i] })',
          "client.query({ text: 'SELECT * FROM customers WHERE id = $1', values: [customerId] })",
          'Line.findAll({ where: { customerId } })',
        ]);
      });

      it('Promise.all(items.map(async ...)): one query per item, sent all at once', () => {
        const src = code`
          async function owners(orders) {
            return Promise.all(orders.map(async (o) => db.collection('users').findOne({ _id: o.ownerId })));
          }
        `;
        const [f] = findingsOf(lang, src, ID);
        assert.strictEqual(
          f.message,
          "`db.collection('users').findOne` runs once per item of `orders`, all at once: 1,000 items send 1,000 queries together, which queue for the connection pool and load the database in proportion to the data. Fetch them all with one `$in` query before the loop and look each one up in a `Map`.",
        );
        assert.deepStrictEqual(f.related.map((r) => [src.slice(r.start, r.end).slice(0, 11), r.message]), [['orders.map(', 'loop over `orders`']]);
        // Not async, but combined by Promise.all: still all at once. A sequential for...of is not.
        const plain = 'async function f(orders) {\n  await Promise.all(orders.map((o) => Owner.findById(o.ownerId)));\n  for (const o of orders) await Owner.findById(o.ownerId);\n}\n';
        assert.deepStrictEqual(findingsOf(lang, plain, ID).map((x) => /all at once/.test(x.message)), [true, false]);
      });

      it('leaves fixed loops, hoistable queries, writes, batches and array methods alone', () => {
        const src = code`
          async function fine(orders, items) {
            for (const kind of ['a', 'b']) {
              await db.collection('kinds').findOne({ kind });
            }
            for (const r of REGIONS) {
              await Stat.findOne({ region: r });
            }
            for (let i = 0; i < 3; i++) {
              await Shard.findOne({ n: i });
            }
            const kinds = ['x', 'y'];
            kinds.forEach(async (k) => {
              await Kind.findOne({ k });
            });
            for (const order of orders) {
              const currency = await Setting.findOne({ key: 'currency' });
              const item = items.find((i) => i.id === order.itemId);
              await db.collection('orders').updateOne({ _id: order.id }, { $set: { seen: true } });
              await pool.query('UPDATE orders SET seen = true WHERE id = $1', [order.id]);
              await pool.query(insertAudit, [order.id]);
              await User.find({ _id: { $in: order.watchers } });
              await prisma.user.findMany({ where: { id: { in: order.watcherIds } } });
              await pool.query('SELECT * FROM users WHERE id = ANY($1)', [order.watcherIds]);
              await apollo.query({ query: GET_USER, variables: { id: order.userId } });
              const q = req.query;
              const v = params.query(order.key);
              const hit = await redis.get(order.id);
              const resp = await fetch('/api/orders/' + order.id);
            }
            for (const statement of migrations) {
              await pool.query(statement);
            }
            let cursor = null;
            while (true) {
              const page = await Post.find({ _id: { $gt: cursor } }).limit(100);
              if (page.length === 0) break;
              cursor = page[page.length - 1]._id;
            }
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });

      it('a loop over the children one record was read with (include) is one record\'s, not the data set', () => {
        const src = code`
          async function seal(envelopeId) {
            const envelope = await prisma.envelope.findUnique({ where: { id: envelopeId }, include: { items: true } });
            for (const item of envelope.items) {
              await prisma.documentData.findFirst({ where: { id: item.documentDataId } });
            }
            const owner = await prisma.user.findUnique({ where: { id: envelope.userId } });
            for (const team of owner.teams) {
              await prisma.team.findFirst({ where: { id: team.id } });
            }
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ['prisma.team.findFirst({ where: { id: team.id } })']);
      });

      it('a loop over what one document or one request carries (parsed mentions, a payload field) is not data-sized', () => {
        // Judged on real code: the user mentions of one comment, the group mentions of one revision, the
        // document ids of one search filter.
        const src = code`
          import uniq from 'lodash/uniq';
          import { differenceBy } from 'es-toolkit/compat';
          async function notify(comment, filter, body) {
            const mentions = ProsemirrorHelper.parseMentions(comment.data).filter((m) => m.fresh);
            for (const mention of mentions) {
              await User.findByPk(mention.modelId);
            }
            const userIds = mentions.map((m) => m.modelId);
            for (const userId of userIds) {
              await User.findByPk(userId);
            }
            const ids = uniq(collectEqValues(filter, 'documentId'));
            await Promise.all(ids.map(async (id) => Document.findByPk(id)));
            for (const id of body['ids']) {
              await Document.findByPk(id);
            }
            const fresh = [...DocumentHelper.parseMentions(comment.doc)];
            for (const m of differenceBy(fresh, [], 'id')) {
              await User.findByPk(m.modelId);
            }
            await Promise.all(Array.from(new Set(ids)).map((id) => Collection.findByPk(id)));
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
        // Members of a group read from the database still report.
        const members = code`
          async function notifyGroup(group) {
            const users = await GroupUser.findAll({ where: { groupId: group.id } });
            for (const user of users) {
              await User.findByPk(user.userId);
            }
          }
        `;
        assert.deepStrictEqual(hits(lang, members, ID), ['User.findByPk(user.userId)']);
      });

      it("a loop over collections, and the project's own query function, are not a read per item", () => {
        const src = code`
          import * as repo from './repo';
          async function counts(names, orders) {
            for (const name of names) {
              await db.collection(name).findOne({ _id: 1 });
            }
            for (const o of orders) {
              await repo.query(o.id);
            }
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });

      it('a query followed by a return, throw or break that leaves the loop runs once (a first-match search); one that ends an inner loop or a switch does not', () => {
        // Judged on novu: the template of the first variant whose conditions pass.
        const src = code`
          async function firstMatch(db, variants, groups) {
            for (const v of variants) {
              if (!v.active) continue;
              if (v.passed) {
                const t = await db.collection('templates').findOne({ _id: v.templateId });
                if (!t) throw new Error('missing');
                return t;
              }
            }
            for (const v of variants) {
              const t = await db.collection('templates').findOne({ _id: v.templateId });
              if (t) break;
            }
            for (const v of variants) {
              const t = await db.collection('templates').findOne({ _id: v.templateId });
              break;
            }
            for (const o of variants) {
              await Promise.all(o.lines.map(async (l) => {
                const c = await db.collection('customers').findOne({ _id: o.customerId });
                return c;
              }));
            }
            for (const g of groups) {
              for (const m of g.members) {
                await db.collection('users').findOne({ _id: g.ownerId, member: m.userId });
                break;
              }
              switch (g.kind) {
                case 'a':
                  await db.collection('users').findOne({ _id: g.ownerId });
                  break;
              }
            }
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), [
          "db.collection('templates').findOne({ _id: v.templateId })",
          "db.collection('customers').findOne({ _id: o.customerId })",
          "db.collection('users').findOne({ _id: g.ownerId, member: m.userId })",
          "db.collection('users').findOne({ _id: g.ownerId })",
        ]);
      });

      it('a query(...) whose literal argument is not SQL is no database call', () => {
        // npm's arborist: \`tree.inventory.query('packageName', name)\` looks nodes up in memory.
        const src = code`
          async function auditNodes(tree, advisories, pool) {
            for (const name of advisories.keys()) {
              const nodes = tree.inventory.query('packageName', name);
              const deps = tree.inventory.query(\`edges\`, name);
              const { rows } = await pool.query(\`
                SELECT * FROM advisories WHERE name = $1\`, [name]);
            }
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ['pool.query(`\n      SELECT * FROM advisories WHERE name = $1`, [name])']);
      });

      it('fix (driver, for...of): one $in query before the loop, a Map lookup inside it', () => {
        const src = code`
          async function summaries(db, customerId) {
            const orders = await db.collection('orders').find({ customerId }).limit(50).toArray();
            const out = [];
            for (const order of orders) {
              const user = await db.collection('users').findOne({ _id: order.userId });
              out.push({ id: order._id, user: user?.name });
            }
            return out;
          }
        `;
        assert.strictEqual(
          applyFix(lang, src, ID, 'batch-lookup'),
          code`
            async function summaries(db, customerId) {
              const orders = await db.collection('orders').find({ customerId }).limit(50).toArray();
              const out = [];
              const usersById = new Map((await db.collection('users').find({ _id: { $in: orders.map((order) => order.userId) } }).toArray()).map((doc) => [String(doc._id), doc]));
              for (const order of orders) {
                const user = usersById.get(String(order.userId)) ?? null;
                out.push({ id: order._id, user: user?.name });
              }
              return out;
            }
          `,
        );
      });

      it('fix (mongoose, Promise.all + map): the batch goes before the statement, lean() carries over', () => {
        const src = code`
          async function ownerEmails(orders) {
            return Promise.all(orders.map(async (order) => (await User.findById(order.ownerId).lean())?.email))
          }
        `;
        assert.strictEqual(
          applyFix(lang, src, ID, 'batch-lookup'),
          code`
            async function ownerEmails(orders) {
              const userById = new Map((await User.find({ _id: { $in: orders.map((order) => order.ownerId) } }).lean()).map((doc) => [String(doc._id), doc]))
              return Promise.all(orders.map(async (order) => (userById.get(String(order.ownerId)) ?? null)?.email))
            }
          `,
        );
      });

      it('fix: a lookup by another field, parenthesised where `??` needs it', () => {
        const src = code`
          async function notify(members) {
            const list = [...members];
            for (const m of list) {
              const profile = await Profile.findOne({ email: m.email }) || defaults;
              send(profile);
            }
          }
        `;
        assert.strictEqual(
          applyFix(lang, src, ID, 'batch-lookup'),
          code`
            async function notify(members) {
              const list = [...members];
              const profileByEmail = new Map((await Profile.find({ email: { $in: list.map((m) => m.email) } })).map((doc) => [String(doc.email), doc]));
              for (const m of list) {
                const profile = (profileByEmail.get(String(m.email)) ?? null) || defaults;
                send(profile);
              }
            }
          `,
        );
      });

      it('fix is not offered where it does not fit', () => {
        const cases = [
          // two fields
          "async function f(orders) {\n  for (const o of [...orders]) {\n    await db.collection('users').findOne({ _id: o.u, active: true });\n  }\n}\n",
          // TypeORM / Sequelize options, Prisma
          "async function f(orders) {\n  for (const o of [...orders]) {\n    await User.findOne({ where: { id: o.u } });\n  }\n}\n",
          "async function f(orders) {\n  for (const o of [...orders]) {\n    await prisma.user.findUnique({ where: { id: o.u } });\n  }\n}\n",
          "async function f(orders) {\n  for (const o of [...orders]) {\n    await em.findOne(User, { _id: o.u });\n  }\n}\n",
          // the iterable is not a plain name / a cursor
          "async function f() {\n  for (const o of await loadOrders()) {\n    await User.findById(o.u);\n  }\n}\n",
          "async function f() {\n  for await (const o of Order.find().cursor()) {\n    await User.findById(o.u);\n  }\n}\n",
          // an unknown iterable: a parameter (a Map's forEach passes values too)
          "async function f(byId) {\n  byId.forEach(async (o) => {\n    await User.findById(o.u);\n  });\n}\n",
          // a projection the batch would change
          "async function f(orders) {\n  for (const o of [...orders]) {\n    await User.findById(o.u).select('email');\n  }\n}\n",
          // the outer function is not async: no place to await the batch
          'function f(orders) {\n  return Promise.all(orders.map(async (o) => await User.findById(o.u)));\n}\n',
          // conditional lookup
          "async function f(orders) {\n  for (const o of [...orders]) {\n    const u = o.u ? await User.findById(o.u) : null;\n  }\n}\n",
          // a collection handle of unknown kind
          "async function f(orders) {\n  for (const o of [...orders]) {\n    await users.findOne({ _id: o.u });\n  }\n}\n",
        ];
        for (const src of cases) assert.deepStrictEqual(offeredFixes(lang, src, ID), [], src);
      });
    });
  }

  describe('typescript only', () => {
    it('fix: a parameter typed as an array counts as a list; a forEach callback gets the batch before its statement', () => {
      const src = code`
        async function owners(orders: Order[]): Promise<string[]> {
          const names: string[] = [];
          orders.forEach(async (order) => {
            const owner = await db.collection('users').findOne({ _id: order.ownerId });
            names.push(owner!.name);
          });
          return names;
        }
      `;
      assert.strictEqual(
        applyFix('typescript', src, ID, 'batch-lookup'),
        code`
          async function owners(orders: Order[]): Promise<string[]> {
            const names: string[] = [];
            const usersById = new Map((await db.collection('users').find({ _id: { $in: orders.map((order) => order.ownerId) } }).toArray()).map((doc) => [String(doc._id), doc]));
            orders.forEach(async (order) => {
              const owner = usersById.get(String(order.ownerId)) ?? null;
              names.push(owner!.name);
            });
            return names;
          }
        `,
      );
    });
  });
});
