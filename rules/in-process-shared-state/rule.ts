import type { SyntaxNode } from 'tree-sitter';
import { defineRule, type CandidateInit, type FactInit, type RuleMatch, type RuleMeta } from '../../server/src/engine/rule-api';
import type { QueryLanguage } from '../../server/src/engine/languages';
import { isFunctionNode } from '../../server/src/engine/predicates';
import { objectProperties, stringLiteral } from '../../server/src/engine/syntax';
import meta from './rule.json';
import python from './python.scm';
import go from './go.scm';
import typescript from './typescript.scm';

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
 * IMPORT / CACHE_DECORATOR / GO_CACHE_IMPORT: where socket.io, ws, cache decorators and Go cache
 * packages come from.
 */
const ADD = 'ipss.ws-add';
const SEND = 'ipss.ws-send';
const STORE = 'ipss.store';
const CALL = 'ipss.call';
const FILL = 'ipss.db-fill';
const PUBSUB = 'ipss.pubsub';
const CACHE_DECORATOR = 'ipss.cache-decorator';
const IMPORT = 'ipss.import';
const GO_CACHE_IMPORT = 'ipss.go-cache-import';
const NOT_SERVER = 'ipss.not-server';

const SOCKETS_MESSAGE =
  '`{name}` keeps the WebSocket connections of this process: once a second instance or worker runs, a message sent through it reaches only the clients connected to that instance and the others silently miss it. Fan messages out through a pub/sub layer (Redis pub/sub, broadcaster, a socket.io adapter) and deliver them to the local connections from its subscription.';
const WSS_MESSAGE =
  'Broadcasting over `{name}.clients` reaches only the WebSocket clients connected to this process: once a second instance or worker runs, the clients of the others silently miss the message. Publish through a pub/sub layer (Redis pub/sub) and send to the local clients from its subscription.';
const SOCKET_IO_MESSAGE =
  'This socket.io server has no adapter: once a second instance or worker runs, `io.emit` and room broadcasts reach only the clients connected to the instance that sends them. Attach a shared adapter (`io.adapter(createAdapter(pubClient, subClient))` from @socket.io/redis-adapter).';
const CACHE_MESSAGE =
  '`{name}` caches database results in this process: each instance and worker keeps its own copy, so after a write handled by another instance this one keeps serving the old data {until}. Use a shared cache (Redis, Memcached) or invalidate the entry on every instance when the data changes.';
const CACHED_FN_MESSAGE =
  '`@{decorator}` caches the database results of `{fn}` in this process: each instance and worker keeps its own copy, so after a write handled by another instance this one keeps serving the old data {until}. Use a shared cache (Redis, Memcached) or invalidate the entry on every instance when the data changes.';

const UNTIL_EXPIRY = 'until the entry expires or is evicted';
const UNTIL_RESTART = 'until the entry is evicted or the process restarts (nothing expires it)';

const RELATED_ADD = 'a connection is added to it here';
const RELATED_SEND = 'messages are sent to its connections here';
const RELATED_FILL = 'filled with database results here';
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
// Database calls, by method name and receiver, one call at a time

/** Receiver names that hold a database handle, a session, a cursor or a collection. */
const PY_DB_RECEIVER = /^(db|database|session|db_session|async_session|sess|conn|connection|cursor|cur|collection|coll|pool|engine|mongo|motor|tx|transaction|objects|repo|repository)$|_(db|session|collection|coll|conn|cursor|pool|repo|repository)$|^db_/i;
const PY_DB_STRONG = new Set([
  'find_one', 'find_one_and_update', 'find_one_and_replace', 'find_one_and_delete', 'count_documents', 'fetchrow', 'fetchval',
  'fetchone', 'fetchall', 'fetchmany', 'scalars', 'scalar_one', 'scalar_one_or_none', 'filter_by', 'get_or_none', 'one_or_none',
]);
const PY_DB_WEAK = new Set(['find', 'aggregate', 'execute', 'query', 'get', 'filter', 'fetch', 'fetch_all', 'fetch_one', 'fetch_val', 'all', 'first', 'one', 'scalar', 'select', 'where', 'distinct']);
/** Methods of an ORM model class: `User.filter(...)`, `Item.find(...)` (Tortoise, Beanie, peewee). */
const PY_MODEL_METHODS = new Set(['find', 'find_one', 'filter', 'select', 'where', 'get_or_none', 'filter_by', 'aggregate']);
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

