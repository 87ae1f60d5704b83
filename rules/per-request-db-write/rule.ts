import type { SyntaxNode } from 'tree-sitter';
import { defineRule, type CandidateInit, type RuleMatch, type RuleMeta, type Scale } from '../../server/src/engine/rule-api';
import type { QueryLanguage } from '../../server/src/engine/languages';
import { isFunctionNode } from '../../server/src/engine/predicates';
import { goArguments, jsArguments, objectProperties, pythonArguments, sameNode, stringLiteral } from '../../server/src/engine/syntax';
import meta from './rule.json';
import python from './python.scm';
import go from './go.scm';
import typescript from './typescript.scm';

/** A function of the file registered to run on every request (`app.use(audit)`, `app.before_request(track)`). */
const REGISTERED = 'per-request-db-write.registered';

/** Peak request rate, assuming about 1 request per second for every 100 users (doc.md). */
const WRITES_PER_SECOND: Record<Scale, string> = { '1k': 'about 10', '10k': 'about 100', '100k': 'about 1,000', '1m': 'about 10,000' };

/** SQL that changes rows. */
const SQL_WRITE = /^\s*(?:INSERT|UPDATE|DELETE|REPLACE|UPSERT|MERGE)\b/i;
/** A name that holds write SQL: `INSERT_AUDIT`, `insertVisitSQL`, `update_stmt`. */
const SQL_WRITE_NAME = /^(?:insert|update|upsert)|INSERT|UPDATE|UPSERT/;

