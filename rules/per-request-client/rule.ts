import type { SyntaxNode } from 'tree-sitter';
import { eol, lineStart, nextLineStart } from '../../server/src/engine/edit-helpers';
import type { QueryLanguage } from '../../server/src/engine/languages';
import { enclosingFunction, isFunctionNode, isHandlerFunction } from '../../server/src/engine/predicates';
import {
  defineRule,
  type CandidateInit,
  type FixTarget,
  type RelatedInit,
  type RuleMatch,
  type RuleMeta,
  type TextEditInit,
} from '../../server/src/engine/rule-api';
import { goArguments, jsArguments, objectProperties, pythonArguments, sameNode, stringLiteral, unitNodeKey } from '../../server/src/engine/syntax';
import { exprOf, type FileContext } from '../../server/src/model/file-context';
import type { LanguageModels } from '../../server/src/model/library';
import { argumentNode, constructedBy, isEmbeddedValue, type ClientModel, type Constructed } from '../pool-unconfigured/clients';
import meta from './rule.json';
import python from './python.scm';
import go from './go.scm';
import typescript from './typescript.scm';

/**
 * Clients, pools and connections built on every request. Which calls build one, what each builds,
 * whether it holds connections to a database, a cache or an upstream, what shares an existing
 * pool, what closes it and whether it can be built once at module level all come from the library
 * models (`client` rows). Which functions run per request, once or in tests comes from the
 * framework models' roles. The rule keeps its judgement: lazy initialisation, dependencies that
 * yield what they build, and the wording.
 */

// ---------------------------------------------------------------------------------------------
// What building one per request costs, by the kind of server it connects to (the wording)

const POOL_LIMIT = 'PostgreSQL allows 100 by default';

const DB_POOL_EFFECT = `every request opens new connections (TCP, TLS and authentication) instead of reusing pooled ones, and a pool that is not closed keeps its connections, so at a few hundred requests per second the database runs out of connections (${POOL_LIMIT}). Create it once at startup and share it.`;
const DB_CONN_EFFECT = `every request pays a new connection (TCP, TLS and authentication; a new server process in PostgreSQL) and nothing bounds how many are open, so concurrent requests open one each until the database refuses more (${POOL_LIMIT}, MySQL 151). Use a pool created once at startup.`;
const MONGO_EFFECT =
  'every request opens new connections (TCP, TLS and authentication) plus the new client’s monitoring connections and threads, and a client that is not closed keeps them, so at a few hundred requests per second the cluster reaches its connection limit (1,500 on an Atlas M10). Create one client at startup and share it.';
const REDIS_EFFECT =
  'every request opens a new connection (TCP, AUTH and TLS when used) instead of reusing a pooled one, and a client that is not closed keeps it, so at a few hundred requests per second Redis fills up with idle clients (10,000 by default) and every request pays the handshake. Create one client at startup and share it.';
const HTTP_EFFECT =
  'every request pays new TCP and TLS handshakes to the upstream (tens to hundreds of milliseconds) instead of reusing kept-alive connections, and a client that is not closed leaks its sockets. Create one client at startup and share it.';
const GO_SQL_EFFECT = `a pool is meant to be opened once: every request opens new connections (TCP, TLS and authentication) and a pool that is not closed keeps them, so at a few hundred requests per second the database runs out of connections (${POOL_LIMIT}). Open it once in main and pass it to the handlers.`;
const GO_TRANSPORT_EFFECT =
  'every request pays new TCP and TLS handshakes, and the idle connections of each Transport (two goroutines each) stay open until they time out, so at a few hundred requests per second thousands of sockets and goroutines pile up. Share one Transport; an http.Client without a Transport of its own already shares http.DefaultTransport.';

/** The servers whose connections this rule is about: databases, caches and HTTP upstreams. */
const SERVICES = new Set(['postgresql', 'mysql', 'sql', 'mongodb', 'redis', 'http']);

