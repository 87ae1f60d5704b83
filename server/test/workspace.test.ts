import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-protocol';
import { URI } from 'vscode-uri';
import type { Readiness } from '../src/readiness/model';
import { LspClient } from './lsp-client';

interface ReadinessReply {
  readiness: Readiness;
  lastScan: string | null;
  scanning: boolean;
}

const MOTOR = 'from motor.motor_asyncio import AsyncIOMotorClient\nclient = AsyncIOMotorClient(URL)\n';
const MOTOR_SIZED = 'from motor.motor_asyncio import AsyncIOMotorClient\nclient = AsyncIOMotorClient(URL, maxPoolSize=50)\n';
const CAP_LOOP = [
  'async def remind(db):',
  '    users = await db.users.find({}).to_list(1000)',
  '    for u in users:',
  '        await send_email(u["email"])',
  '',
].join('\n');

function write(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
}

function status(r: Readiness, category: string): [string, string] {
  const c = r.categories.find((x) => x.category === category)!;
  return [c.status, c.reason];
}

/**
 * A temporary workspace of these files with a server started on it, scanned at startup: set up
 * before the suite's tests and removed after them. `state()` gives the folder and the client.
 */
function scannedWorkspace(prefix: string, files: Record<string, string>): () => { dir: string; client: LspClient } {
  let dir = '';
  let client: LspClient | undefined;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    write(dir, files);
    client = await LspClient.start({ rootDir: dir });
    await client.waitFor(() => client!.custom.length > 0, 'headroom/readinessChanged after the startup scan');
  });
  after(() => {
    client?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => ({ dir, client: client! });
}

/** Opens a module and appends a route to it (unsaved), then waits for the server to ask for the other files' diagnostics again. */
async function openAndAddRoute(client: LspClient, uri: string, text: string, route: string): Promise<void> {
  client.open(uri, 'python', text);
  await client.diagnostics(uri);
  const refreshes = client.refreshes;
  const end = text.split('\n').length - 1;
  client.change(uri, 2, [{ range: { start: { line: end, character: 0 }, end: { line: end, character: 0 } }, text: route }]);
  await client.diagnostics(uri);
  await client.waitFor(() => client.refreshes > refreshes, 'workspace/diagnostic/refresh after a route started calling the helper');
}

describe('workspace scan and readiness (LSP protocol)', function () {
  let dir: string;
  let client: LspClient;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-ws-'));
    write(dir, {
      'app/db.py': MOTOR,
      'app/jobs.py': CAP_LOOP,
      'node_modules/lib/index.js': 'const r = await posts.find({}).limit(5000).toArray();\n',
      'excluded/gen.py': CAP_LOOP,
    });
    client = await LspClient.start({ rootDir: dir, progress: true, settings: { excludes: ['excluded/'] } });
  });

  after(() => {
    client?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('scans the workspace at startup with work-done progress, honouring ignores and excludes', async () => {
    await client.waitFor(() => client.custom.length > 0, 'headroom/readinessChanged after the startup scan');
    const kinds = client.progress.map((p) => p.value.kind);
    assert.strictEqual(kinds[0], 'begin');
    assert.strictEqual(client.progress[0].value.cancellable, true);
    assert.strictEqual(kinds[kinds.length - 1], 'end');
    const r = (await client.conn.sendRequest('headroom/readiness')) as ReadinessReply;
    assert.ok(r.lastScan && !r.scanning);
    assert.strictEqual(r.readiness.filesScanned, 2, 'node_modules and the excluded folder are not scanned');
    assert.strictEqual(r.readiness.verdict, 'Not ready for 100K users: 1 blocker in query bounds.');
    assert.deepStrictEqual(status(r.readiness, 'connection-pooling'), ['at-risk', '1 warning']);
    assert.deepStrictEqual(status(r.readiness, 'query-bounds'), ['blocker', '1 blocker']);
  });

  it('an open editor counts with its unsaved text; a file changed on disk is re-analysed', async () => {
    const db = path.join(dir, 'app', 'db.py');
    const uri = URI.file(db).toString();
    client.open(uri, 'python', MOTOR_SIZED);
    let r = (await client.conn.sendRequest('headroom/readiness')) as ReadinessReply;
    assert.deepStrictEqual(status(r.readiness, 'connection-pooling'), ['ok', 'connection pool sized in app/db.py:2']);
    client.close(uri);

    const before = client.custom.length;
    fs.writeFileSync(path.join(dir, 'app', 'jobs.py'), CAP_LOOP.replace('to_list(1000)', 'to_list(None)'));
    client.watchedFilesChanged([{ uri: URI.file(path.join(dir, 'app', 'jobs.py')).toString(), type: 2 }]);
    await client.waitFor(() => client.custom.length > before, 'headroom/readinessChanged after a file change');
    r = (await client.conn.sendRequest('headroom/readiness')) as ReadinessReply;
    assert.deepStrictEqual(status(r.readiness, 'query-bounds'), ['at-risk', '1 warning']);
    assert.strictEqual(r.readiness.verdict, 'At risk at 100K users: 2 warnings in connection pooling and query bounds.');
  });

  it('exports the readiness report as Markdown: verdict, category table, every finding with its fix', async () => {
    const { markdown } = (await client.conn.sendRequest('headroom/exportReport')) as { markdown: string };
    const lines = markdown.split('\n');
    assert.strictEqual(lines[0], '## Headroom readiness report');
    assert.strictEqual(lines[2], '**At risk at 100K users: 2 warnings in connection pooling and query bounds.**');
    assert.ok(lines.includes('| Connection pooling | ⚠️ at risk | 0 | 1 | 1 warning |'));
    assert.ok(lines.some((l) => l.startsWith('- `app/db.py:2:10` warning — `AsyncIOMotorClient` creates a connection pool')));
    assert.ok(lines.some((l) => l.startsWith('Fix: Add pool settings')));
  });

  it('a rescan can be cancelled from its progress, and typing is served while it runs', async function () {
    const many: Record<string, string> = {};
    for (let i = 0; i < 400; i++) many[`bulk/m${i}.py`] = CAP_LOOP.repeat(20);
    write(dir, many);
    const uri = URI.file(path.join(dir, 'app', 'typing.py')).toString();
    client.open(uri, 'python', 'rows = q.limit(limit * 2)\n');
    const begins = client.progress.filter((p) => p.value.kind === 'begin').length;
    const scan = client.conn.sendRequest('headroom/scanWorkspace') as Promise<{ files: number; cancelled: boolean }>;
    await client.waitFor(() => client.progress.filter((p) => p.value.kind === 'begin').length > begins, 'the rescan to begin');
    // While the scan runs, a keystroke's diagnostics come back.
    const diags = await client.diagnostics(uri);
    assert.strictEqual(diags.length, 1);
    const running = client.progress.filter((p) => p.value.kind === 'end').length;
    const token = [...client.progress].reverse().find((p) => p.value.kind === 'begin')!.token;
    assert.strictEqual(running, begins, 'the diagnostics came back before the scan ended');
    client.conn.sendNotification('window/workDoneProgress/cancel', { token });
    const outcome = await scan;
    assert.strictEqual(outcome.cancelled, true);
    assert.ok(outcome.files < 400, `stopped early (${outcome.files} files)`);
  });
});

describe('workspace rules in the editor (LSP protocol)', function () {
  const ENGINE = 'from sqlalchemy import create_engine\nengine = create_engine("postgresql://db/app", pool_size=20, max_overflow=10)\n';
  const state = scannedWorkspace('headroom-wsr-', { 'requirements.txt': '', 'Dockerfile': 'CMD gunicorn -w 4 app:app\n', 'db.py': ENGINE, 'reports.py': ENGINE.replace('engine =', 'reports_engine =') });

  const oversized = (ds: Diagnostic[]) => ds.filter((d) => d.code === 'pool-oversized');

  it('an open file shows the workspace finding, with related information in the deployment file', async () => {
    const { dir, client } = state();
    const uri = URI.file(path.join(dir, 'db.py')).toString();
    client.open(uri, 'python', ENGINE);
    const [d] = oversized(await client.diagnostics(uri));
    assert.deepStrictEqual(d.range, { start: { line: 1, character: 56 }, end: { line: 1, character: 58 } });
    assert.match(d.message as string, /^Up to 120 connections: a pool of 30 \(pool_size 20 \+ max_overflow 10\) × 4 processes \(gunicorn -w, Dockerfile:1\)/);
    assert.deepStrictEqual(d.relatedInformation, [
      { location: { uri: URI.file(path.join(dir, 'Dockerfile')).toString(), range: { start: { line: 0, character: 16 }, end: { line: 0, character: 17 } } }, message: '4 processes: gunicorn -w' },
    ]);
  });

  it('typing that only moves the pool moves the finding with it, at once', async () => {
    const { dir, client } = state();
    const uri = URI.file(path.join(dir, 'db.py')).toString();
    client.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# the database\n' }]);
    const [moved] = oversized(await client.diagnostics(uri));
    assert.deepStrictEqual(moved.range, { start: { line: 2, character: 56 }, end: { line: 2, character: 58 } });
    client.change(uri, 3, [{ range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, text: '' }]);
    const [back] = oversized(await client.diagnostics(uri));
    assert.deepStrictEqual(back.range, { start: { line: 1, character: 56 }, end: { line: 1, character: 58 } });
  });

  it('typing a smaller pool removes it at once, without touching the disk; other open files are left alone', async () => {
    const { dir, client } = state();
    const uri = URI.file(path.join(dir, 'db.py')).toString();
    const other = URI.file(path.join(dir, 'reports.py')).toString();
    client.open(other, 'python', ENGINE.replace('engine =', 'reports_engine ='));
    assert.strictEqual(oversized(await client.diagnostics(other)).length, 1);
    const refreshes = client.refreshes;
    const col = ENGINE.split('\n')[1].indexOf('20');
    client.change(uri, 4, [{ range: { start: { line: 1, character: col }, end: { line: 1, character: col + 2 } }, text: '5' }]);
    assert.deepStrictEqual(oversized(await client.diagnostics(uri)), []);
    assert.strictEqual(oversized(await client.diagnostics(other)).length, 1);
    await new Promise((r) => setTimeout(r, 400));
    assert.strictEqual(client.refreshes, refreshes, 'no other file changed: no refresh');
  });

  it('a change to the deployment file on disk re-judges the open files and asks the client to pull again', async () => {
    const { dir, client } = state();
    const other = URI.file(path.join(dir, 'reports.py')).toString();
    const refreshes = client.refreshes;
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'CMD gunicorn -w 2 app:app\n');
    client.watchedFilesChanged([{ uri: URI.file(path.join(dir, 'Dockerfile')).toString(), type: 2 }]);
    await client.waitFor(() => client.refreshes > refreshes, 'workspace/diagnostic/refresh');
    assert.deepStrictEqual(oversized(await client.diagnostics(other)), [], '30 × 2 = 60 fits');
  });
});

