import type { SyntaxNode } from 'tree-sitter';
import { defineRule, type CandidateInit, type FixTarget, type RuleMatch, type RuleMeta, type Severity, type TextEditInit } from '../../server/src/engine/rule-api';
import { enclosingFunction, isAsyncFunction, isHandlerFunction } from '../../server/src/engine/predicates';
import { isIife, jsArguments, jsFunctionName, pythonArguments, sameNode, stringLiteral } from '../../server/src/engine/syntax';
import { ensurePythonImport } from '../../server/src/engine/edit-helpers';
import type { FileContext } from '../../server/src/model/file-context';
import { models, normaliseModule, queuedWrite, type Callable } from '../../server/src/model/library';
import type { Resolved } from '../../server/src/model/resolve';
import { effectsOf, resolveCallee } from '../unbounded-fan-out/model';
import { blockingThroughCalls } from './through';
import { readsFixedFile } from '../../server/src/model/fixed-path';
import meta from './rule.json';
import python from './python.scm';
import typescript from './typescript.scm';

/**
 * Python: a blocking call directly inside an `async def` (not in a lambda or a nested `def`, which
 * may be handed to a thread). Sync `def` routes are left alone: FastAPI runs them in a threadpool,
 * Flask and Django in worker threads. TypeScript/JavaScript: a blocking call anywhere on the single
 * Node event loop while a request is served: in a request handler or an async function (and the
 * callbacks inside them). Go is not covered: goroutines have no event loop to block.
 */

/** What a Python call blocks on. File access (`file`, and `fs` in TypeScript) is not raised to error with the scale. */
type Kind = 'http' | 'sleep' | 'subprocess' | 'db' | 'file' | 'cpu';

/** `requests.get(...)` for messages: the callee and an elided argument list. */
function shortCall(call: SyntaxNode): string {
  const callee = call.childForFieldName('function');
  const text = callee?.text.replace(/\s+/g, '') ?? 'call';
  return `${text.length > 60 ? '…' + text.slice(-59) : text}(...)`;
}

// ---------------------------------------------------------------------------------------------
// Python

/**
 * What a blocking call is, from the models: each effect a sync library call has, and the kind of
 * wait it means for the message. Client constructors block only when they open one connection
 * (`psycopg2.connect`: `client.single`); a pool or a session connects lazily.
 */
/** A model row with the schema's fields this rule reads (`single`, `asyncTwin`, `lazy`). */
type Row = Callable & { asyncTwin?: string; lazy?: boolean; client?: { single?: boolean } };

function kindOfEffects(effects: readonly string[], row: Row): Kind | undefined {
  if (queuedWrite(row)) return undefined;
  if (effects.includes('sleep')) return 'sleep';
  if (effects.includes('subprocess')) return 'subprocess';
  if (effects.includes('http-call')) return 'http';
  if (effects.includes('blocking-io')) return 'file';
  if (effects.includes('cpu-heavy')) return 'cpu';
  if (effects.some((e) => DB_EFFECTS.includes(e))) return 'db';
  if (effects.includes('client') && row.client?.single) return 'db';
  return undefined;
}

/** A database, cache or broker round-trip. */
const DB_EFFECTS: readonly string[] = ['db-read-one', 'db-read-many', 'db-count', 'db-write', 'db-write-many', 'db-query', 'cache-read', 'cache-write', 'publish'];

/** Whether a library call runs on the caller's thread: its row, else its type's, else its library's `async`. */
function isSync(file: FileContext, r: Extract<Resolved, { kind: 'library' }>): boolean {
  const owner = r.qname.slice(0, r.qname.lastIndexOf('.'));
  // Rows of a result already fetched: the round-trip was the call that returned it.
  if (file.lang.isFetchedType(owner)) return false;
  if (r.row.async !== undefined) return !r.row.async;
  const typeAsync = file.lang.isAsyncType(owner);
  if (typeAsync !== undefined) return !typeAsync;
  const lib = file.lang.symbol(r.qname)?.lib ?? file.lang.libraryOfModule(r.qname.split('.')[0]);
  return lib?.file.async === false;
}

/**
 * The functions whose blocking calls stall no request: start-up and shutdown code, tests and
 * fixtures (the roles the models give; where a role needs a library the snippet does not import,
 * the models' names for those roles, read as written), and views of frameworks that run each
 * request's coroutine in an event loop of its own (Flask: `runsOn: loop-per-request`).
 */
