import * as assert from 'assert';
import { applyFix, code, config, findingsOf, hits, offeredFixes } from '../../server/test/harness';
import { defaultConfig } from '../../server/src/config/config';
import { UnitCache } from '../../server/src/engine/analyzer';
import { analyzeText } from '../../server/src/engine/index';

const ID = 'pool-unconfigured';
const FIX = 'add-pool-settings';

describe(ID, () => {
  describe('python', () => {
    it('flags Motor and PyMongo clients without maxPoolSize, by imported and qualified names', () => {
      const src = code`
        import motor.motor_asyncio
        import pymongo
        from motor.motor_asyncio import AsyncIOMotorClient
        from pymongo import MongoClient

        client = AsyncIOMotorClient(settings.MONGO_URL)
        sync = MongoClient("mongodb://db:27017/app", serverSelectionTimeoutMS=5000)
        other = motor.motor_asyncio.AsyncIOMotorClient(os.environ["MONGO_URL"], minPoolSize=5)
        plain = pymongo.MongoClient()
        asynchronous = AsyncMongoClient(url)

        async def connect():
            return AsyncIOMotorClient(url, tz_aware=True)
      `;
      assert.deepStrictEqual(hits('python', src, ID), [
        'AsyncIOMotorClient(settings.MONGO_URL)',
        'MongoClient("mongodb://db:27017/app", serverSelectionTimeoutMS=5000)',
        'motor.motor_asyncio.AsyncIOMotorClient(os.environ["MONGO_URL"], minPoolSize=5)',
        'pymongo.MongoClient()',
        'AsyncMongoClient(url)',
        'AsyncIOMotorClient(url, tz_aware=True)',
      ]);
    });

    it('leaves configured, unknown and unrelated Mongo clients alone', () => {
      const src = code`
        a = AsyncIOMotorClient(url, maxPoolSize=50)
        b = MongoClient("mongodb://db:27017/app?retryWrites=true&maxPoolSize=50")
        c = AsyncIOMotorClient(f"mongodb://{host}/?maxpoolsize={size}")
        d = AsyncIOMotorClient(url, **settings.mongo_options)
        e = MongoClient(url, maxpoolsize=20)
        f = AsyncIOMotorClient(host="mongodb://h/?maxPoolSize=10")
        g = mongomock.MongoClient()
        h = other.AsyncIOMotorClient(url)
        i = MongoClientSettings(url)
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('leaves mongomock test doubles alone', () => {
      const src = code`
        from mongomock import MongoClient

        client = MongoClient()
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('flags SQLAlchemy engines without pool_size', () => {
      const src = code`
        import sqlalchemy
        from sqlalchemy import create_engine
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_engine(settings.database_url)
        aengine = create_async_engine("postgresql+asyncpg://app@db/app", echo=False, max_overflow=20)
        qualified = sqlalchemy.create_engine(url=DATABASE_URL)
        queued = create_engine(url, poolclass=QueuePool)
        aliased = sa.create_engine(url)
      `;
      assert.deepStrictEqual(hits('python', src, ID), [
        'create_engine(settings.database_url)',
        'create_async_engine("postgresql+asyncpg://app@db/app", echo=False, max_overflow=20)',
        'sqlalchemy.create_engine(url=DATABASE_URL)',
        'create_engine(url, poolclass=QueuePool)',
        'sa.create_engine(url)',
      ]);
    });

    it('leaves SQLite, pool-less, configured and unknown engines alone', () => {
      const src = code`
        a = create_engine(url, pool_size=10)
        b = create_engine("sqlite:///./app.db")
        c = create_async_engine("sqlite+aiosqlite:///./app.db")
        d = create_engine(f"sqlite:///{path}")
        e = create_engine(url, poolclass=NullPool)
        f = create_async_engine(url, poolclass=pool.StaticPool)
        g = create_engine(url, **engine_options)
        h = create_engine(os.getenv("DATABASE_URL", "sqlite:///./dev.db"))
        i = create_engine(SQLALCHEMY_URL, connect_args={"check_same_thread": False})
        j = create_engine(url, poolclass=pool_class)
        k = create_engine(URL.create("sqlite", database="app.db"))
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('knows a SQLite URL kept in a module constant or a settings default', () => {
      const src = code`
        DATABASE_URL = "sqlite:///./sql_app.db"

        class Settings(BaseSettings):
            database_url: str = "sqlite:///./test.db"

        engine = create_engine(DATABASE_URL)
        other = create_engine(settings.database_url)
        real = create_engine(POSTGRES_URL)
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['create_engine(POSTGRES_URL)']);
    });

    it('leaves the project’s own functions named like the library’s alone: imported from its modules or defined in the file', () => {
      // The example: the project's create_async_engine (which sets pool_size) is not SQLAlchemy's.
      const src = code`
        from app.db.engine import create_async_engine
        from .mongo import AsyncIOMotorClient
        import sqlalchemy as sa

        def create_engine(url):
            return sa.create_engine(url, pool_size=20, max_overflow=10)

        engine = create_async_engine(settings.database_url)
        sync_engine = create_engine(settings.database_url)
        client = AsyncIOMotorClient(settings.mongo_url)
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
      // The library's own function in the same file is still reported.
      const mixed = code`
        from app.db.engine import create_async_engine
        from sqlalchemy import create_engine

        engine = create_async_engine(settings.database_url)
        reports = create_engine(settings.reports_url)
      `;
      assert.deepStrictEqual(hits('python', mixed, ID), ['create_engine(settings.reports_url)']);
    });

    it('leaves a script’s pool alone: a module whose top level loops forever is never imported by a server', () => {
      // A wait-for-database script: its engine serves one run of the script, not concurrent requests.
      const src = code`
        import time
        from sqlalchemy import create_engine

        engine = create_engine(DATABASE_URL)
        while True:
            try:
                engine.raw_connection()
                break
            except Exception:
                time.sleep(1)
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
      // A loop inside a function is no such sign.
      const server = code`
        from sqlalchemy import create_engine

        engine = create_engine(DATABASE_URL)

        def poll():
            while True:
                tick()
      `;
      assert.deepStrictEqual(hits('python', server, ID), ['create_engine(DATABASE_URL)']);
    });

    it('says what breaks for each library, as a warning (info at 1k users)', () => {
      const [motor] = findingsOf('python', 'c = AsyncIOMotorClient(url)\n', ID);
      assert.strictEqual(
        motor.message,
        '`AsyncIOMotorClient` creates a connection pool without `maxPoolSize`: the driver defaults to 100 connections per client and waits for a free one with no timeout, so past 100 concurrent operations requests hang instead of failing fast, and every added process opens up to 100 more connections against the server’s connection limit.',
      );
      assert.strictEqual(motor.severity, 'warning');
      const [engine] = findingsOf('python', 'e = create_engine(url)\n', ID, config({ targetUsers: '1k' }));
      assert.match(engine.message, /^`create_engine` creates a connection pool without `pool_size`: .*16th concurrent request waits up to 30 s/);
      assert.strictEqual(engine.severity, 'info');
    });

    it('fix: adds the Motor settings as keyword arguments', () => {
      const src = 'client = AsyncIOMotorClient(settings.MONGO_URL)\nprint(client)\n';
      assert.deepStrictEqual(offeredFixes('python', src, ID), [FIX]);
      assert.strictEqual(
        applyFix('python', src, ID, FIX),
        'client = AsyncIOMotorClient(settings.MONGO_URL, maxPoolSize=100, minPoolSize=10, maxIdleTimeMS=30000, waitQueueTimeoutMS=5000)\nprint(client)\n',
      );
    });

    it('fix: skips settings already given and fills an empty call', () => {
      assert.strictEqual(
        applyFix('python', 'c = MongoClient("mongodb://h/?waitQueueTimeoutMS=1000", minpoolsize=2)\n', ID, FIX),
        'c = MongoClient("mongodb://h/?waitQueueTimeoutMS=1000", minpoolsize=2, maxPoolSize=100, maxIdleTimeMS=30000)\n',
      );
      assert.strictEqual(
        applyFix('python', 'c = pymongo.MongoClient()\n', ID, FIX),
        'c = pymongo.MongoClient(maxPoolSize=100, minPoolSize=10, maxIdleTimeMS=30000, waitQueueTimeoutMS=5000)\n',
      );
    });

    it('fix: adds the SQLAlchemy settings one per line in a multi-line call', () => {
      const src = code`
        engine = create_async_engine(
            settings.database_url,
            echo=settings.debug,
            max_overflow=5
        )
      `;
      assert.strictEqual(
        applyFix('python', src, ID, FIX),
        code`
          engine = create_async_engine(
              settings.database_url,
              echo=settings.debug,
              max_overflow=5,
              pool_size=20,
              pool_timeout=30,
              pool_recycle=3600,
              pool_pre_ping=True
          )
        `,
      );
      const trailing = 'engine = create_engine(\n    url,  # primary\n)\n';
      assert.strictEqual(
        applyFix('python', trailing, ID, FIX),
        'engine = create_engine(\n    url,  # primary\n    pool_size=20,\n    max_overflow=30,\n    pool_timeout=30,\n    pool_recycle=3600,\n    pool_pre_ping=True,\n)\n',
      );
    });

    it('fix: keeps CRLF line endings', () => {
      const src = 'engine = create_engine(\r\n    url,\r\n)\r\n';
      assert.strictEqual(
        applyFix('python', src, ID, FIX),
        'engine = create_engine(\r\n    url,\r\n    pool_size=20,\r\n    max_overflow=30,\r\n    pool_timeout=30,\r\n    pool_recycle=3600,\r\n    pool_pre_ping=True,\r\n)\r\n',
      );
    });

    it('fix: uses the defaults from .headroom.json', () => {
      const cfg = config({ fixDefaults: { ...defaultConfig().fixDefaults, sqlalchemy: { pool_size: 8, pool_use_lifo: true } } });
      assert.strictEqual(
        applyFix('python', 'e = create_engine(url, echo=True,)\n', ID, FIX, { cfg }),
        'e = create_engine(url, echo=True, pool_size=8, pool_use_lifo=True)\n',
      );
    });

    it('fix: not offered when the configured defaults do not set the pool size', () => {
      const cfg = config({ fixDefaults: { ...defaultConfig().fixDefaults, motor: { minPoolSize: 5 } } });
      assert.deepStrictEqual(offeredFixes('python', 'c = AsyncIOMotorClient(url)\n', ID, 0, cfg), []);
    });
  });

  describe('go', () => {
    it('flags database/sql, sqlx and gorm handles that never get SetMaxOpenConns', () => {
      const src = code`
        package store

        var global = sqlx.MustConnect("postgres", os.Getenv("DATABASE_URL"))

        type Store struct{ db *sqlx.DB }

        func Open(dsn string) (*sql.DB, error) {
        	db, err := sql.Open("postgres", dsn)
        	if err != nil {
        		return nil, err
        	}
        	return db, nil
        }

        func (s *Store) Connect(dsn string) error {
        	var err error
        	s.db, err = sqlx.Connect("pgx", dsn)
        	return err
        }

        func Gorm(dsn string) *gorm.DB {
        	g, _ := gorm.Open(postgres.Open(dsn), &gorm.Config{})
        	return g
        }

        func New(dsn string) *Store {
        	return &Store{db: sqlx.MustConnect("postgres", dsn)}
        }

        func FromConfig(cfg *pgx.ConnConfig) *sql.DB {
        	conn := sql.OpenDB(stdlib.GetConnector(*cfg))
        	return conn
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), [
        'sqlx.MustConnect("postgres", os.Getenv("DATABASE_URL"))',
        'sql.Open("postgres", dsn)',
        'sqlx.Connect("pgx", dsn)',
        'gorm.Open(postgres.Open(dsn), &gorm.Config{})',
        'sqlx.MustConnect("postgres", dsn)',
        'sql.OpenDB(stdlib.GetConnector(*cfg))',
      ]);
    });

    it('leaves handles configured anywhere in the file alone', () => {
      const src = code`
        package store

        var db *sql.DB

        func open(dsn string) (err error) {
        	db, err = sql.Open("postgres", dsn)
        	return err
        }

        func configure() {
        	db.SetMaxOpenConns(50)
        }

        func (s *Store) open(dsn string) error {
        	var err error
        	s.conn, err = sqlx.Connect("postgres", dsn)
        	if err != nil {
        		return err
        	}
        	s.conn.SetMaxOpenConns(20)
        	return nil
        }

        func openGorm(dsn string) (*gorm.DB, error) {
        	gdb, err := gorm.Open(postgres.Open(dsn), &gorm.Config{})
        	if err != nil {
        		return nil, err
        	}
        	sqlDB, err := gdb.DB()
        	if err != nil {
        		return nil, err
        	}
        	sqlDB.SetMaxIdleConns(10)
        	sqlDB.SetMaxOpenConns(100)
        	return gdb, nil
        }

        func openGormInline(dsn string) *gorm.DB {
        	orm, _ := gorm.Open(postgres.Open(dsn))
        	if raw, err := orm.DB(); err == nil {
        		raw.SetMaxOpenConns(40)
        	}
        	return orm
        }

        func openGormV1(dsn string) *gorm.DB {
        	legacy, _ := gorm.Open("postgres", dsn)
        	legacy.DB().SetMaxOpenConns(10)
        	return legacy
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
    });

    it('does not take another handle’s settings, nor a db.DB() that is only closed', () => {
      const src = code`
        package store

        func open(dsn string) {
        	primary, _ := sql.Open("postgres", dsn)
        	replica, _ := sql.Open("postgres", dsn)
        	replica.SetMaxOpenConns(10)
        	orm, _ := gorm.Open(postgres.Open(dsn))
        	raw, _ := orm.DB()
        	defer raw.Close()
        	use(primary, orm)
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['sql.Open("postgres", dsn)', 'gorm.Open(postgres.Open(dsn))']);
    });

    it('leaves SQLite, returned, discarded and wrapped pools alone', () => {
      const src = code`
        package store

        func a() (*sql.DB, error) { return sql.Open("postgres", dsn) }

        func b() {
        	cache, _ := sql.Open("sqlite3", "file:cache.db")
        	local, _ := gorm.Open(sqlite.Open("app.db"), &gorm.Config{})
        	wrapped, _ := gorm.Open(postgres.New(postgres.Config{Conn: existing}), &gorm.Config{})
        	old, _ := gorm.Open("sqlite3", "/tmp/x.db")
        	ctxDB := sqlx.MustConnect("sqlite", ":memory:")
        	x := sqlx.NewDb(existing, "postgres")
        	_, err := sql.Open("postgres", dsn)
        	rows, _ := db.Query("SELECT 1")
        	use(cache, local, wrapped, old, ctxDB, x, err, rows)
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
    });

    it('flags pgxpool without MaxConns or pool_max_conns', () => {
      const src = code`
        package store

        func a(ctx context.Context) {
        	p1, _ := pgxpool.New(ctx, "postgres://app@db:5432/app?sslmode=disable")
        	cfg, _ := pgxpool.ParseConfig("postgres://app@db/app")
        	p2, _ := pgxpool.NewWithConfig(ctx, cfg)
        	p3, _ := pgxpool.Connect(ctx, "host=db user=app")
        	use(p1, p2, p3)
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), [
        'pgxpool.New(ctx, "postgres://app@db:5432/app?sslmode=disable")',
        'pgxpool.NewWithConfig(ctx, cfg)',
        'pgxpool.Connect(ctx, "host=db user=app")',
      ]);
      const [f] = findingsOf('go', src, ID);
      assert.match(f.message, /^`pgxpool\.New` creates a connection pool without `pool_max_conns`: pgxpool defaults to max\(4, number of CPUs\) connections/);
    });

    it('leaves configured and unknown pgxpool pools alone', () => {
      const src = code`
        package store

        func a(ctx context.Context) {
        	p1, _ := pgxpool.New(ctx, "postgres://app@db/app?pool_max_conns=20")
        	p2, _ := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
        	cfg, _ := pgxpool.ParseConfig(dsn)
        	p3, _ := pgxpool.NewWithConfig(ctx, cfg)
        	conf, _ := pgxpool.ParseConfig("postgres://app@db/app")
        	conf.MaxConns = 30
        	p4, _ := pgxpool.NewWithConfig(ctx, conf)
        	p5, _ := pgxpool.New(ctx, "host=db pool_max_conns=10")
        	use(p1, p2, p3, p4, p5)
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
    });

    it('leaves the project’s own Open wrappers alone, whatever their package is called', () => {
      // The project's db.Open sizes its pool inside; a project package imported as `sql` is not database/sql.
      const src = code`
        package main

        import (
        	"example.com/app/internal/db"
        	sql "example.com/app/internal/sqlwrap"
        	"example.com/app/internal/gorm"
        )

        func main() {
        	conn, err := db.Open(os.Getenv("DATABASE_URL"))
        	legacy, _ := sql.Open("postgres", dsn)
        	orm, _ := gorm.Open(dsn)
        	use(conn, legacy, orm, err)
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
      const real = code`
        package main

        import (
        	"database/sql"

        	"example.com/app/internal/db"
        )

        func main() {
        	conn, _ := db.Open(os.Getenv("DATABASE_URL"))
        	raw, _ := sql.Open("postgres", dsn)
        	use(conn, raw)
        }
      `;
      assert.deepStrictEqual(hits('go', real, ID), ['sql.Open("postgres", dsn)']);
    });

    it('says what breaks with database/sql', () => {
      const [f] = findingsOf('go', 'package m\nfunc f() {\n\tdb, _ := sql.Open("postgres", dsn)\n\tuse(db)\n}\n', ID);
      assert.strictEqual(
        f.message,
        '`sql.Open` creates a connection pool without `SetMaxOpenConns`: the handle never gets it in this file: database/sql opens one more connection for every concurrent query with no upper bound (and keeps only 2 idle), so a traffic spike opens connections until the database refuses them (PostgreSQL’s default max_connections is 100: “too many clients”).',
      );
    });

    it('fix: configures the pool after the error check and imports time', () => {
      const src = code`
        package store

        import (
        	"database/sql"
        )

        func Open(dsn string) (*sql.DB, error) {
        	db, err := sql.Open("postgres", dsn)
        	// the driver only validates its arguments here
        	if err != nil {
        		return nil, err
        	}
        	return db, nil
        }
      `;
      assert.deepStrictEqual(offeredFixes('go', src, ID), [FIX]);
      assert.strictEqual(
        applyFix('go', src, ID, FIX),
        code`
          package store

          import (
          	"time"
          	"database/sql"
          )

          func Open(dsn string) (*sql.DB, error) {
          	db, err := sql.Open("postgres", dsn)
          	// the driver only validates its arguments here
          	if err != nil {
          		return nil, err
          	}
          	db.SetMaxOpenConns(100)
          	db.SetMaxIdleConns(25)
          	db.SetConnMaxLifetime(5 * time.Minute)
          	db.SetConnMaxIdleTime(2 * time.Minute)
          	return db, nil
          }
        `,
      );
    });

    it('fix: right after a MustConnect, keeping setters already made and the existing time import', () => {
      const src = code`
        package store

        import "time"

        func (s *Store) init(dsn string) {
        	s.db = sqlx.MustConnect("postgres", dsn)
        	s.db.SetConnMaxLifetime(time.Hour)
        }
      `;
      assert.strictEqual(
        applyFix('go', src, ID, FIX),
        code`
          package store

          import "time"

          func (s *Store) init(dsn string) {
          	s.db = sqlx.MustConnect("postgres", dsn)
          	s.db.SetMaxOpenConns(100)
          	s.db.SetMaxIdleConns(25)
          	s.db.SetConnMaxIdleTime(2 * time.Minute)
          	s.db.SetConnMaxLifetime(time.Hour)
          }
        `,
      );
    });

    it('fix: configures gorm through its *sql.DB', () => {
      const src = code`
        package store

        import "gorm.io/gorm"

        func Open(dsn string) *gorm.DB {
        	db, err := gorm.Open(postgres.Open(dsn), &gorm.Config{})
        	if err != nil {
        		log.Fatal(err)
        	}
        	return db
        }
      `;
      assert.strictEqual(
        applyFix('go', src, ID, FIX),
        code`
          package store

          import "gorm.io/gorm"
          import "time"

          func Open(dsn string) *gorm.DB {
          	db, err := gorm.Open(postgres.Open(dsn), &gorm.Config{})
          	if err != nil {
          		log.Fatal(err)
          	}
          	if sqlDB, err := db.DB(); err == nil {
          		sqlDB.SetMaxOpenConns(100)
          		sqlDB.SetMaxIdleConns(25)
          		sqlDB.SetConnMaxLifetime(5 * time.Minute)
          		sqlDB.SetConnMaxIdleTime(2 * time.Minute)
          	}
          	return db
          }
        `,
      );
    });

    it('fix: pgxpool gets pool_max_conns in its URL, or MaxConns on its config', () => {
      const url = 'package m\nfunc f() {\n\tp, _ := pgxpool.New(ctx, "postgres://db/app?sslmode=disable")\n\tuse(p)\n}\n';
      assert.strictEqual(
        applyFix('go', url, ID, FIX),
        'package m\nfunc f() {\n\tp, _ := pgxpool.New(ctx, "postgres://db/app?sslmode=disable&pool_max_conns=100")\n\tuse(p)\n}\n',
      );
      const dsn = 'package m\nfunc f() {\n\tp, _ := pgxpool.New(ctx, `host=db user=app`)\n\tuse(p)\n}\n';
      assert.strictEqual(
        applyFix('go', dsn, ID, FIX),
        'package m\nfunc f() {\n\tp, _ := pgxpool.New(ctx, `host=db user=app pool_max_conns=100`)\n\tuse(p)\n}\n',
      );
      const cfg = code`
        package m

        func f(ctx context.Context, cfg *pgxpool.Config) (*pgxpool.Pool, error) {
        	return pgxpool.NewWithConfig(ctx, cfg)
        }
      `;
      assert.strictEqual(
        applyFix('go', cfg, ID, FIX),
        code`
          package m

          func f(ctx context.Context, cfg *pgxpool.Config) (*pgxpool.Pool, error) {
          	cfg.MaxConns = 100
          	return pgxpool.NewWithConfig(ctx, cfg)
          }
        `,
      );
    });

    it('fix: a pool opened into a struct field goes through a variable first', () => {
      const src = code`
        package reports

        import (
        	"time"
        )

        func New(dsn string) *Reports {
        	return &Reports{db: sqlx.MustConnect("postgres", dsn), ttl: time.Hour}
        }
      `;
      assert.strictEqual(
        applyFix('go', src, ID, FIX),
        code`
          package reports

          import (
          	"time"
          )

          func New(dsn string) *Reports {
          	db := sqlx.MustConnect("postgres", dsn)
          	db.SetMaxOpenConns(100)
          	db.SetMaxIdleConns(25)
          	db.SetConnMaxLifetime(5 * time.Minute)
          	db.SetConnMaxIdleTime(2 * time.Minute)
          	return &Reports{db: db, ttl: time.Hour}
          }
        `,
      );
    });

    it('fix: not offered where no statement can follow the open', () => {
      // Package level: no statement can follow. Before an error check: db would be nil on error.
      assert.deepStrictEqual(offeredFixes('go', 'package m\n\nvar db = sqlx.MustConnect("postgres", dsn)\n', ID), []);
      const unchecked = 'package m\nfunc f() {\n\tdb, err := sql.Open("postgres", dsn)\n\tuse(db)\n\tcheck(err)\n}\n';
      assert.deepStrictEqual(offeredFixes('go', unchecked, ID), []);
      // A struct field whose name is already used in the function: a new variable would collide.
      const field = 'package m\nfunc f(db string) *S {\n\treturn &S{db: sqlx.MustConnect("postgres", db)}\n}\n';
      assert.deepStrictEqual(offeredFixes('go', field, ID), []);
    });
  });

  for (const lang of ['typescript', 'javascript'] as const) {
    describe(lang, () => {
      it('flags pg pools without max', () => {
        const src = code`
          import { Pool } from 'pg';

          export const pool = new Pool({ connectionString: process.env.DATABASE_URL });
          export const bare = new Pool();
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ['new Pool({ connectionString: process.env.DATABASE_URL })', 'new Pool()']);
      });

      it('flags pg pools through the module object, a require, an alias and the ESM default import', () => {
        const src = code`
          const pg = require('pg');
          const { Pool: PgPool } = require('pg');
          const a = new pg.Pool({ host: 'db' });
          const b = new PgPool({ host: 'db' });
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ["new pg.Pool({ host: 'db' })", "new PgPool({ host: 'db' })"]);
        const esm = code`
          import pg from 'pg';
          const { Pool } = pg;
          const pool = new Pool({ host: 'db' });
        `;
        assert.deepStrictEqual(hits(lang, esm, ID), ["new Pool({ host: 'db' })"]);
      });

      it('leaves configured, unknown and other libraries’ pools alone', () => {
        const src = code`
          import { Pool } from 'pg';
          const a = new Pool({ connectionString, max: 30 });
          const b = new Pool(config);
          const c = new Pool({ ...base, connectionString });
          const d = new Pool({ 'max': 5 });
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
        const undici = code`
          import { Pool } from 'undici';
          const dispatcher = new Pool('http://localhost:3000');
          const tasks = new Pool({ workers: 4 });
        `;
        assert.deepStrictEqual(hits(lang, undici, ID), []);
        const mixed = code`
          import { Pool } from 'undici';
          import pg from 'pg';
          const http = new Pool({ connections: 10 });
          const db = new pg.Pool({ host: 'db', max: 10 });
        `;
        assert.deepStrictEqual(hits(lang, mixed, ID), []);
      });

      it('flags mysql2 createPool without connectionLimit', () => {
        const src = code`
          import mysql from 'mysql2/promise';
          import { createPool } from 'mysql2';
          const a = mysql.createPool({ host: 'db', user: 'app' });
          const b = createPool('mysql://app@db/app');
          const c = mysql.createPool({ host: 'db', connectionLimit: 25 });
          const d = mysql.createPool(process.env.DATABASE_URL);
          const e = createPool('mysql://app@db/app?connectionLimit=10');
          const f = mysql.createConnection({ host: 'db' });
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ["mysql.createPool({ host: 'db', user: 'app' })", "createPool('mysql://app@db/app')"]);
      });

      it('leaves createPool from other modules alone', () => {
        const src = code`
          import { createPool } from 'generic-pool';
          import mysql from 'mysql2';
          const workers = createPool(factory, { max: 10 });
          const viaOther = genericPool.createPool(factory, opts);
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });

      it('flags MongoClient and mongoose connections without maxPoolSize', () => {
        const src = code`
          import { MongoClient } from 'mongodb';
          import mongoose from 'mongoose';
          const client = new MongoClient(process.env.MONGO_URL);
          const legacy = await MongoClient.connect(url, { useUnifiedTopology: true });
          await mongoose.connect(process.env.MONGO_URL);
          const conn = mongoose.createConnection(url, { autoIndex: false });
        `;
        assert.deepStrictEqual(hits(lang, src, ID), [
          'new MongoClient(process.env.MONGO_URL)',
          'MongoClient.connect(url, { useUnifiedTopology: true })',
          'mongoose.connect(process.env.MONGO_URL)',
          'mongoose.createConnection(url, { autoIndex: false })',
        ]);
      });

      it('leaves configured and unknown Mongo connections alone', () => {
        const src = code`
          import { MongoClient } from 'mongodb';
          import mongoose, { connect } from 'mongoose';
          const a = new MongoClient(url, { maxPoolSize: 50 });
          const b = new MongoClient('mongodb://db/app?maxPoolSize=20');
          const c = new MongoClient(url, options);
          const d = new MongoClient(url, { ...defaults });
          await mongoose.connect(url, { maxPoolSize: 10 });
          await connect(\`mongodb://\${host}/app?maxPoolSize=10\`);
          await redis.connect();
          await client.connect();
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });

      it('needs evidence that the client is MongoDB’s', () => {
        const src = code`
          import { connect } from './db';
          const client = new MongoClient(url);
          await connect(url);
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
        const named = code`
          import { connect } from 'mongoose';
          import { MongoClient as Mongo } from 'mongodb';
          await connect(url);
          const c = new Mongo(url);
        `;
        assert.deepStrictEqual(hits(lang, named, ID), ['connect(url)', 'new Mongo(url)']);
      });

      it('leaves the project’s own createPool helpers alone: imported from its modules or defined in the file', () => {
        const src = code`
          import { createPool } from './db/pool';
          import { createPool as makePool, MongoClient } from '@app/database';

          const pool = createPool({ host: 'db' });
          const other = makePool({ host: 'db' });
          const mongo = new MongoClient(url);
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
        const local = code`
          import mysql from 'mysql2/promise';

          function createPool(options) {
            return mysql.createPool({ ...options, connectionLimit: 20 });
          }

          export const pool = createPool({ host: 'db' });
          export const reports = mysql.createPool({ host: 'reports' });
        `;
        assert.deepStrictEqual(hits(lang, local, ID), ["mysql.createPool({ host: 'reports' })"]);
      });

      it('says what breaks with node-postgres', () => {
        const [f] = findingsOf(lang, "import { Pool } from 'pg';\nconst pool = new Pool();\n", ID);
        assert.strictEqual(
          f.message,
          '`new Pool` creates a connection pool without `max`: node-postgres defaults to 10 connections and waits for a free one with no timeout (`connectionTimeoutMillis: 0`), so the 11th concurrent query queues and under load requests hang instead of failing fast.',
        );
      });

      it('fix: adds pg settings to the options, or creates them', () => {
        const src = "import { Pool } from 'pg';\nconst pool = new Pool({ connectionString });\n";
        assert.deepStrictEqual(offeredFixes(lang, src, ID), [FIX]);
        assert.strictEqual(
          applyFix(lang, src, ID, FIX),
          "import { Pool } from 'pg';\nconst pool = new Pool({ connectionString, max: 20, idleTimeoutMillis: 30000, connectionTimeoutMillis: 5000 });\n",
        );
        assert.strictEqual(
          applyFix(lang, "import pg from 'pg';\nconst pool = new pg.Pool();\n", ID, FIX),
          "import pg from 'pg';\nconst pool = new pg.Pool({ max: 20, idleTimeoutMillis: 30000, connectionTimeoutMillis: 5000 });\n",
        );
        assert.strictEqual(
          applyFix(lang, "import { Pool } from 'pg';\nconst pool = new Pool;\n", ID, FIX),
          "import { Pool } from 'pg';\nconst pool = new Pool({ max: 20, idleTimeoutMillis: 30000, connectionTimeoutMillis: 5000 });\n",
        );
        const multi = code`
          import { Pool } from 'pg';
          export const pool = new Pool({
            host: process.env.PGHOST,
            idleTimeoutMillis: 10000,
          });
        `;
        assert.strictEqual(
          applyFix(lang, multi, ID, FIX),
          code`
            import { Pool } from 'pg';
            export const pool = new Pool({
              host: process.env.PGHOST,
              idleTimeoutMillis: 10000,
              max: 20,
              connectionTimeoutMillis: 5000,
            });
          `,
        );
      });

      it('fix: mysql2 gets connectionLimit, a URI string becomes an options object', () => {
        assert.strictEqual(
          applyFix(lang, "import mysql from 'mysql2';\nconst p = mysql.createPool({ host: 'db' });\n", ID, FIX),
          "import mysql from 'mysql2';\nconst p = mysql.createPool({ host: 'db', connectionLimit: 20, waitForConnections: true, queueLimit: 0 });\n",
        );
        assert.strictEqual(
          applyFix(lang, "import { createPool } from 'mysql2/promise';\nconst p = createPool('mysql://app@db/app');\n", ID, FIX),
          "import { createPool } from 'mysql2/promise';\nconst p = createPool({ uri: 'mysql://app@db/app', connectionLimit: 20, waitForConnections: true, queueLimit: 0 });\n",
        );
      });

      it('fix: Mongo clients get an options argument, or maxPoolSize in theirs', () => {
        assert.strictEqual(
          applyFix(lang, "import mongoose from 'mongoose';\nawait mongoose.connect(process.env.MONGO_URL);\n", ID, FIX),
          "import mongoose from 'mongoose';\nawait mongoose.connect(process.env.MONGO_URL, { maxPoolSize: 100, minPoolSize: 10, maxIdleTimeMS: 30000, waitQueueTimeoutMS: 5000 });\n",
        );
        assert.strictEqual(
          applyFix(lang, "const { MongoClient } = require('mongodb');\nconst c = new MongoClient('mongodb://db/?minPoolSize=1', {});\n", ID, FIX),
          "const { MongoClient } = require('mongodb');\nconst c = new MongoClient('mongodb://db/?minPoolSize=1', { maxPoolSize: 100, maxIdleTimeMS: 30000, waitQueueTimeoutMS: 5000 });\n",
        );
      });

      it('fix: not offered when the configured defaults leave out the pool size', () => {
        const cfg = config({ fixDefaults: { ...defaultConfig().fixDefaults, nodePg: { idleTimeoutMillis: 1000 } } });
        assert.deepStrictEqual(offeredFixes(lang, "import { Pool } from 'pg';\nconst p = new Pool({ host });\n", ID, 0, cfg), []);
      });
    });
  }

  describe('pools created per request', () => {
    const PER_REQUEST = 'per-request-client';
    const off = config({ rules: { [PER_REQUEST]: 'off' } });
    const both = (lang: 'python' | 'go' | 'typescript', src: string, cfg?: ReturnType<typeof config>): [string[], string[]] => [
      hits(lang, src, ID, cfg),
      hits(lang, src, PER_REQUEST, cfg),
    ];

    it('python: leaves a client made in a handler to per-request-client, reports it when that rule is off', () => {
      const src = code`
        from motor.motor_asyncio import AsyncIOMotorClient
        from sqlalchemy import create_engine

        client = AsyncIOMotorClient(settings.mongo_url)

        @router.get("/users")
        async def users():
            engine = create_engine(settings.database_url)
            other = AsyncIOMotorClient(settings.mongo_url)

        @router.get("/lazy")
        async def lazy():
            global _engine
            if _engine is None:
                _engine = create_engine(settings.database_url)
      `;
      assert.deepStrictEqual(both('python', src), [
        ['AsyncIOMotorClient(settings.mongo_url)', 'create_engine(settings.database_url)'],
        ['create_engine(settings.database_url)', 'AsyncIOMotorClient(settings.mongo_url)'],
      ]);
      assert.deepStrictEqual(findingsOf('python', src, ID).map((f) => f.start), [src.indexOf('AsyncIOMotorClient('), src.lastIndexOf('create_engine(')]);
      assert.deepStrictEqual(both('python', src, off), [
        ['AsyncIOMotorClient(settings.mongo_url)', 'create_engine(settings.database_url)', 'AsyncIOMotorClient(settings.mongo_url)', 'create_engine(settings.database_url)'],
        [],
      ]);
    });

    it('python: a function per-request-client only suspects (no Depends() in the file) keeps this rule’s finding', () => {
      const src = code`
        from sqlalchemy import create_engine

        def get_engine():
            return create_engine(settings.database_url)
      `;
      assert.deepStrictEqual(both('python', src), [['create_engine(settings.database_url)'], []]);
    });

    it('python: stays right when the handler’s results are reused after an edit above it', () => {
      const v1 = code`
        from sqlalchemy import create_engine

        @router.get("/a")
        def a():
            e = create_engine(settings.database_url)
            return e
      `;
      const cache = new UnitCache();
      const cfg = config();
      analyzeText(v1, 'python', cfg, cache);
      // A new module-level engine whose call starts exactly where the handler's used to.
      const at = v1.indexOf('\n') + 1;
      const was = v1.indexOf('create_engine(settings');
      const inserted = `${'engine'.padEnd(was - at - 3, '_')} = create_engine(settings.database_url)\n`;
      const v2 = v1.slice(0, at) + inserted + v1.slice(at);
      assert.strictEqual(v2.indexOf('create_engine(settings'), was);
      cache.noteEdit(at, at, at + inserted.length);
      const hitsBefore = cache.hits;
      const found = analyzeText(v2, 'python', cfg, cache).findings.filter((f) => f.ruleId === ID);
      assert.ok(cache.hits > hitsBefore, 'the handler was not reused from the cache');
      assert.deepStrictEqual(found.map((f) => f.start), [was]);
    });

    it('go: leaves a pool opened in a handler to per-request-client', () => {
      const src = code`
        package api

        func openStore(dsn string) (*sql.DB, error) {
        	db, err := sql.Open("postgres", dsn)
        	return db, err
        }

        func orders(w http.ResponseWriter, r *http.Request) {
        	db, err := sql.Open("postgres", dsn)
        	if err != nil {
        		return
        	}
        	defer db.Close()
        }
      `;
      assert.deepStrictEqual(both('go', src), [['sql.Open("postgres", dsn)'], ['sql.Open("postgres", dsn)']]);
      assert.strictEqual(findingsOf('go', src, ID)[0].start, src.indexOf('sql.Open('));
      assert.strictEqual(findingsOf('go', src, PER_REQUEST)[0].start, src.lastIndexOf('sql.Open('));
      assert.deepStrictEqual(hits('go', src, ID, off), ['sql.Open("postgres", dsn)', 'sql.Open("postgres", dsn)']);
    });

    it('typescript: leaves a pool created in a route to per-request-client', () => {
      const src = code`
        import { Pool } from 'pg';
        import mysql from 'mysql2';

        export const pool = new Pool();

        app.get('/orders', async (req, res) => {
          const perRequest = new Pool();
          const billing = mysql.createPool({ host: 'db' });
          res.json(await perRequest.query('SELECT 1'));
        });
      `;
      assert.deepStrictEqual(both('typescript', src), [['new Pool()'], ['new Pool()', "mysql.createPool({ host: 'db' })"]]);
      assert.strictEqual(findingsOf('typescript', src, ID)[0].start, src.indexOf('new Pool()'));
      assert.deepStrictEqual(hits('typescript', src, ID, off), ['new Pool()', 'new Pool()', "mysql.createPool({ host: 'db' })"]);
    });
  });
});
