// Name resolution in one file (server/src/model): each import form, annotations, assignments,
// fields, constructor injection, conventions, and the project's own names shadowing a library's.
import * as assert from 'assert';
import { parse } from '../src/engine/index';
import { queryLanguageOf } from '../src/engine/languages';
import { bindTree } from '../src/model/bind';
import { models } from '../src/model/library';
import { Resolver, type Resolved } from '../src/model/resolve';
import { code, grammarOf, type TestLanguage } from './harness';

/** What the callee of the call whose text starts at `marker` resolves to, as a short string. */
function calleeOf(lang: TestLanguage, source: string, marker: string): string {
  const language = queryLanguageOf(grammarOf(lang));
  const model = bindTree(parse(grammarOf(lang), source).rootNode, language);
  const at = source.indexOf(marker);
  assert.ok(at >= 0, `no ${marker} in the source`);
  const call = model.calls.find((c) => c.start === at);
  assert.ok(call, `no call at ${marker}`);
  return show(new Resolver(model, models().of(language)).resolve(call.callee, call.start));
}

function show(r: Resolved): string {
  switch (r.kind) {
    case 'library':
      return `library ${r.qname}${r.row.effect ? ` [${r.row.effect}]` : ''} (${r.via})`;
    case 'value':
      return `value ${r.type}`;
    case 'function':
      return `function #${r.fn}`;
    case 'class':
      return `class ${r.name}${r.instance ? ' instance' : ''}`;
    case 'import':
      return `import ${r.module}${r.name ? `:${r.name}` : ''}${r.rest.length ? `.${r.rest.join('.')}` : ''}`;
    case 'unknown':
      return 'unknown';
  }
}