function pyAsyncFunction(call: SyntaxNode, file: FileContext): SyntaxNode | undefined {
  const fn = enclosingFunction(call, 'python');
  if (!fn || fn.type !== 'function_definition' || !isAsyncFunction(fn)) return undefined;
  if (runsOnceOrTest(file, fn)) return undefined;
  if (loopPerRequest(file)) return undefined;
  return fn;
}

/** Roles that run once or in tests, by the models (see pyAsyncFunction). */
function runsOnceOrTest(file: FileContext, fnNode: SyntaxNode): boolean {
  const role = file.roleOf(fnNode)?.role;
  if (role === 'test' || role === 'startup' || role === 'once') return true;
  const fi = file.functionOf(fnNode);
  const fn = fi === undefined ? undefined : file.fn(fi);
  if (!fn) return false;
  return file.lang.roles.some(
    (m) =>
      (m.role === 'test' || m.role === 'startup' || m.role === 'once') &&
      ((m.names && !m.classNames && fn.parent === undefined && m.names.some((p) => new RegExp(p).test(fn.name))) ||
        (m.decorator?.namePattern && fn.decorators.some((d) => new RegExp(m.decorator!.namePattern!).test((d.expr.path ?? []).join('.')))) ||
        (m.registration?.callee?.namePattern && fn.passedTo !== undefined && new RegExp(m.registration.callee.namePattern).test((file.model.calls[fn.passedTo].callee.path ?? []).join('.')))),
  );
}

/** The file uses a framework whose async views each run in an event loop of their own (Flask). */
function loopPerRequest(file: FileContext): boolean {
  const libs = new Set(file.lang.roles.filter((m) => m.runsOn === 'loop-per-request').map((m) => m.library));
  return [...libs].some((lib) => file.usesLibrary(lib));
}

/** How messages name a client: its model type (`requests.Session`, `redis.Redis`). */
function clientLabel(r: Extract<Resolved, { kind: 'library' }>): string | undefined {
  const owner = r.qname.slice(0, r.qname.lastIndexOf('.'));
  return owner && !r.qname.startsWith(`${owner}.`) ? undefined : owner.includes('.') || /^[A-Z]/.test(owner.split('.').pop() ?? '') ? `a sync \`${owner}\`` : undefined;
}

interface PyFinding {
  kind: Kind;
  /** What to say the blocking thing is, when it is a client: "a sync `requests.Session`". */
  client?: string;
  /** Which fixes fit. */
  fix?: 'sleep' | 'to-thread';
}

function pyMessage(call: SyntaxNode, fn: SyntaxNode, f: PyFinding): string {
  const what = `\`${shortCall(call)}\``;
  const where = `inside \`async def ${fn.childForFieldName('name')?.text ?? 'function'}\``;
  const root = f.client ? ` (${f.client})` : '';
  switch (f.kind) {
    case 'sleep':
      return `${what} ${where} freezes the whole event loop for the duration: no other request on this worker makes progress meanwhile, so every concurrent user waits out the sleep too. Use \`await asyncio.sleep(...)\`.`;
    case 'http':
      return `${what}${root} makes a blocking HTTP call ${where}: the event loop stops until the remote answers (50 ms to seconds, unbounded without a timeout), so every other request on this worker stalls with it and from a few dozen concurrent requests latency multiplies. Use an async client (httpx.AsyncClient, aiohttp) or \`await asyncio.to_thread(...)\`.`;
    case 'subprocess':
      return `${what} ${where} blocks the event loop until the command exits (tens of ms to seconds): every other request on this worker waits with it. Use \`asyncio.create_subprocess_exec\` or \`await asyncio.to_thread(...)\`.`;
    case 'db':
      return `${what}${root} runs a blocking database call ${where}: each round-trip (1–50 ms, far more under load) stops the event loop, so this worker serves its requests one query at a time and throughput collapses as traffic grows. Use the async driver (Motor/AsyncMongoClient, redis.asyncio, asyncpg or psycopg's AsyncConnection) or \`await asyncio.to_thread(...)\`.`;
    case 'file':
      return `${what} reads or writes the file synchronously ${where}: the event loop waits for the disk, which for a large file or a network filesystem stalls every other request on this worker. Read it once at start-up, or use aiofiles / \`await asyncio.to_thread(...)\`.`;
    case 'cpu':
      return `${what}${root} does deliberately slow CPU work ${where} (a password hash takes 100–300 ms by design): the event loop computes instead of serving, so at a few logins per second every other request on this worker queues behind it. Run it in a thread: \`await asyncio.to_thread(...)\` (or Starlette's \`run_in_threadpool\`).`;
  }
}