function isPyDbCall(call: SyntaxNode): boolean {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'attribute') return false;
  const method = fn.childForFieldName('attribute')?.text ?? '';
  const receiver = fn.childForFieldName('object');
  const names = chainNames(receiver);
  // Django `Model.objects.x(...)`, Flask-SQLAlchemy `Model.query.x(...)`
  if (names.includes('objects')) return true;
  const qi = names.indexOf('query');
  if (qi > 0 && CAMEL_CASE.test(names[qi - 1])) return true;
  if (PY_DB_STRONG.has(method)) return true;
  if (receiver?.type === 'identifier' && CAMEL_CASE.test(receiver.text) && PY_MODEL_METHODS.has(method)) return true;
  if (!PY_DB_WEAK.has(method)) return false;
  if (method === 'get') {
    // `session.get(User, 1)`, `await User.get(id=1)`; not `requests.get(url)`, `d.get(k)`, `session.get(url)` (aiohttp)
    const first = call.childForFieldName('arguments')?.namedChildren[0];
    if (receiver?.type === 'identifier' && CAMEL_CASE.test(receiver.text)) return call.parent?.type === 'await';
    return names.some((n) => PY_DB_RECEIVER.test(n)) && first?.type === 'identifier' && CAMEL_CASE.test(first.text);
  }
  return names.some((n) => PY_DB_RECEIVER.test(n));
}

const TS_DB_STRONG = new Set([
  'findOne', 'findById', 'findByPk', 'findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany', 'findOneBy',
  'findAndCountAll', 'findAll', 'countDocuments', 'findOneAndUpdate', 'findByIdAndUpdate',
]);
const TS_DB_WEAK = new Set(['find', 'query', 'execute', 'get', 'all', 'select', 'where', 'first', 'exec', 'toArray', 'lean', 'findBy', 'count', 'aggregate', 'from', 'raw']);
/** Handles whose `query`/`execute` runs SQL: `pool.query(sql)`, `client.query(sql)`, `conn.execute(sql)`. */
const TS_SQL_RECEIVER = /^(db|database|pool|client|pgClient|pgPool|conn|connection|pg|mysql|knex|sql|tx|trx|sequelize|dataSource|manager|em|entityManager)$|(Pool|Db|DB|Connection|Conn)$/;
/** Handles whose `find`, `select`, `where`, ... query a database. */
const TS_DB_RECEIVER = /^(db|database|prisma|supabase|knex|mongoose|collection|coll|repo|repository|trx|tx|drizzle|models)$|(Repository|Repo|Collection|Model|Db|DB)$/;
const TS_MODEL_METHODS = new Set(['find', 'where', 'count', 'findBy', 'aggregate']);

function isTsDbCall(call: SyntaxNode): boolean {
  const fn = call.childForFieldName('function');
  if (fn?.type === 'identifier' && fn.text === 'sql') return call.childForFieldName('arguments')?.type === 'template_string';
  if (fn?.type !== 'member_expression') return false;
  const method = fn.childForFieldName('property')?.text ?? '';
  const receiver = fn.childForFieldName('object');
  if (TS_DB_STRONG.has(method)) return true;
  if (!TS_DB_WEAK.has(method)) return false;
  const first = call.childForFieldName('arguments')?.namedChildren[0];
  // `items.find((x) => ...)` is Array#find
  if (first && (first.type === 'arrow_function' || first.type === 'function_expression' || first.type === 'function')) return false;
  const names = chainNames(receiver);
  if (method === 'query' || method === 'execute' || method === 'raw') return names.some((n) => TS_SQL_RECEIVER.test(n));
  if (receiver?.type === 'identifier' && CAMEL_CASE.test(receiver.text) && TS_MODEL_METHODS.has(method)) return true;
  // sqlite's db.get(sql): a bare handle; `this.db.settings.get(key)` is anything
  if (method === 'get') return receiver?.type === 'identifier' && /^(db|database)$/.test(receiver.text);
  if (names.some((n) => TS_DB_RECEIVER.test(n))) return true;
  // db.collection('users').find(...), supabase.from('users').select(), knex('users').where(...)
  return chainHasCall(receiver, /^(collection|from|knex)$/);
}

