import type { SyntaxNode } from 'tree-sitter';
import {
  defineRule,
  type CandidateInit,
  type CheckContext,
  type FactInit,
  type FixTarget,
  type RuleMatch,
  type RuleMeta,
  type TextEditInit,
} from '../../server/src/engine/rule-api';
import type { QueryLanguage } from '../../server/src/engine/languages';
import { isFunctionNode } from '../../server/src/engine/predicates';
import { goArguments, jsArguments, objectProperties, pythonArguments, stringLiteral } from '../../server/src/engine/syntax';
import { eol, indentAt } from '../../server/src/engine/edit-helpers';
import meta from './rule.json';
import python from './python.scm';
import go from './go.scm';
import typescript from './typescript.scm';

/*
 * Facts this rule records (names are namespaced: all rules share one pool per file):
 * - BINDING `lib.export=local`: the file binds a limiter library's export to a local name
 *   (`slowapi.Limiter=Limiter`, `erl.rateLimit=rateLimit`, `x-rate=rate`); `lib.*=ns` for namespaces.
 * - FILL `store`: a store (`hits`, `self._hits`, `this.hits`) is filled per client address with
 *   timestamps or counts. The declaration of that store is the finding; the fill is its evidence.
 * - LIMITER_STRUCT `T`: a Go struct type T holds a token bucket; BUCKET_IMPORT: a token-bucket
 *   package is imported.
 */
const IMPORT = 'rate-limiter.import';
const FILL = 'rate-limiter.fill';
const LIMITER_STRUCT = 'rate-limiter.limiter-struct';
const BINDING = 'rate-limiter.binding';
const BUCKET_IMPORT = 'rate-limiter.bucket-import';

// ---------------------------------------------------------------------------------------------
// Names and shapes

