import type { SyntaxNode } from 'tree-sitter';
import { defineRule, type CandidateInit, type CheckContext, type FactInit, type RuleMatch, type RuleMeta } from '../../server/src/engine/rule-api';
import type { QueryLanguage } from '../../server/src/engine/languages';
import { isFunctionNode } from '../../server/src/engine/predicates';
import { objectProperties, stringLiteral } from '../../server/src/engine/syntax';
import type { FileContext } from '../../server/src/model/file-context';
import { effectsOf } from '../../server/src/model/library';
import { expandStatePredicates, hasEffect, lookupCall, lookupExpr, type Row } from '../per-request-db-write/lookup';
import meta from './rule.json';
import { LOCKED, lockCandidate, lockedFacts } from './locks';
import pythonScm from './python.scm';
import goScm from './go.scm';
import typescriptScm from './typescript.scm';

const python = expandStatePredicates(pythonScm, 'python');
const go = expandStatePredicates(goScm, 'go');
const typescript = expandStatePredicates(typescriptScm, 'typescript');

/*
 * Two kinds of state that splits when a second instance starts, both reported at the declaration
 * of the state and judged through facts (the declaration and its uses are different top-level units):
 *
 * - A collection of WebSocket connections kept in the process and sent to (a broadcast or a lookup
 *   by user). Facts: ADD `key` (a socket is added to the collection named `key`), SEND `key` (a message
 *   is sent to the sockets of `key`), PUBSUB (the file has a pub/sub layer: then the collection only
 *   delivers locally what the layer fans out, which is the right design). Plus socket.io servers
 *   without an adapter, and `ws` servers broadcasting over `wss.clients` (SEND `wss.clients`).
 * - A process-local cache of database results. Facts: FILL `key` (the collection `key` is filled
 *   with a value that comes from a database call). A cache decorator (`@lru_cache`) is judged in its
 *   own unit: the decorated function's statements show whether it queries the database.
 *
 * Collection keys: a module-level (package-level) name `clients`; a class attribute or struct field
 * `Class.attr` (from `self.attr`, `this.attr`, `h.attr` in a method of `Class`); `wss.clients`.
 * CALL and STORE are the patterns behind ADD, SEND, FILL and PUBSUB (one pattern per syntax shape,
 * sorted out here by method name). NOT_SERVER: the file is a test or a command-line tool.
 * What a socket, a send, a pub/sub layer, a cache and a socket server are comes from the models
 * (effects socket-send, publish and subscribe; `state` process or shared, `sharedBy`, `expires`).
 */
const ADD = 'ipss.ws-add';
/** A server-sent events response (a stream the route keeps open) is added to the collection named `key`. */
const ADD_SSE = 'ipss.sse-add';
/** Go: `m[k] = v` in a file that opens an event stream, kept when it stores a stream's channel (see goStreamAdd). */
const GO_SSE_ADD = 'ipss.go-sse-add';
const SEND = 'ipss.ws-send';
const STORE = 'ipss.store';
const CALL = 'ipss.call';
const FILL = 'ipss.db-fill';
const PUBSUB = 'ipss.pubsub';
const NOT_SERVER = 'ipss.not-server';
/** A module-level collection written, and read, in request handlers; a shared store in the file. */
const RECORD_WRITE = 'ipss.record-write';
const RECORD_READ = 'ipss.record-read';
/** A request handler drops entries of a module-level collection (`cache.pop(id)`, `cache.delete(id)`, `delete(cache, id)`). */
const INVALIDATE = 'ipss.invalidate';
const SHARED_STORE = 'ipss.shared-store';

const SOCKETS_MESSAGE =
  '`{name}` keeps the WebSocket connections of this process: once a second instance or worker runs, a message sent through it reaches only the clients connected to that instance and the others silently miss it. Fan messages out through a pub/sub layer (Redis pub/sub, broadcaster, a socket.io adapter) and deliver them to the local connections from its subscription.';
const WSS_MESSAGE =
  'Broadcasting over `{name}.clients` reaches only the WebSocket clients connected to this process: once a second instance or worker runs, the clients of the others silently miss the message. Publish through a pub/sub layer (Redis pub/sub) and send to the local clients from its subscription.';
const SOCKET_IO_MESSAGE =
  'This socket.io server has no adapter: once a second instance or worker runs, `io.emit` and room broadcasts reach only the clients connected to the instance that sends them. Attach a shared adapter (`io.adapter(createAdapter(pubClient, subClient))` from @socket.io/redis-adapter).';
const LOCAL_PUBSUB_MESSAGE =
  '{what} keeps its subscribers in this process: once a second instance or worker runs, what one instance publishes reaches only the subscribers connected to it, and the others silently miss it. Publish through a shared backend (Redis pub/sub, e.g. graphql-redis-subscriptions) instead.';
const CACHE_MESSAGE =
  '`{name}` caches database results in this process: each instance and worker keeps its own copy, so after a write handled by another instance this one keeps serving the old data {until}. Use a shared cache (Redis, Memcached) or invalidate the entry on every instance when the data changes.';
const RECORD_MESSAGE =
  '`{name}` is the data itself, kept in this process: request handlers write to it and read from it, so once a second instance or worker runs, each has its own copy (a write on one is missing on the others: a duplicate webhook is processed twice, an item created on one is not found on the next request), and a restart loses all of it. Keep it in the database or in Redis.';
const RELATED_RECORD_WRITE = 'a request handler writes to it here';
const RELATED_RECORD_READ = 'a request handler reads it here';
const CACHED_FN_MESSAGE =
  '`@{decorator}` caches the database results of `{fn}` in this process: each instance and worker keeps its own copy, so after a write handled by another instance this one keeps serving the old data {until}. Use a shared cache (Redis, Memcached) or invalidate the entry on every instance when the data changes.';

const UNTIL_EXPIRY = 'until the entry expires or is evicted';
const UNTIL_RESTART = 'until the entry is evicted or the process restarts (nothing expires it)';

const STREAMS_MESSAGE =
  '`{name}` keeps the open server-sent event streams of this process: once a second instance or worker runs, an event written through it reaches only the clients connected to that instance and the others silently miss it. Publish events through a shared channel (Redis pub/sub, a message broker) and write them to the local streams from its subscription.';
const RELATED_ADD = 'a connection is added to it here';
const RELATED_SEND = 'messages are sent to its connections here';
const RELATED_FILL = 'filled with database results here';
const RELATED_INVALIDATE = 'a request handler invalidates it here, on this instance only';
const INVALIDATED_MESSAGE =
  '`{name}` is a cache kept in this process, and request handlers invalidate it when the data changes: the invalidation reaches only the instance that handled the request, so once a second instance or worker runs, the others keep serving the old entry {until}. Use a shared cache (Redis, Memcached), or send the invalidation to every instance (pub/sub).';
/** A collection named as a cache: a plain dict or Map by that name is one (its invalidation says the data changes). */
const CACHE_NAME = /cache/i;
const RELATED_QUERY = 'queries the database here';

// ---------------------------------------------------------------------------------------------
// Tree helpers: ancestors only (climbed once per match), and the statements before a node in the
// blocks that enclose it, never beyond its function or its top-level unit.

const UNIT_ROOTS = new Set(['module', 'program', 'source_file']);

/** Functions whose body is a new scope: climbing stops there (closures and callbacks are climbed through). */
const NAMED_FUNCTIONS = new Set(['function_definition', 'function_declaration', 'method_declaration', 'method_definition', 'generator_function_declaration']);

/** Ancestors computed on first use: cheap checks come first, the climb only when needed. */
type Lazy = () => SyntaxNode[];

function lazyAncestors(node: SyntaxNode): Lazy {
  let list: SyntaxNode[] | undefined;
  return () => (list ??= ancestors(node));
}

function ancestors(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let n = node.parent; n && !UNIT_ROOTS.has(n.type); n = n.parent) out.push(n);
  return out;
}

/** The function the node is in (its ancestors given), if any. */
function functionOf(anc: SyntaxNode[], lang: QueryLanguage): SyntaxNode | undefined {
  return anc.find((a) => isFunctionNode(a, lang));
}

/** The class (or Go receiver type) whose method holds the node, by its ancestors. */
function className(anc: SyntaxNode[]): string | undefined {
  for (const a of anc) {
    if (a.type === 'class_definition' || a.type === 'class_declaration' || a.type === 'class') return a.childForFieldName('name')?.text;
  }
  return undefined;
}

/**
 * Visits the statements before `from` in the blocks that enclose it (and the initializers of the
 * Go `if`s it is in), nearest first, until `visit` returns true. Closures are climbed through;
 * a named function, or one with a parameter `name`, ends the search.
 */
function someEarlierStatement(from: SyntaxNode, anc: SyntaxNode[], lang: QueryLanguage, name: string, visit: (stmt: SyntaxNode) => boolean): boolean {
  let child = from;
  for (const a of anc) {
    if (isFunctionNode(a, lang) && (NAMED_FUNCTIONS.has(a.type) || functionParams(a).includes(name))) return false;
    if (a.type === 'block' || a.type === 'statement_block' || a.type === 'statement_list') {
      for (let s = child.previousNamedSibling; s; s = s.previousNamedSibling) if (visit(s)) return true;
    }
    // Go: if err := row.Scan(&u); err == nil { cache.Set(k, u) }
    const init = a.type === 'if_statement' && child.id !== a.childForFieldName('initializer')?.id ? a.childForFieldName('initializer') : null;
    if (init && visit(init)) return true;
    child = a;
  }
  return false;
}

