import type { SyntaxNode } from 'tree-sitter';
import {
  defineRule,
  type CandidateInit,
  type FactInit,
  type FactRef,
  type FixTarget,
  type RuleMatch,
  type RuleMeta,
  type Severity,
  type TextEditInit,
} from '../../server/src/engine/rule-api';
import { enclosingFunction, isAsyncFunction, isHandlerFunction } from '../../server/src/engine/predicates';
import { isIife, jsArguments, jsFunctionName, pythonArguments, sameNode, stringLiteral } from '../../server/src/engine/syntax';
import { ensurePythonImport } from '../../server/src/engine/edit-helpers';
import type { FileContext } from '../../server/src/model/file-context';
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
type Kind = 'http' | 'sleep' | 'subprocess' | 'db' | 'file';

/** `requests.get(...)` for messages: the callee and an elided argument list. */
function shortCall(call: SyntaxNode): string {
  const callee = call.childForFieldName('function');
  const text = callee?.text.replace(/\s+/g, '') ?? 'call';
  return `${text.length > 60 ? '…' + text.slice(-59) : text}(...)`;
}

// ---------------------------------------------------------------------------------------------
// Python

/** Functions of a module that block, by module: what `module.fn(...)` or `from module import fn` call. */
const PY_MODULE_FUNCTIONS: Readonly<Record<string, { kind: Kind; fns: ReadonlySet<string> }>> = {
  requests: { kind: 'http', fns: new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request']) },
  httpx: { kind: 'http', fns: new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request']) },
  time: { kind: 'sleep', fns: new Set(['sleep']) },
  subprocess: { kind: 'subprocess', fns: new Set(['run', 'call', 'check_call', 'check_output']) },
  psycopg2: { kind: 'db', fns: new Set(['connect']) },
  psycopg: { kind: 'db', fns: new Set(['connect']) },
  'urllib.request': { kind: 'http', fns: new Set(['urlopen']) },
};

/** The modules a bare name may come from (`from time import sleep`), in the order they are tried. */
const PY_BARE_SOURCES: Readonly<Record<string, readonly string[]>> = (() => {
  const out: Record<string, string[]> = {};
  for (const [mod, { fns }] of Object.entries(PY_MODULE_FUNCTIONS)) for (const fn of fns) (out[fn] ??= []).push(mod);
  return out;
})();

type ClientFamily = 'http-session' | 'redis' | 'mongo' | 'pg-conn' | 'pg-pool';

interface ClientKind {
  family: ClientFamily;
  /** Every one must hold: the constructor's module is imported as the sync one. */
  requires: FactRef[];
  unless?: FactRef[];
  /** For messages. */
  label: string;
}

/** Constructors of sync clients, by the callee text, and what the file must import for it to be the sync one. */
const PY_CLIENT_CONSTRUCTORS: Readonly<Record<string, string>> = {
  'requests.Session': 'requests-mod',
  'requests.session': 'requests-mod',
  Session: 'requests-name',
  'httpx.Client': 'httpx-mod',
  Client: 'httpx-name',
  'redis.Redis': 'redis-mod',
  'redis.StrictRedis': 'redis-mod',
  'redis.from_url': 'redis-mod',
  'redis.Redis.from_url': 'redis-mod',
  'redis.StrictRedis.from_url': 'redis-mod',
  Redis: 'redis-Redis',
  'Redis.from_url': 'redis-Redis',
  StrictRedis: 'redis-StrictRedis',
  'StrictRedis.from_url': 'redis-StrictRedis',
  'pymongo.MongoClient': 'mongo-mod',
  MongoClient: 'mongo-name',
  'psycopg2.connect': 'pg2-conn',
  'psycopg.connect': 'pg3-conn',
  'psycopg.Connection.connect': 'pg3-conn',
  'psycopg2.pool.SimpleConnectionPool': 'pg2-pool',
  'psycopg2.pool.ThreadedConnectionPool': 'pg2-pool',
  'psycopg_pool.ConnectionPool': 'pg3-pool-mod',
  ConnectionPool: 'pg3-pool-name',
};

const mod = (m: string, key = m): FactRef => ({ fact: `py-mod:${m}`, key });
const from = (m: string, key: string): FactRef => ({ fact: `py-from:${m}`, key });

const PY_CLIENT_KINDS: Readonly<Record<string, ClientKind>> = {
  'requests-mod': { family: 'http-session', requires: [mod('requests')], label: 'a requests session' },
  'requests-name': { family: 'http-session', requires: [from('requests.Session', 'Session')], label: 'a requests session' },
  'httpx-mod': { family: 'http-session', requires: [mod('httpx')], label: 'a sync httpx.Client' },
  'httpx-name': { family: 'http-session', requires: [from('httpx.Client', 'Client')], label: 'a sync httpx.Client' },
  'redis-mod': {
    family: 'redis',
    requires: [mod('redis')],
    unless: [mod('redis.asyncio', 'redis'), from('redis.asyncio', 'redis')],
    label: 'a sync redis client',
  },
  'redis-Redis': { family: 'redis', requires: [from('redis.Redis', 'Redis')], label: 'a sync redis client' },
  'redis-StrictRedis': { family: 'redis', requires: [from('redis.StrictRedis', 'StrictRedis')], label: 'a sync redis client' },
  'mongo-mod': { family: 'mongo', requires: [mod('pymongo')], label: 'a PyMongo (sync) client' },
  'mongo-name': { family: 'mongo', requires: [from('pymongo.MongoClient', 'MongoClient')], label: 'a PyMongo (sync) client' },
  'pg2-conn': { family: 'pg-conn', requires: [mod('psycopg2')], label: 'a psycopg2 connection' },
  'pg3-conn': { family: 'pg-conn', requires: [mod('psycopg')], label: 'a sync psycopg connection' },
  'pg2-pool': { family: 'pg-pool', requires: [mod('psycopg2')], label: 'a psycopg2 connection pool' },
  'pg3-pool-mod': { family: 'pg-pool', requires: [mod('psycopg_pool')], label: 'a sync psycopg pool' },
  'pg3-pool-name': { family: 'pg-pool', requires: [from('psycopg_pool.ConnectionPool', 'ConnectionPool')], label: 'a sync psycopg pool' },
};

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request', 'send']);
const REDIS_METHODS = new Set([
  'get', 'set', 'setex', 'setnx', 'getset', 'getdel', 'delete', 'exists', 'expire', 'ttl', 'incr', 'incrby', 'decr', 'decrby',
  'mget', 'mset', 'hget', 'hset', 'hgetall', 'hmget', 'hdel', 'hincrby', 'lpush', 'rpush', 'lpop', 'rpop', 'lrange', 'llen',
  'blpop', 'brpop', 'sadd', 'srem', 'smembers', 'sismember', 'scard', 'zadd', 'zrem', 'zrange', 'zrevrange', 'zrangebyscore',
  'zscore', 'zincrby', 'publish', 'keys', 'scan', 'eval', 'evalsha', 'ping', 'xadd', 'xread',
]);
/** PyMongo methods no other common library has under these names: enough, with a sync-only import, to tell a collection. */
const MONGO_DISTINCT_METHODS = new Set([
  'find_one', 'insert_one', 'insert_many', 'update_one', 'update_many', 'replace_one', 'delete_one', 'delete_many',
  'count_documents', 'estimated_document_count', 'bulk_write', 'find_one_and_update', 'find_one_and_delete',
  'find_one_and_replace', 'create_index',
]);
const MONGO_METHODS = new Set([...MONGO_DISTINCT_METHODS, 'find', 'aggregate', 'distinct']);
/** Return a cursor that does its I/O when iterated: handing the call to a thread would not help. */
const MONGO_CURSOR_METHODS = new Set(['find', 'aggregate']);
const PG_CONN_METHODS = new Set(['cursor', 'commit', 'rollback', 'execute', 'executemany']);
const PG_POOL_METHODS = new Set(['getconn', 'connection']);

const FAMILY_METHODS: Readonly<Record<ClientFamily, ReadonlySet<string>>> = {
  'http-session': HTTP_METHODS,
  redis: REDIS_METHODS,
  mongo: MONGO_METHODS,
  'pg-conn': PG_CONN_METHODS,
  'pg-pool': PG_POOL_METHODS,
};

/** Async functions that run once, at start-up or shutdown, or in tests: blocking there stalls no request. */
const PY_STARTUP_NAME = /^(main|_?lifespan|_?startup|_?shutdown|on_startup|on_shutdown|startup_\w+|shutdown_\w+|asyncSetUp|asyncTearDown|test_\w*|test)$/;
const PY_STARTUP_DECORATOR = /^@\s*[\w.]*\b(on_event|fixture)\b/;

function pyDecorators(fn: SyntaxNode): SyntaxNode[] {
  const d = fn.parent?.type === 'decorated_definition' ? fn.parent : undefined;
  return d ? d.namedChildren.filter((c) => c.type === 'decorator') : [];
}

/** The `async def` a call runs in, unless that function is start-up, shutdown or test code. */
function pyAsyncFunction(call: SyntaxNode): SyntaxNode | undefined {
  const fn = enclosingFunction(call, 'python');
  if (!fn || fn.type !== 'function_definition' || !isAsyncFunction(fn)) return undefined;
  const name = fn.childForFieldName('name')?.text ?? '';
  if (PY_STARTUP_NAME.test(name)) return undefined;
  if (pyDecorators(fn).some((d) => PY_STARTUP_DECORATOR.test(d.text))) return undefined;
  return fn;
}

function pyParamName(p: SyntaxNode): string | undefined {
  if (p.type === 'identifier') return p.text;
  const named = p.childForFieldName('name') ?? p.namedChildren[0];
  return named?.type === 'identifier' ? named.text : undefined;
}

/** Whether a name is a parameter of the function or assigned by a statement of its body: a local, not the module's. */
function pyLocalName(fn: SyntaxNode, name: string, before: SyntaxNode): boolean {
  for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) if (pyParamName(p) === name) return true;
  for (const stmt of fn.childForFieldName('body')?.namedChildren ?? []) {
    if (stmt.startIndex >= before.startIndex) break;
    const a = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    if (a?.type === 'assignment' && a.childForFieldName('left')?.text === name) return true;
  }
  return false;
}

/** `client`, `self.client`: the name a receiver chain (`client.app.users`, `client["app"]["users"]`) starts from. */
function pyReceiverRoot(receiver: SyntaxNode): { root: SyntaxNode; direct: boolean } | undefined {
  let n = receiver;
  let direct = true;
  for (;;) {
    if (n.type === 'identifier') return { root: n, direct };
    if (n.type === 'attribute' && n.childForFieldName('object')?.type === 'identifier' && /^(self|cls)$/.test(n.childForFieldName('object')!.text)) {
      return { root: n, direct };
    }
    const next = n.type === 'attribute' ? n.childForFieldName('object') : n.type === 'subscript' ? n.childForFieldName('value') : null;
    if (!next) return undefined;
    n = next;
    direct = false;
  }
}

/**
 * How a binding is named in facts: a module-level name as is, an instance attribute with its class
 * (`Billing:self.http`), so that two classes' `self.session` are not mixed up.
 */
function pyBindingName(node: SyntaxNode): string | undefined {
  const text = node.text.replace(/\s+/g, '');
  if (node.type === 'identifier') return text;
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'class_definition') return `${n.childForFieldName('name')?.text ?? ''}:${text}`;
  }
  return undefined;
}