/** `time.sleep(0)` only yields the GIL: there is no wait to speak of. */
function isZeroSleep(call: SyntaxNode): boolean {
  const { positional } = pythonArguments(call);
  return positional.length === 1 && /^0(\.0*)?$/.test(positional[0].text);
}

/**
 * The fix that fits, from the row: the async twin of a sleep (`asyncio.sleep`), a thread for a
 * module function that calls out (requests.get, subprocess.run) and for a thread-safe client's
 * round-trip (a Redis or PyMongo call). Not for: a lazy call (a cursor does its I/O when iterated),
 * a call whose result does more I/O later (urlopen's response body), a session's HTTP call, a
 * connection factory or a connection's own calls, a file.
 */
function pyFix(file: FileContext, r: Extract<Resolved, { kind: 'library' }>, kind: Kind, member: boolean): PyFinding['fix'] {
  const row: Row = r.row;
  if (kind === 'sleep') return row.asyncTwin?.endsWith('.sleep') ? 'sleep' : undefined;
  if ((row as { lazy?: boolean }).lazy) return undefined;
  const later = row.returns && file.lang.memberNames(row.returns).some((n) => effectsOf(file.lang.member(row.returns!, n)?.row).includes('blocking-io'));
  if (later) return undefined;
  const effects = effectsOf(row);
  if (effects.includes('cpu-heavy')) return 'to-thread';
  if (!member) return effects.includes('http-call') || effects.includes('subprocess') || effects.includes('blocking-io') ? 'to-thread' : undefined;
  // A thread-safe client's round-trip: a cache or document-store call, not a session or a connection (db-query).
  return effects.some((e) => ['cache-read', 'cache-write', 'db-read-one', 'db-read-many', 'db-count', 'db-write', 'db-write-many'].includes(e)) && !owningConnection(file, r) ? 'to-thread' : undefined;
}

/** A member of a DB-API connection or cursor (`conn.commit()`): used on the loop again, not handed to a thread. */
function owningConnection(file: FileContext, r: Extract<Resolved, { kind: 'library' }>): boolean {
  const owner = r.qname.slice(0, r.qname.lastIndexOf('.'));
  return ['dbapi.Connection', 'dbapi.Cursor'].some((t) => file.lang.isA(owner, t));
}

/**
 * What a call is, for this rule: resolution first; a builtin or a module function as written where
 * no import says (`open`); `require`-free Python needs nothing more. A document-store method on a
 * receiver nothing resolves, in a file that imports a sync driver and no async one, is the sync
 * driver's (`db = client["app"]; db.audit.insert_one(...)`).
 */
function pyResolve(file: FileContext, call: SyntaxNode): Extract<Resolved, { kind: 'library' }> | undefined {
  const r = resolveCallee(file, call);
  if (r.kind === 'library') return r;
  // `open(path).read()`: the builtin's result.
  const callee = call.childForFieldName('function');
  const obj = callee?.type === 'attribute' ? callee.childForFieldName('object') : undefined;
  if (obj?.type === 'call' && r.kind === 'unknown') {
    const made = resolveCallee(file, obj);
    const type = made.kind === 'library' ? made.row.returns : undefined;
    const m = type ? file.lang.member(type, callee!.childForFieldName('attribute')!.text) : undefined;
    if (m) return { kind: 'library', qname: `${m.type}.${m.row.name}`, row: m.row, via: 'convention' };
  }
  if (r.kind !== 'unknown' || !obj) return undefined;
  return syncDocumentStore(file, call, callee!.childForFieldName('attribute')!.text);
}

/** The service a library's clients talk to (`mongodb`, `redis`, `sql`), from its models. */
function serviceOf(lib: { file: { symbols?: Callable[] } }): string | undefined {
  return lib.file.symbols?.find((x) => x.client?.service)?.client?.service;
}