function unwrap(node: SyntaxNode | null | undefined): SyntaxNode | undefined {
  let n = node ?? undefined;
  for (let i = 0; n && i < 6; i++) {
    if (n.type === 'await' || n.type === 'await_expression' || n.type === 'parenthesized_expression' || n.type === 'non_null_expression') n = n.namedChildren[0];
    else if (n.type === 'unary_expression' && (n.childForFieldName('operator')?.text === '&' || n.childForFieldName('operator')?.text === '*')) n = n.childForFieldName('operand') ?? undefined;
    else break;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Database calls: what the models say a call does (by resolution, or by the models' conventions for
// the receiver's name), one call at a time.

/** The file being judged (set by check and facts: the helpers below ask its resolver and models). */
let current: FileContext | undefined;

const DB_EFFECTS = ['db-read-one', 'db-read-many', 'db-count', 'db-query', 'db-write', 'db-write-many', 'materialize'];
const DB_READS = ['db-read-one', 'db-read-many', 'db-count', 'db-query', 'materialize', 'stream'];

/** A query that runs when it is iterated or materialised (a Django QuerySet, a SQLAlchemy Query): a type with reads. */
function isQueryType(file: FileContext, type: string | undefined): boolean {
  if (!type) return false;
  return file.lang.memberNames(type).some((m) => {
    const row = file.lang.member(type, m)?.row;
    return !!row && hasEffect(row, DB_READS);
  });
}

function isDbRow(file: FileContext, row: Row): boolean {
  // A read into a destination (`row.Scan(&u)`) fills it with what a query returned.
  return hasEffect(row, DB_EFFECTS) || row.arguments?.destination !== undefined || (row.call !== false && isQueryType(file, row.returns));
}

/** A method name of several words that every model row of that name makes a database call (`find_one`, `countDocuments`, `QueryRow`). */
function distinctiveDbName(file: FileContext, name: string): boolean {
  if (!/[a-z0-9][A-Z]|[a-z]_[a-z]|^[A-Z][a-z]+[A-Z]/.test(name)) return false;
  let seen = false;
  for (const lib of file.lang.libraries) {
    for (const t of lib.file.types ?? []) {
      for (const m of t.members ?? []) {
        if (m.name !== name) continue;
        if (!hasEffect(m, DB_EFFECTS)) return false;
        seen = true;
      }
    }
  }
  return seen;
}

/** Application names of a data-access object (stays: the project's naming, not a library's): `repo`, `self.user_repository`, `tx`. */
const APP_DB_RECEIVER = /^(repo|repository|tx|transaction|trx)$|_(repo|repository|db)$|^db_|(Repository|Repo)$/;
/** The names of the library's read methods, for a receiver named like a data-access object. */
const READ_NAMES = new Map<string, Set<string>>();
function readNames(file: FileContext): Set<string> {
  let set = READ_NAMES.get(file.language);
  if (!set) READ_NAMES.set(file.language, (set = new Set(file.lang.namesWith(['db-read-one', 'db-read-many', 'db-count', 'db-query']))));
  return set;
}

const CAMEL_CASE = /^[A-Z][a-z0-9]+[A-Za-z0-9]*$/;

/** The names along a receiver chain: `request.app.state.db.users` → request, app, state, db, users. */
function chainNames(node: SyntaxNode | null | undefined, depth = 0): string[] {
  if (!node || depth > 10) return [];
  switch (node.type) {
    case 'identifier':
    case 'property_identifier':
    case 'field_identifier':
    case 'this':
      return [node.text];
    case 'attribute':
      return [...chainNames(node.childForFieldName('object'), depth + 1), node.childForFieldName('attribute')?.text ?? ''];
    case 'member_expression':
      return [...chainNames(node.childForFieldName('object'), depth + 1), node.childForFieldName('property')?.text ?? ''];
    case 'selector_expression':
      return [...chainNames(node.childForFieldName('operand'), depth + 1), node.childForFieldName('field')?.text ?? ''];
    case 'subscript':
      return chainNames(node.childForFieldName('value'), depth + 1);
    case 'subscript_expression':
    case 'index_expression':
      return chainNames(node.childForFieldName('object') ?? node.childForFieldName('operand'), depth + 1);
    case 'call':
    case 'call_expression':
      return chainNames(node.childForFieldName('function'), depth + 1);
    case 'await':
    case 'await_expression':
    case 'parenthesized_expression':
    case 'non_null_expression':
      return chainNames(node.namedChildren[0], depth + 1);
    default:
      return [];
  }
}

function isDbCall(call: SyntaxNode, lang: QueryLanguage): boolean {
  const file = current;
  if (!file) return false;
  const fn = call.childForFieldName('function');
  if (!fn) return false;
  const method = fn.type === 'identifier' ? fn.text : (fn.childForFieldName('attribute') ?? fn.childForFieldName('property') ?? fn.childForFieldName('field'))?.text ?? '';
  const args = call.childForFieldName('arguments');
  const first = args?.namedChildren.find((c) => c.type !== 'comment');
  // `items.find((x) => ...)` is the language's own search.
  if (lang === 'typescript' && first && (first.type === 'arrow_function' || first.type === 'function_expression' || first.type === 'function')) return false;
  const look = lookupCall(file, call, (h) => isDbRow(file, h.row));
  if (look.kind === 'library') {
    if (!isDbRow(file, look.row)) return false;
    // `session.get(User, 1)`: a model class first; `session.get(url)` (aiohttp), `d.get(k)` are not queries.
    if (lang === 'python' && method === 'get' && look.loose) {
      const receiver = fn.childForFieldName('object');
      if (receiver?.type === 'identifier' && CAMEL_CASE.test(receiver.text)) return call.parent?.type === 'await';
      return first?.type === 'identifier' && CAMEL_CASE.test(first.text);
    }
    return true;
  }
  if (look.kind === 'project' && !look.guessed) return false;
  if (distinctiveDbName(file, method)) return true;
  const receiver = fn.childForFieldName('object') ?? fn.childForFieldName('operand');
  return chainNames(receiver).some((n) => APP_DB_RECEIVER.test(n)) && readNames(file).has(method);
}

/**
 * `User.model_validate(row)`: a class method of a library type that builds an instance of that type
 * (the models: a member returning its own type), called on a class: the value is still the row.
 */
function wrapsRow(call: SyntaxNode): boolean {
  const file = current;
  const f = call.childForFieldName('function');
  const obj = f?.childForFieldName('object');
  const name = f?.childForFieldName('attribute')?.text;
  if (!file || !name || obj?.type !== 'identifier' || !CAMEL_CASE.test(obj.text)) return false;
  return file.lang.libraries.some((l) => (l.file.types ?? []).some((t) => (t.members ?? []).some((m) => m.name === name && m.returns === t.name)));
}

/**
 * The database call an expression evaluates (down its call chain and simple wrappers):
 * `await db.users.find(q).to_list(100)`, `dict(await conn.fetchrow(q))`, `s.db.QueryRow(q).Scan(&u)`.
 */
function dbCallIn(expr: SyntaxNode | null | undefined, lang: QueryLanguage): SyntaxNode | undefined {
  let n = unwrap(expr);
  for (let i = 0; n && i < 10; i++) {
    switch (n.type) {
      case 'call':
      case 'call_expression': {
        if (isDbCall(n, lang)) return n;
        const f = n.childForFieldName('function');
        if (f?.type === 'identifier' || (f?.type === 'attribute' && wrapsRow(n))) {
          // dict(row), list(...), User(**row), User.model_validate(row): look at the first argument
          const arg = n.childForFieldName('arguments')?.namedChildren[0];
          n = unwrap(arg?.type === 'dictionary_splat' || arg?.type === 'spread_element' ? arg.namedChildren[0] : arg);
        } else {
          n = unwrap(f?.childForFieldName('object') ?? f?.childForFieldName('operand'));
        }
        break;
      }
      case 'attribute':
      case 'member_expression':
      case 'selector_expression':
        n = unwrap(n.childForFieldName('object') ?? n.childForFieldName('operand'));
        break;
      case 'subscript':
        n = unwrap(n.childForFieldName('value'));
        break;
      case 'subscript_expression':
      case 'index_expression':
        n = unwrap(n.childForFieldName('object') ?? n.childForFieldName('operand'));
        break;
      case 'list_comprehension':
      case 'generator_expression':
      case 'set_comprehension':
      case 'dictionary_comprehension': {
        const clause = n.namedChildren.find((c) => c.type === 'for_in_clause');
        n = unwrap(clause?.childForFieldName('right'));
        break;
      }
      default:
        return undefined;
    }
  }
  return undefined;
}

/** Whether a Go call chain passes `&v` or `&v.f` to one of its calls: `.Scan(&u.ID, &u.Email)`, `db.First(&u, id)`. */
function goChainFills(expr: SyntaxNode, name: string): boolean {
  for (let n: SyntaxNode | undefined = expr, i = 0; n && i < 10; i++) {
    if (n.type !== 'call_expression') return false;
    for (const arg of n.childForFieldName('arguments')?.namedChildren ?? []) {
      if (arg.type !== 'unary_expression' || arg.childForFieldName('operator')?.text !== '&') continue;
      const target = arg.childForFieldName('operand');
      const base = target?.type === 'selector_expression' ? target.childForFieldName('operand') : target;
      if (base?.type === 'identifier' && base.text === name) return true;
    }
    const f = n.childForFieldName('function');
    n = f?.type === 'selector_expression' ? f.childForFieldName('operand') ?? undefined : undefined;
  }
  return false;
}

/** Whether a binding (a loop's left side, a declarator's name) binds `name`: `ws`, `uid, ws`, `(uid, ws)`, `{ rows }`, `[a, b]`. */
function bindsName(left: SyntaxNode | null | undefined, name: string): boolean {
  if (!left) return false;
  if (left.type === 'identifier' || left.type === 'shorthand_property_identifier_pattern') return left.text === name;
  if (left.type === 'pair_pattern') return bindsName(left.childForFieldName('value'), name);
  return left.namedChildren.some((c) => bindsName(c, name));
}

const VALUE_ITEMS = new Set([
  'identifier', 'call', 'call_expression', 'await', 'await_expression', 'subscript', 'subscript_expression', 'index_expression',
  'attribute', 'member_expression', 'selector_expression',
]);

/** The local an expression reads: `rows[0]` → rows, `result.rows` → result, `dict(row)` / `toDto(user)` → row / user. */
function chainBase(expr: SyntaxNode): SyntaxNode | undefined {
  let n: SyntaxNode | undefined = expr;
  for (let i = 0; n && i < 8; i++) {
    switch (n.type) {
      case 'identifier':
        return n;
      case 'subscript':
        n = n.childForFieldName('value') ?? undefined;
        break;
      case 'subscript_expression':
      case 'member_expression':
      case 'attribute':
        n = n.childForFieldName('object') ?? undefined;
        break;
      case 'index_expression':
      case 'selector_expression':
        n = n.childForFieldName('operand') ?? undefined;
        break;
      case 'call':
      case 'call_expression': {
        // a wrapper function around one value; not a method call on something else
        const f = n.childForFieldName('function');
        if (f?.type !== 'identifier') return undefined;
        const arg = n.childForFieldName('arguments')?.namedChildren[0];
        n = unwrap(arg?.type === 'dictionary_splat' || arg?.type === 'spread_element' ? arg.namedChildren[0] : arg);
        break;
      }
      case 'await':
      case 'await_expression':
      case 'parenthesized_expression':
      case 'non_null_expression':
        n = n.namedChildren[0];
        break;
      default:
        return undefined;
    }
  }
  return undefined;
}

/**
 * The database call a stored value comes from: the value itself, an element of a literal holding
 * it (`(rows, time.time())`, `{ value: user, at: Date.now() }`), or a local assigned from one
 * earlier in the enclosing blocks, or the variable of a loop over one.
 */
function dbOrigin(value: SyntaxNode, anc: SyntaxNode[], site: SyntaxNode, lang: QueryLanguage, depth = 0): SyntaxNode | undefined {
  const v = unwrap(value);
  if (!v || depth > 2) return undefined;
  const direct = dbCallIn(v, lang);
  if (direct) return direct;
  // user, rows[0], result.rows, dict(row), toDto(user): the local the value is read from
  const base = chainBase(v);
  if (base) return localDbOrigin(base.text, anc, site, lang, depth);
  // customer.name if customer else "(deleted)" / user ?? fallback
  if (v.type === 'conditional_expression' || v.type === 'ternary_expression' || v.type === 'boolean_operator' || v.type === 'binary_expression') {
    for (const branch of v.namedChildren) {
      const found = VALUE_ITEMS.has(branch.type) ? dbOrigin(branch, anc, site, lang, depth + 1) : undefined;
      if (found) return found;
    }
    return undefined;
  }
  if (['tuple', 'list', 'array', 'dictionary', 'object', 'composite_literal', 'literal_value', 'expression_list'].includes(v.type)) {
    const body = v.type === 'composite_literal' ? v.childForFieldName('body') : v;
    for (const el of body?.namedChildren ?? []) {
      const item = el.type === 'pair' ? el.childForFieldName('value') : el.type === 'keyed_element' ? el.childForFieldName('value')?.namedChildren[0] : el.type === 'literal_element' ? el.namedChildren[0] : el;
      if (!item) continue;
      if (item.type === 'shorthand_property_identifier') {
        const found = localDbOrigin(item.text, anc, site, lang, depth + 1);
        if (found) return found;
      } else if (VALUE_ITEMS.has(item.type)) {
        const found = dbOrigin(item, anc, site, lang, depth + 1);
        if (found) return found;
      }
    }
  }
  return undefined;
}

function localDbOrigin(name: string, anc: SyntaxNode[], site: SyntaxNode, lang: QueryLanguage, depth: number): SyntaxNode | undefined {
  // the variable of a loop over query results: for row in await conn.fetch(q): cache[row["id"]] = row
  let child = site;
  for (let i = 0; i < anc.length; i++) {
    const a = anc[i];
    let iterable: SyntaxNode | null | undefined;
    if (isFunctionNode(a, lang)) {
      const params = functionParams(a);
      if (params[0] === name) {
        // rows.forEach((row) => cache.set(row.id, row))
        const callee = lang === 'typescript' && anc[i + 1]?.type === 'arguments' ? anc[i + 2]?.childForFieldName('function') : undefined;
        if (callee?.type !== 'member_expression' || callee.childForFieldName('property')?.text !== 'forEach') return undefined;
        iterable = callee.childForFieldName('object');
      } else if (NAMED_FUNCTIONS.has(a.type) || params.includes(name)) break;
    } else if ((a.type === 'for_statement' || a.type === 'for_in_statement') && a.childForFieldName('body')?.id === child.id && bindsName(a.childForFieldName('left'), name)) {
      iterable = a.childForFieldName('right');
    } else if (a.type === 'for_statement' && lang === 'go') {
      const range = a.namedChildren.find((c) => c.type === 'range_clause');
      if (range && bindsName(range.childForFieldName('left'), name)) iterable = range.childForFieldName('right');
    }
    if (iterable) {
      const over = unwrap(iterable);
      // for row in rows: ... with rows = await conn.fetch(q) earlier
      if (over?.type === 'identifier' && depth < 2) return localDbOrigin(over.text, anc.slice(i + 1), a, lang, depth + 1);
      return dbCallIn(over, lang);
    }
    child = a;
  }
  // the nearest earlier statement that sets the name decides
  let found: SyntaxNode | null | undefined;
  someEarlierStatement(site, anc, lang, name, (stmt) => {
    found = assignedFromDb(stmt, name, lang);
    return found !== undefined;
  });
  return found ?? undefined;
}

/** The parameter names of a function (Python, Go, TypeScript; destructured ones left out). */
function functionParams(fn: SyntaxNode): string[] {
  const single = fn.childForFieldName('parameter');
  const params = single ? [single] : fn.childForFieldName('parameters')?.namedChildren ?? [];
  const out: string[] = [];
  for (const p of params) {
    const id = p.type === 'identifier' ? p : p.childForFieldName('pattern') ?? p.childForFieldName('name') ?? p.namedChildren.find((c) => c.type === 'identifier');
    if (id?.type === 'identifier') out.push(id.text);
  }
  return out;
}

/**
 * What a statement assigns to (or scans into) `name`: the database call it comes from, `null` when
 * the statement sets the name from something else, `undefined` when it does not set the name.
 */
function assignedFromDb(stmt: SyntaxNode, name: string, lang: QueryLanguage): SyntaxNode | null | undefined {
  const from = (value: SyntaxNode | null | undefined): SyntaxNode | null => dbCallIn(value, lang) ?? null;
  switch (stmt.type) {
    case 'expression_statement': {
      const e = stmt.namedChildren[0];
      if (!e) return undefined;
      if (e.type === 'assignment' || e.type === 'assignment_expression') {
        return bindsName(e.childForFieldName('left'), name) ? from(e.childForFieldName('right')) : undefined;
      }
      if (lang === 'go' && e.type === 'call_expression' && goChainFills(e, name)) return from(e);
      return undefined;
    }
    case 'lexical_declaration':
    case 'variable_declaration':
      for (const d of stmt.namedChildren) {
        if (d.type === 'variable_declarator' && bindsName(d.childForFieldName('name'), name)) return from(d.childForFieldName('value'));
      }
      return undefined;
    case 'short_var_declaration':
    case 'assignment_statement': {
      const right = stmt.childForFieldName('right')?.namedChildren[0];
      if (!right) return undefined;
      if (bindsName(stmt.childForFieldName('left'), name)) return from(right);
      return right.type === 'call_expression' && goChainFills(right, name) ? from(right) : undefined;
    }
    case 'var_declaration':
      // `var u User` declares it empty: an earlier statement cannot have filled it
      for (const spec of stmt.namedChildren) {
        if (spec.type === 'var_spec' && spec.childrenForFieldName('name').some((n) => n.text === name)) return from(spec.childForFieldName('value')?.namedChildren[0]);
      }
      return undefined;
    case 'if_statement': {
      const init = stmt.childForFieldName('initializer');
      return init ? assignedFromDb(init, name, lang) : undefined;
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Collections: the key a use refers to

/** Python: `clients`, `self.active_connections` (→ `Class.active_connections`), `Handler.waiters`; through `list(x)`, `x.values()`, `x[k]`, `x.get(k)`. */
function pyCollectionKey(node: SyntaxNode | null | undefined, anc: Lazy): string | undefined {
  let n = node ?? undefined;
  for (let i = 0; n && i < 6; i++) {
    if (n.type === 'identifier') return n.text;
    if (n.type === 'attribute') {
      const obj = n.childForFieldName('object');
      const attr = n.childForFieldName('attribute')?.text;
      if (obj?.type !== 'identifier' || !attr) return undefined;
      if (obj.text === 'self' || obj.text === 'cls') {
        const cls = className(anc());
        return cls ? `${cls}.${attr}` : undefined;
      }
      return CAMEL_CASE.test(obj.text) ? `${obj.text}.${attr}` : undefined;
    }
    if (n.type === 'subscript') n = n.childForFieldName('value') ?? undefined;
    else if (n.type === 'call') {
      const f = n.childForFieldName('function');
      const args = n.childForFieldName('arguments')?.namedChildren ?? [];
      if (f?.type === 'identifier' && /^(list|set|tuple|frozenset|sorted)$/.test(f.text) && args.length === 1) n = args[0];
      else if (f?.type === 'attribute' && /^(copy|values|items|get|setdefault)$/.test(f.childForFieldName('attribute')?.text ?? '')) n = f.childForFieldName('object') ?? undefined;
      else return undefined;
    } else if (n.type === 'parenthesized_expression') n = n.namedChildren[0];
    else return undefined;
  }
  return undefined;
}

/** TypeScript: `clients`, `this.clients` (→ `Class.clients`), `wss.clients`; through `[...x]`, `Array.from(x)`, `x.values()`, `x.get(k)`, `x[k]`. */
function tsCollectionKey(node: SyntaxNode | null | undefined, anc: Lazy): string | undefined {
  let n = node ?? undefined;
  for (let i = 0; n && i < 6; i++) {
    switch (n.type) {
      case 'identifier':
        return n.text;
      case 'member_expression': {
        const obj = n.childForFieldName('object');
        const prop = n.childForFieldName('property')?.text;
        if (!obj || !prop) return undefined;
        if (obj.type === 'this') {
          const cls = className(anc());
          return cls ? `${cls}.${prop}` : undefined;
        }
        return obj.type === 'identifier' && prop === 'clients' ? `${obj.text}.clients` : undefined;
      }
      case 'subscript_expression':
        n = n.childForFieldName('object') ?? undefined;
        break;
      case 'non_null_expression':
      case 'parenthesized_expression':
        n = n.namedChildren[0];
        break;
      case 'binary_expression':
        n = n.childForFieldName('left') ?? undefined;
        break;
      case 'array': {
        const only = n.namedChildren.length === 1 ? n.namedChildren[0] : undefined;
        n = only?.type === 'spread_element' ? only.namedChildren[0] : undefined;
        break;
      }
      case 'call_expression': {
        const f = n.childForFieldName('function');
        const args = n.childForFieldName('arguments')?.namedChildren ?? [];
        if (f?.type !== 'member_expression') return undefined;
        const prop = f.childForFieldName('property')?.text ?? '';
        const obj = f.childForFieldName('object');
        if ((obj?.text === 'Array' && prop === 'from') || (obj?.text === 'Object' && prop === 'values')) n = args[0];
        else if (prop === 'values' || prop === 'get') n = obj ?? undefined;
        else return undefined;
        break;
      }
      default:
        return undefined;
    }
  }
  return undefined;
}

/** Go: `clients` (package variable), `h.clients` in a method of `Hub` (→ `Hub.clients`); through `x[k]`. */
function goCollectionKey(node: SyntaxNode | null | undefined, anc: Lazy): string | undefined {
  let n = node ?? undefined;
  for (let i = 0; n && i < 4; i++) {
    if (n.type === 'identifier') return n.text;
    if (n.type === 'index_expression' || n.type === 'parenthesized_expression') n = n.childForFieldName('operand') ?? n.namedChildren[0];
    else if (n.type === 'selector_expression') {
      const operand = n.childForFieldName('operand');
      const field = n.childForFieldName('field')?.text;
      if (operand?.type !== 'identifier' || !field) return undefined;
      const type = goReceiverType(anc(), operand.text);
      return type ? `${type}.${field}` : undefined;
    } else return undefined;
  }
  return undefined;
}

/** The type of the receiver `name` of the method the node is in: `func (h *Hub) run()` → `Hub`. */
function goReceiverType(anc: SyntaxNode[], name: string): string | undefined {
  const method = anc.find((a) => a.type === 'method_declaration');
  const param = method?.childForFieldName('receiver')?.namedChildren.find((p) => p.type === 'parameter_declaration');
  if (!param || param.childForFieldName('name')?.text !== name) return undefined;
  let t = param.childForFieldName('type');
  if (t?.type === 'pointer_type') t = t.namedChildren[0];
  if (t?.type === 'generic_type') t = t.childForFieldName('type');
  return t?.type === 'type_identifier' ? t.text : undefined;
}

function collectionKey(node: SyntaxNode | null | undefined, anc: Lazy, lang: QueryLanguage): string | undefined {
  return lang === 'python' ? pyCollectionKey(node, anc) : lang === 'go' ? goCollectionKey(node, anc) : tsCollectionKey(node, anc);
}

// ---------------------------------------------------------------------------------------------
// Sockets: what is one, and where a message goes to the sockets of a collection

/** Generic names of a connection (stays: naming, not a library's): a socket when added to a collection that is sent to. */
const CONNECTION_NAME = /^(conn|connection|client)$/;
const SOCKET_TYPE = /WebSocket|ServerConnection|\bSocket\b/;

/** Whether a name is how the models name a socket (a type with a socket-send member): `websocket`, `ws`, `sock`. */
function socketName(file: FileContext, name: string): boolean {
  return CONNECTION_NAME.test(name) || file.lang.conventions.some((c) => c.type !== undefined && c.pattern.test(name) && file.lang.memberNames(c.type).some((m) => hasEffect(file.lang.member(c.type!, m)!.row, ['socket-send'])));
}

/** The nearest function around a node (climbing stops there), and the class around that for Python. */
function nearestFunction(node: SyntaxNode, lang: QueryLanguage): SyntaxNode | undefined {
  for (let n = node.parent; n && !UNIT_ROOTS.has(n.type); n = n.parent) if (isFunctionNode(n, lang)) return n;
  return undefined;
}

/** Whether an added value is a socket: by its name, its parameter type, or the connection callback it came from. */
function isSocketValue(arg: SyntaxNode, lang: QueryLanguage): boolean {
  if (arg.type !== 'identifier') return false;
  const name = arg.text;
  if (current && socketName(current, name)) return true;
  const fn = nearestFunction(arg, lang);
  if (!fn) return false;
  if (lang === 'python' && name === 'self') {
    // tornado: ChatSocketHandler.waiters.add(self) in a WebSocketHandler
    let cls: SyntaxNode | null = fn.parent;
    while (cls && cls.type !== 'class_definition' && !UNIT_ROOTS.has(cls.type)) cls = cls.parent;
    return /WebSocket/.test(cls?.childForFieldName('superclasses')?.text ?? '');
  }
  const params = fn.childForFieldName('parameters')?.namedChildren ?? [];
  for (const p of params) {
    const id = p.type === 'identifier' ? p : p.childForFieldName('pattern') ?? p.childForFieldName('name') ?? p.namedChildren[0];
    if (id?.text !== name) continue;
    if (SOCKET_TYPE.test(p.childForFieldName('type')?.text ?? '')) return true;
    // wss.on('connection', (peer) => ...): the first parameter of a connection callback
    if (lang === 'typescript' && p === params[0] && isConnectionCallback(fn)) return true;
  }
  return false;
}

function isConnectionCallback(fn: SyntaxNode): boolean {
  const args = fn.parent;
  if (args?.type !== 'arguments') return false;
  const call = args.parent;
  const callee = call?.childForFieldName('function');
  if (callee?.type !== 'member_expression' || callee.childForFieldName('property')?.text !== 'on') return false;
  return /^(connection|connect)$/.test(stringLiteral(args.namedChildren[0]) ?? '');
}

/**
 * The collection whose sockets a send goes to: the loop variable of `for ws in clients` /
 * `for (const c of clients)` / `clients.forEach((c) => ...)` / `for c := range h.clients`, or a
 * lookup `connections[user_id]` / `clients.get(id)`.
 */
function sendTarget(recv: SyntaxNode, site: SyntaxNode, anc: SyntaxNode[], lang: QueryLanguage): string | undefined {
  let r = unwrap(recv);
  if (!r) return undefined;
  // client.conn.WriteMessage(...) / client.websocket.send_text(...): a wrapper around the socket
  if ((r.type === 'selector_expression' || r.type === 'attribute' || r.type === 'member_expression') && !(lang === 'typescript' && r.childForFieldName('object')?.type === 'this')) {
    const base = r.childForFieldName('operand') ?? r.childForFieldName('object');
    if (base?.type === 'identifier' && base.text !== 'self') r = base;
  }
  if (r.type === 'identifier') {
    const looped = loopCollection(r.text, site, anc, lang);
    if (looped) return looped;
    // conn = self.connections.get(user) / `if conn := conns.get(user):` / const ws = clients.get(id)
    const bound = unwrap(lookupBinding(r.text, site, anc, lang));
    if (bound && (bound.type === 'subscript' || bound.type === 'subscript_expression' || bound.type === 'index_expression' || isGetCall(bound))) return collectionKey(bound, () => anc, lang);
    return undefined;
  }
  if (lang === 'python' && isGetCall(r)) return collectionKey(r, () => anc, lang);
  // connections[user_id].send_json(...) / clients.get(id)?.send(...) / clients[id].WriteMessage(...)
  if (r.type === 'subscript' || r.type === 'subscript_expression' || r.type === 'index_expression') return collectionKey(r, () => anc, lang);
  if (r.type === 'call_expression' && lang === 'typescript') {
    const f = r.childForFieldName('function');
    if (f?.type === 'member_expression' && f.childForFieldName('property')?.text === 'get') return collectionKey(r, () => anc, lang);
  }
  return undefined;
}

/** `x.get(key)` (Python) / `x.get(key)` (TS). */
function isGetCall(n: SyntaxNode): boolean {
  if (n.type !== 'call' && n.type !== 'call_expression') return false;
  const f = n.childForFieldName('function');
  return (f?.type === 'attribute' || f?.type === 'member_expression') && (f.childForFieldName('attribute') ?? f.childForFieldName('property'))?.text === 'get';
}

/**
 * The value a name was bound to just before a node, in the same function: a walrus in an enclosing
 * `if`/`while` condition, or an assignment among the preceding statements of an enclosing block.
 */
function lookupBinding(name: string, site: SyntaxNode, anc: SyntaxNode[], lang: QueryLanguage): SyntaxNode | undefined {
  let child = site;
  for (const a of anc) {
    if (isFunctionNode(a, lang)) return undefined;
    if ((a.type === 'if_statement' || a.type === 'while_statement') && lang === 'python') {
      const cond = a.childForFieldName('condition');
      if (cond?.type === 'named_expression' && cond.childForFieldName('name')?.text === name) return cond.childForFieldName('value') ?? undefined;
    }
    if (a.type === 'block' || a.type === 'statement_block') {
      let steps = 0;
      for (let s = child.previousNamedSibling; s && steps < 8; s = s.previousNamedSibling, steps++) {
        const inner = s.type === 'expression_statement' ? s.namedChildren[0] : s;
        if (inner?.type === 'assignment' && inner.childForFieldName('left')?.text === name) return inner.childForFieldName('right') ?? undefined;
        if (inner?.type === 'lexical_declaration' || inner?.type === 'variable_declaration') {
          const d = inner.namedChildren.find((c) => c.type === 'variable_declarator' && c.childForFieldName('name')?.text === name);
          if (d) return d.childForFieldName('value') ?? undefined;
        }
      }
    }
    child = a;
  }
  return undefined;
}

function loopCollection(name: string, site: SyntaxNode, anc: SyntaxNode[], lang: QueryLanguage): string | undefined {
  let child = site;
  for (let i = 0; i < anc.length; i++) {
    const a = anc[i];
    if (a.type === 'for_statement' || a.type === 'for_in_statement') {
      if (lang === 'go') {
        const range = a.namedChildren.find((c) => c.type === 'range_clause');
        if (range && bindsName(range.childForFieldName('left'), name)) return collectionKey(range.childForFieldName('right'), () => anc, lang);
      } else if (a.childForFieldName('body')?.id === child.id && bindsName(a.childForFieldName('left'), name)) {
        return collectionKey(a.childForFieldName('right'), () => anc, lang);
      }
    } else if (a.type === 'list_comprehension' || a.type === 'generator_expression' || a.type === 'set_comprehension') {
      const clause = a.namedChildren.find((c) => c.type === 'for_in_clause');
      if (clause && bindsName(clause.childForFieldName('left'), name)) return collectionKey(clause.childForFieldName('right'), () => anc, lang);
    } else if (isFunctionNode(a, lang)) {
      const params = functionParams(a);
      if (lang === 'typescript' && params[0] === name) {
        // clients.forEach((c) => c.send(m))
        const callee = anc[i + 1]?.type === 'arguments' ? anc[i + 2]?.childForFieldName('function') : undefined;
        if (callee?.type === 'member_expression' && callee.childForFieldName('property')?.text === 'forEach') {
          return collectionKey(callee.childForFieldName('object'), () => anc, lang);
        }
      }
      if (NAMED_FUNCTIONS.has(a.type) || params.includes(name)) return undefined;
    }
    child = a;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Candidates

/** The same for server-sent event streams kept by the process. */
function streamCandidate(node: SyntaxNode, key: string): CandidateInit {
  return {
    node,
    message: STREAMS_MESSAGE,
    args: { name: key },
    requires: [{ fact: ADD_SSE, key, related: 'an event stream is added to it here' }, { fact: SEND, key, related: 'events are written to its streams here' }],
    unless: [{ fact: PUBSUB }, { fact: NOT_SERVER }, { fact: ADD, key }],
    data: { kind: 'streams' },
  };
}

function socketCandidate(node: SyntaxNode, key: string, typed: boolean, message = SOCKETS_MESSAGE, name = key): CandidateInit {
  return {
    node,
    message,
    args: { name },
    requires: [...(typed ? [] : [{ fact: ADD, key, related: RELATED_ADD }]), { fact: SEND, key, related: RELATED_SEND }],
    unless: [{ fact: PUBSUB }, { fact: NOT_SERVER }],
    data: { kind: 'sockets' },
  };
}

function cacheCandidate(node: SyntaxNode, key: string, until: string, extra: CandidateInit['requires'] = []): CandidateInit {
  return {
    node,
    message: CACHE_MESSAGE,
    args: { name: key, until },
    requires: [...(extra ?? []), { fact: FILL, key, related: RELATED_FILL }],
    unless: [{ fact: NOT_SERVER }],
    data: { kind: 'cache' },
  };
}

/**
 * A process-local cache (a cache type of the models, or a collection named as one) that request
 * handlers invalidate: what it holds changes, and the change reaches one instance. Not when the
 * file fills it with database results (the cache form above says it).
 */
function invalidatedCandidate(node: SyntaxNode, key: string, until: string): CandidateInit {
  return {
    node,
    message: INVALIDATED_MESSAGE,
    args: { name: key, until },
    requires: [{ fact: INVALIDATE, key, related: RELATED_INVALIDATE }],
    unless: [{ fact: FILL, key }, { fact: NOT_SERVER }],
    data: { kind: 'cache' },
  };
}

function isEmptyLiteral(node: SyntaxNode): boolean {
  return node.namedChildren.every((c) => c.type === 'comment');
}

// ----- Python

/** The language's containers (a collection of sockets or a cache by construction); WeakSet of the weakref module. */
const PY_SOCKET_CTORS = new Set(['set', 'list', 'dict', 'defaultdict', 'WeakSet']);

function checkPython(match: RuleMatch): CandidateInit | CandidateInit[] | undefined {
  const node = match.node('match')!;
  if (node.type === 'decorator') return pyCachedFunction(node, match.text('deco')!);
  const value = match.node('value')!;
  const callee = value.type === 'call' ? value.childForFieldName('function') : null;
  const ctor = (callee?.type === 'attribute' ? callee.childForFieldName('attribute') : callee)?.text;
  const left = node.childForFieldName('left')!;
  const annotated = SOCKET_TYPE.test(node.childForFieldName('type')?.text ?? '');
  // A process-local cache the models know (TTLCache, ExpiringDict), and whether its entries expire.
  const cache = callee && value.type === 'call' && !PY_SOCKET_CTORS.has(ctor ?? '') ? processCache(match.file, callee) : undefined;
  if (value.type === 'call' && !PY_SOCKET_CTORS.has(ctor ?? '') && ctor !== 'OrderedDict' && !cache) return undefined;
  if (value.type === 'call') {
    const args = value.childForFieldName('arguments')?.namedChildren ?? [];
    if (ctor && PY_SOCKET_CTORS.has(ctor) && args.length > (ctor === 'defaultdict' ? 1 : 0)) return undefined;
  } else if (!isEmptyLiteral(value)) return undefined;
  const anc = ancestors(node);
  const statement = anc[0];
  const inClassBody = anc[1]?.type === 'block' && anc[2]?.type === 'class_definition';
  let key: string | undefined;
  let moduleLevel = false;
  if (left.type === 'identifier') {
    if (inClassBody) key = `${anc[2].childForFieldName('name')!.text}.${left.text}`;
    else if (statement?.type === 'expression_statement' && anc.length === 1) {
      key = left.text;
      moduleLevel = true;
    }
  } else {
    // self.x = [] in a method of a class
    const fn = functionOf(anc, 'python');
    const cls = fn && anc.slice(anc.indexOf(fn) + 1).find((a) => a.type === 'class_definition' || a.type === 'function_definition');
    if (cls?.type === 'class_definition') key = `${cls.childForFieldName('name')!.text}.${match.text('name')}`;
  }
  if (!key) return undefined;
  const out: CandidateInit[] = [];
  if (value.type !== 'call' || PY_SOCKET_CTORS.has(ctor ?? '')) out.push(socketCandidate(node, key, annotated), streamCandidate(node, key));
  const dictLike = value.type === 'dictionary' || ctor === 'dict' || ctor === 'OrderedDict' || cache !== undefined;
  const expires = cache !== undefined && (cache.row.state?.expires === true || optionsName(value.childForFieldName('arguments'), cache.row.state?.expiresBy));
  if (moduleLevel && dictLike && !annotated) out.push(cacheCandidate(node, key, expires ? UNTIL_EXPIRY : UNTIL_RESTART));
  const namedCache = CACHE_NAME.test(key);
  if (moduleLevel && !annotated && (cache !== undefined || (dictLike && namedCache))) out.push(invalidatedCandidate(node, key, expires ? UNTIL_EXPIRY : UNTIL_RESTART));
  if (moduleLevel && !cache && !annotated) out.push(recordCandidate(node, key, namedCache));
  return out;
}

/**
 * A module-level collection that request handlers both write and read: the store of record. Not when
 * it holds database results (a cache, above), sockets (above), or the file has a shared store.
 */
function recordCandidate(node: SyntaxNode, key: string, namedCache = false): CandidateInit {
  return {
    node,
    message: RECORD_MESSAGE,
    args: { name: key },
    requires: [
      { fact: RECORD_WRITE, key, related: RELATED_RECORD_WRITE },
      { fact: RECORD_READ, key, related: RELATED_RECORD_READ },
    ],
    // A collection named as a cache that handlers invalidate is said to be a cache (invalidatedCandidate).
    unless: [{ fact: FILL, key }, { fact: ADD, key }, { fact: SEND, key }, { fact: SHARED_STORE }, { fact: PUBSUB }, { fact: NOT_SERVER }, ...(namedCache ? [{ fact: INVALIDATE, key }] : [])],
    data: { kind: 'record' },
  };
}

/** Effects that make a write part of something else: a rate limiter's clock, client address or limiter. */
const NOT_RECORD_EFFECTS = new Set(['clock', 'client-address', 'rate-limit']);

/**
 * A write or read of `key` in a request handler's body, where `key` is not a local or parameter of
 * the handler (then it is the module's collection). A write that reads the clock or the client's
 * address is a rate limiter's (see in-memory-rate-limiter).
 */
function recordFacts(match: RuleMatch, ctx: CheckContext, name: string): FactInit[] | undefined {
  const node = match.node('node')!;
  const keyNode = match.node('key')!;
  const key = keyNode.text;
  if (node.type === 'comparison_operator') {
    // `event_id in processed`: the collection is the right operand of `in` / `not in`.
    const ops = node.children.filter((c) => !c.isNamed).map((c) => c.type);
    const last = node.namedChildren[node.namedChildren.length - 1];
    if (!ops.includes('in') || last?.startIndex !== keyNode.startIndex) return undefined;
  }
  if (name === RECORD_READ && (node.type === 'subscript' || node.type === 'subscript_expression')) {
    const p = node.parent;
    const assigned = (p?.type === 'assignment' || p?.type === 'assignment_expression') && p.childForFieldName('left')?.startIndex === node.startIndex;
    if (assigned || p?.type === 'delete_statement' || (p?.type === 'unary_expression' && p.text.startsWith('delete'))) return undefined;
  }
  if (node.type === 'unary_expression' && !node.text.startsWith('delete')) return undefined;
  if (name === RECORD_READ && node.type === 'index_expression' && node.parent?.type === 'expression_list' && node.parent.parent?.type === 'assignment_statement' && node.parent.parent.childForFieldName('left')?.startIndex === node.parent.startIndex) return undefined;
  const fn = ctx.enclosingFunction(node);
  if (!fn) return undefined;
  const role = match.file.roleOf(fn)?.role;
  if (role !== 'handler' && role !== 'middleware') return undefined;
  const i = match.file.functionOf(fn);
  const model = i === undefined ? undefined : match.file.fn(i);
  if (!model || model.params.some((p) => p.name === key) || model.locals.some((l) => l.name === key)) return undefined;
  if (name === RECORD_WRITE && touchesEffects(match.file, node, NOT_RECORD_EFFECTS, i)) return undefined;
  return [{ name, key, node }];
}

/**
 * A request handler (a route, middleware) that drops entries of a module-level collection or of a
 * field of its own type (`cache.pop(id)`, `del cache[id]`, `userCache.delete(id)`, `h.cache.Remove(id)`).
 */
function invalidateFacts(match: RuleMatch, ctx: CheckContext, lang: QueryLanguage): FactInit[] | undefined {
  const node = match.node('node')!;
  const recv = match.node('key')!;
  const fn = ctx.enclosingFunction(node);
  if (!fn) return undefined;
  const role = match.file.roleOf(fn)?.role;
  if (role !== 'handler' && role !== 'middleware') return undefined;
  if (recv.type === 'identifier') {
    const i = match.file.functionOf(fn);
    const model = i === undefined ? undefined : match.file.fn(i);
    if (!model || model.params.some((p) => p.name === recv.text) || model.locals.some((l) => l.name === recv.text)) return undefined;
    return [{ name: INVALIDATE, key: recv.text, node }];
  }
  const key = collectionKey(recv, lazyAncestors(recv), lang);
  return key ? [{ name: INVALIDATE, key, node }] : undefined;
}

/**
 * Whether a statement, or the value of a local it names (`ip = req.ip`, `now = Date.now()`, one step),
 * calls or reads something with one of these effects.
 */
function touchesEffects(file: FileContext, node: SyntaxNode, effects: ReadonlySet<string>, fn?: number): boolean {
  const stmt = node.type === 'assignment' || node.type === 'assignment_expression' || node.type === 'assignment_statement' || node.type === 'delete_statement' ? node : node.parent ?? node;
  const locals = fn === undefined ? [] : file.fn(fn).locals;
  const followed = new Set<string>();
  const walk = (n: SyntaxNode, depth: number): boolean => {
    if (n.type === 'call' || n.type === 'attribute' || n.type === 'call_expression' || n.type === 'member_expression') {
      const r = n.type === 'call' || n.type === 'call_expression' ? file.resolveCallee(n) : file.resolve(n);
      if (r.kind === 'library' && effectsOf(r.row).some((e) => effects.has(e))) return true;
    }
    if (n.type === 'identifier' && depth === 0 && !followed.has(n.text)) {
      followed.add(n.text);
      const local = [...locals].reverse().find((l) => l.name === n.text && l.start < n.startIndex && l.value);
      const value = local?.value ? n.tree.rootNode.descendantForIndex(local.value.start, Math.max(local.value.start, local.value.end - 1)) : undefined;
      if (value && walk(value, 1)) return true;
    }
    return n.namedChildren.some((c) => walk(c, depth));
  };
  return walk(stmt, 0);
}

/** What a shared store does: a call with one of these effects, resolved to a library, keeps data outside the process. */
const SHARED_EFFECTS = new Set(['cache-write', 'cache-read', 'db-write', 'db-read-one', 'db-read-many', 'db-query']);

function sharedStoreFact(match: RuleMatch): FactInit[] | undefined {
  const node = match.node('node')!;
  const r = match.file.resolveCallee(node);
  if (r.kind !== 'library' || !effectsOf(r.row).some((e) => SHARED_EFFECTS.has(e))) return undefined;
  // A cache the models say lives in the process (node-cache, lru-cache) is no shared store.
  if ((r.row as Row).state?.scope === 'process') return undefined;
  return [{ name: SHARED_STORE, key: '', node }];
}

interface PyDecorator {
  name: string;
  qualifier: string | undefined;
  call: SyntaxNode | undefined;
}

function pyDecoratorParts(deco: SyntaxNode): PyDecorator | undefined {
  let expr = deco.namedChildren.find((c) => c.type !== 'comment');
  let call: SyntaxNode | undefined;
  if (expr?.type === 'call') {
    call = expr;
    expr = expr.childForFieldName('function') ?? undefined;
  }
  if (expr?.type === 'identifier') return { name: expr.text, qualifier: undefined, call };
  if (expr?.type === 'attribute') return { name: expr.childForFieldName('attribute')!.text, qualifier: expr.childForFieldName('object')!.text, call };
  return undefined;
}

/**
 * The first database call among the statements of a function body, and of the blocks of its
 * `with`, `try`, `if` and `for` statements two levels down: `return db.plans.find_one(q)`,
 * `rows = conn.execute(q).all()`, `with Session() as s: return s.get(Plan, code)`.
 */
function pyStatementsDbCall(block: SyntaxNode | null, depth: number): SyntaxNode | undefined {
  for (const stmt of block?.namedChildren ?? []) {
    let found: SyntaxNode | undefined;
    switch (stmt.type) {
      case 'return_statement':
        found = dbCallIn(stmt.namedChildren[0], 'python');
        break;
      case 'expression_statement': {
        const e = stmt.namedChildren[0];
        found = dbCallIn(e?.type === 'assignment' || e?.type === 'augmented_assignment' ? e.childForFieldName('right') : e, 'python');
        break;
      }
      case 'for_statement':
        found = dbCallIn(stmt.childForFieldName('right'), 'python');
        break;
      default:
        break;
    }
    if (found) return found;
    if (depth >= 2 || !['with_statement', 'try_statement', 'if_statement', 'for_statement'].includes(stmt.type)) continue;
    for (const part of stmt.namedChildren) {
      const body = part.type === 'block' ? part : ['else_clause', 'elif_clause', 'except_clause', 'finally_clause'].includes(part.type) ? part.namedChildren.find((c) => c.type === 'block') : undefined;
      found = body ? pyStatementsDbCall(body, depth + 1) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}

/** What a process-local cache row says: where its state lives, what shares it, what makes entries expire. */
interface CacheRow {
  row: Row;
  /** The model names it by this (`functools.lru_cache`). */
  qname: string;
}

/** A process-local cache the models know (a decorator or a constructor): strictly resolved, or a many-word name only one such row has (`lru_cache`). */
function processCache(file: FileContext, callee: SyntaxNode, decorator = false): CacheRow | undefined {
  const look = lookupExpr(file, callee);
  // A decorator caches a function's results; a class used as one (`cached_property`) caches per instance.
  const ok = (row: Row) => row.state?.scope === 'process' && hasEffect(row, ['cache-write']) && (!decorator || row.kind !== 'class');
  if (look.kind === 'library' && !look.loose) return ok(look.row) ? { row: look.row, qname: look.qname } : undefined;
  if (look.kind === 'project' || callee.type !== 'identifier') return undefined;
  // Nothing resolves (a snippet without its imports): a name of several words (`lru_cache`, `TTLCache`,
  // `NodeCache`) that a process-local cache of the models has, as itself or as the type it makes.
  const name = callee.text;
  if (!/_|[a-z0-9][A-Z]|[A-Z]{2}/.test(name)) return undefined;
  const tail = (q: string | undefined) => q?.slice(Math.max(q.lastIndexOf('.'), q.lastIndexOf('/')) + 1);
  for (const lib of file.lang.libraries) {
    for (const sym of (lib.file.symbols ?? []) as Row[]) {
      if (ok(sym) && (tail(sym.name) === name || (!decorator && tail(sym.returns) === name))) return { row: sym, qname: sym.name };
    }
  }
  return undefined;
}

/** Whether the options given (`cache=Cache.REDIS`, `TTLCache(...)`, `ttl=60`) name one of a state's lists (`sharedBy`, `expiresBy`). */
function optionsName(args: SyntaxNode | null | undefined, names: readonly string[] | undefined): boolean {
  const text = (args?.text ?? '').replace(/\s+/g, '');
  return (names ?? []).some((n) => (n.includes('=') ? text.includes(n.replace(/\s+/g, '')) : new RegExp(`(^|[^\\w])${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*[=(]`).test(args?.text ?? '')));
}

function pyCachedFunction(deco: SyntaxNode, name: string): CandidateInit | undefined {
  const parts = pyDecoratorParts(deco);
  const file = current;
  if (!parts || parts.name !== name || !file) return undefined;
  const expr = deco.namedChildren.find((c) => c.type !== 'comment');
  const callee = expr?.type === 'call' ? expr.childForFieldName('function') : expr;
  const cache = callee && processCache(file, callee, true);
  if (!cache) return undefined;
  const args = parts.call?.childForFieldName('arguments');
  // aiocache with a Redis or Memcached backend, or a configured alias, is shared
  if (optionsName(args, cache.row.state?.sharedBy)) return undefined;
  const def = deco.parent;
  const fn = def?.type === 'decorated_definition' ? def.childForFieldName('definition') : null;
  if (fn?.type !== 'function_definition') return undefined;
  const query = pyStatementsDbCall(fn.childForFieldName('body'), 0);
  if (!query) return undefined;
  const expires = cache.row.state?.expires === true || optionsName(args, cache.row.state?.expiresBy);
  return {
    node: deco,
    message: CACHED_FN_MESSAGE,
    args: { decorator: parts.qualifier ? `${parts.qualifier}.${name}` : name, fn: fn.childForFieldName('name')!.text, until: expires ? UNTIL_EXPIRY : UNTIL_RESTART },
    related: [{ node: query, message: RELATED_QUERY }],
    unless: [{ fact: NOT_SERVER }],
    data: { kind: 'cached-function' },
  };
}

// ----- TypeScript / JavaScript

/** The language's collections: a set or map of sockets, or a cache, by construction. */
const TS_COLLECTIONS = new Set(['Set', 'Map', 'WeakSet']);
const TS_SOCKET_TYPE = /WebSocket|\bSocket\b|\bWS\b/;

function checkTypescript(match: RuleMatch): CandidateInit | CandidateInit[] | undefined {
  const node = match.node('match')!;
  if (match.props.kind === 'pubsub') return localPubSub(node, match.file);
  if (node.type === 'new_expression') return tsServer(node, match);
  if (node.type === 'call_expression') return tsSocketIoCall(node, match);
  const value = match.node('value')!;
  const ctor = match.text('ctor') ?? '';
  const ctorNode = value.type === 'new_expression' ? value.childForFieldName('constructor') : null;
  // A process-local cache the models know (node-cache, lru-cache, quick-lru, @isaacs/ttlcache).
  const cache = ctorNode && !TS_COLLECTIONS.has(ctor) ? processCache(match.file, ctorNode) : undefined;
  if (value.type === 'new_expression' && !TS_COLLECTIONS.has(ctor) && !cache) return undefined;
  const cacheCtor = cache !== undefined;
  if (value.type === 'new_expression') {
    // new Set(), new Map(): empty at start; new Map([[...]]) is a lookup table
    if (!cacheCtor && (value.childForFieldName('arguments')?.namedChildren.length ?? 0) > 0) return undefined;
  } else if (!isEmptyLiteral(value)) return undefined;
  const anc = ancestors(node);
  const typeText = `${node.childForFieldName('type')?.text ?? ''} ${value.childForFieldName('type_arguments')?.text ?? ''}`;
  const typed = TS_SOCKET_TYPE.test(typeText);
  let key: string | undefined;
  let moduleLevel = false;
  if (node.type === 'variable_declarator') {
    // const x = ... at the top of the module (exported or not)
    if (anc.length > 2 || (anc.length === 2 && anc[1].type !== 'export_statement')) return undefined;
    key = match.text('name');
    moduleLevel = true;
  } else {
    const cls = className(anc);
    if (cls) key = `${cls}.${match.text('name')}`;
  }
  if (!key) return undefined;
  const out: CandidateInit[] = [];
  if (!cacheCtor) out.push(socketCandidate(node, key, typed));
  if (!cacheCtor && !typed) out.push(streamCandidate(node, key));
  if (moduleLevel && !typed && (cacheCtor || ctor === 'Map' || value.type === 'object')) {
    const expires = cache !== undefined && (cache.row.state?.expires === true || optionsName(value.childForFieldName('arguments'), cache.row.state?.expiresBy));
    out.push(cacheCandidate(node, key, expires ? UNTIL_EXPIRY : UNTIL_RESTART));
    if (cacheCtor || CACHE_NAME.test(key)) out.push(invalidatedCandidate(node, key, expires ? UNTIL_EXPIRY : UNTIL_RESTART));
  }
  if (moduleLevel && !typed && !cacheCtor) out.push(recordCandidate(node, key, CACHE_NAME.test(key)));
  return out;
}

/** `new PubSub()` of graphql-subscriptions: a pub/sub the models say lives in this process. */
function localPubSub(expr: SyntaxNode, file: FileContext): CandidateInit | undefined {
  const look = lookupExpr(file, expr.childForFieldName('constructor')!);
  if (look.kind !== 'library' || look.loose || look.row.state?.scope !== 'process' || !hasEffect(look.row, ['publish'])) return undefined;
  const lib = file.lang.symbol(look.qname)?.lib.name ?? look.qname;
  return {
    node: expr,
    message: LOCAL_PUBSUB_MESSAGE,
    args: { what: `\`${look.qname.slice(look.qname.lastIndexOf('.') + 1)}\` of ${lib}` },
    unless: [{ fact: NOT_SERVER }],
    data: { kind: 'pubsub' },
  };
}

/** A socket server the models know: its state, and what shares it (socket.io's `adapter`). */
function socketServer(file: FileContext, callee: SyntaxNode): { row: Row; clients: boolean } | undefined {
  const judge = (row: Row) => {
    if (row.state?.scope !== 'process') return undefined;
    // ws: a server whose `clients` member is the set of this process's connections.
    const clients = row.returns !== undefined && (file.lang.member(row.returns, 'clients')?.row as Row | undefined)?.state?.scope === 'process';
    return (row.state.sharedBy ?? []).length > 0 || clients ? { row, clients } : undefined;
  };
  const look = lookupExpr(file, callee);
  // Resolved, or named by a module's conventional name (`WebSocket.Server` of ws).
  if (look.kind === 'library') return judge(look.row);
  if (look.kind !== 'none' || callee.type !== 'identifier' || !/[a-z0-9][A-Z]/.test(callee.text)) return undefined;
  // Nothing resolves (a snippet without its imports): a server class of several words the models name so (`WebSocketServer`).
  for (const lib of file.lang.libraries) {
    for (const sym of (lib.file.symbols ?? []) as Row[]) {
      if (sym.name.slice(sym.name.lastIndexOf('.') + 1) === callee.text) {
        const found = judge(sym);
        if (found) return found;
      }
    }
  }
  return undefined;
}

/** Whether an options object passes one of the options that share the server's state (`{ adapter: createAdapter(...) }`), or may (a spread). */
function sharedByOptions(args: SyntaxNode | null | undefined, row: Row): boolean {
  const options = args?.namedChildren.find((a) => a.type === 'object');
  if (!options) return false;
  const { props, spread } = objectProperties(options);
  return spread || (row.state?.sharedBy ?? []).some((o) => props.has(o));
}

/** `new Server(httpServer)` of socket.io, `new WebSocketServer({ server })` / `new WebSocket.Server(...)` of ws: by what they resolve to. */
function tsServer(expr: SyntaxNode, match: RuleMatch): CandidateInit | CandidateInit[] | undefined {
  const ctor = expr.childForFieldName('constructor')!;
  const server = socketServer(match.file, ctor);
  if (!server) return undefined;
  const declarator = expr.parent;
  const variable = declarator?.type === 'variable_declarator' ? declarator.childForFieldName('name') : undefined;
  const out: CandidateInit[] = [];
  if ((server.row.state?.sharedBy ?? []).length > 0 && !sharedByOptions(expr.childForFieldName('arguments'), server.row)) {
    // socket.io without an adapter in its options (io.adapter(...) elsewhere in the file is PUBSUB)
    out.push({ node: expr, message: SOCKET_IO_MESSAGE, unless: [{ fact: PUBSUB }, { fact: NOT_SERVER }], data: { kind: 'socket.io' } });
  }
  // ws: broadcasting over wss.clients
  if (server.clients && variable?.type === 'identifier') out.push(socketCandidate(expr, `${variable.text}.clients`, true, WSS_MESSAGE, variable.text));
  return out;
}

/** `require('socket.io')(server)` / `socketIO(server)`: the module's server, called. */
function tsSocketIoCall(call: SyntaxNode, match: RuleMatch): CandidateInit | undefined {
  const fn = call.childForFieldName('function')!;
  let row: Row | undefined;
  if (fn.type === 'call_expression') {
    // require('socket.io')(server): the module's main export
    const module = stringLiteral(fn.childForFieldName('arguments')?.namedChildren[0]);
    row = module ? (match.file.lang.symbol(module)?.row as Row | undefined) : undefined;
  } else {
    row = socketServer(match.file, fn)?.row;
  }
  if (!row || (row.state?.sharedBy ?? []).length === 0 || sharedByOptions(call.childForFieldName('arguments'), row)) return undefined;
  return {
    node: call,
    message: SOCKET_IO_MESSAGE,
    unless: [{ fact: PUBSUB }, { fact: NOT_SERVER }],
    data: { kind: 'socket.io' },
  };
}

// ----- Go

type GoKind = { kind: 'sockets' | 'streams' | 'map' | 'syncmap' | 'library'; expires?: boolean };

/** A Go type the models give a process-local state: a cache library's type (its expiry), or `sync.Map`. */
function goStateType(written: string, at: number): GoKind | undefined {
  const file = current;
  if (!file) return undefined;
  const r = file.resolver.resolveType(written, at);
  if (r.kind !== 'value') return undefined;
  const t = file.lang.type(r.type);
  const state = (t?.row as unknown as Row | undefined)?.state;
  if (state?.scope !== 'process') return undefined;
  if (!(t?.row.members ?? []).some((m) => hasEffect(m, ['cache-write']))) {
    // A map of the standard library (`sync.Map`): state, but no cache of its own.
    return (t?.row.members ?? []).length === 0 || file.lang.symbol(r.type) ? { kind: 'syncmap' } : undefined;
  }
  return { kind: 'library', expires: state.expires === true };
}

/** Whether a Go map type holds sockets: its key or value is a type the models give a socket-send member (`*websocket.Conn`). */
function goHoldsSockets(map: SyntaxNode): boolean {
  const file = current;
  if (!file) return false;
  const sends = (type: string) => file.lang.memberNames(type).some((m) => hasEffect(file.lang.member(type, m)!.row, ['socket-send']));
  return [map.childForFieldName('key'), map.childForFieldName('value')].some((t) => {
    if (!t) return false;
    const r = file.resolver.resolveType(t.text, t.startIndex);
    if (r.kind === 'value') return sends(r.type);
    // Nothing resolves (a snippet without its imports): `websocket.Conn` as written, against the models' socket types.
    const written = /^\*?([A-Za-z_]\w*)\.([A-Za-z_]\w*)$/.exec(t.text);
    return !!written && socketTypesByWrittenName(file).has(`${written[1]}.${written[2]}`);
  });
}

/** The models' socket types (a socket-send member) by how Go code writes them: `websocket.Conn`. */
function socketTypesByWrittenName(file: FileContext): Set<string> {
  const out = new Set<string>();
  for (const lib of file.lang.libraries) {
    for (const t of lib.file.types ?? []) {
      if (!(t.members ?? []).some((m) => hasEffect(m, ['socket-send']))) continue;
      const dot = t.name.lastIndexOf('.');
      const pkg = t.name.slice(0, dot).split('/').filter((p) => !/^v\d+$/.test(p)).pop();
      out.add(`${pkg}.${t.name.slice(dot + 1)}`);
    }
  }
  return out;
}

/** What a Go type (or a `make(...)`/literal's type) declares: a map holding sockets, a map, a sync.Map, a cache library's type. */
function goTypeKind(type: SyntaxNode | null | undefined): GoKind | undefined {
  let t = type ?? undefined;
  if (!t) return undefined;
  if (t.type === 'map_type') {
    if (goHoldsSockets(t)) return { kind: 'sockets' };
    // map[chan string]bool, map[string]chan Event: the channels of open event streams (judged by the facts)
    if ([t.childForFieldName('key'), t.childForFieldName('value')].some((x) => x?.type === 'channel_type')) return { kind: 'streams' };
    return { kind: 'map' };
  }
  if (t.type === 'pointer_type') t = t.namedChildren[0];
  if (t?.type === 'generic_type') t = t.childForFieldName('type') ?? undefined;
  if (t?.type !== 'qualified_type') return undefined;
  return goStateType(t.text, t.startIndex);
}

/** The kind of a package variable's value: `make(map[...]...)`, `map[...]...{}`, `lru.New[...](n)`, `cache.New(...)`. */
function goValueKind(value: SyntaxNode | null | undefined): GoKind | undefined {
  const v = unwrap(value);
  const file = current;
  if (!v || !file) return undefined;
  if (v.type === 'call_expression') {
    const f = v.childForFieldName('function');
    if (f?.type === 'identifier' && f.text === 'make') return goTypeKind(v.childForFieldName('arguments')?.namedChildren[0]);
    const callee = f?.type === 'generic_type' ? f.childForFieldName('type') : f;
    return callee ? goCacheConstructor(file, callee) : undefined;
  }
  if (v.type === 'type_conversion_expression') {
    // lru.New[int64, User](128) parses as a conversion to a generic type
    const t = v.childForFieldName('type');
    const q = t?.type === 'generic_type' ? t.childForFieldName('type') : t;
    return q ? goCacheConstructor(file, q) : undefined;
  }
  if (v.type === 'composite_literal') return goTypeKind(v.childForFieldName('type'));
  return undefined;
}

/** A constructor of a process-local cache (`cache.New(...)`, `lru.New[K, V](n)`): its expiry. */
function goCacheConstructor(file: FileContext, callee: SyntaxNode): GoKind | undefined {
  const r = file.resolve(callee);
  if (r.kind !== 'library' || (r.row as Row).state === undefined) return undefined;
  const state = (r.row as Row).state!;
  return state.scope === 'process' && hasEffect(r.row, ['cache-write']) ? { kind: 'library', expires: state.expires === true } : undefined;
}

function goCacheCandidate(node: SyntaxNode, key: string, kind: GoKind): CandidateInit[] {
  const until = kind.kind === 'library' && kind.expires ? UNTIL_EXPIRY : UNTIL_RESTART;
  const out = [cacheCandidate(node, key, until)];
  if (kind.kind === 'library' || CACHE_NAME.test(key)) out.push(invalidatedCandidate(node, key, until));
  return out;
}

function checkGo(match: RuleMatch): CandidateInit | CandidateInit[] | undefined {
  const node = match.node('match')!;
  const name = match.text('name')!;
  if (node.type === 'var_spec') {
    if (node.childForFieldName('name')?.id !== match.node('name')!.id) return undefined; // `var c, err = ...`: the first name
    const kind = goTypeKind(node.childForFieldName('type')) ?? goValueKind(node.childForFieldName('value')?.namedChildren[0]);
    if (!kind) return undefined;
    if (kind.kind === 'sockets') return socketCandidate(node, name, true);
    if (kind.kind === 'streams') return streamCandidate(node, name);
    return kind.kind === 'map' ? [...goCacheCandidate(node, name, kind), recordCandidate(node, name, CACHE_NAME.test(name))] : goCacheCandidate(node, name, kind);
  }
  // a struct field: type Hub struct { clients map[*Client]bool; broadcast chan []byte }
  const list = node.parent;
  const spec = list?.parent?.parent;
  if (list?.type !== 'field_declaration_list' || spec?.type !== 'type_spec') return undefined;
  const typeName = spec.childForFieldName('name')!.text;
  const key = `${typeName}.${name}`;
  const type = node.childForFieldName('type');
  const kind = goTypeKind(type);
  if (!kind) return undefined;
  const siblings = list.namedChildren.filter((f) => f.type === 'field_declaration');
  if (kind.kind === 'sockets') return socketCandidate(node, key, true);
  if (kind.kind === 'streams') return streamCandidate(node, key);
  if (kind.kind === 'map') {
    // the hub of gorilla's chat example: a set of clients next to a broadcast channel
    const setLike = type!.childForFieldName('key')?.type === 'pointer_type' && /^(bool|struct\s*\{\s*\})$/.test(type!.childForFieldName('value')?.text ?? '');
    const broadcast = siblings.some((f) => /^broadcast$/i.test(f.childForFieldName('name')?.text ?? '') && f.childForFieldName('type')?.type === 'channel_type');
    if (setLike && broadcast) {
      return { node, message: SOCKETS_MESSAGE, args: { name: key }, unless: [{ fact: PUBSUB }, { fact: NOT_SERVER }], data: { kind: 'sockets' } };
    }
    // a map that lives as long as its struct is a cache when it is named one or guarded by a mutex
    const guarded = siblings.some((f) => /^sync\.(RW)?Mutex$/.test(f.childForFieldName('type')?.text ?? ''));
    if (!guarded && !/cache/i.test(name)) return undefined;
  }
  return goCacheCandidate(node, key, kind);
}

// ---------------------------------------------------------------------------------------------
// Facts

function addFact(site: SyntaxNode, coll: SyntaxNode | undefined, arg: SyntaxNode | undefined, lang: QueryLanguage): FactInit[] | undefined {
  if (!coll || arg?.type !== 'identifier') return undefined;
  const sse = !isSocketValue(arg, lang) && isEventStream(arg, lang);
  if (!sse && !isSocketValue(arg, lang)) return undefined;
  const key = collectionKey(coll, lazyAncestors(site), lang);
  return key ? [{ name: sse ? ADD_SSE : ADD, key, node: site }] : undefined;
}

/**
 * A server-sent events stream: the response parameter of a function that opens one (its text names
 * the protocol's content type, `text/event-stream`), kept to be written to later.
 */
function isEventStream(arg: SyntaxNode, lang: QueryLanguage): boolean {
  if (lang === 'go') return false;
  const fn = nearestFunction(arg, lang);
  if (!fn) return false;
  const params = fn.childForFieldName('parameters')?.namedChildren ?? [];
  if (lang === 'python') {
    // A queue made in the route that returns the stream and feeds it (`q = asyncio.Queue()`,
    // `subscribers.append(q)`, `return EventSourceResponse(gen(q))`): sse-starlette's response is
    // named for the protocol, as the content type is.
    if (!PY_EVENT_STREAM.test(fn.text)) return false;
    return !params.some((p) => (p.type === 'identifier' ? p : p.childForFieldName('name') ?? p.namedChildren[0])?.text === arg.text);
  }
  if (!fn.text.includes('text/event-stream')) return false;
  return params.some((p) => (p.childForFieldName('pattern') ?? p).text === arg.text);
}

/** A Python function that opens an event stream: its content type, or sse-starlette's response class. */
const PY_EVENT_STREAM = /text\/event-stream|\bEventSourceResponse\(/;
/** What writes an event to the queue of one Python event stream. */
const PY_QUEUE_SENDS = new Set(['put', 'put_nowait']);

/**
 * Go: `b.clients[ch] = true` / `subs[id] = ch`, where `ch` is a channel the function makes
 * (`ch := make(chan string)`) and the function opens an event stream (its text names
 * `text/event-stream`): the stream's channel kept in the collection.
 */
function goStreamAdd(match: RuleMatch): FactInit[] | undefined {
  const site = match.node('store')!;
  const anc = lazyAncestors(site);
  const fn = anc().find((a) => isFunctionNode(a, 'go'));
  if (!fn || !fn.text.includes('text/event-stream')) return undefined;
  const madeChannel = (n: SyntaxNode | null | undefined): boolean => {
    if (n?.type !== 'identifier') return false;
    const value = goLocalValue(n.text, site, fn);
    return value?.type === 'call_expression' && value.childForFieldName('function')?.text === 'make' && value.childForFieldName('arguments')?.namedChildren[0]?.type === 'channel_type';
  };
  if (!madeChannel(match.node('index')) && !madeChannel(match.node('value'))) return undefined;
  const key = collectionKey(match.node('coll'), anc, 'go');
  return key ? [{ name: ADD_SSE, key, node: site }] : undefined;
}

/** Go: the value of `name := value` (or `var name = value`) among the statements before `site` in the function `fn`. */
function goLocalValue(name: string, site: SyntaxNode, fn: SyntaxNode): SyntaxNode | undefined {
  let found: SyntaxNode | undefined;
  const visit = (n: SyntaxNode): void => {
    if (n.startIndex >= site.startIndex) return;
    if (n !== fn && isFunctionNode(n, 'go')) return;
    if (n.type === 'short_var_declaration' || n.type === 'var_spec') {
      const names = n.type === 'var_spec' ? n.childrenForFieldName('name') : n.childForFieldName('left')?.namedChildren ?? [];
      const values = (n.type === 'var_spec' ? n.childForFieldName('value') : n.childForFieldName('right'))?.namedChildren ?? [];
      const k = names.findIndex((x) => x.text === name);
      if (k >= 0 && values[k]) found = values[k];
    }
    for (const c of n.namedChildren) visit(c);
  };
  visit(fn);
  return found;
}

/** Values that are never database results: literals, and (for sockets) what is not a name. */
const CONSTANT_VALUES = new Set(['string', 'integer', 'float', 'true', 'false', 'none', 'number', 'null', 'undefined', 'int_literal', 'interpreted_string_literal', 'raw_string_literal', 'nil', 'template_string', 'lambda', 'arrow_function', 'function_expression', 'func_literal']);

/** `coll[key] = value` / `coll.set(key, value)` / `c.Add(key, value)`: a socket stored by id, or database results cached. */
function storeFacts(site: SyntaxNode, coll: SyntaxNode | undefined, value: SyntaxNode | undefined, lang: QueryLanguage): FactInit[] | undefined {
  // cheap rejections first: a collection we could report and a value that could be a socket or a result
  if (!coll || !value) return undefined;
  if (coll.type !== 'identifier' && coll.type !== 'attribute' && coll.type !== 'member_expression' && coll.type !== 'selector_expression') return undefined;
  if (CONSTANT_VALUES.has(value.type)) return undefined;
  const anc = lazyAncestors(site);
  const key = collectionKey(coll, anc, lang);
  if (!key) return undefined;
  if (lang !== 'go' && value.type === 'identifier' && isSocketValue(value, lang)) return [{ name: ADD, key, node: site }];
  return dbOrigin(value, anc(), site, lang) ? [{ name: FILL, key, node: site }] : undefined;
}

function sendFact(site: SyntaxNode, recv: SyntaxNode | undefined, coll: SyntaxNode | undefined, lang: QueryLanguage): FactInit[] | undefined {
  const anc = ancestors(site);
  const key = coll ? collectionKey(coll, () => anc, lang) : recv ? sendTarget(recv, site, anc, lang) : undefined;
  return key ? [{ name: SEND, key, node: site }] : undefined;
}

/** `send_message`: a send of a socket no library names (stays: the project's naming). */
const PY_SEND_EXTRA = new Set(['send_message']);
/** The container methods that add a value: the language's own. */
const ADDS: Record<QueryLanguage, Set<string>> = { python: new Set(['add', 'append']), typescript: new Set(['add', 'push']), go: new Set() };
const CHANNEL_ARG: Record<QueryLanguage, RegExp> = {
  python: /^(["']|[A-Z][A-Z0-9_]*$|channel=|[a-z_.]*(channel|topic)$)/,
  typescript: /^(['"`]|[A-Z][A-Z0-9_]*$|[a-zA-Z_.]*(channel|Channel|topic|Topic|CHANNEL)$)/,
  go: /^(ctx|c|context|[a-z]+Ctx)$/,
};
/** A socket's own subscription (uWebSockets.js `ws.subscribe('room')`) is not a pub/sub layer between instances. */
const SOCKET_RECEIVER = /^(ws|websocket|socket|sock|app|self\.(ws|websocket)|this\.(ws|socket))$/;

/** Names the models give rows of these effects (a send to one socket; a publish or subscribe). */
const NAMES = new Map<string, Set<string>>();
function namesOf(file: FileContext, effects: string[]): Set<string> {
  const key = `${file.language}:${effects.join(',')}`;
  let set = NAMES.get(key);
  if (!set) NAMES.set(key, (set = new Set(file.lang.namesWith(effects as Parameters<typeof file.lang.namesWith>[0]))));
  return set;
}

/** What a call does, by the models (resolved, or by the conventions for its receiver): a send, a publish, a subscribe, a shared pub/sub client. */
function callEffects(file: FileContext, call: SyntaxNode): { effects: Set<string>; row?: Row; shared: boolean; fn: boolean; local?: boolean } {
  const wanted = (row: Row) => hasEffect(row, ['socket-send', 'publish', 'subscribe', 'client', 'cache-write']) || row.state !== undefined || row.returns !== undefined;
  const look = lookupCall(file, call, (h) => wanted(h.row) && h.row.name !== '*');
  // A guess by the conventions that says nothing useful (`client.send_text` read as a Mongo client's `*`) is no answer.
  if (look.kind !== 'library' || (look.loose && (!wanted(look.row) || look.row.name === '*'))) return { effects: new Set(), shared: false, fn: false };
  const returns = look.row.returns;
  const returnsPubSub = returns !== undefined && file.lang.memberNames(returns).some((m) => hasEffect(file.lang.member(returns, m)!.row, ['publish', 'subscribe']));
  const shared = look.row.state?.scope === 'shared' || (returnsPubSub && (file.lang.type(returns!)?.row as unknown as Row | undefined)?.state?.scope !== 'process');
  // A function of the module (`websockets.broadcast(clients, m)`), not a method of a value.
  const fn = file.lang.symbol(look.qname) !== undefined;
  // A publish of a pub/sub that lives in this process (graphql-subscriptions' PubSub, uWebSockets' app) fans nothing out.
  const owner = look.qname.slice(0, look.qname.lastIndexOf('.'));
  const local = look.row.state?.scope === 'process' || (file.lang.type(owner)?.row as unknown as Row | undefined)?.state?.scope === 'process';
  return { effects: new Set([...effectsOf(look.row), ...(returnsPubSub ? ['pubsub-client'] : [])]), row: look.row, shared, fn, local };
}

/**
 * A method call (one query pattern per shape, dispatched here by what the models say it does): a
 * socket added (`clients.add(ws)`), a store (`cache.set(k, v)`, `c.Add(k, v)`), a send
 * (`ws.send_text(m)`), or a pub/sub layer (`redis.pubsub()`, `sub.subscribe('chat')`,
 * `rdb.Publish(ctx, ...)`, `io.adapter(createAdapter(...))`, `Broadcast(url)`, `nats.Connect(url)`).
 */
function methodCallFacts(match: RuleMatch, lang: QueryLanguage): FactInit[] | undefined {
  const file = match.file;
  const call = match.node('call')!;
  const recv = match.node('recv');
  const method = match.text('method')!;
  const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment');
  const pubsub = (): FactInit[] => [{ name: PUBSUB, key: '', node: call }];
  const what = callEffects(file, call);
  // An event stream's `write` (the pattern runs only in files that name `event-stream`).
  const sends = what.effects.has('socket-send') || (what.row === undefined && (namesOf(file, ['socket-send']).has(method) || (lang === 'python' && (PY_SEND_EXTRA.has(method) || PY_QUEUE_SENDS.has(method))) || (lang === 'typescript' && method === 'write')));
  const channel = what.effects.has('publish') || what.effects.has('subscribe') || (what.row === undefined && namesOf(file, ['publish', 'subscribe']).has(method));
  if (channel && !what.effects.has('socket-send')) {
    // redis.publish("chat", m) / sub.subscribe(CHANNEL) / rdb.Subscribe(ctx, "chat"): a named channel; a group (Channels' group_send) or a trigger (pusher) is one
    if (!args[0] || what.local || SOCKET_RECEIVER.test(recv?.text ?? '')) return undefined;
    if (what.shared && what.row?.state?.scope === 'shared') return pubsub();
    const first = lang === 'go' && args[0].type === 'call_expression' ? args[0].childForFieldName('function')?.childForFieldName('operand') : args[0];
    if (lang === 'go' && args.length < 2) return undefined;
    if (CHANNEL_ARG[lang].test(first?.text ?? '')) return pubsub();
    // Channels: channel_layer.group_send(self.room_group_name, ...): a group of the shared layer
    if (what.row && (file.lang.type(recvType(file, recv) ?? '')?.row as unknown as Row | undefined)?.state?.scope === 'shared') return pubsub();
    return /(group|room)/i.test(first?.text ?? '') && lang === 'python' ? pubsub() : undefined;
  }
  // A client of a shared pub/sub backend built here: Broadcast("redis://..."), nats.Connect(url), redis.pubsub(), pusher.Pusher(...)
  if (what.shared && (what.effects.has('client') || what.effects.has('pubsub-client'))) {
    const uri = stringLiteral(args[0]);
    if (uri !== undefined && (what.row?.state?.processValues ?? []).some((v) => uri.startsWith(v))) return undefined;
    return args.length > 0 || what.effects.has('pubsub-client') ? pubsub() : undefined;
  }
  // io.adapter(createAdapter(pub, sub)): the option that shares a socket server's state, set after the fact
  if (lang === 'typescript' && recv && args[0]?.type === 'call_expression') {
    const server = recvType(file, recv);
    if (server && ((file.lang.type(server)?.row as unknown as Row | undefined)?.state?.sharedBy ?? []).includes(method)) return pubsub();
  }
  // async_to_sync(channel_layer.group_send)(...): the function it wraps publishes
  if (lang === 'python' && what.row?.callbackArgument !== undefined && args[0]) {
    const inner = lookupExprNode(file, args[0]);
    if (inner && hasEffect(inner, ['publish', 'subscribe'])) return pubsub();
  }
  if (ADDS[lang].has(method)) return args.length === 1 ? addFact(call, recv, args[0], lang) : undefined;
  if (lang === 'typescript' && method === 'set') return args.length >= 2 ? storeFacts(call, recv, args[1], lang) : undefined;
  if (lang === 'go' && what.row !== undefined && hasEffect(what.row, ['cache-write'])) return args.length >= 2 ? storeFacts(call, recv, args[1], lang) : undefined;
  if (lang === 'go' && what.row === undefined && namesOf(file, ['cache-write']).has(method)) return args.length >= 2 ? storeFacts(call, recv, args[1], lang) : undefined;
  if (sends) {
    // websockets.broadcast(CONNECTIONS, message): a function sending to every socket of the collection given
    if (what.fn && args[0]) return sendFact(call, undefined, args[0], lang);
    return sendFact(call, recv, undefined, lang);
  }
  return undefined;
}

/** The library type a receiver is (resolved, or by its conventional name). */
function recvType(file: FileContext, recv: SyntaxNode | undefined): string | undefined {
  if (!recv) return undefined;
  const r = file.resolve(recv);
  if (r.kind === 'value') return r.type;
  if (r.kind === 'library') return r.type ?? r.row.returns;
  const name = recv.type === 'identifier' ? recv.text : (recv.childForFieldName('attribute') ?? recv.childForFieldName('property') ?? recv.childForFieldName('field'))?.text;
  return file.lang.conventions.find((c) => c.type && name && c.pattern.test(name))?.type;
}

/** What an expression (a callee passed as a value: `channel_layer.group_send`) is, by the models. */
function lookupExprNode(file: FileContext, node: SyntaxNode): Row | undefined {
  const look = lookupExpr(file, node);
  return look.kind === 'library' ? look.row : undefined;
}

function facts(match: RuleMatch, ctx: CheckContext): FactInit[] | undefined {
  current = match.file;
  const lang = match.language as QueryLanguage;
  switch (match.props.fact) {
    case RECORD_WRITE:
    case RECORD_READ:
      return recordFacts(match, ctx, match.props.fact);
    case INVALIDATE:
      return invalidateFacts(match, ctx, lang);
    case LOCKED:
      return lockedFacts(match, ctx);
    case SHARED_STORE:
      return sharedStoreFact(match);
    case CALL:
      return methodCallFacts(match, lang);
    case STORE:
      return storeFacts(match.node('store')!, match.node('coll'), match.node('value'), lang);
    case SEND:
      // Go: client.send <- msg
      return sendFact(match.node('send')!, match.node('recv'), undefined, lang);
    case GO_SSE_ADD:
      return goStreamAdd(match);
    default: {
      const node = match.node('key') ?? match.node('module') ?? match.node('source') ?? match.node('path');
      return node ? [{ name: match.props.fact!, key: '', node }] : undefined;
    }
  }
}

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python, go, typescript },
  check(match) {
    current = match.file;
    if (match.props.kind === 'lock') return lockCandidate(match);
    switch (match.language as QueryLanguage) {
      case 'python':
        return checkPython(match);
      case 'go':
        return checkGo(match);
      case 'typescript':
        return checkTypescript(match);
    }
  },
  facts,
});