describe('findings through calls in the editor (LSP protocol)', function () {
  const ROUTES = [
    'from fastapi import APIRouter',
    'from .services import notify_owner',
    'router = APIRouter()',
    '',
    '@router.get("/orders")',
    'def orders(session):',
    '    for o in session.query(Order).all():',
    '        notify_owner(session, o)',
    '',
  ].join('\n');
  const SERVICES = [
    'from sqlalchemy.orm import Session',
    '',
    'def notify_owner(session: Session, order):',
    '    return session.query(User).filter(User.id == order.user_id).first()',
    '',
  ].join('\n');
  const state = scannedWorkspace('headroom-through-', { 'app/__init__.py': '', 'app/routes.py': ROUTES, 'app/services.py': SERVICES });

  const through = (ds: Diagnostic[]) => ds.filter((d) => d.code === 'n-plus-one').map((d) => `${d.range.start.line}: ${String(d.message).slice(0, 40)}`);

  it('a loop calling a helper in another file that queries: shown in the open file, and gone once an edit of the helper stops querying', async () => {
    const { dir, client } = state();
    const routes = URI.file(path.join(dir, 'app', 'routes.py')).toString();
    const services = URI.file(path.join(dir, 'app', 'services.py')).toString();
    client.open(routes, 'python', ROUTES);
    assert.deepStrictEqual(through(await client.diagnostics(routes)), ['7: `notify_owner` runs a database query per']);
    // The helper, open and edited (unsaved): it no longer queries.
    client.open(services, 'python', SERVICES);
    await client.diagnostics(services);
    const refreshes = client.refreshes;
    client.change(services, 2, [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 200 } }, text: '    return order.user_id' }]);
    await client.diagnostics(services);
    await client.waitFor(() => client.refreshes > refreshes, 'workspace/diagnostic/refresh after the helper changed');
    assert.deepStrictEqual(through(await client.diagnostics(routes)), []);
    // Undone: the finding comes back.
    const again = client.refreshes;
    client.change(services, 3, [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 200 } }, text: SERVICES.split('\n')[3] }]);
    await client.diagnostics(services);
    await client.waitFor(() => client.refreshes > again, 'workspace/diagnostic/refresh after the helper changed back');
    assert.deepStrictEqual(through(await client.diagnostics(routes)), ['7: `notify_owner` runs a database query per']);
  });
});