/** See pyResolve: the sync driver's type whose member this is, when the file's imports say sync and the name says which store. */
function syncDocumentStore(file: FileContext, call: SyntaxNode, method: string): Extract<Resolved, { kind: 'library' }> | undefined {
  const libs = file.imports().map((i) => file.lang.libraryOfModule(i.module)).filter((l): l is NonNullable<typeof l> => !!l);
  const has = (l: (typeof libs)[number]) => l.file.types?.some((t) => t.members?.some((m) => m.name === method && effectsOf(m).some((e) => e.startsWith('db-'))));
  const stores = libs.filter(has);
  // Nothing imported has it, or an async driver imported has it too: the receiver may be either.
  if (stores.length === 0 || stores.some((l) => l.file.async !== false)) return undefined;
  const lib = stores[0];
  const type = lib.file.types?.find((t) => t.async === false && t.members?.some((m) => m.name === method));
  if (!type) return undefined;
  // A name another store's library also uses (`find`, `get`) says nothing alone: `find` with a filter document does.
  const service = serviceOf(lib);
  const shared = file.lang.libraries.some((l) => serviceOf(l) !== service && l.file.types?.some((t) => t.members?.some((m) => m.name === method)));
  if (shared) {
    const { positional, keywords } = pythonArguments(call);
    const filter = positional.length === 0 ? keywords.size === 0 || keywords.has('filter') || keywords.has('projection') : positional[0].type === 'dictionary';
    if (!filter) return undefined;
  }
  const row = type.members!.find((m) => m.name === method)!;
  return { kind: 'library', qname: `${type.name}.${method}`, row, via: 'convention' };
}

function checkPython(match: RuleMatch): CandidateInit | undefined {
  const call = match.node('match')!;
  const file = match.file;
  // Awaited, or entered by `async with` / iterated by `async for`: an async API, whatever its name.
  if (call.parent?.type === 'await' || pyAsyncContext(call)) return undefined;
  const fn = pyAsyncFunction(call, file);
  if (!fn) return undefined;
  const r = pyResolve(file, call);
  if (!r || !isSync(file, r)) return undefined;
  // A parameter is whatever the caller passes: its name alone (a convention) does not say it is the sync client.
  if (r.via === 'convention' && paramRoot(file, call, fn)) return undefined;
  const kind = kindOfEffects(effectsOf(r.row), r.row);
  if (!kind) return undefined;
  if (kind === 'sleep' && isZeroSleep(call)) return undefined;
  if (kind === 'file' && onceGuarded(call, fn, 'python')) return undefined;
  const member = file.lang.symbol(r.qname) === undefined;
  // A file object's own read or write counts only as `open(...).read()` (its own pattern): reads in
  // a `with open(...)` block are usually small. Module functions that copy whole files (shutil) count.
  if (kind === 'file' && member && !match.node('open')) return undefined;
  const f: PyFinding = { kind, client: member && kind !== 'file' ? clientLabel(r) : undefined, fix: pyFix(file, r, kind, member) };
  return {
    message: pyMessage(call, fn, f),
    // A small local file costs little: a warning at every scale, where the rest become errors at 100k.
    severity: f.kind === 'file' ? ('warning' as Severity) : undefined,
    data: { kind: f.kind, ...(f.fix ? { fix: f.fix } : {}) },
  };
}

/** Whether the callee's receiver chain starts at a parameter of the function (not `self`). */
function paramRoot(file: FileContext, call: SyntaxNode, fn: SyntaxNode): boolean {
  const root = call.childForFieldName('function')?.text.split('.')[0].trim();
  const fi = file.functionOf(fn);
  const params = fi === undefined ? [] : file.fn(fi).params;
  return !!root && root !== 'self' && root !== 'cls' && params.some((p) => p.name === root && !p.type);
}

/** `async with s.get(url) as r:` (aiohttp), `async for doc in coll.find(q):` (Motor). */
function pyAsyncContext(call: SyntaxNode): boolean {
  let n = call.parent;
  if (n?.type === 'as_pattern') n = n.parent;
  if (n?.type === 'with_item') {
    const stmt = n.parent?.parent;
    return stmt?.type === 'with_statement' && stmt.children[0]?.type === 'async';
  }
  return n?.type === 'for_statement' && sameNode(n.childForFieldName('right'), call) && n.children[0]?.type === 'async';
}

/**
 * Work done once per process: the call sits in a block that runs only while a flag or a cache is
 * unset, and that block sets it (`if (!initialized) { …; initialized = true }`,
 * `if not _cache: _cache = load()`): lazy one-time initialisation, not per-request work.
 */
function onceGuarded(call: SyntaxNode, fn: SyntaxNode, lang: 'python' | 'typescript'): boolean {
  for (let n = call.parent; n && !sameNode(n, fn); n = n.parent) {
    if (n.type !== 'if_statement') continue;
    const cond = n.childForFieldName('condition');
    const body = lang === 'python' ? n.childForFieldName('consequence') : n.childForFieldName('consequence');
    if (!cond || !body || !within(call, body)) continue;
    const m = lang === 'python' ? /^not\s+([\w.]+)$/.exec(cond.text.trim()) ?? /^([\w.]+)\s+is\s+None$/.exec(cond.text.trim()) : /^\(?\s*!\s*([\w$.]+)\s*\)?$/.exec(cond.text.trim()) ?? /^\(?\s*([\w$.]+)\s*(?:===?|==)\s*(?:null|undefined)\s*\)?$/.exec(cond.text.trim());
    if (!m) continue;
    const flag = m[1].replace(/[.$]/g, (c) => `\\${c}`);
    if (new RegExp(`(?:^|[^\\w$.])${flag}\\s*=[^=]`).test(body.text)) return true;
  }
  return false;
}