/** What building one per request costs, in words: by the server it connects to, a pool or one connection. */
function effectOf(language: QueryLanguage, client: ClientModel): string {
  switch (client.service) {
    case 'http':
      return language === 'go' ? GO_TRANSPORT_EFFECT : HTTP_EFFECT;
    case 'redis':
      return REDIS_EFFECT;
    case 'mongodb':
      return MONGO_EFFECT;
    default:
      return client.single ? DB_CONN_EFFECT : language === 'go' ? GO_SQL_EFFECT : DB_POOL_EFFECT;
  }
}

/** The constructions this rule reports: the models say building one per request costs connections to one of these servers. */
function reportable(c: Constructed): boolean {
  return c.client.service !== undefined && SERVICES.has(c.client.service) && c.client.perRequestCost !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Where the construction runs: once per request, or once per process

interface Scope {
  /**
   * handler: inside a request handler, a per-request middleware or hook, or a per-request
   * dependency (the framework models' roles); dependency: a module-level function that yields the
   * client it creates (a FastAPI-style dependency, whoever registers it).
   */
  kind: 'handler' | 'dependency';
  /** Where related information points: the handler's or the dependency's name. */
  label?: SyntaxNode;
  /** What related information says. */
  message?: string;
}

/** Roles of functions whose body runs once (start-up, a cached factory) or never for a request (tests, jobs). */
const NOT_PER_REQUEST = new Set(['test', 'once', 'startup', 'job']);

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

/** The type rows the models give a name by convention (`req` → express.Request), where the file uses their library. */
function conventionTypes(file: FileContext, name: string): string[] {
  const out: string[] = [];
  for (const c of file.lang.conventions) {
    if (!c.type || !c.pattern.test(name)) continue;
    if (c.requiresPackage && !file.usesLibrary(c.lib.name)) continue;
    out.push(c.type);
  }
  return out;
}


interface StateRow {
  state?: { scope?: string };
}

function scopeOfType(lang: LanguageModels, type: string): string | undefined {
  return (lang.type(type)?.row as StateRow | undefined)?.state?.scope;
}

/** The state scope the models give a resolved value: a symbol's (Flask `g`), a member's (`request.state`), a type's (Express `req`). */
function scopeOf(file: FileContext, node: SyntaxNode): string | undefined | null {
  const r = file.resolve(node);
  if (r.kind === 'library') return (r.row as StateRow).state?.scope ?? (r.type ? scopeOfType(file.lang, r.type) : undefined) ?? null;
  if (r.kind === 'value') return scopeOfType(file.lang, r.type) ?? null;
  if (r.kind !== 'unknown') return null;
  return undefined;
}

/**
 * Whether an expression is storage that lives for one request (Flask `g`, `request.state`,
 * Express `req`, `res.locals`), as the models' `state` says. A name nothing resolves is looked up
 * among the models' symbols (a snippet's `g`) and their naming conventions (`req`); a chain is
 * judged by its longest part that resolves, and a part nothing explains (`req.app`) leaves it
 * unknown: not per-request storage.
 */
function isRequestStorage(file: FileContext, node: SyntaxNode): boolean {
  const expr = exprOf(file.language, node);
  const path = expr?.kind === 'name' && !expr.receiver ? expr.path ?? [] : [];
  if (path.length === 0) return false;
  const direct = scopeOf(file, node);
  if (direct !== undefined) return direct === 'request';
  // Nothing resolves: the models' names for the root, then each member along the path.
  let types: string[] = [];
  const symbols = file.lang.libraries.flatMap((l) => (l.file.symbols ?? []).filter((s) => [s.name, ...(s.also ?? [])].some((q) => q.endsWith(`.${path[0]}`))));
  if (path.length === 1 && symbols.some((s) => (s as StateRow).state?.scope === 'request')) return true;
  types = conventionTypes(file, path[0]);
  for (const name of path.slice(1)) {
    if (types.length === 0) return false;
    const next: string[] = [];
    for (const t of types) {
      const m = file.lang.member(t, name);
      if (!m) continue;
      if ((m.row as StateRow).state?.scope === 'request') return true;
      if (m.row.returns) next.push(m.row.returns);
    }
    types = next;
  }
  return types.some((t) => scopeOfType(file.lang, t) === 'request');
}

/** The storage expressions a condition reads: names and member chains, each with the object it is a member of. */
function storageIn(cond: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const visit = (n: SyntaxNode, depth: number): void => {
    if (depth > 12) return;
    if (n.type === 'identifier' || n.type === 'attribute' || n.type === 'member_expression' || n.type === 'selector_expression') {
      out.push(n);
      const object = n.childForFieldName('object') ?? n.childForFieldName('operand');
      if (object) out.push(object);
      return;
    }
    for (const c of n.namedChildren) visit(c, depth + 1);
  };
  visit(cond, 0);
  return out;
}

/**
 * The condition of a lazy initialisation: it tests that the stored client is absent (`x is None`,
 * `not hasattr(state, "x")`, `k not in pools`, `!x`, `x == null`, `x == nil`), or, in Go, the `ok`
 * of a map lookup (`if !ok`). Where the storage lives for one request, it is no cache.
 */
function isAbsenceTest(cond: SyntaxNode | null, file: FileContext, key: string | undefined): boolean {
  if (!cond) return false;
  const lang = file.language;
  const inner = cond.type === 'parenthesized_expression' ? cond.namedChildren[0] ?? cond : cond;
  const text = inner.text;
  if (lang === 'go' && /^!(ok|found|exists|cached|loaded)$/.test(text)) return true;
  if (key === undefined || !new RegExp(`\\b${key}\\b`).test(text)) return false;
  if (storageIn(inner).some((n) => isRequestStorage(file, n))) return false;
  switch (lang) {
    case 'python':
      return /\bis\s+None\b|==\s*None\b|^not\b|\bnot\s+in\b|\bnot\s+hasattr\b/.test(text);
    case 'typescript':
      return /^!|={2,3}\s*(null|undefined)\b|\b(null|undefined)\s*={2,3}/.test(text);
    case 'go':
      return /==\s*nil\b/.test(text);
  }
}

/** Whether a call runs its function argument once for the process (Go `once.Do(func() {...})`), as the models' `once` role markers say. */
function runsOnce(file: FileContext, call: SyntaxNode): boolean {
  const callee = call.childForFieldName('function');
  const expr = callee && exprOf(file.language, callee);
  const last = expr?.path?.[expr.path.length - 1];
  if (!callee || !last) return false;
  const r = file.resolve(callee);
  for (const m of file.lang.roles) {
    const ref = m.role === 'once' ? m.registration?.callee : undefined;
    if (!ref) continue;
    if (r.kind === 'library') {
      if (ref.symbols?.includes(r.qname)) return true;
      const owner = r.qname.slice(0, r.qname.length - last.length - 1);
      if (ref.types?.some((t) => file.lang.isA(owner, t)) && (ref.members?.includes(last) ?? true)) return true;
      continue;
    }
    // Nothing resolves (Go: a name of the package, a snippet): the marker's name pattern.
    if ((r.kind === 'unknown' || (r.kind === 'import' && r.module === '.')) && ref.namePattern && new RegExp(ref.namePattern).test(last)) return true;
  }
  return false;
}

/**
 * Whether `child` (the ancestor of the construction just below `a`) only runs when no client
 * exists yet: `if _client is None:`, `client ??= new X()`, `x || new X()`, Go's `once.Do(func() {...})`.
 */
function cachedBy(a: SyntaxNode, child: SyntaxNode, file: FileContext, key: string | undefined): boolean {
  const lang = file.language;
  switch (a.type) {
    case 'if_statement':
    case 'elif_clause':
      return sameNode(a.childForFieldName('consequence'), child) && isAbsenceTest(a.childForFieldName('condition'), file, key);
    case 'boolean_operator':
      return lang === 'python' && a.childForFieldName('operator')?.text === 'or' && sameNode(a.childForFieldName('right'), child);
    case 'binary_expression':
      return lang === 'typescript' && /^(\?\?|\|\|)$/.test(a.childForFieldName('operator')?.text ?? '') && sameNode(a.childForFieldName('right'), child);
    case 'augmented_assignment_expression':
      return /^(\?\?=|\|\|=)$/.test(a.childForFieldName('operator')?.text ?? '') && sameNode(a.childForFieldName('right'), child);
    case 'call_expression':
      return sameNode(a.childForFieldName('arguments'), child) && runsOnce(file, a);
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
 * Whether a construction runs once per request, judged from its ancestors only: inside a function
 * the framework models say runs per request (a handler, a middleware or hook, a per-request
 * dependency) and not guarded by a lazy initialisation; or, in Python, in a dependency that yields
 * what it builds.
 */
function perRequestScope(node: SyntaxNode, file: FileContext): Scope | undefined {
  const lang = file.language;
  const key = storeKey(node, lang);
  let nearest: SyntaxNode | undefined;
  let child = node;
  for (let a = node.parent; a; child = a, a = a.parent) {
    if (cachedBy(a, child, file, key)) return undefined;
    if (!isFunctionNode(a, lang)) continue;
    // A Python default value is evaluated once, when the def statement runs.
    if (lang === 'python' && child.type === 'parameters') continue;
    nearest ??= a;
    const role = file.roleOf(a);
    if (role && NOT_PER_REQUEST.has(role.role)) return undefined;
    if (isHandlerFunction(a, lang, file)) {
      if (role?.role === 'request-dependency') {
        return { kind: 'handler', label: a.childForFieldName('name') ?? handlerLabel(a), message: `${role.why}: it runs for every request that uses it` };
      }
      return { kind: 'handler', label: handlerLabel(a), message: 'the request handler it runs in' };
    }
  }
  if (lang !== 'python' || nearest?.type !== 'function_definition') return undefined;
  // Decorated generators are context managers (lifespans), fixtures and the like.
  if (nearest.parent?.type === 'decorated_definition') return undefined;
  const name = nearest.childForFieldName('name');
  if (!name || nearest.parent?.type !== 'module') return undefined;
  if (pyYieldsClient(node)) return { kind: 'dependency', label: name, message: 'a dependency that yields the client: FastAPI calls it for every request that uses it' };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// What a construction is, and whether it opens connections of its own

/** Whether an argument's value shares an existing pool, transport or connector (anything but a library object built inline that is no client). */
function sharesExisting(file: FileContext, value: SyntaxNode): boolean {
  if (value.type !== 'call' && value.type !== 'call_expression' && value.type !== 'new_expression') return true;
  if (constructedBy(file, value).length > 0) return true; // a pool built inline: reported itself
  const r = file.resolveCallee(value);
  return r.kind !== 'library';
}

/**
 * Whether the call opens no connections of its own, or none to a server: it is given an existing
 * pool (`connection_pool=`, `transport=`, gorm's `Conn:`), options that may hold one
 * (`**kwargs`), or an embedded database's URL.
 */
function opensNone(file: FileContext, call: SyntaxNode, c: Constructed): boolean {
  const shared = c.client.sharedBy ?? [];
  switch (file.language) {
    case 'python': {
      const { positional, keywords, splat } = pythonArguments(call);
      if (splat && shared.length > 0) return true;
      if (shared.some((k) => keywords.has(k) && sharesExisting(file, keywords.get(k)!))) return true;
      return isEmbeddedValue(argumentNode(c.client.url, positional, keywords), c.client.embedded);
    }
    case 'go': {
      if (call.type === 'composite_literal') return false;
      const { args } = goArguments(call);
      if (shared.some((k) => args.some((a) => new RegExp(`\\b${k}\\s*:`).test(a.text)))) return true;
      const url = argumentNode(c.client.url, args);
      return c.client.url !== undefined && (url === undefined || isEmbeddedValue(url, c.client.embedded));
    }
    case 'typescript': {
      const { args } = jsArguments(call);
      const options = args.filter((a) => a.type === 'object');
      return shared.some((k) => options.some((o) => objectProperties(o).props.has(k)));
    }
  }
}

/** The constructions of a finding pattern's node this rule reports. */
function recognize(file: FileContext, node: SyntaxNode): Constructed[] {
  return constructedBy(file, node).filter((c) => reportable(c) && !opensNone(file, node, c));
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
      const args = node.childForFieldName('arguments');
      return args && args.namedChildCount === 0 && fn?.type === 'selector_expression' ? `${fn.text}()` : `${fn?.text ?? ''}(...)`;
    }
  }
}

function candidates(match: RuleMatch): CandidateInit[] | undefined {
  const call = match.node('match')!;
  const file = match.file;
  const ctors = recognize(file, call);
  if (ctors.length === 0) return undefined;
  const scope = perRequestScope(call, file);
  if (!scope) return undefined;
  // `&http.Transport{...}`: report the whole expression, the one a fix would move.
  const parent = call.type === 'composite_literal' ? call.parent : null;
  const node = parent?.type === 'unary_expression' && parent.childForFieldName('operator')?.text === '&' ? parent : call;
  const c = ctors[0];
  const related: RelatedInit[] = scope.label ? [{ node: scope.label, message: scope.message ?? '' }] : [];
  return [
    {
      node,
      args: { call: label(node), what: c.client.what ?? `a ${c.client.service} client`, effect: effectOf(file.language, c.client) },
      // HTTP clients cost latency and sockets, not a database's connection limit: a warning at every scale.
      severity: c.client.service === 'http' ? 'warning' : undefined,
      related,
      data: { qname: c.qname, hoist: c.client.hoistable === true, lifecycle: (c.client.lifecycle ?? []).join(' ') },
    },
  ];
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
function managesLifecycle(fnText: string, name: string, client: ClientModel, lang: QueryLanguage): boolean {
  const methods = (client.lifecycle ?? []).map((m) => m.replace(/\$/g, '\\$')).join('|');
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

function hoistPython(t: FixTarget, client: ClientModel): TextEditInit[] | undefined {
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
  if (!unit || managesLifecycle(fn.text, name, client, 'python')) return undefined;
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

function hoistTypeScript(t: FixTarget, client: ClientModel): TextEditInit[] | undefined {
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
  if (!unit || managesLifecycle(fn.text, name, client, 'typescript')) return undefined;
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

function hoistGo(t: FixTarget, client: ClientModel): TextEditInit[] | undefined {
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
  if (!unit || managesLifecycle(fn.text, name.text, client, 'go')) return undefined;
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
    if (match.props.fact !== 'per-request-client') return undefined;
    // For pool-unconfigured: this construction is reported here, per request, whatever the file holds.
    const node = match.node('key')!;
    if (recognize(match.file, node).length === 0) return undefined;
    return perRequestScope(node, match.file) ? [{ name: 'per-request-client', key: unitNodeKey(node), node }] : undefined;
  },
  fixes: {
    'hoist-to-module': (target) => {
      if (target.data.hoist !== true) return undefined;
      const client: ClientModel = { lifecycle: String(target.data.lifecycle ?? '').split(' ').filter(Boolean) };
      switch (target.language) {
        case 'python':
          return hoistPython(target, client);
        case 'typescript':
          return hoistTypeScript(target, client);
        case 'go':
          return hoistGo(target, client);
      }
    },
  },
});
