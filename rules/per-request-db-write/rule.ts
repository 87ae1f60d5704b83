import type { SyntaxNode } from 'tree-sitter';
import { defineRule, type CandidateInit, type FactInit, type RuleMatch, type RuleMeta, type Scale } from '../../server/src/engine/rule-api';
import type { QueryLanguage } from '../../server/src/engine/languages';
import { isFunctionNode } from '../../server/src/engine/predicates';
import { goArguments, isIife, jsArguments, objectProperties, pythonArguments, sameNode, stringLiteral } from '../../server/src/engine/syntax';
import { exprOf, type FileContext } from '../../server/src/model/file-context';
import { models, type Effect } from '../../server/src/model/library';
import { ROUTE_DECORATOR, targetOf } from '../../server/src/model/summary';
import { decoratorCallee } from '../../server/src/model/file-model';
import { argumentOf, effectsOf, lookupCall, valueTypes, type LibraryHit, type Row } from './lookup';
import { callTakingFunction, middlewareOf, refMatches, returnedBy, withRegistrationNames, type MiddlewareOf } from './middleware';
import meta from './rule.json';
import pythonScm from './python.scm';
import goScm from './go.scm';
import typescriptScm from './typescript.scm';

/** A function of the file registered to run on every request (`app.use(audit)`, `app.before_request(track)`). */
const REGISTERED = 'per-request-db-write.registered';

/** Peak request rate, assuming about 1 request per second for every 100 users (doc.md). */
const WRITES_PER_SECOND: Record<Scale, string> = { '1k': 'about 10', '10k': 'about 100', '100k': 'about 1,000', '1m': 'about 10,000' };

const WRITES: Effect[] = ['db-write', 'db-write-many'];

// ---------------------------------------------------------------------------------------------
// Judgement: SQL, names, and the conditions that make a write rare.

/** SQL that changes rows. */
const SQL_WRITE = /^\s*(?:INSERT|UPDATE|DELETE|REPLACE|UPSERT|MERGE)\b/i;
/** A name that holds write SQL: `INSERT_AUDIT`, `insertVisitSQL`, `update_stmt`. */
const SQL_WRITE_NAME = /^(?:insert|update|upsert)|INSERT|UPDATE|UPSERT/;
/** Names of SQL that runs without changing rows: `setTenantSQL`, `lockQuery`, `selectUser`. */
const SQL_NOT_WRITE_NAME = /^(?:set|select|get|lock|listen|begin|commit|rollback|savepoint|show|discard|reset)/i;
/** A statement builder named for a write verb: SQLAlchemy `insert(Model)`, `update(Model)`. */
const SQL_VERB_CALL = /(?:^|_)(?:insert|update|upsert|delete)$/i;
/** Transaction boundaries: they write what earlier calls (the finding) staged. */
const TRANSACTION_END = /^(?:commit|flush)$/i;
/** A helper of the project named for a write: `SetLastLogin`, `touch_last_seen`, `updateLastActiveOn`, `recordVisit`. */
const WRITE_HELPER = /^_*(?:[sS]et|[uU]pdate|[tT]ouch|[rR]ecord|[mM]ark|[sS]ave|[iI]nsert|[cC]reate|[uU]psert|[tT]rack|[iI]ncrement|[bB]ump|[pP]ersist)(?=[A-Z_0-9]|$)/;