function within(node: SyntaxNode, container: SyntaxNode): boolean {
  return node.startIndex >= container.startIndex && node.endIndex <= container.endIndex;
}

// ---------------------------------------------------------------------------------------------
// Python fixes

/** The name `asyncio` goes by in this file, and the edit that imports it when it is missing. */
function asyncioName(root: SyntaxNode, text: string): { name: string; edit?: TextEditInit } {
  for (const stmt of root.namedChildren) {
    if (stmt.type !== 'import_statement') continue;
    for (const c of stmt.namedChildren) {
      if (c.type === 'dotted_name' && c.text === 'asyncio') return { name: 'asyncio' };
      if (c.type === 'aliased_import' && c.childForFieldName('name')?.text === 'asyncio') return { name: c.childForFieldName('alias')!.text };
    }
  }
  return { name: 'asyncio', edit: ensurePythonImport(root, text, 'asyncio') };
}

/** Whether `await` may replace the call in place: directly in the `async def`, not in a generator expression. */
function pyAwaitFits(call: SyntaxNode): boolean {
  // The finding already judged the function; here only its shape matters.
  const fn = enclosingFunction(call, 'python');
  if (fn && (fn.type !== 'function_definition' || !isAsyncFunction(fn))) return false;
  if (!fn) return false;
  for (let n = call.parent; n && !sameNode(n, fn); n = n.parent) if (n.type === 'generator_expression') return false;
  return call.parent?.type !== 'await';
}

/** Wraps an awaited expression in parentheses where it is the object of an attribute, subscript or call. */
function pyWrap(call: SyntaxNode, expr: string): string {
  const p = call.parent;
  const tight =
    (p?.type === 'attribute' && sameNode(p.childForFieldName('object'), call)) ||
    (p?.type === 'subscript' && sameNode(p.childForFieldName('value'), call)) ||
    (p?.type === 'call' && sameNode(p.childForFieldName('function'), call));
  return tight ? `(${expr})` : expr;
}

function asyncioSleepFix(t: FixTarget): TextEditInit[] | undefined {
  if (t.language !== 'python' || t.data.fix !== 'sleep') return undefined;
  const call = t.node;
  if (call.type !== 'call' || !pyAwaitFits(call)) return undefined;
  const { positional, keywords, splat } = pythonArguments(call);
  if (positional.length !== 1 || keywords.size > 0 || splat) return undefined;
  const { name, edit } = asyncioName(t.root, t.text);
  const edits: TextEditInit[] = [{ start: call.startIndex, end: call.endIndex, newText: pyWrap(call, `await ${name}.sleep(${positional[0].text})`) }];
  if (edit) edits.push(edit);
  return edits;
}

function toThreadFix(t: FixTarget): TextEditInit[] | undefined {
  if (t.language !== 'python' || t.data.fix !== 'to-thread') return undefined;
  const call = t.node;
  if (call.type !== 'call' || !pyAwaitFits(call)) return undefined;
  const callee = call.childForFieldName('function');
  const args = call.childForFieldName('arguments');
  if (!callee || args?.type !== 'argument_list') return undefined; // `f(x for x in xs)`
  // `requests.get(url, stream=True)`: the body is read later, on the loop again.
  if (pythonArguments(call).keywords.has('stream')) return undefined;
  const open = args.children[0];
  const close = args.children[args.children.length - 1];
  if (open?.type !== '(' || close?.type !== ')') return undefined;
  const inner = t.text.slice(open.endIndex, close.startIndex);
  const { name, edit } = asyncioName(t.root, t.text);
  const calleeText = t.text.slice(callee.startIndex, callee.endIndex);
  const rest = inner.trim() === '' ? '' : /^\s/.test(inner) ? `,${inner}` : `, ${inner}`;
  const edits: TextEditInit[] = [{ start: call.startIndex, end: call.endIndex, newText: pyWrap(call, `await ${name}.to_thread(${calleeText}${rest})`) }];
  if (edit) edits.push(edit);
  return edits;
}

