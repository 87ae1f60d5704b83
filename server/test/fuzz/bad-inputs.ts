import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ClientCapabilities } from 'vscode-languageserver-protocol/node';
import { URI } from 'vscode-uri';
import { repoRoot } from '../lsp-client';
import { defaultCapabilities, StartError, type Answer, type StartOptions } from './client';
import { Session, type Recorder, type Reference } from './executor';
import type { Failure, FailureClass } from './ops';
import { firstLine } from './oracle';
import { PY } from './scenarios';

/**
 * The catalogue of bad input: malformed requests and notifications, impossible ranges and versions,
 * hostile documents and workspaces, clients with few capabilities. Each must be answered (or, for a
 * notification, leave a server that answers the next pull) within the budget and must not kill the
 * server; its log lines are allowed but should be one line each (a stack trace is "noisy-log").
 * Entries marked `valid` are unusual but legal input: for them an error log is a failure.
 */
export interface BadInput {
  name: string;
  /** Legal input: error logs count as failures, as in the random phase. */
  valid?: boolean;
  /** Runs on a server of its own (a workspace, other capabilities); otherwise on the shared one. */
  own?: boolean;
  run(ctx: Ctx): Promise<void>;
}

export interface BadInputOptions {
  budgetMs: number;
  only?: string;
}

const OK = 'file:///fuzz/bad/ok.py';
const LOOKS = 'file:///fuzz/bad/other.py';

/** What an entry can do: send anything (recorded for the report), check answers, compare with a fresh server. */
export class Ctx {
  readonly sent: unknown[] = [];

  constructor(
    public s: Session,
    readonly budgetMs: number,
    readonly name: string,
  ) {}

  get client() {
    return this.s.client;
  }

  /** A request that must be answered (a result or an error, never silence) within the budget. */
  async request(method: string, params: unknown): Promise<Answer> {
    this.sent.push({ method, params: abbreviate(params) });
    const a = await this.client.request(method, params, this.budgetMs);
    if (a.kind === 'timeout') this.s.fail('hang', `${this.name}: ${method} got no answer within ${a.ms} ms`, `${method}`);
    else if (a.kind === 'closed') this.s.checkAlive();
    return a;
  }

  notify(method: string, params: unknown): void {
    this.sent.push({ method, params: abbreviate(params) });
    this.client.notify(method, params);
  }

  frame(body: string): void {
    this.sent.push({ frame: body.slice(0, 200) });
    this.client.frame(Buffer.from(body, 'utf8'));
  }

  fail(cls: FailureClass, detail: string, extra: Partial<Failure> = {}): void {
    this.s.fail(cls, `${this.name}: ${detail}`, this.name, extra);
  }

  /** The server still answers a pull of a valid document (the check after every notification). */
  async stillAnswers(uri = OK): Promise<void> {
    if (!this.s.broken && this.s.models.has(uri)) await this.s.settledPull(uri);
  }
}

function abbreviate(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v ?? null, (_k, x: unknown) => (typeof x === 'string' && x.length > 200 ? `${x.slice(0, 200)}… (${x.length} chars)` : x)));
}

const pos = (line: number, character: number) => ({ line, character });
const rng = (l1: number, c1: number, l2: number, c2: number) => ({ start: pos(l1, c1), end: pos(l2, c2) });
const td = (uri = OK) => ({ uri });
const ctxNone = { diagnostics: [] };

/** A request answered within budget, any answer accepted. */
const req = (name: string, method: string, params: unknown): BadInput => ({ name, run: async (c) => void (await c.request(method, params)) });
/** A notification, then the server must still answer a pull. */
const note = (name: string, method: string, params: unknown): BadInput => ({
  name,
  run: async (c) => {
    c.notify(method, params);
    await c.stillAnswers();
  },
});