// Conditions that make a write rare, so that it is not one per request.
/** Sampling: `random.random() < 0.01`, `rand.Float64() < rate`, `Math.random() < 0.01`. */
const SAMPLED = /\brandom\.(?:random|randint|randrange|uniform)\(|\brandom\(\)|\brand\.(?:Float64|Float32|Intn|Int63n|Int31n|IntN|N)\(|Math\.random\(\)|(?:^|[^A-Za-z])sampl(?:e|ed|ing)|Sampl(?:e|ed|ing)/;
/** Error responses only: `response.status_code >= 500`, `res.statusCode >= 400`, `c.Writer.Status() >= 500`. */
const ERROR_STATUS = /\bstatus(?:_?code|Code)?\b(?:\(\))?\s*(?:>=?|===?)\s*(?:[45]\d\d\b|http\.Status\w+|HTTPStatus\.\w+|status\.HTTP_[45]\d\d)/i;
/** Errors only: `err != nil`, `exc is not None`, `if (err)`. */
const ERROR_VALUE = /^(?:err|error|exc|exception|e)(?:\s*!=\s*nil|\s+is\s+not\s+None|\s*!==?\s*(?:null|undefined))?$/;
/** Throttled per user: written again only after some time (`now - user.last_seen > timedelta(minutes=5)`). */
const THROTTLED = /timedelta\(|time\.Since\(|\.Sub\(|time\.time\(\)\s*-|now\(\)\s*-|\bnow\s*-|\.getTime\(\)\s*-/i;

/** The ancestors of a node, nearest first. `node.parent` searches from the root, so climb once. */
function ancestors(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let n = node.parent; n; n = n.parent) out.push(n);
  return out;
}

/** The last name of a receiver: `self.session` → `session`, `db` → `db`, `s.store` → `store`. */
function lastName(node: SyntaxNode | null | undefined): string {
  if (!node) return '';
  const last = node.childForFieldName('attribute') ?? node.childForFieldName('property') ?? node.childForFieldName('field');
  if (last) return last.text;
  return node.type === 'identifier' || node.type === 'field_identifier' ? node.text : '';
}

/** `db.audit.insert_one(...)` for messages: the callee without whitespace, arguments elided. */
function shortCall(call: SyntaxNode): string {
  const callee = (call.childForFieldName('function')?.text ?? 'call').replace(/\s+/g, '');
  const args = call.childForFieldName('arguments');
  return args?.type === 'template_string' ? `${callee}\`...\`` : `${callee}(...)`;
}

/** A condition that holds on a rare path; `a or b` only when both are rare (either may let every request through). */
function isRareCondition(cond: SyntaxNode | null | undefined): boolean {
  if (!cond) return false;
  const text = cond.text.replace(/^\(\s*([\s\S]*?)\s*\)$/, '$1').trim();
  return text.split(/\s+or\s+|\|\|/).every((part) => {
    const t = part.trim();
    return SAMPLED.test(t) || ERROR_STATUS.test(t) || ERROR_VALUE.test(t) || THROTTLED.test(t);
  });
}

/** Whether `prev` (the ancestor below `n` on the way up from the write) only runs on a rare path through `n`. */
function rareBranch(n: SyntaxNode, prev: SyntaxNode, language: QueryLanguage): boolean {
  switch (n.type) {
    case 'if_statement':
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

// ---------------------------------------------------------------------------------------------
// Where the write runs: the function it is in, looking through callbacks that still run once per
// request (a lambda, `go func() {...}()`, `res.on('finish', ...)`, `setImmediate(...)`).

interface Place {
  fn: SyntaxNode;
  /** Index of `fn` in the ancestor chain. */
  k: number;
  /** How the write was pushed off the response ("in a task (`asyncio.create_task`)"), for the message. */
  deferred?: string;
}

const PY_DEFERRING = new Set(['create_task', 'ensure_future', 'to_thread', 'run_in_executor', 'run_in_threadpool', 'start_soon', 'spawn', 'submit']);
const JS_RESPONSE_EVENTS = new Set(['finish', 'close', 'end']);
const JS_DEFERRING = new Set(['setImmediate', 'setTimeout', 'queueMicrotask', 'onFinished', 'process.nextTick']);

type Through = 'stop' | 'pass' | 'rare' | { deferred: string };

/** Whether a function on the way up is a per-request callback to look through, or the place itself. */
function through(fn: SyntaxNode, chain: SyntaxNode[], i: number, language: QueryLanguage): Through {
  const parent = chain[i + 1];
  const grand = chain[i + 2];
  switch (language) {
    case 'python':
      return fn.type === 'lambda' ? 'pass' : 'stop';
    case 'go':
      // go func() {...}(), defer func() {...}(): runs with the request that started it.
      if (fn.type === 'func_literal' && parent?.type === 'call_expression' && sameNode(parent.childForFieldName('function'), fn)) return 'pass';
      return 'stop';
    case 'typescript': {
      if (parent?.type === 'parenthesized_expression' && grand?.type === 'call_expression' && sameNode(grand.childForFieldName('function'), parent)) return 'pass';
      if (parent?.type !== 'arguments' || grand?.type !== 'call_expression') return 'stop';
      const callee = grand.childForFieldName('function');
      if (!callee) return 'stop';
      if (JS_DEFERRING.has(callee.text)) return { deferred: `${callee.text === 'onFinished' ? 'after the response' : 'later'} (\`${callee.text}(...)\`)` };
      if (callee.type !== 'member_expression') return 'stop';
      const prop = callee.childForFieldName('property')?.text ?? '';
      if (prop === 'then' || prop === 'finally') return 'pass';
      if (prop === 'catch') return 'rare';
      if (prop === 'on' || prop === 'once' || prop === 'prependListener' || prop === 'prependOnceListener') {
        const event = stringLiteral(jsArguments(grand).args[0]);
        if (event !== undefined && JS_RESPONSE_EVENTS.has(event)) return { deferred: `after the response (\`${callee.text}('${event}', ...)\`)` };
      }
      return 'stop';
    }
  }
}

/** The function a write runs in, or undefined when it only runs on a rare path or outside any function. */
function placeOf(call: SyntaxNode, chain: SyntaxNode[], language: QueryLanguage): Place | undefined {
  let deferred: string | undefined;
  for (let i = 0; i < chain.length; i++) {
    const n = chain[i];
    const prev = i === 0 ? call : chain[i - 1];
    if (isFunctionNode(n, language)) {
      const t = through(n, chain, i, language);
      if (t === 'stop') return { fn: n, k: i, deferred };
      if (t === 'rare') return undefined;
      if (t !== 'pass') deferred ??= t.deferred;
      continue;
    }
    if (rareBranch(n, prev, language)) return undefined;
    if (language === 'go' && n.type === 'go_statement') deferred ??= 'in a goroutine';
    if (language === 'python' && n.type === 'call' && prev.type === 'argument_list') {
      const callee = n.childForFieldName('function');
      if (PY_DEFERRING.has(lastName(callee))) deferred ??= `in a task (\`${callee!.text}\`)`;
    }
  }
  return undefined;
}

interface Middleware {
  /** "the `audit` middleware", for the message. */
  place: string;
  /** The function's name, when it is middleware only if the file registers it (`app.use(audit)`). */
  requires?: string;
}

// ---------------------------------------------------------------------------------------------
// Python

const PY_MONGO_WRITES = new Set(['insert_one', 'insert_many', 'update_one', 'update_many', 'replace_one', 'find_one_and_update', 'find_one_and_replace', 'bulk_write']);
/** A SQLAlchemy session: `session`, `db.session`, `self.session`, `db` (FastAPI's `db: Session`), `audit_session`. */
const PY_SESSION = /^(?:session|sess|db|db_session|dbsession)$|_session$/i;
const PY_HTTP_MIDDLEWARE = /^@\s*[\w.]+\.middleware\(\s*["']http["']\s*\)/;
const PY_HOOK = /^@\s*[\w.]+\.(before_request|after_request|before_app_request|after_app_request|teardown_request|teardown_app_request)\s*$/;
const DJANGO_HOOKS = new Set(['__call__', 'process_request', 'process_response', 'process_view']);

function pyParamNames(fn: SyntaxNode): string[] {
  return (fn.childForFieldName('parameters')?.namedChildren ?? []).map((p) => {
    if (p.type === 'identifier') return p.text;
    const name = p.childForFieldName('name') ?? p.namedChildren[0];
    return name?.type === 'identifier' ? name.text : '';
  });
}

function pyStringText(node: SyntaxNode): string {
  const first = node.type === 'concatenated_string' ? node.namedChildren[0] : node;
  return (first?.text ?? '').replace(/^[rRbBuUfF]*("""|'''|"|')/, '');
}

/** A statement that changes rows: write SQL, `text("INSERT ...")`, `insert(Model).values(...)`. */
function pyWriteStatement(node: SyntaxNode | undefined, depth = 0): boolean {
  if (!node || depth > 8) return false;
  switch (node.type) {
    case 'string':
    case 'concatenated_string':
      return SQL_WRITE.test(pyStringText(node));
    case 'identifier':
      return SQL_WRITE_NAME.test(node.text);
    case 'attribute':
      return SQL_WRITE_NAME.test(lastName(node));
    case 'call': {
      const fn = node.childForFieldName('function');
      const name = lastName(fn);
      if (/(?:^|_)(?:insert|update|upsert)$/i.test(name)) return true;
      if (name === 'text') return pyWriteStatement(pythonArguments(node).positional[0], depth + 1);
      return fn?.type === 'attribute' && pyWriteStatement(fn.childForFieldName('object') ?? undefined, depth + 1);
    }
    default:
      return false;
  }
}

/** supabase-py / postgrest: `db.table("request_logs")`, `client.from_("hits")`. */
function pyTableBuilder(recv: SyntaxNode): boolean {
  return recv.type === 'call' && recv.childForFieldName('function')?.type === 'attribute' && /^(?:table|from_)$/.test(lastName(recv.childForFieldName('function')));
}

function pyIsModelCall(node: SyntaxNode | null | undefined): boolean {
  if (node?.type === 'await') node = node.namedChildren[0];
  if (node?.type !== 'call') return false;
  const fn = node.childForFieldName('function');
  return /^[A-Z]/.test(lastName(fn)) || /\.objects\./.test(fn?.text ?? '');
}

/** Whether a variable holds the model call of an assignment earlier in the enclosing block or the function body. */
type BoundToModel = (name: SyntaxNode) => boolean;

/** The blocks that enclose a node up to its function (`chain[k]`): their statements are visible to it. */
function enclosingBlocks(chain: SyntaxNode[], k: number, type: string): SyntaxNode[] {
  return chain.slice(0, k).filter((n) => n.type === type);
}

/** `entry.save()` where `entry = AuditLog(...)` (or `X.objects.get(...)`) earlier in an enclosing block. */
function pyBoundToModel(recv: SyntaxNode, call: SyntaxNode, chain: SyntaxNode[], k: number): boolean {
  for (const block of enclosingBlocks(chain, k, 'block')) {
    for (const stmt of block?.namedChildren ?? []) {
      if (stmt.startIndex >= call.startIndex) break;
      const a = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
      if (a?.type === 'assignment' && a.childForFieldName('left')?.text === recv.text && pyIsModelCall(a.childForFieldName('right'))) return true;
    }
  }
  return false;
}

function pyIsWrite(match: RuleMatch, call: SyntaxNode, bound: BoundToModel): boolean {
  const method = match.text('method')!;
  const recv = match.node('recv')!;
  if (PY_MONGO_WRITES.has(method)) return true;
  switch (method) {
    case 'add':
    case 'add_all':
    case 'merge':
      return PY_SESSION.test(lastName(recv));
    case 'execute':
    case 'executemany': {
      const { positional, keywords } = pythonArguments(call);
      return pyWriteStatement(positional[0] ?? keywords.get('query') ?? keywords.get('statement') ?? keywords.get('sql'));
    }
    case 'create':
    case 'bulk_create':
    case 'update_or_create':
      // Django `AuditLog.objects.create(...)`, Tortoise/Peewee `AuditLog.create(...)`.
      return lastName(recv) === 'objects' || (method === 'create' && recv.type === 'identifier' && /^[A-Z]/.test(recv.text));
    case 'update':
      // Django `User.objects.filter(...).update(...)`, SQLAlchemy `session.query(User).filter(...).update(...)`.
      return /\.objects\b|\bquery\(/.test(recv.text) || pyTableBuilder(recv);
    case 'upsert':
      return pyTableBuilder(recv);
    case 'save':
    case 'insert':
      // `AuditLog(...).save()`, `request.user.save()`, `entry.save()` after `entry = AuditLog(...)`;
      // supabase-py `db.table("request_logs").insert({...}).execute()`.
      return pyIsModelCall(recv) || recv.text === 'request.user' || pyTableBuilder(recv) || (recv.type === 'identifier' && bound(recv));
    default:
      return false;
  }
}

function pyMiddleware(fn: SyntaxNode, chain: SyntaxNode[], k: number): Middleware | undefined {
  if (fn.type !== 'function_definition') return undefined;
  const name = fn.childForFieldName('name')?.text ?? 'function';
  const params = pyParamNames(fn);
  const decorated = chain[k + 1]?.type === 'decorated_definition' ? chain[k + 1] : undefined;
  const decorators = decorated ? decorated.namedChildren.filter((d) => d.type === 'decorator').map((d) => d.text) : [];
  const container = chain[decorated ? k + 2 : k + 1];
  const cls = container?.type === 'block' && chain[decorated ? k + 3 : k + 2]?.type === 'class_definition' ? chain[decorated ? k + 3 : k + 2] : undefined;
  const clsName = cls?.childForFieldName('name')?.text;
  const qualified = clsName ? `${clsName}.${name}` : name;

  // @app.middleware("http") async def audit(request, call_next) / BaseHTTPMiddleware.dispatch(self, request, call_next)
  if (params.includes('call_next') || decorators.some((d) => PY_HTTP_MIDDLEWARE.test(d))) return { place: `the \`${qualified}\` middleware` };
  const hook = decorators.map((d) => PY_HOOK.exec(d)?.[1]).find((h) => h !== undefined);
  if (hook) return { place: `the \`${hook}\` hook \`${name}\`` };
  if (cls && clsName) {
    const bases = cls.childForFieldName('superclasses')?.text ?? '';
    if (name === 'dispatch' && /BaseHTTPMiddleware/.test(bases)) return { place: `the \`${qualified}\` middleware` };
    // Pure ASGI middleware: async def __call__(self, scope, receive, send)
    if (name === '__call__' && params.slice(1).join(',') === 'scope,receive,send') return { place: `the ASGI middleware \`${clsName}\`` };
    if (DJANGO_HOOKS.has(name) && (/MiddlewareMixin/.test(bases) || /Middleware$/.test(clsName))) return { place: `the Django middleware \`${qualified}\`` };
    return undefined;
  }
  // Django function middleware: def middleware(request) inside def audit_middleware(get_response)
  for (let i = k + 1; i < chain.length; i++) {
    if (chain[i].type !== 'function_definition') continue;
    if (pyParamNames(chain[i])[0] === 'get_response') return { place: `the Django middleware \`${chain[i].childForFieldName('name')?.text ?? name}\`` };
    return undefined;
  }
  // A module-level function the file registers: app.before_request(track_visit)
  if (container?.type === 'module') return { place: `the request hook \`${name}\``, requires: name };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Go

const GO_EXEC = new Set(['Exec', 'ExecContext', 'NamedExec', 'NamedExecContext', 'MustExec', 'MustExecContext']);
const GO_MONGO_WRITES = new Set(['InsertOne', 'InsertMany', 'UpdateOne', 'UpdateMany', 'UpdateByID', 'ReplaceOne', 'FindOneAndUpdate', 'FindOneAndReplace', 'BulkWrite']);
const GO_GORM_WRITES = new Set(['Create', 'CreateInBatches', 'Save', 'Update', 'Updates', 'UpdateColumn', 'UpdateColumns']);
/** gorm chain methods: `db.WithContext(ctx).Create(...)`, `db.Model(&u).Update(...)`. */
const GO_GORM_CHAIN = new Set(['WithContext', 'Model', 'Table', 'Where', 'Session', 'Debug', 'Omit', 'Select', 'Clauses', 'Scopes']);
const GO_DB_NAME = /^(?:db|DB|Db|gdb|gormDB|orm|tx|Tx|conn|store|repo)$/;
/** sqlc-style generated queries: `s.queries.InsertVisit(ctx, ...)`. */
const GO_QUERIES_NAME = /^(?:q|queries|Queries|querier|Querier|store|Store|repo|Repo|repository|Repository|db|DB)$/;
/** ent builders: `client.AuditLog.Create().SetPath(p).Save(ctx)`, `client.User.UpdateOneID(id).SetSeen(t).Exec(ctx)`. */
const GO_ENT_BUILDER = /\.(?:Create|CreateBulk|Update|UpdateOne|UpdateOneID)\(/;
/** Names of SQL that runs with Exec without changing rows: `setTenantSQL`, `lockQuery`, `selectUser`. */
const GO_NOT_WRITE_NAME = /^(?:set|select|get|lock|listen|begin|commit|rollback|savepoint|show|discard|reset)/i;
const GO_HANDLER_PARAM = /^(?:http\.ResponseWriter|\*http\.Request|echo\.Context|\*gin\.Context|\*fiber\.Ctx|fiber\.Ctx)$/;
const GO_NEXT_PARAM = /^(?:http\.Handler|http\.HandlerFunc|echo\.HandlerFunc|fiber\.Handler)$/;

function goIsContext(arg: SyntaxNode): boolean {
  return /^(?:ctx|\w*Ctx|context)$/.test(arg.text) || /Context\(\)$|^context\./.test(arg.text);
}

function goIsWrite(match: RuleMatch, call: SyntaxNode): boolean {
  const method = match.text('method')!;
  const recv = match.node('recv')!;
  if (GO_MONGO_WRITES.has(method)) return true;
  const builder = recv.type === 'call_expression' && GO_ENT_BUILDER.test(recv.text);
  const { args } = goArguments(call);
  if (GO_EXEC.has(method)) {
    if (builder) return true;
    let i = 0;
    if (method.endsWith('Context')) i = 1;
    else while (i < args.length && goIsContext(args[i])) i++;
    const sql = args[i];
    if (!sql) return false; // a Redis pipeline's Exec(ctx)
    const text = stringLiteral(sql);
    if (text !== undefined) return SQL_WRITE.test(text);
    // Exec runs statements that change data, unless the name of the SQL says otherwise (setTenantSQL).
    const name = lastName(sql);
    return SQL_WRITE_NAME.test(name) || !GO_NOT_WRITE_NAME.test(name);
  }
  if (GO_GORM_WRITES.has(method)) {
    if (method === 'Save' && builder) return true;
    if (args.length === 0) return false;
    if (GO_DB_NAME.test(lastName(recv))) return true;
    if (recv.type === 'call_expression') {
      const chained = recv.childForFieldName('function');
      return chained?.type === 'selector_expression' && GO_GORM_CHAIN.has(lastName(chained));
    }
    return false;
  }
  return /^(?:Insert|Create|Update|Upsert)[A-Z]/.test(method) && GO_QUERIES_NAME.test(lastName(recv));
}

interface GoParam {
  name: string;
  type: string;
}

function goParams(fn: SyntaxNode): GoParam[] {
  const out: GoParam[] = [];
  for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    if (p.type !== 'parameter_declaration' && p.type !== 'variadic_parameter_declaration') continue;
    const type = p.childForFieldName('type')?.text.replace(/\s+/g, '') ?? '';
    const names = p.childrenForFieldName('name');
    if (names.length === 0) out.push({ name: '', type });
    for (const n of names) out.push({ name: n.text, type });
  }
  return out;
}

function goBodyStatements(fn: SyntaxNode): SyntaxNode[] {
  const body = fn.childForFieldName('body');
  const list = body?.namedChildren.find((c) => c.type === 'statement_list') ?? body;
  return list?.namedChildren ?? [];
}

/** `Audit`, or `auditor.ServeHTTP` for a method. */
function goDeclName(decl: SyntaxNode): string {
  const name = decl.childForFieldName('name')?.text ?? 'func';
  if (decl.type !== 'method_declaration') return name;
  const recvType = decl.childForFieldName('receiver')?.namedChildren[0]?.childForFieldName('type')?.text.replace(/^\*/, '');
  return recvType ? `${recvType}.${name}` : name;
}

/** Nodes between a returned func literal and the function that returns it: `return http.HandlerFunc(func(...) {...})`. */
const GO_RETURN_PATH = new Set(['expression_list', 'return_statement', 'statement_list', 'block', 'argument_list', 'call_expression', 'parenthesized_expression']);

/**
 * The name of the middleware a function at `chain[k]` belongs to: the declaration that (through
 * returned func literals) builds it, or the `Use` call it is passed to; undefined for other literals.
 */
function goPlaceName(chain: SyntaxNode[], k: number, fn: SyntaxNode): { place: string; declared?: string } {
  let j = k;
  let current = fn;
  while (current.type === 'func_literal') {
    let next = j + 1;
    while (next < chain.length && !isFunctionNode(chain[next], 'go')) next++;
    const between = chain.slice(j + 1, next);
    const use = between.find((n) => n.type === 'call_expression' && /\.(?:Use|Pre)$/.test(n.childForFieldName('function')?.text ?? ''));
    if (use) return { place: `the middleware passed to \`${use.childForFieldName('function')!.text}\`` };
    const returned =
      between.some((n) => n.type === 'return_statement') &&
      between.every((n) => GO_RETURN_PATH.has(n.type) && (n.type !== 'call_expression' || /HandlerFunc$/.test(n.childForFieldName('function')?.text ?? '')));
    if (!returned || next >= chain.length) return { place: 'this middleware' };
    j = next;
    current = chain[next];
  }
  const declared = goDeclName(current);
  return { place: `the \`${declared}\` middleware`, declared: current.type === 'function_declaration' ? declared : undefined };
}

function goMiddleware(fn: SyntaxNode, chain: SyntaxNode[], k: number): Middleware | undefined {
  const params = goParams(fn);
  const handler = params.some((p) => GO_HANDLER_PARAM.test(p.type));
  const { place, declared } = goPlaceName(chain, k, fn);

  // negroni: func(w http.ResponseWriter, r *http.Request, next http.HandlerFunc)
  if (handler && params.some((p) => GO_NEXT_PARAM.test(p.type))) return { place };
  // r.Use(func(c *gin.Context) {...}), e.Use(...), app.Use(...)
  if (chain[k + 1]?.type === 'argument_list' && chain[k + 2]?.type === 'call_expression') {
    const callee = chain[k + 2].childForFieldName('function');
    if (callee?.type === 'selector_expression' && (lastName(callee) === 'Use' || lastName(callee) === 'Pre')) return { place };
  }
  if (!handler) return undefined;
  // func Audit(next http.Handler) http.Handler { return http.HandlerFunc(func(w, r) {...}) }, echo's func(next echo.HandlerFunc) echo.HandlerFunc
  for (let i = k + 1; i < chain.length; i++) {
    if (!isFunctionNode(chain[i], 'go')) continue;
    if (goParams(chain[i]).some((p) => GO_NEXT_PARAM.test(p.type))) return { place };
    break;
  }
  const statements = goBodyStatements(fn).map((s) => s.text.replace(/\s+/g, ''));
  // gin and fiber: c.Next() / return c.Next()
  const ctx = params.find((p) => /^\*?(?:gin\.Context|fiber\.Ctx)$/.test(p.type));
  if (ctx && statements.some((s) => s === `${ctx.name}.Next()` || s === `return${ctx.name}.Next()`)) return { place };
  // func (a *auditor) ServeHTTP(w, r) { ...; a.next.ServeHTTP(w, r) }
  if (fn.type === 'method_declaration' && fn.childForFieldName('name')?.text === 'ServeHTTP' && statements.some((s) => /^\w+\.\w+\.ServeHTTP\(/.test(s))) return { place };
  // A handler func registered with Use elsewhere in the file: r.Use(AuditLog), r.Use(AuditLog(db))
  if (declared) return { place, requires: declared };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// TypeScript / JavaScript

const JS_MONGO_WRITES = new Set(['insertOne', 'insertMany', 'updateOne', 'updateMany', 'replaceOne', 'findOneAndUpdate', 'findOneAndReplace', 'findByIdAndUpdate', 'bulkWrite']);
const JS_BUILTINS = new Set(['Object', 'Array', 'Promise', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Date', 'JSON', 'Math', 'Reflect', 'Proxy', 'Symbol', 'Buffer', 'Number', 'String', 'URL', 'Error', 'Intl', 'Atomics']);
/** The client or transaction of Prisma, drizzle or knex: `prisma.auditLog.create`, `db.insert(auditLog)`. */
const JS_DB_NAME = /^(?:prisma|db|tx|trx|client|orm|models|database|knex)$/i;
const JS_REPOSITORY = /(?:repo|repository)$/i;
/** Calls that start a query builder or return a model: `knex('audit')`, `supabase.from('audit')`, `getRepository(Audit)`. */
const JS_BUILDER_START = new Set(['knex', 'db', 'from', 'table', 'into', 'createQueryBuilder', 'getRepository', 'getMongoRepository', 'model']);
const JS_ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'all', 'head', 'options', 'route']);
const FASTIFY_HOOKS = new Set(['onRequest', 'preParsing', 'preValidation', 'preHandler', 'preSerialization', 'onSend', 'onResponse']);

/** A model, repository or ORM client: `AuditLog`, `prisma.auditLog`, `models.AuditLog`, `this.auditRepo`, `getRepository(Audit)`. */
function jsOrmReceiver(recv: SyntaxNode): boolean {
  switch (recv.type) {
    case 'identifier':
      return (/^[A-Z]/.test(recv.text) && !JS_BUILTINS.has(recv.text)) || JS_REPOSITORY.test(recv.text);
    case 'member_expression': {
      const prop = recv.childForFieldName('property')?.text ?? '';
      if (JS_REPOSITORY.test(prop) || (/^[A-Z]/.test(prop) && !JS_BUILTINS.has(prop))) return true;
      return JS_DB_NAME.test(lastName(recv.childForFieldName('object')));
    }
    case 'call_expression':
      return JS_BUILDER_START.has(lastName(recv.childForFieldName('function')));
    default:
      return false;
  }
}

/** The root of a call chain (`knex('audit').where(...)` → `knex('audit')`) starts a query builder. */
function jsQueryBuilder(recv: SyntaxNode): boolean {
  let n: SyntaxNode | null = recv;
  for (let depth = 0; n && depth < 12; depth++) {
    if (n.type === 'call_expression') {
      const fn = n.childForFieldName('function');
      if (JS_BUILDER_START.has(lastName(fn))) return true;
      n = fn?.type === 'member_expression' ? fn.childForFieldName('object') : null;
    } else if (n.type === 'member_expression') {
      n = n.childForFieldName('object');
    } else return false;
  }
  return false;
}

function jsWriteSql(node: SyntaxNode | undefined): boolean {
  if (!node) return false;
  switch (node.type) {
    case 'string':
      return SQL_WRITE.test(stringLiteral(node) ?? '');
    case 'template_string':
      return SQL_WRITE.test(node.text.slice(1));
    case 'identifier':
      return SQL_WRITE_NAME.test(node.text);
    case 'member_expression':
      return SQL_WRITE_NAME.test(lastName(node));
    case 'object': {
      const { props } = objectProperties(node);
      return jsWriteSql(props.get('text') ?? props.get('sql'));
    }
    default:
      return false;
  }
}

/** `doc.save()` where `const doc = new AuditLog(...)` (or `AuditLog.build(...)`) earlier in an enclosing block. */
function jsBoundToModel(recv: SyntaxNode, call: SyntaxNode, chain: SyntaxNode[], k: number): boolean {
  for (const block of enclosingBlocks(chain, k, 'statement_block')) {
    for (const stmt of block?.namedChildren ?? []) {
      if (stmt.startIndex >= call.startIndex) break;
      if (stmt.type !== 'lexical_declaration' && stmt.type !== 'variable_declaration') continue;
      for (const d of stmt.namedChildren) {
        if (d.type !== 'variable_declarator' || d.childForFieldName('name')?.text !== recv.text) continue;
        let value = d.childForFieldName('value');
        if (value?.type === 'await_expression') value = value.namedChildren[0];
        if (value?.type === 'new_expression' && /^[A-Z]/.test(lastName(value.childForFieldName('constructor')))) return true;
        if (value?.type === 'call_expression' && lastName(value.childForFieldName('function')) === 'build') return true;
      }
    }
  }
  return false;
}

function jsIsWrite(match: RuleMatch, call: SyntaxNode, bound: BoundToModel): boolean {
  const method = match.text('method')!;
  const recv = match.node('recv');
  if (!recv) return method === 'sql' && jsWriteSql(call.childForFieldName('arguments') ?? undefined);
  if (JS_MONGO_WRITES.has(method)) return true;
  switch (method) {
    case 'create':
    case 'createMany':
    case 'upsert':
      return jsOrmReceiver(recv);
    case 'update':
    case 'insert':
      return jsOrmReceiver(recv) || JS_DB_NAME.test(lastName(recv)) || jsQueryBuilder(recv);
    case 'save':
      return jsOrmReceiver(recv) || recv.type === 'new_expression' || (recv.type === 'identifier' && bound(recv));
    case 'query':
    case 'execute':
    case 'raw':
      return jsWriteSql(jsArguments(call).args[0]);
    case '$executeRaw':
    case '$executeRawUnsafe':
      return true;
    default:
      return false;
  }
}

function jsParamNames(fn: SyntaxNode): string[] {
  const params = fn.childForFieldName('parameters');
  if (!params) {
    const single = fn.childForFieldName('parameter'); // x => ...
    return single ? [single.text] : [];
  }
  return params.namedChildren.filter((p) => p.type !== 'comment').map((p) => (p.childForFieldName('pattern') ?? p).text);
}

/** The name a function is known by: its own, or the variable it is assigned to. */
function jsFunctionName(fn: SyntaxNode, parent: SyntaxNode | undefined): string | undefined {
  const own = fn.childForFieldName('name')?.text;
  if (own) return own;
  if (parent?.type === 'variable_declarator') return parent.childForFieldName('name')?.text;
  return undefined;
}

const JS_NEXT_CALL = /^(?:return\s+)?(?:await\s+|void\s+)?next\(\)\s*;?$/;

/** `next();`, `await next();`, `return next();` among the statements of the function body (or of a `try` that is one of them). */
function jsCallsNext(fn: SyntaxNode, params: string[]): boolean {
  if (params.length < 2 || params.length > 3 || params[params.length - 1] !== 'next') return false;
  const body = fn.childForFieldName('body');
  if (body?.type !== 'statement_block') return false;
  return body.namedChildren.some((s) =>
    s.type === 'try_statement'
      ? (s.childForFieldName('body')?.namedChildren ?? []).some((t) => JS_NEXT_CALL.test(t.text))
      : JS_NEXT_CALL.test(s.text),
  );
}

function jsMiddleware(fn: SyntaxNode, chain: SyntaxNode[], k: number): Middleware | undefined {
  const params = jsParamNames(fn);
  // Error-handling middleware (err, req, res, next) runs when a request failed.
  if (params.length === 4) return undefined;
  const parent = chain[k + 1];
  const grand = chain[k + 2];
  if (parent?.type === 'arguments' && grand?.type === 'call_expression') {
    const callee = grand.childForFieldName('function');
    const prop = callee?.type === 'member_expression' ? callee.childForFieldName('property')?.text : undefined;
    if (prop === 'use') return { place: `the middleware passed to \`${callee!.text}\`` };
    if (prop === 'addHook') {
      const hook = stringLiteral(jsArguments(grand).args[0]);
      return hook !== undefined && FASTIFY_HOOKS.has(hook) ? { place: `the Fastify \`${hook}\` hook` } : undefined;
    }
    // A route's own handler, or middleware of a single route: writing is that route's job.
    if (prop && JS_ROUTE_METHODS.has(prop)) return undefined;
  }
  // Nest: class AuditMiddleware implements NestMiddleware { use(req, res, next) {...} }
  if (fn.type === 'method_definition') {
    const cls = parent?.type === 'class_body' ? grand : undefined;
    const heritage = cls?.namedChildren.find((c) => c.type === 'class_heritage')?.text ?? '';
    if (fn.childForFieldName('name')?.text === 'use' && /\bNestMiddleware\b/.test(heritage)) return { place: `the Nest middleware \`${cls?.childForFieldName('name')?.text ?? 'use'}\`` };
    return undefined;
  }
  const name = jsFunctionName(fn, parent);
  if (jsCallsNext(fn, params)) return { place: name ? `the \`${name}\` middleware` : 'this middleware' };
  if (name && parent?.type !== 'arguments') return { place: `the \`${name}\` middleware`, requires: name };
  // A factory that returns the middleware: function audit(db) { return (req, res, next) => {...} }
  let outerAt: number | undefined;
  if (parent?.type === 'arrow_function' && sameNode(parent.childForFieldName('body'), fn)) outerAt = k + 1;
  else if (parent?.type === 'return_statement' && grand?.type === 'statement_block' && chain[k + 3] && isFunctionNode(chain[k + 3], 'typescript')) outerAt = k + 3;
  if (outerAt !== undefined) {
    const outerName = jsFunctionName(chain[outerAt], chain[outerAt + 1]);
    if (outerName) return { place: `the \`${outerName}\` middleware`, requires: outerName };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python, go, typescript },
  check(match, ctx): CandidateInit | undefined {
    const call = match.node('match')!;
    const language = match.language;
    // Most matches are not writes (`headers.update(...)`, `seen.add(...)`): classify before climbing.
    let chain: SyntaxNode[] | undefined;
    let place: Place | null | undefined;
    const locate = (): Place | undefined => {
      if (place === undefined) place = placeOf(call, (chain = ancestors(call)), language) ?? null;
      return place ?? undefined;
    };
    const bound: BoundToModel = (recv) => {
      const at = locate();
      return at !== undefined && (language === 'python' ? pyBoundToModel : jsBoundToModel)(recv, call, chain!, at.k);
    };
    const isWrite = language === 'python' ? pyIsWrite(match, call, bound) : language === 'go' ? goIsWrite(match, call) : jsIsWrite(match, call, bound);
    if (!isWrite) return undefined;
    const where = locate();
    if (!where || !chain) return undefined;
    const { fn, k } = where;
    const mw = language === 'python' ? pyMiddleware(fn, chain, k) : language === 'go' ? goMiddleware(fn, chain, k) : jsMiddleware(fn, chain, k);
    if (!mw) return undefined;
    const scale = ctx.config.targetUsers;
    return {
      args: {
        call: shortCall(call),
        place: mw.place,
        scale,
        rate: WRITES_PER_SECOND[scale],
        deferred: where.deferred ? ` Running it ${where.deferred} takes it off the response time, not off the database.` : '',
      },
      requires: mw.requires ? [{ fact: REGISTERED, key: mw.requires, related: 'registered here to run on every request' }] : undefined,
    };
  },
});