/** The client kind a constructor call makes, by its callee text. */
function pyClientKindOf(ctor: SyntaxNode | null | undefined): string | undefined {
  if (ctor?.type !== 'call') return undefined;
  const callee = ctor.childForFieldName('function')?.text.replace(/\s+/g, '');
  return callee ? PY_CLIENT_CONSTRUCTORS[callee] : undefined;
}

/**
 * A client bound inside the function itself, ahead of the call: `with requests.Session() as s:`
 * around it, or `r = redis.Redis(...)` among the statements of the function body.
 */
function pyLocalClient(fn: SyntaxNode, call: SyntaxNode, name: string): string | null | undefined {
  for (let n = call.parent; n && !sameNode(n, fn); n = n.parent) {
    if (n.type !== 'with_statement') continue;
    for (const item of n.namedChildren.find((c) => c.type === 'with_clause')?.namedChildren ?? []) {
      const v = item.childForFieldName('value');
      if (v?.type !== 'as_pattern') continue;
      const alias = v.childForFieldName('alias')?.namedChildren[0];
      if (alias?.text === name) return pyClientKindOf(v.namedChildren[0]) ?? null;
    }
  }
  let found: string | null | undefined;
  for (const stmt of fn.childForFieldName('body')?.namedChildren ?? []) {
    if (stmt.startIndex >= call.startIndex) break;
    const a = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    if (a?.type === 'assignment' && a.childForFieldName('left')?.text === name) found = pyClientKindOf(a.childForFieldName('right')) ?? null;
  }
  // A parameter of that name is whatever the caller passes: not the module's client.
  if (found === undefined && (fn.childForFieldName('parameters')?.namedChildren ?? []).some((p) => pyParamName(p) === name)) return null;
  return found;
}