export const BAD_INPUTS: BadInput[] = [
  // Code actions.
  req('codeAction-null-range', 'textDocument/codeAction', { textDocument: td(), range: null, context: ctxNone }),
  req('codeAction-missing-range', 'textDocument/codeAction', { textDocument: td(), context: ctxNone }),
  req('codeAction-missing-context', 'textDocument/codeAction', { textDocument: td(), range: rng(0, 0, 0, 0) }),
  req('codeAction-null-context', 'textDocument/codeAction', { textDocument: td(), range: rng(0, 0, 0, 0), context: null }),
  req('codeAction-null-diagnostics', 'textDocument/codeAction', { textDocument: td(), range: rng(0, 0, 0, 0), context: { diagnostics: null } }),
  req('codeAction-missing-textDocument', 'textDocument/codeAction', { range: rng(0, 0, 0, 0), context: ctxNone }),
  req('codeAction-unknown-uri', 'textDocument/codeAction', { textDocument: td('file:///fuzz/bad/nowhere.py'), range: rng(0, 0, 0, 0), context: ctxNone }),
  req('codeAction-diagnostic-out-of-range', 'textDocument/codeAction', { textDocument: td(), range: rng(999, 0, 999, 5), context: { diagnostics: [{ range: rng(999, 0, 999, 5), code: 'hardcoded-fetch-cap', source: 'headroom', message: 'x' }] } }),
  req('codeAction-negative-range', 'textDocument/codeAction', { textDocument: td(), range: rng(-1, -5, -1, -1), context: { diagnostics: [{ range: rng(-1, -5, -1, -1), code: 'pool-unconfigured', source: 'headroom', message: 'x' }] } }),
  req('codeAction-only-not-an-array', 'textDocument/codeAction', { textDocument: td(), range: rng(0, 0, 5, 0), context: { diagnostics: [], only: 'quickfix' } }),
  req('codeAction-garbage-diagnostics', 'textDocument/codeAction', { textDocument: td(), range: rng(0, 0, 5, 0), context: { diagnostics: [null, 1, 'x', { source: 'headroom' }] } }),
  req('codeAction-range-strings', 'textDocument/codeAction', { textDocument: td(), range: { start: { line: '1', character: 'a' }, end: {} }, context: ctxNone }),
  // Pulls.
  req('pull-unknown-uri', 'textDocument/diagnostic', { textDocument: td('file:///fuzz/bad/nowhere.py') }),
  req('pull-missing-textDocument', 'textDocument/diagnostic', {}),
  req('pull-null-params', 'textDocument/diagnostic', null),
  req('pull-uri-not-a-string', 'textDocument/diagnostic', { textDocument: { uri: 42 } }),
  req('pull-garbage-previousResultId', 'textDocument/diagnostic', { textDocument: td(), previousResultId: { a: [1] } }),
  req('pull-not-a-uri', 'textDocument/diagnostic', { textDocument: td('::not a uri::') }),
  // Commands and Headroom's requests.
  req('executeCommand-fixAll-no-arguments', 'workspace/executeCommand', { command: 'headroom.server.fixAll' }),
  req('executeCommand-fixAll-null-argument', 'workspace/executeCommand', { command: 'headroom.server.fixAll', arguments: [null] }),
  req('executeCommand-fixAll-unopened', 'workspace/executeCommand', { command: 'headroom.server.fixAll', arguments: [{ uri: 'file:///fuzz/bad/nowhere.py' }] }),
  req('executeCommand-fixAll-version-string', 'workspace/executeCommand', { command: 'headroom.server.fixAll', arguments: [{ uri: OK, version: 'latest' }] }),
  req('executeCommand-fixAll-arguments-not-array', 'workspace/executeCommand', { command: 'headroom.server.fixAll', arguments: { uri: OK } }),
  req('executeCommand-unknown-command', 'workspace/executeCommand', { command: 'headroom.nope', arguments: [] }),
  req('unknown-request', 'headroom/nope', { x: 1 }),
  req('readiness-garbage-params', 'headroom/readiness', [1, 2, 3]),
  req('exportReport-without-workspace', 'headroom/exportReport', null),
  note('cancel-unknown-request', '$/cancelRequest', { id: 999999 }),
  note('unknown-notification', 'headroom/nothing', { a: 1 }),
  // Document notifications.
  note('didOpen-missing-textDocument', 'textDocument/didOpen', {}),
  note('didOpen-null-text', 'textDocument/didOpen', { textDocument: { uri: 'file:///fuzz/bad/nulltext.py', languageId: 'python', version: 1, text: null } }),
  note('didOpen-text-not-a-string', 'textDocument/didOpen', { textDocument: { uri: 'file:///fuzz/bad/numtext.py', languageId: 'python', version: 1, text: 42 } }),
  {
    name: 'didOpen-unknown-language',
    run: async (c) => {
      c.notify('textDocument/didOpen', { textDocument: { uri: 'file:///fuzz/bad/x.cob', languageId: 'cobol', version: 1, text: 'IDENTIFICATION DIVISION.' } });
      await c.request('textDocument/diagnostic', { textDocument: td('file:///fuzz/bad/x.cob') });
      await c.request('textDocument/codeAction', { textDocument: td('file:///fuzz/bad/x.cob'), range: rng(0, 0, 0, 3), context: ctxNone });
      await c.stillAnswers();
    },
  },
  {
    name: 'didOpen-twice-other-text',
    run: async (c) => {
      await c.s.run({ op: 'open', uri: LOOKS, languageId: 'python', version: 1, text: PY });
      await c.s.run({ op: 'pull', uri: LOOKS });
      await c.s.run({ op: 'open', uri: LOOKS, languageId: 'python', version: 1, text: PY.replace('1000', '7') });
      await c.s.run({ op: 'compare', uri: LOOKS });
    },
  },
  note('didChange-null-contentChanges', 'textDocument/didChange', { textDocument: { uri: OK, version: 50 }, contentChanges: null }),
  note('didChange-missing-contentChanges', 'textDocument/didChange', { textDocument: { uri: OK, version: 51 } }),
  note('didChange-unopened', 'textDocument/didChange', { textDocument: { uri: 'file:///fuzz/bad/nowhere.py', version: 2 }, contentChanges: [{ text: 'x = 1' }] }),
  note('didChange-null-change', 'textDocument/didChange', { textDocument: { uri: OK, version: 52 }, contentChanges: [null] }),
  note('didChange-null-text', 'textDocument/didChange', { textDocument: { uri: OK, version: 53 }, contentChanges: [{ range: rng(0, 0, 0, 0), text: null }] }),
  note('didChange-range-strings', 'textDocument/didChange', { textDocument: { uri: OK, version: 54 }, contentChanges: [{ range: { start: { line: '1', character: 'a' }, end: { line: null } }, text: 'x' }] }),
  // Ranges and versions the LSP text model does define (it clamps and normalises): compared with a fresh server.
  ...(
    [
      ['didChange-range-beyond-the-end', [{ range: rng(1_000_000, 0, 1_000_001, 5), text: '\nclient2 = AsyncIOMotorClient("x")\n' }]],
      ['didChange-negative-position', [{ range: rng(-3, -7, 0, 4), text: '' }]],
      ['didChange-character-beyond-line', [{ range: rng(2, 500, 4, 900), text: ' # moved' }]],
      ['didChange-reversed-multiline', [{ range: rng(5, 45, 1, 7), text: '' }]],
      ['didChange-empty-changes', []],
    ] as const
  ).map(
    ([name, changes]): BadInput => ({
      name,
      run: async (c) => {
        const uri = `file:///fuzz/bad/${name}.py`;
        await c.s.run({ op: 'open', uri, languageId: 'python', version: 1, text: PY });
        await c.s.run({ op: 'pull', uri });
        c.sent.push({ method: 'textDocument/didChange', params: { version: 2, contentChanges: changes } });
        await c.s.run({ op: 'change', uri, version: 2, changes: changes.map((x) => ({ ...x })) });
        await c.s.run({ op: 'compare', uri });
        await c.s.run({ op: 'close', uri });
      },
    }),
  ),
  {
    name: 'didChange-repeated-version',
    run: async (c) => {
      const uri = 'file:///fuzz/bad/repeated.py';
      await c.s.run({ op: 'open', uri, languageId: 'python', version: 1, text: PY });
      await c.s.run({ op: 'change', uri, version: 2, changes: [{ range: rng(3, 0, 3, 0), text: ' ' }] });
      await c.s.run({ op: 'pull', uri });
      await c.s.run({ op: 'change', uri, version: 2, changes: [{ range: rng(0, 0, 4, 0), text: '' }] });
      await c.s.run({ op: 'compare', uri });
      await c.s.run({ op: 'close', uri });
    },
  },
  {
    name: 'didChange-version-backwards',
    run: async (c) => {
      const uri = 'file:///fuzz/bad/backwards.py';
      await c.s.run({ op: 'open', uri, languageId: 'python', version: 9, text: PY });
      await c.s.run({ op: 'pull', uri });
      await c.s.run({ op: 'change', uri, version: 4, changes: [{ range: rng(5, 41, 5, 45), text: '10' }] });
      await c.s.run({ op: 'compare', uri });
      await c.s.run({ op: 'change', uri, version: 9, changes: [{ range: rng(0, 0, 2, 0), text: '' }] });
      await c.s.run({ op: 'compare', uri });
      await c.s.run({ op: 'close', uri });
    },
  },
  {
    name: 'didChange-version-null',
    run: async (c) => {
      const uri = 'file:///fuzz/bad/nullversion.py';
      await c.s.run({ op: 'open', uri, languageId: 'python', version: 1, text: PY });
      c.notify('textDocument/didChange', { textDocument: { uri, version: null }, contentChanges: [{ range: rng(5, 41, 5, 45), text: '10' }] });
      await c.request('textDocument/diagnostic', { textDocument: td(uri) });
      await c.s.run({ op: 'close', uri });
      await c.stillAnswers();
    },
  },
  note('didClose-unopened', 'textDocument/didClose', { textDocument: td('file:///fuzz/bad/nowhere.py') }),
  {
    name: 'didClose-then-pull-and-codeAction',
    run: async (c) => {
      const uri = 'file:///fuzz/bad/closed.py';
      await c.s.run({ op: 'open', uri, languageId: 'python', version: 1, text: PY });
      await c.s.run({ op: 'close', uri });
      const a = await c.request('textDocument/diagnostic', { textDocument: td(uri) });
      if (a.kind === 'result' && ((a.result as { items?: unknown[] }).items?.length ?? 0) > 0) c.fail('stale', 'a closed document is still answered with its findings', { got: a.result });
      await c.request('textDocument/codeAction', { textDocument: td(uri), range: rng(0, 0, 1, 0), context: ctxNone });
    },
  },
  // Workspace notifications.
  note('didChangeWatchedFiles-garbage', 'workspace/didChangeWatchedFiles', { changes: [{ uri: 'not a uri', type: 9 }, null, { uri: 'file:///fuzz/bad/.headroom.json', type: 2 }, { type: 1 }] }),
  note('didChangeWatchedFiles-null', 'workspace/didChangeWatchedFiles', { changes: null }),
  note('didChangeConfiguration-wrong-types', 'workspace/didChangeConfiguration', { settings: { headroom: { enable: 'yes', debounce: -5, exclude: 'x', targetUsers: 12, quickFix: null } } }),
  note('didChangeConfiguration-null', 'workspace/didChangeConfiguration', { settings: null }),
  note('didChangeWorkspaceFolders-garbage', 'workspace/didChangeWorkspaceFolders', { event: { added: [{ uri: 'x' }, null], removed: null } }),
  // Hostile documents.
  {
    name: 'huge-document-5mb',
    run: async (c) => {
      await c.s.run({ op: 'open', uri: 'file:///fuzz/bad/huge.py', languageId: 'python', version: 1, text: PY + '# filler line\n'.repeat(380_000) });
      await c.s.run({ op: 'pull', uri: 'file:///fuzz/bad/huge.py' });
      await c.s.run({ op: 'change', uri: 'file:///fuzz/bad/huge.py', version: 2, changes: [{ range: rng(2, 0, 2, 0), text: 'x' }] });
      await c.s.run({ op: 'pull', uri: 'file:///fuzz/bad/huge.py' });
      await c.s.run({ op: 'codeAction', uri: 'file:///fuzz/bad/huge.py', range: rng(0, 0, 9, 0) });
      await c.s.run({ op: 'close', uri: 'file:///fuzz/bad/huge.py' });
    },
  },
  {
    name: 'binary-document',
    run: async (c) => {
      const uri = 'file:///fuzz/bad/blob.js';
      await c.s.run({ op: 'open', uri, languageId: 'javascript', version: 1, text: 'const a = 1;\u0000\u0001\u0002\uFFFD q.limit(n * 2)\n'.repeat(1000) });
      await c.s.run({ op: 'pull', uri });
      await c.s.run({ op: 'codeAction', uri, range: rng(0, 0, 5, 0) });
      await c.s.run({ op: 'close', uri });
    },
  },
  ...(
    [
      ['invalid-utf16', 'python', '.py', `x = "\uD800"\n${PY.replace('1000', '10\uDC00')}\uDBFF`],
      ['empty-document', 'go', '.go', ''],
      ['only-line-breaks', 'typescript', '.ts', '\r'.repeat(50_000) + '\n'.repeat(50_000)],
      ['one-500kb-line', 'python', '.py', 'x = [' + '1, '.repeat(170_000) + ']'],
      ['deep-nesting', 'typescript', '.ts', `const x = ${'('.repeat(20_000)}1${')'.repeat(20_000)};\n` + `const y = ${'['.repeat(20_000)};\n`],
      ['deep-python-indentation', 'python', '.py', Array.from({ length: 400 }, (_, i) => `${' '.repeat(i)}if x:\n`).join('') + `${' '.repeat(400)}db.users.find().to_list(1000)\n`],
      ['bom-and-separators', 'javascript', '.js', '\uFEFFconst rows = await db.c.find({}).limit(1000).toArray();\u2028\u2029\r\nconst n = 1;\u0085\n'],
    ] as const
  ).map(
    ([name, languageId, ext, text]): BadInput => ({
      name,
      valid: true,
      run: async (c) => {
        const uri = `file:///fuzz/bad/${name}${ext}`;
        await c.s.run({ op: 'open', uri, languageId, version: 1, text });
        await c.s.run({ op: 'pull', uri });
        await c.s.run({ op: 'codeAction', uri, diag: 0 });
        await c.s.run({ op: 'change', uri, version: 2, changes: [{ range: rng(0, 0, 0, 0), text: 'x' }] });
        await c.s.run({ op: 'compare', uri });
        await c.s.run({ op: 'close', uri });
      },
    }),
  ),
  // Malformed JSON-RPC (last on the shared server: they may break the stream).
  { name: 'message-without-method-or-id', run: async (c) => (c.frame('{"jsonrpc":"2.0"}'), c.stillAnswers()) },
  { name: 'request-id-is-an-object', run: async (c) => (c.frame(JSON.stringify({ jsonrpc: '2.0', id: { a: 1 }, method: 'textDocument/diagnostic', params: { textDocument: td() } })), c.stillAnswers()) },
  { name: 'json-array-batch', run: async (c) => (c.frame('[]'), c.stillAnswers()) },
  { name: 'invalid-json', run: async (c) => (c.frame('{"jsonrpc": "2.0", "id": 77, "method": '), c.stillAnswers()) },
  // Hostile workspaces (each on a server of its own, with a workspace folder).
  ...(
    [
      ['config-null', 'null', true],
      ['config-number', '42', true],
      ['config-string', '"x"', true],
      ['config-deep-nesting', `{"exclude": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`, true],
      ['config-wrong-types', '{"targetUsers": 5, "rules": [], "thresholds": {"fetchCap": "many"}, "exclude": {"a": 1}}', true],
      ['config-bom', '\uFEFF{"rules": {"hardcoded-fetch-cap": "off"}}', false],
    ] as const
  ).map(([name, content, invalid]): BadInput => ({ name, own: true, run: (c) => configCase(c, content, invalid) })),
  { name: 'config-is-a-directory', own: true, run: (c) => configCase(c, undefined, true) },
  { name: 'config-written-while-running', own: true, run: (c) => configWhileRunning(c) },
  { name: 'workspace-symlink-loop-fifo-unreadable', own: true, run: (c) => oddWorkspace(c) },
  // Clients that declare little (legal: the server must register only what they support).
  { name: 'client-without-workspace-capabilities', own: true, valid: true, run: (c) => withoutWorkspaceFolders(c) },
  { name: 'client-with-no-capabilities', own: true, valid: true, run: (c) => noCapabilities(c) },
  { name: 'client-without-versioned-edits', own: true, valid: true, run: (c) => withoutVersionedEdits(c) },
];