describe('model: name resolution in a file', () => {
  describe('python', () => {
    it('import, import as, from-import, from-import as, and the module path after them', () => {
      const src = code`
        import sqlalchemy
        import sqlalchemy as sa
        from sqlalchemy import create_engine
        from sqlalchemy import create_engine as make
        from sqlalchemy.ext.asyncio import create_async_engine
        a = sqlalchemy.create_engine(URL)
        b = sa.create_engine(URL)
        c = create_engine(URL)
        d = make(URL)
        e = create_async_engine(URL)
      `;
      for (const m of ['sqlalchemy.create_engine(', 'sa.create_engine(', 'create_engine(URL)\nd', 'make(', 'create_async_engine(URL)\n']) {
        const expected = m.startsWith('create_async') ? 'library sqlalchemy.ext.asyncio.create_async_engine [client] (import)' : 'library sqlalchemy.create_engine [client] (import)';
        assert.strictEqual(calleeOf('python', src, m), expected, m);
      }
    });

    it("the project's own function named like a library's is the project's, not the library's", () => {
      const src = code`
        from app.db import create_async_engine
        from .engine import create_engine
        engine = create_async_engine(settings.url)
        other = create_engine(settings.url)
      `;
      assert.strictEqual(calleeOf('python', src, 'create_async_engine(settings'), 'import app.db:create_async_engine');
      assert.strictEqual(calleeOf('python', src, 'create_engine(settings'), 'import .engine:create_engine');
    });

    it('types from annotations, assignments, with-statements, self fields and sessionmakers', () => {
      const src = code`
        from sqlalchemy.orm import sessionmaker
        from sqlalchemy.ext.asyncio import AsyncSession
        import httpx
        SessionLocal = sessionmaker(bind=engine)

        class UserRepo:
            def __init__(self, session: AsyncSession):
                self.session = session

            async def all(self):
                return await self.session.execute(select(User))

        def job():
            db = SessionLocal()
            db.query(User).all()

        async def relay():
            async with httpx.AsyncClient() as client:
                await client.post(URL)
      `;
      assert.strictEqual(calleeOf('python', src, 'self.session.execute('), 'library sqlalchemy.orm.Session.execute [db-query] (annotation)');
      assert.strictEqual(calleeOf('python', src, 'db.query(User).all()'), 'library sqlalchemy.orm.Query.all [db-read-many] (binding)');
    });

    it('a local function, a method through self, and a receiver known only by convention', () => {
      const src = code`
        from sqlalchemy import select
        def helper(): pass
        class S:
            def run(self):
                helper()
                self.load()
            def load(self, session):
                session.execute(select(User))
      `;
      assert.match(calleeOf('python', src, 'helper()\n'), /^function #0$/);
      assert.match(calleeOf('python', src, 'self.load()'), /^function #\d$/);
      assert.strictEqual(calleeOf('python', src, 'session.execute('), 'library sqlalchemy.orm.Session.execute [db-query] (convention)');
    });

    it('no convention without the library: a session in a file that never imports SQLAlchemy is unknown', () => {
      const src = code`
        def load(session):
            session.execute(stmt)
      `;
      assert.strictEqual(calleeOf('python', src, 'session.execute('), 'unknown');
    });
  });

  describe('go', () => {
    it('import paths, aliases, parameter and field types, package-level variables', () => {
      const src = code`
        package store
        import (
          "database/sql"
          db2 "database/sql"
        )
        type Store struct { db *sql.DB }
        var pool, _ = sql.Open("pgx", dsn)
        func (s *Store) Get(ctx context.Context, conn *db2.DB) {
          s.db.QueryContext(ctx, "select")
          conn.Exec("x")
          pool.QueryRow("y")
          sql.Open("pgx", dsn)
        }
      `;
      assert.strictEqual(calleeOf('go', src, 's.db.QueryContext('), 'library database/sql.DB.QueryContext [db-query] (annotation)');
      assert.strictEqual(calleeOf('go', src, 'conn.Exec('), 'library database/sql.DB.Exec [db-write] (annotation)');
      assert.strictEqual(calleeOf('go', src, 'pool.QueryRow('), 'library database/sql.DB.QueryRow [db-read-one] (binding)');
      assert.strictEqual(calleeOf('go', src, 'sql.Open("pgx", dsn)\n}'), 'library database/sql.Open [client] (import)');
    });
  });

  describe('typescript', () => {
    it('an awaited call with type arguments, which the grammar splits around the await, is an awaited call', () => {
      const src = code`
        import { PrismaClient } from '@prisma/client';
        const prisma = new PrismaClient();
        async function count(id: string) {
          const [row] = await prisma.$queryRaw<{ n: number }[]>(sql);
          return prisma.user.findMany<{ id: string }>({ where: { id } });
        }
      `;
      assert.strictEqual(calleeOf('typescript', src, 'await prisma.$queryRaw'), 'library @prisma/client.PrismaClient.$queryRaw [db-query] (binding)');
      const model = bindTree(parse(grammarOf('typescript'), src).rootNode, 'typescript');
      const raw = model.calls.find((c) => src.slice(c.start).startsWith('await prisma.$queryRaw'))!;
      assert.strictEqual(raw.awaited, true);
      assert.strictEqual(src.slice(raw.callee.start, raw.callee.end), 'prisma.$queryRaw');
      assert.strictEqual(calleeOf('typescript', src, 'prisma.user.findMany<'), 'library @prisma/client.Prisma.ModelDelegate.findMany [db-read-many] (binding)');
    });

    it('named, default, namespace and require imports; new; fields and constructor injection', () => {
      const src = code`
        import { Pool } from 'pg';
        import pg from 'pg';
        import * as pgns from 'pg';
        const { Pool: P2 } = require('pg');
        import { UsersService } from './users.service';
        const a = new Pool({ max: 5 });
        const b = new pg.Pool();
        const c = new pgns.Pool();
        const d = new P2();
        export class UsersController {
          private pool = new Pool();
          constructor(private readonly users: UsersService) {}
          async get(id: string) {
            await this.pool.query('select 1');
            return this.users.findOne(id);
          }
        }
      `;
      assert.strictEqual(calleeOf('typescript', src, 'new Pool({'), 'library pg.Pool [client] (import)');
      assert.strictEqual(calleeOf('typescript', src, 'new pg.Pool()'), 'library pg.Pool [client] (import)');
      assert.strictEqual(calleeOf('typescript', src, 'new pgns.Pool()'), 'library pg.Pool [client] (import)');
      assert.strictEqual(calleeOf('typescript', src, 'new P2()'), 'library pg.Pool [client] (import)');
      assert.strictEqual(calleeOf('typescript', src, "this.pool.query("), 'library pg.Pool.query [db-query] (binding)');
      assert.strictEqual(calleeOf('typescript', src, 'this.users.findOne('), 'import ./users.service:UsersService.findOne');
    });
  });
});

describe('models: role markers name what the models know', () => {
  // A marker matches `app.add_url_rule(…)` only when the call resolves to the member, and an
  // unlisted member resolves to nothing: the marker would never fire.
  it('every member a decorator or registration names is a member of one of its types', () => {
    const missing: string[] = [];
    for (const language of ['python', 'go', 'typescript'] as const) {
      const lang = models().of(language);
      for (const marker of lang.roles) {
        for (const callee of [marker.decorator, marker.registration?.callee]) {
          if (!callee?.types || !callee.members) continue;
          const known = callee.types.filter((t) => lang.type(t));
          if (known.length === 0) continue;
          // A marker with a name pattern matches an unlisted member by its name.
          const byName = callee.namePattern ? new RegExp(callee.namePattern) : undefined;
          for (const m of callee.members) if (!known.some((t) => lang.member(t, m)) && !byName?.test(m)) missing.push(`${language} ${marker.library}: ${callee.types.join('|')}.${m}`);
        }
      }
    }
    assert.deepStrictEqual(missing, []);
  });
});
