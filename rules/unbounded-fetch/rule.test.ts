import * as assert from 'assert';
import { code, config, findingsOf, hits, offeredFixes, scanTree } from '../../server/test/harness';
import { UnitCache } from '../../server/src/engine/analyzer';
import { analyzeText } from '../../server/src/engine/index';
import { isUnboundedSelect } from './rule';

const ID = 'unbounded-fetch';

describe(ID, () => {
  describe('python', () => {
    it('flags to_list(None) and to_list(length=None) on a find or aggregate chain', () => {
      const src = code`
        async def export(db, tenant):
            a = await db.users.find({}).to_list(None)
            b = await db.orders.find({"tenant": tenant}).sort("_id", -1).to_list(length=None)
            c = await db["events"].find().to_list(None)
            d = await db.orders.aggregate([{"$match": {"tenant": tenant}}, {"$sort": {"at": -1}}]).to_list(None)
            e = await db.users.find({}).limit(0).to_list(None)
            f = await (
                db.users.find({}, {"email": 1})
                .sort("email")
                .to_list(None)
            )
      `;
      assert.deepStrictEqual(hits('python', src, ID), [
        'db.users.find({}).to_list(None)',
        'db.orders.find({"tenant": tenant}).sort("_id", -1).to_list(length=None)',
        'db["events"].find().to_list(None)',
        'db.orders.aggregate([{"$match": {"tenant": tenant}}, {"$sort": {"at": -1}}]).to_list(None)',
        'db.users.find({}).limit(0).to_list(None)',
        'db.users.find({}, {"email": 1})\n        .sort("email")\n        .to_list(None)',
      ]);
    });

    it('flags Beanie queries materialised with a bare to_list()', () => {
      const src = code`
        async def all_users():
            users = await User.find_all().to_list()
            active = await User.find(User.active == True).sort(-User.created).to_list()
            return users, active
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['User.find_all().to_list()', 'User.find(User.active == True).sort(-User.created).to_list()']);
    });

    it('flags a cursor variable filled by an unbounded find in the same function', () => {
      const src = code`
        @app.get("/users")
        async def list_users(db=Depends(get_db)):
            cursor = db.users.find({"active": True}).sort("name")
            users = await cursor.to_list(length=None)
            return users
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['cursor.to_list(length=None)']);
    });

    it('flags an explicit limit=None passed to a data-access call', () => {
      const src = code`
        async def report(repo, search_client, user_id):
            orders = await repo.list_orders(user_id, limit=None)
            hits = search_client.search("shoes", limit=None)
            rows = await crud.get_users(db, skip=0, limit=None)
            items = fetch_all_items(limit=None)
            docs = store.find({"a": 1}, limit=None)
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['limit=None', 'limit=None', 'limit=None', 'limit=None', 'limit=None']);
    });

    it('leaves bounded chains, caps and cursors of unknown origin alone', () => {
      const src = code`
        async def feed(db, limit: int, q, pipeline, cursor_in):
            a = await db.posts.find(q).limit(limit).to_list(None)
            b = await db.posts.find(q).sort("_id", -1).limit(20).to_list(length=None)
            c = await db.posts.find(q, limit=50).to_list(None)
            d = await db.posts.find(q).to_list(100)
            e = await db.posts.find(q).to_list(length=limit)
            f = await db.posts.aggregate(pipeline).to_list(None)
            g = await db.posts.aggregate([{"$match": q}, {"$limit": 10}]).to_list(None)
            h = await db.posts.aggregate([{"$group": {"_id": None, "n": {"$sum": 1}}}]).to_list(None)
            i = await db.posts.aggregate([{"$match": q}, {"$count": "n"}]).to_list(None)
            j = await cursor_in.to_list(None)
            k = await recent_posts(db).to_list(None)
            l = await self.repo.recent().to_list(None)
            m = df["email"].to_list()
            n = series.to_list()
            o = await db.posts.find(q).to_list(*args)
            p = frame["email"].str.find("@").to_list()
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('leaves a cursor variable alone when the function limits it or it holds something else', () => {
      const src = code`
        async def a(db, limit):
            cursor = db.users.find({})
            if limit:
                cursor = cursor.limit(limit)
            return await cursor.to_list(None)

        async def b(db):
            cursor = db.users.find({})
            cursor.limit(10)
            return await cursor.to_list(None)

        async def c(db):
            cursor = db.users.find({}).limit(25)
            return await cursor.to_list(None)

        async def d(db, make_cursor):
            cursor = make_cursor(db)
            return await cursor.to_list(None)
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('does not let a cursor of another function decide', () => {
      const src = code`
        async def a(db):
            cursor = db.users.find({})
            return await cursor.to_list(10)

        async def b(cursor):
            return await cursor.to_list(None)
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('leaves limit=None alone outside data access: defaults, caches, other keywords, variables', () => {
      const src = code`
        import functools, itertools, traceback

        def list_orders(db, limit=None, *, page_size: int = None):
            return db.orders.find({}).limit(limit or 50)

        @functools.lru_cache(maxsize=None)
        def settings():
            return load()

        def misc(task, text, items, limit):
            traceback.print_exc(limit=None)
            task.get_stack(limit=None)
            parts = text.split(",", maxsplit=-1)
            head = list(itertools.islice(items, None))
            rows = repo.list_orders(limit=limit)
            df = frame.fillna(0, limit=None)
            t = list(limit=None)
            s = select(limit=None)
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('says what breaks, at what scale, with warning severity (info at 1k users)', () => {
      const src = 'async def f(db):\n    return await db.users.find({}).to_list(None)\n';
      const [f] = findingsOf('python', src, ID);
      assert.strictEqual(
        f.message,
        '`to_list(None)` loads the whole collection into memory at once, with no limit, and the result grows with the data: ' +
          'at 100k users (a few hundred thousand documents) that is hundreds of MB on every call, until the process runs out of memory ' +
          'or the request times out. Page it (`.limit(n)` with a range on `_id`) or stream it with `async for`.',
      );
      assert.strictEqual(f.severity, 'warning');
      assert.strictEqual(findingsOf('python', src, ID, config({ targetUsers: '1k' }))[0].severity, 'info');
      const [g] = findingsOf('python', 'rows = repo.list_orders(uid, limit=None)\n', ID);
      assert.match(g.message, /^`list_orders\(limit=None\)` loads every record the call returns into memory/);
    });

    it('keeps judging a cursor variable by its own function across edits (unit cache)', () => {
      const cache = new UnitCache();
      const cfg = config();
      const fn = 'async def users(db):\n    cursor = db.users.find({})\n    return await cursor.to_list(None)\n';
      const ranges = (text: string) =>
        analyzeText(text, 'python', cfg, cache).findings.filter((f) => f.ruleId === ID).map((f) => text.slice(f.start, f.end));
      assert.deepStrictEqual(ranges(`import x\n\n${fn}`), ['cursor.to_list(None)']);
      // Another unit changes: this one is reused from the cache, shifted, and still judged the same.
      assert.deepStrictEqual(ranges(`import x, y\n\nN = 1\n\n${fn}`), ['cursor.to_list(None)']);
      // Its own function limits the cursor: the finding goes.
      assert.deepStrictEqual(ranges(`import x, y\n\nN = 1\n\n${fn.replace('    return', '    cursor.limit(N)\n    return')}`), []);
      assert.ok(cache.hits > 0);
    });

    it('offers no fix of its own (only the ignore comment)', () => {
      assert.deepStrictEqual(offeredFixes('python', 'async def f(db):\n    return await db.users.find({}).to_list(None)\n', ID), []);
    });
  });

  describe('go', () => {
    it('flags a SELECT with no WHERE and no LIMIT passed to a query call in a handler', () => {
      const src = code`
        package api

        func (h *Handler) ListUsers(w http.ResponseWriter, r *http.Request) {
        	rows, err := h.db.QueryContext(r.Context(), \`SELECT id, email, name FROM users ORDER BY id\`)
        	_ = rows
        	_ = err
        	var orders []Order
        	h.dbx.SelectContext(r.Context(), &orders, "select * from orders o join users u on u.id = o.user_id")
        	h.gorm.Raw("SELECT * FROM products").Scan(&products)
        	db.Query("SELECT id, name " +
        		"FROM teams")
        }

        func listOrders(c *gin.Context) {
        	rows, _ := db.Query("SELECT id,\\ntotal\\nFROM orders")
        	_ = rows
        	db.Query("SELECT 'where' AS kind, id FROM places")
        }

        func Routes(db *sql.DB) http.HandlerFunc {
        	return func(w http.ResponseWriter, r *http.Request) {
        		rows, _ := db.Query("SELECT status, count(*) FROM orders GROUP BY status")
        		_ = rows
        	}
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), [
        '`SELECT id, email, name FROM users ORDER BY id`',
        '"select * from orders o join users u on u.id = o.user_id"',
        '"SELECT * FROM products"',
        '"SELECT id, name " +\n\t\t"FROM teams"',
        '"SELECT id,\\ntotal\\nFROM orders"',
        '"SELECT \'where\' AS kind, id FROM places"',
        '"SELECT status, count(*) FROM orders GROUP BY status"',
      ]);
    });

    it('flags a SQL variable of the handler passed unchanged to a query call', () => {
      const src = code`
        package api

        func listUsers(w http.ResponseWriter, r *http.Request) {
        	query := \`
        		SELECT id, email
        		FROM users
        		ORDER BY created_at DESC\`
        	rows, err := db.QueryContext(r.Context(), query)
        	_, _ = rows, err
        	const q2 = "SELECT * FROM audit_log"
        	db.Query(q2)
        	var q3 string = "SELECT id FROM teams"
        	sqlx.Select(db, &teams, q3)
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), [
        '`\n\t\tSELECT id, email\n\t\tFROM users\n\t\tORDER BY created_at DESC`',
        '"SELECT * FROM audit_log"',
        '"SELECT id FROM teams"',
      ]);
    });

    it('leaves bounded, single-row and non-fetch queries alone', () => {
      const src = code`
        package api

        func handler(w http.ResponseWriter, r *http.Request) {
        	db.Query("SELECT id FROM users WHERE tenant_id = $1", tenant)
        	db.Query("SELECT id FROM users ORDER BY id LIMIT 50")
        	db.Query("SELECT id FROM users ORDER BY id limit $1", n)
        	db.Query("SELECT id FROM users ORDER BY id FETCH FIRST 10 ROWS ONLY")
        	db.Query("SELECT TOP 10 id FROM users")
        	db.QueryRowContext(ctx, "SELECT count(*) FROM users")
        	db.Query("SELECT count(*) FROM users")
        	db.Query("SELECT max(created_at), min(created_at) FROM orders")
        	db.Query("SELECT now()")
        	db.Query("SELECT 1")
        	db.Query("SELECT EXISTS(SELECT 1 FROM users)")
        	db.Query("SELECT * FROM unnest($1::int[])", ids)
        	db.QueryRow("SELECT id FROM users")
        	db.Exec("DELETE FROM sessions")
        	db.Exec("SELECT pg_notify('x', 'y')")
        	db.Query("INSERT INTO t SELECT * FROM s")
        	db.Query("SELECT * FROM users " + where, args...)
        	db.Query(fmt.Sprintf("SELECT * FROM %s", table))
        	db.Query("SELECT id FROM users -- no where\\nWHERE id = $1", id)
        	g.Select("id, name").Find(&users)
        	query := "SELECT id FROM users"
        	if onlyActive {
        		query += " WHERE active"
        	}
        	db.Query(query)
        	unused := "SELECT id FROM teams"
        	log.Println(unused)
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
    });

    it('leaves queries outside a request handler alone (jobs, repositories, package-level SQL)', () => {
      const src = code`
        package store

        const allUsers = "SELECT id FROM users"

        func (s *Store) AllUsers(ctx context.Context) (*sql.Rows, error) {
        	return s.db.QueryContext(ctx, "SELECT id FROM users")
        }

        func nightlyExport(db *sql.DB) {
        	db.Query("SELECT * FROM orders")
        }

        func handler(w http.ResponseWriter, r *http.Request) {
        	db.Query(allUsers)
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
    });

    it('says what breaks', () => {
      const src = 'package a\nfunc h(c echo.Context) error { db.Query("SELECT * FROM users"); return nil }\n';
      const [f] = findingsOf('go', src, ID);
      assert.match(f.message, /^`SELECT \* FROM users` loads the whole table into memory at once, with no limit/);
      assert.match(f.message, /hundreds of MB on every call/);
      assert.strictEqual(f.severity, 'warning');
    });

    it('reads SQL text the way the database does', () => {
      assert.strictEqual(isUnboundedSelect('  select id from users'), true);
      assert.strictEqual(isUnboundedSelect('SELECT DISTINCT country FROM users'), true);
      assert.strictEqual(isUnboundedSelect('SELECT json_agg(u) FROM users u'), true);
      assert.strictEqual(isUnboundedSelect('SELECT id, count(*) OVER () FROM users'), true);
      assert.strictEqual(isUnboundedSelect('/* list */ SELECT id FROM users'), true);
      assert.strictEqual(isUnboundedSelect('SELECT id FROM somewhere_table'), true);
      assert.strictEqual(isUnboundedSelect('SELECT id, (SELECT count(*) FROM orders o WHERE o.uid = u.id) FROM users u'), false);
      assert.strictEqual(isUnboundedSelect('SELECT sum(total) FROM orders'), false);
      assert.strictEqual(isUnboundedSelect('SELECT * FROM (SELECT id FROM users) t'), false);
      assert.strictEqual(isUnboundedSelect('WITH t AS (SELECT 1) SELECT * FROM t'), false);
      assert.strictEqual(isUnboundedSelect('UPDATE users SET a = 1'), false);
    });
  });

  for (const lang of ['typescript', 'javascript'] as const) {
    /** Prisma reads are judged with the workspace's schema: the code of the findings of a one-file workspace (no schema: every read is judged as it reads). */
    const scanned = async (src: string, files: Record<string, string> = {}): Promise<string[]> => {
      const result = await scanTree({ [`src/a.${lang === 'typescript' ? 'ts' : 'js'}`]: src, ...files });
      const lines = src.split('\n');
      const offset = (line: number, column: number) => lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
      return result.files.filter((f) => f.path.startsWith('src/a.')).flatMap((f) => f.findings.filter((x) => x.ruleId === ID).map((x) => src.slice(offset(x.line, x.column), offset(x.endLine, x.endColumn))));
    };
    describe(lang, () => {
      it('flags find({}) / find() materialised with toArray and no limit', () => {
        const src = code`
          app.get('/users', async (req, res) => {
            const a = await db.collection('users').find({}).toArray();
            const b = await users.find().sort({ name: 1 }).toArray();
            const c = await users.find({}, { projection: { email: 1 } }).toArray();
            const d = await users.find({}).limit(0).toArray();
            res.json({ a, b, c, d });
          });
        `;
        assert.deepStrictEqual(hits(lang, src, ID), [
          "db.collection('users').find({}).toArray()",
          'users.find().sort({ name: 1 }).toArray()',
          'users.find({}, { projection: { email: 1 } }).toArray()',
          'users.find({}).limit(0).toArray()',
        ]);
      });

      it('flags a find({}) cursor variable materialised in the same function', () => {
        const src = code`
          async function exportAll(db) {
            const cursor = db.collection('orders').find({});
            return cursor.toArray();
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ['cursor.toArray()']);
      });

      it('flags mongoose and TypeORM finds that resolve to the whole collection', () => {
        const src = code`
          async function all() {
            const a = await User.find();
            const b = await User.find({}).sort({ createdAt: -1 }).lean();
            const c = await User.find({}).exec();
            const d = await this.userRepository.find();
            return [a, b, c, d];
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ['User.find()', 'User.find({}).sort({ createdAt: -1 }).lean()', 'User.find({}).exec()', 'this.userRepository.find()']);
      });

      it('flags TypeORM find/findAndCount with options but no take, judged like Prisma; not an array find, a page, a key or options built elsewhere', async () => {
        const src = code`
          class UsersService {
            constructor(private readonly usersRepository: Repository<User>) {}
            async lists(teamId: string, opts: FindManyOptions<User>, list: User[], skip: number) {
              const a = await this.usersRepository.find({ order: { createdAt: 'DESC' } });
              const b = await this.usersRepository.findAndCount({ where: { status: 'active' }, relations: ['team'] });
              const c = await this.usersRepository.find({ where: { teamId } });
              const d = await this.usersRepository.find({ order: { id: 'ASC' }, take: 50, skip });
              const e = await this.usersRepository.find(opts);
              const f = list.find((u) => u.teamId === teamId);
              const g = await this.dataSource.getRepository(User).find({ order: { id: 'ASC' } });
              return [a, b, c, d, e, f, g];
            }
          }
        `;
        // The entity is named (`Repository<User>`, `getRepository(User)`) and the workspace declares none: judged as it reads.
        assert.deepStrictEqual(await scanned(src), [
          "this.usersRepository.find({ order: { createdAt: 'DESC' } })",
          "this.usersRepository.findAndCount({ where: { status: 'active' }, relations: ['team'] })",
          "this.dataSource.getRepository(User).find({ order: { id: 'ASC' } })",
        ]);
        assert.deepStrictEqual(hits(lang, src, ID), [], 'a named entity waits for the workspace, as a Prisma model does');
        assert.match(findingsOf(lang, src.replace(/Repository<User>/, 'Repository<any>'), ID)[0].message, /`find\(\{ order \}\)` loads the whole table.*Add `take` \(with `skip`\)/);
      });

      it('TypeORM: with the entities, reads of an entity that is the users table, references one that grows, or is a log; not a settings table', async () => {
        const entities = code`
          import { Entity, Column, ManyToOne, OneToMany, OneToOne } from 'typeorm';
          @Entity()
          export class Customer { @Column() email: string; @OneToMany(() => Order, (o) => o.customer) orders: Order[]; }
          @Entity()
          export class Order { @ManyToOne(() => Customer, (c) => c.orders) customer: Customer; }
          @Entity()
          export class Payment { @ManyToOne(type => Order) order: Order; }
          @Entity()
          export class PaymentMethod { @Column() code: string; @OneToMany(() => Payment, (p) => p.method) payments: Payment[]; }
          @Entity({ schema: 'audit' })
          export class AuditEntry { @Column() actorId: string; }
        `;
        const src = code`
          import { DataSource, Repository } from 'typeorm';
          import { Customer, Order, Payment, PaymentMethod, AuditEntry } from './entities';
          const ds = new DataSource({ type: 'postgres' });
          class Svc {
            constructor(private readonly methods: Repository<PaymentMethod>, private readonly customers: Repository<Customer>) {}
            async reads() {
              const a = await this.methods.find({ order: { code: 'ASC' } });
              const b = await this.customers.find({ order: { email: 'ASC' } });
              const c = await ds.getRepository(Payment).find();
              const d = await ds.manager.find(PaymentMethod);
              const e = await ds.manager.find(AuditEntry);
              const f = await ds.getRepository(Invoice).find();
              return [a, b, c, d, e, f];
            }
          }
        `;
        const ext = lang === 'typescript' ? 'ts' : 'js';
        assert.deepStrictEqual(await scanned(src, { [`src/entities.${ext}`]: entities }), [
          "this.customers.find({ order: { email: 'ASC' } })",
          'ds.getRepository(Payment).find()',
          'ds.manager.find(AuditEntry)',
          'ds.getRepository(Invoice).find()',
        ]);
        const found = (await scanTree({ [`src/a.${ext}`]: src, [`src/entities.${ext}`]: entities })).files.find((f) => f.path === `src/a.${ext}`)!.findings.filter((x) => x.ruleId === ID);
        assert.match(found[0].message, /`Customer` is the users table/);
        assert.match(found[1].message, /`Payment` references `Order` \(`order`\), which grows with the users/);
        assert.match(found[2].message, /`AuditEntry` is a log/);
        assert.doesNotMatch(found[3].message, /references|users table/);
      });

      it('TypeORM: a repository handed out by getRepository, also a project wrapper of that name, and the entity manager naming the entity first', async () => {
        const src = code`
          import { getRepository, DataSource } from 'typeorm';
          const dataSource = new DataSource({ type: 'postgres' });
          async function lists(ctx, teamId: string, orderId: string) {
            const a = await getRepository(User).find();
            const b = await this.connection.getRepository(ctx, Order).find();
            const c = await dataSource.manager.find(User);
            const d = await dataSource.manager.find(User, { where: { status: 'active' } });
            const e = await dataSource.manager.find(User, { where: { teamId } });
            const f = await dataSource.manager.find(User, { take: 20 });
            const g = await getRepository(User).find({ take: 20 });
            const h = await this.users.scoped(teamId).find();
            const i = await this.connection.getRepository(ctx, Order).find({ where: { status: 'open' } });
            const j = await this.connection.getRepository(ctx, Payment).find({ where: { order: { id: orderId } as any } });
            return [a, b, c, d, e, f, g, h, i, j];
          }
        `;
        assert.deepStrictEqual(await scanned(src), [
          'getRepository(User).find()',
          'this.connection.getRepository(ctx, Order).find()',
          'dataSource.manager.find(User)',
          "dataSource.manager.find(User, { where: { status: 'active' } })",
          "this.connection.getRepository(ctx, Order).find({ where: { status: 'open' } })",
        ]);
        const found = (await scanTree({ [`src/a.${lang === 'typescript' ? 'ts' : 'js'}`]: src })).files[0].findings.filter((x) => x.ruleId === ID);
        assert.match(found[4].message, /Add `take` \(with `skip`\)/);
        assert.match(found[0].message, /`getRepository\(…\)\.find\(\)` loads the whole table/);
        assert.match(found[2].message, /`find\(User\)` loads the whole table.*Add `take`/);
        assert.doesNotMatch(found.map((f) => f.message).join('\n'), /collection|documents|_id/);
      });

      it('Supabase builders and TypeORM query builders: a whole table or a filter that pins no key; not a limit, a range, one row, a key, a batch, or a builder handed in', () => {
        const src = code`
          import { createClient } from '@supabase/supabase-js';
          import { DataSource, SelectQueryBuilder } from 'typeorm';
          const supabase = createClient(process.env.URL, process.env.KEY);
          const ds = new DataSource({ type: 'postgres' });
          async function reads(userId, ids, qb: SelectQueryBuilder<Order>) {
            const a = await supabase.from('orders').select('*');
            const b = await supabase.from('orders').select('id, total').eq('status', 'open');
            const c = await supabase.from('orders').select('*').eq('user_id', userId);
            const d = await supabase.from('orders').select('*').range(0, 49);
            const e = await supabase.from('orders').select('*').in('id', ids);
            const f = await supabase.from('profiles').select('*').eq('id', userId).single();
            const g = await supabase.from('orders').insert({ userId });
            const h = await ds.getRepository(Order).createQueryBuilder('o').where('o.status = :s', { s: 'open' }).getMany();
            const i = await ds.createQueryBuilder(Order, 'o').getMany();
            const j = await ds.getRepository(Order).createQueryBuilder('o').where('o.userId = :userId', { userId }).getMany();
            const k = await ds.getRepository(Order).createQueryBuilder('o').where('o.id IN (:...ids)', { ids }).getMany();
            const l = await ds.getRepository(Order).createQueryBuilder('o').take(20).getMany();
            const m = await ds.getRepository(Order).createQueryBuilder('o').select('o.status').addSelect('COUNT(*)').groupBy('o.status').getRawMany();
            const n = await qb.getMany();
            return [a, b, c, d, e, f, g, h, i, j, k, l, m, n];
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), [
          "supabase.from('orders').select('*')",
          "supabase.from('orders').select('id, total').eq('status', 'open')",
          "ds.getRepository(Order).createQueryBuilder('o').where('o.status = :s', { s: 'open' }).getMany()",
          "ds.createQueryBuilder(Order, 'o').getMany()",
        ]);
      });

      it("a client the project exports (`import { supabase } from './db'`) is the library's when the file's package depends on it; not otherwise", async () => {
        const ext = lang === 'typescript' ? 'ts' : 'js';
        const route = code`
          import { supabase } from './db';
          export async function openTickets() {
            const { data } = await supabase.from('tickets').select('*').eq('status', 'open');
            return data;
          }
        `;
        const db = "import { createClient } from '@supabase/supabase-js';\nexport const supabase = createClient(process.env.URL, process.env.KEY);\n";
        const tree = (deps: Record<string, string>) => ({ 'package.json': JSON.stringify({ name: 'api', dependencies: deps }), [`src/db.${ext}`]: db, [`src/a.${ext}`]: route });
        const found = async (deps: Record<string, string>) => (await scanTree(tree(deps))).files.filter((f) => f.path === `src/a.${ext}`).flatMap((f) => f.findings.filter((x) => x.ruleId === ID).map((x) => x.line));
        assert.deepStrictEqual(await found({ '@supabase/supabase-js': '2' }), [3]);
        // A package that does not depend on supabase-js: its `supabase` is something else.
        assert.deepStrictEqual(await found({ express: '4' }), []);
      });

      it('a raw SELECT with no WHERE and no LIMIT through node-postgres or mysql2, in a request handler; not a bounded statement, another statement, another API\'s query() or code outside handlers', () => {
        const src = code`
          import express from 'express';
          import { Pool } from 'pg';
          import mysql from 'mysql2/promise';
          const pool = new Pool({ max: 10 });
          const app = express();
          app.get('/users', async (req, res) => {
            const a = await pool.query('SELECT id, email FROM users');
            const conn = await mysql.createConnection({});
            const [b] = await conn.query(\`SELECT * FROM orders ORDER BY id\`);
            const c = await pool.query('SELECT * FROM users WHERE team_id = $1', [req.query.team]);
            const d = await pool.query('SELECT * FROM users LIMIT 50');
            const e = await pool.query('SELECT count(*) FROM users');
            const f = await pool.query('DELETE FROM sessions');
            const g = await apollo.query({ query: USERS });
            res.json([a, b, c, d, e, f, g]);
          });
          export async function nightly() {
            return pool.query('SELECT id FROM users');
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ["'SELECT id, email FROM users'", '`SELECT * FROM orders ORDER BY id`']);
        assert.match(findingsOf(lang, src, ID)[0].message, /`SELECT id, email FROM users` loads the whole table.*`LIMIT`/);
      });

      it('Knex and Drizzle builders run by await: a whole table or a filter that pins no key; not a limit, one row, a count, a write, a key, a batch or a builder it cannot follow', () => {
        const src = code`
          import knexFactory, { Knex } from 'knex';
          import { drizzle } from 'drizzle-orm/node-postgres';
          import { eq, and, inArray } from 'drizzle-orm';
          const knex = knexFactory({ client: 'pg' });
          const db = drizzle(process.env.DATABASE_URL);
          async function reads(userId, ids, status, trx, noteId) {
            const a = await knex('users').select('*');
            const b = await knex.select('id').from('orders').where({ status: 'open' });
            const c = await db.select().from(users);
            const d = await db.select().from(orders).where(eq(orders.status, status));
            const e = await knex('users').select('*').limit(50);
            const f = await knex('users').where({ id: userId }).first();
            const g = await knex('orders').where('user_id', userId);
            const h = await knex('orders').where(\`\${Orders}.\${Field.userId}\`, userId).select();
            const i = await knex('orders').whereIn('id', ids);
            const j = await knex('orders').count('id');
            const k = await knex('orders').insert({ userId });
            const l = await db.select().from(orders).where(and(eq(orders.userId, userId), eq(orders.status, status)));
            const m = await db.select().from(orders).where(inArray(orders.id, ids));
            const n = await db.select().from(users).limit(10);
            const o = await db.select({ n: count() }).from(orders).groupBy(orders.status);
            const p = await knex('orders').where(filters);
            const q = await knex('orders').modify(applyScope);
            const actor: Knex = trx ? trx : knex;
            const r = await actor(Tables.alias).select(Field.alias).where(Field.noteId, noteId);
            return [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r];
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), [
          "knex('users').select('*')",
          "knex.select('id').from('orders').where({ status: 'open' })",
          'db.select().from(users)',
          'db.select().from(orders).where(eq(orders.status, status))',
        ]);
        const found = findingsOf(lang, src, ID);
        assert.match(found[0].message, /loads the whole table.*Add `\.limit\(n\)`/);
        assert.match(found[1].message, /every row the filter matches/);
      });

      it('flags Prisma findMany without take', async () => {
        const src = code`
          async function list(userId) {
            const a = await prisma.user.findMany();
            const b = await prisma.order.findMany({ where: { status: 'open' }, orderBy: { createdAt: 'desc' } });
            const c = await prisma.post.findMany({ include: { author: true } });
            const d = await db.query.users.findMany({ with: { posts: true } });
            const e = await prisma.post.findMany({ take: undefined });
            return [a, b, c, d, e];
          }
        `;
        // Drizzle's read is judged in the file; Prisma's with the workspace (here without a schema).
        assert.deepStrictEqual(hits(lang, src, ID), ['db.query.users.findMany({ with: { posts: true } })']);
        assert.deepStrictEqual(await scanned(src), [
          'prisma.user.findMany()',
          "prisma.order.findMany({ where: { status: 'open' }, orderBy: { createdAt: 'desc' } })",
          'prisma.post.findMany({ include: { author: true } })',
          'db.query.users.findMany({ with: { posts: true } })',
          'prisma.post.findMany({ take: undefined })',
        ]);
      });

      it('Prisma: with the schema, reads of a model that is the users table or references one that grows; not a settings table', async () => {
        const schema = code`
          // The shop's tables.
          model User {
            id     Int     @id @default(autoincrement())
            email  String  @unique
            orders Order[]
          }

          model Order {
            id     Int    @id
            userId Int
            user   User   @relation(fields: [userId], references: [id])
            lines  Line[]
            @@map("orders")
          }

          model Line {
            id      Int   @id
            orderId Int
            order   Order @relation(fields: [orderId], references: [id], onDelete: Cascade)
          }

          model InfraConfig {
            id    String @id
            name  String @unique
            value String
          }
        `;
        const src = code`
          async function reads() {
            const a = await prisma.infraConfig.findMany();
            const b = await prisma.line.findMany({ orderBy: { id: 'asc' } });
            const c = await prisma.user.findMany({ select: { email: true } });
            const d = await prisma.auditLog.findMany();
            return [a, b, c, d];
          }
        `;
        const files = { 'prisma/schema.prisma': schema };
        assert.deepStrictEqual(await scanned(src, files), [
          "prisma.line.findMany({ orderBy: { id: 'asc' } })",
          'prisma.user.findMany({ select: { email: true } })',
          'prisma.auditLog.findMany()',
        ]);
        const found = (await scanTree({ 'src/a.ts': src, ...files })).files.find((f) => f.path === 'src/a.ts')!.findings.filter((x) => x.ruleId === ID);
        assert.match(found[0].message, /`Line` references `Order` \(`order`\), which grows with the users\. Add `take`/);
        assert.deepStrictEqual(found[0].related.map((r) => `${r.path}:${r.line}`), ['prisma/schema.prisma:16']);
        assert.match(found[1].message, /`User` is the users table/);
        // A model the schema does not have is judged as it reads, without a reason.
        assert.doesNotMatch(found[2].message, /references|users table/);
      });

      it('a filter that pins a key reads the rows of one parent or of a list of keys: no finding (Prisma)', async () => {
        // Judged on real code: a user's websites, a team's environments, the siblings under one parent,
        // users by a list of ids, config rows by a list of names: bounded by the parent or the caller.
        const src = code`
          async function perParent(userId, teamID, parentID, userUIDs, names, websiteIds) {
            const a = await prisma.website.findMany({ where: { userId } });
            const b = await prisma.teamEnvironment.findMany({ where: { teamID: teamID } });
            const c = await tx.teamCollection.findMany({ where: { teamID, parentID }, select: { id: true } });
            const d = await prisma.user.findMany({ where: { uid: { in: userUIDs } } });
            const e = await prisma.infraConfig.findMany({ where: { name: { in: names } } });
            const f = await prisma.team.findMany({ where: { deletedAt: null, members: { some: { userId } } } });
            const g = await prisma.share.findMany({ where: { entityId: { in: websiteIds } }, distinct: ['entityId'] });
          }
        `;
        assert.deepStrictEqual(await scanned(src), []);
        // Judged on documenso: a to-one relation's own filter, a relation filter a helper builds from
        // keys, a filter spread in from elsewhere, a secret link's token: the rows of one parent.
        const nested = code`
          async function throughRelations(userId, teamId, token, recipientId, whereClause) {
            const a = await prisma.organisationEmail.findMany({ where: { organisation: { members: { some: { userId } } } } });
            const b = await prisma.webhook.findMany({ where: { enabled: true, team: buildTeamWhereQuery({ teamId, userId }) } });
            const c = await prisma.folder.findMany({ where: { ...whereClause, pinned: true } });
            const d = await prisma.field.findMany({ where: { envelope: { recipients: { some: { token } } }, inserted: true } });
            const e = await prisma.signature.findMany({ where: { field: { recipientId } } });
          }
        `;
        assert.deepStrictEqual(await scanned(nested), []);
        // A relation filter on a non-key, or a helper given no key, still pins nothing.
        const loose = code`
          async function notPinned(plan) {
            const a = await prisma.organisation.findMany({ where: { organisationClaim: { memberCount: { not: 0 } } } });
            const b = await prisma.webhook.findMany({ where: { team: buildTeamWhereQuery({ plan }) } });
          }
        `;
        assert.strictEqual((await scanned(loose)).length, 2);
        // Look-alikes that pin nothing: a literal key, a literal list of values, a non-key field.
        const open = code`
          async function everything() {
            const a = await prisma.user.findMany({ where: { id: 0 } });
            const b = await prisma.order.findMany({ where: { status: { in: ['open', 'paid'] } } });
            const c = await prisma.user.findMany({ where: { isAdmin: true } });
          }
        `;
        assert.strictEqual((await scanned(open)).length, 3);
      });

      it('Sequelize findAll: flags a whole table or a filter that pins nothing; a key, a list of keys, an inner join on a key, a scope or a filter built elsewhere is not', () => {
        const src = code`
          import { Op, Sequelize } from 'sequelize';
          async function sweep(user, document, ids, groupId, filters, stars) {
            const a = await User.findAll();
            const b = await Document.findAll({ where: { publishedAt: { [Op.ne]: null } }, order: [['updatedAt', 'DESC']] });
            const c = await Team.findAll({ include: [{ model: User, required: false, where: { email: user.email } }] });

            const d = await Document.findAll({ where: { teamId: user.teamId } });
            const e = await Document.findAll({ where: { id: { [Op.in]: ids } } });
            const f = await GroupMembership.findAll({ where: { documentId: document.id, ...(groupId ? { groupId } : {}) } });
            const g = await Comment.findAll({ where: { [Op.or]: [{ id: document.commentId }, { parentCommentId: document.commentId }] } });
            const h = await Document.findAll({ where: document.archived ? { parentDocumentId: document.id } : { parentDocumentId: document.id, archivedAt: null } });
            const i = await Team.findAll({ include: [{ model: User, where: { email: user.email } }] });
            const j = await Document.findAll({ where: { id: stars.map((s) => s.documentId) as string[] } });
            const k = await User.scope('invited').findAll({ attributes: ['id'] });
            const l = await UserMembership.findAll({ where: filters });
            const m = await Integration.findAll({ where: { service: 'gitlab', [Op.and]: Sequelize.where(Sequelize.literal('"sources" @> :p'), Op.eq, true) } });
            const n = await Document.findAll({ where: { publishedAt: { [Op.ne]: null } }, limit: 25 });
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), [
          'User.findAll()',
          "Document.findAll({ where: { publishedAt: { [Op.ne]: null } }, order: [['updatedAt', 'DESC']] })",
          'Team.findAll({ include: [{ model: User, required: false, where: { email: user.email } }] })',
        ]);
      });

      it('leaves bounded, filtered and unknown queries alone', () => {
        const src = code`
          async function feed(req, filter, args, opts) {
            const a = await posts.find({}).limit(20).toArray();
            const b = await posts.find({}).sort({ _id: -1 }).limit(req.query.limit).toArray();
            const c = await posts.find({ authorId: req.user.id }).toArray();
            const d = await posts.find(filter).toArray();
            const e = await posts.find({}, { limit: 50 }).toArray();
            const f = await posts.find({}, opts).toArray();
            const g = await posts.aggregate([{ $match: {} }]).toArray();
            const h = await prisma.post.findMany({ take: 20 });
            const i = await prisma.post.findMany({ where: { published: true }, take: limit, skip });
            const j = await prisma.post.findMany(args);
            const k = await prisma.post.findMany({ ...args, where: { published: true } });
            const l = await prisma.post.findMany({ where: { id: { in: ids } } });
            const m = await prisma.post.findFirst();
            const n = await prisma.post.findUnique({ where: { id } });
            const o = await prisma.post.count();
            const p = await prisma.post.aggregate({ _sum: { views: true } });
            const q = await db.query.posts.findMany({ limit: 10 });
            const r = items.find((x) => x.id === id);
            const s = /x/.exec(text);
            const t = await User.find({ email }).lean();
            const u = await User.find({}).limit(10).lean().exec();
            const v = await stream.toArray();
            const w = await User.find({}, null, { limit: 5 });
            return [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w];
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });

      it('leaves a cursor variable alone when limited, filtered or of unknown origin', () => {
        const src = code`
          async function a(coll, limit) {
            let cursor = coll.find({});
            if (limit) cursor = cursor.limit(limit);
            return cursor.toArray();
          }
          async function b(coll) {
            const cursor = coll.find({});
            cursor.limit(100);
            return cursor.toArray();
          }
          async function c(coll, q) {
            const cursor = coll.find({ q });
            return cursor.toArray();
          }
          async function d(cursor) {
            return cursor.toArray();
          }
          async function e(coll) {
            const cursor = coll.find({});
            for await (const doc of cursor) process(doc);
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });

      it('says what breaks, for Prisma and for the driver', async () => {
        const [f] = (await scanTree({ 'src/a.ts': 'const rows = await prisma.order.findMany({ where: { status } });\n' })).files[0].findings.filter((x) => x.ruleId === ID);
        assert.strictEqual(
          f.message,
          '`findMany({ where })` loads every row the filter matches into memory at once, with no limit, and the result grows with the data: ' +
            'at 100k users (a few hundred thousand rows) that is hundreds of MB on every call, until the process runs out of memory ' +
            'or the request times out. Add `take` (with `skip` or `cursor`) and page through the rest.',
        );
        const [g] = findingsOf(lang, 'const rows = await coll.find({}).toArray();\n', ID);
        assert.match(g.message, /^`find\(\{\}\)\.toArray\(\)` loads the whole collection into memory/);
        const [h] = findingsOf(lang, 'const rows = await this.orderRepository.find();\n', ID);
        assert.match(h.message, /^`orderRepository\.find\(\)` loads the whole table into memory.* Pass `take`/);
        const [i] = findingsOf(lang, 'const rows = await Order.find().lean();\n', ID);
        assert.match(i.message, /^`await find\(\)` loads the whole collection into memory/);
      });
    });
  }
});

describe(`${ID}: Python ORM reads of a table that grows with the users`, () => {
  const found = async (files: Record<string, string>) => {
    const result = await scanTree(files);
    return result.files.flatMap((f) => f.findings.filter((x) => x.ruleId === ID).map((x) => ({ at: `${f.path}:${x.line}`, message: x.message, related: x.related.map((r) => `${r.path ?? f.path}:${r.line}`) })));
  };

  it('SQLAlchemy / Flask-SQLAlchemy: whole reads of the users table and of what references it, across files; not admin tables, filters, limits or summaries', async () => {
    const out = await found({
      'app/__init__.py': '',
      'app/models.py': code`
        from flask_sqlalchemy import SQLAlchemy
        db = SQLAlchemy()

        class Users(db.Model):
            __tablename__ = "users"
            id = db.Column(db.Integer, primary_key=True)
            name = db.Column(db.String(80))
            country = db.Column(db.String(32))

        class Solves(db.Model):
            __tablename__ = "solves"
            id = db.Column(db.Integer, primary_key=True)
            user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
            challenge_id = db.Column(db.Integer, db.ForeignKey("challenges.id"))

        class Awards(db.Model):
            __tablename__ = "awards"
            id = db.Column(db.Integer, primary_key=True)
            solve_id = db.Column(db.Integer, db.ForeignKey("solves.id"))

        class Challenges(db.Model):
            __tablename__ = "challenges"
            id = db.Column(db.Integer, primary_key=True)
            name = db.Column(db.String(80))
      `,
      'app/views.py': code`
        from flask import Flask
        from sqlalchemy import func, or_, select
        from app.models import Awards, Challenges, Solves, Users, db

        app = Flask(__name__)
        ADMINS = Users.query.all()

        @app.route("/users")
        def users():
            everyone = Users.query.order_by(Users.id).all()
            awards = db.session.execute(select(Awards).order_by(Awards.id)).scalars().all()
            found = Users.query.filter(or_(Users.name.ilike(f"%{q}%"), Users.country.op("%>")(q))).all()
            solves = db.session.query(Solves).all()
            mine = Solves.query.filter_by(user_id=uid).all()
            fr = db.session.execute(select(Users).where(Users.country == "fr")).scalars().all()
            page = Users.query.limit(50).all()
            first = Users.query.first()
            by_country = db.session.query(Users.country, func.count(Users.id)).group_by(Users.country).all()
            challenges = Challenges.query.all()
            stmt = select(Users)
            stmt = stmt.limit(20)
            limited = db.session.execute(stmt).scalars().all()
            streamed = [u for u in Users.query.yield_per(500)]
            return everyone, awards, found, solves, mine, fr, page, first, by_country, challenges, limited, streamed
      `,
    });
    assert.deepStrictEqual(out.map((f) => f.at), ['app/views.py:10', 'app/views.py:11', 'app/views.py:12', 'app/views.py:13']);
    assert.match(out[0].message, /`Users.query.order_by\(Users.id\).all\(\)` loads every row of `Users`.*`Users` is the users table/);
    assert.match(out[1].message, /every row of `Awards`.*`Awards` references `Solves` \(`solve_id`\), which grows with the users/);
    assert.match(out[2].message, /every row of `Users` the search matches/);
    assert.deepStrictEqual(out[1].related, ['app/models.py:16']);
    // A lone file cannot tell whether a table grows: nothing there.
    assert.deepStrictEqual(hits('python', 'def f():\n    return Users.query.all()\n', ID), []);
  });

  it('Django: querysets consumed whole (list(), for, len(), many=True) of the user model and what references it; not sliced, filtered, streamed or module-level', async () => {
    const out = await found({
      'shop/__init__.py': '',
      'shop/models.py': code`
        from django.conf import settings
        from django.contrib.auth.models import AbstractUser
        from django.db import models

        class Member(AbstractUser):
            bio = models.TextField()

        class Order(models.Model):
            buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
            title = models.CharField(max_length=200)

        class Line(models.Model):
            order = models.ForeignKey("shop.Order", on_delete=models.CASCADE)

        class Country(models.Model):
            code = models.CharField(max_length=2)
      `,
      'shop/views.py': code`
        from rest_framework.response import Response
        from .models import Country, Line, Member, Order
        from .serializers import OrderSerializer

        CACHED = list(Country.objects.all())

        def members(request):
            rows = list(Member.objects.all())
            total = len(Order.objects.exclude(title=""))
            for line in Line.objects.select_related("order"):
                print(line)
            data = OrderSerializer(Order.objects.order_by("-id"), many=True).data
            found = list(Order.objects.filter(title__icontains=request.GET["q"]))
            mine = list(Order.objects.filter(buyer=request.user))
            recent = list(Order.objects.all()[:50])
            streamed = [o for o in Order.objects.all().iterator()]
            countries = list(Country.objects.all())
            count = Order.objects.count()
            return Response([rows, total, data, found, mine, recent, streamed, countries, count])
      `,
    });
    assert.deepStrictEqual(out.map((f) => f.at), ['shop/views.py:8', 'shop/views.py:9', 'shop/views.py:10', 'shop/views.py:12', 'shop/views.py:13']);
    assert.match(out[0].message, /`Member` is the users table/);
    assert.match(out[1].message, /`Order` references the users table/);
    assert.match(out[2].message, /`Line` references `Order` \(`order`\), which grows with the users/);
  });

  it('DRF: a list view of a growing table without pagination (None, or no default in the settings); not a paged view, a project base, an overridden get_queryset or an admin table', async () => {
    const models = code`
      from django.conf import settings
      from django.db import models

      class Order(models.Model):
          buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

      class Country(models.Model):
          code = models.CharField(max_length=2)
    `;
    const views = code`
      from rest_framework import generics, mixins, viewsets
      from rest_framework.pagination import PageNumberPagination
      from .base import ProjectViewSet
      from .models import Country, Order

      class Orders(generics.ListAPIView):
          queryset = Order.objects.all()
          pagination_class = None

      class OrderSet(viewsets.ModelViewSet):
          queryset = Order.objects.order_by("-id")

      class OrderFeed(mixins.ListModelMixin, viewsets.GenericViewSet):
          queryset = Order.objects.all()

      class PagedOrders(generics.ListAPIView):
          queryset = Order.objects.all()
          pagination_class = PageNumberPagination

      class MyOrders(generics.ListAPIView):
          queryset = Order.objects.all()
          pagination_class = None

          def get_queryset(self):
              return Order.objects.filter(buyer=self.request.user)

      class ProjectOrders(ProjectViewSet):
          queryset = Order.objects.all()

      class OneOrder(generics.RetrieveAPIView):
          queryset = Order.objects.all()

      class Countries(generics.ListAPIView):
          queryset = Country.objects.all()
          pagination_class = None
    `;
    const unpaged = await found({ 'shop/__init__.py': '', 'shop/models.py': models, 'shop/views.py': views });
    assert.deepStrictEqual(unpaged.map((f) => f.at), ['shop/views.py:7', 'shop/views.py:11', 'shop/views.py:14']);
    assert.match(unpaged[0].message, /^`Orders.queryset = Order.objects.all\(\)` loads every row of `Order`.*`Orders` lists them in one response \(`pagination_class = None`\)/);
    assert.match(unpaged[1].message, /no default pagination is configured/);
    // With a default pagination class in the settings, only the view that turns it off is left.
    const settings = code`
      REST_FRAMEWORK = {
          "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
          "PAGE_SIZE": 50,
      }
    `;
    const paged = await found({ 'shop/__init__.py': '', 'shop/models.py': models, 'shop/views.py': views, 'config/settings.py': settings });
    assert.deepStrictEqual(paged.map((f) => f.at), ['shop/views.py:7']);
    const off = await found({ 'shop/__init__.py': '', 'shop/models.py': models, 'shop/views.py': views, 'config/settings.py': settings.replace('"rest_framework.pagination.LimitOffsetPagination"', 'None') });
    assert.strictEqual(off.length, 3);
  });
});

describe(`${ID}: gorm reads of a table that grows with the users`, () => {
  const found = async (files: Record<string, string>) => {
    const result = await scanTree(files);
    return result.files.flatMap((f) => f.findings.filter((x) => x.ruleId === ID).map((x) => ({ at: `${f.path}:${x.line}`, message: x.message, related: x.related.map((r) => `${r.path ?? f.path}:${r.line}`) })));
  };
  const models = code`
    package models

    import "gorm.io/gorm"

    type User struct {
    	gorm.Model
    	Email string
    }

    type Order struct {
    	ID     uint \`gorm:"primaryKey"\`
    	UserID uint
    	User   *User
    }

    type Line struct {
    	ID      uint \`gorm:"primaryKey"\`
    	OrderID uint
    }

    type Tag struct {
    	ID   uint \`gorm:"primaryKey"\`
    	Name string
    }

    // Summary is not mapped: no gorm tag, no gorm.Model.
    type Summary struct {
    	UserID uint
    	Total  int
    }
  `;

  it('whole reads into a slice of a struct that is the users table or references it, across packages; not filtered, limited, grouped, scoped, admin tables or tests', async () => {
    const out = await found({
      'go.mod': 'module example.com/shop\n\ngo 1.22\n',
      'models/models.go': models,
      'store/store.go': code`
        package store

        import (
        	"example.com/shop/models"
        	"gorm.io/gorm"
        )

        type Store struct{ db *gorm.DB }

        func (s *Store) AllUsers() ([]models.User, error) {
        	var users []models.User
        	return users, s.db.Find(&users).Error
        }

        func (s *Store) AllLines() (lines []*models.Line, err error) {
        	err = s.db.Order("id").Preload("Order").Find(&lines).Limit(100).Error
        	return
        }

        func (s *Store) Others(uid uint, scope func(*gorm.DB) *gorm.DB) {
        	orders := []models.Order{}
        	s.db.Where("user_id = ?", uid).Find(&orders)
        	s.db.Limit(50).Find(&orders)
        	s.db.Find(&orders, "user_id = ?", uid)
        	s.db.Scopes(scope).Find(&orders)
        	s.db.Model(&models.Order{}).Group("user_id").Find(&orders)
        	tags := make([]models.Tag, 0)
        	s.db.Find(&tags)
        	var sums []models.Summary
        	s.db.Table("orders").Find(&sums)
        	q := s.db.Order("id").Limit(20)
        	if uid > 0 {
        		q = q.Where("user_id = ?", uid)
        	}
        	q.Find(&orders)
        }

        func migrate(db *gorm.DB) {
        	var users []models.User
        	db.Find(&users)
        }

        func (s *Store) Everyone() []models.User {
        	var users []models.User
        	q := s.db.Order("id")
        	q.Find(&users)
        	return users
        }
      `,
      'store/store_test.go': code`
        package store

        import (
        	"testing"

        	"example.com/shop/models"
        )

        func TestAll(t *testing.T) {
        	var users []models.User
        	testDB.Find(&users)
        }
      `,
    });
    assert.deepStrictEqual(out.map((f) => f.at), ['store/store.go:12', 'store/store.go:16', 'store/store.go:46']);
    assert.match(out[0].message, /^`s.db.Find\(&users\)` loads every row of `User`.*`User` is the users table\. Page it \(`.Where\("id > \?", last\).Order\("id"\).Limit\(n\)`\)/);
    assert.match(out[1].message, /every row of `Line`.*`Line` references `Order` \(`OrderID`\), which grows with the users/);
    assert.deepStrictEqual(out[1].related, ['models/models.go:16']);
  });
});