interface PyFinding {
  kind: Kind;
  /** What to say the blocking thing is, when it is a client: "a requests session". */
  client?: string;
  requires?: FactRef[];
  unless?: FactRef[];
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
  }
}

/** A call to a function of a blocking module: `requests.get(...)`, `time.sleep(...)`. */
function pyModuleCall(match: RuleMatch, call: SyntaxNode, fn: SyntaxNode): PyFinding[] {
  const modName = match.text('mod')!;
  const name = match.text('fn')!;
  const entry = PY_MODULE_FUNCTIONS[modName];
  if (!entry?.fns.has(name) || pyLocalName(fn, modName, call)) return [];
  if (entry.kind === 'sleep' && isZeroSleep(call)) return [];
  return [{ kind: entry.kind, requires: [mod(modName)], fix: pyModuleFix(modName, entry.kind) }];
}

/**
 * The fix that fits a module function: `asyncio.sleep` for `time.sleep`, a thread for the rest,
 * except `urlopen`, whose response body is read later by `.read()` (on the loop again), and
 * connection factories, whose connection would still be used on the loop.
 */
function pyModuleFix(module: string, kind: Kind): PyFinding['fix'] {
  if (kind === 'sleep') return 'sleep';
  return kind === 'db' || module === 'urllib.request' ? undefined : 'to-thread';
}

