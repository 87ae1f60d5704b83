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
import type { FileContext } from '../../server/src/model/file-context';
import { effectsOf, expandStatePredicates, lookupExpr, stateNames, type LibraryHit, type Row } from '../per-request-db-write/lookup';
import meta from './rule.json';
import pythonScm from './python.scm';
import goScm from './go.scm';
import typescriptScm from './typescript.scm';

const python = expandStatePredicates(pythonScm, 'python');
const go = expandStatePredicates(goScm, 'go');
const typescript = expandStatePredicates(typescriptScm, 'typescript');

/*
 * What a limiter is comes from the models: the call resolves to a symbol whose `state` says where
 * its counts live (`scope`), whether they are kept per client (`perClient`), which options move
 * them to a shared store (`sharedBy`) and which values of those still mean this process
 * (`processValues`), and which options of a shared limiter take a process-local one as a mere
 * fallback (`fallbackBy`).
 *
 * Facts this rule records (names are namespaced: all rules share one pool per file):
 * - FILL `store`: a store (`hits`, `self._hits`, `this.hits`) is filled per client address with
 *   timestamps or counts. The declaration of that store is the finding; the fill is its evidence.
 * - LIMITER_STRUCT `T`: a Go struct type T holds a process-local token bucket.
 * - FALLBACK `name`: the limiter bound to `name` is a shared limiter's fallback (insuranceLimiter).
 */
const FILL = 'rate-limiter.fill';
const LIMITER_STRUCT = 'rate-limiter.limiter-struct';
const FALLBACK = 'rate-limiter.fallback';

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

/**
 * Reads of the client's address the models do not name (matched on the text of one key expression):
 * the HTTP headers and CGI variables that carry it, and helpers named for it (naming judgement). What
 * a framework's request gives (`request.client.host`, `req.ip`, `req.socket.remoteAddress`,
 * `get_remote_address(request)`) is the models' `client-address` effect.
 */
const ADDRESS_TEXT: Record<'python' | 'typescript', RegExp> = {
  python: new RegExp(
    [
      String.raw`\bREMOTE_ADDR\b`,
      String.raw`\bscope\[["']client["']\]`,
      String.raw`\bHTTP_X_FORWARDED_FOR\b|\bHTTP_X_REAL_IP\b`,
      HEADER_ADDRESS,
      String.raw`\b(get_real_ip|get_ip|client_ip|get_client_address|get_remote_ip)\s*\(`,
    ].join('|'),
    'i',
  ),
  typescript: new RegExp(
    [HEADER_ADDRESS, String.raw`\b(getIp|getIP|getRemoteAddress|getRealIp|ipAddress|requestIP)\s*\(`].join('|'),
  ),
};

/** Whether the models say an expression reads the client's address (a member or a call with the `client-address` effect). */
function readsAddress(node: SyntaxNode): boolean {
  const file = current;
  if (!file) return false;
  const callee = node.type === 'call' || node.type === 'call_expression' ? node.childForFieldName('function') : node;
  if (!callee) return false;
  const look = lookupExpr(file, callee, (h) => effectsOf(h.row).has('client-address'));
  if (look.kind === 'library') return effectsOf(look.row).has('client-address');
  // A helper of a library called without its import in view (`get_remote_address(request)`): its many-word name.
  if (look.kind !== 'none' || callee.type !== 'identifier' || !/_|[a-z][A-Z]/.test(callee.text)) return false;
  return file.lang.libraries.some((l) => (l.file.symbols ?? []).some((sym) => sym.name.endsWith(`.${callee.text}`) && effectsOf(sym).has('client-address')));
}

/** Whether the models say a call reads the clock (`time.time()`, `datetime.now()`, `Date.now()`, `performance.now()`). */
function readsClock(call: SyntaxNode): boolean {
  const file = current;
  const callee = call.childForFieldName('function');
  if (!file || !callee) return false;
  const look = lookupExpr(file, callee, (h) => effectsOf(h.row).has('clock'));
  return look.kind === 'library' && effectsOf(look.row).has('clock');
}