function chainHasCall(node: SyntaxNode | null | undefined, name: RegExp): boolean {
  for (let n = node ?? undefined, i = 0; n && i < 10; i++) {
    if (n.type === 'call_expression') {
      const f = n.childForFieldName('function');
      const last = f?.type === 'member_expression' ? f.childForFieldName('property')?.text : f?.text;
      if (last && name.test(last)) return true;
      n = f ?? undefined;
    } else if (n.type === 'member_expression') n = n.childForFieldName('object') ?? undefined;
    else if (n.type === 'await_expression' || n.type === 'parenthesized_expression' || n.type === 'non_null_expression') n = n.namedChildren[0];
    else return false;
  }
  return false;
}

const GO_DB_STRONG = new Set([
  'QueryRow', 'QueryRowContext', 'QueryRowx', 'QueryRowxContext', 'Queryx', 'QueryxContext', 'FindOne', 'FindOneAndUpdate',
  'CountDocuments', 'SelectContext', 'GetContext', 'NamedQuery', 'NamedQueryContext',
]);
const GO_DB_WEAK = new Set(['Query', 'QueryContext', 'Get', 'Select', 'First', 'Find', 'Take', 'Last', 'Scan', 'Aggregate', 'Raw', 'Decode']);
const GO_DB_RECEIVER = /^(db|DB|conn|pool|tx|dbpool|dbPool|database|sqlDB|gorm|gormDB|orm|coll|collection|rows|row)$|(DB|Db|Pool|Conn|Tx|Coll|Collection)$/;
/** sqlc: every method of the generated `Queries` runs a query. */
const GO_SQLC_RECEIVER = /^(queries|Queries|querier|Querier)$/;

function isGoDbCall(call: SyntaxNode): boolean {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'selector_expression') return false;
  const method = fn.childForFieldName('field')?.text ?? '';
  const names = chainNames(fn.childForFieldName('operand'));
  if (names.some((n) => GO_SQLC_RECEIVER.test(n))) return true;
  if (GO_DB_STRONG.has(method)) return true;
  if (!GO_DB_WEAK.has(method)) return false;
  return names.some((n) => GO_DB_RECEIVER.test(n)) || chainHasGoCall(fn.childForFieldName('operand'), /^(Collection|Database|Model|Table|WithContext)$/);
}

function chainHasGoCall(node: SyntaxNode | null | undefined, name: RegExp): boolean {
  for (let n = node ?? undefined, i = 0; n && i < 10; i++) {
    if (n.type === 'call_expression') {
      const f = n.childForFieldName('function');
      if (f?.type === 'selector_expression' && name.test(f.childForFieldName('field')?.text ?? '')) return true;
      n = f ?? undefined;
    } else if (n.type === 'selector_expression') n = n.childForFieldName('operand') ?? undefined;
    else return false;
  }
  return false;
}

