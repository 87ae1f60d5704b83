import * as assert from 'assert';
import { code, hits, workspaceHits } from '../../server/test/harness';

const RULE = 'pool-oversized';
const at = async (files: Record<string, string>) => (await workspaceHits(files, RULE)).map((h) => h.at);

const SA_ENGINE = code`
  from sqlalchemy import create_engine

  engine = create_engine(
      "postgresql://app@db/app",
      pool_size=20,
      max_overflow=10,
  )
`;

describe(RULE, () => {
  it('is silent on a lone file: it needs the workspace', () => {
    assert.deepStrictEqual(hits('go', 'package main\n\nfunc open() { db.SetMaxOpenConns(500) }\n', RULE), []);
  });

  describe('python', () => {
    it('multiplies a SQLAlchemy pool (pool_size + max_overflow) by the gunicorn workers of the Dockerfile', async () => {
      const found = await workspaceHits({ 'requirements.txt': '', 'app/db.py': SA_ENGINE, Dockerfile: 'FROM python:3.12\nCMD ["gunicorn", "-w", "4", "app.main:app"]\n' }, RULE);
      assert.deepStrictEqual(found, [
        {
          at: 'app/db.py:5:15',
          message:
            'Up to 120 connections: a pool of 30 (pool_size 20 + max_overflow 10) × 4 processes (gunicorn -w, Dockerfile:2), above the 100 PostgreSQL accepts (deployment.maxConnections.postgresql in .headroom.json). ' +
            'Once every slot is taken, new connections are refused and requests fail; keep pool × processes under the limit (at most 25 per process here), or put a pooler such as PgBouncer in front.',
          related: ['Dockerfile:2: 4 processes: gunicorn -w'],
        },
      ]);
    });

    it('leaves a pool alone when pool × workers fits', async () => {
      assert.deepStrictEqual(await at({ 'app/db.py': SA_ENGINE, Procfile: 'web: gunicorn app.main:app --workers 3\n' }), []);
    });

    it('counts SQLAlchemy defaults for the half not given, and flags one process above the limit', async () => {
      const db = 'from sqlalchemy import create_engine\nengine = create_engine("postgresql://db/app", pool_size=95)\n';
      assert.deepStrictEqual(await workspaceHits({ 'db.py': db }, RULE).then((h) => h.map((x) => [x.at, x.message.split(':')[0] + ': ' + x.message.split(': ')[1].split(',')[0]])), [
        ['db.py:2:57', 'Up to 105 connections: a pool of 105 (pool_size 95 + max_overflow 10 (default))'],
      ]);
    });

    it('reads gunicorn.conf.py workers, including the CPU formula with deployment.cpus', async () => {
      const conf = 'import multiprocessing\nworkers = multiprocessing.cpu_count() * 2 + 1\n';
      const files = { 'db.py': SA_ENGINE, 'gunicorn.conf.py': conf };
      const [found] = await workspaceHits(files, RULE);
      assert.match(found.message, /× 9 processes \(gunicorn workers on 4 CPUs, deployment\.cpus, gunicorn\.conf\.py:2\)/);
      assert.deepStrictEqual(await at({ ...files, '.headroom.json': '{ "deployment": { "cpus": 1 } }' }), []);
    });

    it('a `workers` setting outside a gunicorn config module is something else', async () => {
      assert.deepStrictEqual(await at({ 'db.py': SA_ENGINE, 'settings.py': 'workers = 16\n' }), []);
    });

    it('uvicorn.run(workers=…) counts', async () => {
      const main = 'import uvicorn\n\nif __name__ == "__main__":\n    uvicorn.run("app.main:app", workers=4)\n';
      assert.deepStrictEqual(await at({ 'app/db.py': SA_ENGINE, 'app/main.py': main }), ['app/db.py:5:15']);
    });

    it('MongoDB is checked against an assumed 1,500 connections (Atlas M10), or the configured limit', async () => {
      const db = 'from motor.motor_asyncio import AsyncIOMotorClient\nclient = AsyncIOMotorClient(URL, maxPoolSize=100)\n';
      const files = { 'db.py': db, Procfile: 'web: uvicorn main:app --workers 4\n' };
      assert.deepStrictEqual(await at(files), []);
      const big = await workspaceHits({ 'db.py': db.replace('100', '500'), Procfile: files.Procfile }, RULE);
      assert.match(big[0].message, /^Up to 2000 connections: a pool of 500 \(maxPoolSize 500\) × 4 processes .* above the 1500 MongoDB accepts \(assumed: MongoDB Atlas M10's 1500, the smallest dedicated tier; set deployment\.maxConnections\.mongodb in \.headroom\.json\)/);
      const found = await workspaceHits({ ...files, '.headroom.json': '{ "deployment": { "maxConnections": { "mongodb": 300 } } }' }, RULE);
      assert.deepStrictEqual(found.map((f) => f.at), ['db.py:2:46']);
      assert.match(found[0].message, /^Up to 400 connections: a pool of 100 \(maxPoolSize 100\) × 4 processes .* above the 300 MongoDB accepts/);
    });

    it('SQLite and NullPool engines have no server limit; a pool size from a variable is not a literal', async () => {
      const db = code`
        from sqlalchemy import create_engine
        a = create_engine("sqlite:///local.db", pool_size=500)
        b = create_engine(URL, pool_size=POOL_SIZE)
        c = create_engine("postgresql://db/app", poolclass=NullPool, pool_size=500)
      `;
      assert.deepStrictEqual(await at({ 'db.py': db, Dockerfile: 'CMD gunicorn -w 64 app:app\n' }), []);
    });

    it('a deployment file applies to its own project only', async () => {
      const files = {
        'api/requirements.txt': '',
        'api/db.py': SA_ENGINE,
        'api/Dockerfile': 'CMD gunicorn -w 2 app:app\n',
        'worker/requirements.txt': '',
        'worker/Dockerfile': 'CMD gunicorn -w 64 app:app\n',
      };
      assert.deepStrictEqual(await at(files), []);
    });

    it("a pool nothing sizes holds the driver's default per process: counted where the workspace starts several processes", async () => {
      const db = code`
        from motor.motor_asyncio import AsyncIOMotorClient
        from sqlalchemy import create_engine

        engine = create_engine("postgresql://db/app", pool_pre_ping=True)
        client = AsyncIOMotorClient(URL)
        configured = create_engine("postgresql://db/app", **ENGINE_OPTIONS)
      `;
      const found = await workspaceHits({ 'db.py': db, 'gunicorn.conf.py': 'workers = 16\n' }, RULE);
      assert.deepStrictEqual(found.map((f) => f.at), ['db.py:4:10', 'db.py:5:10']);
      assert.match(found[0].message, /^Up to 240 connections: a pool of 15 \(pool_size 5 \+ max_overflow 10, the driver's defaults\) × 16 processes/);
      assert.match(found[1].message, /^Up to 1600 connections: a pool of 100 \(maxPoolSize 100, the driver's default\) × 16 processes .* above the 1500 MongoDB accepts/);
      // One process: the driver's default was chosen for it.
      assert.deepStrictEqual(await at({ 'db.py': db }), []);
    });

    it('the pool of 500 per process with 64 gunicorn workers', async () => {
      const db = 'from sqlalchemy import create_engine\nengine = create_engine("postgresql://db/app", pool_size=500, max_overflow=0)\n';
      const [found] = await workspaceHits({ 'db.py': db, 'gunicorn.conf.py': 'workers = 64\n' }, RULE);
      assert.match(found.message, /^Up to 32000 connections: a pool of 500 \(pool_size 500 \+ max_overflow 0\) × 64 processes \(gunicorn workers, gunicorn\.conf\.py:1\)/);
    });

    it('a project’s own pool factory is not the library’s, whatever it is called', async () => {
      const db = code`
        from app.pool import create_pool
        from .engine import create_engine
        pool = create_pool(max_size=500)
        engine = create_engine("postgresql://db/app", pool_size=500)
      `;
      assert.deepStrictEqual(await at({ 'db.py': db, 'gunicorn.conf.py': 'workers = 8\n' }), []);
    });

    it('a headroom-ignore comment on the line silences it, and is not reported unused', async () => {
      const db = code`
        from sqlalchemy import create_engine
        engine = create_engine(
            "postgresql://db/app",
            pool_size=200,  # headroom-ignore[pool-oversized]: this database runs with max_connections=2000
        )
      `;
      const result = await workspaceHits({ 'db.py': db }, RULE);
      assert.deepStrictEqual(result, []);
      assert.deepStrictEqual(await workspaceHits({ 'db.py': db }, 'unused-suppression'), []);
    });
  });

  describe('go', () => {
    it('flags SetMaxOpenConns, pgxpool MaxConns and pool_max_conns above the limit (one process)', async () => {
      const src = code`
        package main

        func open() {
        	db.SetMaxOpenConns(150)
        	other.SetMaxOpenConns(100)
        	cfg.MaxConns = 120
        	pgxpool.New(ctx, "postgres://db/app?pool_max_conns=200")
        	pgxpool.New(ctx, "postgres://db/app?pool_max_conns=20")
        }
      `;
      assert.deepStrictEqual(await at({ 'go.mod': 'module x\n', 'db.go': src }), ['db.go:4:21', 'db.go:6:17', 'db.go:7:19']);
    });

    it('is not multiplied by a Python server of the same workspace', async () => {
      const src = 'package main\n\nfunc open() { db.SetMaxOpenConns(30) }\n';
      assert.deepStrictEqual(await at({ 'db.go': src, Dockerfile: 'CMD gunicorn -w 8 app:app\n' }), []);
    });
  });

  describe('typescript', () => {
    const PG = "import { Pool } from 'pg';\nexport const pool = new Pool({ max: 30 });\n";

    it('multiplies a pg pool by pm2 instances (max = one per CPU)', async () => {
      const found = await workspaceHits({ 'package.json': '{}', 'src/db.ts': PG, Dockerfile: 'CMD ["pm2-runtime", "start", "dist/app.js", "-i", "max"]\n' }, RULE);
      assert.deepStrictEqual(found.map((f) => f.at), ['src/db.ts:2:37']);
      assert.match(found[0].message, /^Up to 120 connections: a pool of 30 \(max 30\) × 4 processes \(pm2-runtime -i on 4 CPUs, deployment\.cpus, Dockerfile:1\)/);
    });

    it('`Pool` of another library is not a database pool', async () => {
      const tarn = "import { Pool } from 'tarn';\nexport const pool = new Pool({ max: 500, create, destroy });\n";
      assert.deepStrictEqual(await at({ 'src/pool.ts': tarn }), []);
    });

    it('pm2 ecosystem instances, mysql2 connectionLimit', async () => {
      const db = "const mysql = require('mysql2/promise');\nmodule.exports = mysql.createPool({ uri: process.env.DB, connectionLimit: 30 });\n";
      const eco = "module.exports = { apps: [{ name: 'api', script: 'dist/app.js', instances: 4 }] };\n";
      assert.deepStrictEqual(await at({ 'db.js': db, 'ecosystem.config.js': eco }), ['db.js:2:75']);
      assert.deepStrictEqual(await at({ 'db.js': db, 'config.js': eco }), [], 'instances outside a pm2 file');
    });

    it('cluster.fork() per CPU, through a const, multiplies a knex pool', async () => {
      const server = code`
        import cluster from 'node:cluster';
        import os from 'node:os';
        const numCPUs = os.cpus().length;
        if (cluster.isPrimary) {
          for (let i = 0; i < numCPUs; i++) {
            cluster.fork();
          }
        }
      `;
      const db = "import knex from 'knex';\nexport const db = knex({ client: 'pg', connection: process.env.DB, pool: { min: 2, max: 40 } });\n";
      assert.deepStrictEqual(await at({ 'server.ts': server, 'db.ts': db }), ['db.ts:2:89']);
      const two = server.replace('i < numCPUs', 'i < 2');
      assert.deepStrictEqual(await at({ 'server.ts': two, 'db.ts': db }), []);
    });

    it('Prisma connection_limit in the URL', async () => {
      const src = "const url = 'postgresql://app@db:5432/app?connection_limit=150';\n";
      assert.deepStrictEqual(await at({ 'prisma.ts': src }), ['prisma.ts:1:13']);
    });
  });
});
