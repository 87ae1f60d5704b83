import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from '../lsp-client';
import type { Rng } from './prng';

export type Lang = 'py' | 'go' | 'ts' | 'js';
export const LANGS: readonly Lang[] = ['py', 'go', 'ts', 'js'];
export const LANGUAGE_ID: Record<Lang, string> = { py: 'python', go: 'go', ts: 'typescript', js: 'javascript' };
export const EXTENSION: Record<Lang, string> = { py: '.py', go: '.go', ts: '.ts', js: '.js' };

export function langOfPath(p: string): Lang | undefined {
  if (p.endsWith('.d.ts')) return undefined;
  return ({ '.py': 'py', '.go': 'go', '.ts': 'ts', '.js': 'js' } as Record<string, Lang>)[path.extname(p)];
}

export interface CorpusDoc {
  name: string;
  lang: Lang;
  text: string;
}

let fixtureCache: CorpusDoc[] | undefined;

/** Every source file of test-fixtures/: real-looking backends, full of findings and look-alikes. */
export function fixtureDocs(): CorpusDoc[] {
  if (fixtureCache) return fixtureCache;
  const out: CorpusDoc[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const lang = langOfPath(p);
        if (lang) out.push({ name: path.relative(path.join(repoRoot(), 'test-fixtures'), p), lang, text: fs.readFileSync(p, 'utf8') });
      }
    }
  };
  walk(path.join(repoRoot(), 'test-fixtures'));
  fixtureCache = out;
  return out;
}

// Generated files: handlers, DB calls, loops, clients, mail, limiters, with random names and numbers, so
// that edits keep creating, moving and removing findings.

const WORDS = ['users', 'orders', 'invoices', 'events', 'devices', 'sessions', 'posts', 'reminders', 'payments', 'items', 'teams', 'audit'];
const CAPS = [5, 10, 20, 50, 100, 500, 1000, 5000];

function pyUnit(r: Rng, i: number): string {
  const w = r.pick(WORDS);
  const cap = r.pick(CAPS);
  const variants = [
    () => `@router.get("/${w}/${i}")\nasync def list_${w}_${i}(limit: int = 20, db=Depends(get_db)):\n    rows = await db.${w}.find({"owner": ${i}}).to_list(${cap})\n    return [serialize(r) for r in rows]\n`,
    () => `@router.get("/${w}/${i}/page")\nasync def page_${w}_${i}(skip: int = 0, limit: int = 50, db=Depends(get_db)):\n    cursor = db.${w}.find({}).skip(skip).limit(limit)\n    return await cursor.to_list(length=limit)\n`,
    () => `async def notify_${w}_${i}(db, message):\n    recipients = await db.${w}.find({"subscribed": True}).to_list(${cap})\n    for r in recipients:\n        profile = await db.profiles.find_one({"_id": r["profile_id"]})\n        await send_push(profile["token"], message)\n`,
    () => `@app.post("/${w}/${i}/mail")\nasync def mail_${w}_${i}(req: Request):\n    with smtplib.SMTP("smtp.example.com", 587) as s:\n        s.send_message(build_message(req))\n    return {"ok": True}\n`,
    () => `def search_${w}_${i}(session, q, limit):\n    return session.execute(select(${cap > 100 ? 'User' : 'Team'}).where(Name.like(q)).limit(limit * ${r.between(2, 4)})).scalars().all()\n`,
    () => `_hits_${i} = {}\n\n\ndef allow_${i}(key):\n    now = time.time()\n    _hits_${i}.setdefault(key, []).append(now)\n    return len(_hits_${i}[key]) < ${cap}\n`,
    () => `@router.get("/${w}/${i}/slow")\nasync def slow_${w}_${i}():\n    time.sleep(${r.between(1, 3)})\n    data = requests.get("https://api.example.com/${w}").json()\n    return data\n`,
    () => `class ${w[0].toUpperCase()}${w.slice(1)}Repo${i}:\n    def __init__(self, db):\n        self.db = db\n\n    async def all(self):\n        return await self.db.${w}.find().to_list(None)\n`,
    () => `# headroom-ignore[hardcoded-fetch-cap]: admin export\nexport_${i} = db.${w}.find().to_list(${cap})\n`,
  ];
  return r.pick(variants)();
}

function goUnit(r: Rng, i: number): string {
  const w = r.pick(WORDS);
  const cap = r.pick(CAPS);
  const variants = [
    () => `func (s *Server) list${i}(w http.ResponseWriter, r *http.Request) {\n\trows, err := s.db.QueryContext(r.Context(), "SELECT id, name FROM ${w} ORDER BY id LIMIT ${cap}")\n\tif err != nil {\n\t\thttp.Error(w, err.Error(), http.StatusInternalServerError)\n\t\treturn\n\t}\n\tdefer rows.Close()\n\tfor rows.Next() {\n\t\tvar id int64\n\t\t_ = rows.Scan(&id)\n\t\t_ = s.db.QueryRowContext(r.Context(), "SELECT email FROM users WHERE id = $1", id).Scan(&id)\n\t}\n}\n`,
    () => `func open${i}(dsn string) (*sql.DB, error) {\n\tdb, err := sql.Open("postgres", dsn)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\treturn db, nil\n}\n`,
    () => `func (s *Server) mail${i}(w http.ResponseWriter, r *http.Request) {\n\tif err := smtp.SendMail(s.addr, nil, "noreply@example.com", []string{r.FormValue("to")}, []byte("hi")); err != nil {\n\t\thttp.Error(w, "mail", http.StatusBadGateway)\n\t}\n}\n`,
    () => `var limiters${i} = make(map[string]*rate.Limiter)\n`,
    () => `func (s *Server) fanout${i}(ctx context.Context, subs []Sub) {\n\tfor _, sub := range subs {\n\t\tgo s.deliver(ctx, sub)\n\t}\n}\n`,
    () => `func (s *Store) page${i}(ctx context.Context, limit int) ([]Row, error) {\n\tvar out []Row\n\terr := s.gorm.WithContext(ctx).Limit(limit * ${r.between(2, 4)}).Find(&out).Error\n\treturn out, err\n}\n`,
    () => `type cache${i} struct {\n\tmu    sync.Mutex\n\titems map[string][]byte\n}\n`,
  ];
  return r.pick(variants)();
}

