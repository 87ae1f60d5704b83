import type { SyntaxNode } from 'tree-sitter';
import {
  defineRule,
  type CandidateInit,
  type FactInit,
  type FixTarget,
  type RuleMatch,
  type RuleMeta,
  type TextEditInit,
} from '../../server/src/engine/rule-api';
import type { QueryLanguage } from '../../server/src/engine/languages';
import type { Effect } from '../../server/src/model/library';
import { enclosingFunction, isFunctionNode } from '../../server/src/engine/predicates';
import { calleeName, isLiteralCollection } from '../../server/src/engine/syntax';
import { eol, indentAt } from '../../server/src/engine/edit-helpers';
import { exprOf, isReference, type FileContext } from '../../server/src/model/file-context';
import type { CallSite, ExprRef } from '../../server/src/model/file-model';
import { transactionScoped } from '../../server/src/model/transaction-scope';
import type { Resolved } from '../../server/src/model/resolve';
import {
  BOUND_EFFECTS,
  IO_EFFECTS,
  bindingOf,
  boundName,
  byWritten,
  callsIn,
  callsWithin,
  effectsOf,
  hasEffect,
  isOwnCode,
  nodeOfSite,
  paramType,
  resolveCallee,
  resolveSite,
  readsOneWithRelation,
  transactionOptions,
} from './model';
import meta from './rule.json';
import python from './python.scm';
import go from './go.scm';
import typescript from './typescript.scm';

/*
 * A fan-out is concurrency started once per item of a collection. It is reported when the
 * collection is a data set (not written out in the code, not a fixed count of workers, not one
 * chunk of a larger list) and no bound is visible: a semaphore or limiter, errgroup SetLimit,
 * p-limit and the like, or a loop that waits for each batch. Everything here looks at the
 * matched node, its ancestors up to the enclosing function, the statements of the blocks on that
 * path and the text of those statements: no tree walks.
 */

const GROUP_BOUND: Record<QueryLanguage, string> = {
  python: 'an `asyncio.Semaphore` held by each coroutine, or by gathering in chunks',
  go: 'a buffered-channel semaphore, `errgroup` with `SetLimit`, or a fixed pool of workers reading from a channel',
  typescript: '`p-limit`, `p-map` with `concurrency`, or by awaiting one chunk at a time',
};

// ---------------------------------------------------------------------------------------------
// Where a node sits: its ancestors up to its function, the loops around it, the statements before it

interface Place {
  /** The node and its ancestors, nearest first, up to (not including) the enclosing function. */
  path: SyntaxNode[];
  fn?: SyntaxNode;
}

function placeOf(node: SyntaxNode, lang: QueryLanguage): Place {
  const path = [node];
  for (let n = node.parent; n; n = n.parent) {
    if (isFunctionNode(n, lang)) return { path, fn: n };
    path.push(n);
  }
  return { path };
}

function within(node: SyntaxNode, container: SyntaxNode | null | undefined): boolean {
  return !!container && node.startIndex >= container.startIndex && node.endIndex <= container.endIndex;
}

const STATEMENT_CONTAINERS: Record<QueryLanguage, ReadonlySet<string>> = {
  python: new Set(['block', 'module']),
  go: new Set(['statement_list', 'source_file']),
  typescript: new Set(['statement_block', 'program']),
};

/** How many enclosing functions a closure's names are looked up in (`io.runTask('x', async () => …)` inside a handler). */
const MAX_CLOSURES = 3;

/**
 * The statements ahead of the node in every block on its path, nearest first (innermost block
 * first), then, for a function written inside another (a callback), the statements ahead of it in
 * the function around it: a closure reads the names bound there.
 */
function statementsBefore(place: Place, lang: QueryLanguage): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  let at: Place | undefined = place;
  for (let depth = 0; at && depth <= MAX_CLOSURES; depth++) {
    for (let i = 1; i < at.path.length; i++) {
      const block = at.path[i];
      if (!STATEMENT_CONTAINERS[lang].has(block.type)) continue;
      const onPath = at.path[i - 1];
      const before = block.namedChildren.filter((s) => s.endIndex <= onPath.startIndex);
      for (let k = before.length - 1; k >= 0; k--) out.push(before[k]);
    }
    // A named declaration is not a closure over the statements around it in the same way (it may run anywhere).
    at = at.fn && lang === 'typescript' && (at.fn.type === 'arrow_function' || at.fn.type === 'function_expression' || at.fn.type === 'function') ? placeOf(at.fn, lang) : undefined;
    if (at && !at.fn) break;
  }
  return out;
}

interface Loop {
  node: SyntaxNode;
  /** What it iterates over, when it iterates the items of something. */
  iterable?: SyntaxNode;
  /** The loop variable(s). */
  variable?: SyntaxNode;
  /** `each`: once per item of iterable; `count`: a fixed number of times (`i < n; i++`); `other`: while, `for {}`. */
  kind: 'each' | 'count' | 'other';
  body?: SyntaxNode;
}

const PY_COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

/** The loops on a node's path whose repeated part holds the node, nearest first. */
function loopsAround(place: Place, lang: QueryLanguage): Loop[] {
  const loops: Loop[] = [];
  for (let i = 1; i < place.path.length; i++) {
    const n = place.path[i];
    const child = place.path[i - 1];
    const loop = asLoop(n, child, lang);
    if (loop) loops.push(loop);
  }
  return loops;
}

function asLoop(n: SyntaxNode, child: SyntaxNode, lang: QueryLanguage): Loop | undefined {
  if (lang === 'python') {
    if (n.type === 'for_statement') {
      const body = n.childForFieldName('body');
      if (!within(child, body)) return undefined;
      return { node: n, iterable: n.childForFieldName('right') ?? undefined, variable: n.childForFieldName('left') ?? undefined, kind: 'each', body: body ?? undefined };
    }
    if (n.type === 'while_statement') return within(child, n.childForFieldName('body')) ? { node: n, kind: 'other' } : undefined;
    if (PY_COMPREHENSIONS.has(n.type)) {
      const first = n.namedChildren.find((c) => c.type === 'for_in_clause');
      if (!first || within(child, first)) return undefined; // the first iterable is evaluated once
      return { node: n, iterable: first.childForFieldName('right') ?? undefined, variable: first.childForFieldName('left') ?? undefined, kind: 'each', body: n.childForFieldName('body') ?? undefined };
    }
    return undefined;
  }
  if (lang === 'go') {
    if (n.type !== 'for_statement') return undefined;
    const body = n.childForFieldName('body');
    if (!within(child, body)) return undefined;
    const range = n.namedChildren.find((c) => c.type === 'range_clause');
    if (range) return { node: n, iterable: range.childForFieldName('right') ?? undefined, variable: range.childForFieldName('left') ?? undefined, kind: 'each', body: body ?? undefined };
    const clause = n.namedChildren.find((c) => c.type === 'for_clause');
    const over = clause && lengthOf(clause.childForFieldName('condition'), lang);
    if (over) return { node: n, iterable: over, kind: 'each', body: body ?? undefined };
    return { node: n, kind: clause ? 'count' : 'other', body: body ?? undefined };
  }
  if (n.type === 'for_in_statement') {
    const body = n.childForFieldName('body');
    if (!within(child, body)) return undefined;
    return { node: n, iterable: n.childForFieldName('right') ?? undefined, variable: n.childForFieldName('left') ?? undefined, kind: 'each', body: body ?? undefined };
  }
  if (n.type === 'for_statement') {
    const body = n.childForFieldName('body');
    if (!within(child, body)) return undefined;
    const over = lengthOf(n.childForFieldName('condition'), lang);
    return over ? { node: n, iterable: over, kind: 'each', body: body ?? undefined } : { node: n, kind: 'count', body: body ?? undefined };
  }
  if (n.type === 'while_statement' || n.type === 'do_statement') return within(child, n.childForFieldName('body')) ? { node: n, kind: 'other' } : undefined;
  return undefined;
}

/** `i < len(users)` (Go), `i < users.length` (JS): the collection a counting loop walks. */
function lengthOf(cond: SyntaxNode | null | undefined, lang: QueryLanguage): SyntaxNode | undefined {
  const c = cond?.type === 'condition_expression' || cond?.type === 'parenthesized_expression' ? cond.namedChildren[0] : cond;
  if (c?.type !== 'binary_expression') return undefined;
  const right = c.childForFieldName('right');
  if (lang === 'go' && right?.type === 'call_expression' && right.childForFieldName('function')?.text === 'len') {
    return right.childForFieldName('arguments')?.namedChildren[0];
  }
  if (lang === 'typescript' && right?.type === 'member_expression' && right.childForFieldName('property')?.text === 'length') {
    return right.childForFieldName('object') ?? undefined;
  }
  return undefined;
}

/** The value a name was last given among the statements before the node (nearest first). */
function boundValue(name: string, statements: SyntaxNode[], lang: QueryLanguage): SyntaxNode | undefined {
  const values = boundValues(name, statements, lang);
  return values?.length === 1 ? values[0] : undefined;
}

/**
 * The values a name may hold after the statements before the node (nearest first): one
 * assignment, or one per branch of an `if` whose every branch assigns it (`let response; if (…)
 * response = await a({ limit }) else response = await b({ limit })`). Undefined when unknown.
 */
function boundValues(name: string, statements: SyntaxNode[], lang: QueryLanguage): SyntaxNode[] | undefined {
  for (const s of statements) {
    const v = bindingIn(s, name, lang);
    if (v !== undefined) return v ? [v] : undefined;
    const branches = ifBranches(s, lang);
    if (!branches) continue;
    const values = branches.map((b) => (b ? lastAssignment(b, name, lang) : undefined));
    if (values.every((x) => x === undefined)) continue;
    // Some branch (or the missing else) leaves the name as it was: what it was is not followed.
    return values.every((x): x is SyntaxNode => !!x) ? values : undefined;
  }
  return undefined;
}