/** `time.sleep(0)` only yields the GIL: there is no wait to speak of. */
function isZeroSleep(call: SyntaxNode): boolean {
  const { positional } = pythonArguments(call);
  return positional.length === 1 && /^0(\.0*)?$/.test(positional[0].text);
}

/** `sleep(...)`, `get(...)`, `urlopen(...)` imported by name from a blocking module. */
function pyBareCall(match: RuleMatch, call: SyntaxNode, fn: SyntaxNode): PyFinding[] {
  const name = match.text('fn')!;
  if (pyLocalName(fn, name, call)) return [];
  const out: PyFinding[] = [];
  const earlier: FactRef[] = [];
  for (const m of PY_BARE_SOURCES[name] ?? []) {
    const kind = PY_MODULE_FUNCTIONS[m].kind;
    if (kind === 'sleep' && isZeroSleep(call)) return [];
    const ref = from(`${m}.${name}`, name);
    out.push({ kind, requires: [ref], unless: [...earlier], fix: pyModuleFix(m, kind) });
    earlier.push(ref);
  }
  return out;
}

/** `urllib.request.urlopen(...)`, `request.urlopen(...)` after `from urllib import request`. */
function pyUrlopen(call: SyntaxNode, fn: SyntaxNode): PyFinding[] {
  const obj = call.childForFieldName('function')?.childForFieldName('object');
  if (!obj) return [];
  const text = obj.text.replace(/\s+/g, '');
  if (text === 'urllib.request') return [{ kind: 'http', requires: [mod('urllib')] }];
  if (obj.type !== 'identifier' || pyLocalName(fn, text, call)) return [];
  const viaFrom = from('urllib.request', text);
  return [
    { kind: 'http', requires: [viaFrom] },
    { kind: 'http', requires: [mod('urllib.request', text)], unless: [viaFrom] },
  ];
}

