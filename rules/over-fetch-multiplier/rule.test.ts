import * as assert from 'assert';
import { applyFix, code, findingsOf, hits, offeredFixes } from '../../server/test/harness';

const ID = 'over-fetch-multiplier';

describe(ID, () => {
  describe('python', () => {
    it('flags a multiplied limit on a cursor and in keyword arguments', () => {
      const src = code`
        async def feed(db, limit: int):
            a = await db.posts.find({}).limit(limit * 2).to_list(None)
            b = await db.posts.find({}).to_list(length=limit * 3)
            c = search(query, page_size=page_size * 3)
            d = index.query(vector, top_k=2 * k)
            e = es.search(index="posts", size=size * 2)
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['limit * 2', 'limit * 3', 'page_size * 3', '2 * k', 'size * 2']);
    });
    it('leaves exact limits, constants, offsets and unrelated keywords alone', () => {
      const src = code`
        async def feed(db, limit: int, page: int):
            a = await db.posts.find({}).skip((page - 1) * limit).limit(limit).to_list(None)
            b = await db.posts.find({}).limit(5 * 10).to_list(None)
            name = Column(String(length=size * 2))
            c = retry(timeout=limit * 2)
            d = items[: limit * 2]
            e = rng.normal(size=2 * n)
            f = shared_memory.SharedMemory(name, size=20 * block.size)
            g = random.multinomial(n, pvals, size=(1,) * 6)
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });
    it('a library-specific page-size keyword counts only where the models give that library the keyword', () => {
      // `size=` is Elasticsearch's page size and `n_results=` Chroma's; the same words elsewhere are not a limit.
      const src = code`
        def f(es, collection, k, n):
            a = es.search(index="posts", size=k * 2)
            b = collection.query(query_texts=["x"], n_results=k * 3)
            c = np.zeros(size=n * 2)
            d = ring.allocate(n_results=n * 2)
            e = es.count(size=k * 2)
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['k * 2', 'k * 3']);
    });
    it('flags a multiplied limit among the SQL parameters of a driver call, not a multiplied filter value', () => {
      const src = code`
        import asyncpg

        async def feed(pool: asyncpg.Pool, conn: asyncpg.Connection, cur, q, limit, price):
            a = await conn.fetch("SELECT * FROM posts WHERE title ILIKE $1 LIMIT $2", q, limit * 2)
            b = await conn.fetch("SELECT * FROM posts WHERE price < $1 LIMIT $2", price * 2, limit)
            cur.execute("SELECT * FROM posts WHERE title LIKE %s LIMIT %s", (q, page_size * 3))
            cur.execute("SELECT * FROM posts WHERE owner = %(o)s LIMIT %(n)s", {"o": q, "n": limit * 2})
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['limit * 2', 'page_size * 3', 'limit * 2']);
    });

    it('says how much is over-fetched', () => {
      const [f] = findingsOf('python', 'x = q.limit(limit * 4)\n', ID);
      assert.match(f.message, /4× the rows/);
      assert.match(f.message, /75%/);
      assert.strictEqual(f.severity, 'warning');
    });
    it('fix: fetches the limit itself, as an unsafe fix', () => {
      const src = 'rows = await db.t.find({}).limit(limit * 2).to_list(None)\n';
      assert.strictEqual(applyFix('python', src, ID, 'use-limit'), 'rows = await db.t.find({}).limit(limit).to_list(None)\n');
    });
  });

  describe('go', () => {
    it('flags a multiplied limit passed to a query or to gorm Limit', () => {
      const src = code`
        package main
        func feed(db *sql.DB, g *gorm.DB, limit int) {
            rows, _ := db.Query("SELECT id FROM posts ORDER BY id LIMIT $1", limit*2)
            g.Limit(pageSize * 3).Find(&posts)
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['limit*2', 'pageSize * 3']);
    });
    it('leaves filter values and exact limits alone', () => {
      const src = code`
        package main
        func feed(db *sql.DB, limit int, price int) {
            rows, _ := db.Query("SELECT id FROM items WHERE price > $1 LIMIT $2", price*2, limit)
            total := limit * 2
            // xorm pages with Limit(n, offset): the second argument is the offset.
            sess.Limit(pageSize, page*2).Find(&items)
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
    });
    it('fix: passes the limit itself', () => {
      const src = 'package main\nfunc f() { db.Query("SELECT 1 LIMIT $1", limit*2) }\n';
      assert.strictEqual(applyFix('go', src, ID, 'use-limit'), 'package main\nfunc f() { db.Query("SELECT 1 LIMIT $1", limit) }\n');
    });
  });

  for (const lang of ['typescript', 'javascript'] as const) {
    describe(lang, () => {
      it('flags .limit(n * 2) and take/limit options', () => {
        const src = code`
          async function feed(limit) {
            const a = await posts.find({}).limit(limit * 2).toArray();
            const b = await prisma.post.findMany({ take: limit * 3 });
            const c = await posts.find({}, { limit: 2 * limit }).toArray();
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ['limit * 2', 'limit * 3', '2 * limit']);
      });
      it('leaves exact limits, constants and other multiplications alone', () => {
        const src = code`
          async function feed(limit, page) {
            const a = await posts.find({}).skip(page * limit).limit(limit).toArray();
            const b = await prisma.post.findMany({ take: 5 * 10, skip: page * limit });
            const ttl = { ttl: limit * 2 };
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });
      it('flags a multiplied limit in the values array of pool.query, not a multiplied filter value', () => {
        const src = code`
          import { Pool } from 'pg';
          const pool = new Pool();
          async function feed(q, limit, price) {
            const a = await pool.query('SELECT * FROM posts WHERE title ILIKE $1 LIMIT $2', [q, limit * 2]);
            const b = await pool.query('SELECT * FROM posts WHERE price < $1 LIMIT $2', [price * 2, limit]);
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ['limit * 2']);
      });

      it('fix: uses the limit itself; it is the only (unsafe) fix', () => {
        const src = 'const a = posts.find({}).limit(limit * 2);\n';
        assert.deepStrictEqual(offeredFixes(lang, src, ID), ['use-limit']);
        assert.strictEqual(applyFix(lang, src, ID, 'use-limit'), 'const a = posts.find({}).limit(limit);\n');
      });
    });
  }
});