describe('a role another file gives, in the editor (LSP protocol)', function () {
  const AUTH = [
    'from datetime import datetime',
    'from fastapi import Depends, Header',
    'from sqlalchemy.orm import Session',
    'from .db import get_db',
    'from .models import ApiKey',
    '',
    'def current_key(x_api_key: str = Header(...), db: Session = Depends(get_db)):',
    '    key = db.query(ApiKey).filter(ApiKey.token == x_api_key).one()',
    '    key.last_used_at = datetime.utcnow()',
    '    db.add(key)',
    '    return key',
    '',
  ].join('\n');
  const ROUTES = [
    'from fastapi import APIRouter, Depends',
    'from .auth import current_key',
    'router = APIRouter()',
    '',
    '@router.get("/items")',
    'def items(key=Depends(current_key)):',
    '    return {"id": key.id}',
    '',
  ].join('\n');
  const state = scannedWorkspace('headroom-role-', { 'app/__init__.py': '', 'app/auth.py': AUTH, 'app/routes.py': ROUTES, 'app/db.py': 'def get_db():\n    yield None\n', 'app/models.py': 'class ApiKey:\n    pass\n' });

  const writes = (ds: Diagnostic[]) => ds.filter((d) => d.code === 'per-request-db-write').map((d) => `${d.range.start.line}: ${String(d.message).slice(0, 60)}`);

  it('a dependency that writes, registered by a route in another file: shown in the open file, and gone once the route stops depending on it', async () => {
    const { dir, client } = state();
    const auth = URI.file(path.join(dir, 'app', 'auth.py')).toString();
    const routes = URI.file(path.join(dir, 'app', 'routes.py')).toString();
    client.open(auth, 'python', AUTH);
    assert.deepStrictEqual(writes(await client.diagnostics(auth)), ['9: `db.add(...)` writes to the database in the per-request depe']);
    // The route, open and edited (unsaved): it no longer depends on current_key.
    client.open(routes, 'python', ROUTES);
    await client.diagnostics(routes);
    const refreshes = client.refreshes;
    client.change(routes, 2, [{ range: { start: { line: 5, character: 0 }, end: { line: 5, character: 200 } }, text: 'def items(key=None):' }]);
    await client.diagnostics(routes);
    await client.waitFor(() => client.refreshes > refreshes, 'workspace/diagnostic/refresh after the route changed');
    assert.deepStrictEqual(writes(await client.diagnostics(auth)), []);
  });
});