/** The file being judged (set by check and facts: the readers above ask its resolver and models). */
let current: FileContext | undefined;

/** Names of locals and parameters that hold a point in time. */
const TIME_NAMES = new Set([
  'now', 't', 'ts', 'timestamp', 'currenttime', 'timenow', 'nowts', 'nowms', 'nowsec', 'nowseconds',
  'nowmillis', 'requesttime', 'reqtime', 'stamp', 'current', 'tick', 'nowtime', 'timestampms',
]);


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
      return readsAddress(node) || ADDRESS_TEXT[lang].test(node.text);
    case 'conditional_expression':
    case 'ternary_expression':
      // `request.client.host if request.client else "unknown"`: the address on one side
      return node.namedChildren.some((c) => isAddress(c, lang, depth + 1)) || ADDRESS_TEXT[lang].test(node.text);
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
      if (readsClock(node)) return true;
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

// ---------------------------------------------------------------------------------------------
// Limiters the models know: judged by the state their row gives them.

function tail(qname: string): string {
  return qname.slice(Math.max(qname.lastIndexOf('.'), qname.lastIndexOf('/')) + 1);
}

/** The library a resolved symbol belongs to, as its model names it (`slowapi`, `express-rate-limit`). */
function libraryName(file: FileContext, hit: LibraryHit): string {
  return file.lang.symbol(hit.qname)?.lib.name ?? hit.qname.slice(0, hit.qname.length - tail(hit.qname).length - 1);
}

/** What a call or constructor resolves to, strictly (the import must be there: a `Limiter` of the project is not slowapi's). */
function limiterOf(file: FileContext, callee: SyntaxNode | null | undefined): LibraryHit | undefined {
  if (!callee) return undefined;
  const look = lookupExpr(file, callee);
  return look.kind === 'library' && !look.loose && look.row.state ? look : undefined;
}

/** The options a call is given, by name: Python keywords, an options object, Go functional options and config literals. */
interface Options {
  names: Map<string, SyntaxNode>;
  /** Options may be hidden (`**kwargs`, a spread, an options variable, `opts...`): nothing can be said. */
  unknown: boolean;
  /** Where a new option would go (the options object), for messages. */
  given: boolean;
}

function optionsOf(call: SyntaxNode, row: Row, language: QueryLanguage, at = 0): Options {
  const names = new Map<string, SyntaxNode>();
  if (language === 'python') {
    const { keywords, splat } = pythonArguments(call);
    return { names: keywords, unknown: splat, given: keywords.size > 0 };
  }
  if (language === 'typescript') {
    const { args, spread } = jsArguments(call);
    const index = typeof row.arguments?.options === 'number' ? row.arguments.options : at;
    const opts = args[index];
    if (spread) return { names, unknown: true, given: true };
    if (!opts) return { names, unknown: false, given: false };
    if (opts.type !== 'object') return { names, unknown: true, given: true };
    const { props, spread: hidden } = objectProperties(opts);
    return { names: props, unknown: hidden, given: true };
  }
  // Go: `limiter.Config{Storage: s}` at the options argument, or functional options among the arguments
  // (`httprate.WithLimitCounter(c)`); a config from a variable, or `opts...`, hides them.
  const { args, variadic } = goArguments(call);
  if (variadic || args.some((a) => a.type === 'variadic_argument')) return { names, unknown: true, given: true };
  const index = typeof row.arguments?.options === 'number' ? row.arguments.options : undefined;
  if (index !== undefined) {
    const cfg = args[index];
    if (!cfg) return { names, unknown: false, given: false };
    if (cfg.type !== 'composite_literal') return { names, unknown: true, given: true };
    for (const e of cfg.childForFieldName('body')?.namedChildren ?? []) if (e.type === 'keyed_element' && e.namedChildren[0]) names.set(e.namedChildren[0].text, e);
    return { names, unknown: false, given: true };
  }
  for (const a of args) if (a.type === 'call_expression') names.set(lastName(a.childForFieldName('function')) ?? '', a);
  return { names, unknown: false, given: args.length > 0 };
}

