import type { SyntaxNode } from 'tree-sitter';
import { eol, lineStart, nextLineStart } from '../../server/src/engine/edit-helpers';
import type { QueryLanguage } from '../../server/src/engine/languages';
import { enclosingFunction, isFunctionNode, isHandlerFunction } from '../../server/src/engine/predicates';
import {
  defineRule,
  type CandidateInit,
  type FactInit,
  type FactRef,
  type FixTarget,
  type RelatedInit,
  type RuleMatch,
  type RuleMeta,
  type TextEditInit,
} from '../../server/src/engine/rule-api';
import { goArguments, pythonArguments, sameNode, stringLiteral, unitNodeKey } from '../../server/src/engine/syntax';
import type { FileContext } from '../../server/src/model/file-context';
import meta from './rule.json';
import python from './python.scm';
import go from './go.scm';
import typescript from './typescript.scm';

// ---------------------------------------------------------------------------------------------
// What each constructor creates, what that costs per request, and whether it can be hoisted

const POOL_LIMIT = 'PostgreSQL allows 100 by default';

const DB_POOL_EFFECT = `every request opens new connections (TCP, TLS and authentication) instead of reusing pooled ones, and a pool that is not closed keeps its connections, so at a few hundred requests per second the database runs out of connections (${POOL_LIMIT}). Create it once at startup and share it.`;
const DB_CONN_EFFECT = `every request pays a new connection (TCP, TLS and authentication; a new server process in PostgreSQL) and nothing bounds how many are open, so concurrent requests open one each until the database refuses more (${POOL_LIMIT}, MySQL 151). Use a pool created once at startup.`;
const MONGO_EFFECT =
  'every request opens new connections (TCP, TLS and authentication) plus the new client’s monitoring connections and threads, and a client that is not closed keeps them, so at a few hundred requests per second the cluster reaches its connection limit (1,500 on an Atlas M10). Create one client at startup and share it.';
const REDIS_EFFECT =
  'every request opens a new connection (TCP, AUTH and TLS when used) instead of reusing a pooled one, and a client that is not closed keeps it, so at a few hundred requests per second Redis fills up with idle clients (10,000 by default) and every request pays the handshake. Create one client at startup and share it.';
const HTTP_EFFECT =
  'every request pays new TCP and TLS handshakes to the upstream (tens to hundreds of milliseconds) instead of reusing kept-alive connections, and a client that is not closed leaks its sockets. Create one client at startup and share it.';
const PRISMA_EFFECT = `every request starts another query engine with its own connection pool, so at a few hundred requests per second the database runs out of connections (${POOL_LIMIT}) and memory grows with every instance. Create one PrismaClient at module level and share it.`;
const GO_SQL_EFFECT = `a pool is meant to be opened once: every request opens new connections (TCP, TLS and authentication) and a pool that is not closed keeps them, so at a few hundred requests per second the database runs out of connections (${POOL_LIMIT}). Open it once in main and pass it to the handlers.`;
const GO_TRANSPORT_EFFECT =
  'every request pays new TCP and TLS handshakes, and the idle connections of each Transport (two goroutines each) stay open until they time out, so at a few hundred requests per second thousands of sockets and goroutines pile up. Share one Transport; an http.Client without a Transport of its own already shares http.DefaultTransport.';

interface Family {
  what: string;
  effect: string;
  /** HTTP clients cost latency and sockets, not the database's connection limit: a warning at every scale. */
  http?: boolean;
  /**
   * Whether moving the construction to module level can work: a client meant to be shared across
   * requests, created without I/O and without a running event loop. Single connections (shared,
   * they would mix the transactions of concurrent requests), awaited pools and aiohttp sessions
   * (which need the running loop) are not.
   */
  hoist: boolean;
  /** Methods that close (or open) the client: a hoisted client must not be closed by the handler. */
  lifecycle: readonly string[];
}

const FAMILIES = {
  // Python
  mongo: { what: 'a MongoDB client with its own connection pool', effect: MONGO_EFFECT, hoist: true, lifecycle: ['close'] },
  sqlalchemy: { what: 'a SQLAlchemy engine with its own connection pool', effect: DB_POOL_EFFECT, hoist: true, lifecycle: ['dispose'] },
  redis: { what: 'a Redis client with its own connection pool', effect: REDIS_EFFECT, hoist: true, lifecycle: ['close', 'aclose', 'disconnect'] },
  'redis-pool': { what: 'a Redis connection pool', effect: REDIS_EFFECT, hoist: true, lifecycle: ['close', 'aclose', 'disconnect'] },
  httpx: { what: 'an HTTP client with its own connection pool', effect: HTTP_EFFECT, http: true, hoist: true, lifecycle: ['close', 'aclose'] },
  requests: { what: 'a requests Session with its own connection pool', effect: HTTP_EFFECT, http: true, hoist: true, lifecycle: ['close'] },
  aiohttp: { what: 'an aiohttp session with its own connection pool', effect: HTTP_EFFECT, http: true, hoist: false, lifecycle: [] },
  urllib3: { what: 'an urllib3 pool manager', effect: HTTP_EFFECT, http: true, hoist: true, lifecycle: ['clear'] },
  'py-conn': { what: 'a new database connection', effect: DB_CONN_EFFECT, hoist: false, lifecycle: [] },
  'py-pool': { what: 'a database connection pool', effect: DB_POOL_EFFECT, hoist: false, lifecycle: [] },
  // TypeScript / JavaScript
  'pg-pool': { what: 'a node-postgres pool', effect: DB_POOL_EFFECT, hoist: true, lifecycle: ['end'] },
  'pg-client': { what: 'a new PostgreSQL connection', effect: DB_CONN_EFFECT, hoist: false, lifecycle: [] },
  'mongo-node': { what: 'a MongoDB client with its own connection pool', effect: MONGO_EFFECT, hoist: true, lifecycle: ['close', 'connect'] },
  ioredis: { what: 'a Redis client with a connection of its own', effect: REDIS_EFFECT, hoist: true, lifecycle: ['quit', 'disconnect', 'connect', 'end'] },
  'redis-node': { what: 'a Redis client with a connection of its own', effect: REDIS_EFFECT, hoist: true, lifecycle: ['quit', 'disconnect', 'connect', 'close', 'destroy'] },
  'mysql-pool': { what: 'a MySQL connection pool', effect: DB_POOL_EFFECT, hoist: true, lifecycle: ['end'] },
  'mysql-conn': { what: 'a new MySQL connection', effect: DB_CONN_EFFECT, hoist: false, lifecycle: [] },
  prisma: { what: 'a Prisma client (a query engine with its own connection pool)', effect: PRISMA_EFFECT, hoist: true, lifecycle: ['$disconnect', '$connect'] },
  undici: { what: 'an HTTP dispatcher with its own connection pool', effect: HTTP_EFFECT, http: true, hoist: true, lifecycle: ['close', 'destroy'] },
  'http-agent': { what: 'an HTTP agent with its own connection pool', effect: HTTP_EFFECT, http: true, hoist: true, lifecycle: ['destroy'] },
  // Go
  'go-sql': { what: 'a database/sql pool (`*sql.DB`)', effect: GO_SQL_EFFECT, hoist: false, lifecycle: [] },
  'go-gorm': { what: 'a gorm DB with its own database/sql pool', effect: GO_SQL_EFFECT, hoist: false, lifecycle: [] },
  'go-pgxpool': { what: 'a pgx connection pool', effect: GO_SQL_EFFECT, hoist: false, lifecycle: [] },
  'go-pgx': { what: 'a new PostgreSQL connection', effect: DB_CONN_EFFECT, hoist: false, lifecycle: [] },
  'go-redis': { what: 'a Redis client with its own connection pool', effect: REDIS_EFFECT, hoist: true, lifecycle: ['Close'] },
  'go-mongo': { what: 'a MongoDB client with its own connection pool', effect: MONGO_EFFECT, hoist: false, lifecycle: [] },
  'go-transport': { what: 'an http.Transport (a connection pool of its own)', effect: GO_TRANSPORT_EFFECT, http: true, hoist: true, lifecycle: ['CloseIdleConnections'] },
} satisfies Record<string, Family>;