// ---------------------------------------------------------------------------------------------
// TypeScript / JavaScript

type TsGroup = 'fs' | 'child_process' | 'crypto' | 'bcrypt' | 'cpu';

/**
 * What a `…Sync` call is: resolution (an import of `fs`, `node:fs`, `fs-extra`, `child_process`,
 * `crypto`, `bcrypt`…), or `require('fs').statSync(...)` by the module the require names.
 */
function tsResolve(file: FileContext, call: SyntaxNode): Extract<Resolved, { kind: 'library' }> | undefined {
  const r = file.resolveCallee(call);
  if (r.kind === 'library') return r;
  const callee = call.childForFieldName('function');
  const obj = callee?.type === 'member_expression' ? callee.childForFieldName('object') : undefined;
  if (obj?.type === 'call_expression' && obj.childForFieldName('function')?.text === 'require') {
    const module = stringLiteral(jsArguments(obj).args[0]);
    const lib = module ? file.lang.libraryOfModule(module) : undefined;
    const sym = lib ? file.lang.symbol(`${normaliseModule('typescript', module!)}.${callee!.childForFieldName('property')!.text}`) : undefined;
    if (sym) return { kind: 'library', qname: sym.row.name, row: sym.row, via: 'import' };
  }
  return undefined;
}

/** The message group of a blocking call, by its effect (and, for CPU work, whether its library hashes passwords). */
function tsGroup(file: FileContext, r: Extract<Resolved, { kind: 'library' }>): TsGroup | undefined {
  const effects = effectsOf(r.row);
  if (r.row.async !== false) return undefined;
  if (effects.includes('blocking-io')) return 'fs';
  if (effects.includes('subprocess')) return 'child_process';
  if (effects.includes('cpu-heavy')) {
    // The message's wording by library: password hashing, key derivation, or other CPU work (zlib's *Sync).
    const lib = file.lang.symbol(r.qname)?.lib.name ?? '';
    return /bcrypt/i.test(lib) ? 'bcrypt' : /crypto/i.test(lib) ? 'crypto' : 'cpu';
  }
  return undefined;
}

/**
 * Start-up, build-time or test code: the roles the models give (start-up names, `listen` and CLI
 * `action` callbacks, test runners' callbacks), for the function or one around it, read as written
 * where the library is not imported; and a top-level IIFE (syntax).
 */
function tsRunsOnce(fn: SyntaxNode, file: FileContext): boolean {
  if (isIife(fn) && !enclosingFunction(fn, 'typescript')) return true;
  if (runsOnceOrTest(file, fn)) return true;
  // `app.listen(port, async () => …)`, `program.action(async () => …)`: registrations the models give start-up and once roles.
  const args = fn.parent;
  const callee = args?.type === 'arguments' ? args.parent?.childForFieldName('function') : undefined;
  const last = callee?.type === 'member_expression' ? callee.childForFieldName('property')?.text : undefined;
  return !!last && file.lang.roles.some((m) => (m.role === 'startup' || m.role === 'once') && (m.registration?.callee?.members?.includes(last) || (m.registration?.method === last)));
}

type TsPlace = { kind: 'handler' | 'async'; fn: SyntaxNode };

/**
 * Where a call runs on the event loop while requests are served: the nearest enclosing request
 * handler or async function (callbacks inside them run on the same loop). Start-up and test code,
 * constructors and sync helpers that are not handlers are left alone.
 */
function tsPlace(call: SyntaxNode, file: FileContext): TsPlace | undefined {
  for (let fn = enclosingFunction(call, 'typescript'); fn; fn = enclosingFunction(fn, 'typescript')) {
    if (tsRunsOnce(fn, file)) return undefined;
    if (isHandlerFunction(fn, 'typescript', file)) return { kind: 'handler', fn };
    if (isAsyncFunction(fn)) return { kind: 'async', fn };
    if (fn.type === 'method_definition') return undefined; // a sync method: called from who knows where
  }
  return undefined;
}

function tsWhere(place: TsPlace): string {
  const name = jsFunctionName(place.fn);
  if (place.kind === 'handler') return name ? `the request handler \`${name}\`` : 'a request handler';
  return name ? `\`async ${name}\`` : 'an async function';
}