describe('code only start-up runs, in the editor (LSP protocol)', function () {
  const SETTINGS = ['import requests', '', 'async def load_remote_settings():', '    return requests.get("https://config.example.com/settings").json()', ''].join('\n');
  const MAIN = [
    'from fastapi import FastAPI',
    'from .settings import load_remote_settings',
    '',
    'app = FastAPI()',
    '',
    '@app.on_event("startup")',
    'async def warm():',
    '    app.state.settings = await load_remote_settings()',
    '',
  ].join('\n');
  const ROUTE = ['@app.get("/settings")', 'async def settings():', '    return await load_remote_settings()', ''].join('\n');
  const state = scannedWorkspace('headroom-startup-', { 'app/__init__.py': '', 'app/settings.py': SETTINGS, 'app/main.py': MAIN });

  const blocking = (ds: Diagnostic[]) => ds.filter((d) => d.code === 'blocking-call-in-async').map((d) => d.range.start.line);

  it('a blocking call in a helper only a start-up hook reaches is quiet, and shows once an edit of another file makes a route call it', async () => {
    const { dir, client } = state();
    const settings = URI.file(path.join(dir, 'app', 'settings.py')).toString();
    const main = URI.file(path.join(dir, 'app', 'main.py')).toString();
    client.open(settings, 'python', SETTINGS);
    assert.deepStrictEqual(blocking(await client.diagnostics(settings)), []);
    await openAndAddRoute(client, main, MAIN, ROUTE);
    assert.deepStrictEqual(blocking(await client.diagnostics(settings)), [3]);
  });
});

