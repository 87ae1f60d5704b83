// Findings through calls (the program model): a loop handing its item to a function that queries,
// an async route calling a sync helper that blocks, a handler calling a mail helper, in the same
// file and across files, with the chain in the message; and what must stay silent.
import * as assert from 'assert';
import { code, findingsOf, scanTree } from './harness';

async function workspace(files: Record<string, string>, ruleId: string): Promise<{ at: string; message: string; related: string[] }[]> {
  const result = await scanTree(files);
  return result.files.flatMap((file) =>
    file.findings.filter((f) => f.ruleId === ruleId).map((f) => ({ at: `${file.path}:${f.line}`, message: f.message, related: f.related.map((r) => `${r.path ?? file.path}:${r.line}`) })),
  );
}

describe('findings through calls', () => {
  describe('n-plus-one', () => {
    it('a loop over query results hands each item to a helper of the same file that queries', () => {
      const src = code`
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        def owner_of(session: Session, order):
            return session.execute(select(User).where(User.id == order.user_id)).scalar_one()

        def label(order):
            return f"#{order.id}"

        def report(session: Session):
            orders = session.execute(select(Order)).scalars().all()
            for o in orders:
                print(owner_of(session, o), label(o))
            for code in ["a", "b"]:
                owner_of(session, code)
      `;
      const found = findingsOf('python', src, 'n-plus-one');
      assert.deepStrictEqual(found.map((f) => src.slice(f.start, f.end)), ['owner_of(session, o)']);
      assert.match(found[0].message, /^`owner_of` runs a database query per item of `orders` through `session\.execute\(\)\.scalar_one` \(line 5\)/);
    });

    it('a loop left right after the helper call (a first-match search) runs it once; a loop that goes on, or a break that leaves only a switch, runs it per item', () => {
      const src = code`
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        def owner_of(session: Session, order):
            return session.execute(select(User).where(User.id == order.user_id)).scalar_one()

        def first_owner(session: Session):
            orders = session.execute(select(Order)).scalars().all()
            for o in orders:
                if o.paid:
                    owner = owner_of(session, o)
                    return owner
            for o in orders:
                owner = owner_of(session, o)
                if owner:
                    break
      `;
      const found = findingsOf('python', src, 'n-plus-one');
      assert.deepStrictEqual(found.map((f) => src.slice(f.start, f.end)), ['owner_of(session, o)']);
      assert.strictEqual(src.slice(0, found[0].start).split('\n').length, 14);
      const ts = code`
        import { PrismaClient } from '@prisma/client';
        const prisma = new PrismaClient();
        async function ownerOf(order: { userId: string }) {
          return prisma.user.findUnique({ where: { id: order.userId } });
        }
        export async function firstOwner() {
          const orders = await prisma.order.findMany();
          for (const o of orders) {
            if (!o.paid) continue;
            const owner = await ownerOf(o);
            return owner;
          }
          for (const o of orders) {
            switch (o.kind) {
              case 'gift':
                await ownerOf(o);
                break;
            }
          }
        }
      `;
      assert.deepStrictEqual(findingsOf('typescript', ts, 'n-plus-one').map((f) => ts.slice(f.start, f.end)), ['ownerOf(o)']);
    });

    it('across files: a route → a service → a repository in other modules, with the chain and each step as related information', async () => {
      const found = await workspace(
        {
          'app/__init__.py': '',
          'app/routes.py': code`
            from fastapi import APIRouter
            from .services import notify_owner
            router = APIRouter()

            @router.get("/orders")
            def orders(session):
                for o in session.query(Order).all():
                    notify_owner(session, o)
          `,
          'app/services.py': code`
            from .repo import find_user
            def notify_owner(session, order):
                return find_user(session, order.user_id)
          `,
          'app/repo.py': code`
            from sqlalchemy.orm import Session
            def find_user(session: Session, user_id):
                return session.get(User, user_id)
          `,
        },
        'n-plus-one',
      );
      assert.deepStrictEqual(found.map((f) => f.at), ['app/routes.py:8']);
      assert.match(found[0].message, /through `find_user` \(app\/services\.py:3\) → `session\.get` \(app\/repo\.py:3\)/);
      assert.deepStrictEqual(found[0].related, ['app/services.py:3', 'app/repo.py:3']);
    });
  });

  describe('blocking-call-in-async', () => {
    it('an async route calls a sync helper that calls requests; awaited async helpers and threads are fine', () => {
      const src = code`
        import asyncio
        import requests
        import httpx

        def fetch_rates():
            return requests.get("https://rates.example.com").json()

        async def fetch_rates_async():
            async with httpx.AsyncClient() as c:
                return (await c.get("https://rates.example.com")).json()

        async def quote():
            a = fetch_rates()
            b = await fetch_rates_async()
            c = await asyncio.to_thread(fetch_rates)
            return a, b, c
      `;
      const found = findingsOf('python', src, 'blocking-call-in-async');
      assert.deepStrictEqual(found.map((f) => src.slice(f.start, f.end)), ['fetch_rates()']);
      assert.match(found[0].message, /blocks the event loop through `requests\.get` \(line 6\)/);
      assert.match(found[0].message, /run `fetch_rates` in a thread \(`await asyncio\.to_thread\(\.\.\.\)`\)\.$/);
    });

    it('typescript: a Koa helper taking the context is its caller\'s helper, not a handler: one finding, at the handler\'s call', () => {
      const src = code`
        import crypto from 'node:crypto';
        import type { Context } from 'koa';

        function sessionHash(ctx: Context): string {
          return crypto.scryptSync(ctx.state.user.secret, 'session', 64).toString('hex');
        }

        function userId(ctx: Context): string {
          return ctx.state.user.id;
        }

        export async function startFlow(ctx: Context): Promise<void> {
          ctx.body = { hash: sessionHash(ctx), id: userId(ctx) };
        }

        export function hashRoute(ctx: Context): void {
          ctx.body = crypto.scryptSync(String(ctx.query.p), 'salt', 64).toString('hex');
        }
      `;
      const found = findingsOf('typescript', src, 'blocking-call-in-async');
      // hashRoute is nobody's helper in the file: its signature makes it a handler.
      assert.deepStrictEqual(found.map((f) => src.slice(f.start, f.end)), ['sessionHash(ctx)', "crypto.scryptSync(String(ctx.query.p), 'salt', 64)"]);
      assert.match(found[0].message, /blocks the event loop through `crypto\.scryptSync` \(line 5\)/);
      assert.match(found[0].message, /move the work to a worker thread/);
      assert.doesNotMatch(found[0].message, /asyncio/);
    });
  });

  describe('unbounded-fan-out', () => {
    it('typescript: per-item work in another file is judged by what it does there; a module the workspace lacks is judged as before', async () => {
      const found = await workspace(
        {
          'package.json': '{ "name": "svc", "dependencies": { "ioredis": "^5.0.0", "@prisma/client": "^5.0.0" } }',
          'src/cache.ts': code`
            import Redis from 'ioredis';
            const redis = new Redis();
            export async function forget(key: string) {
              await redis.del(key);
            }
          `,
          'src/audit.ts': code`
            import { PrismaClient } from '@prisma/client';
            const prisma = new PrismaClient();
            export async function record(userId: string) {
              return prisma.audit.create({ data: { userId } });
            }
          `,
          'src/users.ts': code`
            import { forget } from './cache';
            import { record } from './audit';
            import { notify } from './not-in-this-workspace';

            export async function invalidate(userIds: string[]) {
              await Promise.all(userIds.map((id) => forget(\`user:\${id}\`)));
            }

            export async function audit(userIds: string[]) {
              await Promise.all(userIds.map((id) => record(id)));
            }

            export async function tell(userIds: string[]) {
              const sends = [];
              for (const id of userIds) sends.push(notify(id));
              await Promise.all(sends);
            }
          `,
        },
        'unbounded-fan-out',
      );
      assert.deepStrictEqual(found.map((f) => f.at), ['src/users.ts:10', 'src/users.ts:16']);
      assert.match(found[0].message, /at the same time, and each reaches `prisma\.audit\.create` \(src\/audit\.ts:4\), with no limit/);
      assert.deepStrictEqual(found[0].related, ['src/audit.ts:4']);
      // Judged as before the model, with the loop that builds the list as related information.
      assert.doesNotMatch(found[1].message, /reaches/);
      assert.deepStrictEqual(found[1].related, ['src/users.ts:15']);
    });
  });

  describe('code only start-up runs', () => {
    it('per-request rules say nothing in a helper only start-up reaches, and speak when a handler reaches it too', async () => {
      const files = (withRoute: boolean): Record<string, string> => ({
        'app/__init__.py': '',
        'app/settings.py': code`
          import requests

          async def load_remote_settings():
              return requests.get("https://config.example.com/settings").json()
        `,
        'app/main.py': code`
          from fastapi import FastAPI
          from .settings import load_remote_settings

          app = FastAPI()

          @app.on_event("startup")
          async def warm():
              app.state.settings = await load_remote_settings()
        ${withRoute ? code`
          @app.get("/settings")
          async def settings():
              return await load_remote_settings()
        ` : ''}`,
      });
      assert.deepStrictEqual((await workspace(files(false), 'blocking-call-in-async')).map((f) => f.at), []);
      assert.deepStrictEqual((await workspace(files(true), 'blocking-call-in-async')).map((f) => f.at), ['app/settings.py:4']);
    });

    it('typescript: a process signal handler is shutdown code; the same helper on a route is reported', async () => {
      const files = (withRoute: boolean): Record<string, string> => ({
        'package.json': '{ "name": "api", "dependencies": { "express": "^4.0.0", "@prisma/client": "^5.0.0" } }',
        'src/shutdown.ts': code`
          import { PrismaClient } from '@prisma/client';
          const prisma = new PrismaClient();

          export async function closeSessions(ids: string[]) {
            await Promise.all(ids.map((id) => prisma.session.delete({ where: { id } })));
          }
        `,
        'src/main.ts': code`
          import express from 'express';
          import { closeSessions } from './shutdown';

          const app = express();
          const open: string[] = [];
          process.once('SIGTERM', () => closeSessions(open));
          process.on('exit', async () => { await closeSessions(open); });
          process.on('message', (ids: string[]) => void ids);
        ${withRoute ? code`
          app.post('/sessions/close', async (req, res) => {
            await closeSessions(req.body.ids);
            res.sendStatus(204);
          });
        ` : ''}`,
      });
      assert.deepStrictEqual((await workspace(files(false), 'unbounded-fan-out')).map((f) => f.at), []);
      assert.deepStrictEqual((await workspace(files(true), 'unbounded-fan-out')).map((f) => f.at), ['src/shutdown.ts:5']);
    });

    it('python: signal and atexit handlers are shutdown code', async () => {
      const files = (withRoute: boolean): Record<string, string> => ({
        'app/__init__.py': '',
        'app/cleanup.py': code`
          import requests

          async def deregister():
              requests.post("https://registry.example.com/deregister")
        `,
        'app/main.py': code`
          import atexit
          import signal
          import asyncio
          from fastapi import FastAPI
          from .cleanup import deregister

          app = FastAPI()

          def on_term(signum, frame):
              asyncio.run(deregister())

          signal.signal(signal.SIGTERM, on_term)

          @atexit.register
          def goodbye():
              asyncio.run(deregister())
        ${withRoute ? code`
          @app.post("/deregister")
          async def route():
              await deregister()
        ` : ''}`,
      });
      assert.deepStrictEqual((await workspace(files(false), 'blocking-call-in-async')).map((f) => f.at), []);
      assert.deepStrictEqual((await workspace(files(true), 'blocking-call-in-async')).map((f) => f.at), ['app/cleanup.py:4']);
    });
  });

  describe('embedded databases', () => {
    it('go: N+1 in a store package whose driver is SQLite (imported blank in a sibling file) says nothing; the same code over PostgreSQL is reported', async () => {
      const store = (pkg: string) => code`
        package ${pkg}

        import (
          "context"
          "database/sql"
        )

        type DB struct{ db *sql.DB }

        func (d *DB) Owners(ctx context.Context, ids []int64) ([]string, error) {
          var out []string
          for _, id := range ids {
            var name string
            if err := d.db.QueryRowContext(ctx, "SELECT name FROM users WHERE id = ?", id).Scan(&name); err != nil {
              return nil, err
            }
            out = append(out, name)
          }
          return out, nil
        }
      `;
      const found = await workspace(
        {
          'go.mod': 'module example.com/app\n\ngo 1.22\n',
          'store/sqlite/driver.go': 'package sqlite\n\nimport _ "modernc.org/sqlite"\n',
          'store/sqlite/owners.go': store('sqlite'),
          'store/postgres/driver.go': 'package postgres\n\nimport _ "github.com/lib/pq"\n',
          'store/postgres/owners.go': store('postgres'),
          'store/mixed/driver.go': 'package mixed\n\nimport (\n  _ "modernc.org/sqlite"\n  _ "github.com/go-sql-driver/mysql"\n)\n',
          'store/mixed/owners.go': store('mixed'),
        },
        'n-plus-one',
      );
      assert.deepStrictEqual(found.map((f) => f.at), ['store/mixed/owners.go:14', 'store/postgres/owners.go:14']);
    });

    it('python: a loop of sqlite3 queries in the file that uses sqlite3 says nothing; psycopg2 in the same shape is reported', async () => {
      const repo = (driver: string) => code`
        import ${driver}

        def owners(conn, ids):
            out = []
            for i in ids:
                cur = conn.cursor()
                cur.execute("SELECT name FROM users WHERE id = %s", (i,))
                out.append(cur.fetchone())
            return out

        def connect():
            return ${driver}.connect("app.db")
      `;
      const found = await workspace({ 'app/__init__.py': '', 'app/local.py': repo('sqlite3'), 'app/remote.py': repo('psycopg2') }, 'n-plus-one');
      assert.deepStrictEqual(found.map((f) => f.at), ['app/remote.py:7']);
    });
  });

  describe('go: a type declared in another file of its package', () => {
    it('a method reaches the library through a field the sibling file declares; a field of an unknown type, another package\'s type of the same name, or a test file stays silent', async () => {
      const files = {
        'go.mod': 'module example.com/app\n\ngo 1.22\n',
        'internal/storage/storage.go': code`
          package storage

          import "database/sql"

          type Storage struct {
          	db    *sql.DB
          	cache Cache
          }

          func NewStorage(db *sql.DB) *Storage { return &Storage{db: db} }
        `,
        'internal/storage/api_key.go': code`
          package storage

          // SetAPIKeyUsedTimestamp stamps the key on every authenticated call.
          func (s *Storage) SetAPIKeyUsedTimestamp(userID int64, token string) error {
          	_, err := s.db.Exec("UPDATE api_keys SET last_used_at=now() WHERE user_id=$1 AND token=$2", userID, token)
          	return err
          }

          // TouchCache goes to a field whose type no model knows.
          func (s *Storage) TouchCache(token string) {
          	s.cache.Exec(token)
          }
        `,
        'internal/storage/storage_test.go': code`
          package storage_test

          type Storage struct {
          	db fakeDB
          }
        `,
        'internal/other/other.go': code`
          package other

          type Storage struct {
          	db fakeDB
          }

          func (s *Storage) SetAPIKeyUsedTimestamp(token string) { s.db.Exec(token) }
        `,
        'internal/api/middleware.go': code`
          package api

          import (
          	"net/http"

          	"example.com/app/internal/other"
          	"example.com/app/internal/storage"
          )

          type middleware struct {
          	store *storage.Storage
          	local *other.Storage
          }

          func (m *middleware) apiKeyAuth(next http.Handler) http.Handler {
          	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
          		token := r.Header.Get("X-Auth-Token")
          		m.store.SetAPIKeyUsedTimestamp(1, token)
          		m.store.TouchCache(token)
          		m.local.SetAPIKeyUsedTimestamp(token)
          		next.ServeHTTP(w, r)
          	})
          }
        `,
      };
      const found = await workspace(files, 'per-request-db-write');
      assert.deepStrictEqual(found.map((f) => f.at), ['internal/api/middleware.go:18']);
      assert.match(found[0].message, /reaches `s\.db\.Exec` \(internal\/storage\/api_key\.go:5\)/);
    });
  });

  describe('interceptors named by routes', () => {
    it('typescript: a Nest interceptor that @UseInterceptors puts on some routes runs on those, not on every request; one never named by a route stays global', async () => {
      const interceptor = (name: string, table: string) => code`
        import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
        import { PrismaService } from '../prisma.service';

        @Injectable()
        export class ${name} implements NestInterceptor {
          constructor(private readonly prisma: PrismaService) {}
          intercept(context: ExecutionContext, next: CallHandler) {
            const user = context.switchToHttp().getRequest().user;
            void this.prisma.${table}.update({ where: { id: user.id }, data: { lastUsedOn: new Date() } });
            return next.handle();
          }
        }
      `;
      const found = await workspace(
        {
          'package.json': '{ "name": "api", "dependencies": { "@nestjs/common": "^10.0.0", "@prisma/client": "^5.0.0" } }',
          'src/prisma.service.ts': code`
            import { Injectable } from '@nestjs/common';
            import { PrismaClient } from '@prisma/client';
            @Injectable()
            export class PrismaService extends PrismaClient {}
          `,
          'src/interceptors/token.interceptor.ts': interceptor('TokenInterceptor', 'accessToken'),
          'src/interceptors/active.interceptor.ts': interceptor('ActiveInterceptor', 'user'),
          'src/tokens.controller.ts': code`
            import { Controller, Get, UseInterceptors } from '@nestjs/common';
            import { TokenInterceptor } from './interceptors/token.interceptor';

            @Controller('tokens')
            export class TokensController {
              @Get('collection')
              @UseInterceptors(TokenInterceptor)
              collection() {
                return [];
              }
            }
          `,
          'src/app.module.ts': code`
            import { Module } from '@nestjs/common';
            import { APP_INTERCEPTOR } from '@nestjs/core';
            import { ActiveInterceptor } from './interceptors/active.interceptor';

            @Module({ providers: [{ provide: APP_INTERCEPTOR, useClass: ActiveInterceptor }] })
            export class AppModule {}
          `,
        },
        'per-request-db-write',
      );
      assert.deepStrictEqual(found.map((f) => f.at), ['src/interceptors/active.interceptor.ts:9']);
    });
  });

  describe('sync-smtp-in-request', () => {
    it('a Flask view calls send_email() in another file, which opens smtplib.SMTP', async () => {
      const found = await workspace(
        {
          'shop/__init__.py': '',
          'shop/views.py': code`
            from flask import Flask
            from .mail import send_welcome
            app = Flask(__name__)

            @app.route("/signup", methods=["POST"])
            def signup():
                send_welcome("a@example.com")
                return "ok"
          `,
          'shop/mail.py': code`
            import smtplib
            def send_welcome(to):
                with smtplib.SMTP("mail.example.com") as s:
                    s.sendmail("shop@example.com", [to], "Welcome!")
          `,
        },
        'sync-smtp-in-request',
      );
      assert.deepStrictEqual(found.map((f) => f.at), ['shop/views.py:7']);
      assert.match(found[0].message, /^The Flask route calls `send_welcome`, which sends mail over SMTP through `s\.sendmail` \(shop\/mail\.py:4\)/);
    });

    it('a handler or a job hands each recipient to a mail helper in another file (pooled nodemailer too); not a fixed list, not a single send', async () => {
      const found = await workspace(
        {
          'package.json': '{ "name": "shop" }',
          'src/mail.ts': code`
            import nodemailer from 'nodemailer';
            const transport = nodemailer.createTransport({ host: 'smtp.example.com', pool: true });
            export async function sendEmail(to: string, text: string) {
              await transport.sendMail({ from: 'shop@example.com', to, text });
            }
          `,
          'src/routes.ts': code`
            import express from 'express';
            import { sendEmail } from './mail';
            import { loadSubscribers } from './subscribers';
            const app = express();

            app.post('/announce', async (req, res) => {
              const subscribers = await loadSubscribers(String(req.body.list));
              for (const s of subscribers) {
                await sendEmail(s.email, 'news');
              }
              for (const admin of ['ops@example.com', 'cto@example.com']) {
                await sendEmail(admin, 'announcement sent');
              }
              res.sendStatus(204);
            });

            app.post('/welcome', async (req, res) => {
              await sendEmail(String(req.body.email), 'welcome');
              res.sendStatus(204);
            });
          `,
          'src/subscribers.ts': code`
            export async function loadSubscribers(list: string): Promise<{ email: string }[]> {
              return [];
            }
          `,
        },
        'sync-smtp-in-request',
      );
      assert.deepStrictEqual(found.map((f) => f.at), ['src/routes.ts:9']);
      assert.match(found[0].message, /^`sendEmail` sends one mail per item of `subscribers` through `transport\.sendMail` \(src\/mail\.ts:4\).*while the request waits/);
    });
  });
});