function tsMessage(call: SyntaxNode, group: TsGroup, place: TsPlace): string {
  const what = `\`${shortCall(call)}\``;
  const where = tsWhere(place);
  switch (group) {
    case 'fs':
      return `${what} blocks the Node event loop in ${where}: while the disk works no other request on this process is served; a small local file costs little, but a large file or a slow or network disk stalls every concurrent request. Use the promise API (\`await fs.promises...\`), or read it once at start-up.`;
    case 'child_process':
      return `${what} blocks the Node event loop in ${where} until the command exits (tens of ms to seconds): every other request on this process waits with it. Use the async \`execFile\`/\`spawn\` (promisified) instead.`;
    case 'crypto':
      return `${what} runs a deliberately slow key derivation (50–300 ms of CPU) on the Node event loop in ${where}: a few dozen logins per second saturate the process and every other request waits behind them. Use the async \`crypto.pbkdf2\`/\`crypto.scrypt\`, which run in libuv's thread pool.`;
    case 'bcrypt':
      return `${what} hashes on the Node event loop in ${where} (about 100 ms of CPU per call at cost 10): a burst of sign-ins stalls every other request on this process. Use \`await bcrypt.hash(...)\` / \`await bcrypt.compare(...)\`, which run in the thread pool.`;
    case 'cpu':
      return `${what} does its CPU work on the Node event loop in ${where}: for a large input (a compressed recording, an export) that is tens to hundreds of ms during which every other request on this process waits. Use the async variant, which runs in libuv's thread pool.`;
  }
}

/** A read of one of the app's own files (see readsFixedFile): not a write, whose path is fixed. */
function readsFixedFileAt(call: SyntaxNode, file: FileContext): boolean {
  const site = file.callAt(call);
  const r = tsResolve(file, call);
  return !!site && !!r && !effectsOf(r.row).includes('file-write') && readsFixedFile(file, site);
}

function checkTypescript(match: RuleMatch): CandidateInit | undefined {
  const call = match.node('match')!;
  const file = match.file;
  const r = tsResolve(file, call);
  if (!r) return undefined;
  const group = tsGroup(file, r);
  if (!group) return undefined;
  const place = tsPlace(call, file);
  if (!place) return undefined;
  if (group === 'fs' && (readsFixedFileAt(call, file) || onceGuarded(call, place.fn, 'typescript'))) return undefined;
  const twin = (r.row as Row).asyncTwin;
  return {
    message: tsMessage(call, group, place),
    severity: group === 'fs' ? 'warning' : undefined,
    data: { group, fn: match.text('fn') ?? '', ...(twin ? { twin } : {}) },
  };
}

// ---------------------------------------------------------------------------------------------
// TypeScript fixes

/** Whether `name` is a module (the twin's, `fs`) in this file: `import fs from 'fs'`, `import * as fs`, `require('node:fs')`. */
function tsModuleName(root: SyntaxNode, name: string, module: string): boolean {
  const core = (s: string | undefined): boolean => s !== undefined && normaliseModule('typescript', s) === module;
  for (const s of root.namedChildren) {
    if (s.type === 'import_statement') {
      const src = stringLiteral(s.childForFieldName('source'));
      const clause = s.namedChildren.find((c) => c.type === 'import_clause' || c.type === 'import_require_clause');
      if (!clause) continue;
      if (clause.type === 'import_require_clause') {
        if (clause.namedChildren[0]?.text === name && core(stringLiteral(clause.childForFieldName('source')))) return true;
        continue;
      }
      if (!core(src)) continue;
      for (const c of clause.namedChildren) {
        if (c.type === 'identifier' && c.text === name) return true;
        if (c.type === 'namespace_import' && c.namedChildren[0]?.text === name) return true;
      }
    } else if (s.type === 'lexical_declaration' || s.type === 'variable_declaration') {
      for (const d of s.namedChildren) {
        if (d.type !== 'variable_declarator' || d.childForFieldName('name')?.text !== name) continue;
        const v = d.childForFieldName('value');
        if (v?.type === 'call_expression' && v.childForFieldName('function')?.text === 'require' && core(stringLiteral(jsArguments(v).args[0]))) return true;
      }
    }
  }
  return false;
}

/** Whether `await` may go in place of the call: its nearest function is async. */
function tsAwaitFits(call: SyntaxNode): boolean {
  const fn = enclosingFunction(call, 'typescript');
  return !!fn && isAsyncFunction(fn) && call.parent?.type !== 'await_expression';
}

/** Parentheses where the awaited value is the object of a member access, a subscript or a call. */
function tsWrap(call: SyntaxNode, expr: string): string {
  const p = call.parent;
  const tight =
    (p?.type === 'member_expression' && sameNode(p.childForFieldName('object'), call)) ||
    (p?.type === 'subscript_expression' && sameNode(p.childForFieldName('object'), call)) ||
    (p?.type === 'call_expression' && sameNode(p.childForFieldName('function'), call));
  return tight ? `(${expr})` : expr;
}