describe('code nothing reaches, in the editor (LSP protocol)', function () {
  const HELPERS = ['import requests', '', 'async def fetch_rates():', '    return requests.get("https://rates.example.com").json()', ''].join('\n');
  const MAIN = ['from fastapi import FastAPI', 'from .helpers import fetch_rates', '', 'app = FastAPI()', '', '@app.get("/health")', 'async def health():', '    return {"ok": True}', ''].join('\n');
  const ROUTE = ['@app.get("/rates")', 'async def rates():', '    return await fetch_rates()', ''].join('\n');
  const state = scannedWorkspace('headroom-unreached-', { 'app/__init__.py': '', 'app/helpers.py': HELPERS, 'app/main.py': MAIN });

  const blocking = (ds: Diagnostic[]) => ds.filter((d) => d.code === 'blocking-call-in-async').map((d) => `${d.range.start.line} ${d.severity === DiagnosticSeverity.Information ? 'info' : d.severity === DiagnosticSeverity.Warning ? 'warning' : 'error'}`);

  it('a blocking call in a helper no route reaches is information, and at its own severity once an edit of another file makes a route call it', async () => {
    const { dir, client } = state();
    const helpers = URI.file(path.join(dir, 'app', 'helpers.py')).toString();
    const main = URI.file(path.join(dir, 'app', 'main.py')).toString();
    client.open(helpers, 'python', HELPERS);
    const before = await client.diagnostics(helpers);
    assert.deepStrictEqual(blocking(before), ['3 info']);
    assert.match(String(before.find((d) => d.code === 'blocking-call-in-async')!.message), /Reported as information: no route, job or start-up code/);
    await openAndAddRoute(client, main, MAIN, ROUTE);
    assert.deepStrictEqual(blocking(await client.diagnostics(helpers)), ['3 error']);
  });
});

describe('a bound in another file, in the editor (LSP protocol)', function () {
  const PAGING = ['MAX_PAGE = 100', '', 'def page_limit(n: int) -> int:', '    if n > MAX_PAGE:', '        return MAX_PAGE', '    return n', ''].join('\n');
  const ROUTES = [
    'from fastapi import APIRouter, Query',
    'from .paging import page_limit',
    '',
    'router = APIRouter()',
    '',
    '@router.get("/orders")',
    'async def orders(db: Db, limit: int = Query(20, ge=1)):',
    '    return await db.orders.find({}).limit(page_limit(limit)).to_list(None)',
    '',
  ].join('\n');
  const state = scannedWorkspace('headroom-bound-', { 'app/__init__.py': '', 'app/paging.py': PAGING, 'app/routes.py': ROUTES });

  const pageSize = (ds: Diagnostic[]) => ds.filter((d) => d.code === 'unbounded-page-size').map((d) => d.range.start.line);

  it('a page size capped by a helper in another file is quiet, shows once an edit of the helper drops the check, and goes when it is back', async () => {
    const { dir, client } = state();
    const paging = URI.file(path.join(dir, 'app', 'paging.py')).toString();
    const routes = URI.file(path.join(dir, 'app', 'routes.py')).toString();
    client.open(routes, 'python', ROUTES);
    assert.deepStrictEqual(pageSize(await client.diagnostics(routes)), []);
    client.open(paging, 'python', PAGING);
    await client.diagnostics(paging);
    // The helper, edited (unsaved): it no longer checks the size.
    const refreshes = client.refreshes;
    client.change(paging, 2, [{ range: { start: { line: 3, character: 0 }, end: { line: 4, character: 200 } }, text: '    pass' }]);
    await client.diagnostics(paging);
    await client.waitFor(() => client.refreshes > refreshes, 'workspace/diagnostic/refresh after the helper lost its check');
    assert.deepStrictEqual(pageSize(await client.diagnostics(routes)), [6]);
    const again = client.refreshes;
    client.change(paging, 3, [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 200 } }, text: '    if n > MAX_PAGE:\n        return MAX_PAGE' }]);
    await client.diagnostics(paging);
    await client.waitFor(() => client.refreshes > again, 'workspace/diagnostic/refresh after the check came back');
    assert.deepStrictEqual(pageSize(await client.diagnostics(routes)), []);
  });
});