/** A call of a limiter the models know: a finding when its counts stay in this process, per client. */
function checkLimiter(file: FileContext, call: SyntaxNode, hit: LibraryHit, language: QueryLanguage, optionsAt = 0): CandidateInit | undefined {
  const state = hit.row.state!;
  const lib = libraryName(file, hit);
  const name = tail(hit.qname);
  const shown = name === 'default' || tail(lib) === name ? lib : `${lib} \`${name}\``;
  const opts = optionsOf(call, hit.row, language, optionsAt);
  // Switched off (`enabled=False`): nothing is limited.
  const enabled = opts.names.get('enabled') ?? opts.names.get('enable');
  if (enabled && /^(?:False|false)$/.test(valueText(enabled))) return undefined;
  if (state.scope === 'shared') {
    // A store chosen by a URI (`storage_from_string("memory://")`): the values that still mean this process.
    if (!state.processValues?.length || !state.perClient) return undefined;
    const first = language === 'python' ? pythonArguments(call).positional[0] : language === 'go' ? goArguments(call).args[0] : jsArguments(call).args[0];
    const uri = stringLiteral(first);
    if (uri === undefined || !state.processValues.some((v) => v !== '' && uri.startsWith(v))) return undefined;
    return { args: { what: `\`${name}("${uri}")\` of \`${lib}\`` } };
  }
  if (state.scope !== 'process' || !state.perClient) return undefined;
  const sharing = (state.sharedBy ?? []).filter((o) => !/^[A-Z][A-Z0-9_]+$/.test(o));
  const environment = (state.sharedBy ?? []).filter((o) => /^[A-Z][A-Z0-9_]+$/.test(o));
  if (sharing.length === 0) {
    // A process-local limiter with no option that shares it (RateLimiterMemory, MemoryStorage, tollbooth).
    return { args: { what: language === 'typescript' || language === 'go' ? `\`${name}\` of ${lib}` : `\`${name}()\` of \`${lib}\`` }, data: { kind: 'process-class' } };
  }
  if (opts.unknown) return undefined;
  const given = sharing.find((o) => opts.names.has(o));
  if (given) {
    // Given, but to a value that still means this process (`storage_uri="memory://"`, `""`).
    const value = opts.names.get(given)!;
    const node = value.type === 'keyword_argument' ? value.childForFieldName('value') : value.type === 'pair' ? value.childForFieldName('value') : value;
    const text = stringLiteral(node);
    if (text === undefined || !(state.processValues ?? []).some((v) => (v === '' ? text === '' : text.startsWith(v)))) return undefined;
    return { args: { what: `${shown} with \`${given}="${text}"\`` } };
  }
  // `storage_uri` (or the environment variable that stands for it) not given: this process's memory.
  const env = environment.length > 0 ? ` (and no ${environment.join(' or ')} in the environment)` : '';
  const what = `${shown} without \`${sharing[0]}\`${env}`;
  return { args: { what }, data: { option: sharing[0], optionsAt } };
}

function valueText(node: SyntaxNode): string {
  const v = node.type === 'keyword_argument' || node.type === 'pair' ? node.childForFieldName('value') : node.type === 'keyed_element' ? node.namedChildren[1] : node;
  return v?.text ?? '';
}

function checkPython(match: RuleMatch, ctx: CheckContext): CandidateInit | CandidateInit[] | undefined {
  const node = match.node('match')!;
  if (match.node('fn')) {
    // The alias pattern leaves the models' own names to the first patterns.
    if (match.props.kind === 'alias' && LIMITER_NAMES.python.has(match.text('fn')!)) return undefined;
    const hit = limiterOf(match.file, node.childForFieldName('function'));
    return hit ? checkLimiter(match.file, node, hit, 'python') : undefined;
  }
  return checkStoreDeclaration(match, ctx, 'python');
}

/** The names the models give limiters (what the first Python patterns anchor on). */
const LIMITER_NAMES = { python: new Set(stateNames('python', 'symbols', ['effect:rate-limit'])) };

/** The language's own containers (a store of per-client state by construction). */
const PY_CONTAINERS = /(^|\.)(defaultdict|dict|OrderedDict|Counter)$/;