/** The blocks of an `if` statement's branches, in order; undefined in place of a missing `else`. */
function ifBranches(s: SyntaxNode, lang: QueryLanguage): (SyntaxNode | undefined)[] | undefined {
  if (s.type !== 'if_statement') return undefined;
  const out: (SyntaxNode | undefined)[] = [];
  let node: SyntaxNode | null = s;
  for (let i = 0; node && i < 16; i++) {
    out.push(node.childForFieldName('consequence') ?? undefined);
    let alt: SyntaxNode | null = lang === 'python' ? null : node.childForFieldName('alternative');
    // TypeScript wraps the else in an else_clause; Python lists elif/else clauses as children.
    if (alt?.type === 'else_clause') alt = alt.namedChildren[0] ?? null;
    if (lang === 'python') {
      const clauses = node.namedChildren.filter((c) => c.type === 'elif_clause' || c.type === 'else_clause');
      for (const c of clauses) out.push(c.childForFieldName('consequence') ?? c.childForFieldName('body') ?? undefined);
      if (!clauses.some((c) => c.type === 'else_clause')) out.push(undefined);
      return out;
    }
    if (!alt) {
      out.push(undefined);
      return out;
    }
    if (alt.type === 'if_statement') {
      node = alt;
      continue;
    }
    out.push(alt);
    return out;
  }
  return undefined;
}

/** The value the last statement of a block that assigns the name gives it. */
function lastAssignment(block: SyntaxNode, name: string, lang: QueryLanguage): SyntaxNode | undefined {
  const statements = block.type === 'statement_block' || block.type === 'block' ? block.namedChildren : [block];
  for (let k = statements.length - 1; k >= 0; k--) {
    const v = bindingIn(statements[k], name, lang);
    if (v !== undefined) return v ?? undefined;
  }
  return undefined;
}

/** What statement `s` assigns to `name`: the value, null when it binds the name without one we can read, undefined when it does not bind it. */
function bindingIn(s: SyntaxNode, name: string, lang: QueryLanguage): SyntaxNode | null | undefined {
  if (lang === 'python') {
    const a = s.type === 'expression_statement' ? s.namedChildren[0] : undefined;
    if (a?.type === 'assignment' && a.childForFieldName('left')?.text === name) return a.childForFieldName('right');
    return undefined;
  }
  if (lang === 'go') {
    if (s.type === 'short_var_declaration' || s.type === 'assignment_statement') {
      const left = s.childForFieldName('left')?.namedChildren ?? [];
      const i = left.findIndex((l) => l.text === name);
      if (i < 0) return undefined;
      const right = s.childForFieldName('right')?.namedChildren ?? [];
      return right.length === left.length ? right[i] : null;
    }
    if (s.type === 'var_declaration') {
      for (const spec of s.namedChildren) {
        if (spec.type === 'var_spec' && spec.childrenForFieldName('name').some((n) => n.text === name)) {
          return spec.childForFieldName('value')?.namedChildren[0] ?? null;
        }
      }
    }
    return undefined;
  }
  if (s.type === 'lexical_declaration' || s.type === 'variable_declaration') {
    for (const d of s.namedChildren) {
      if (d.type !== 'variable_declarator') continue;
      const left = d.childForFieldName('name');
      if (left?.text === name) return d.childForFieldName('value');
      // `const [rows, total] = await Promise.all([query, count])`: the element at the name's place.
      if (left?.type === 'array_pattern') {
        const i = left.namedChildren.findIndex((c) => c.text === name);
        if (i < 0) continue;
        let v = d.childForFieldName('value');
        if (v?.type === 'await_expression') v = v.namedChildren[0] ?? null;
        const list = v?.type === 'call_expression' ? v.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment')[0] : v;
        const item = list?.type === 'array' ? list.namedChildren.filter((c) => c.type !== 'comment')[i] : undefined;
        return item ?? null;
      }
      // `const { results, total } = response`: a part of a response, as paged as the response.
      // `const { results: memberships } = await paginateQuery(...)` too.
      if (
        left?.type === 'object_pattern' &&
        left.namedChildren.some((c) => (c.type === 'shorthand_property_identifier_pattern' && c.text === name) || (c.type === 'pair_pattern' && c.childForFieldName('value')?.text === name))
      ) {
        return d.childForFieldName('value');
      }
    }
    return undefined;
  }
  const a = s.type === 'expression_statement' ? s.namedChildren[0] : undefined;
  if (a?.type === 'assignment_expression' && a.childForFieldName('left')?.text === name) return a.childForFieldName('right');
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Is the collection a data set?

/** Collections that are configuration or a worker count, not data: `workers`, `num_workers`, `shards`. */
const WORKER_NAME = /^(?:n|num_?workers|n_?workers|workers?|worker_?count|workerCount|numWorkers|max_?workers|maxWorkers|concurrency|parallelism|pool_?size|poolSize|shards|num_?shards|numShards|partitions|replicas|consumers|listeners|servers)$/i;
/** A constant: `HOSTS`, `settings.SHARDS`, `REGIONS`. */
const CONSTANT_NAME = /^_*[A-Z][A-Z0-9_]+$/;
/** One chunk of a larger list: `chunk`, `batch`, `user_batch`, `batchIds`, `page`. Plurals (`batches`) are lists of chunks. */
const CHUNK_NAME = /^(?:[a-z0-9]+_)*(?:chunk|batch|page|slice|window)(?:_[a-z0-9]+)*$|^(?:chunk|batch|page|slice|window)(?:[A-Z0-9]\w*)?$|[a-z0-9](?:Chunk|Batch|Page|Slice|Window)(?:[A-Z0-9]\w*)?$/;
/** A call that splits a list into chunks: `chunks(users, 100)`, `_.chunk(ids, 50)`, `itertools.batched`, `cursor.pages()`. */
const CHUNKER = /chunk|batch|islice|partition|grouper|paginat|pages/i;
/**
 * The page size of a query: `.limit(20)`, `.to_list(length=n)`, `take: 100`, `take,`/`limit,`
 * (shorthand), `limit: pageSize`, `LIMIT 50`, the request's pagination spread (`...ctx.state.pagination`). Its value decides whether the rows are a fixed handful.
 */
const QUERY_LIMIT = /\.limit\(\s*([\w.]+)\s*\)|\bto_list\(\s*(?:length\s*=\s*)?([\w.]+)\s*\)|\btake:\s*([\w.]+)|\blimit:\s*([\w.]+)|\b(take|limit)\s*[,}]|\bLIMIT\s+(\d+)\b|\.\.\.\s*([\w.]*[Pp]aginat\w*)/;
const SMALL = 100;
/** A page-size name: a bound chosen by the author (`PAGE_SIZE`, `batch_size`, `pageSize`). */
const PAGE_SIZE_NAME = /^_*[A-Z][A-Z0-9_]+$|batch|page|paginat|chunk|per_?page|^(?:limit|take|max_?rows|max_?results)$/i;

/** A call that returns one page of its rows (`paginateQuery(ctx, …)`, `paginate(query)`): its name says so. */
const PAGINATOR = /paginat/i;

/** Rows of a query whose page size is a small literal or a named page size, or of a paginator: one page, not the whole table. */
function isOnePage(value: SyntaxNode, lang: QueryLanguage, statements: SyntaxNode[]): boolean {
  const call = value.type === 'await_expression' || value.type === 'await' ? value.namedChildren[0] : value;
  const callee = call?.type === 'call' || call?.type === 'call_expression' ? call.childForFieldName('function') : undefined;
  const name = callee?.type === 'member_expression' ? callee.childForFieldName('property')?.text : callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text;
  if (name && PAGINATOR.test(name)) return true;
  const m = QUERY_LIMIT.exec(value.text);
  const size = m?.slice(1).find((g) => g !== undefined);
  if (!size || size === 'None' || size === 'null' || size === 'undefined') return false;
  if (/^\d+$/.test(size)) return Number(size) <= SMALL;
  const last = size.split('.').pop()!;
  const bound = /^[A-Za-z_$][\w$]*$/.test(size) ? boundValue(size, statements, lang) : undefined;
  if (bound && /^\d[\d_]*$/.test(bound.text)) return Number(bound.text.replace(/_/g, '')) <= SMALL;
  return PAGE_SIZE_NAME.test(last) || PAGE_SIZE_NAME.test(size);
}

type Kind = 'data' | 'fixed' | 'chunk';

/** Array methods whose result has at most as many items as the array (JavaScript's own, not a library's). */
const ARRAY_SAME_OR_FEWER = new Set(['map', 'filter', 'slice', 'sort', 'toSorted', 'reverse', 'toReversed']);

const PY_WRAPPERS = new Set(['enumerate', 'sorted', 'list', 'reversed', 'tuple', 'set', 'zip', 'iter']);

function unwrap(expr: SyntaxNode, lang: QueryLanguage): SyntaxNode {
  let e = expr;
  for (let i = 0; i < 4; i++) {
    if (e.type === 'parenthesized_expression' && e.namedChildren.length === 1) {
      e = e.namedChildren[0];
      continue;
    }
    const call = e.type === 'call' || e.type === 'call_expression' ? e : undefined;
    if (!call) break;
    const fn = call.childForFieldName('function');
    const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment');
    if (lang === 'python' && fn?.type === 'identifier' && PY_WRAPPERS.has(fn.text) && args[0] && args[0].type !== 'keyword_argument') {
      e = args[0];
      continue;
    }
    // users.items(), users.keys(), Object.entries(users), users.entries()
    const prop = fn?.childForFieldName('attribute') ?? fn?.childForFieldName('property');
    const obj = fn?.childForFieldName('object');
    if (prop && obj && /^(items|keys|values|entries)$/.test(prop.text) && args.length === 0) {
      e = obj;
      continue;
    }
    if (lang === 'typescript' && obj?.text === 'Object' && prop && /^(keys|values|entries)$/.test(prop.text) && args[0]) {
      e = args[0];
      continue;
    }
    break;
  }
  return e;
}