function isDbCall(call: SyntaxNode, lang: QueryLanguage): boolean {
  return lang === 'python' ? isPyDbCall(call) : lang === 'go' ? isGoDbCall(call) : isTsDbCall(call);
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
        if (f?.type === 'identifier' || (f?.type === 'attribute' && /^(model_validate|parse_obj|from_orm|from_row)$/.test(f.childForFieldName('attribute')?.text ?? ''))) {
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

const PY_SOCKET_NAME = /^(websocket|ws|web_socket|websock|wsock|socket|sock|conn|connection|client|client_ws|ws_conn|wsconn)$/;
const TS_SOCKET_NAME = /^(ws|websocket|webSocket|socket|sock|wsClient|client|conn|connection)$/;
const SOCKET_TYPE = /WebSocket|ServerConnection|\bSocket\b/;

/** The nearest function around a node (climbing stops there), and the class around that for Python. */
function nearestFunction(node: SyntaxNode, lang: QueryLanguage): SyntaxNode | undefined {
  for (let n = node.parent; n && !UNIT_ROOTS.has(n.type); n = n.parent) if (isFunctionNode(n, lang)) return n;
  return undefined;
}

/** Whether an added value is a socket: by its name, its parameter type, or the connection callback it came from. */
function isSocketValue(arg: SyntaxNode, lang: QueryLanguage): boolean {
  if (arg.type !== 'identifier') return false;
  const name = arg.text;
  if ((lang === 'python' ? PY_SOCKET_NAME : TS_SOCKET_NAME).test(name)) return true;
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

function isEmptyLiteral(node: SyntaxNode): boolean {
  return node.namedChildren.every((c) => c.type === 'comment');
}

// ----- Python

const PY_SOCKET_CTORS = new Set(['set', 'list', 'dict', 'defaultdict', 'WeakSet']);
const PY_CACHE_CTORS = new Set(['TTLCache', 'LRUCache', 'LFUCache', 'TLRUCache', 'RRCache', 'FIFOCache', 'MRUCache', 'ExpiringDict']);
const PY_CACHE_DECORATORS = new Set(['lru_cache', 'cache', 'cached', 'alru_cache', 'ttl_cache', 'lfu_cache', 'fifo_cache', 'rr_cache', 'mru_cache']);
/** Qualifiers under which each decorator is a process-local cache. */
const PY_DECORATOR_MODULES: Record<string, RegExp> = {
  lru_cache: /^(functools|cachetools\.func)$/,
  cache: /^functools$/,
  cached: /^(cachetools|asyncache|aiocache)$/,
  alru_cache: /^async_lru$/,
  ttl_cache: /^cachetools\.func$/,
  lfu_cache: /^cachetools\.func$/,
  fifo_cache: /^cachetools\.func$/,
  rr_cache: /^cachetools\.func$/,
  mru_cache: /^cachetools\.func$/,
};

function checkPython(match: RuleMatch): CandidateInit | CandidateInit[] | undefined {
  const node = match.node('match')!;
  if (node.type === 'decorator') return pyCachedFunction(node, match.text('deco')!);
  const value = match.node('value')!;
  const callee = value.type === 'call' ? value.childForFieldName('function') : null;
  const ctor = (callee?.type === 'attribute' ? callee.childForFieldName('attribute') : callee)?.text;
  const left = node.childForFieldName('left')!;
  const annotated = SOCKET_TYPE.test(node.childForFieldName('type')?.text ?? '');
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
  if (value.type !== 'call' || PY_SOCKET_CTORS.has(ctor ?? '')) out.push(socketCandidate(node, key, annotated));
  const dictLike = value.type === 'dictionary' || ctor === 'dict' || ctor === 'OrderedDict' || PY_CACHE_CTORS.has(ctor ?? '');
  if (moduleLevel && dictLike && !annotated) out.push(cacheCandidate(node, key, PY_CACHE_CTORS.has(ctor ?? '') ? UNTIL_EXPIRY : UNTIL_RESTART));
  return out;
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

function pyCachedFunction(deco: SyntaxNode, name: string): CandidateInit | undefined {
  const parts = pyDecoratorParts(deco);
  if (!parts || parts.name !== name) return undefined;
  const requires: NonNullable<CandidateInit['requires']> = [];
  if (parts.qualifier !== undefined) {
    if (!PY_DECORATOR_MODULES[name]?.test(parts.qualifier)) return undefined;
  } else if (name !== 'lru_cache' && name !== 'alru_cache') {
    // `@cache` / `@cached` / `@ttl_cache`: only when imported from functools / cachetools / aiocache
    requires.push({ fact: CACHE_DECORATOR, key: name });
  }
  const args = parts.call?.childForFieldName('arguments');
  // aiocache with a Redis or Memcached backend, or a configured alias, is shared
  if (name === 'cached' && args && /redis|memcache|alias\s*=/i.test(args.text)) return undefined;
  const def = deco.parent;
  const fn = def?.type === 'decorated_definition' ? def.childForFieldName('definition') : null;
  if (fn?.type !== 'function_definition') return undefined;
  const query = pyStatementsDbCall(fn.childForFieldName('body'), 0);
  if (!query) return undefined;
  const expires = name === 'ttl_cache' || /\bttl\s*=|TTLCache|TLRUCache/.test(args?.text ?? '');
  return {
    node: deco,
    message: CACHED_FN_MESSAGE,
    args: { decorator: parts.qualifier ? `${parts.qualifier}.${name}` : name, fn: fn.childForFieldName('name')!.text, until: expires ? UNTIL_EXPIRY : UNTIL_RESTART },
    requires,
    related: [{ node: query, message: RELATED_QUERY }],
    unless: [{ fact: NOT_SERVER }],
    data: { kind: 'cached-function' },
  };
}

// ----- TypeScript / JavaScript

const TS_CACHE_CTORS = new Set(['NodeCache', 'LRUCache', 'LRU', 'QuickLRU', 'TTLCache']);
const TS_SOCKET_TYPE = /WebSocket|\bSocket\b|\bWS\b/;

function checkTypescript(match: RuleMatch): CandidateInit | CandidateInit[] | undefined {
  const node = match.node('match')!;
  if (node.type === 'new_expression') return tsServer(node, match);
  if (node.type === 'call_expression') return tsSocketIoCall(node, match);
  const value = match.node('value')!;
  const ctor = match.text('ctor') ?? '';
  const cacheCtor = TS_CACHE_CTORS.has(ctor);
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
  if (moduleLevel && !typed && (cacheCtor || ctor === 'Map' || value.type === 'object')) {
    out.push(cacheCandidate(node, key, cacheCtor && ctor !== 'QuickLRU' ? UNTIL_EXPIRY : UNTIL_RESTART));
  }
  return out;
}

/** `new Server(httpServer)` of socket.io, `new WebSocketServer({ server })` / `new WebSocket.Server(...)` of ws. */
function tsServer(expr: SyntaxNode, match: RuleMatch): CandidateInit | CandidateInit[] | undefined {
  const ctor = expr.childForFieldName('constructor')!;
  const ns = ctor.type === 'member_expression' ? ctor.childForFieldName('object')?.text : undefined;
  const name = match.text('server')!;
  const declarator = expr.parent;
  const variable = declarator?.type === 'variable_declarator' ? declarator.childForFieldName('name') : undefined;
  const out: CandidateInit[] = [];
  if (name !== 'WebSocketServer' && (ns === undefined || name === 'Server')) {
    // socket.io, by its import; no finding when an adapter is passed in the options
    const options = expr.childForFieldName('arguments')?.namedChildren.find((a) => a.type === 'object');
    const props = options ? objectProperties(options) : undefined;
    if (!props?.props.has('adapter') && !props?.spread) {
      out.push({
        node: expr,
        message: SOCKET_IO_MESSAGE,
        requires: [{ fact: IMPORT, key: ns ? `socketio-ns:${ns}` : `socketio:${name}` }],
        unless: [{ fact: PUBSUB }, { fact: NOT_SERVER }],
        data: { kind: 'socket.io' },
      });
    }
  }
  // ws: broadcasting over wss.clients
  if (variable?.type === 'identifier') {
    const c = socketCandidate(expr, `${variable.text}.clients`, true, WSS_MESSAGE, variable.text);
    if (name === 'WebSocketServer' || (ns !== undefined && /^(WebSocket|ws|WS)$/.test(ns))) {
      // the ws package's own names
    } else if (ns === undefined) c.requires!.unshift({ fact: IMPORT, key: `ws:${name}` });
    else c.requires!.unshift({ fact: IMPORT, key: `ws-ns:${ns}` });
    out.push(c);
  }
  return out;
}

/** `require('socket.io')(server)` / `socketIO(server)` with `socketIO = require('socket.io')`. */
function tsSocketIoCall(call: SyntaxNode, match: RuleMatch): CandidateInit | undefined {
  const fn = match.text('fn');
  const options = call.childForFieldName('arguments')?.namedChildren.find((a) => a.type === 'object');
  if (options && (objectProperties(options).props.has('adapter') || objectProperties(options).spread)) return undefined;
  return {
    node: call,
    message: SOCKET_IO_MESSAGE,
    requires: fn ? [{ fact: IMPORT, key: `socketio-ns:${fn}` }] : [],
    unless: [{ fact: PUBSUB }, { fact: NOT_SERVER }],
    data: { kind: 'socket.io' },
  };
}

function tsImportFacts(match: RuleMatch): FactInit[] {
  const clause = match.node('clause')!;
  const source = match.text('source')!;
  const lib = source === 'socket.io' ? 'socketio' : 'ws';
  const out: FactInit[] = [];
  const add = (kind: string, local: SyntaxNode): void => void out.push({ name: IMPORT, key: `${kind}:${local.text}`, node: local });
  const named = (imported: string, local: SyntaxNode): void => {
    if (imported === 'Server' || imported === 'WebSocketServer') add(lib, local);
  };
  if (clause.type === 'identifier') add(`${lib}-ns`, clause);
  for (const c of clause.namedChildren) {
    if (c.type === 'identifier') add(`${lib}-ns`, c);
    else if (c.type === 'namespace_import') add(`${lib}-ns`, c.namedChildren[0]);
    else if (c.type === 'named_imports') {
      for (const s of c.namedChildren) {
        if (s.type !== 'import_specifier') continue;
        const n = s.childForFieldName('name')!;
        named(n.text, s.childForFieldName('alias') ?? n);
      }
    } else if (c.type === 'shorthand_property_identifier_pattern') named(c.text, c);
    else if (c.type === 'pair_pattern') {
      const k = c.childForFieldName('key');
      const v = c.childForFieldName('value');
      if (k && v?.type === 'identifier') named(k.text, v);
    }
  }
  return out;
}

// ----- Go

const GO_CACHE_TYPES = /^(Cache|LRU|TwoQueueCache|ARCCache|BigCache|TwoQueue)$/;

/** What a Go type (or a `make(...)`/literal's type) declares: a map holding sockets, a map, a sync.Map, a cache library's type. */
function goTypeKind(type: SyntaxNode | null | undefined): { kind: 'sockets' | 'map' | 'syncmap' | 'library'; pkg?: string } | undefined {
  let t = type ?? undefined;
  if (!t) return undefined;
  if (t.type === 'map_type') return /\bwebsocket\.Conn\b/.test(t.text) ? { kind: 'sockets' } : { kind: 'map' };
  if (t.type === 'pointer_type') t = t.namedChildren[0];
  if (t?.type === 'generic_type') t = t.childForFieldName('type') ?? undefined;
  if (t?.type !== 'qualified_type') return undefined;
  const pkg = t.childForFieldName('package')?.text ?? '';
  const name = t.childForFieldName('name')?.text ?? '';
  if (pkg === 'sync' && name === 'Map') return { kind: 'syncmap' };
  if (GO_CACHE_TYPES.test(name)) return { kind: 'library', pkg };
  return undefined;
}

/** The kind of a package variable's value: `make(map[...]...)`, `map[...]...{}`, `lru.New[...](n)`, `cache.New(...)`. */
function goValueKind(value: SyntaxNode | null | undefined): { kind: 'sockets' | 'map' | 'syncmap' | 'library'; pkg?: string } | undefined {
  const v = unwrap(value);
  if (!v) return undefined;
  if (v.type === 'call_expression') {
    const f = v.childForFieldName('function');
    if (f?.type === 'identifier' && f.text === 'make') return goTypeKind(v.childForFieldName('arguments')?.namedChildren[0]);
    let callee = f;
    if (callee?.type === 'generic_type') callee = callee.childForFieldName('type');
    if (callee?.type === 'selector_expression') {
      const pkg = callee.childForFieldName('operand')?.text ?? '';
      if (/^New/.test(callee.childForFieldName('field')?.text ?? '')) return { kind: 'library', pkg };
    }
    return undefined;
  }
  if (v.type === 'type_conversion_expression') {
    // lru.New[int64, User](128) parses as a conversion to a generic type
    const t = v.childForFieldName('type');
    const q = t?.type === 'generic_type' ? t.childForFieldName('type') : t;
    if (q?.type === 'qualified_type' && /^New/.test(q.childForFieldName('name')?.text ?? '')) {
      return { kind: 'library', pkg: q.childForFieldName('package')!.text };
    }
    return undefined;
  }
  if (v.type === 'composite_literal') return goTypeKind(v.childForFieldName('type'));
  return undefined;
}

function goCacheCandidate(node: SyntaxNode, key: string, kind: { kind: string; pkg?: string }): CandidateInit {
  const extra = kind.kind === 'library' ? [{ fact: GO_CACHE_IMPORT, key: kind.pkg! }] : [];
  return cacheCandidate(node, key, kind.kind === 'library' ? UNTIL_EXPIRY : UNTIL_RESTART, extra);
}

function checkGo(match: RuleMatch): CandidateInit | CandidateInit[] | undefined {
  const node = match.node('match')!;
  const name = match.text('name')!;
  if (node.type === 'var_spec') {
    if (node.childForFieldName('name')?.id !== match.node('name')!.id) return undefined; // `var c, err = ...`: the first name
    const kind = goTypeKind(node.childForFieldName('type')) ?? goValueKind(node.childForFieldName('value')?.namedChildren[0]);
    if (!kind) return undefined;
    if (kind.kind === 'sockets') return socketCandidate(node, name, true);
    return goCacheCandidate(node, name, kind);
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

function goImportFacts(match: RuleMatch): FactInit[] | undefined {
  const path = match.node('path')!;
  const alias = match.node('alias');
  const segments = path.text.slice(1, -1).split('/').filter((s) => !/^v\d+$/.test(s));
  const last = segments[segments.length - 1] ?? '';
  const pkg = alias?.text ?? (last === 'golang-lru' ? 'lru' : last === 'go-cache' ? 'cache' : last);
  return [{ name: GO_CACHE_IMPORT, key: pkg, node: path }];
}

// ---------------------------------------------------------------------------------------------
// Facts

function addFact(site: SyntaxNode, coll: SyntaxNode | undefined, arg: SyntaxNode | undefined, lang: QueryLanguage): FactInit[] | undefined {
  if (!coll || arg?.type !== 'identifier' || !isSocketValue(arg, lang)) return undefined;
  const key = collectionKey(coll, lazyAncestors(site), lang);
  return key ? [{ name: ADD, key, node: site }] : undefined;
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

const PY_SEND = new Set(['send', 'send_text', 'send_json', 'send_bytes', 'send_str', 'send_message', 'write_message']);
const TS_SEND = new Set(['send', 'emit', 'sendUTF']);
const GO_SEND = new Set(['WriteMessage', 'WriteJSON', 'WritePreparedMessage']);
const GO_STORE = new Set(['Add', 'Set', 'Store', 'SetDefault', 'SetWithTTL', 'ContainsOrAdd', 'PeekOrAdd', 'LoadOrStore']);
const CHANNEL_ARG: Record<QueryLanguage, RegExp> = {
  python: /^(["']|[A-Z][A-Z0-9_]*$|channel=|[a-z_.]*(channel|topic)$)/,
  typescript: /^(['"`]|[A-Z][A-Z0-9_]*$|[a-zA-Z_.]*(channel|Channel|topic|Topic|CHANNEL)$)/,
  go: /^(ctx|c|context|[a-z]+Ctx)$/,
};
/** A socket's own subscription (uWebSockets.js `ws.subscribe('room')`) is not a pub/sub layer between instances. */
const SOCKET_RECEIVER = /^(ws|websocket|socket|sock|app|self\.(ws|websocket)|this\.(ws|socket))$/;

/**
 * A method call (one query pattern, dispatched here by name): a socket added (`clients.add(ws)`),
 * a store (`cache.set(k, v)`, `c.Add(k, v)`), a send (`ws.send_text(m)`), or a pub/sub layer
 * (`redis.pubsub()`, `sub.subscribe('chat')`, `rdb.Publish(ctx, ...)`, `io.adapter(createAdapter(...))`).
 */
function methodCallFacts(match: RuleMatch, lang: QueryLanguage): FactInit[] | undefined {
  const call = match.node('call')!;
  const recv = match.node('recv');
  const method = match.text('method')!;
  const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment');
  const pubsub = (): FactInit[] => [{ name: PUBSUB, key: '', node: call }];
  if (method === 'trigger') return /pusher/i.test(recv?.text ?? '') ? pubsub() : undefined;
  // broadcaster's Broadcast(url); Django Channels: channel_layer.group_send(...), async_to_sync(channel_layer.group_send)(...)
  if (method === 'Broadcast' || method === 'group_send' || method === 'group_add') return args.length > 0 ? pubsub() : undefined;
  if (method === 'async_to_sync') return /\.(group_send|group_add)$/.test(args[0]?.text ?? '') ? pubsub() : undefined;
  if (/^(publish|subscribe|psubscribe|pSubscribe|Publish|Subscribe|PSubscribe|SSubscribe|SPublish)$/.test(method)) {
    // redis.publish("chat", m) / sub.subscribe(CHANNEL) / rdb.Subscribe(ctx, "chat"): a named channel
    if (!args[0] || SOCKET_RECEIVER.test(recv?.text ?? '')) return undefined;
    const first = lang === 'go' && args[0].type === 'call_expression' ? args[0].childForFieldName('function')?.childForFieldName('operand') : args[0];
    if (lang === 'go' && args.length < 2) return undefined;
    return CHANNEL_ARG[lang].test(first?.text ?? '') ? pubsub() : undefined;
  }
  switch (lang) {
    case 'python':
      if (method === 'add' || method === 'append') return args.length === 1 ? addFact(call, recv, args[0], lang) : undefined;
      if (PY_SEND.has(method)) return sendFact(call, recv, undefined, lang);
      if (method === 'broadcast') return recv?.text === 'websockets' ? sendFact(call, undefined, args[0], lang) : undefined;
      if (method === 'pubsub') return pubsub();
      return undefined;
    case 'typescript':
      if (method === 'add' || method === 'push') return args.length === 1 ? addFact(call, recv, args[0], lang) : undefined;
      if (method === 'set') return args.length >= 2 ? storeFacts(call, recv, args[1], lang) : undefined;
      if (TS_SEND.has(method)) return sendFact(call, recv, undefined, lang);
      if (method === 'adapter') return args[0]?.type === 'call_expression' ? pubsub() : undefined;
      return undefined;
    case 'go':
      if (GO_STORE.has(method)) return args.length >= 2 ? storeFacts(call, recv, args[1], lang) : undefined;
      if (GO_SEND.has(method)) return sendFact(call, recv, undefined, lang);
      if (method === 'Connect') return recv?.text === 'nats' ? pubsub() : undefined;
      return undefined;
  }
}

function facts(match: RuleMatch): FactInit[] | undefined {
  const lang = match.language as QueryLanguage;
  switch (match.props.fact) {
    case CALL:
      return methodCallFacts(match, lang);
    case STORE:
      return storeFacts(match.node('store')!, match.node('coll'), match.node('value'), lang);
    case SEND:
      // Go: client.send <- msg
      return sendFact(match.node('send')!, match.node('recv'), undefined, lang);
    case CACHE_DECORATOR: {
      if (match.node('alias')) return undefined;
      const name = match.node('name')!;
      return PY_CACHE_DECORATORS.has(name.text) ? [{ name: CACHE_DECORATOR, key: name.text, node: name }] : undefined;
    }
    case IMPORT:
      return tsImportFacts(match);
    case GO_CACHE_IMPORT:
      return goImportFacts(match);
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