/** A constructor that makes a per-key store: the language's containers, or a process-local cache of the models. */
function isStoreConstructor(file: FileContext, ctor: SyntaxNode, lang: Lang): boolean {
  if (lang === 'python' ? PY_CONTAINERS.test(ctor.text) : ctor.text === 'Map') return true;
  const look = lookupExpr(file, ctor);
  return look.kind === 'library' && !look.loose && look.row.state?.scope === 'process' && (look.row.effects ?? []).includes('cache-write');
}

/** A module-level, class-level or constructor-made dict/Map: a finding when the file fills it per client address. */
function checkStoreDeclaration(match: RuleMatch, ctx: CheckContext, lang: Lang): CandidateInit | undefined {
  const decl = match.node('match')!;
  const name = match.node('name')!;
  const value = match.node('value')!;
  const ctor = match.node('ctor');
  // Only empty stores: a dict literal with entries is a table of settings, not per-client state.
  if (!ctor && value.namedChildren.some((c) => c.type !== 'comment')) return undefined;
  if (ctor) {
    if (!isStoreConstructor(match.file, ctor, lang)) return undefined;
    if (lang === 'python' && /(^|\.)(dict|Counter|OrderedDict)$/.test(ctor.text) && pythonArguments(value).positional.length + pythonArguments(value).keywords.size > 0) return undefined;
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
  if (node.type === 'map_type') return checkGoMap(match.file, node, match.node('value')!);
  const hit = limiterOf(match.file, node.childForFieldName('function'));
  return hit ? checkLimiter(match.file, node, hit, 'go') : undefined;
}

const GO_BUILTIN_TYPES = new Set([
  'string', 'int', 'int8', 'int16', 'int32', 'int64', 'uint', 'uint8', 'uint16', 'uint32', 'uint64', 'uintptr',
  'float32', 'float64', 'complex64', 'complex128', 'bool', 'byte', 'rune', 'error', 'any',
]);

/** Whether a written Go type is a process-local limiter of the models (one bucket: `*rate.Limiter`, `*ratelimit.Bucket`). */
function isBucketType(file: FileContext, written: string, at: number): boolean {
  const r = file.resolver.resolveType(written, at);
  if (r.kind !== 'value') return false;
  const t = file.lang.type(r.type);
  const state = (t?.row as unknown as Row | undefined)?.state;
  return state?.scope === 'process' && (t?.row.members ?? []).some((m) => m.effect === 'rate-limit' || m.effects?.includes('rate-limit'));
}

function checkGoMap(file: FileContext, map: SyntaxNode, value: SyntaxNode): CandidateInit | CandidateInit[] | undefined {
  if (value.type === 'type_identifier' && GO_BUILTIN_TYPES.has(value.text)) return undefined;
  if (!declaresState(map)) return undefined;
  const shown = `\`${map.text.replace(/\s+/g, ' ')}\``;
  if (value.type === 'qualified_type') {
    return isBucketType(file, value.text, value.startIndex) ? { args: { what: `${shown} (one limiter per client)` } } : undefined;
  }
  return {
    args: { what: `${shown} (each \`${value.text}\` holds a rate limiter)` },
    requires: [{ fact: LIMITER_STRUCT, key: value.text, related: `\`${value.text}\` holds a rate limiter` }],
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
  const file = match.file;
  if (match.node('plugin')) {
    // fastify.register(rateLimit, { max: 100 }): the plugin is the limiter, its options the second argument.
    const hit = limiterOf(file, match.node('plugin'));
    return hit ? checkLimiter(file, node, hit, 'typescript', 1) : undefined;
  }
  const callee = node.type === 'new_expression' ? node.childForFieldName('constructor') : node.childForFieldName('function');
  const hit = limiterOf(file, callee);
  if (!hit) return undefined;
  const found = checkLimiter(file, node, hit, 'typescript');
  if (!found || node.type !== 'new_expression') return found;
  // A process-local limiter handed to a shared one as its fallback while the store is down
  // (`new RateLimiterRedis({ storeClient, insuranceLimiter: new RateLimiterMemory(...) })`), directly or by name.
  if (fallbackOption(file, node)) return undefined;
  const bound = boundName(node);
  return bound ? { ...found, unless: [{ fact: FALLBACK, key: bound }] } : found;
}

/** Whether an expression is the value of a shared limiter's fallback option (`insuranceLimiter: ...`). */
function fallbackOption(file: FileContext, value: SyntaxNode): boolean {
  const pair = value.parent;
  if (pair?.type !== 'pair' || pair.childForFieldName('value')?.id !== value.id) return false;
  const opt = pair.childForFieldName('key')?.text ?? '';
  const owner = pair.parent?.parent?.parent;
  if (pair.parent?.type !== 'object' || pair.parent.parent?.type !== 'arguments' || (owner?.type !== 'new_expression' && owner?.type !== 'call_expression')) return false;
  const look = lookupExpr(file, owner.childForFieldName('constructor') ?? owner.childForFieldName('function')!);
  return look.kind === 'library' && (look.row.state?.fallbackBy ?? []).includes(opt);
}

/** The name a value is bound to: `const x = ...`, a class field, `this.x = ...`, `X.x = ...`. */
function boundName(value: SyntaxNode): string | undefined {
  const p = value.parent;
  if (p?.type === 'variable_declarator' || p?.type === 'public_field_definition') return p.childForFieldName('name')?.text.replace(/^#/, '');
  if (p?.type === 'assignment_expression' && p.childForFieldName('right')?.id === value.id) {
    const left = p.childForFieldName('left');
    return left?.type === 'identifier' ? left.text : left?.childForFieldName('property')?.text.replace(/^#/, '');
  }
  return undefined;
}

/** A fallback fact: the limiter a shared one's fallback option names (`insuranceLimiter: this.insuranceRateLimiter`). */
function fallbackFact(match: RuleMatch): FactInit[] | undefined {
  const key = match.node('key')!;
  if (!fallbackOption(match.file, key)) return undefined;
  const name = key.type === 'identifier' ? key.text : key.childForFieldName('property')?.text.replace(/^#/, '');
  return name ? [{ name: FALLBACK, key: name, node: key }] : undefined;
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
  if (target.data.option !== 'storage_uri' || target.language !== 'python' || !args) return undefined;
  return appendItem(args, `storage_uri=${uri}`, target.text);
}

// TypeScript: Redis-backed stores when the file has a Redis client and the store class

interface RedisClient {
  name: string;
  flavor: 'ioredis' | 'node-redis';
}

interface Imported {
  local: string;
  /** The model's symbol (`rate-limit-redis.default`), or the module for a namespace import. */
  qname: string;
  namespace: boolean;
  decl: SyntaxNode;
}

/** The file's imports of modules the models know, with the symbol each local name stands for. */
function fileImports(file: FileContext, root: SyntaxNode): Imported[] {
  const out: Imported[] = [];
  for (const b of file.imports()) {
    const lib = file.lang.libraryOfModule(b.module);
    if (!lib) continue;
    const decl = root.namedChildren.find((st) => st.startIndex <= b.start && b.end <= st.endIndex);
    if (!decl) continue;
    const whole = b.name === undefined;
    // A whole `require()` or a default import is the module's main export and its namespace.
    const sym = whole ? file.lang.symbol(b.module) ?? file.lang.symbol(`${b.module}.default`) : b.name === '*' ? undefined : file.lang.symbol(`${b.module}.${b.name}`);
    if (sym) out.push({ local: b.local, qname: sym.row.name, namespace: false, decl });
    if (whole || b.name === 'default' || b.name === '*') out.push({ local: b.local, qname: b.module, namespace: true, decl });
  }
  return out;
}

/** The local name a model symbol is bound to, or `ns.Name` through a namespace of its module. */
function localOf(imports: Imported[], qname: string, name: string, module: string): { local: string; decl: SyntaxNode } | undefined {
  const direct = imports.find((i) => !i.namespace && i.qname === qname);
  if (direct) return direct;
  const ns = imports.find((i) => i.namespace && i.qname === module);
  return ns ? { local: `${ns.local}.${name}`, decl: ns.decl } : undefined;
}

/** The first module-level Redis client declared before `offset`, and which API it has (the models' members: ioredis `call`, node-redis `sendCommand`). */
function redisClientBefore(file: FileContext, root: SyntaxNode, offset: number): RedisClient | undefined {
  for (const s of statementsBefore(root, offset)) {
    if (s.type !== 'lexical_declaration' && s.type !== 'variable_declaration') continue;
    for (const d of s.namedChildren) {
      const name = d.type === 'variable_declarator' ? d.childForFieldName('name') : null;
      const value = d.type === 'variable_declarator' ? d.childForFieldName('value') : null;
      if (name?.type !== 'identifier' || !value) continue;
      const r = file.resolve(value);
      const type = r.kind === 'value' ? r.type : r.kind === 'library' ? r.type ?? r.row.returns : undefined;
      if (!type) continue;
      if (file.lang.member(type, 'sendCommand')?.row.name === 'sendCommand') return { name: name.text, flavor: 'node-redis' };
      if (file.lang.member(type, 'call')?.row.name === 'call') return { name: name.text, flavor: 'ioredis' };
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

/** The Redis store of express-rate-limit this fix writes (`new RedisStore({ sendCommand })`): rate-limit-redis's API. */
const REDIS_STORE = { qname: 'rate-limit-redis.default', name: 'RedisStore', module: 'rate-limit-redis', reply: 'rate-limit-redis.RedisReply' };

function redisStoreEdits(target: FixTarget, file: FileContext): TextEditInit[] | undefined {
  const { node: call, root, text } = target;
  if (target.data.option !== 'store' || target.data.optionsAt !== 0 || target.language !== 'typescript') return undefined;
  const imports = fileImports(file, root);
  const store = localOf(imports, REDIS_STORE.qname, REDIS_STORE.name, REDIS_STORE.module);
  const client = redisClientBefore(file, root, call.startIndex);
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
    let reply = imports.find((i) => !i.namespace && i.qname === REDIS_STORE.reply)?.local;
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

function rateLimiterRedisEdits(target: FixTarget, file: FileContext): TextEditInit[] | undefined {
  const { node: expr, root, text } = target;
  if (target.data.kind !== 'process-class' || expr.type !== 'new_expression') return undefined;
  const ctor = expr.childForFieldName('constructor')!;
  const look = lookupExpr(file, ctor);
  if (look.kind !== 'library') return undefined;
  // The Redis-backed class of the same library (rate-limiter-flexible's RateLimiterRedis), as the file can name it.
  const lib = file.lang.symbol(look.qname)?.lib;
  const redis = ((lib?.file.symbols ?? []) as Row[]).find((r) => r.state?.scope === 'shared' && /Redis/.test(tail(r.name)));
  if (!lib || !redis) return undefined;
  const module = redis.name.slice(0, redis.name.length - tail(redis.name).length - 1);
  const redisCtor =
    ctor.type === 'member_expression'
      ? `${ctor.childForFieldName('object')!.text}.${tail(redis.name)}`
      : localOf(fileImports(file, root), redis.name, tail(redis.name), module)?.local;
  const client = redisClientBefore(file, root, expr.startIndex);
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
    current = match.file;
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
    current = match.file;
    const lang = match.language;
    switch (match.props.fact) {
      case FILL:
        return lang === 'go' ? undefined : fillFact(match, lang);
      case LIMITER_STRUCT: {
        // The field's type must be the models' limiter, not a `Limiter` of another package.
        const field = match.node('field')!;
        return isBucketType(match.file, field.text, field.startIndex) ? [{ name: LIMITER_STRUCT, key: match.text('key')!, node: match.node('key')! }] : undefined;
      }
      case FALLBACK:
        return fallbackFact(match);
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
    'redis-store': (target, ctx) => redisStoreEdits(target, ctx.file),
    'rate-limiter-redis': (target, ctx) => rateLimiterRedisEdits(target, ctx.file),
  },
});