/** The names an expression reads first and last: `page.items` → page, items; `users` → users. */
function rootAndLast(expr: SyntaxNode): { root?: string; last?: string } {
  if (expr.type === 'identifier') return { root: expr.text, last: expr.text };
  const last = expr.childForFieldName('attribute') ?? expr.childForFieldName('property') ?? expr.childForFieldName('field');
  if (!last) return {};
  let r: SyntaxNode | null = expr;
  for (let i = 0; i < 8 && r && r.type !== 'identifier' && r.type !== 'this'; i++) r = r.childForFieldName('object') ?? r.childForFieldName('operand') ?? r.childForFieldName('value');
  return { root: r?.type === 'identifier' ? r.text : undefined, last: last.text };
}

/** A slice with an end: `users[i:i + 100]`, `users[:50]`, `ids[i:end]` (Go), `ids.slice(i, i + 100)`. */
function isBoundedSlice(expr: SyntaxNode, lang: QueryLanguage): boolean {
  if (lang === 'python' && expr.type === 'subscript') {
    const slice = expr.childForFieldName('subscript');
    if (slice?.type !== 'slice') return false;
    const parts = slice.text.split(':');
    return parts.length >= 2 && parts[1].trim() !== '';
  }
  if (lang === 'go' && expr.type === 'slice_expression') return expr.childForFieldName('end') !== null;
  if (lang === 'typescript' && expr.type === 'call_expression') {
    const fn = expr.childForFieldName('function');
    const prop = fn?.type === 'member_expression' ? fn.childForFieldName('property')?.text : undefined;
    const args = expr.childForFieldName('arguments')?.namedChildren ?? [];
    return (prop === 'slice' || prop === 'splice') && args.length === 2;
  }
  return false;
}

/** A loop over chunks: the loop variable is one chunk (`for chunk in chunks(users, 100)`, `for batch in batches`). */
function isChunkLoop(loop: Loop): boolean {
  const it = loop.iterable;
  if (!it) return false;
  if ((it.type === 'call' || it.type === 'call_expression') && CHUNKER.test(it.childForFieldName('function')?.text ?? '')) return true;
  const { last } = rootAndLast(it);
  return last !== undefined && /chunk|batch|pages/i.test(last);
}

function loopVariables(loop: Loop): string[] {
  const v = loop.variable;
  if (!v) return [];
  if (v.type === 'identifier') return [v.text];
  return v.text.match(/[A-Za-z_$][\w$]*/g) ?? [];
}

/** Where a collection is judged: the file (for what its calls are), the statements before the use, the loops around it. */
interface Scope {
  file?: FileContext;
  lang: QueryLanguage;
  statements: SyntaxNode[];
  loops: Loop[];
}

/** How many names and calls a collection is followed through to where it comes from (`groups` ← `uniqBy(rows.map(…))` ← `rows` ← a query). */
const MAX_FOLLOW = 5;