function tempWorkspace(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-fuzz-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** Starts the entry's own server; a failed initialize is a failure of the entry. */
async function startOwn(c: Ctx, start: StartOptions): Promise<boolean> {
  c.s.opts.start = { timeoutMs: c.budgetMs * 2, ...start };
  try {
    await c.s.start();
    return true;
  } catch (e) {
    if (e instanceof StartError) {
      c.s.client = e.client;
      c.fail(e.message.includes('no answer') ? 'hang' : 'request-failed', e.message, { got: e.client.logs.map((l) => l.message).slice(0, 3) });
      e.client.kill();
      c.s.broken = true;
      return false;
    }
    throw e;
  }
}

/** A workspace whose `.headroom.json` holds `content` (undefined: a directory of that name). */
async function configCase(c: Ctx, content: string | undefined, invalid: boolean): Promise<void> {
  const dir = tempWorkspace({ 'app.py': PY });
  const cfg = path.join(dir, '.headroom.json');
  if (content === undefined) fs.mkdirSync(cfg);
  else fs.writeFileSync(cfg, content);
  c.sent.push({ workspace: { 'app.py': 'PY', '.headroom.json': content === undefined ? '(a directory)' : content.slice(0, 120) } });
  try {
    if (!(await startOwn(c, { rootDir: dir }))) return;
    const uri = URI.file(path.join(dir, 'app.py')).toString();
    await c.s.run({ op: 'open', uri, languageId: 'python', version: 1, text: PY });
    const items = await c.s.settledPull(uri);
    const cfgUri = URI.file(cfg).toString();
    const reported = () => c.client.published.some((p) => p.uri === cfgUri && p.diagnostics.length > 0) || c.client.logs.some((l) => l.message.includes('.headroom.json'));
    if (invalid) {
      if (!(await c.client.waitUntil(reported, c.budgetMs))) c.fail('inconsistent', 'an unusable .headroom.json is neither reported on the file nor logged: its settings are silently replaced by defaults');
    } else {
      await c.client.waitUntil(() => c.client.published.some((p) => p.uri === cfgUri), 1000);
      const problems = c.client.published.filter((p) => p.uri === cfgUri).flatMap((p) => p.diagnostics.map((d) => String(d.message)));
      if (problems.length > 0) c.fail('inconsistent', `a valid .headroom.json (with a BOM) is reported as invalid: ${firstLine(problems[0])}`, { got: problems });
      if (items?.some((d) => d.code === 'hardcoded-fetch-cap')) c.fail('inconsistent', 'a valid .headroom.json (with a BOM) is not applied: a rule it switches off still reports');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function configWhileRunning(c: Ctx): Promise<void> {
  const dir = tempWorkspace({ 'app.py': PY, '.headroom.json': '{}' });
  const cfg = path.join(dir, '.headroom.json');
  const cfgUri = URI.file(cfg).toString();
  try {
    if (!(await startOwn(c, { rootDir: dir }))) return;
    const uri = URI.file(path.join(dir, 'app.py')).toString();
    await c.s.run({ op: 'open', uri, languageId: 'python', version: 1, text: PY });
    await c.s.settledPull(uri);
    for (const content of ['null', '42', `{"exclude": ${'['.repeat(50_000)}${']'.repeat(50_000)}}`]) {
      const before = c.client.published.length;
      fs.writeFileSync(cfg, content);
      c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: cfgUri, type: 2 }] });
      const reported = await c.client.waitUntil(() => c.client.published.slice(before).some((p) => p.uri === cfgUri && p.diagnostics.length > 0), c.budgetMs);
      await c.s.settledPull(uri);
      if (!reported) return c.fail('inconsistent', `.headroom.json rewritten as ${content.slice(0, 20)} while the server runs: no problem reported on the file`);
      if (c.s.broken) return;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function oddWorkspace(c: Ctx): Promise<void> {
  const dir = tempWorkspace({ 'app.py': PY, 'empty.go': '', 'latin1.py': '', 'sub/deep/handler.ts': 'export const n = 1;\n' });
  fs.writeFileSync(path.join(dir, 'latin1.py'), Buffer.from([0x78, 0x20, 0x3d, 0x20, 0x27, 0xe9, 0xff, 0x27, 0x0a]));
  fs.symlinkSync(dir, path.join(dir, 'loop'));
  fs.symlinkSync(path.join(dir, 'missing-target'), path.join(dir, 'dangling.py'));
  spawnSync('mkfifo', [path.join(dir, 'pipe.py')]);
  fs.writeFileSync(path.join(dir, 'secret.py'), PY);
  fs.chmodSync(path.join(dir, 'secret.py'), 0);
  c.sent.push({ workspace: 'app.py, empty.go, invalid UTF-8 latin1.py, a symlink loop, a dangling symlink, a FIFO pipe.py, an unreadable secret.py' });
  try {
    if (!(await startOwn(c, { rootDir: dir }))) return;
    const scanned = await c.client.waitUntil(() => c.client.notifications.some((n) => n.method === 'headroom/readinessChanged'), c.budgetMs * 2);
    if (!scanned) c.fail('hang', 'the workspace scan did not finish within two budgets');
    const uri = URI.file(path.join(dir, 'app.py')).toString();
    await c.s.run({ op: 'open', uri, languageId: 'python', version: 1, text: PY });
    await c.s.settledPull(uri);
    await c.request('headroom/readiness', null);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Readiness after the startup scan (polled), or the last reply when the scan never comes. */
async function readinessAfterScan(c: Ctx, timeoutMs: number): Promise<{ verdict: string; lastScan: string | null } | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const a = await c.request('headroom/readiness', null);
    if (a.kind !== 'result') return undefined;
    const r = a.result as { readiness: { verdict: string }; lastScan: string | null; scanning: boolean };
    if ((r.lastScan && !r.scanning) || Date.now() > deadline) return { verdict: r.readiness.verdict, lastScan: r.lastScan };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Issue 8 §4: `rootUri`/`workspaceFolders` given, but only `textDocument.diagnostic` declared. */
async function withoutWorkspaceFolders(c: Ctx): Promise<void> {
  const root = path.join(repoRoot(), 'test-fixtures', 'fastapi-motor');
  c.sent.push({ initialize: { rootUri: URI.file(root).toString(), capabilities: { textDocument: { diagnostic: {} } } } });
  if (!(await startOwn(c, { rootDir: root, capabilities: { textDocument: { diagnostic: {} } } }))) return;
  const bare = await readinessAfterScan(c, c.budgetMs * 2);
  const rec = c.s.rec;
  const capable = new Session(rec, c.s.ref, { budgetMs: c.budgetMs, phase: c.s.opts.phase, start: { rootDir: root } });
  try {
    await capable.start();
    const full = await readinessAfterScan(new Ctx(capable, c.budgetMs, c.name), c.budgetMs * 2);
    if (!bare || !full) return;
    if (!bare.lastScan && /^No blockers/.test(bare.verdict)) c.fail('inconsistent', `readiness without a workspace scan says "${bare.verdict}"`, { expected: full.verdict, got: bare.verdict });
    else if (!bare.lastScan) c.fail('inconsistent', 'no workspace scan for a client without workspace capabilities', { expected: full.verdict, got: bare.verdict });
    else if (bare.verdict !== full.verdict) c.fail('inconsistent', 'the readiness verdict depends on the client\'s workspace capabilities', { expected: full.verdict, got: bare.verdict });
  } finally {
    capable.dispose();
  }
}

/** `capabilities: {}`: no pull, so diagnostics must be pushed. */
async function noCapabilities(c: Ctx): Promise<void> {
  c.sent.push({ initialize: { capabilities: {} } });
  if (!(await startOwn(c, { capabilities: {} }))) return;
  const uri = 'file:///fuzz/bad/push.py';
  await c.s.run({ op: 'open', uri, languageId: 'python', version: 1, text: PY });
  const pushed = await c.client.waitUntil(() => c.client.published.some((p) => p.uri === uri && p.diagnostics.length > 0), c.budgetMs);
  if (!pushed) c.fail('inconsistent', 'a client without pull support got no publishDiagnostics');
  await c.request('textDocument/codeAction', { textDocument: td(uri), range: rng(5, 0, 5, 40), context: ctxNone });
}

/** Without `workspaceEdit.documentChanges`: fixes come as plain `changes`, with ranges inside the document. */
async function withoutVersionedEdits(c: Ctx): Promise<void> {
  const caps: ClientCapabilities = defaultCapabilities();
  caps.workspace = { ...caps.workspace, workspaceEdit: { documentChanges: false } };
  if (!(await startOwn(c, { capabilities: caps }))) return;
  const uri = 'file:///fuzz/bad/plain.py';
  await c.s.run({ op: 'open', uri, languageId: 'python', version: 1, text: PY });
  await c.s.run({ op: 'pull', uri });
  for (let d = 0; d < 3; d++) await c.s.run({ op: 'codeAction', uri, diag: d });
  await c.s.run({ op: 'applyFix', uri, diag: 0, action: 0 });
}

/** Runs the catalogue: the shared entries on one server (restarted when one breaks it), the others on their own. */
export async function badInputPhase(opts: BadInputOptions, rec: Recorder, ref: Reference): Promise<void> {
  const shared = new Session(rec, ref, { budgetMs: opts.budgetMs, phase: 'bad-input', lang: 'py' });
  const ready = async () => {
    if (shared.broken || !shared.client?.alive) {
      if (shared.client) await shared.restart();
      else await shared.start();
      await shared.run({ op: 'open', uri: OK, languageId: 'python', version: 1, text: PY });
    }
  };
  try {
    for (const entry of BAD_INPUTS) {
      if (opts.only && !entry.name.includes(opts.only)) continue;
      rec.stats.badInputs++;
      const session = entry.own ? new Session(rec, ref, { budgetMs: opts.budgetMs, phase: `bad-input:${entry.name}`, lang: 'py' }) : shared;
      if (!entry.own) await ready();
      session.opts.phase = `bad-input:${entry.name}`;
      session.logMode = entry.valid ? 'valid' : 'bad-input';
      session.trace = [];
      const c = new Ctx(session, opts.budgetMs, entry.name);
      session.context = () => ({ input: { badInput: entry.name, sent: c.sent } });
      try {
        await entry.run(c);
        if (!session.broken && session.client?.alive) {
          // Late log lines of this input are still its own.
          await c.stillAnswers();
          session.checkAlive();
          session.checkLogs();
        }
      } finally {
        session.context = undefined;
        if (entry.own) session.dispose();
      }
    }
  } finally {
    shared.dispose();
  }
}