/** Sampling: `random.random() < 0.01`, `rand.Float64() < rate`, `Math.random() < 0.01`. */
const SAMPLED = /\brandom\.(?:random|randint|randrange|uniform)\(|\brandom\(\)|\brand\.(?:Float64|Float32|Intn|Int63n|Int31n|IntN|N)\(|Math\.random\(\)|(?:^|[^A-Za-z])sampl(?:e|ed|ing)|Sampl(?:e|ed|ing)/;
/** Error responses only: `response.status_code >= 500`, `res.statusCode >= 400`, `c.Writer.Status() >= 500`. */
const ERROR_STATUS = /\bstatus(?:_?code|Code)?\b(?:\(\))?\s*(?:>=?|===?)\s*(?:[45]\d\d\b|http\.Status\w+|HTTPStatus\.\w+|status\.HTTP_[45]\d\d)/i;
/** Errors only: `err != nil`, `exc is not None`, `if (err)`. */
const ERROR_VALUE = /^(?:err|error|exc|exception|e)(?:\s*!=\s*nil|\s+is\s+not\s+None|\s*!==?\s*(?:null|undefined))?$/;
/** Throttled per user: written again only after some time (`now - user.last_seen > timedelta(minutes=5)`). */
const THROTTLED = /timedelta\(|time\.Since\(|\.Sub\(|time\.time\(\)\s*-|now\(\)\s*-|\bnow\s*-|\.getTime\(\)\s*-/i;
/** Only when something is missing: `user == nil`, `session is None`, `!session`, `not user` (created once, then found). */
const ABSENT = /^(?:(?:!\s*|not\s+)([A-Za-z_$][\w$.]*)|([A-Za-z_$][\w$.]*)\s*(?:==|===|\bis\b)\s*(?:nil|None|null|undefined))$/;
/** A name that is a predicate, not a value that may be missing: `is_authenticated`, `hasSession`. */
const PREDICATE_NAME = /(?:^|\.)(?:is|has|can|should|needs?|allow)(?:[_A-Z]|$)/;
/** Only when something changed: `session.IsDirty()`, `request.session.modified`, `doc.isModified()`. */
const CHANGED = /(?:dirty|Dirty|modified|Modified|changed|Changed)\b/;
/** A check that the request is already authenticated: what follows an early return on it is the login path. */
const AUTHENTICATED = /^(?:[\w$.]+\.)?(?:is_?authenticated|isAuthenticated|IsAuthenticated|is_logged_in|isLoggedIn|IsLoggedIn|logged_in|loggedIn)\b/;
/** A first parameter that is the error: error-handling middleware runs when a request failed. */
const ERROR_PARAM = /^(?:err|error|exc|e)$/;

/** The ancestors of a node, nearest first. `node.parent` searches from the root, so climb once. */
function ancestors(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let n = node.parent; n; n = n.parent) out.push(n);
  return out;
}

/** The last name of a node: `self.session` → `session`, `db` → `db`. */
function lastName(node: SyntaxNode | null | undefined): string {
  if (!node) return '';
  const last = node.childForFieldName('attribute') ?? node.childForFieldName('property') ?? node.childForFieldName('field');
  if (last) return last.text;
  return node.type === 'identifier' || node.type === 'field_identifier' ? node.text : '';
}

function tail(qname: string): string {
  return qname.slice(Math.max(qname.lastIndexOf('.'), qname.lastIndexOf('/')) + 1);
}

/** `db.audit.insert_one(...)` for messages: the callee without whitespace, arguments elided. */
function shortCall(call: SyntaxNode): string {
  const callee = (call.childForFieldName('function')?.text ?? 'call').replace(/\s+/g, '');
  const args = call.childForFieldName('arguments');
  return args?.type === 'template_string' ? `${callee}\`...\`` : `${callee}(...)`;
}

function unparen(text: string): string {
  return text.replace(/^\(\s*([\s\S]*?)\s*\)$/, '$1').trim();
}

/** A condition that holds on a rare path; `a or b` only when both are rare (either may let every request through). */
function isRareCondition(cond: SyntaxNode | null | undefined): boolean {
  if (!cond) return false;
  return unparen(cond.text)
    .split(/\s+or\s+|\|\|/)
    .every((part) => {
      const t = part.trim();
      if (SAMPLED.test(t) || ERROR_STATUS.test(t) || ERROR_VALUE.test(t) || THROTTLED.test(t) || CHANGED.test(t)) return true;
      // Created when missing: once per user or session, then found.
      const absent = ABSENT.exec(t);
      const name = absent?.[1] ?? absent?.[2];
      return name !== undefined && !PREDICATE_NAME.test(name) && !ERROR_VALUE.test(name.split('.').pop()!);
    });
}

/** A check that something was found (`if track:`, `if user != nil`, `if (session)`): its `else` runs when it is missing. */
function foundCheck(cond: SyntaxNode | null | undefined): boolean {
  if (!cond) return false;
  const t = unparen(cond.text);
  const name = /^([A-Za-z_$][\w$.]*)(?:\s*(?:!=|!==|\bis\s+not\b)\s*(?:nil|None|null|undefined))?$/.exec(t)?.[1];
  return name !== undefined && !PREDICATE_NAME.test(name) && !ERROR_VALUE.test(name.split('.').pop()!);
}

/** Whether `prev` (the ancestor below `n` on the way up from the write) only runs on a rare path through `n`. */
function rareBranch(n: SyntaxNode, prev: SyntaxNode, language: QueryLanguage): boolean {
  switch (n.type) {
    case 'if_statement':
      // `if track: track.date = now` / `else: db.session.add(Tracking(...))`: created when it was not found.
      if (sameNode(prev, n.childForFieldName('alternative'))) return foundCheck(n.childForFieldName('condition'));
      return sameNode(prev, n.childForFieldName('consequence')) && isRareCondition(n.childForFieldName('condition'));
    case 'elif_clause':
      return sameNode(prev, n.childForFieldName('consequence')) && isRareCondition(n.childForFieldName('condition'));
    case 'except_clause':
    case 'catch_clause':
      return true;
    case 'ternary_expression':
      return sameNode(prev, n.childForFieldName('consequence')) && isRareCondition(n.childForFieldName('condition'));
    case 'boolean_operator': // Python `status >= 500 and log(...)`
    case 'binary_expression': {
      const op = n.childForFieldName('operator')?.text;
      if (op !== 'and' && op !== '&&') return false;
      return language !== 'go' && sameNode(prev, n.childForFieldName('right')) && isRareCondition(n.childForFieldName('left'));
    }
    default:
      return false;
  }
}

const BLOCKS = new Set(['block', 'statement_block', 'statement_list']);

/** The statements of an `if`'s consequence, and whether it has an `else`. */
function consequence(ifNode: SyntaxNode): { stmts: SyntaxNode[]; hasElse: boolean } {
  const c = ifNode.childForFieldName('consequence');
  const block = c && (c.namedChildren.find((x) => x.type === 'statement_list') ?? c);
  const stmts = c?.type === 'statement_block' || c?.type === 'block' ? block?.namedChildren ?? [] : c ? [c] : [];
  const hasElse = !!ifNode.childForFieldName('alternative') || ifNode.namedChildren.some((x) => x.type === 'else_clause' || x.type === 'elif_clause');
  return { stmts: stmts.filter((s) => s.type !== 'comment'), hasElse };
}

/**
 * The login path: an earlier `if` in an enclosing block returns when the request is already
 * authenticated (`if request.IsAuthenticated(r) { next.ServeHTTP(w, r); return }`), so what
 * follows runs once per login, not once per request.
 */
function afterAuthenticatedReturn(call: SyntaxNode, chain: SyntaxNode[], k: number): boolean {
  let below: SyntaxNode = call;
  for (let i = 0; i < k; i++) {
    const n = chain[i];
    if (BLOCKS.has(n.type)) {
      for (let s = below.previousNamedSibling; s; s = s.previousNamedSibling) {
        if (s.type !== 'if_statement') continue;
        const { stmts, hasElse } = consequence(s);
        if (hasElse || stmts[stmts.length - 1]?.type !== 'return_statement') continue;
        const cond = unparen(s.childForFieldName('condition')?.text ?? '');
        if (cond.split(/\s+or\s+|\|\|/).some((p) => AUTHENTICATED.test(p.trim()))) return true;
      }
    }
    below = n;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// What the call writes: the models' effects, and the statement's SQL where the effect depends on it.

/** The statement a call runs, per the row's `arguments.statement` (a context argument before it is skipped). */
function statementOf(hit: LibraryHit, call: SyntaxNode, language: QueryLanguage): SyntaxNode | undefined | 'none' {
  const argsNode = call.childForFieldName('arguments');
  if (argsNode?.type === 'template_string') return argsNode;
  if (hit.row.arguments?.statement === undefined) return 'none';
  if (language === 'python') {
    const { positional, keywords } = pythonArguments(call);
    return argumentOf(hit.row, 'statement', { positional, keywords }) ?? keywords.get('query') ?? keywords.get('sql');
  }
  const positional = language === 'go' ? goArguments(call).args : jsArguments(call).args;
  let node = argumentOf(hit.row, 'statement', { positional, options: (o) => objectProperties(o).props });
  // A context first (`pool.Exec(ctx, sql)` read with database/sql's argument order).
  if (language === 'go' && node && isContext(node)) {
    const i = positional.findIndex((a) => sameNode(a, node));
    node = positional[i + 1];
  }
  return node;
}

function isContext(arg: SyntaxNode): boolean {
  return /^(?:ctx|\w*Ctx|context)$/.test(arg.text) || /Context\(\)$|^context\./.test(arg.text);
}

/** What a statement says: a write, not a write, or nothing it shows. */
function sqlVerdict(node: SyntaxNode, language: QueryLanguage, depth = 0): 'write' | 'read' | undefined {
  if (depth > 8) return undefined;
  switch (node.type) {
    case 'string':
    case 'concatenated_string':
    case 'interpreted_string_literal':
    case 'raw_string_literal': {
      const text = language === 'python' ? pyStringText(node) : stringLiteral(node) ?? node.text.replace(/^[`"']/, '');
      return SQL_WRITE.test(text) ? 'write' : 'read';
    }
    case 'template_string':
      return SQL_WRITE.test(node.text.slice(1)) ? 'write' : 'read';
    case 'object':
      return undefined;
    case 'identifier':
    case 'attribute':
    case 'member_expression':
    case 'selector_expression': {
      const name = lastName(node);
      return SQL_WRITE_NAME.test(name) ? 'write' : SQL_NOT_WRITE_NAME.test(name) ? 'read' : undefined;
    }
    case 'call':
    case 'call_expression': {
      // insert(AuditLog).values(...), text("INSERT ..."): a builder named for a write, or SQL given to a wrapper.
      const fn = node.childForFieldName('function');
      if (SQL_VERB_CALL.test(lastName(fn))) return 'write';
      const first = node.childForFieldName('arguments')?.namedChildren.find((c) => c.type !== 'comment' && c.type !== 'keyword_argument');
      const inner = first && ['string', 'concatenated_string', 'template_string'].includes(first.type) ? sqlVerdict(first, language, depth + 1) : undefined;
      if (inner) return inner;
      const obj = fn?.childForFieldName('object') ?? fn?.childForFieldName('operand');
      return obj ? sqlVerdict(obj, language, depth + 1) : undefined;
    }
    default:
      return undefined;
  }
}

function pyStringText(node: SyntaxNode): string {
  const first = node.type === 'concatenated_string' ? node.namedChildren[0] : node;
  return (first?.text ?? '').replace(/^[rRbBuUfF]*("""|'''|"|')/, '');
}

/** Whether a library call writes rows: its effect, and for statements, what the SQL says. */
function writes(hit: LibraryHit, call: SyntaxNode, language: QueryLanguage): boolean {
  if (hit.row.call === false) return false;
  if (TRANSACTION_END.test(tail(hit.qname))) return false;
  const effects = effectsOf(hit.row);
  const write = WRITES.some((e) => effects.has(e));
  if (!write && !effects.has('db-query')) return false;
  const statement = statementOf(hit, call, language);
  if (statement === 'none') return write;
  // A write method with nothing to run (a Redis pipeline's `Exec(ctx)`) or a query without its SQL.
  if (!statement) return false;
  const verdict = sqlVerdict(statement, language);
  return write ? verdict !== 'read' : verdict === 'write';
}

// ---------------------------------------------------------------------------------------------
// Where the write runs: the function it is in, looking through callbacks that still run once per
// request (a lambda, `go func() {...}()`, `.then(...)`, a stream operator), and noting those that
// push it off the response (a task, a goroutine, `res.on('finish', ...)`, `setImmediate(...)`).

interface Place {
  fn: SyntaxNode;
  /** Index of `fn` in the ancestor chain. */
  k: number;
  /** How the write was pushed off the response ("in a task (`asyncio.create_task`)"), for the message. */
  deferred?: string;
}

type Through = 'stop' | 'pass' | 'rare' | { deferred: string };

/** What a library call does with a function handed to it, by its effects. */
function handedTo(file: FileContext, call: SyntaxNode): Through {
  const callee = call.childForFieldName('function');
  if (!callee) return 'stop';
  const name = lastName(callee);
  // The error path of a promise or a stream (`.catch(...)`, `catchError(...)`).
  if (/^catch/i.test(name)) return 'rare';
  // A promise's continuation runs with the request.
  if (callee.type === 'member_expression' && (name === 'then' || name === 'finally')) return 'pass';
  const hit = lookupCall(file, call, (h) => effectsOf(h.row).size > 0 || h.row.callbackArgument !== undefined);
  if (hit.kind !== 'library') return 'stop';
  const effects = effectsOf(hit.row);
  const text = callee.text.replace(/\s+/g, '');
  if (effects.has('defer')) {
    // res.on('finish', ...), onFinished(res, ...): after the response; setImmediate(...): later.
    const args = call.type === 'call_expression' && call.childForFieldName('arguments')?.type === 'arguments' ? jsArguments(call).args : [];
    const event = stringLiteral(args[0]);
    if (event !== undefined && /^(?:error|aborted)$/.test(event)) return 'rare';
    const response = [callee.childForFieldName('object'), ...args].some((n) => n && valueTypes(file, n).some((t) => file.lang.isA(t, 'http.ServerResponse')));
    const shown = event !== undefined ? `${text}('${event}', ...)` : `${text}(...)`;
    return { deferred: `${response ? 'after the response' : 'later'} (\`${shown}\`)` };
  }
  if (effects.has('spawn') || effects.has('to-thread') || effects.has('enqueue')) return { deferred: `${effects.has('to-thread') ? 'in a thread' : 'in a task'} (\`${text}\`)` };
  return hit.row.callbackArgument !== undefined ? 'pass' : 'stop';
}

/** Whether a function on the way up is a callback to look through, or the place itself. */
function through(fn: SyntaxNode, chain: SyntaxNode[], i: number, language: QueryLanguage, file: FileContext): Through {
  const parent = chain[i + 1];
  switch (language) {
    case 'python':
      return fn.type === 'lambda' ? 'pass' : 'stop';
    case 'go':
      // go func() {...}(), defer func() {...}(): runs with the request that started it.
      return fn.type === 'func_literal' && parent?.type === 'call_expression' && sameNode(parent.childForFieldName('function'), fn) ? 'pass' : 'stop';
    case 'typescript': {
      if (isIife(fn)) return 'pass';
      const call = callTakingFunction(fn, chain.slice(i + 1));
      return call ? handedTo(file, call) : 'stop';
    }
  }
}

/** The function a write runs in, or undefined when it only runs on a rare path or outside any function. */
function placeOf(call: SyntaxNode, chain: SyntaxNode[], language: QueryLanguage, file: FileContext): Place | undefined {
  let deferred: string | undefined;
  for (let i = 0; i < chain.length; i++) {
    const n = chain[i];
    const prev = i === 0 ? call : chain[i - 1];
    if (isFunctionNode(n, language)) {
      const t = through(n, chain, i, language, file);
      if (t === 'stop') return afterAuthenticatedReturn(call, chain, i) ? undefined : { fn: n, k: i, deferred };
      if (t === 'rare') return undefined;
      if (t !== 'pass') deferred ??= t.deferred;
      continue;
    }
    if (rareBranch(n, prev, language)) return undefined;
    if (language === 'go' && n.type === 'go_statement') deferred ??= 'in a goroutine';
    if (language === 'python' && n.type === 'call' && prev.type === 'argument_list') {
      // asyncio.create_task(db.audit.insert_one(...)): the write runs in the task.
      const t = handedTo(file, n);
      if (t !== 'stop' && t !== 'pass' && t !== 'rare') deferred ??= t.deferred;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Whether the place runs on every request: the models' middleware markers, a registration
// elsewhere in the file (a fact), or a method of the same class called by the middleware.

interface Middleware {
  /** "the `audit` middleware", for the message. */
  place: string;
  /** The function's name, when it is middleware only if the file registers it (`app.use(audit)`). */
  requires?: string;
}

function functionName(fn: SyntaxNode, language: QueryLanguage): string | undefined {
  const own = fn.childForFieldName('name')?.text;
  if (own) return own;
  if (language === 'typescript' && fn.parent?.type === 'variable_declarator') return fn.parent.childForFieldName('name')?.text;
  return undefined;
}

/** `Audit`, or `auditor.ServeHTTP` for a Go method; `Class.method` for a method of a class. */
function qualifiedName(file: FileContext, fn: SyntaxNode, language: QueryLanguage): string {
  const fi = file.functionOf(fn);
  const model = fi !== undefined ? file.fn(fi) : undefined;
  if (model && !model.anonymous) return model.className ? `${model.className}.${model.name}` : model.name;
  return functionName(fn, language) ?? 'function';
}

/** How the message names the place, from the marker that made it middleware. */
function placeName(file: FileContext, fn: SyntaxNode, chain: SyntaxNode[], k: number, mw: MiddlewareOf, language: QueryLanguage): string {
  if (mw.how === 'registered') {
    const callee = mw.via!.childForFieldName('function')?.text.replace(/\s+/g, '') ?? 'use';
    return mw.event ? `the \`${mw.event}\` hook passed to \`${callee}\`` : `the middleware passed to \`${callee}\``;
  }
  const fi = file.functionOf(fn);
  const anonymous = fi === undefined || file.fn(fi).anonymous || fn.type === 'func_literal';
  if (mw.how === 'own' && !anonymous) {
    const name = qualifiedName(file, fn, language);
    if (mw.decorator && /\bhook\b/.test(mw.why)) return `the \`${mw.decorator}\` hook \`${name}\``;
    return name.includes('.') ? `${mw.why} \`${name}\`` : `the \`${name}\` middleware`;
  }
  // A function literal, or what a factory returns: named by the declaration it comes from, or the call it is passed to.
  const start = mw.how === 'returned' ? mw.via! : fn;
  const rest = mw.how === 'returned' ? chain.slice(chain.findIndex((n) => sameNode(n, mw.via)) + 1) : chain.slice(k + 1);
  const outer = outermostFactory(start, rest, language);
  if (outer.passedTo) return `the middleware passed to \`${outer.passedTo}\``;
  const name = qualifiedName(file, outer.fn, language);
  if (name === 'function') return 'this middleware';
  return language === 'python' && mw.how === 'returned' ? `${mw.why} \`${name}\`` : `the \`${name}\` middleware`;
}

/** The declaration a returned function literal comes from (`func Audit(db) func(http.Handler) http.Handler`), or the `Use` it is passed to. */
function outermostFactory(fn: SyntaxNode, chain: SyntaxNode[], language: QueryLanguage): { fn: SyntaxNode; passedTo?: string } {
  let current = fn;
  let rest = chain;
  for (let guard = 0; guard < 8; guard++) {
    const call = callTakingFunction(current, rest);
    if (call) return { fn: current, passedTo: call.childForFieldName('function')?.text.replace(/\s+/g, '') };
    const outer = returnedBy(current, rest, language);
    if (!outer) return { fn: current };
    const at = rest.findIndex((n) => sameNode(n, outer));
    current = outer;
    rest = rest.slice(at + 1);
  }
  return { fn: current };
}

function paramNames(file: FileContext, fn: SyntaxNode): string[] {
  const fi = file.functionOf(fn);
  return fi === undefined ? [] : file.fn(fi).params.map((p) => p.name);
}

function middlewareAt(file: FileContext, fn: SyntaxNode, chain: SyntaxNode[], k: number, language: QueryLanguage): Middleware | undefined {
  const params = paramNames(file, fn);
  // Error-handling middleware (err, req, res, next) runs when a request failed.
  if (params.length >= 2 && ERROR_PARAM.test(params[0])) return undefined;
  const verdict = middlewareOf(file, fn, chain.slice(k + 1), language);
  if (verdict === 'other') return undefined;
  if (verdict) return { place: placeName(file, fn, chain, k, verdict, language) };
  const viaCaller = calledByMiddleware(file, fn, language);
  if (viaCaller) return viaCaller;
  return registeredByName(file, fn, chain, k, language);
}

/** A method of a middleware class called from the middleware method (a Nest interceptor's `restHandler`). */
function calledByMiddleware(file: FileContext, fn: SyntaxNode, language: QueryLanguage): Middleware | undefined {
  const fi = file.functionOf(fn);
  const model = fi !== undefined ? file.fn(fi) : undefined;
  if (fi === undefined || !model?.className) return undefined;
  const root = fn.tree.rootNode;
  for (const c of file.model.calls) {
    if (c.fn < 0 || c.fn === fi || file.fn(c.fn).className !== model.className) continue;
    const r = file.resolver.resolve(c.callee, c.start);
    if (r.kind !== 'function' || r.fn !== fi) continue;
    // The caller (or the function it is nested in) is the middleware.
    for (let ci: number | undefined = c.fn; ci !== undefined; ci = file.fn(ci).parent) {
      const f = file.fn(ci);
      const node = root.descendantForIndex(f.start, Math.max(f.start, f.end - 1));
      let callerNode: SyntaxNode | null = node;
      while (callerNode && !(callerNode.startIndex === f.start && callerNode.endIndex === f.end && isFunctionNode(callerNode, language))) callerNode = callerNode.parent;
      if (!callerNode) break;
      const v = middlewareOf(file, callerNode, ancestors(callerNode), language);
      if (v && v !== 'other') return { place: `${v.how === 'own' && f.className ? `${v.why} \`${f.className}.${f.name}\`` : `the \`${f.name}\` middleware`} (through \`${model.name}\`)` };
    }
  }
  return undefined;
}

/** A named function that is middleware only where the file registers it (`app.use(audit)`, `r.Use(Track)`, `app.before_request(hit)`). */
function registeredByName(_file: FileContext, fn: SyntaxNode, chain: SyntaxNode[], k: number, language: QueryLanguage): Middleware | undefined {
  const parent = chain[k + 1];
  switch (language) {
    case 'python': {
      const container = parent?.type === 'decorated_definition' ? chain[k + 2] : parent;
      const name = fn.type === 'function_definition' ? fn.childForFieldName('name')?.text : undefined;
      return name && container?.type === 'module' ? { place: `the request hook \`${name}\``, requires: name } : undefined;
    }
    case 'go': {
      const { fn: outer, passedTo } = outermostFactory(fn, chain.slice(k + 1), language);
      if (passedTo) return undefined;
      if (outer.type !== 'function_declaration') return undefined;
      const name = outer.childForFieldName('name')!.text;
      return { place: `the \`${name}\` middleware`, requires: name };
    }
    case 'typescript': {
      if (callTakingFunction(fn, chain.slice(k + 1))) return undefined;
      const name = functionName(fn, language);
      if (name) return { place: `the \`${name}\` middleware`, requires: name };
      // A factory that returns the middleware: function audit(db) { return (req, res, next) => {...} }
      const outer = returnedBy(fn, chain.slice(k + 1), language);
      const outerName = outer && functionName(outer, language);
      return outerName ? { place: `the \`${outerName}\` middleware`, requires: outerName } : undefined;
    }
  }
}

// ---------------------------------------------------------------------------------------------

/** The names the models give `#model?` for the finding pattern: a helper-pattern match on one of them is the model pattern's. */
const MODEL_NAMES: Record<QueryLanguage, Set<string>> = {
  python: new Set(models().of('python').namesWith(['db-write', 'db-write-many', 'db-query'])),
  go: new Set(models().of('go').namesWith(['db-write', 'db-write-many', 'db-query'])),
  typescript: new Set(models().of('typescript').namesWith(['db-write', 'db-write-many', 'db-query', 'db-statement'])),
};

/** The query with the models' middleware registration and decorator names in place of the placeholders. */
function queryFor(source: string, language: QueryLanguage): string {
  const withRegistrations = withRegistrationNames(source, language);
  const decorators = new Set<string>();
  for (const m of models().of(language).roles) {
    if (m.role !== 'middleware' || !m.decorator) continue;
    for (const x of m.decorator.members ?? []) decorators.add(x);
    const alternatives = /^\^\(?([\w|]+)\)?\$$/.exec(m.decorator.namePattern ?? '')?.[1];
    for (const a of alternatives?.split('|') ?? []) decorators.add(a);
  }
  const list = [...decorators].sort().map((n) => JSON.stringify(n)).join(' ') || '"\\u0000"';
  return withRegistrations.replace(/\(#middleware-decorator\?\s+(@[\w.-]+)\s*\)/g, (_all, cap: string) => `(#any-of? ${cap} ${list})`);
}

function classify(match: RuleMatch, call: SyntaxNode): { library?: LibraryHit; helper?: boolean } | undefined {
  const language = match.language;
  const file = match.file;
  const method = match.text('method') ?? '';
  // The two patterns split the names: the models' write and query names are the model pattern's,
  // any other name saying "write" (a project helper, sqlc's `InsertHit`) the helper pattern's.
  const modelName = MODEL_NAMES[language].has(method);
  const identifierCall = call.childForFieldName('function')?.type === 'identifier';
  if (match.props.kind === 'helper' && modelName && !identifierCall) return undefined;
  const look = lookupCall(file, call, (h) => writes(h, call, language));
  if (look.kind === 'library') return writes(look, call, language) ? { library: look } : undefined;
  if (look.kind === 'none' || (look.kind === 'project' && look.guessed)) {
    // Nothing resolves and no convention names the receiver (`events.InsertOne(...)`): a method name
    // of several words that every model using it makes a write is specific enough on its own.
    const hit = modelName ? distinctiveWrite(file, method) : undefined;
    if (hit && writes(hit, call, language)) return { library: hit };
  }
  if (look.kind === 'project' && WRITE_HELPER.test(method)) return { helper: true };
  return undefined;
}

/** The one write row every model type with a member of this many-word name agrees on (`insert_one`, `InsertOne`, `findOneAndUpdate`). */
function distinctiveWrite(file: FileContext, name: string): LibraryHit | undefined {
  if (!/[a-z0-9][A-Z]|[a-z]_[a-z]/.test(name)) return undefined;
  let found: LibraryHit | undefined;
  for (const lib of file.lang.libraries) {
    for (const t of lib.file.types ?? []) {
      for (const m of t.members ?? []) {
        if (m.name !== name) continue;
        if (!WRITES.some((e) => effectsOf(m).has(e)) || (m as Row).arguments?.statement !== undefined) return undefined;
        found ??= { kind: 'library', qname: `${t.name}.${name}`, row: m as Row, loose: true };
      }
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Per-request code named by another module: route dependencies and imported middleware.

const HELPER_MESSAGE =
  '`{call}` writes to the database (it reaches {chain}) in {place}, which runs on every request: one more write on the primary for every request to every route (at {scale} users, {rate} writes/s).{deferred} Buffer the rows in memory and write them in batches (a periodic flush or a queue), write a sample, or write again only after some minutes.';
const DEPENDENCY_MESSAGE =
  '`{call}` writes to the database{reaches} in {place}, which runs on every request to the routes that depend on it: one more write on the primary per request (at {scale} users, up to {rate} writes/s when most routes use it).{deferred} Buffer the rows in memory and write them in batches, or write again only after some minutes (a last-used stamp rarely needs to be exact).';
const ELSEWHERE_MESSAGE =
  '`{call}` writes to the database{reaches} in {place}, which another module registers to run per request: one more write on the primary per request (at {scale} users, up to {rate} writes/s when it runs on most routes).{deferred} Buffer the rows in memory and write them in batches, or write again only after some minutes.';
/** Roles another file can give a function that make it run per request (not a route: a route's own writes are its work). */
const CROSS_FILE_ROLES = ['request-dependency', 'middleware', 'route-hook'];

const DECORATOR_MESSAGE =
  '`{call}` writes to the database{reaches} in {place}, which wraps the route and runs on every request to it: one more write on the primary per request (at {scale} users, up to {rate} writes/s when the route is busy).{deferred} Buffer the rows in memory and write them in batches (a periodic flush or a queue), write a sample, or write again only after some minutes.';

/**
 * A Python decorator the write is in: `fn` is the function a decorator returns in place of the one
 * it decorates (it calls a parameter of the function around it: `wrapper` calling `fn` in
 * `def audit(fn)`), and the decorator is the top-level function it sits in (a decorator factory's
 * `audit("x")` too). Undefined for any other nested function.
 */
function decoratorAround(file: FileContext, fn: SyntaxNode): { index: number; name: string } | undefined {
  const wrapper = file.functionOf(fn);
  const parent = wrapper !== undefined ? file.fn(wrapper).parent : undefined;
  if (wrapper === undefined || parent === undefined) return undefined;
  const params = new Set(file.fn(parent).params.map((p) => p.name));
  const callsParam = file.model.calls.some((c) => c.fn === wrapper && c.callee.kind === 'name' && c.callee.path?.length === 1 && params.has(c.callee.path[0]));
  if (!callsParam) return undefined;
  let top = parent;
  for (let up = file.fn(top).parent; up !== undefined; up = file.fn(up).parent) top = up;
  const model = file.fn(top);
  return model.anonymous || model.className ? undefined : { index: top, name: model.name };
}

/** The function node around `inner` that is the model's function `index`. */
function fnNodeOf(inner: SyntaxNode, index: number, file: FileContext): SyntaxNode {
  for (let n: SyntaxNode | null = inner.parent; n; n = n.parent) if (isFunctionNode(n, 'python') && file.functionOf(n) === index) return n;
  return inner;
}

/** The routes of this file a decorator is applied to (`@audit` / `@audit("x")` on a function with a route's role). */
function decoratedRoutes(file: FileContext, decorator: number): string[] {
  const out: string[] = [];
  file.model.functions.forEach((f, i) => {
    if (file.fnRoles.get(i)?.role !== 'handler') return;
    const hit = f.decorators.some((d) => {
      if ((d.expr.kind !== 'name' && d.expr.kind !== 'call') || !d.expr.path?.length) return false;
      const t = targetOf(file.resolver.resolve(decoratorCallee(d.expr), d.start));
      return t?.kind === 'local' && t.fn === decorator;
    });
    if (hit) out.push(f.name);
  });
  return out;
}

/** The name of a function that can be registered by name: declared at the top (or a method), not a literal passed somewhere. */
function dependencyName(file: FileContext, fn: SyntaxNode): string | undefined {
  const fi = file.functionOf(fn);
  const model = fi !== undefined ? file.fn(fi) : undefined;
  if (!model || model.anonymous || model.parent !== undefined) return undefined;
  return model.className ? `${model.className}.${model.name}` : model.name;
}

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python: queryFor(pythonScm, 'python'), go: queryFor(goScm, 'go'), typescript: queryFor(typescriptScm, 'typescript') },
  check(match, ctx): CandidateInit[] | undefined {
    const call = match.node('match')!;
    const language = match.language;
    const file = match.file;
    // Most matches are not writes (`headers.update(...)`, `seen.add(...)`): classify before climbing.
    const what = classify(match, call);
    if (!what) return undefined;
    // Built-ins named like a model (`Object.create`) are the language's.
    if (language === 'typescript' && what.library?.loose && /^(?:Object|Array|Promise|Map|Set|WeakMap|WeakSet|Date|JSON|Math|Reflect|Proxy|Symbol|Buffer|Number|String|URL|Error|Intl|Atomics)\./.test(call.childForFieldName('function')?.text ?? '')) return undefined;
    const chain = ancestors(call);
    const where = placeOf(call, chain, language, file);
    if (!where) return undefined;
    const scale = ctx.config.targetUsers;
    const args = {
      call: shortCall(call),
      scale,
      rate: WRITES_PER_SECOND[scale],
      deferred: where.deferred ? ` Running it ${where.deferred} takes it off the response time, not off the database.` : '',
    };
    const helper = what.helper ? { through: { call, needs: WRITES } } : {};
    const reaches = what.helper ? ' (it reaches {chain})' : '';
    // A dependency of routes (FastAPI `Depends(current_key)`), registered in this file or another.
    const name = dependencyName(file, where.fn);
    const role = file.roleOf(where.fn)?.role;
    if (role === 'request-dependency' && name) return [{ ...helper, args: { ...args, place: `the \`${name}\` dependency` }, message: DEPENDENCY_MESSAGE.replace('{reaches}', reaches) }];
    const mw = middlewareAt(file, where.fn, chain, where.k, language);
    // A decorator a route is wrapped in: its wrapper runs per request to the route (in this file, or a route elsewhere).
    const deco = language === 'python' && !mw ? decoratorAround(file, where.fn) : undefined;
    if (deco) {
      const routes = decoratedRoutes(file, deco.index);
      const message = DECORATOR_MESSAGE.replace('{reaches}', reaches);
      if (routes.length > 0) {
        const more = routes.length > 1 ? ` (and ${routes.length - 1} more)` : '';
        return [{ ...helper, args: { ...args, place: `the decorator \`${deco.name}\` of the route \`${routes[0]}\`${more}` }, message }];
      }
      return [{ ...helper, args: { ...args, place: '{role}' }, message, whenRole: { fn: fnNodeOf(where.fn, deco.index, file), roles: [ROUTE_DECORATOR] } }];
    }
    const out: CandidateInit[] = [];
    if (mw) {
      const requires = mw.requires ? [{ fact: REGISTERED, key: mw.requires, related: 'registered here to run on every request' }] : undefined;
      out.push(what.helper ? { ...helper, args: { ...args, place: mw.place }, requires, message: HELPER_MESSAGE } : { args: { ...args, place: mw.place }, requires });
    }
    // A function another module registers (a route's dependency, `app.use(audit)` with audit imported): the program knows.
    if (name && role === undefined && (!mw || mw.requires)) {
      out.push({
        ...helper,
        args: { ...args, place: `{role} \`${name}\`` },
        message: ELSEWHERE_MESSAGE.replace('{reaches}', reaches),
        whenRole: { fn: where.fn, roles: CROSS_FILE_ROLES },
        unless: mw?.requires ? [{ fact: REGISTERED, key: mw.requires }] : undefined,
      });
    }
    return out;
  },
  facts(match): FactInit[] | undefined {
    const reg = match.node('reg');
    const key = match.node('key');
    if (!reg || !key) return undefined;
    const file = match.file;
    // app.middleware("http")(audit): the inner call is the decorator, matched against the markers' decorators.
    if (reg.type === 'call' && reg.parent?.type === 'call' && sameNode(reg.parent.childForFieldName('function'), reg)) {
      const expr = exprOf(file.language, reg.childForFieldName('function')!);
      const ok = expr && file.lang.roles.some((m) => m.role === 'middleware' && m.decorator && refMatches(file, expr, m.decorator, reg.startIndex));
      return ok ? [{ name: REGISTERED, key: key.text, node: key }] : [];
    }
    const callee = reg.childForFieldName('function');
    if (!callee) return [];
    // The registration must be one the models' middleware markers make (and for hooks, for a per-request event).
    const first = reg.childForFieldName('arguments')?.namedChildren.find((c) => c.type !== 'comment');
    const event = stringLiteral(first);
    const expr = exprOf(file.language, callee);
    if (!expr) return [];
    for (const m of file.lang.roles) {
      const r = m.registration as (typeof m.registration & { events?: string[] }) | undefined;
      if (!r?.callee || !refMatches(file, expr, r.callee, reg.startIndex)) continue;
      if (r.events && (event === undefined || !r.events.includes(event))) continue;
      return m.role === 'middleware' ? [{ name: REGISTERED, key: key.text, node: key }] : [];
    }
    return [];
  },
});