function classify(expr: SyntaxNode, env: Scope, depth = 0): Kind {
  const { lang, statements, loops } = env;
  const e = unwrap(expr, lang);
  // `[...inText, ...forDocument]`: as many items as the lists it spreads.
  const spreads = lang === 'typescript' && e.type === 'array' ? e.namedChildren.filter((c) => c.type === 'spread_element') : [];
  if (spreads.length > 0 && depth < MAX_FOLLOW) {
    const kinds = spreads.map((sp) => classify(sp.namedChildren[0], env, depth + 1));
    return kinds.includes('data') ? 'data' : kinds.includes('chunk') ? 'chunk' : 'fixed';
  }
  // `for host in "a", "b":` (a tuple without parentheses)
  if (isLiteralCollection(e) || (lang === 'python' && e.type === 'expression_list')) return 'fixed';
  // `[f"foo{i}" for i in range(10)]`: a comprehension has at most as many items as what it walks.
  if (lang === 'python' && PY_COMPREHENSIONS.has(e.type) && depth < 2) {
    const kinds = e.namedChildren.filter((c) => c.type === 'for_in_clause').map((c) => c.childForFieldName('right'));
    if (kinds.length > 0 && kinds.every((r) => r && classify(r, env, depth + 1) === 'fixed')) return 'fixed';
  }
  if (e.type === 'int_literal' || e.type === 'integer' || e.type === 'number') return 'fixed';
  if (lang === 'python' && e.type === 'call' && e.childForFieldName('function')?.text === 'range') {
    // range(n_workers) is a count; range(len(users)) and range(0, total, 100) walk a data set.
    const args = e.childForFieldName('arguments')?.namedChildren ?? [];
    return args.length === 1 && !/\blen\s*\(/.test(args[0].text) ? 'fixed' : 'data';
  }
  if (lang === 'typescript' && /^(?:\[\s*\.\.\.\s*(?:new\s+)?Array\s*\(|(?:new\s+)?Array\s*\(|Array\.from\(\s*\{\s*length\b)/.test(e.text)) return 'fixed';
  if (isBoundedSlice(e, lang)) return 'chunk';
  // `rows.map(f)`, `rows.filter(p)`: as many items as the list they walk, at most.
  if (lang === 'typescript' && e.type === 'call_expression' && depth < MAX_FOLLOW) {
    const fn = e.childForFieldName('function');
    const method = fn?.type === 'member_expression' ? fn.childForFieldName('property')?.text : undefined;
    const receiver = fn?.childForFieldName('object');
    if (receiver && method && ARRAY_SAME_OR_FEWER.has(method)) return classify(receiver, env, depth + 1);
  }
  const subset = depth < MAX_FOLLOW ? subsetOf(e, env.file) : undefined;
  if (subset) return classify(subset, env, depth + 1);
  // `envelope.recipients` of `envelope = await prisma.envelope.findFirst({ include: { recipients: true } })`: one record's children.
  if (lang === 'typescript' && e.type === 'member_expression' && env.file && depth < MAX_FOLLOW) {
    const obj = e.childForFieldName('object');
    const rel = e.childForFieldName('property')?.text;
    const values = obj?.type === 'identifier' && rel ? boundValues(obj.text, statements, lang) : undefined;
    if (values?.length === 1 && readsOneWithRelation(env.file, values[0], rel!)) return 'fixed';
  }
  const { root, last } = rootAndLast(e);
  if (last !== undefined && (CONSTANT_NAME.test(last) || WORKER_NAME.test(last))) return 'fixed';
  if ((root !== undefined && CHUNK_NAME.test(root)) || (last !== undefined && CHUNK_NAME.test(last))) return 'chunk';
  if (root !== undefined && loops.some((l) => isChunkLoop(l) && loopVariables(l).includes(root))) return 'chunk';
  if (e.type === 'identifier' && depth < MAX_FOLLOW) {
    const values = boundValues(e.text, statements, lang);
    if (values) {
      // A name assigned in each branch of an `if` is as bounded as its least bounded value.
      const kinds = values.map((value): Kind => {
        // `authors := map[int64]Author{}` / `ids = []`, filled by the code that follows: not a fixed set.
        if (isEmptyLiteral(value)) return 'data';
        if (isOnePage(value, lang, statements)) return 'fixed';
        return classify(value, env, depth + 1);
      });
      return kinds.includes('data') ? 'data' : kinds.includes('chunk') ? 'chunk' : 'fixed';
    }
  }
  return 'data';
}

/** `uniqBy(rows, 'id')`, `_.compact(rows)`: a library call the models say gives at most the items of its first argument. */
function subsetOf(e: SyntaxNode, file: FileContext | undefined): SyntaxNode | undefined {
  if (!file || (e.type !== 'call_expression' && e.type !== 'call')) return undefined;
  const site = file.callAt(e);
  if (!site || !hasEffect(resolveSite(file, site), ['subset'])) return undefined;
  return (e.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment' && a.type !== 'keyword_argument')[0];
}

/** An empty collection literal (`[]`, `{}`, `map[K]V{}`, `[]T{}`): an accumulator the code fills, not a set written out. */
function isEmptyLiteral(node: SyntaxNode): boolean {
  const body = node.type === 'composite_literal' ? node.childForFieldName('body') : /^(list|tuple|set|dictionary|array|object)$/.test(node.type) ? node : null;
  return !!body && body.namedChildren.every((c) => c.type === 'comment');
}

function short(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 40 ? `${t.slice(0, 39)}…` : t;
}

// ---------------------------------------------------------------------------------------------
// What is fanned out: the work each item does, from the program model

/**
 * What one per-item call is: `io` (a library call that holds a connection or makes a remote call:
 * a query, an HTTP request, an SMTP exchange), `tx` (I/O serialised by a transaction: one
 * connection, one statement at a time), `bounded` (goes through a limiter or semaphore), `pooled`
 * (handed to a thread pool), `spawn` (starts a task: reported where it starts), `own` (the
 * project's own function: what it does is asked of the program), `none` (a library call that does
 * no such I/O), `unknown` (nothing resolves it: judged as before the model, as work).
 */
/** A helper named for what it does to the coroutine it wraps: `bounded(sem, fetch(u))`, `limited(...)`. */
const BOUNDED_HELPER = /bounded|limited/i;

/** `project`: a function of another file of the workspace, which the program follows (see withVerdict). */
type WorkKind = 'io' | 'tx' | 'bounded' | 'pooled' | 'spawn' | 'own' | 'project' | 'none' | 'unknown';

interface Work {
  kind: WorkKind;
  site: CallSite;
}

/** A name the models give to calls with one of these effects, for callees nothing resolves. */
function namedLike(file: FileContext, callee: ExprRef, effects: readonly string[]): boolean {
  const last = callee.path?.[callee.path.length - 1];
  return !!last && file.lang.namesWith(effects).includes(last);
}

function classifySite(file: FileContext, site: CallSite): Work {
  const r = resolveSite(file, site);
  if (serialisedByTransaction(file, site, r)) return { kind: 'tx', site };
  if (r.kind === 'library') {
    const effects = effectsOf(r.row);
    if (effects.some((e) => BOUND_EFFECTS.includes(e))) return { kind: 'bounded', site };
    if (effects.includes('to-thread')) return { kind: 'pooled', site };
    if (effects.includes('spawn')) return { kind: 'spawn', site };
    if (effects.some((e) => (IO_EFFECTS as readonly string[]).includes(e))) return { kind: 'io', site };
    return { kind: 'none', site };
  }
  // A function of this file (also one bound to a local name: `const walk = async (xs) => …`): what
  // it does is read below. A function of another file is the program's to follow (`project`).
  if (r.kind === 'function' || localFunction(file, site) !== undefined) return { kind: 'own', site };
  // Nothing resolves it: a limiter, a thread pool or a spawn by the models' names and conventions.
  if (boundReceiver(file, site) || boundByBinding(file, site)) return { kind: 'bounded', site };
  const path = site.callee.path ?? [];
  if (path.length === 1 && BOUNDED_HELPER.test(path[0])) return { kind: 'bounded', site };
  // `fetch(u, sem)`: the coroutine is handed a semaphore or limiter (Python).
  if (file.language === 'python' && site.args.some((a) => a.kind === 'name' && !!a.path && boundName(file.lang, a.path[a.path.length - 1]))) return { kind: 'bounded', site };
  if (namedLike(file, site.callee, ['to-thread'])) return { kind: 'pooled', site };
  if (namedLike(file, site.callee, ['spawn']) && (site.callee.path?.length ?? 0) > 1) return { kind: 'spawn', site };
  if (r.kind === 'import' && r.module !== undefined) return { kind: 'project', site };
  return { kind: 'unknown', site };
}

/** `sem.acquire()`, `self._limiter.schedule(...)`, `limit(() => ...)`: a receiver or callee named like a limiter the models know. */
function boundReceiver(file: FileContext, site: CallSite): boolean {
  const path = site.callee.path ?? [];
  if (path.length === 0) return false;
  const holder = path.length === 1 ? path[0] : path[path.length - 2];
  if (!boundName(file.lang, holder)) return false;
  return path.length === 1 || file.lang.namesWith(BOUND_EFFECTS).includes(path[path.length - 1]);
}

/** `limit(...)` where `limit = pLimit(10)`: the callee is bound to what a limiter factory returns. */
function boundByBinding(file: FileContext, site: CallSite): boolean {
  const path = site.callee.path ?? [];
  if (path.length !== 1) return false;
  const v = bindingOf(file, path[0], site.start);
  if (!v || (v.kind !== 'call' && v.kind !== 'new') || !v.path) return false;
  const r = file.resolver.resolve({ ...v, kind: 'name' }, v.start);
  const lib = r.kind === 'unknown' ? byWritten(file.lang, v.path.join('.')) : r;
  return hasEffect(lib, BOUND_EFFECTS) || (lib.kind !== 'library' && lib.kind !== 'function' && file.lang.namesWith(BOUND_EFFECTS).includes(v.path[v.path.length - 1]));
}

/**
 * Calls that run inside one transaction run on its one connection, one statement at a time: the
 * call passes the transaction as an option (`{ transaction }`, the option names the models give), or
 * its receiver is the parameter of a callback a transaction runs (`$transaction(async (tx) => …)`).
 */
function serialisedByTransaction(file: FileContext, site: CallSite, r: Resolved): boolean {
  const options = transactionOptions(file.lang);
  if (site.keywords.some((k) => options.has(k))) return true;
  // `x.updateWithCtx(ctx, …)` where `ctx = createContext({ user, transaction })`: a context that carries the transaction.
  for (const a of site.args) {
    if (a.kind !== 'name' || a.path?.length !== 1) continue;
    const v = bindingOf(file, a.path[0], site.start);
    if ((v?.kind === 'call' || v?.kind === 'new') && v.keywords?.some((k) => options.has(k))) return true;
  }
  const root = site.callee.path?.[0];
  if (!root || site.callee.receiver) return false;
  for (let fi = file.resolver.functionAt(site.start); fi !== undefined; fi = file.model.functions[fi].parent) {
    const fn = file.model.functions[fi];
    if (fn.locals.some((b) => b.name === root && b.start <= site.start)) return false;
    if (!fn.params.some((p) => p.name === root)) continue;
    if (fn.passedTo === undefined) return false;
    return runsInTransaction(file, file.model.calls[fn.passedTo]);
  }
  void r;
  return false;
}

/** A call that runs its callback in a transaction: by its model row, or by the models' names when it is not resolved to a function of this file. */
function runsInTransaction(file: FileContext, call: CallSite): boolean {
  const r = resolveSite(file, call);
  if (r.kind === 'library') return effectsOf(r.row).includes('transaction');
  if (r.kind === 'function') return false;
  return namedLike(file, call.callee, ['transaction']);
}

/**
 * The calls whose results make up the per-item promise or task: an expression body's call, the
 * calls a block awaits or returns (all its direct calls when it awaits none), the call a comprehension
 * element or a `go` statement makes, the calls in a goroutine's body.
 */
function perItemSites(file: FileContext, element: SyntaxNode | undefined, lang: QueryLanguage): CallSite[] {
  return perItemCalls(file, element, lang).flatMap((c) => promiseParts(file, c));
}

/** `send(u).catch(log)`, `load(id).then(toDto)`: the promise is the call the handler is attached to. */
const PROMISE_HANDLERS = new Set(['catch', 'then', 'finally']);

/**
 * The work of a promise chain: the call the handlers are attached to, and what the handlers call
 * (`render(u).then((html) => mailer.send(u, html))` sends mail per item).
 */
function promiseParts(file: FileContext, site: CallSite): CallSite[] {
  const handlers: CallSite[] = [];
  for (let at = site; ; ) {
    const path = at.callee.path ?? [];
    const inner = at.callee.receiver;
    const call = path.length === 1 && PROMISE_HANDLERS.has(path[0]) && inner?.kind === 'call' ? file.callSpanning(inner.start, inner.end) : undefined;
    if (!call) return [at, ...handlers.flatMap((h) => h.args.flatMap((a) => callsWithin(file, a.start, a.end)))];
    handlers.push(at);
    at = call;
  }
}

function perItemCalls(file: FileContext, element: SyntaxNode | undefined, lang: QueryLanguage): CallSite[] {
  if (!element) return [];
  const at = (n: SyntaxNode | null | undefined): CallSite | undefined => (n ? file.callAt(n) : undefined);
  const unwrapExpr = (n: SyntaxNode | null | undefined): SyntaxNode[] => {
    if (!n) return [];
    if (n.type === 'await_expression' || n.type === 'await' || n.type === 'parenthesized_expression') return unwrapExpr(n.namedChildren[0]);
    if (n.type === 'ternary_expression') return [...unwrapExpr(n.childForFieldName('consequence')), ...unwrapExpr(n.childForFieldName('alternative'))];
    if (n.type === 'conditional_expression') return [...unwrapExpr(n.namedChildren[0]), ...unwrapExpr(n.namedChildren[2])];
    return [n];
  };
  if (isFunctionNode(element, lang)) {
    const direct = callsIn(file, element);
    const body = element.childForFieldName('body');
    if (lang === 'go') return direct;
    if (body && body.type !== 'statement_block' && body.type !== 'block') {
      const calls = unwrapExpr(body).map(at).filter((c): c is CallSite => !!c);
      return calls.length > 0 ? calls : direct;
    }
    const yielded = direct.filter((c) => c.awaited || returned(c, element.tree.rootNode));
    return yielded.length > 0 ? yielded : direct;
  }
  // `items.map(present)`, `map(refresh, users)`: the function handed over is what each item calls.
  if (isReference(element)) {
    const callee = exprOf(lang, element);
    if (callee?.kind === 'name') return [{ callee, start: element.startIndex, end: element.endIndex, awaited: false, args: [], keywords: [] }];
  }
  const own = unwrapExpr(element).map(at).filter((c): c is CallSite => !!c);
  if (own.length > 0) return own;
  // A loop body that builds the list: the calls in it.
  return callsWithin(file, element.startIndex, element.endIndex);
}

function returned(site: CallSite, root: SyntaxNode): boolean {
  const node = nodeOfSite(root, site);
  return node?.parent?.type === 'return_statement';
}

/**
 * How strong the evidence is that a fan-out multiplies I/O. `report`: some item does I/O, or does
 * what nothing resolves (judged as before the model); `silent`: bounded, pooled, serialised by a
 * transaction, or nothing per item that holds a connection (the calls all resolve to library calls
 * that do no I/O, or to functions of this file that do none).
 */
type Verdict = { kind: 'report' } | { kind: 'silent'; why: WorkKind | 'nothing' } | { kind: 'through'; site: CallSite; needs: readonly Effect[] };

function judgeWork(works: Work[], needs: readonly Effect[] = IO_EFFECTS): Verdict {
  if (works.some((w) => w.kind === 'bounded')) return { kind: 'silent', why: 'bounded' };
  if (works.some((w) => w.kind === 'pooled')) return { kind: 'silent', why: 'pooled' };
  if (works.some((w) => w.kind === 'spawn')) return { kind: 'silent', why: 'spawn' };
  if (works.some((w) => w.kind === 'io' || w.kind === 'unknown')) return { kind: 'report' };
  if (works.some((w) => w.kind === 'tx')) return { kind: 'silent', why: 'tx' };
  // Only functions of other files: reported if the program finds I/O through the first of them.
  const project = works.find((w) => w.kind === 'project');
  if (project) return { kind: 'through', site: project.site, needs };
  return { kind: 'silent', why: 'nothing' };
}

function verdictFor(file: FileContext, element: SyntaxNode | undefined, lang: QueryLanguage, items?: SyntaxNode): Verdict {
  const sites = perItemSites(file, element, lang);
  if (sites.length === 0) return { kind: 'report' }; // an expression nothing models: as before
  // What a function of this file does is read here, through up to three levels of its calls.
  const works = expandOwn(file, sites.map((s) => classifySite(file, s)), new Set(), 0, element!.tree.rootNode, lang);
  if (items && genericCombinator(file, works, items)) return { kind: 'silent', why: 'nothing' };
  if (!inTransactionScope(file, element!.startIndex)) return judgeWork(works);
  // The queries are serialised; what else an item does (another file's service: a remote call?) still counts.
  const rest = works.map((w) => serialisedInScope(file, w)).filter((w) => w.kind !== 'tx');
  return rest.length > 0 ? judgeWork(rest, REMOTE_EFFECTS) : { kind: 'silent', why: 'tx' };
}

/**
 * `filterAsync(arr, predicate)`: both the items and the work per item are the caller's (parameters
 * of the function around the fan-out). Whether that is a data set and I/O is known only where it
 * is called, so a utility like this is no finding of its own.
 */
function genericCombinator(file: FileContext, works: Work[], items: SyntaxNode): boolean {
  if (items.type !== 'identifier') return false;
  const fi = file.resolver.functionAt(items.startIndex);
  if (fi === undefined) return false;
  const params = new Set(file.model.functions[fi].params.map((p) => p.name));
  if (!params.has(items.text)) return false;
  return works.length > 0 && works.every((w) => {
    const path = w.site.callee.path ?? [];
    return w.kind === 'unknown' && !w.site.callee.receiver && path.length === 1 && params.has(path[0]);
  });
}

/**
 * Remote work a transaction does not serialise: what an item must still reach to be reported when
 * the fan-out runs inside a transaction scope (its queries share the transaction's one connection).
 */
const REMOTE_EFFECTS = IO_EFFECTS.filter((e) => !e.startsWith('db-'));

/**
 * The fan-out runs inside a method a decorator runs in one transaction (`@Transaction()`,
 * `@Transactional()`): every query the items make through the request's context or the
 * transaction's store goes to that transaction's one connection, one statement at a time.
 */
function inTransactionScope(file: FileContext, at: number): boolean {
  for (let fi = file.resolver.functionAt(at); fi !== undefined; fi = file.model.functions[fi].parent) if (transactionScoped(file, fi)) return true;
  return false;
}

/** A library query in a transaction scope runs on the transaction's connection. */
function serialisedInScope(file: FileContext, w: Work): Work {
  if (w.kind !== 'io') return w;
  const r = resolveSite(file, w.site);
  return r.kind === 'library' && !hasEffect(r, REMOTE_EFFECTS) ? { kind: 'tx', site: w.site } : w;
}

const THROUGH_MESSAGE =
  '{what} for every item of `{items}` at the same time, and each reaches {chain}, with no limit on how many run at once: a list of 10,000 items means 10,000 concurrent queries or requests, which drains the connection pool (typically 10–100 connections) and trips the rate limits of the service behind it. Bound it with {bound}.';

/**
 * A candidate, unless the verdict on the per-item work silences it. Work done in another file is
 * the program's to judge: the finding holds if that function does I/O, itself or through its calls.
 */
function withVerdict(c: CandidateInit | undefined, v: Verdict, lang: QueryLanguage): CandidateInit | undefined {
  if (!c || v.kind === 'silent') return undefined;
  if (v.kind === 'report') return c;
  // Go keeps judging such work where it is written: its errgroup fix is offered on the file's own findings only.
  const call = c.node && lang !== 'go' ? nodeOfSite(c.node.tree.rootNode, v.site) : undefined;
  // Where the workspace does not hold that function, the fan-out stands as found (as before the model).
  return call ? { ...c, message: THROUGH_MESSAGE, through: { call, needs: v.needs, inTransaction: REMOTE_EFFECTS, fallback: c.message ?? meta.message } } : c;
}

/**
 * A function bound to a local name in a function around the call (`const walk = async (xs) => …`),
 * which name resolution leaves as a local value: the model's function of that name whose parent
 * is one of the call's enclosing functions, declared before the call.
 */
function localFunction(file: FileContext, site: CallSite): number | undefined {
  const path = site.callee.path ?? [];
  if (path.length !== 1 || site.callee.receiver) return undefined;
  const around = new Set<number>();
  for (let fi = file.resolver.functionAt(site.start); fi !== undefined; fi = file.model.functions[fi].parent) around.add(fi);
  const i = file.model.functions.findIndex((f, k) => f.name === path[0] && f.parent !== undefined && around.has(f.parent) && (around.has(k) || f.start < site.start));
  return i < 0 ? undefined : i;
}

/**
 * The work of the project's functions of this file that an item calls: their own calls (and those
 * of the callbacks inside them), classified the same way, through up to three levels. Recursion
 * ends at a function already seen.
 */
function expandOwn(file: FileContext, works: Work[], seen: Set<number>, depth: number, root: SyntaxNode, lang: QueryLanguage): Work[] {
  const out: Work[] = [];
  for (const w of works) {
    if (w.kind !== 'own') {
      out.push(w);
      continue;
    }
    const r = file.resolver.resolve(w.site.callee, w.site.start);
    const index = r.kind === 'function' ? r.fn : localFunction(file, w.site);
    if (index === undefined || depth >= 3) {
      out.push({ kind: 'unknown', site: w.site });
      continue;
    }
    if (seen.has(index)) continue;
    seen.add(index);
    const fn = file.fn(index);
    // What the function's result is made of, as for the item's own callback (its awaited and returned calls).
    const node = nodeOfSite(root, fn);
    const sites = node ? perItemSites(file, node, lang) : callsWithin(file, fn.start, fn.end);
    const inner = sites.map((c) => classifySite(file, c));
    // A task a helper starts is that helper's own fan-out (reported there): here, work of unknown size.
    out.push(...expandOwn(file, inner, seen, depth + 1, root, lang).map((x): Work => (x.kind === 'spawn' ? { kind: 'unknown', site: x.site } : x)));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Python

/**
 * A bound held in the function: a semaphore, limiter or capacity limiter made or acquired there
 * (by its model row, or by the models' receiver names where nothing resolves), or a context the
 * models' conventions name a semaphore (`async with sem:`, `async with self._limiter:`).
 */
function fnHoldsBound(file: FileContext, fnNode: SyntaxNode, lang: QueryLanguage): boolean {
  for (const site of callsWithin(file, fnNode.startIndex, fnNode.endIndex)) {
    const r = resolveSite(file, site);
    if (hasEffect(r, BOUND_EFFECTS)) return true;
    if (r.kind !== 'library' && r.kind !== 'function' && (site.callee.path?.length ?? 0) > 1 && boundReceiver(file, site)) return true;
  }
  if (lang === 'python') {
    for (const m of fnNode.text.matchAll(/\basync\s+with\s+([\w.]+)/g)) if (boundName(file.lang, m[1].split('.').pop()!)) return true;
  }
  return false;
}

/** A call in a range that waits for a whole fan-out (`await asyncio.gather(...)`, `await Promise.all(...)`): a loop that waits batch by batch. */
function awaitsFanOut(file: FileContext, range: SyntaxNode): boolean {
  return callsWithin(file, range.startIndex, range.endIndex).some((c) => {
    if (!c.awaited) return false;
    const r = resolveSite(file, c);
    return hasEffect(r, ['fan-out']) || (r.kind !== 'library' && r.kind !== 'function' && namedLike(file, c.callee, ['fan-out']));
  });
}

/**
 * Functions whose fan-outs run once or in tests: the roles the models give (start-up, once, test),
 * for the function or one around it. Where a role needs a library the file does not import (a
 * snippet), the models' names and signatures for those roles are read as written.
 */
function runsOnceOrTest(file: FileContext, fnNode: SyntaxNode | undefined, lang: QueryLanguage): boolean {
  for (let n = fnNode; n; n = enclosingFunction(n, lang)) {
    const role = file.roleOf(n)?.role;
    if (role === 'test' || role === 'startup' || role === 'once') return true;
    const fi = file.functionOf(n);
    const fn = fi === undefined ? undefined : file.fn(fi);
    if (!fn) continue;
    for (const m of file.lang.roles) {
      if (m.role !== 'test' && m.role !== 'startup') continue;
      if (m.names && !fn.anonymous && fn.parent === undefined && m.names.some((p) => new RegExp(p).test(fn.name)) && !m.classNames) return true;
      if (m.classNames && !m.names && fn.className && m.classNames.some((p) => new RegExp(p).test(fn.className!))) return true;
      if (m.signature?.anyParam && fn.params.some((p) => p.type && m.signature!.anyParam!.includes(p.type.replace(/\s+/g, '')))) return true;
      // A callback handed to a test runner's registration (`it('…', async () => …)`), by the models' names.
      const reg = m.registration?.callee?.namePattern;
      if (m.role === 'test' && reg && fn.passedTo !== undefined && new RegExp(reg).test((file.model.calls[fn.passedTo].callee.path ?? []).join('.'))) return true;
    }
  }
  return false;
}

/** The coroutine function an element calls: `fetch(u)` → fetch, `self.fetch(u)` → fetch, `f` (start_soon) → f. */
function pyCalleeOf(element: SyntaxNode | undefined): string | undefined {
  if (!element) return undefined;
  const e = element.type === 'await' ? element.namedChildren[0] : element;
  if (e?.type === 'call') return calleeName(e);
  if (e?.type === 'identifier') return e.text;
  if (e?.type === 'attribute') return e.childForFieldName('attribute')?.text;
  return undefined;
}

interface Collection {
  /** The data the fan-out runs over. */
  items: SyntaxNode;
  /** The per-item expression (or the loop that builds the list): where a limiter would show. */
  element?: SyntaxNode;
  /** The function each item calls, for the guarded-coroutine fact. */
  callee?: string;
  /** Where the collection was built, when not inline. */
  builder?: SyntaxNode;
  /** The work per item belongs to the items themselves (see `ownWork`): no fan-out over data. */
  own?: boolean;
}

/** Per-item calls that tear down or enter a component the code holds (`client.close()`, `p.__aenter__()`). */
const LIFECYCLE = /^(?:close|aclose|destroy|dispose|stop|shutdown|terminate|disconnect|quit|abort|cancel|kill|unref|end|wait_closed|__aenter__|__aexit__)$/;

/**
 * Whether a call made once per item is the items' own work, not work on a data set: it calls the
 * item (`listener(event)`, `closer()`: a list of callbacks or listeners), or closes, stops or enters
 * it (`client.close()`, `p.__aenter__()`: components the code holds). `callee` is the called
 * expression's text, `vars` the names that hold one item.
 */
function ownWork(callee: string | undefined, vars: readonly string[]): boolean {
  if (!callee) return false;
  if (vars.includes(callee)) return true;
  const m = /^(?:this\.|self\.)?([A-Za-z_$][\w$]*)\.([A-Za-z_$][\w$]*)$/.exec(callee);
  return !!m && vars.includes(m[1]) && LIFECYCLE.test(m[2]);
}

/**
 * What a loop that builds a list adds per item, from the text of the loop: `tasks.append(task)` adds
 * the item (or a name bound in the loop), `closers.push(closer())` a call. Own work when the added
 * value is the item itself or a call that `ownWork` accepts.
 */
function ownAddition(loopText: string, name: string, method: string, vars: readonly string[]): boolean {
  const esc = name.replace(/\$/g, '\\$');
  const m = new RegExp(`\\b${esc}\\.${method}\\s*\\(\\s*(?:await\\s+)?([A-Za-z_$][\\w$.#]*)\\s*(\\()?`).exec(loopText);
  if (!m) return false;
  const [, added, call] = m;
  if (call) return ownWork(added, vars);
  if (vars.includes(added)) return true;
  // `const promise = closer(); closers.push(promise)`
  const bound = new RegExp(`\\b${added.replace(/\$/g, '\\$')}\\s*=\\s*(?:await\\s+)?([A-Za-z_$][\\w$.#]*)\\s*\\(`).exec(loopText);
  return !!bound && ownWork(bound[1], vars);
}

/** The names a loop header or callback binds: `for (const { dispatcher } of ...)`, `(closerList) => closerList.forEach((closer) => ...)`. */
function boundNames(pattern: string): string[] {
  return (pattern.match(/[A-Za-z_$][\w$]*/g) ?? []).filter((n) => !/^(?:const|let|var|of|in|async|await)$/.test(n));
}

/** The parameters of every arrow function in a text (the callbacks of `forEach` walk the items). */
function arrowParams(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\(([^()]*)\)|([A-Za-z_$][\w$]*))\s*=>/g)) out.push(...boundNames(m[1] ?? m[2] ?? ''));
  return out;
}

/** What a loop adds to a list per item (`coros.append(fetch(u))` → `fetch(u)`), from the model's calls in the loop body. */
function appendedArgument(file: FileContext, body: SyntaxNode, name: string, methods: readonly string[]): SyntaxNode | undefined {
  const site = callsWithin(file, body.startIndex, body.endIndex).find((c) => c.callee.path?.length === 2 && c.callee.path[0] === name && methods.includes(c.callee.path[1]));
  const a = site?.args[0];
  if (!a) return undefined;
  let n: SyntaxNode | null = body.tree.rootNode.descendantForIndex(a.start, Math.max(a.start, a.end - 1));
  while (n && !(n.startIndex === a.start && n.endIndex === a.end)) {
    if (n.startIndex < a.start || n.endIndex > a.end) return undefined;
    n = n.parent;
  }
  return n ?? undefined;
}

/** The per-item collection of a gather/wait/as_completed argument, when it is built over some iterable. */
function pyCollection(file: FileContext, arg: SyntaxNode, statements: SyntaxNode[], depth = 0): Collection | 'fixed' | undefined {
  if (PY_COMPREHENSIONS.has(arg.type)) {
    const first = arg.namedChildren.find((c) => c.type === 'for_in_clause');
    const items = first?.childForFieldName('right');
    const body = arg.childForFieldName('body') ?? undefined;
    const vars = boundNames(first?.childForFieldName('left')?.text ?? '');
    const work = body?.type === 'await' ? body.namedChildren[0] : body;
    // `results[field] for field in fields`: awaitables made elsewhere; `p.__aenter__() for p in publishers`.
    const own = !!work && (/^(identifier|subscript|attribute)$/.test(work.type) || (work.type === 'call' && ownWork(work.childForFieldName('function')?.text, vars)));
    return items ? { items, element: body, callee: pyCalleeOf(body), own } : undefined;
  }
  if (arg.type === 'call' && arg.childForFieldName('function')?.text === 'map') {
    const [f, items] = arg.childForFieldName('arguments')?.namedChildren ?? [];
    return items ? { items, element: f, callee: pyCalleeOf(f) } : undefined;
  }
  if (arg.type === 'list' || arg.type === 'tuple' || arg.type === 'set') return arg.namedChildren.some((c) => c.type === 'list_splat') ? undefined : 'fixed';
  if (arg.type !== 'identifier' || depth > 1) return undefined;
  const name = arg.text;
  const append = new RegExp(`\\b${name}\\.(?:append|extend|add)\\s*\\(\\s*(?:await\\s+)?([\\w.]+)?`);
  for (const s of statements) {
    if (s.type === 'for_statement') {
      const m = append.exec(s.text);
      if (m) {
        const items = s.childForFieldName('right');
        const vars = boundNames(s.childForFieldName('left')?.text ?? '');
        const body = s.childForFieldName('body') ?? undefined;
        const own = ['append', 'extend', 'add'].some((method) => ownAddition(body?.text ?? '', name, method, vars));
        const element = (body && appendedArgument(file, body, name, ['append', 'extend', 'add'])) ?? body;
        return items ? { items, element, callee: m[1]?.split('.').pop(), builder: s, own } : undefined;
      }
    }
    const v = bindingIn(s, name, 'python');
    if (v === undefined) continue;
    if (!v) return undefined;
    const inner = pyCollection(file, v, statements, depth + 1);
    return inner && inner !== 'fixed' ? { ...inner, builder: inner.builder ?? s } : inner;
  }
  return undefined;
}

function pyGatherArgument(match: RuleMatch): SyntaxNode[] {
  const args = (match.node('args')?.namedChildren ?? []).filter((a) => a.type !== 'comment');
  const fn = match.text('fn');
  if (fn === 'gather') return args.filter((a) => a.type === 'list_splat').map((a) => a.namedChildren[0]).filter((a): a is SyntaxNode => !!a);
  const first = args[0];
  return first && first.type !== 'keyword_argument' && first.type !== 'list_splat' ? [first] : [];
}

/** What the matched call is: a fan-out or spawn the models know, or the project's own function of that name (no finding). */
function isLibraryCall(match: RuleMatch, call: SyntaxNode, effect: string): boolean {
  const r = resolveCallee(match.file, call);
  if (r.kind === 'library') return effectsOf(r.row).includes(effect);
  if (isOwnCode(r)) return false;
  // Nothing resolves it (`loop.create_task`, `tg.start_soon` on an untyped parameter): the models' names.
  return match.file.lang.namesWith([effect]).includes(match.text('fn') ?? '');
}

function pyCheck(match: RuleMatch): CandidateInit | undefined {
  const callee = match.node('match')!;
  const call = callee.parent!;
  const file = match.file;
  if (!isLibraryCall(match, call, match.props.kind === 'gather' ? 'fan-out' : 'spawn')) return undefined;
  const place = placeOf(call, 'python');
  if (!place.fn) return undefined; // module-level code runs once, at start-up or in a script
  if (runsOnceOrTest(file, place.fn, 'python')) return undefined;
  const statements = statementsBefore(place, 'python');
  const loops = loopsAround(place, 'python');
  if (match.props.kind === 'gather') {
    for (const arg of pyGatherArgument(match)) {
      const c = pyCollection(file, arg, statements);
      if (!c || c === 'fixed' || c.own) continue;
      if (c.builder && awaitsFanOut(file, c.builder)) continue;
      if (classify(c.items, { file, lang: 'python', statements, loops }) !== 'data') continue;
      if (fnHoldsBound(file, place.fn, 'python')) continue;
      const found = withVerdict(candidate(callee, 'python', { what: `\`${callee.text}\` runs one coroutine`, items: c.items, around: c.builder, guardedCallee: c.callee }), verdictFor(file, c.element, 'python', c.items), 'python');
      if (found) return found;
    }
    return undefined;
  }
  // create_task / ensure_future / start_soon: once per item of a loop over data.
  const loop = dataLoop(file, loops, 'python', statements);
  if (!loop) return undefined;
  const args = (match.node('args')?.namedChildren ?? []).filter((a) => a.type !== 'comment');
  const element = args[0];
  if (pyOwnElement(element, loopVariables(loop), statements)) return undefined;
  if (fnHoldsBound(file, place.fn, 'python')) return undefined;
  if (loop.body && awaitsFanOut(file, loop.body)) return undefined;
  // `t = asyncio.create_task(...)` then `await t` (or `await wait_for(t, …)`) in the same iteration: one at a time.
  const assigned = place.path[1]?.type === 'assignment' ? place.path[1].childForFieldName('left') : undefined;
  if (assigned?.type === 'identifier' && loop.body && new RegExp(`\\bawait\\s+(?:[\\w.]+\\(\\s*)?${assigned.text}\\b`).test(loop.body.text)) return undefined;
  // start_soon(f, u): the function is the first argument, called with the rest.
  const work = element?.type === 'identifier' || element?.type === 'attribute' ? undefined : element;
  return withVerdict(candidate(callee, 'python', { what: `\`${callee.text}\` starts one task`, items: loop.iterable!, around: loop.node, guardedCallee: pyCalleeOf(element) }), work ? verdictFor(file, work, 'python') : { kind: 'report' }, 'python');
}

/**
 * A task per item that runs the item itself: `ensure_future(f) for f in fs` (awaitables made by the
 * caller), `start_soon(handler)` / `create_task(cb(event))` per callback, `result = subscriber(event)`
 * then `ensure_future(result)`, `create_task(ws.close())`.
 */
function pyOwnElement(element: SyntaxNode | undefined, vars: readonly string[], statements: SyntaxNode[]): boolean {
  let e = element?.type === 'await' ? element.namedChildren[0] : element;
  if (e?.type === 'identifier') {
    if (vars.includes(e.text)) return true;
    const v = boundValue(e.text, statements, 'python');
    e = v?.type === 'await' ? v.namedChildren[0] : v;
  }
  return e?.type === 'call' && ownWork(e.childForFieldName('function')?.text, vars);
}

/**
 * `async for conn in channel:` over a receive channel, a queue or a socket (a name or attribute the
 * function did not get from a call): one task per message or connection as it arrives, a server's
 * accept loop like `while True: conn = await q.get()`. `async for doc in db.users.find()` (or a
 * name bound to such a call) walks a data set.
 */
function pyArrivals(loop: Loop, statements: SyntaxNode[]): boolean {
  if (loop.node.type !== 'for_statement' || loop.node.child(0)?.type !== 'async') return false;
  const it = loop.iterable;
  if (it?.type === 'identifier') {
    const v = boundValue(it.text, statements, 'python');
    return !v || !/^(call|await)$/.test(v.type);
  }
  return it?.type === 'attribute';
}

/**
 * The nearest loop around the node that runs once per item of a data set, or undefined when there
 * is none or it walks one chunk of a larger list (bounded by the chunk size).
 */
function dataLoop(file: FileContext, loops: Loop[], lang: QueryLanguage, statements: SyntaxNode[]): Loop | undefined {
  for (let i = 0; i < loops.length; i++) {
    const l = loops[i];
    if (l.kind !== 'each' || !l.iterable) continue;
    if (lang === 'python' && pyArrivals(l, statements)) continue;
    const kind = classify(l.iterable, { file, lang, statements, loops: loops.slice(i + 1) });
    if (kind === 'fixed') continue;
    return kind === 'data' ? l : undefined;
  }
  return undefined;
}

interface Report {
  what: string;
  items: SyntaxNode;
  /** The loop or the statement that builds the collection, when it is not inline: related information. */
  around?: SyntaxNode;
  /** Python: the coroutine function each item calls; a semaphore inside it bounds the fan-out (a fact). */
  guardedCallee?: string;
  bound?: string;
  data?: Record<string, string | number | boolean>;
}

function candidate(node: SyntaxNode, lang: QueryLanguage, r: Report): CandidateInit {
  const unit = lang === 'go' ? 'goroutine' : lang === 'python' ? 'task' : 'call';
  return {
    node,
    args: { what: r.what, items: short(r.items.text), bound: r.bound ?? GROUP_BOUND[lang] },
    related: r.around ? [{ node: r.items, message: `one concurrent ${unit} per item of \`${short(r.items.text)}\`` }] : [],
    unless: r.guardedCallee ? [{ fact: 'unbounded-fan-out.guarded', key: r.guardedCallee }] : undefined,
    data: r.data,
  };
}

// ---------------------------------------------------------------------------------------------
// Go

/** A send on a channel named like a semaphore (`sem <- struct{}{}`, `tokens <- …`): language and naming, no library. */
const GO_CHANNEL_BOUND = /\b\w*(?:sem|Sem|SEM|token|Token|slot|Slot|throttle|Throttle|limit|Limit)\w*\s*<-/;
/** A count, not a collection: what a Go 1.22 `for i := range n` walks (`nbWorkers`, `cfg.WorkerPoolSize()`). */
const COUNT_NAME = /(?:^n|Count|Size|Num|Workers|Concurrency|Parallelism|Limit)$/;
const GO_INT_TYPE = /^u?int(?:8|16|32|64)?$/;

/** The function holds a bound: a semaphore, a group limit or a limiter the models know, or a channel semaphore. */
function goFnBound(file: FileContext, fn: SyntaxNode): boolean {
  return fnHoldsBound(file, fn, 'go') || GO_CHANNEL_BOUND.test(fn.text);
}

/** The loop waits for what it started, batch by batch: a call in its body that joins a group (`wg.Wait()`, by the models). */
function goWaits(file: FileContext, body: SyntaxNode | undefined): boolean {
  return !!body && callsWithin(file, body.startIndex, body.endIndex).some((c) => hasEffect(resolveSite(file, c), ['join']));
}

/**
 * A Go 1.22 range over an integer: a fixed number of iterations (a pool of workers), not a data set.
 * The model says it where it can (an `int` parameter or local, a CPU count), the name where not.
 */
function goCountRange(file: FileContext, loop: Loop): boolean {
  const it = loop.iterable;
  if (!it || !loop.node.namedChildren.some((c) => c.type === 'range_clause')) return false;
  if (it.type === 'int_literal') return true;
  if (it.type === 'identifier') {
    const t = paramType(file, it.text, it.startIndex);
    if (t && GO_INT_TYPE.test(t.trim())) return true;
    const v = bindingOf(file, it.text, it.startIndex);
    if (v?.kind === 'literal' && v.literal === 'number') return true;
    if (v && (v.kind === 'call' || v.kind === 'name') && hasEffect(file.resolver.resolve({ ...v, kind: 'name' }, v.start), ['cpu-count'])) return true;
  }
  if (it.type === 'call_expression') {
    if (hasEffect(resolveCallee(file, it), ['cpu-count'])) return true;
    if (it.childForFieldName('function')?.text === 'len') return false;
  }
  const last = (it.type === 'call_expression' ? it.childForFieldName('function') : it)?.text.split('.').pop() ?? '';
  return COUNT_NAME.test(last) || WORKER_NAME.test(last);
}

/**
 * A channel semaphore: a send in the loop body (before the goroutine or inside it, also as a
 * `select` case) on a channel the goroutine receives from again (`sem <- struct{}{}` … `<-sem`).
 * A done or result channel is sent to by the goroutine and received from outside it: no bound.
 */
function channelSemaphore(loop: Loop, goroutine: SyntaxNode | null | undefined): boolean {
  if (!loop.body || !goroutine) return false;
  for (const m of loop.body.text.matchAll(/([A-Za-z_][\w.]*)\s*<-(?!-)/g)) {
    const ch = m[1].replace(/[.]/g, '\\.');
    if (new RegExp(`<-\\s*${ch}(?![\\w.])`).test(goroutine.text)) return true;
  }
  return false;
}

/** The loops around a Go node, with ranges over an integer counted, not walked. */
function goLoops(file: FileContext, place: Place): Loop[] {
  return loopsAround(place, 'go').map((l) => (l.kind === 'each' && goCountRange(file, l) ? { ...l, kind: 'count' as const, iterable: undefined } : l));
}

function goCheck(match: RuleMatch): CandidateInit | undefined {
  const m = match.node('match')!;
  const file = match.file;
  if (m.type === 'go_statement') {
    const call = m.namedChildren.find((c) => c.type === 'call_expression');
    if (!call) return undefined;
    const place = placeOf(m, 'go');
    if (!place.fn || runsOnceOrTest(file, place.fn, 'go')) return undefined;
    const statements = statementsBefore(place, 'go');
    const loop = dataLoop(file, goLoops(file, place), 'go', statements);
    if (!loop) return undefined;
    const fnLit = call.childForFieldName('function');
    if (goFnBound(file, place.fn) || goWaits(file, loop.body)) return undefined;
    if (channelSemaphore(loop, m)) return undefined;
    // `go notify(u)` is reported whole; `go func() { ... }()` on its keyword, not the whole body.
    const node = fnLit?.type === 'func_literal' ? m.child(0)! : m;
    return withVerdict(candidate(node, 'go', { what: '`go` starts one goroutine', items: loop.iterable!, around: loop.node }), verdictFor(file, fnLit?.type === 'func_literal' ? fnLit : call, 'go'), 'go');
  }
  // g.Go(func() error { ... }): a group the models know (errgroup, conc, sync.WaitGroup.Go), not the project's own `Go`.
  const recv = match.text('recv')!;
  const call = m.parent;
  if (call?.type !== 'call_expression') return undefined;
  const site = file.callAt(call);
  const group = site ? resolveSite(file, site) : resolveCallee(file, call);
  if (!hasEffect(group, ['spawn'])) return undefined;
  const place = placeOf(call, 'go');
  if (!place.fn || runsOnceOrTest(file, place.fn, 'go')) return undefined;
  const statements = statementsBefore(place, 'go');
  const loop = dataLoop(file, goLoops(file, place), 'go', statements);
  if (!loop) return undefined;
  if (goFnBound(file, place.fn) || goWaits(file, loop.body)) return undefined;
  const fnLit = call.childForFieldName('arguments')?.namedChildren[0];
  if (channelSemaphore(loop, fnLit)) return undefined;
  const limit = group.kind === 'library' ? limitMember(file, group.qname) : undefined;
  return withVerdict(
    candidate(m, 'go', {
      what: `\`${m.text}\` starts one goroutine`,
      items: loop.iterable!,
      around: loop.node,
      bound: limit ? `\`${recv}.${limit}(n)\` before the loop` : undefined,
    }),
    verdictFor(file, fnLit, 'go'),
    'go',
  );
}

/**
 * The member of a group type that limits it in place, as a statement (errgroup's `SetLimit`): a
 * bounded-concurrency member that returns nothing, by the models. conc's `WithMaxGoroutines`
 * returns a new pool and cannot be inserted as a statement.
 */
function limitMember(file: FileContext, memberQname: string): string | undefined {
  const type = memberQname.slice(0, memberQname.lastIndexOf('.'));
  const t = file.lang.type(type);
  return t?.row.members?.find((m) => effectsOf(m).includes('bounded-concurrency') && m.bound?.argument === 0 && !m.returns)?.name;
}

/** The declaration of a group with an in-place limit in the statements before the node: where the limit goes. */
function limitDeclaration(file: FileContext, node: SyntaxNode, recv: string): { decl: SyntaxNode; member: string } | undefined {
  const place = placeOf(node, 'go');
  if (!place.fn) return undefined;
  const decl = statementsBefore(place, 'go').find((s) => bindingIn(s, recv, 'go') !== undefined);
  const call = node.parent;
  const site = call ? file.callAt(call) : undefined;
  const group: Resolved = site ? resolveSite(file, site) : { kind: 'unknown' };
  const member = group.kind === 'library' ? limitMember(file, group.qname) : undefined;
  return decl && member ? { decl, member } : undefined;
}

function setLimitFix(target: FixTarget, file: FileContext): TextEditInit[] | undefined {
  const sel = target.node;
  if (target.language !== 'go' || sel.type !== 'selector_expression') return undefined;
  const recv = sel.childForFieldName('operand');
  if (recv?.type !== 'identifier') return undefined;
  const found = limitDeclaration(file, sel, recv.text);
  if (!found) return undefined;
  const indent = indentAt(target.text, found.decl.startIndex);
  return [{ start: found.decl.endIndex, end: found.decl.endIndex, newText: `${eol(target.text)}${indent}${recv.text}.${found.member}(10)` }];
}

// ---------------------------------------------------------------------------------------------
// TypeScript / JavaScript

const ITERATORS = new Set(['map', 'flatMap']);

/**
 * A callback that runs the item itself or tears it down: `(listener) => listener()`,
 * `async (c) => await c.close()`, `function (l) { return l(); }`, `(h) => typeof h === 'function' ? h() : h`.
 */
function tsOwnCallback(cb: SyntaxNode | undefined): boolean {
  if (cb?.type !== 'arrow_function' && cb?.type !== 'function_expression') return false;
  const vars = boundNames((cb.childForFieldName('parameters') ?? cb.childForFieldName('parameter'))?.text ?? '');
  let body = cb.childForFieldName('body');
  if (body?.type === 'statement_block') {
    const only = body.namedChildren.filter((c) => c.type !== 'comment');
    body = only.length === 1 && only[0].type === 'return_statement' ? only[0].namedChildren[0] ?? null : null;
  }
  const own = (e: SyntaxNode | null | undefined): boolean => {
    if (e?.type === 'await_expression' || e?.type === 'parenthesized_expression') return own(e.namedChildren[0]);
    if (e?.type === 'identifier') return vars.includes(e.text);
    if (e?.type === 'ternary_expression') return own(e.childForFieldName('consequence')) && own(e.childForFieldName('alternative'));
    return e?.type === 'call_expression' && ownWork(e.childForFieldName('function')?.text, vars);
  };
  return own(body);
}

function tsCollection(file: FileContext, arg: SyntaxNode, statements: SyntaxNode[], depth = 0): Collection | 'fixed' | undefined {
  if (arg.type === 'parenthesized_expression') return tsCollection(file, arg.namedChildren[0], statements, depth);
  if (arg.type === 'array') {
    const spread = arg.namedChildren.find((c) => c.type === 'spread_element');
    return spread ? tsCollection(file, spread.namedChildren[0], statements, depth) : 'fixed';
  }
  if (arg.type === 'call_expression') {
    const fn = arg.childForFieldName('function');
    const args = (arg.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment');
    if (fn?.type !== 'member_expression') return undefined;
    const prop = fn.childForFieldName('property')?.text ?? '';
    const obj = fn.childForFieldName('object');
    if (ITERATORS.has(prop) && obj) return { items: obj, element: args[0], own: tsOwnCallback(args[0]) };
    // Array.from(users, (u) => send(u))
    if (obj?.text === 'Array' && prop === 'from' && args.length >= 2) return { items: args[0], element: args[1] };
    return undefined;
  }
  if (arg.type !== 'identifier' || depth > 1) return undefined;
  const name = arg.text;
  const push = new RegExp(`\\b${name.replace(/\$/g, '\\$')}\\.push\\s*\\(`);
  for (const s of statements) {
    if ((s.type === 'for_in_statement' || s.type === 'for_statement') && push.test(s.text)) {
      const items = s.type === 'for_in_statement' ? s.childForFieldName('right') : lengthOf(s.childForFieldName('condition'), 'typescript');
      const body = s.childForFieldName('body')?.text ?? '';
      const vars = [...boundNames((s.type === 'for_in_statement' ? s.childForFieldName('left') : s.childForFieldName('initializer'))?.text ?? ''), ...arrowParams(body)];
      // `const client = this[kClients][i]` in a counting loop holds one item too.
      for (const v of [...vars]) for (const m of body.matchAll(new RegExp(`\\b(?:const|let|var)\\s+([A-Za-z_$][\\w$]*)\\s*=\\s*[^;\\n]*\\[\\s*${v.replace(/\$/g, '\\$')}\\s*\\]`, 'g'))) vars.push(m[1]);
      const loopBody = s.childForFieldName('body') ?? undefined;
      const element = (loopBody && appendedArgument(file, loopBody, name, ['push'])) ?? loopBody;
      return items ? { items, element, builder: s, own: ownAddition(body, name, 'push', vars) } : undefined;
    }
    // users.forEach((u) => promises.push(send(u)))
    const expr = s.type === 'expression_statement' ? s.namedChildren[0] : undefined;
    if (expr?.type === 'call_expression' && push.test(expr.text)) {
      const fn = expr.childForFieldName('function');
      if (fn?.type === 'member_expression' && fn.childForFieldName('property')?.text === 'forEach') {
        const items = fn.childForFieldName('object');
        const callbacks = expr.childForFieldName('arguments')?.text ?? '';
        const argsNode = expr.childForFieldName('arguments') ?? undefined;
        const element = (argsNode && appendedArgument(file, argsNode, name, ['push'])) ?? argsNode;
        return items ? { items, element, builder: s, own: ownAddition(callbacks, name, 'push', arrowParams(callbacks)) } : undefined;
      }
    }
    const v = bindingIn(s, name, 'typescript');
    if (v === undefined) continue;
    if (!v) return undefined;
    const inner = tsCollection(file, v, statements, depth + 1);
    return inner && inner !== 'fixed' ? { ...inner, builder: inner.builder ?? s } : inner;
  }
  return undefined;
}

/**
 * `findAllInBatches(query, async (batch) => …)`, `chunks.forEach(async (group) => …)`: the items are the
 * parameter of a callback handed to a call that splits a list into chunks or batches (by its name),
 * so each run sees one chunk.
 */
function batchParameter(file: FileContext, items: SyntaxNode, fn: SyntaxNode): boolean {
  if (items.type !== 'identifier') return false;
  const fi = file.functionOf(fn);
  const f = fi === undefined ? undefined : file.fn(fi);
  if (!f || !f.params.some((p) => p.name === items.text)) return false;
  // The call the callback is handed to: its arguments hold the function node.
  const call = fn.parent?.type === 'arguments' ? fn.parent.parent : undefined;
  const callee = call?.childForFieldName('function');
  const last = callee?.type === 'member_expression' ? callee.childForFieldName('property')?.text : callee?.text;
  return CHUNKER.test(last ?? '');
}

function tsCheck(match: RuleMatch): CandidateInit | undefined {
  const callee = match.node('match')!;
  const call = callee.parent!;
  const file = match.file;
  if (!isLibraryCall(match, call, 'fan-out')) return undefined;
  const place = placeOf(call, 'typescript');
  if (!place.fn || runsOnceOrTest(file, place.fn, 'typescript')) return undefined;
  const arg = (match.node('args')?.namedChildren ?? []).filter((a) => a.type !== 'comment')[0];
  if (!arg) return undefined;
  const statements = statementsBefore(place, 'typescript');
  const c = tsCollection(file, arg, statements);
  if (!c || c === 'fixed' || c.own) return undefined;
  if (batchParameter(file, c.items, place.fn)) return undefined;
  if (classify(c.items, { file, lang: 'typescript', statements, loops: loopsAround(place, 'typescript') }) !== 'data') return undefined;
  if (c.builder && awaitsFanOut(file, c.builder)) return undefined;
  return withVerdict(candidate(callee, 'typescript', { what: `\`${callee.text}\` runs one call`, items: c.items, around: c.builder }), verdictFor(file, c.element, 'typescript', c.items), 'typescript');
}

// ---------------------------------------------------------------------------------------------

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python, go, typescript },
  check(match) {
    switch (match.language) {
      case 'python':
        return pyCheck(match);
      case 'go':
        return goCheck(match);
      case 'typescript':
        return tsCheck(match);
    }
  },
  facts(match, ctx): FactInit[] | undefined {
    // A coroutine that holds a semaphore or limiter: keyed by its name.
    const guard = match.node('guard');
    if (!guard) return undefined;
    const fn = ctx.enclosingFunction(guard);
    const name = fn?.type === 'function_definition' ? fn.childForFieldName('name') : undefined;
    return name ? [{ name: 'unbounded-fan-out.guarded', key: name.text, node: name }] : undefined;
  },
  fixes: {
    'errgroup-set-limit': (target, ctx) => setLimitFix(target, ctx.file),
  },
});