type FamilyId = keyof typeof FAMILIES;

/** A recognised construction: its family and the file-level evidence it needs. */
interface Ctor {
  family: FamilyId;
  requires?: FactRef[];
  unless?: FactRef[];
}

// ---------------------------------------------------------------------------------------------
// Where the construction runs: once per request, or once per process

interface Scope {
  /**
   * handler: inside a request handler (or a Flask request hook); dependency: a FastAPI-style
   * dependency that yields the client it creates; depends: a module-level function, per request
   * only when the file hands it to `Depends(...)`.
   */
  kind: 'handler' | 'dependency' | 'depends';
  /** Where related information points: the handler's or the dependency's name. */
  label?: SyntaxNode;
  /** The function's name, for kind 'depends'. */
  name?: string;
}

const PY_REQUEST_HOOK = /^@\s*[\w.]*\b(before_request|before_app_request|after_request|teardown_request)\b/;
/** pytest fixtures: set up once per test. */
const PY_FIXTURE = /(^|\.)fixture$/;
/** Factories whose result is cached for the process: `@functools.lru_cache(...)`, `@cache`. */
const PY_CACHED = /(^|\.)(lru_cache|cache|cached|cached_property|alru_cache)$/;

function pyDecorators(fn: SyntaxNode): SyntaxNode[] {
  const d = fn.parent?.type === 'decorated_definition' ? fn.parent : undefined;
  return d ? d.namedChildren.filter((c) => c.type === 'decorator') : [];
}