function tsUnit(r: Rng, i: number, typed: boolean): string {
  const w = r.pick(WORDS);
  const cap = r.pick(CAPS);
  const T = (s: string) => (typed ? s : '');
  const variants = [
    () => `router.get('/${w}/${i}', async (req${T(': Request')}, res${T(': Response')}) => {\n  const rows = await db.collection('${w}').find({ owner: req.user.id }).limit(${cap}).toArray();\n  res.json(rows);\n});\n`,
    () => `router.get('/${w}/${i}/all', async (_req${T(': Request')}, res${T(': Response')}) => {\n  const everyone = await prisma.${w.slice(0, -1)}.findMany();\n  for (const u of everyone) {\n    const owner = await prisma.user.findUnique({ where: { id: u.ownerId } });\n    u.owner = owner;\n  }\n  res.json(everyone);\n});\n`,
    () => `export async function search${i}(q${T(': string')}, limit${T(': number')}) {\n  return prisma.${w.slice(0, -1)}.findMany({ where: { name: { contains: q } }, take: limit * ${r.between(2, 4)} });\n}\n`,
    () => `const hits${i} = new Map${T('<string, number[]>')}();\n`,
    () => `router.post('/${w}/${i}/mail', async (req${T(': Request')}, res${T(': Response')}) => {\n  const transport = nodemailer.createTransport({ host: process.env.SMTP_HOST, port: 587 });\n  await transport.sendMail({ to: req.body.to, subject: 'hi', text: 'hello' });\n  res.sendStatus(204);\n});\n`,
    () => `router.get('/${w}/${i}/file', async (req${T(': Request')}, res${T(': Response')}) => {\n  const file = path.join(root, String(req.params.id));\n  if (!fs.existsSync(file)) return res.sendStatus(404);\n  res.send(fs.readFileSync(file));\n});\n`,
    () => `export const pool${i} = new Pool({ connectionString: process.env.DATABASE_URL });\n`,
    () => `async function broadcast${i}(devices${T(': Device[]')}, message${T(': string')}) {\n  await Promise.all(devices.map((d) => sendPush(d.token, message)));\n}\n`,
  ];
  return r.pick(variants)();
}

const HEADERS: Record<Lang, string> = {
  py: 'import smtplib\nimport time\n\nimport requests\nfrom fastapi import APIRouter, Depends, Request\nfrom motor.motor_asyncio import AsyncIOMotorClient\n\nclient = AsyncIOMotorClient("mongodb://localhost:27017")\ndb = client.app\nrouter = APIRouter()\n\n\n',
  go: 'package api\n\nimport (\n\t"context"\n\t"database/sql"\n\t"net/http"\n\t"net/smtp"\n\t"sync"\n\n\t"golang.org/x/time/rate"\n)\n\n',
  ts: "import { Router, Request, Response } from 'express';\nimport { MongoClient } from 'mongodb';\nimport { Pool } from 'pg';\nimport nodemailer from 'nodemailer';\nimport * as fs from 'fs';\n\nconst mongo = new MongoClient(process.env.MONGO_URL ?? 'mongodb://localhost:27017');\nconst db = mongo.db('app');\nconst router = Router();\n\n",
  js: "'use strict';\nconst express = require('express');\nconst { MongoClient } = require('mongodb');\nconst nodemailer = require('nodemailer');\nconst fs = require('fs');\n\nconst mongo = new MongoClient(process.env.MONGO_URL);\nconst db = mongo.db('app');\nconst router = express.Router();\n\n",
};

/** A generated file of `units` top-level units (handlers, helpers, module-level state). */
export function generateDoc(r: Rng, lang: Lang, units: number): string {
  const parts = [HEADERS[lang]];
  const sep = lang === 'py' ? '\n\n' : '\n';
  for (let i = 0; i < units; i++) {
    parts.push(lang === 'py' ? pyUnit(r, i) : lang === 'go' ? goUnit(r, i) : tsUnit(r, i, lang === 'ts'));
    parts.push(sep);
  }
  return parts.join('');
}

/** A document to fuzz: a fixture (half the time) or a generated file of varied size. */
export function pickDoc(r: Rng, lang: Lang): CorpusDoc {
  const fixtures = fixtureDocs().filter((d) => d.lang === lang);
  if (fixtures.length > 0 && r.chance(0.5)) return r.pick(fixtures);
  const units = r.weighted<number>([[3, r.between(1, 6)], [5, r.between(6, 20)], [1, r.between(20, 60)]]);
  return { name: `generated/${lang}-${units}${EXTENSION[lang]}`, lang, text: generateDoc(r, lang, units) };
}