/** `open(path).read()`: the builtin, unless the file imports another `open` (aiofiles, anyio). */
function pyOpenRead(call: SyntaxNode, fn: SyntaxNode): PyFinding[] {
  if (pyLocalName(fn, 'open', call)) return [];
  return [{ kind: 'file', unless: [{ fact: 'py-open-shadowed' }] }];
}

/** A method of a sync client: `session.get(...)`, `r.get(...)`, `client.app.users.find_one(...)`, `conn.cursor()`. */
function pyClientMethod(match: RuleMatch, call: SyntaxNode, fn: SyntaxNode): PyFinding[] {
  const method = match.text('fn')!;
  const receiver = call.childForFieldName('function')?.childForFieldName('object');
  if (!receiver) return [];
  const r = pyReceiverRoot(receiver);
  if (!r) return [];
  const name = r.root.text.replace(/\s+/g, '');
  // The module functions (`requests.get`) have their own pattern.
  if (r.direct && r.root.type === 'identifier' && PY_MODULE_FUNCTIONS[name]) return [];
  const fits = (kind: ClientKind): boolean => FAMILY_METHODS[kind.family].has(method) && (r.direct || kind.family === 'mongo');
  const fixFor = (kind: ClientKind): PyFinding['fix'] =>
    kind.family === 'redis' || (kind.family === 'mongo' && !MONGO_CURSOR_METHODS.has(method)) ? 'to-thread' : undefined;

  const local = pyLocalClient(fn, call, name);
  if (local === null) return []; // bound in this function to something else, or a parameter
  if (local !== undefined) {
    const kind = PY_CLIENT_KINDS[local];
    // A connection opened in this very function: its `connect(...)` is the finding already.
    if (!kind || !fits(kind) || kind.family === 'pg-conn' || kind.family === 'pg-pool') return [];
    const http = kind.family === 'http-session';
    return [{ kind: http ? 'http' : 'db', client: kind.label, requires: kind.requires, unless: kind.unless, fix: http ? undefined : fixFor(kind) }];
  }

  const binding = pyBindingName(r.root);
  const out: PyFinding[] = [];
  const earlier: FactRef[] = [];
  for (const [id, kind] of Object.entries(binding ? PY_CLIENT_KINDS : {})) {
    if (!fits(kind)) continue;
    const bound: FactRef = { fact: 'py-bound', key: `${binding}=${id}` };
    out.push({
      kind: kind.family === 'http-session' ? 'http' : 'db',
      client: kind.label,
      requires: [bound, ...kind.requires],
      unless: [...(kind.unless ?? []), ...earlier],
      fix: kind.family === 'http-session' ? undefined : fixFor(kind),
    });
    earlier.push(bound);
  }
  // A collection reached through names this rule cannot follow (`db = client["app"]`, a helper's
  // return value): a PyMongo-only method, not awaited, in a file that imports the sync client and
  // no async one.
  if (MONGO_DISTINCT_METHODS.has(method) || (method === 'find' && mongoFilterArgument(call))) {
    out.push({
      kind: 'db',
      client: 'a PyMongo (sync) collection',
      requires: [{ fact: 'py-sync-mongo' }],
      unless: [{ fact: 'py-async-mongo' }, ...earlier],
      fix: MONGO_CURSOR_METHODS.has(method) ? undefined : 'to-thread',
    });
  }
  return out;
}

/** `coll.find({...})` / `coll.find()`: a filter document, unlike `text.find("x")`. */
function mongoFilterArgument(call: SyntaxNode): boolean {
  const { positional, keywords } = pythonArguments(call);
  if (positional.length === 0) return keywords.size === 0 || keywords.has('filter') || keywords.has('projection');
  return positional[0].type === 'dictionary';
}