function fsPromisesFix(t: FixTarget): TextEditInit[] | undefined {
  if (t.language !== 'typescript' || t.data.group !== 'fs') return undefined;
  const call = t.node;
  // The promise twin the models give (`fs.promises.readFile`): offered on the module it belongs to.
  const twinPath = typeof t.data.twin === 'string' ? t.data.twin.split('.') : [];
  const twin = twinPath.length === 3 && twinPath[1] === 'promises' ? twinPath[2] : undefined;
  if (call.type !== 'call_expression' || !twin || !tsAwaitFits(call)) return undefined;
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'member_expression') return undefined; // imported by name: not offered
  const obj = callee.childForFieldName('object')!;
  const prop = callee.childForFieldName('property')!;
  const twinModule = twinPath[0];
  const isCore =
    obj.type === 'identifier'
      ? tsModuleName(t.root, obj.text, twinModule)
      : obj.type === 'call_expression' && normaliseModule('typescript', stringLiteral(jsArguments(obj).args[0]) ?? '') === twinModule;
  if (!isCore) return undefined;
  const { args, spread } = jsArguments(call);
  // `statSync(p, { throwIfNoEntry: false })` has no promise equivalent: only the one-argument form.
  if ((twin === 'stat' || twin === 'lstat') && (args.length !== 1 || spread)) return undefined;
  const newCallee = `${t.text.slice(obj.startIndex, obj.endIndex)}.promises.${twin}`;
  const rest = t.text.slice(prop.endIndex, call.endIndex); // type arguments and the argument list, as written
  return [{ start: call.startIndex, end: call.endIndex, newText: tsWrap(call, `await ${newCallee}${rest}`) }];
}

function bcryptAsyncFix(t: FixTarget): TextEditInit[] | undefined {
  if (t.language !== 'typescript' || t.data.group !== 'bcrypt') return undefined;
  const call = t.node;
  if (call.type !== 'call_expression' || !tsAwaitFits(call)) return undefined;
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'member_expression') return undefined;
  const prop = callee.childForFieldName('property')!;
  const { args, spread } = jsArguments(call);
  // With a callback the sync variants do not exist anyway; two plain arguments is the promise form.
  if (spread || args.length !== 2) return undefined;
  // The twin the models give (`bcrypt.hash` for `bcrypt.hashSync`), on the same receiver.
  const asyncName = typeof t.data.twin === 'string' ? t.data.twin.split('.').pop() : undefined;
  if (!asyncName) return undefined;
  const before = t.text.slice(call.startIndex, prop.startIndex);
  const after = t.text.slice(prop.endIndex, call.endIndex);
  return [{ start: call.startIndex, end: call.endIndex, newText: tsWrap(call, `await ${before}${asyncName}${after}`) }];
}

// ---------------------------------------------------------------------------------------------

/**
 * The packages of the sync Python libraries that have calls that wait: the Python patterns run only
 * in files that name one (the words are common: get, run, execute).
 */
function syncPackages(): string {
  const words = new Set<string>();
  for (const lib of models().of('python').libraries) {
    if (lib.file.async === true) continue;
    const rows = [...(lib.file.symbols ?? []), ...(lib.file.types ?? []).flatMap((t) => (t.async === true ? [] : t.members ?? []))];
    if (!rows.some((r) => effectsOf(r).some((e) => ['http-call', 'sleep', 'subprocess', 'cache-read', 'cache-write', 'publish', 'cpu-heavy', 'blocking-io'].includes(e) || e.startsWith('db-')))) continue;
    for (const p of lib.file.packages ?? []) words.add(p.split('.')[0]);
  }
  return [...words].sort().join(' ');
}

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python: python.replace(/@SYNC_PACKAGES@/g, syncPackages()), typescript },
  // Through calls: what a function of the project does when this code calls it (see through.ts).
  model: (file, _ctx, span) => blockingThroughCalls(file, span),
  check(match) {
    if (match.language === 'python') return checkPython(match);
    if (match.language === 'typescript') return checkTypescript(match);
    return undefined;
  },
  fixes: {
    'asyncio-sleep': (t) => asyncioSleepFix(t),
    'to-thread': (t) => toThreadFix(t),
    'fs-promises': (t) => fsPromisesFix(t),
    'bcrypt-async': (t) => bcryptAsyncFix(t),
  },
});