/** The decorators' callables: `pytest.fixture` for `@pytest.fixture(scope="session")`. */
function pyDecoratorNames(fn: SyntaxNode): string[] {
  return pyDecorators(fn).map((d) => d.text.replace(/^@\s*/, '').replace(/\s*\(.*$/s, ''));
}

/** A pytest test or fixture: whatever encloses it, it is no request. */
function isTest(fn: SyntaxNode, lang: QueryLanguage): boolean {
  if (lang !== 'python' || fn.type !== 'function_definition') return false;
  return /^test(_|$)/.test(fn.childForFieldName('name')?.text ?? '') || pyDecoratorNames(fn).some((d) => PY_FIXTURE.test(d));
}

/** A factory whose result is cached (not a handler: `@cache(expire=60)` on a route caches responses, and the handler still runs on every miss). */
function isCachedFactory(fn: SyntaxNode, lang: QueryLanguage): boolean {
  return lang === 'python' && fn.type === 'function_definition' && pyDecoratorNames(fn).some((d) => PY_CACHED.test(d));
}

/** Where storage is per request, an "is it there yet" test is not a cache: Flask's `g`, `request.state`, Express's `req`. */
const PER_REQUEST_STORAGE: Record<QueryLanguage, RegExp> = {
  python: /(?<![\w.])g(?!\w)|\brequest\.state\b/,
  typescript: /(?<![\w.$])(req|request)\.(?!app\b)|\bres\.locals\b/,
  go: /$^/,
};

/**
 * The name a construction is stored under, when it is stored somewhere that outlives the statement:
 * `_client` for `_client = X()`, `http` for `app.state.http = X()`, `_pools` for `_pools[k] = X()`
 * and `pools.set(k, new X())`. A lazy initialisation tests that name before it constructs.
 */
function storeKey(node: SyntaxNode, lang: QueryLanguage): string | undefined {
  let n = node;
  let p = n.parent;
  while (p && (p.type === 'await' || p.type === 'await_expression' || p.type === 'parenthesized_expression' || p.type === 'expression_list' || (lang === 'go' && p.type === 'unary_expression'))) {
    n = p;
    p = p.parent;
  }
  let target: SyntaxNode | null | undefined;
  if (p?.type === 'assignment' || p?.type === 'assignment_expression') target = sameNode(p.childForFieldName('right'), n) ? p.childForFieldName('left') : undefined;
  else if (p?.type === 'assignment_statement') target = sameNode(p.childForFieldName('right'), n) ? p.childForFieldName('left')?.namedChildren[0] : undefined;
  else if (p?.type === 'argument_list' || p?.type === 'arguments') {
    const fn = p.parent?.childForFieldName('function');
    target = fn?.type === 'attribute' || fn?.type === 'member_expression' ? fn.childForFieldName('object') : undefined;
  }
  if (!target) return undefined;
  const field = ({ subscript: 'value', subscript_expression: 'object', index_expression: 'operand' } as Record<string, string>)[target.type];
  const base = (field ? target.childForFieldName(field) : null) ?? target;
  return /(\w+)\W*$/.exec(base.text)?.[1];
}

/**
 * The condition of a lazy initialisation: it tests that the stored client is absent (`x is None`,
 * `not hasattr(state, "x")`, `k not in pools`, `!x`, `x == null`, `x == nil`), or, in Go, the `ok`
 * of a map lookup (`if !ok`).
 */
function isAbsenceTest(cond: SyntaxNode | null, lang: QueryLanguage, key: string | undefined): boolean {
  if (!cond) return false;
  const inner = cond.type === 'parenthesized_expression' ? cond.namedChildren[0] ?? cond : cond;
  const text = inner.text;
  if (PER_REQUEST_STORAGE[lang].test(text)) return false;
  if (lang === 'go' && /^!(ok|found|exists|cached|loaded)$/.test(text)) return true;
  if (key === undefined || !new RegExp(`\\b${key}\\b`).test(text)) return false;
  switch (lang) {
    case 'python':
      return /\bis\s+None\b|==\s*None\b|^not\b|\bnot\s+in\b|\bnot\s+hasattr\b/.test(text);
    case 'typescript':
      return /^!|={2,3}\s*(null|undefined)\b|\b(null|undefined)\s*={2,3}/.test(text);
    case 'go':
      return /==\s*nil\b/.test(text);
  }
}

/**
 * Whether `child` (the ancestor of the construction just below `a`) only runs when no client
 * exists yet: `if _client is None:`, `client ??= new X()`, `x || new X()`, Go's `once.Do(func() {...})`.
 */
function cachedBy(a: SyntaxNode, child: SyntaxNode, lang: QueryLanguage, key: string | undefined): boolean {
  switch (a.type) {
    case 'if_statement':
    case 'elif_clause':
      return sameNode(a.childForFieldName('consequence'), child) && isAbsenceTest(a.childForFieldName('condition'), lang, key);
    case 'boolean_operator':
      return lang === 'python' && a.childForFieldName('operator')?.text === 'or' && sameNode(a.childForFieldName('right'), child);
    case 'binary_expression':
      return lang === 'typescript' && /^(\?\?|\|\|)$/.test(a.childForFieldName('operator')?.text ?? '') && sameNode(a.childForFieldName('right'), child);
    case 'augmented_assignment_expression':
      return /^(\?\?=|\|\|=)$/.test(a.childForFieldName('operator')?.text ?? '') && sameNode(a.childForFieldName('right'), child);
    case 'call_expression': {
      if (lang !== 'go') return false;
      const fn = a.childForFieldName('function');
      return fn?.type === 'selector_expression' && fn.childForFieldName('field')?.text === 'Do' && sameNode(a.childForFieldName('arguments'), child);
    }
    default:
      return false;
  }
}

/** The node related information points at for a handler: its name, or the route call it is passed to. */
function handlerLabel(fn: SyntaxNode): SyntaxNode {
  const name = fn.childForFieldName('name');
  if (name) return name;
  const args = fn.parent;
  const callee = args?.type === 'arguments' ? args.parent?.childForFieldName('function') : null;
  return callee ?? fn.childForFieldName('parameters') ?? fn;
}

interface PyBinding {
  name: string;
  /** The assignment's expression statement, or the with statement. */
  stmt: SyntaxNode;
  form: 'assign' | 'with';
}

/** `client = Ctor(...)`, `client = await Ctor(...)`, `with Ctor(...) as client:`: the name the client is bound to. */
function pyBinding(call: SyntaxNode): PyBinding | undefined {
  let n = call;
  let p = n.parent;
  if (p?.type === 'await') {
    n = p;
    p = p.parent;
  }
  if (p?.type === 'assignment' && sameNode(p.childForFieldName('right'), n)) {
    const left = p.childForFieldName('left');
    return left?.type === 'identifier' && p.parent ? { name: left.text, stmt: p.parent, form: 'assign' } : undefined;
  }
  if (p?.type === 'as_pattern' && sameNode(p.namedChildren[0], n) && p.parent?.type === 'with_item') {
    const id = p.childForFieldName('alias')?.namedChildren[0];
    const stmt = p.parent.parent?.parent;
    return id?.type === 'identifier' && stmt?.type === 'with_statement' ? { name: id.text, stmt, form: 'with' } : undefined;
  }
  return undefined;
}

/** The name an expression starts from: `client` for `client`, `client.db`, `client["app"]`, `client.get_database()`. */
function pyRootName(expr: SyntaxNode | undefined | null): string | undefined {
  let n = expr;
  while (n) {
    if (n.type === 'identifier') return n.text;
    n = n.type === 'attribute' ? n.childForFieldName('object') : n.type === 'subscript' ? n.childForFieldName('value') : n.type === 'call' ? n.childForFieldName('function') : null;
  }
  return undefined;
}

/** Whether these statements (and the bodies of the try / with statements among them) yield the client. */
function pyYields(stmts: SyntaxNode[], name: string, depth: number): boolean {
  for (const s of stmts) {
    if (s.type === 'expression_statement') {
      const y = s.namedChildren[0];
      if (y?.type === 'yield' && pyRootName(y.namedChildren[0]) === name) return true;
    } else if (depth > 0 && (s.type === 'try_statement' || s.type === 'with_statement')) {
      const body = s.childForFieldName('body');
      if (body && pyYields(body.namedChildren, name, depth - 1)) return true;
    }
  }
  return false;
}

/** `client = Ctor(); try: yield client finally: ...` or `async with Ctor() as client: yield client`. */
function pyYieldsClient(call: SyntaxNode): boolean {
  const b = pyBinding(call);
  if (!b) return false;
  if (b.form === 'with') return pyYields(b.stmt.childForFieldName('body')?.namedChildren ?? [], b.name, 2);
  const later = (b.stmt.parent?.namedChildren ?? []).filter((s) => s.startIndex > b.stmt.startIndex);
  return pyYields(later, b.name, 2);
}

/**
 * Whether a construction runs once per request, judged from its ancestors only: inside a request
 * handler and not guarded by a lazy initialisation; or, in Python, in a dependency.
 */
function perRequestScope(node: SyntaxNode, lang: QueryLanguage, file: FileContext): Scope | undefined {
  const key = storeKey(node, lang);
  let nearest: SyntaxNode | undefined;
  let child = node;
  for (let a = node.parent; a; child = a, a = a.parent) {
    if (cachedBy(a, child, lang, key)) return undefined;
    if (!isFunctionNode(a, lang)) continue;
    // A Python default value is evaluated once, when the def statement runs.
    if (lang === 'python' && child.type === 'parameters') continue;
    if (isTest(a, lang)) return undefined;
    nearest ??= a;
    if (isHandlerFunction(a, lang, file) || (lang === 'python' && pyDecorators(a).some((d) => PY_REQUEST_HOOK.test(d.text)))) {
      return { kind: 'handler', label: handlerLabel(a) };
    }
    if (isCachedFactory(a, lang)) return undefined;
  }
  if (lang !== 'python' || nearest?.type !== 'function_definition') return undefined;
  // Decorated generators are context managers (lifespans), fixtures and the like.
  if (nearest.parent?.type === 'decorated_definition') return undefined;
  const name = nearest.childForFieldName('name');
  if (!name || /lifespan|startup|shutdown/i.test(name.text)) return undefined;
  if (pyYieldsClient(node)) return { kind: 'dependency', label: name };
  return nearest.parent?.type === 'module' ? { kind: 'depends', name: name.text } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Python

const PY_REDIS_MODULE = /^(redis|aioredis|redis\.asyncio|coredis)$/;
const PY_CONNECT_MODULE = /^(psycopg2|psycopg|pymysql|MySQLdb|asyncpg|aiomysql|aiopg|mysql\.connector|psycopg\.(Async)?Connection)$/;

/** The family an imported module stands for in the rule's import facts. */
function pyModuleFamily(module: string): string | undefined {
  const m = /^(httpx|aiohttp|redis|aioredis|urllib3|asyncpg|aiomysql|psycopg_pool|mongomock)(\.|$)/.exec(module);
  if (!m) return undefined;
  return m[1] === 'aioredis' ? 'redis' : m[1];
}

function pyIsSqlite(url: SyntaxNode | undefined): boolean {
  return url !== undefined && /^[a-z]*("""|'''|"|')sqlite/i.test(url.text);
}

function recognizePython(match: RuleMatch): Ctor[] {
  const call = match.node('match')!;
  const name = match.text('name')!;
  const object = match.node('object');
  const { positional, keywords, splat } = pythonArguments(call);
  const sharedValue = (kw: string): boolean => {
    const v = keywords.get(kw);
    return v !== undefined && (v.type === 'identifier' || v.type === 'attribute');
  };
  // A client over a pool, transport or connector made elsewhere shares it; `**options` may hold one.
  const redisShared = splat || keywords.has('connection_pool');
  const httpxShared = splat || sharedValue('transport');
  const aiohttpShared = splat || sharedValue('connector');
  const imported = (family: string, n = name): FactRef => ({ fact: 'prc-py-import', key: `${family}:${n}` });
  if (!object) {
    switch (name) {
      case 'AsyncIOMotorClient':
      case 'AsyncMongoClient':
        return [{ family: 'mongo' }];
      case 'MongoClient':
        return [{ family: 'mongo', unless: [imported('mongomock')] }];
      case 'create_engine':
      case 'create_async_engine':
        return pyIsSqlite(positional[0] ?? keywords.get('url')) ? [] : [{ family: 'sqlalchemy' }];
      case 'AsyncClient':
      case 'Client':
        return httpxShared ? [] : [{ family: 'httpx', requires: [imported('httpx')] }];
      case 'ClientSession':
        return aiohttpShared ? [] : [{ family: 'aiohttp', requires: [imported('aiohttp')] }];
      case 'Redis':
      case 'StrictRedis':
        return redisShared ? [] : [{ family: 'redis', requires: [imported('redis')] }];
      case 'ConnectionPool':
      case 'BlockingConnectionPool':
        return [
          { family: 'redis-pool', requires: [imported('redis')] },
          { family: 'py-pool', requires: [imported('psycopg_pool')] },
        ];
      case 'AsyncConnectionPool':
        return [{ family: 'py-pool', requires: [imported('psycopg_pool')] }];
      case 'PoolManager':
        return [{ family: 'urllib3', requires: [imported('urllib3')] }];
      case 'create_pool':
        return [
          { family: 'py-pool', requires: [imported('asyncpg')] },
          { family: 'py-pool', requires: [imported('aiomysql')] },
        ];
      default:
        return [];
    }
  }
  const o = object.text;
  switch (name) {
    case 'AsyncIOMotorClient':
      return /^(motor|motor\.motor_asyncio|motor_asyncio)$/.test(o) ? [{ family: 'mongo' }] : [];
    case 'MongoClient':
    case 'AsyncMongoClient':
      return /^pymongo(\.|$)/.test(o) ? [{ family: 'mongo' }] : [];
    case 'create_engine':
    case 'create_async_engine':
      return /^(sqlalchemy|sa)(\.|$)/.test(o) && !pyIsSqlite(positional[0] ?? keywords.get('url')) ? [{ family: 'sqlalchemy' }] : [];
    case 'AsyncClient':
    case 'Client':
      return o === 'httpx' && !httpxShared ? [{ family: 'httpx' }] : [];
    case 'ClientSession':
      return o === 'aiohttp' && !aiohttpShared ? [{ family: 'aiohttp' }] : [];
    case 'Redis':
    case 'StrictRedis':
      return PY_REDIS_MODULE.test(o) && !redisShared ? [{ family: 'redis' }] : [];
    case 'from_url': {
      if (PY_REDIS_MODULE.test(o)) return redisShared ? [] : [{ family: 'redis' }];
      const m = /^(?:(redis|aioredis|redis\.asyncio|coredis)\.)?(Redis|StrictRedis|ConnectionPool|BlockingConnectionPool)$/.exec(o);
      if (!m) return [];
      const family: FamilyId = m[2].endsWith('Pool') ? 'redis-pool' : 'redis';
      if (family === 'redis' && redisShared) return [];
      return [m[1] ? { family } : { family, requires: [imported('redis', m[2])] }];
    }
    case 'ConnectionPool':
    case 'BlockingConnectionPool':
      return PY_REDIS_MODULE.test(o) ? [{ family: 'redis-pool' }] : o === 'psycopg_pool' ? [{ family: 'py-pool' }] : [];
    case 'AsyncConnectionPool':
      return o === 'psycopg_pool' ? [{ family: 'py-pool' }] : [];
    case 'Session':
      return o === 'requests' ? [{ family: 'requests' }] : [];
    case 'PoolManager':
      return o === 'urllib3' ? [{ family: 'urllib3' }] : [];
    case 'connect':
      return PY_CONNECT_MODULE.test(o) ? [{ family: 'py-conn' }] : [];
    case 'create_pool':
      return /^(asyncpg|aiomysql|aiopg)$/.test(o) ? [{ family: 'py-pool' }] : [];
    default:
      return [];
  }
}

function pyImportFacts(match: RuleMatch): FactInit[] {
  const family = pyModuleFamily(match.text('module')!);
  if (!family) return [];
  const out: FactInit[] = [];
  // `from httpx import AsyncClient`; aliases (`import AsyncClient as C`) are not followed.
  for (const n of match.node('import')!.childrenForFieldName('name')) {
    if (n.type === 'dotted_name') out.push({ name: 'prc-py-import', key: `${family}:${n.text}`, node: n });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Go

const GO_REDIS = { NewClient: 'go-redis', NewClusterClient: 'go-redis', NewFailoverClient: 'go-redis', NewUniversalClient: 'go-redis', NewRing: 'go-redis' } as const;

const GO_OPENERS: Record<string, Partial<Record<string, FamilyId>>> = {
  sql: { Open: 'go-sql', OpenDB: 'go-sql' },
  sqlx: { Open: 'go-sql', Connect: 'go-sql', ConnectContext: 'go-sql', MustConnect: 'go-sql', MustOpen: 'go-sql' },
  gorm: { Open: 'go-gorm' },
  pgxpool: { New: 'go-pgxpool', NewWithConfig: 'go-pgxpool', Connect: 'go-pgxpool', ConnectConfig: 'go-pgxpool' },
  pgx: { Connect: 'go-pgx', ConnectConfig: 'go-pgx' },
  redis: GO_REDIS,
  goredis: GO_REDIS,
  mongo: { Connect: 'go-mongo', NewClient: 'go-mongo' },
};

const GO_SQLITE = /sqlite|libsql/i;

function recognizeGo(match: RuleMatch): Ctor[] {
  if (match.node('type')) return [{ family: 'go-transport' }];
  const fn = match.text('fn')!;
  if (fn === 'Clone') return /Transport/.test(match.text('receiver') ?? '') ? [{ family: 'go-transport' }] : [];
  const pkg = match.text('pkg')!;
  const family = GO_OPENERS[pkg]?.[fn];
  if (!family) return [];
  const { args } = goArguments(match.node('match')!);
  if (pkg === 'sql' || pkg === 'sqlx') {
    // A file database has no server-side connection limit.
    const driver = stringLiteral(args[fn === 'ConnectContext' ? 1 : 0]);
    if (driver !== undefined && GO_SQLITE.test(driver)) return [];
  }
  if (pkg === 'gorm') {
    const dialector = args[0];
    if (!dialector) return [];
    if (GO_SQLITE.test(dialector.type === 'call_expression' ? dialector.childForFieldName('function')?.text ?? '' : stringLiteral(dialector) ?? '')) return [];
    // postgres.New(postgres.Config{Conn: sqlDB}): gorm over an existing pool opens none.
    if (/\bConn\s*:/.test(dialector.text)) return [];
  }
  return [{ family }];
}

// ---------------------------------------------------------------------------------------------
// TypeScript / JavaScript

/** Import sources to the family keys of the rule's import facts. */
const TS_MODULES: Record<string, string> = {
  pg: 'pg',
  'pg-pool': 'pg',
  mongodb: 'mongodb',
  ioredis: 'ioredis',
  redis: 'redis',
  '@redis/client': 'redis',
  mysql: 'mysql',
  mysql2: 'mysql',
  'mysql2/promise': 'mysql',
  undici: 'undici',
  http: 'http',
  https: 'http',
  'node:http': 'http',
  'node:https': 'http',
  agentkeepalive: 'agentkeepalive',
};

/** Modules whose default export is the class itself (`import Redis from 'ioredis'`). */
const TS_DEFAULT_CLASS: Record<string, string> = { ioredis: 'Redis', 'pg-pool': 'Pool', agentkeepalive: 'Agent' };

/** The names a module object conventionally has, accepted without seeing its import. */
const TS_CONVENTIONAL_NS: Record<string, readonly string[]> = {
  pg: ['pg'],
  mongodb: ['mongodb'],
  http: ['http', 'https'],
  undici: ['undici'],
  mysql: ['mysql', 'mysql2'],
  redis: ['redis'],
};

interface TsExport {
  module: string;
  name: string;
  family: FamilyId;
}

const TS_CLASSES: readonly TsExport[] = [
  { module: 'pg', name: 'Pool', family: 'pg-pool' },
  { module: 'pg', name: 'Client', family: 'pg-client' },
  { module: 'mongodb', name: 'MongoClient', family: 'mongo-node' },
  { module: 'ioredis', name: 'Redis', family: 'ioredis' },
  { module: 'ioredis', name: 'Cluster', family: 'ioredis' },
  { module: 'undici', name: 'Pool', family: 'undici' },
  { module: 'undici', name: 'Agent', family: 'undici' },
  { module: 'undici', name: 'Client', family: 'undici' },
  { module: 'http', name: 'Agent', family: 'http-agent' },
  { module: 'agentkeepalive', name: 'Agent', family: 'http-agent' },
  { module: 'agentkeepalive', name: 'HttpsAgent', family: 'http-agent' },
];

const TS_FUNCTIONS: readonly TsExport[] = [
  { module: 'mysql', name: 'createPool', family: 'mysql-pool' },
  { module: 'mysql', name: 'createConnection', family: 'mysql-conn' },
  { module: 'redis', name: 'createClient', family: 'redis-node' },
  { module: 'redis', name: 'createCluster', family: 'redis-node' },
];

const tsImport = (module: string, exported: string, local: string): FactRef => ({ fact: 'prc-ts-import', key: `${module}/${exported}=${local}` });

function recognizeTypeScript(match: RuleMatch): Ctor[] {
  const ns = match.text('ns');
  const ctor = match.text('ctor');
  const exports = ctor !== undefined ? TS_CLASSES : TS_FUNCTIONS;
  const name = ctor ?? match.text('fn')!;
  if (ns === undefined) {
    if (name === 'PrismaClient') return [{ family: 'prisma' }];
    // `new Pool()`, `new PgPool()`: whichever import binds the name decides (at most one does).
    return exports.map((e) => ({ family: e.family, requires: [tsImport(e.module, e.name, name)] }));
  }
  return exports
    .filter((e) => e.name === name)
    .map((e) => (TS_CONVENTIONAL_NS[e.module]?.includes(ns) ? { family: e.family } : { family: e.family, requires: [tsImport(e.module, '*', ns)] }));
}

function tsImportFacts(match: RuleMatch): FactInit[] {
  const source = match.text('module')!;
  const module = TS_MODULES[source];
  if (!module) return [];
  const out: FactInit[] = [];
  const add = (exported: string, local: SyntaxNode): void => {
    out.push({ name: 'prc-ts-import', key: `${module}/${exported}=${local.text}`, node: local });
  };
  // A default import or a whole `require(...)` is the module object (and, for some, the class).
  const addModule = (local: SyntaxNode): void => {
    add('*', local);
    const cls = TS_DEFAULT_CLASS[source];
    if (cls) add(cls, local);
  };
  const statement = match.node('import');
  if (statement) {
    const clause = statement.namedChildren.find((c) => c.type === 'import_clause');
    for (const c of clause?.namedChildren ?? []) {
      if (c.type === 'identifier') addModule(c);
      else if (c.type === 'namespace_import') {
        const id = c.namedChildren.find((x) => x.type === 'identifier');
        if (id) add('*', id);
      } else if (c.type === 'named_imports') {
        for (const s of c.namedChildren) {
          const n = s.type === 'import_specifier' ? s.childForFieldName('name') : null;
          if (n) add(n.text, s.childForFieldName('alias') ?? n);
        }
      }
    }
    return out;
  }
  const binding = match.node('binding')!;
  const exported = match.text('export');
  if (exported !== undefined) {
    if (binding.type === 'identifier') add(exported, binding);
  } else if (binding.type === 'identifier') {
    addModule(binding);
  } else if (binding.type === 'object_pattern') {
    for (const p of binding.namedChildren) {
      if (p.type === 'shorthand_property_identifier_pattern') add(p.text, p);
      else if (p.type === 'pair_pattern') {
        const key = p.childForFieldName('key');
        const value = p.childForFieldName('value');
        if (key && value?.type === 'identifier') add(key.text, value);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Findings

/** The constructor as the message shows it: `httpx.AsyncClient(...)`, `new Pool(...)`, `&http.Transport{...}`. */
function label(node: SyntaxNode): string {
  switch (node.type) {
    case 'new_expression':
      return `new ${node.childForFieldName('constructor')?.text ?? ''}(...)`;
    case 'unary_expression':
      return `&${label(node.childForFieldName('operand')!)}`;
    case 'composite_literal':
      return `${node.childForFieldName('type')?.text ?? ''}{...}`;
    default: {
      const fn = node.childForFieldName('function');
      return fn?.type === 'selector_expression' && fn.childForFieldName('field')?.text === 'Clone' ? `${fn.text}()` : `${fn?.text ?? ''}(...)`;
    }
  }
}

function recognize(match: RuleMatch): Ctor[] {
  switch (match.language) {
    case 'python':
      return recognizePython(match);
    case 'go':
      return recognizeGo(match);
    case 'typescript':
      return recognizeTypeScript(match);
  }
}

function candidates(match: RuleMatch): CandidateInit[] | undefined {
  const ctors = recognize(match);
  if (ctors.length === 0) return undefined;
  const call = match.node('match')!;
  const scope = perRequestScope(call, match.language, match.file);
  if (!scope) return undefined;
  // `&http.Transport{...}`: report the whole expression, the one a fix would move.
  const parent = call.type === 'composite_literal' ? call.parent : null;
  const node = parent?.type === 'unary_expression' && parent.childForFieldName('operator')?.text === '&' ? parent : call;
  return ctors.map((c) => {
    const family: Family = FAMILIES[c.family];
    const requires = [...(c.requires ?? [])];
    const related: RelatedInit[] = [];
    if (scope.kind === 'depends') {
      requires.push({ fact: 'prc-py-depends', key: scope.name!, related: `\`Depends(${scope.name})\`: FastAPI calls it for every request that uses it` });
    } else if (scope.label) {
      related.push({
        node: scope.label,
        message: scope.kind === 'handler' ? 'the request handler it runs in' : 'a dependency that yields the client: FastAPI calls it for every request that uses it',
      });
    }
    return {
      node,
      args: { call: label(node), what: family.what, effect: family.effect },
      severity: family.http ? 'warning' : undefined,
      related,
      requires,
      unless: c.unless,
      data: { family: c.family, hoist: family.hoist },
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Fix: create the client once, at module level

/** The module-level statement or declaration holding a node. */
function topLevel(node: SyntaxNode): SyntaxNode | undefined {
  let n: SyntaxNode | null = node;
  while (n && n.parent && !['module', 'program', 'source_file'].includes(n.parent.type)) n = n.parent;
  return n?.parent ? n : undefined;
}

/** Where a statement can be inserted before a unit: above the comment lines directly on top of it. */
function insertionPoint(text: string, unit: SyntaxNode): number {
  let start = unit.startIndex;
  let row = unit.startPosition.row;
  for (let p = unit.previousNamedSibling; p?.type === 'comment' && p.endPosition.row === row - 1; p = p.previousNamedSibling) {
    if (text.slice(lineStart(text, p.startIndex), p.startIndex).trim() !== '') break;
    start = p.startIndex;
    row = p.startPosition.row;
  }
  return lineStart(text, start);
}

const MULTILINE_STRINGS = new Set(['string', 'template_string', 'raw_string_literal', 'interpreted_string_literal']);

function hasMultilineString(node: SyntaxNode): boolean {
  if (MULTILINE_STRINGS.has(node.type)) return node.startPosition.row !== node.endPosition.row;
  return node.namedChildren.some(hasMultilineString);
}

/**
 * Moves a statement (alone on its lines) to module level, before `unit`: `hoisted` is its text at
 * module level (continuation lines are dedented), followed by the comment that ends its line.
 */
function moveStatement(text: string, stmt: SyntaxNode, unit: SyntaxNode, hoisted: string, lang: QueryLanguage): TextEditInit[] | undefined {
  const ls = lineStart(text, stmt.startIndex);
  const indent = text.slice(ls, stmt.startIndex);
  if (indent.trim() !== '' || hasMultilineString(stmt)) return undefined;
  const next = nextLineStart(text, stmt.endIndex);
  const rest = text.slice(stmt.endIndex, next).replace(/\r?\n$/, '');
  const comment = lang === 'python' ? /^\s*(#.*)?$/ : /^\s*;?\s*(\/\/.*)?$/;
  if (!comment.test(rest)) return undefined;
  const nl = eol(text);
  const body = hoisted
    .split(/\r?\n/)
    .map((line, i) => (i > 0 && line.startsWith(indent) ? line.slice(indent.length) : line))
    .join(nl);
  const trailing = rest.trim().replace(/^;\s*/, '');
  const at = insertionPoint(text, unit);
  const gap = lang === 'python' ? nl + nl + nl : nl + nl;
  return [
    { start: at, end: at, newText: `${body}${trailing ? `  ${trailing}` : ''}${gap}` },
    { start: ls, end: next, newText: '' },
  ];
}

/** Whether the function closes (or opens) the client, which a shared client must not be. */
function managesLifecycle(fnText: string, name: string, family: Family, lang: QueryLanguage): boolean {
  const methods = family.lifecycle.map((m) => m.replace(/\$/g, '\\$')).join('|');
  if (methods && new RegExp(`(^|[^\\w.$])${name}\\s*\\.\\s*(${methods})\\s*\\(`).test(fnText)) return true;
  return lang === 'python' && new RegExp(`\\bwith\\s+${name}\\b`).test(fnText);
}

function count(map: Map<string, number>, node: SyntaxNode | null | undefined): void {
  if (node) map.set(node.text, (map.get(node.text) ?? 0) + 1);
}

// ---- Python ----

const PY_BUILTINS = new Set(['int', 'float', 'str', 'bool', 'dict', 'list', 'tuple', 'set', 'frozenset', 'bytes', 'len', 'min', 'max', 'abs', 'round']);
const PY_TARGET_LISTS = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'list_splat_pattern', 'tuple', 'list', 'parenthesized_expression']);

function pyTargets(map: Map<string, number>, n: SyntaxNode | null): void {
  if (!n) return;
  if (n.type === 'identifier') count(map, n);
  else if (PY_TARGET_LISTS.has(n.type)) for (const c of n.namedChildren) pyTargets(map, c);
}

function pyParamName(p: SyntaxNode): SyntaxNode | undefined {
  if (p.type === 'identifier') return p;
  return p.childForFieldName('name') ?? p.namedChildren.find((c) => c.type === 'identifier');
}

/** How many times each name is bound anywhere inside a node (assignments, loops, parameters, imports...). */
function pyBindings(root: SyntaxNode): Map<string, number> {
  const map = new Map<string, number>();
  const visit = (n: SyntaxNode): void => {
    switch (n.type) {
      case 'assignment':
      case 'augmented_assignment':
      case 'for_statement':
      case 'for_in_clause':
        pyTargets(map, n.childForFieldName('left'));
        break;
      case 'as_pattern_target':
      case 'delete_statement':
        for (const c of n.namedChildren) pyTargets(map, c);
        break;
      case 'global_statement':
      case 'nonlocal_statement':
        for (const c of n.namedChildren) count(map, c);
        break;
      case 'named_expression':
      case 'function_definition':
      case 'class_definition':
        count(map, n.childForFieldName('name'));
        break;
      case 'aliased_import':
        count(map, n.childForFieldName('alias'));
        break;
      case 'parameters':
      case 'lambda_parameters':
        for (const p of n.namedChildren) count(map, pyParamName(p));
        break;
    }
    for (const c of n.namedChildren) visit(c);
  };
  visit(root);
  return map;
}

/** Names bound at module level by the statements before `stop` (all of them without it). */
function pyModuleNames(root: SyntaxNode, stop?: SyntaxNode): Set<string> {
  const names = new Set<string>();
  const add = (n: SyntaxNode | null | undefined): void => {
    if (n) names.add(n.text);
  };
  const visit = (s: SyntaxNode): void => {
    switch (s.type) {
      case 'import_statement':
        for (const n of s.childrenForFieldName('name')) add(n.type === 'aliased_import' ? n.childForFieldName('alias') : n.namedChildren[0]);
        break;
      case 'import_from_statement':
        for (const n of s.childrenForFieldName('name')) add(n.type === 'aliased_import' ? n.childForFieldName('alias') : n);
        break;
      case 'expression_statement':
        for (let a: SyntaxNode | null = s.namedChildren[0]; a?.type === 'assignment'; a = a.childForFieldName('right')) {
          const targets = new Map<string, number>();
          pyTargets(targets, a.childForFieldName('left'));
          for (const k of targets.keys()) names.add(k);
        }
        break;
      case 'function_definition':
      case 'class_definition':
        add(s.childForFieldName('name'));
        break;
      case 'decorated_definition':
        add(s.childForFieldName('definition')?.childForFieldName('name'));
        break;
      case 'if_statement':
      case 'try_statement':
      case 'with_statement':
        // Conditional imports and definitions: `try: import orjson except ImportError: ...`.
        for (const c of s.namedChildren) {
          const blocks = c.type === 'block' ? [c] : c.namedChildren.filter((b) => b.type === 'block');
          for (const b of blocks) for (const inner of b.namedChildren) visit(inner);
        }
        break;
    }
  };
  for (const s of root.namedChildren) {
    if (stop && s.startIndex >= stop.startIndex) break;
    visit(s);
  }
  return names;
}

const PY_NOT_HOISTABLE = new Set(['lambda', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression', 'named_expression', 'await', 'yield']);

/** The names an expression reads, or undefined when it holds something that cannot move (a lambda, an await). */
function pyReads(expr: SyntaxNode): string[] | undefined {
  const out: string[] = [];
  let ok = true;
  const visit = (n: SyntaxNode | null): void => {
    if (!n || !ok) return;
    if (PY_NOT_HOISTABLE.has(n.type)) ok = false;
    else if (n.type === 'identifier') out.push(n.text);
    else if (n.type === 'attribute') visit(n.childForFieldName('object'));
    else if (n.type === 'keyword_argument') visit(n.childForFieldName('value'));
    else for (const c of n.namedChildren) visit(c);
  };
  visit(expr);
  return ok ? out : undefined;
}

function hoistPython(t: FixTarget, family: Family): TextEditInit[] | undefined {
  const call = t.node;
  const assign = call.parent;
  if (assign?.type !== 'assignment' || !sameNode(assign.childForFieldName('right'), call)) return undefined;
  const left = assign.childForFieldName('left');
  const stmt = assign.parent;
  if (left?.type !== 'identifier' || stmt?.type !== 'expression_statement' || stmt.namedChildCount !== 1) return undefined;
  const fn = enclosingFunction(call, 'python');
  const block = stmt.parent;
  if (!fn || !block || !sameNode(block, fn.childForFieldName('body'))) return undefined;
  // The client is used after it is made; a body of one statement would be left empty.
  if (block.namedChildren.filter((c) => c.type !== 'comment').length < 2) return undefined;
  const unit = topLevel(fn);
  const name = left.text;
  if (!unit || managesLifecycle(fn.text, name, family, 'python')) return undefined;
  const bound = pyBindings(unit);
  if (bound.get(name) !== 1 || pyModuleNames(t.root).has(name)) return undefined;
  const reads = pyReads(call);
  const before = pyModuleNames(t.root, unit);
  if (!reads || reads.some((r) => bound.has(r) || !(before.has(r) || PY_BUILTINS.has(r)))) return undefined;
  return moveStatement(t.text, stmt, unit, stmt.text, 'python');
}

// ---- TypeScript / JavaScript ----

const TS_GLOBALS = new Set(['process', 'Number', 'String', 'Boolean', 'parseInt', 'parseFloat', 'JSON', 'Math', 'URL', 'Buffer', 'undefined', 'globalThis']);
const TS_NOT_HOISTABLE = new Set(['arrow_function', 'function_expression', 'function', 'class', 'await_expression', 'this', 'yield_expression']);

function tsPatternNames(map: Map<string, number>, p: SyntaxNode | null | undefined): void {
  if (!p) return;
  switch (p.type) {
    case 'identifier':
    case 'shorthand_property_identifier_pattern':
      count(map, p);
      break;
    case 'pair_pattern':
      tsPatternNames(map, p.childForFieldName('value'));
      break;
    case 'assignment_pattern':
    case 'object_assignment_pattern':
      tsPatternNames(map, p.childForFieldName('left'));
      break;
    case 'object_pattern':
    case 'array_pattern':
    case 'rest_pattern':
      for (const c of p.namedChildren) tsPatternNames(map, c);
      break;
  }
}

function tsBindings(root: SyntaxNode): Map<string, number> {
  const map = new Map<string, number>();
  const visit = (n: SyntaxNode): void => {
    switch (n.type) {
      case 'variable_declarator':
        tsPatternNames(map, n.childForFieldName('name'));
        break;
      case 'required_parameter':
      case 'optional_parameter':
        tsPatternNames(map, n.childForFieldName('pattern'));
        break;
      case 'arrow_function':
        tsPatternNames(map, n.childForFieldName('parameter'));
        break;
      case 'assignment_expression':
      case 'augmented_assignment_expression':
      case 'for_in_statement':
        tsPatternNames(map, n.childForFieldName('left'));
        break;
      case 'update_expression':
        tsPatternNames(map, n.childForFieldName('argument'));
        break;
      case 'catch_clause':
        tsPatternNames(map, n.childForFieldName('parameter'));
        break;
      case 'function_declaration':
      case 'generator_function_declaration':
      case 'class_declaration':
      case 'function_expression':
        count(map, n.childForFieldName('name'));
        break;
    }
    for (const c of n.namedChildren) visit(c);
  };
  visit(root);
  return map;
}

function tsModuleNames(root: SyntaxNode, stop?: SyntaxNode): Set<string> {
  const map = new Map<string, number>();
  const visit = (s: SyntaxNode): void => {
    switch (s.type) {
      case 'import_statement': {
        const clause = s.namedChildren.find((c) => c.type === 'import_clause');
        for (const c of clause?.namedChildren ?? []) {
          if (c.type === 'identifier') count(map, c);
          else if (c.type === 'namespace_import') count(map, c.namedChildren.find((x) => x.type === 'identifier'));
          else if (c.type === 'named_imports') {
            for (const sp of c.namedChildren) if (sp.type === 'import_specifier') count(map, sp.childForFieldName('alias') ?? sp.childForFieldName('name'));
          }
        }
        break;
      }
      case 'lexical_declaration':
      case 'variable_declaration':
        for (const d of s.namedChildren) if (d.type === 'variable_declarator') tsPatternNames(map, d.childForFieldName('name'));
        break;
      case 'function_declaration':
      case 'generator_function_declaration':
      case 'class_declaration':
      case 'abstract_class_declaration':
      case 'enum_declaration':
        count(map, s.childForFieldName('name'));
        break;
      case 'export_statement': {
        const d = s.childForFieldName('declaration');
        if (d) visit(d);
        break;
      }
    }
  };
  for (const s of root.namedChildren) {
    if (stop && s.startIndex >= stop.startIndex) break;
    visit(s);
  }
  return new Set(map.keys());
}

function tsReads(expr: SyntaxNode): string[] | undefined {
  const out: string[] = [];
  let ok = true;
  const visit = (n: SyntaxNode | null): void => {
    if (!n || !ok) return;
    if (TS_NOT_HOISTABLE.has(n.type)) ok = false;
    else if (n.type === 'identifier' || n.type === 'shorthand_property_identifier') out.push(n.text);
    else if (n.type === 'member_expression') visit(n.childForFieldName('object'));
    else if (n.type === 'pair') visit(n.childForFieldName('value'));
    else for (const c of n.namedChildren) visit(c);
  };
  visit(expr);
  return ok ? out : undefined;
}

function hoistTypeScript(t: FixTarget, family: Family): TextEditInit[] | undefined {
  const expr = t.node;
  const decl = expr.parent;
  if (decl?.type !== 'variable_declarator' || !sameNode(decl.childForFieldName('value'), expr)) return undefined;
  const nameNode = decl.childForFieldName('name');
  const stmt = decl.parent;
  if (nameNode?.type !== 'identifier' || !stmt || (stmt.type !== 'lexical_declaration' && stmt.type !== 'variable_declaration')) return undefined;
  if (stmt.namedChildren.filter((c) => c.type === 'variable_declarator').length !== 1) return undefined;
  const fn = enclosingFunction(expr, 'typescript');
  if (!fn || !sameNode(stmt.parent, fn.childForFieldName('body'))) return undefined;
  const unit = topLevel(fn);
  const name = nameNode.text;
  if (!unit || managesLifecycle(fn.text, name, family, 'typescript')) return undefined;
  const bound = tsBindings(unit);
  if (bound.get(name) !== 1 || tsModuleNames(t.root).has(name)) return undefined;
  const reads = tsReads(expr);
  const before = tsModuleNames(t.root, unit);
  if (!reads || reads.some((r) => bound.has(r) || !(before.has(r) || TS_GLOBALS.has(r)))) return undefined;
  // Keep the file's style: a semicolon only where the statement had one.
  return moveStatement(t.text, stmt, unit, `const ${decl.text}${stmt.text.endsWith(';') ? ';' : ''}`, 'typescript');
}

// ---- Go ----

function goBindings(root: SyntaxNode): Map<string, number> {
  const map = new Map<string, number>();
  const list = (n: SyntaxNode | null): void => {
    for (const c of n?.namedChildren ?? []) if (c.type === 'identifier') count(map, c);
  };
  const visit = (n: SyntaxNode): void => {
    switch (n.type) {
      case 'short_var_declaration':
      case 'assignment_statement':
      case 'range_clause':
      case 'receive_statement':
        list(n.childForFieldName('left'));
        break;
      case 'type_switch_statement':
        list(n.childForFieldName('alias'));
        break;
      case 'var_spec':
      case 'const_spec':
      case 'parameter_declaration':
      case 'variadic_parameter_declaration':
        for (const c of n.childrenForFieldName('name')) count(map, c);
        break;
      case 'function_declaration':
        count(map, n.childForFieldName('name'));
        break;
    }
    for (const c of n.namedChildren) visit(c);
  };
  visit(root);
  return map;
}

/** Names declared at package level in this file, and the names its imports may go by. */
function goPackageNames(root: SyntaxNode): Set<string> {
  const names = new Set<string>();
  for (const s of root.namedChildren) {
    if (s.type === 'function_declaration') names.add(s.childForFieldName('name')?.text ?? '');
    else if (s.type === 'var_declaration' || s.type === 'const_declaration' || s.type === 'type_declaration') {
      const specs = s.descendantsOfType(['var_spec', 'const_spec', 'type_spec']);
      for (const spec of specs) for (const n of spec.childrenForFieldName('name')) names.add(n.text);
    } else if (s.type === 'import_declaration') {
      for (const spec of s.descendantsOfType('import_spec')) {
        const alias = spec.childForFieldName('name');
        if (alias) names.add(alias.text);
        const segments = (stringLiteral(spec.childForFieldName('path')) ?? '').split('/');
        for (const seg of segments.slice(-2)) names.add(seg.replace(/^go-/, '').replace(/[.-].*$/, ''));
      }
    }
  }
  return names;
}

function goReads(expr: SyntaxNode): string[] | undefined {
  const out: string[] = [];
  let ok = true;
  const visit = (n: SyntaxNode | null): void => {
    if (!n || !ok) return;
    if (n.type === 'func_literal') ok = false;
    else if (n.type === 'identifier') out.push(n.text);
    else if (n.type === 'selector_expression') visit(n.childForFieldName('operand'));
    else if (n.type === 'keyed_element') {
      // `Addr: addr`: a bare identifier key is a struct field's name.
      const key = n.childForFieldName('key');
      if (key && !(key.namedChildren.length === 1 && key.namedChildren[0].type === 'identifier')) visit(key);
      visit(n.childForFieldName('value'));
    } else for (const c of n.namedChildren) visit(c);
  };
  visit(expr);
  return ok ? out : undefined;
}

function hoistGo(t: FixTarget, family: Family): TextEditInit[] | undefined {
  const expr = t.node;
  const list = expr.parent;
  if (list?.type !== 'expression_list' || list.namedChildren.length !== 1) return undefined;
  const owner = list.parent;
  let name: SyntaxNode | undefined;
  let stmt: SyntaxNode | null | undefined;
  let hoisted: string;
  if (owner?.type === 'short_var_declaration' && sameNode(owner.childForFieldName('right'), list)) {
    const left = owner.childForFieldName('left')?.namedChildren ?? [];
    name = left.length === 1 && left[0].type === 'identifier' ? left[0] : undefined;
    stmt = owner;
    hoisted = `var ${name?.text} = ${expr.text}`;
  } else if (owner?.type === 'var_spec' && sameNode(owner.childForFieldName('value'), list)) {
    const names = owner.childrenForFieldName('name');
    name = names.length === 1 ? names[0] : undefined;
    stmt = owner.parent?.type === 'var_declaration' && owner.parent.namedChildren.length === 1 ? owner.parent : undefined;
    hoisted = `var ${owner.text}`;
  } else {
    return undefined;
  }
  if (!name || name.text === '_' || stmt?.parent?.type !== 'statement_list') return undefined;
  const fn = enclosingFunction(expr, 'go');
  if (!fn || !sameNode(stmt.parent.parent, fn.childForFieldName('body'))) return undefined;
  const unit = topLevel(fn);
  if (!unit || managesLifecycle(fn.text, name.text, family, 'go')) return undefined;
  const bound = goBindings(unit);
  if (bound.get(name.text) !== 1 || goPackageNames(t.root).has(name.text)) return undefined;
  // Anything not declared in the function is package-level (in this file or another) or predeclared.
  const reads = goReads(expr);
  if (!reads || reads.some((r) => bound.has(r))) return undefined;
  return moveStatement(t.text, stmt, unit, hoisted, 'go');
}

// ---------------------------------------------------------------------------------------------

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python, go, typescript },
  check(match) {
    return candidates(match);
  },
  facts(match) {
    switch (match.props.fact) {
      case 'prc-py-import':
        return pyImportFacts(match);
      case 'prc-ts-import':
        return tsImportFacts(match);
      case 'prc-py-depends': {
        const key = match.node('key')!;
        const last = key.type === 'attribute' ? key.childForFieldName('attribute') ?? key : key;
        return [{ name: 'prc-py-depends', key: last.text, node: key }];
      }
      case 'per-request-client': {
        // For pool-unconfigured: this construction is reported here, per request, whatever the file holds.
        const node = match.node('key')!;
        const scope = perRequestScope(node, match.language, match.file);
        return scope && scope.kind !== 'depends' ? [{ name: 'per-request-client', key: unitNodeKey(node), node }] : undefined;
      }
      default:
        return undefined;
    }
  },
  fixes: {
    'hoist-to-module': (target) => {
      const family: Family | undefined = FAMILIES[target.data.family as FamilyId];
      if (!family?.hoist) return undefined;
      switch (target.language) {
        case 'python':
          return hoistPython(target, family);
        case 'typescript':
          return hoistTypeScript(target, family);
        case 'go':
          return hoistGo(target, family);
      }
    },
  },
});