function checkPython(match: RuleMatch): CandidateInit[] | undefined {
  const call = match.node('match')!;
  // Awaited, or entered by `async with` / iterated by `async for`: an async API, whatever its name.
  if (call.parent?.type === 'await' || pyAsyncContext(call)) return undefined;
  const fn = pyAsyncFunction(call);
  if (!fn) return undefined;
  let found: PyFinding[];
  switch (match.props.shape) {
    case 'module':
      found = pyModuleCall(match, call, fn);
      break;
    case 'bare':
      found = pyBareCall(match, call, fn);
      break;
    case 'urlopen':
      found = pyUrlopen(call, fn);
      break;
    case 'open':
      found = pyOpenRead(call, fn);
      break;
    case 'method':
      found = pyClientMethod(match, call, fn);
      break;
    default:
      return undefined;
  }
  return found.map((f) => ({
    message: pyMessage(call, fn, f),
    // A small local file costs little: a warning at every scale, where the rest become errors at 100k.
    severity: f.kind === 'file' ? ('warning' as Severity) : undefined,
    requires: f.requires,
    unless: [...(f.unless ?? []), { fact: 'py-flask' }],
    data: { kind: f.kind, ...(f.fix ? { fix: f.fix } : {}) },
  }));
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

/** Python facts: imports keyed by the local name, and sync clients bound at module level or on `self`. */
function pythonFacts(match: RuleMatch): FactInit[] {
  const fact = match.props.fact;
  if (fact === 'py-import') {
    const m = match.node('mod')!;
    const modText = m.text;
    const name = match.node('name');
    const alias = match.node('key');
    const out: FactInit[] = [];
    if (name) {
      // from M import N [as A]
      const full = `${modText}.${name.text}`;
      out.push({ name: `py-from:${full}`, key: (alias ?? name).text, node: alias ?? name });
      if (/^motor\b/.test(modText) || full === 'pymongo.AsyncMongoClient') out.push({ name: 'py-async-mongo', key: '', node: name });
      if (full === 'pymongo.MongoClient') out.push({ name: 'py-sync-mongo', key: '', node: name });
      return out;
    }
    if (alias) return [{ name: `py-mod:${modText}`, key: alias.text, node: alias }];
    // import a.b binds `a` and makes `a.b` reachable.
    const parts = modText.split('.');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('.');
      out.push({ name: `py-mod:${prefix}`, key: prefix, node: m });
    }
    if (parts[0] === 'motor') out.push({ name: 'py-async-mongo', key: '', node: m });
    return out;
  }
  if (fact === 'py-open-shadowed') return [{ name: fact, key: '', node: match.node('name')! }];
  if (fact === 'py-flask') return [{ name: fact, key: '', node: match.node('mod')! }];
  if (fact === 'py-bound') {
    const key = match.node('key')!;
    const assignment = key.parent!;
    const kind = pyClientKindOf(assignment.childForFieldName('right'));
    if (!kind) return [];
    // Module level, or an instance attribute (`self.redis = Redis(...)`): locals of other functions do not count.
    const onInstance = key.type === 'attribute' && /^(self|cls)$/.test(key.childForFieldName('object')?.text ?? '');
    if (!onInstance && (key.type !== 'identifier' || enclosingFunction(key, 'python'))) return [];
    const binding = pyBindingName(key);
    if (!binding) return [];
    const out: FactInit[] = [{ name: fact, key: `${binding}=${kind}`, node: key }];
    if (kind === 'mongo-mod' || kind === 'mongo-name') out.push({ name: 'py-sync-mongo', key: '', node: key });
    return out;
  }
  return [];
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
  const fn = pyAsyncFunction(call);
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

type TsGroup = 'fs' | 'child_process' | 'crypto' | 'bcrypt';

const TS_SOURCES: Readonly<Record<string, TsGroup>> = {
  fs: 'fs',
  'node:fs': 'fs',
  'fs-extra': 'fs',
  'graceful-fs': 'fs',
  child_process: 'child_process',
  'node:child_process': 'child_process',
  crypto: 'crypto',
  'node:crypto': 'crypto',
  bcrypt: 'bcrypt',
  bcryptjs: 'bcrypt',
};

/** The blocking functions of each module. Cheap ones (`randomBytes`, `randomFillSync` on a few bytes, `genSaltSync`) are left out. */
const TS_FUNCTIONS: Readonly<Record<string, TsGroup>> = {
  ...Object.fromEntries(
    [
      'readFileSync', 'writeFileSync', 'appendFileSync', 'existsSync', 'statSync', 'lstatSync', 'fstatSync', 'readdirSync',
      'mkdirSync', 'mkdtempSync', 'rmSync', 'rmdirSync', 'unlinkSync', 'copyFileSync', 'cpSync', 'renameSync', 'accessSync',
      'openSync', 'readSync', 'writeSync', 'closeSync', 'fsyncSync', 'realpathSync', 'readlinkSync', 'symlinkSync',
      'chmodSync', 'chownSync', 'truncateSync', 'utimesSync', 'opendirSync', 'readJsonSync', 'writeJsonSync',
      'outputFileSync', 'copySync', 'moveSync', 'removeSync', 'ensureDirSync', 'emptyDirSync',
    ].map((n) => [n, 'fs' as TsGroup]),
  ),
  execSync: 'child_process',
  execFileSync: 'child_process',
  spawnSync: 'child_process',
  pbkdf2Sync: 'crypto',
  scryptSync: 'crypto',
  generateKeyPairSync: 'crypto',
  hashSync: 'bcrypt',
  compareSync: 'bcrypt',
};

/** fs methods whose promise twin takes the same arguments and resolves to the same value. */
const FS_PROMISE_TWIN: Readonly<Record<string, string>> = {
  readFileSync: 'readFile',
  writeFileSync: 'writeFile',
  appendFileSync: 'appendFile',
  readdirSync: 'readdir',
  mkdirSync: 'mkdir',
  mkdtempSync: 'mkdtemp',
  rmSync: 'rm',
  rmdirSync: 'rmdir',
  unlinkSync: 'unlink',
  copyFileSync: 'copyFile',
  renameSync: 'rename',
  accessSync: 'access',
  realpathSync: 'realpath',
  readlinkSync: 'readlink',
  // Only without options: `statSync(p, { throwIfNoEntry: false })` has no promise equivalent.
  statSync: 'stat',
  lstatSync: 'lstat',
};

/** Functions that run once, at start-up, in a build step or in tests. */
const TS_STARTUP_NAME =
  /^(main|start|startServer|startup|(init|initialize|setup|bootstrap)([A-Z_]\w*)?|onModuleInit|onApplicationBootstrap|getStaticProps|getStaticPaths|generateStaticParams|globalSetup|globalTeardown)$/;
/** Test runners' callbacks: `it('...', async () => ...)`, `beforeAll(...)`, `test.each(...)(...)`. */
const TS_TEST_CALLEE = /^(it|test|describe|before|after|beforeAll|beforeEach|afterAll|afterEach)\b/;

/** Start-up, build-time or test code: a `main`/`bootstrap`, a top-level IIFE, a `listen` callback, a test body. */
function tsRunsOnce(fn: SyntaxNode): boolean {
  const name = jsFunctionName(fn);
  if (name && TS_STARTUP_NAME.test(name)) return true;
  if (isIife(fn) && !enclosingFunction(fn, 'typescript')) return true;
  const args = fn.parent;
  if (args?.type === 'arguments') {
    const callee = args.parent?.childForFieldName('function');
    if (callee && TS_TEST_CALLEE.test(callee.text)) return true;
    // `app.listen(port, async () => ...)`, a CLI command's `.action(async () => ...)`.
    if (callee?.type === 'member_expression' && /^(listen|action)$/.test(callee.childForFieldName('property')?.text ?? '')) return true;
  }
  return false;
}

type TsPlace = { kind: 'handler' | 'async'; fn: SyntaxNode };

/**
 * Where a call runs on the event loop while requests are served: the nearest enclosing request
 * handler or async function (callbacks inside them run on the same loop). Start-up and test code,
 * constructors and sync helpers that are not handlers are left alone.
 */
function tsPlace(call: SyntaxNode, file: FileContext): TsPlace | undefined {
  for (let fn = enclosingFunction(call, 'typescript'); fn; fn = enclosingFunction(fn, 'typescript')) {
    if (tsRunsOnce(fn)) return undefined;
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
  }
}

function checkTypescript(match: RuleMatch): CandidateInit | undefined {
  const call = match.node('match')!;
  const name = match.text('fn')!;
  const group = TS_FUNCTIONS[name];
  if (!group) return undefined;
  const obj = match.node('obj');
  const requires: FactRef[] = [];
  if (!obj) {
    requires.push({ fact: `ts-named:${group}`, key: name });
  } else if (obj.type === 'call_expression') {
    // require('fs').readFileSync(...)
    const [path] = jsArguments(obj).args;
    if (obj.childForFieldName('function')?.text !== 'require' || TS_SOURCES[stringLiteral(path) ?? ''] !== group) return undefined;
  } else {
    requires.push({ fact: `ts-mod:${group}`, key: obj.text });
  }
  const place = tsPlace(call, match.file);
  if (!place) return undefined;
  return {
    message: tsMessage(call, group, place),
    severity: group === 'fs' ? 'warning' : undefined,
    requires,
    data: { group, fn: name },
  };
}

function typescriptFacts(match: RuleMatch): FactInit[] {
  const key = match.node('key')!;
  const group = TS_SOURCES[match.text('src') ?? ''];
  if (!group) return [];
  if (match.props.fact === 'ts-module') return [{ name: `ts-mod:${group}`, key: key.text, node: key }];
  return TS_FUNCTIONS[key.text] === group ? [{ name: `ts-named:${group}`, key: key.text, node: key }] : [];
}

// ---------------------------------------------------------------------------------------------
// TypeScript fixes

/** Whether `name` is the core `fs` module in this file: `import fs from 'fs'`, `import * as fs`, `require('fs')`. */
function tsCoreFsName(root: SyntaxNode, name: string): boolean {
  const core = (s: string | undefined): boolean => s === 'fs' || s === 'node:fs';
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
  const twin = FS_PROMISE_TWIN[String(t.data.fn)];
  if (call.type !== 'call_expression' || !twin || !tsAwaitFits(call)) return undefined;
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'member_expression') return undefined; // imported by name: not offered
  const obj = callee.childForFieldName('object')!;
  const prop = callee.childForFieldName('property')!;
  const isCore =
    obj.type === 'identifier'
      ? tsCoreFsName(t.root, obj.text)
      : obj.type === 'call_expression' && ['fs', 'node:fs'].includes(stringLiteral(jsArguments(obj).args[0]) ?? '');
  if (!isCore) return undefined;
  const { args, spread } = jsArguments(call);
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
  const asyncName = prop.text === 'hashSync' ? 'hash' : prop.text === 'compareSync' ? 'compare' : undefined;
  if (!asyncName) return undefined;
  const before = t.text.slice(call.startIndex, prop.startIndex);
  const after = t.text.slice(prop.endIndex, call.endIndex);
  return [{ start: call.startIndex, end: call.endIndex, newText: tsWrap(call, `await ${before}${asyncName}${after}`) }];
}

// ---------------------------------------------------------------------------------------------

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python, typescript },
  check(match) {
    if (match.language === 'python') return checkPython(match);
    if (match.language === 'typescript') return checkTypescript(match);
    return undefined;
  },
  facts(match) {
    if (match.language === 'python') return pythonFacts(match);
    if (match.language === 'typescript') return typescriptFacts(match);
    return undefined;
  },
  fixes: {
    'asyncio-sleep': (t) => asyncioSleepFix(t),
    'to-thread': (t) => toThreadFix(t),
    'fs-promises': (t) => fsPromisesFix(t),
    'bcrypt-async': (t) => bcryptAsyncFix(t),
  },
});