/** Lower-case, without `_`, `$`, `#`: `client_ip`, `clientIp` and `#clientIP` all become `clientip`. */
function norm(name: string): string {
  return name.toLowerCase().replace(/[_$#]/g, '');
}

/** Variable and parameter names that hold a client address. */
const ADDRESS_NAMES = new Set([
  'ip', 'clientip', 'remoteip', 'ipaddress', 'ipaddr', 'remoteaddr', 'remoteaddress', 'clientaddr',
  'clientaddress', 'addr', 'userip', 'realip', 'sourceip', 'srcip', 'callerip', 'requestip', 'reqip',
  'peerip', 'peeraddr', 'clienthost', 'remotehost', 'forwardedfor', 'xforwardedfor', 'visitorip',
]);

const HEADER_ADDRESS = 'x-forwarded-for|x-real-ip|cf-connecting-ip|true-client-ip|x-client-ip|fly-client-ip';

/** Expressions that read the client's address (matched on the text of one key expression). */
const ADDRESS_TEXT: Record<'python' | 'typescript', RegExp> = {
  python: new RegExp(
    [
      String.raw`\bclient\.host\b`,
      String.raw`\.remote_addr\b`,
      String.raw`\.remote_ip\b`,
      String.raw`\bREMOTE_ADDR\b`,
      String.raw`\baccess_route\b`,
      String.raw`\b(request|req|websocket|ws)\.(ip|remote|client_ip)\b`,
      String.raw`\bscope\[["']client["']\]`,
      String.raw`\bHTTP_X_FORWARDED_FOR\b|\bHTTP_X_REAL_IP\b`,
      HEADER_ADDRESS,
      String.raw`\b(get_remote_address|get_ipaddr|get_client_ip|get_real_ip|get_ip|client_ip|get_client_address|get_remote_ip)\s*\(`,
    ].join('|'),
    'i',
  ),
  typescript: new RegExp(
    [
      String.raw`\.remoteAddress\b`,
      String.raw`\.remoteAddr\b`,
      String.raw`\b(req|request|ctx|context|c)(\.(request|req|raw))?\.ips?\b`,
      HEADER_ADDRESS,
      String.raw`\b(getClientIp|getClientIP|getIp|getIP|getRemoteAddress|getRealIp|ipAddress|requestIP)\s*\(`,
    ].join('|'),
  ),
};

/** Names of locals and parameters that hold a point in time. */
const TIME_NAMES = new Set([
  'now', 't', 'ts', 'timestamp', 'currenttime', 'timenow', 'nowts', 'nowms', 'nowsec', 'nowseconds',
  'nowmillis', 'requesttime', 'reqtime', 'stamp', 'current', 'tick', 'nowtime', 'timestampms',
]);

/** Calls that read the clock: time.time(), time.monotonic(), datetime.now(), Date.now(), performance.now(). */
const CLOCK_CALLS = new Set(['time', 'monotonic', 'monotonic_ns', 'perf_counter', 'perf_counter_ns', 'time_ns', 'now', 'utcnow', 'hrtime']);

/** Wrappers that keep a clock reading a clock reading: int(time.time()), Math.floor(Date.now() / 1000). */
const NUMERIC_WRAPPERS = new Set(['int', 'round', 'float', 'floor', 'ceil', 'trunc', 'Number']);

/** Words that say a store is about limiting (support for counts and single times, never evidence alone). */
const LIMIT_WORDS = ['rate', 'limit', 'throttl', 'hit', 'request', 'attempt', 'calls', 'quota', 'bucket', 'window', 'tries', 'flood', 'abuse', 'login', 'fail', 'spam', 'block'];

/** Whether a name has a word that says "limiting": `requestCounts`, `login_attempts`, `RateLimiter`. */
function soundsLimiting(name: string): boolean {
  return name
    .split(/[_$#]+|(?<=[a-z0-9])(?=[A-Z])/)
    .some((part) => LIMIT_WORDS.some((w) => part.toLowerCase().startsWith(w)));
}

const STATEMENT_PARENTS = new Set(['block', 'statement_block', 'class_body', 'switch_case', 'switch_default', 'else_clause', 'finally_clause']);
const UNIT_ROOTS = new Set(['module', 'program', 'source_file']);

type Lang = 'python' | 'typescript';

type Origin = { kind: 'value'; node: SyntaxNode } | { kind: 'param' } | { kind: 'loop' } | undefined;

/**
 * Where a local name comes from, looking only at the ancestors of `from` and the statements that
 * precede them in their blocks, up to the enclosing function (never beyond the top-level unit):
 * the value of the nearest earlier assignment, a parameter of the function, or a loop variable.
 */
function resolveLocal(from: SyntaxNode, name: string, lang: Lang): Origin {
  for (let n: SyntaxNode = from; n.parent; n = n.parent) {
    const p: SyntaxNode = n.parent;
    if (UNIT_ROOTS.has(p.type)) return undefined;
    if (isFunctionNode(p, lang)) return hasParameter(p, name, lang) ? { kind: 'param' } : undefined;
    if (loopBinds(p, n, name)) return { kind: 'loop' };
    if (STATEMENT_PARENTS.has(p.type)) {
      for (let s = n.previousNamedSibling; s; s = s.previousNamedSibling) {
        const v = assignedValue(s, name, lang);
        if (v) return { kind: 'value', node: v };
      }
    }
  }
  return undefined;
}

function assignedValue(stmt: SyntaxNode, name: string, lang: Lang): SyntaxNode | undefined {
  if (lang === 'python') {
    if (stmt.type !== 'expression_statement') return undefined;
    const a = stmt.namedChildren[0];
    if (a?.type !== 'assignment') return undefined;
    const left = a.childForFieldName('left');
    return left?.type === 'identifier' && left.text === name ? a.childForFieldName('right') ?? undefined : undefined;
  }
  if (stmt.type === 'lexical_declaration' || stmt.type === 'variable_declaration') {
    for (const d of stmt.namedChildren) {
      if (d.type === 'variable_declarator' && d.childForFieldName('name')?.text === name) return d.childForFieldName('value') ?? undefined;
    }
    return undefined;
  }
  if (stmt.type === 'expression_statement') {
    const a = stmt.namedChildren[0];
    if (a?.type === 'assignment_expression' && a.childForFieldName('left')?.text === name) return a.childForFieldName('right') ?? undefined;
  }
  return undefined;
}

function hasParameter(fn: SyntaxNode, name: string, lang: Lang): boolean {
  if (lang === 'typescript') {
    const single = fn.childForFieldName('parameter');
    if (single) return single.text === name;
  }
  const params = fn.childForFieldName('parameters');
  for (const p of params?.namedChildren ?? []) {
    const id = p.type === 'identifier' ? p : p.childForFieldName('name') ?? p.childForFieldName('pattern') ?? p.namedChildren[0];
    if (id?.text === name) return true;
  }
  return false;
}

/** `for ip in ips:` / `for (const ip of ips)`: the loop binds the name for its body. */
function loopBinds(loop: SyntaxNode, child: SyntaxNode, name: string): boolean {
  if (loop.type !== 'for_statement' && loop.type !== 'for_in_statement') return false;
  if (loop.childForFieldName('body')?.id !== child.id) return false;
  const left = loop.childForFieldName('left');
  return left !== null && (left.text === name || left.namedChildren.some((c) => c.text === name));
}

/** Whether an expression is (or carries) the client's address: `request.client.host`, `ip`, `f"{ip}:{path}"`. */
function isAddress(node: SyntaxNode, lang: Lang, depth = 0): boolean {
  if (depth > 4) return false;
  switch (node.type) {
    case 'identifier': {
      const origin = resolveLocal(node, node.text, lang);
      if (origin?.kind === 'value') return isAddress(origin.node, lang, depth + 1);
      if (origin?.kind === 'loop') return false;
      return ADDRESS_NAMES.has(norm(node.text));
    }
    case 'parenthesized_expression':
    case 'await':
    case 'await_expression':
    case 'non_null_expression':
    case 'tuple':
    case 'array':
    case 'template_string':
    case 'template_substitution':
    case 'interpolation':
    case 'boolean_operator':
      return node.namedChildren.some((c) => isAddress(c, lang, depth + 1));
    case 'string':
      // An f-string key: f"{ip}:{path}"; a plain string is a constant.
      return node.namedChildren.some((c) => c.type === 'interpolation' && isAddress(c, lang, depth + 1));
    case 'binary_operator':
    case 'binary_expression': {
      const op = node.childForFieldName('operator')?.text;
      if (op !== '+' && op !== '??' && op !== '||') return false;
      return [node.childForFieldName('left'), node.childForFieldName('right')].some((c) => c !== null && isAddress(c, lang, depth + 1));
    }
    case 'attribute':
    case 'subscript':
    case 'call':
    case 'member_expression':
    case 'subscript_expression':
    case 'call_expression':
    case 'conditional_expression':
    case 'ternary_expression':
      return ADDRESS_TEXT[lang].test(node.text);
    default:
      return false;
  }
}

/** Whether an expression reads the clock: `time.time()`, `now`, `Date.now()`, `now + WINDOW_MS`. */
function isTime(node: SyntaxNode, lang: Lang, depth = 0): boolean {
  if (depth > 4) return false;
  switch (node.type) {
    case 'identifier': {
      const origin = resolveLocal(node, node.text, lang);
      if (origin?.kind === 'value') return isTime(origin.node, lang, depth + 1);
      return origin?.kind !== 'loop' && TIME_NAMES.has(norm(node.text));
    }
    case 'call':
    case 'call_expression': {
      const fn = node.childForFieldName('function');
      const name = lastName(fn);
      if (name && CLOCK_CALLS.has(name)) return true;
      if (name && NUMERIC_WRAPPERS.has(name)) {
        const args = node.childForFieldName('arguments')?.namedChildren ?? [];
        return args.length > 0 && isTime(args[0], lang, depth + 1);
      }
      return false;
    }
    case 'new_expression':
      return node.childForFieldName('constructor')?.text === 'Date';
    case 'unary_expression':
    case 'parenthesized_expression':
    case 'await':
    case 'await_expression':
      return node.namedChildren.some((c) => isTime(c, lang, depth + 1));
    case 'binary_operator':
    case 'binary_expression': {
      const op = node.childForFieldName('operator')?.text ?? '';
      if (!['+', '-', '*', '/', '//'].includes(op)) return false;
      return [node.childForFieldName('left'), node.childForFieldName('right')].some((c) => c !== null && isTime(c, lang, depth + 1));
    }
    default:
      return false;
  }
}

function lastName(fn: SyntaxNode | null | undefined): string | undefined {
  if (!fn) return undefined;
  if (fn.type === 'identifier') return fn.text;
  return (fn.childForFieldName('attribute') ?? fn.childForFieldName('property') ?? fn.childForFieldName('field'))?.text;
}

type Evidence = 'timestamps' | 'timestamp' | 'count' | undefined;

/**
 * What a value written into the store per key says: a list of request times (a sliding window:
 * strong evidence on its own), a single time (last request) or a count (both need a name that
 * says "limit" to count as a rate limiter: a last-seen map or a per-address counter may be analytics).
 */
function evidenceOf(value: SyntaxNode, store: string, lang: Lang, depth = 0): Evidence {
  if (depth > 3) return undefined;
  if (isTime(value, lang)) return 'timestamp';
  switch (value.type) {
    case 'list':
    case 'tuple':
    case 'array':
      return value.namedChildren.some((c) => isTime(c, lang)) ? 'timestamps' : undefined;
    case 'list_comprehension': {
      // [t for t in hits[ip] if now - t < WINDOW]: the window of the store's own entries.
      const source = value.namedChildren.find((c) => c.type === 'for_in_clause')?.childForFieldName('right');
      const filtered = value.namedChildren.some((c) => c.type === 'if_clause' && c.namedChildren.some((x) => x.type === 'comparison_operator'));
      return source && filtered && mentions(source, store) ? 'timestamps' : undefined;
    }
    case 'call_expression': {
      // (hits.get(ip) ?? []).filter((t) => now - t < WINDOW_MS)
      const fn = value.childForFieldName('function');
      if (fn?.type !== 'member_expression' || fn.childForFieldName('property')?.text !== 'filter') return undefined;
      const cb = value.childForFieldName('arguments')?.namedChildren[0];
      const body = cb?.type === 'arrow_function' ? cb.childForFieldName('body') : undefined;
      const compares = body?.type === 'binary_expression' && /^[<>]=?$/.test(body.childForFieldName('operator')?.text ?? '');
      return compares && mentions(fn.childForFieldName('object')!, store) ? 'timestamps' : undefined;
    }
    case 'dictionary':
    case 'object': {
      // {"count": 1, "reset": now + 60} / { count: 1, resetAt: now + WINDOW_MS }
      let sawTime = false;
      let sawCount = false;
      for (const p of value.namedChildren) {
        if (p.type !== 'pair') continue;
        const v = p.childForFieldName('value');
        if (v && isTime(v, lang)) sawTime = true;
        if (v && isIncrement(v)) sawCount = true;
        if (/count|hits|requests|tokens/i.test(p.childForFieldName('key')?.text ?? '') && (v?.type === 'integer' || v?.type === 'number')) sawCount = true;
      }
      return sawCount ? 'count' : sawTime ? 'timestamp' : undefined;
    }
    case 'binary_operator':
    case 'binary_expression':
      return isIncrement(value) ? 'count' : undefined;
    case 'identifier': {
      const origin = resolveLocal(value, value.text, lang);
      if (origin?.kind === 'value') return evidenceOf(origin.node, store, lang, depth + 1);
      return /timestamps|stamps|times$/i.test(value.text) ? 'timestamps' : undefined;
    }
    default:
      return undefined;
  }
}

/** `x + 1`, `(counts.get(ip) ?? 0) + 1`. */
function isIncrement(node: SyntaxNode): boolean {
  if (node.type !== 'binary_operator' && node.type !== 'binary_expression') return false;
  const right = node.childForFieldName('right');
  return node.childForFieldName('operator')?.text === '+' && (right?.type === 'integer' || right?.type === 'number') && Number(right.text) === 1;
}

function mentions(node: SyntaxNode, store: string): boolean {
  const bare = store.replace(/^(self|this)\./, '');
  return new RegExp(String.raw`(^|[^\w$#])${escapeRegExp(bare)}\b`).test(node.text);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `hits` → `hits`; `self._hits` / `cls._hits` → `self._hits`; `this.hits` → `this.hits`. */
function storeKey(node: SyntaxNode, lang: Lang): string | undefined {
  if (node.type === 'identifier') return node.text;
  if (lang === 'python' && node.type === 'attribute') {
    const obj = node.childForFieldName('object')?.text;
    return obj === 'self' || obj === 'cls' ? `self.${node.childForFieldName('attribute')!.text}` : undefined;
  }
  if (lang === 'typescript' && node.type === 'member_expression' && node.childForFieldName('object')?.type === 'this') {
    return `this.${node.childForFieldName('property')!.text}`;
  }
  return undefined;
}

/** The names around a node that may say it is about limiting: its function(s) and class. */
function contextNames(node: SyntaxNode): string[] {
  const names: string[] = [];
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'function_definition' || n.type === 'function_declaration' || n.type === 'method_definition' || n.type === 'class_definition' || n.type === 'class_declaration' || n.type === 'class') {
      const name = n.childForFieldName('name')?.text;
      if (name) names.push(name);
    } else if ((n.type === 'arrow_function' || n.type === 'function_expression' || n.type === 'function') && n.parent?.type === 'variable_declarator') {
      names.push(n.parent.childForFieldName('name')?.text ?? '');
    }
  }
  return names;
}

// ---------------------------------------------------------------------------------------------
// Facts

function fillFact(match: RuleMatch, lang: Lang): FactInit[] | undefined {
  const fill = match.props.fill;
  const at = match.node('fill')!;
  const value = match.node('value');
  let storeNode = match.node('store');
  let addr = match.node('addr');
  let evidence: Evidence;
  if (fill === 'alias-append' || fill === 'alias-push') {
    // window = hits[ip]; window.append(now): only a clock reading makes this worth resolving.
    if (!value || !isTime(value, lang)) return undefined;
    const alias = match.node('alias')!;
    const origin = resolveLocal(alias, alias.text, lang);
    if (origin?.kind !== 'value') return undefined;
    const source = perKeyRead(origin.node, lang);
    if (!source) return undefined;
    [storeNode, addr] = source;
    evidence = 'timestamps';
  } else if (fill === 'append' || fill === 'push') {
    // hits[ip].append(now) / log.get(ip).push({ at: Date.now(), path }): a list of request times
    evidence = value && (isTime(value, lang) || evidenceOf(value, '', lang) === 'timestamp') ? 'timestamps' : undefined;
  } else if (fill === 'augment') {
    const op = at.childForFieldName('operator')?.text;
    evidence = (op === '+=' || op === '-=') && (value?.type === 'integer' || value?.type === 'number') ? 'count' : undefined;
  } else if (fill === 'increment') {
    evidence = 'count';
  } else {
    evidence = value ? evidenceOf(value, storeNode?.text ?? '', lang) : undefined;
  }
  if (!evidence || !storeNode || !addr) return undefined;
  const key = storeKey(storeNode, lang);
  if (!key || !isAddress(addr, lang)) return undefined;
  if (evidence !== 'timestamps') {
    const names = [key.replace(/^(self|this)\./, ''), ...contextNames(at)];
    if (!names.some(soundsLimiting)) return undefined;
  }
  return [{ name: FILL, key, node: at }];
}

/** `hits[ip]`, `hits.setdefault(ip, deque())`, `hits.get(ip) ?? []`, `hits[ip] || []`: [store, key]. */
function perKeyRead(expr: SyntaxNode, lang: Lang): [SyntaxNode, SyntaxNode] | undefined {
  let e = expr;
  while (e.type === 'parenthesized_expression' || e.type === 'non_null_expression') e = e.namedChildren[0];
  if ((e.type === 'binary_expression' || e.type === 'boolean_operator') && ['??', '||', 'or'].includes(e.childForFieldName('operator')?.text ?? '')) {
    e = e.childForFieldName('left')!;
    while (e.type === 'parenthesized_expression' || e.type === 'non_null_expression') e = e.namedChildren[0];
  }
  if (e.type === 'subscript') return pair(e.childForFieldName('value'), e.childForFieldName('subscript'));
  if (e.type === 'subscript_expression') return pair(e.childForFieldName('object'), e.childForFieldName('index'));
  if (e.type === 'call' || e.type === 'call_expression') {
    const fn = e.childForFieldName('function');
    const method = lastName(fn);
    const ok = lang === 'python' ? method === 'setdefault' : method === 'get';
    if (!ok || (fn?.type !== 'attribute' && fn?.type !== 'member_expression')) return undefined;
    const obj = fn.childForFieldName('object');
    return pair(obj, e.childForFieldName('arguments')?.namedChildren[0] ?? null);
  }
  return undefined;
}

function pair(a: SyntaxNode | null, b: SyntaxNode | null): [SyntaxNode, SyntaxNode] | undefined {
  return a && b ? [a, b] : undefined;
}

function pythonImportFacts(match: RuleMatch): FactInit[] {
  const module = match.node('module')!;
  const name = match.node('name')!;
  const alias = match.node('alias');
  const lib = module.text.startsWith('slowapi') ? 'slowapi' : 'limits';
  const local = alias ?? name;
  return [{ name: BINDING, key: `${lib}.${name.text}=${local.text}`, node: local }];
}

const GO_LIBRARIES: [RegExp, string][] = [
  [/^golang\.org\/x\/time\/rate$/, 'x-rate'],
  [/^go\.uber\.org\/ratelimit$/, 'uber-ratelimit'],
  [/^github\.com\/juju\/ratelimit$/, 'juju-ratelimit'],
  [/^github\.com\/didip\/tollbooth(\/v\d+)?$/, 'tollbooth'],
  [/^github\.com\/didip\/tollbooth(\/v\d+)?\/limiter$/, 'tollbooth-limiter'],
  [/^github\.com\/ulule\/limiter(\/v\d+)?\/drivers\/store\/memory$/, 'ulule-memory'],
  [/^github\.com\/go-chi\/httprate$/, 'httprate'],
  [/^github\.com\/labstack\/echo(\/v\d+)?\/middleware$/, 'echo-middleware'],
  [/^github\.com\/gofiber\/fiber(\/v\d+)?\/middleware\/limiter$/, 'fiber-limiter'],
];
const BUCKET_LIBRARIES = new Set(['x-rate', 'uber-ratelimit', 'juju-ratelimit']);

function goImportFacts(match: RuleMatch): FactInit[] {
  const pathNode = match.node('path')!;
  const path = stringLiteral(pathNode) ?? '';
  const lib = GO_LIBRARIES.find(([re]) => re.test(path))?.[1];
  if (!lib) return [];
  const alias = pathNode.parent?.childForFieldName('name');
  if (alias && alias.type !== 'package_identifier') return []; // `.` and `_` imports
  const local = alias?.text ?? path.split('/').filter((s) => !/^v\d+$/.test(s)).pop()!;
  const facts: FactInit[] = [{ name: BINDING, key: `${lib}=${local}`, node: pathNode }];
  if (BUCKET_LIBRARIES.has(lib)) facts.push({ name: BUCKET_IMPORT, key: lib, node: pathNode });
  return facts;
}

const TS_LIBRARIES: Record<string, string> = {
  'express-rate-limit': 'erl',
  'express-slow-down': 'slowdown',
  'rate-limiter-flexible': 'rlf',
  '@fastify/rate-limit': 'fastify-rl',
  'fastify-rate-limit': 'fastify-rl',
  'rate-limit-redis': 'rlr',
  ioredis: 'ioredis',
  redis: 'redis',
  '@redis/client': 'redis',
};

/** One export under the name the rule checks for: the default export of each library is its main function. */
function canonicalExport(lib: string, exported: string): string {
  switch (lib) {
    case 'erl':
      return exported === 'default' ? 'rateLimit' : exported;
    case 'slowdown':
      return exported === 'default' ? 'slowDown' : exported;
    case 'fastify-rl':
      return exported === 'fastifyRateLimit' ? 'default' : exported;
    case 'rlr':
      return exported === 'default' ? 'RedisStore' : exported;
    case 'ioredis':
      return exported === 'default' ? 'Redis' : exported;
    default:
      return exported;
  }
}

/**
 * The bindings an import or require declares, as `lib.export=local` (and `lib.*=local` for
 * namespaces; a default import or a whole `require()` is both the main export and the namespace).
 */
function tsBindings(clause: SyntaxNode, lib: string): { key: string; node: SyntaxNode }[] {
  const out: { key: string; node: SyntaxNode }[] = [];
  const whole = (id: SyntaxNode): void => {
    out.push({ key: `${lib}.${canonicalExport(lib, 'default')}=${id.text}`, node: id });
    out.push({ key: `${lib}.*=${id.text}`, node: id });
  };
  const named = (exported: string, id: SyntaxNode): void => {
    out.push({ key: `${lib}.${canonicalExport(lib, exported)}=${id.text}`, node: id });
  };
  if (clause.type === 'identifier') whole(clause);
  for (const c of clause.namedChildren) {
    if (clause.type === 'import_clause' && c.type === 'identifier') whole(c);
    else if (c.type === 'namespace_import') {
      const id = c.namedChildren.find((x) => x.type === 'identifier');
      if (id) out.push({ key: `${lib}.*=${id.text}`, node: id });
    } else if (c.type === 'named_imports') {
      for (const s of c.namedChildren) {
        if (s.type !== 'import_specifier') continue;
        const name = s.childForFieldName('name')!;
        named(name.text, s.childForFieldName('alias') ?? name);
      }
    } else if (c.type === 'shorthand_property_identifier_pattern') {
      named(c.text, c);
    } else if (c.type === 'pair_pattern') {
      const key = c.childForFieldName('key');
      const value = c.childForFieldName('value');
      if (key && value?.type === 'identifier') named(key.text, value);
    }
  }
  return out;
}

function tsImportFacts(match: RuleMatch): FactInit[] {
  const lib = TS_LIBRARIES[match.text('source')!];
  const clause = match.node('clause')!;
  return tsBindings(clause, lib).map((b) => ({ name: BINDING, key: b.key, node: b.node }));
}

// ---------------------------------------------------------------------------------------------
// Checks

function candidate(what: string, bindings: string[], data: Record<string, string> = {}): CandidateInit {
  return { args: { what }, requires: bindings.map((key) => ({ fact: BINDING, key })), data };
}

function checkPython(match: RuleMatch, ctx: CheckContext): CandidateInit | CandidateInit[] | undefined {
  const node = match.node('match')!;
  if (match.node('fn')) return checkPythonCall(match, node);
  return checkStoreDeclaration(match, ctx, 'python');
}

function checkPythonCall(match: RuleMatch, call: SyntaxNode): CandidateInit | undefined {
  const fn = match.text('fn')!;
  const { keywords, positional, splat } = pythonArguments(call);
  if (fn.endsWith('MemoryStorage')) {
    return candidate('`MemoryStorage()` of `limits`', [`limits.MemoryStorage=${fn}`]);
  }
  if (fn === 'storage_from_string') {
    const uri = stringLiteral(positional[0]);
    if (uri === undefined || !uri.startsWith('memory://')) return undefined;
    return candidate('`storage_from_string("memory://")` of `limits`', [`limits.storage_from_string=${fn}`]);
  }
  // slowapi's Limiter: storage_uri decides; **kwargs may carry it; config_filename may name a file that does.
  if (splat || keywords.has('config_filename')) return undefined;
  const enabled = keywords.get('enabled');
  if (enabled?.text === 'False') return undefined;
  const binding = `slowapi.Limiter=${fn}`;
  const storage = keywords.get('storage_uri');
  if (storage) {
    const uri = stringLiteral(storage);
    // "" falls back to memory:// as well
    if (uri === undefined || (uri !== '' && !uri.startsWith('memory://'))) return undefined;
    return candidate('slowapi `Limiter` with `storage_uri="memory://"`', [binding]);
  }
  return candidate('slowapi `Limiter` without `storage_uri` (and no RATELIMIT_STORAGE_URL in the environment)', [binding], { kind: 'slowapi' });
}

const PY_STORE_CTOR = /(^|\.)(defaultdict|dict|OrderedDict|Counter|TTLCache|LRUCache|ExpiringDict)$/;
const TS_STORE_CTOR = new Set(['Map', 'LRUCache', 'LRU', 'TTLCache', 'NodeCache']);

/** A module-level, class-level or constructor-made dict/Map: a finding when the file fills it per client address. */
function checkStoreDeclaration(match: RuleMatch, ctx: CheckContext, lang: Lang): CandidateInit | undefined {
  const decl = match.node('match')!;
  const name = match.node('name')!;
  const value = match.node('value')!;
  const ctor = match.node('ctor');
  // Only empty stores: a dict literal with entries is a table of settings, not per-client state.
  if (!ctor && value.namedChildren.some((c) => c.type !== 'comment')) return undefined;
  if (ctor) {
    if (lang === 'python' && !PY_STORE_CTOR.test(ctor.text)) return undefined;
    if (lang === 'python' && /(^|\.)(dict|Counter|OrderedDict)$/.test(ctor.text) && pythonArguments(value).positional.length + pythonArguments(value).keywords.size > 0) return undefined;
    if (lang === 'typescript' && !TS_STORE_CTOR.has(ctor.text)) return undefined;
    // new Map([[k, v], ...]) starts with entries: a lookup table, not per-client state.
    if (lang === 'typescript' && ctor.text === 'Map' && value.childForFieldName('arguments')?.namedChildren.length) return undefined;
  }
  let key: string;
  const left = decl.childForFieldName('left');
  const isThisMember = lang === 'typescript' && left?.type === 'member_expression';
  const isSelfAttr = lang === 'python' && left?.type === 'attribute';
  if (isSelfAttr || isThisMember) {
    // self._hits = {} / this.hits = new Map(): only where the instance is set up.
    const fn = ctx.enclosingFunction(decl);
    const fnName = fn?.childForFieldName('name')?.text;
    if (!fnName || !['__init__', '__post_init__', 'constructor'].includes(fnName)) return undefined;
    key = `${lang === 'python' ? 'self' : 'this'}.${name.text}`;
  } else if (decl.type === 'public_field_definition') {
    key = `this.${name.text}`;
  } else if (lang === 'python' && decl.parent?.parent?.parent?.type === 'class_definition') {
    key = `self.${name.text}`; // a class attribute, used as self.hits
  } else if (ctx.is('module-level', decl) || closureState(decl, lang, ctx)) {
    key = name.text;
  } else {
    return undefined; // a local of a function call: gone when the call returns
  }
  return {
    args: { what: `\`${key}\`, filled per client address,` },
    requires: [{ fact: FILL, key, related: 'filled per client address here' }],
  };
}

/**
 * A store declared in a factory that returns (or defines) the function filling it: a middleware
 * or decorator factory, whose closure keeps the store for the life of the process. Looks at the
 * statements after the declaration in the factory's body only; a request handler's locals are not state.
 */
function closureState(decl: SyntaxNode, lang: Lang, ctx: CheckContext): boolean {
  const stmt = decl.parent;
  const body = stmt?.parent;
  const fn = body?.parent;
  if (!stmt || !body || !fn || !isFunctionNode(fn, lang) || fn.childForFieldName('body')?.id !== body.id) return false;
  if (ctx.is('inside-handler', decl)) return false;
  for (let s = stmt.nextNamedSibling; s; s = s.nextNamedSibling) {
    if (lang === 'python' && (s.type === 'function_definition' || s.type === 'decorated_definition')) return true;
    if (lang === 'typescript' && s.type === 'function_declaration') return true;
    if (lang === 'typescript' && s.type === 'return_statement') {
      let r = s.namedChildren[0];
      while (r?.type === 'parenthesized_expression') r = r.namedChildren[0];
      if (r && ['arrow_function', 'function_expression', 'function'].includes(r.type)) return true;
    }
  }
  return false;
}

function checkGo(match: RuleMatch): CandidateInit | CandidateInit[] | undefined {
  const node = match.node('match')!;
  if (node.type === 'map_type') return checkGoMap(node, match.node('value')!);
  const pkg = match.text('pkg')!;
  const fn = match.text('fn')!;
  const { args, variadic } = goArguments(node);
  switch (fn) {
    case 'NewLimiter':
      return candidate('tollbooth\'s `NewLimiter`', [`tollbooth=${pkg}`]);
    case 'New': {
      const fiber = fiberWithoutStorage(args) ? candidate('Fiber\'s `limiter.New` without `Storage`', [`fiber-limiter=${pkg}`]) : undefined;
      const tollbooth = candidate('tollbooth\'s `limiter.New`', [`tollbooth-limiter=${pkg}`]);
      return fiber ? [fiber, tollbooth] : tollbooth;
    }
    case 'NewStore':
    case 'NewStoreWithOptions':
      return candidate('the memory store of ulule/limiter', [`ulule-memory=${pkg}`]);
    case 'LimitByIP':
    case 'LimitByRealIP':
    case 'LimitAll':
      return candidate(`httprate's \`${fn}\``, [`httprate=${pkg}`]);
    case 'Limit':
    case 'NewRateLimiter':
      // httprate.Limit(n, window, httprate.WithLimitCounter(redisCounter)) shares its counts.
      if (variadic || args.some((a) => a.type === 'variadic_argument') || args.some((a) => a.type === 'call_expression' && lastName(a.childForFieldName('function')) === 'WithLimitCounter')) return undefined;
      return candidate(`httprate's \`${fn}\` without \`WithLimitCounter\``, [`httprate=${pkg}`]);
    case 'NewRateLimiterMemoryStore':
    case 'NewRateLimiterMemoryStoreWithConfig':
      return candidate(`Echo's \`${fn}\``, [`echo-middleware=${pkg}`]);
    default:
      return undefined;
  }
}

/** limiter.New() / limiter.New(limiter.Config{Max: 20}) without Storage; a config from a variable is unknown. */
function fiberWithoutStorage(args: SyntaxNode[]): boolean {
  if (args.length === 0) return true;
  const lit = args[0];
  if (lit.type !== 'composite_literal') return false;
  const body = lit.childForFieldName('body');
  return !(body?.namedChildren ?? []).some((e) => e.type === 'keyed_element' && e.namedChildren[0]?.text === 'Storage');
}

const GO_BUILTIN_TYPES = new Set([
  'string', 'int', 'int8', 'int16', 'int32', 'int64', 'uint', 'uint8', 'uint16', 'uint32', 'uint64', 'uintptr',
  'float32', 'float64', 'complex64', 'complex128', 'bool', 'byte', 'rune', 'error', 'any',
]);

const GO_BUCKET_TYPES: Record<string, string> = { Limiter: 'x-rate', Bucket: 'juju-ratelimit' };

function checkGoMap(map: SyntaxNode, value: SyntaxNode): CandidateInit | CandidateInit[] | undefined {
  if (value.type === 'type_identifier' && GO_BUILTIN_TYPES.has(value.text)) return undefined;
  if (!declaresState(map)) return undefined;
  const shown = `\`${map.text.replace(/\s+/g, ' ')}\``;
  if (value.type === 'qualified_type') {
    const pkg = value.childForFieldName('package')!.text;
    const type = value.childForFieldName('name')!.text;
    if (type === 'Limiter') {
      return [
        candidate(`${shown} (one limiter per client)`, [`x-rate=${pkg}`]),
        candidate(`${shown} (one limiter per client)`, [`uber-ratelimit=${pkg}`]),
      ];
    }
    if (type === 'Bucket') return candidate(`${shown} (one token bucket per client)`, [`${GO_BUCKET_TYPES.Bucket}=${pkg}`]);
    return undefined;
  }
  return {
    args: { what: `${shown} (each \`${value.text}\` holds a rate limiter)` },
    requires: [{ fact: LIMITER_STRUCT, key: value.text, related: `\`${value.text}\` holds a rate limiter` }, { fact: BUCKET_IMPORT }],
  };
}

/**
 * Whether a map type declares long-lived state: a struct field, a named type, a package-level
 * variable, or a local variable made with make(...)/a literal. Not the value assigned to an
 * already reported field (`&Limiter{ips: make(map...)}`, `l.ips = make(map...)`), a parameter or a result.
 */
function declaresState(map: SyntaxNode): boolean {
  let n = map;
  // The outermost type: map[string]map[string]*rate.Limiter, []map[...]...
  while (n.parent && ['map_type', 'slice_type', 'array_type', 'pointer_type'].includes(n.parent.type)) n = n.parent;
  const p = n.parent;
  if (!p) return false;
  if (p.type === 'field_declaration' || p.type === 'type_spec' || p.type === 'type_alias') return true;
  if (p.type === 'var_spec') return true;
  // make(map[...]...) or map[...]...{} as the value of a variable declaration
  let expr: SyntaxNode | null = null;
  if (p.type === 'argument_list' && p.parent?.type === 'call_expression' && p.parent.childForFieldName('function')?.text === 'make') expr = p.parent;
  else if (p.type === 'composite_literal') expr = p;
  if (!expr) return false;
  // map[string]*rate.Limiter{"/upload": rate.NewLimiter(1, 5)}: a fixed set of limiters (per route), not per client.
  if (expr.type === 'composite_literal' && (expr.childForFieldName('body')?.namedChildren ?? []).some((c) => c.type !== 'comment')) return false;
  const list = expr.parent;
  if (list?.type !== 'expression_list') return false;
  const decl = list.parent;
  return decl?.type === 'var_spec' || (decl?.type === 'short_var_declaration' && decl.childForFieldName('right')?.id === list.id);
}

function checkTypescript(match: RuleMatch, ctx: CheckContext): CandidateInit | CandidateInit[] | undefined {
  const node = match.node('match')!;
  if (match.node('name')) return checkStoreDeclaration(match, ctx, 'typescript');
  if (node.type === 'new_expression') return checkTsNew(match, node);
  if (match.node('plugin')) return checkFastify(match, node);
  return checkExpressLimiter(match, node);
}

/** rateLimit({...}) / slowDown({...}): the store option decides; options from a variable are unknown. */
function checkExpressLimiter(match: RuleMatch, call: SyntaxNode): CandidateInit[] | undefined {
  const fn = match.text('fn')!;
  const ns = match.text('ns');
  const { args, spread } = jsArguments(call);
  if (spread) return undefined;
  if (args.length > 0) {
    if (args[0].type !== 'object') return undefined;
    const { props, spread: hidden } = objectProperties(args[0]);
    if (hidden || props.has('store')) return undefined;
  }
  const erl = ns ? (fn === 'rateLimit' || fn === 'default' ? `erl.*=${ns}` : undefined) : `erl.rateLimit=${fn}`;
  const sd = ns ? (fn === 'slowDown' || fn === 'default' ? `slowdown.*=${ns}` : undefined) : `slowdown.slowDown=${fn}`;
  const out: CandidateInit[] = [];
  if (erl) out.push(candidate('express-rate-limit without a `store` (its default MemoryStore)', [erl], { kind: 'express-rate-limit' }));
  if (sd) out.push(candidate('express-slow-down without a `store` (its default MemoryStore)', [sd], { kind: 'express-rate-limit' }));
  return out;
}

function checkTsNew(match: RuleMatch, expr: SyntaxNode): CandidateInit | CandidateInit[] | undefined {
  const ctor = match.text('ctor')!;
  const ns = match.text('ns');
  // new RateLimiterRedis({ storeClient, insuranceLimiter: new RateLimiterMemory(...) }): a fallback for when Redis is down.
  const pairKey = expr.parent?.type === 'pair' ? expr.parent.childForFieldName('key')?.text : undefined;
  if (pairKey === 'insuranceLimiter') return undefined;
  const out: CandidateInit[] = [];
  if (ns ? ctor === 'RateLimiterMemory' : true) {
    out.push(candidate('`RateLimiterMemory` of rate-limiter-flexible', [ns ? `rlf.*=${ns}` : `rlf.RateLimiterMemory=${ctor}`], { kind: 'rate-limiter-memory' }));
  }
  if (ns ? ctor === 'MemoryStore' : true) {
    out.push(candidate('express-rate-limit\'s `MemoryStore`', [ns ? `erl.*=${ns}` : `erl.MemoryStore=${ctor}`]));
  }
  return out;
}

/** fastify.register(rateLimit, { max: 100 }) without `redis` or `store`. */
function checkFastify(match: RuleMatch, call: SyntaxNode): CandidateInit | undefined {
  const { args, spread } = jsArguments(call);
  if (spread) return undefined;
  const opts = args[1];
  if (opts) {
    if (opts.type !== 'object') return undefined;
    const { props, spread: hidden } = objectProperties(opts);
    if (hidden || props.has('redis') || props.has('store')) return undefined;
  }
  return candidate('@fastify/rate-limit without `redis` or a `store`', [`fastify-rl.default=${match.text('plugin')}`]);
}

// ---------------------------------------------------------------------------------------------
// Fixes

/**
 * Adds an item at the end of an argument list or object literal, following its layout: one line
 * (`a, item`) or one item per line (a new line with the same indentation, trailing comma kept).
 */
function appendItem(container: SyntaxNode, item: string, text: string): TextEditInit[] {
  const items = container.namedChildren.filter((c) => c.type !== 'comment');
  const open = container.firstChild!;
  const close = container.lastChild!;
  const pad = container.type === 'object' ? ' ' : '';
  if (items.length === 0) return [{ start: open.endIndex, end: close.startIndex, newText: `${pad}${item}${pad}` }];
  const last = items[items.length - 1];
  const comma = last.nextSibling?.type === ',' ? last.nextSibling : undefined;
  const anchor = comma ?? last;
  if (text.slice(anchor.endIndex, close.startIndex).includes('\n')) {
    // After the rest of the last item's line (a trailing comment stays where it is).
    const nl = eol(text);
    const indent = indentAt(text, last.startIndex);
    let lineEnd = text.indexOf('\n', anchor.endIndex);
    if (text[lineEnd - 1] === '\r') lineEnd--;
    const added = `${nl}${indent}${item}${comma ? ',' : ''}`;
    if (comma) return [{ start: lineEnd, end: lineEnd, newText: added }];
    return [{ start: last.endIndex, end: lineEnd, newText: `,${text.slice(last.endIndex, lineEnd)}${added}` }];
  }
  if (comma) return [{ start: comma.endIndex, end: close.startIndex, newText: ` ${item}${pad}` }];
  return [{ start: last.endIndex, end: last.endIndex, newText: `, ${item}` }];
}

/** Adds an item at the start of an object literal, following its layout. */
function prependItem(obj: SyntaxNode, item: string, text: string): TextEditInit[] {
  const items = obj.namedChildren.filter((c) => c.type !== 'comment');
  const open = obj.firstChild!;
  if (items.length === 0) return appendItem(obj, item, text);
  const first = items[0];
  if (text.slice(open.endIndex, first.startIndex).includes('\n')) {
    return [{ start: open.endIndex, end: open.endIndex, newText: `${eol(text)}${indentAt(text, first.startIndex)}${item},` }];
  }
  return [{ start: first.startIndex, end: first.startIndex, newText: `${item}, ` }];
}

/** The module-level statements before an offset (declarations after it are not initialised yet). */
function statementsBefore(root: SyntaxNode, offset: number): SyntaxNode[] {
  return root.namedChildren.filter((s) => s.endIndex <= offset).map((s) => (s.type === 'export_statement' ? s.namedChildren.find((c) => c.type !== 'comment') ?? s : s));
}

// Python: storage_uri for slowapi

const REDIS_URL_NAME = /^redis_?(url|uri|dsn)$/i;

/**
 * A Redis URL the file already reads, usable where the limiter is created: a module-level
 * variable (`REDIS_URL = ...`), a settings attribute (`settings.redis_url`) or an environment read
 * (`os.environ["REDIS_URL"]`, `os.getenv("REDIS_URL", ...)`), each only when the names it uses are
 * bound at the top of the file before the limiter.
 */
function existingRedisUrl(target: FixTarget): string | undefined {
  const { root, node } = target;
  const top = statementsBefore(root, node.startIndex);
  for (const s of top) {
    const a = s.type === 'expression_statement' ? s.namedChildren[0] : undefined;
    const left = a?.type === 'assignment' ? a.childForFieldName('left') : undefined;
    if (left?.type === 'identifier' && REDIS_URL_NAME.test(left.text) && a!.childForFieldName('right')) return left.text;
  }
  for (const attr of root.descendantsOfType('attribute')) {
    const obj = attr.childForFieldName('object');
    if (obj?.type === 'identifier' && REDIS_URL_NAME.test(attr.childForFieldName('attribute')?.text ?? '') && boundAtTop(top, obj.text)) return attr.text;
  }
  for (const read of [...root.descendantsOfType('call'), ...root.descendantsOfType('subscript')]) {
    const callee = read.type === 'call' ? read.childForFieldName('function')?.text ?? '' : '';
    const isEnvCall = read.type === 'call' && /^(os\.)?(getenv|environ\.get)$/.test(callee);
    const isEnvIndex = read.type === 'subscript' && /^(os\.)?environ$/.test(read.childForFieldName('value')?.text ?? '');
    if (!isEnvCall && !isEnvIndex) continue;
    const keyNode = read.type === 'call' ? read.childForFieldName('arguments')?.namedChildren[0] : read.childForFieldName('subscript');
    const key = stringLiteral(keyNode);
    const head = /^\w+/.exec(read.text)![0];
    if (key && REDIS_URL_NAME.test(key) && boundAtTop(top, head)) return read.text;
  }
  return undefined;
}

/** Whether a top-level statement binds a name: `import os`, `from x import name [as name]`, `name = ...`. */
function boundAtTop(top: SyntaxNode[], name: string): boolean {
  return top.some((s) => {
    if (s.type === 'import_statement' || s.type === 'import_from_statement') {
      const names = s.type === 'import_statement' ? s.namedChildren : s.childrenForFieldName('name');
      return names.some((n) => (n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : n.text) === name);
    }
    const a = s.type === 'expression_statement' ? s.namedChildren[0] : undefined;
    return a?.type === 'assignment' && a.childForFieldName('left')?.text === name;
  });
}

/** How the file reads the environment at the top: `os.environ` (`import os`) or `environ` (`from os import environ`). */
function environAccess(target: FixTarget): string | undefined {
  const top = statementsBefore(target.root, target.node.startIndex);
  if (top.some((s) => s.type === 'import_statement' && s.namedChildren.some((c) => c.type === 'dotted_name' && c.text === 'os'))) return 'os.environ';
  const fromOs = top.some(
    (s) => s.type === 'import_from_statement' && s.childForFieldName('module_name')?.text === 'os' && s.childrenForFieldName('name').some((n) => n.text === 'environ'),
  );
  return fromOs ? 'environ' : undefined;
}

function slowapiStorageEdits(target: FixTarget, uri: string): TextEditInit[] | undefined {
  const args = target.node.childForFieldName('arguments');
  if (target.data.kind !== 'slowapi' || !args) return undefined;
  return appendItem(args, `storage_uri=${uri}`, target.text);
}

// TypeScript: Redis-backed stores when the file has a Redis client and the store class

interface RedisClient {
  name: string;
  flavor: 'ioredis' | 'node-redis';
}

/** All bindings of the limiter and Redis libraries at the top of the file, as `lib.export` → local. */
function fileBindings(root: SyntaxNode): Map<string, { local: string; decl: SyntaxNode }> {
  const out = new Map<string, { local: string; decl: SyntaxNode }>();
  const add = (clause: SyntaxNode, source: string, decl: SyntaxNode): void => {
    const lib = TS_LIBRARIES[source];
    if (!lib) return;
    for (const b of tsBindings(clause, lib)) {
      const [exported, local] = b.key.split('=');
      if (!out.has(exported)) out.set(exported, { local, decl });
    }
  };
  for (const s of root.namedChildren) {
    if (s.type === 'import_statement') {
      const clause = s.namedChildren.find((c) => c.type === 'import_clause');
      const source = stringLiteral(s.childForFieldName('source'));
      if (clause && source) add(clause, source, s);
    } else if (s.type === 'lexical_declaration' || s.type === 'variable_declaration') {
      for (const d of s.namedChildren) {
        const value = d.type === 'variable_declarator' ? d.childForFieldName('value') : null;
        if (value?.type !== 'call_expression' || value.childForFieldName('function')?.text !== 'require') continue;
        const source = stringLiteral(value.childForFieldName('arguments')?.namedChildren[0]);
        if (source) add(d.childForFieldName('name')!, source, s);
      }
    }
  }
  return out;
}

/** The first module-level Redis client declared before `offset`: `new Redis(...)` (ioredis) or `createClient(...)` (node-redis). */
function redisClientBefore(root: SyntaxNode, offset: number, bindings: Map<string, { local: string }>): RedisClient | undefined {
  const local = (key: string): string | undefined => bindings.get(key)?.local;
  for (const s of statementsBefore(root, offset)) {
    if (s.type !== 'lexical_declaration' && s.type !== 'variable_declaration') continue;
    for (const d of s.namedChildren) {
      const name = d.type === 'variable_declarator' ? d.childForFieldName('name') : null;
      let value = d.type === 'variable_declarator' ? d.childForFieldName('value') : null;
      if (name?.type !== 'identifier' || !value) continue;
      if (value.type === 'await_expression') value = value.namedChildren[0];
      // createClient(...).connect() resolves to the client (node-redis v4)
      if (value.type === 'call_expression' && lastName(value.childForFieldName('function')) === 'connect') {
        value = value.childForFieldName('function')!.childForFieldName('object')!;
      }
      if (value.type === 'new_expression') {
        const ctor = value.childForFieldName('constructor')!.text;
        if (ctor === local('ioredis.Redis') || ctor === `${local('ioredis.*')}.Redis`) return { name: name.text, flavor: 'ioredis' };
      }
      if (value.type === 'call_expression') {
        const fn = value.childForFieldName('function')!.text;
        if (fn === local('redis.createClient') || fn === `${local('redis.*')}.createClient`) return { name: name.text, flavor: 'node-redis' };
      }
    }
  }
  return undefined;
}

/** TypeScript annotations are wanted in .ts files and in TSX files that already use types. */
function wantsTypes(target: FixTarget): boolean {
  if (target.grammar === 'typescript') return true;
  if (target.grammar !== 'tsx') return false;
  return target.root.descendantsOfType(['type_annotation', 'interface_declaration', 'type_alias_declaration', 'as_expression']).length > 0;
}

function redisStoreEdits(target: FixTarget): TextEditInit[] | undefined {
  const { node: call, root, text } = target;
  if (target.data.kind !== 'express-rate-limit') return undefined;
  const bindings = fileBindings(root);
  const store = bindings.get('rlr.RedisStore');
  const client = redisClientBefore(root, call.startIndex, bindings);
  if (!store || !client) return undefined;
  const typed = wantsTypes(target);
  const edits: TextEditInit[] = [];
  let send: string;
  if (client.flavor === 'node-redis') {
    send = typed ? `(...args: string[]) => ${client.name}.sendCommand(args)` : `(...args) => ${client.name}.sendCommand(args)`;
  } else if (!typed) {
    send = `(command, ...args) => ${client.name}.call(command, ...args)`;
  } else {
    // ioredis' call() resolves to unknown: rate-limit-redis exports the reply type to cast to.
    let reply = bindings.get('rlr.RedisReply')?.local;
    if (!reply) {
      const imp = store.decl.type === 'import_statement' ? store.decl : undefined;
      const clause = imp?.namedChildren.find((c) => c.type === 'import_clause');
      if (!clause) return undefined;
      const named = clause.namedChildren.find((c) => c.type === 'named_imports');
      const specs = named?.namedChildren.filter((c) => c.type === 'import_specifier') ?? [];
      if (named && specs.length > 0) edits.push({ start: specs[specs.length - 1].endIndex, end: specs[specs.length - 1].endIndex, newText: ', type RedisReply' });
      else if (!named) edits.push({ start: clause.endIndex, end: clause.endIndex, newText: ', { type RedisReply }' });
      else return undefined;
      reply = 'RedisReply';
    }
    send = `(command: string, ...args: string[]) => ${client.name}.call(command, ...args) as Promise<${reply}>`;
  }
  const item = `store: new ${store.local}({ sendCommand: ${send} })`;
  const args = call.childForFieldName('arguments')!;
  const { args: list } = jsArguments(call);
  if (list.length === 0) edits.push({ start: args.startIndex + 1, end: args.endIndex - 1, newText: `{ ${item} }` });
  else if (list[0].type === 'object') edits.push(...appendItem(list[0], item, text));
  else return undefined;
  return edits;
}

function rateLimiterRedisEdits(target: FixTarget): TextEditInit[] | undefined {
  const { node: expr, root, text } = target;
  if (target.data.kind !== 'rate-limiter-memory') return undefined;
  const bindings = fileBindings(root);
  const ctor = expr.childForFieldName('constructor')!;
  let redisCtor: string | undefined;
  if (ctor.type === 'member_expression') {
    const ns = ctor.childForFieldName('object')!.text;
    if (bindings.get('rlf.*')?.local === ns) redisCtor = `${ns}.RateLimiterRedis`;
  } else {
    redisCtor = bindings.get('rlf.RateLimiterRedis')?.local;
  }
  const client = redisClientBefore(root, expr.startIndex, bindings);
  if (!redisCtor || !client) return undefined;
  const item = client.flavor === 'node-redis' ? `storeClient: ${client.name}, useRedisPackage: true` : `storeClient: ${client.name}`;
  const edits: TextEditInit[] = [{ start: ctor.startIndex, end: ctor.endIndex, newText: redisCtor }];
  const args = expr.childForFieldName('arguments');
  const list = args ? jsArguments(expr).args : [];
  if (!args) edits.push({ start: expr.endIndex, end: expr.endIndex, newText: `({ ${item} })` });
  else if (list.length === 0) edits.push({ start: args.startIndex + 1, end: args.endIndex - 1, newText: `{ ${item} }` });
  else if (list[0].type === 'object' && !objectProperties(list[0]).spread) edits.push(...prependItem(list[0], item, text));
  else return undefined;
  return edits;
}

// ---------------------------------------------------------------------------------------------

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python, go, typescript },
  check(match, ctx) {
    switch (match.language as QueryLanguage) {
      case 'python':
        return checkPython(match, ctx);
      case 'go':
        return checkGo(match);
      case 'typescript':
        return checkTypescript(match, ctx);
    }
  },
  facts(match) {
    const lang = match.language;
    switch (match.props.fact) {
      case IMPORT:
        return lang === 'python' ? pythonImportFacts(match) : lang === 'go' ? goImportFacts(match) : tsImportFacts(match);
      case FILL:
        return lang === 'go' ? undefined : fillFact(match, lang);
      case LIMITER_STRUCT:
        return [{ name: LIMITER_STRUCT, key: match.text('key')!, node: match.node('key')! }];
      default:
        return undefined;
    }
  },
  fixes: {
    'storage-uri-from-redis-url': (target) => {
      const url = existingRedisUrl(target);
      return url ? slowapiStorageEdits(target, url) : undefined;
    },
    'storage-uri-from-env': (target) => {
      if (existingRedisUrl(target)) return undefined; // the safe fix reuses it
      const environ = environAccess(target);
      return environ ? slowapiStorageEdits(target, `${environ}["RATELIMIT_STORAGE_URL"]`) : undefined;
    },
    'redis-store': (target) => redisStoreEdits(target),
    'rate-limiter-redis': (target) => rateLimiterRedisEdits(target),
  },
});
