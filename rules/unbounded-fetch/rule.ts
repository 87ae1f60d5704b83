import type { SyntaxNode } from 'tree-sitter';
import { defineRule, type CandidateInit, type CheckContext, type FactInit, type RuleMatch, type RuleMeta } from '../../server/src/engine/rule-api';
import { jsArguments, objectProperties, pythonArguments, stringLiteral } from '../../server/src/engine/syntax';
import meta from './rule.json';
import python from './python.scm';
import go from './go.scm';
import typescript from './typescript.scm';

/** A variable of a function holds a cursor over a whole collection (no limit in its chain). */
const FACT_ALL = 'unbounded-fetch.all';
/** A variable of a function is (or may be) bounded: `.limit()` is called on it, or it holds another chain. */
const FACT_LIMITED = 'unbounded-fetch.limited';
/** Go: a variable of a function is passed to a query call / assigned again after its declaration. */
const FACT_GO_ARG = 'unbounded-fetch.go-arg';
const FACT_GO_REASSIGN = 'unbounded-fetch.go-reassign';

// ---------------------------------------------------------------------------------------------
// Method chains (`db.users.find(q).sort(s).to_list(None)`), read from the outermost call inwards.

interface Link {
  name: string;
  call: SyntaxNode;
}

/** `a.find(q).sort(s)` → links [sort, find], root `a`. Parentheses around the chain are looked through. */
function chainOf(node: SyntaxNode): { links: Link[]; root: SyntaxNode } {
  const links: Link[] = [];
  let n = node;
  for (;;) {
    if (n.type === 'parenthesized_expression') {
      const inner = n.namedChildren.filter((c) => c.type !== 'comment');
      if (inner.length !== 1) break;
      n = inner[0];
      continue;
    }
    if (n.type !== 'call' && n.type !== 'call_expression') break;
    const fn = n.childForFieldName('function');
    const prop = fn?.type === 'attribute' ? fn.childForFieldName('attribute') : fn?.type === 'member_expression' ? fn.childForFieldName('property') : null;
    const obj = fn?.childForFieldName('object');
    if (!prop || !obj) break;
    links.push({ name: prop.text, call: n });
    n = obj;
  }
  return { links, root: n };
}

/** What a chain fetches: everything (from `origin`), a bounded set, something we cannot tell, or a cursor held in a variable. */
type Verdict =
  | { kind: 'unbounded'; origin: Link; filtered: boolean; pipeline?: boolean }
  | { kind: 'bounded' }
  | { kind: 'unknown' }
  | { kind: 'variable'; name: string; node: SyntaxNode };

const BOUNDED: Verdict = { kind: 'bounded' };
const UNKNOWN: Verdict = { kind: 'unknown' };

function rootVerdict(root: SyntaxNode): Verdict {
  return root.type === 'identifier' ? { kind: 'variable', name: root.text, node: root } : UNKNOWN;
}

// ---------------------------------------------------------------------------------------------
// Python: Motor / PyMongo async / Beanie cursors.

/** Cursor methods that neither bound the result nor change where it comes from. */
const PY_MODIFIERS = new Set([
  'sort', 'skip', 'batch_size', 'hint', 'max_time_ms', 'max_await_time_ms', 'collation', 'comment',
  'allow_disk_use', 'projection', 'project', 'where', 'max_scan', 'fetch_links',
]);
/** Where a cursor over a collection starts. */
const PY_FINDS = new Set(['find', 'find_all', 'find_many']);
/** Aggregation stages after which the result no longer grows with the collection. */
const PIPELINE_BOUNDS = new Set(['$limit', '$count', '$sample']);

/** `None`, or the `0` that PyMongo and Motor read as "no limit". */
function isNoLimitPy(node: SyntaxNode | undefined): boolean {
  return node !== undefined && (node.type === 'none' || (node.type === 'integer' && Number(node.text) === 0));
}

function isEmptyDict(node: SyntaxNode): boolean {
  return node.type === 'dictionary' && node.namedChildren.every((c) => c.type === 'comment');
}

function classifyPython(node: SyntaxNode): Verdict {
  const { links, root } = chainOf(node);
  for (const link of links) {
    if (link.name === 'limit') {
      const { positional, keywords } = pythonArguments(link.call);
      if (isNoLimitPy(positional[0] ?? keywords.get('limit'))) continue;
      return BOUNDED;
    }
    if (PY_MODIFIERS.has(link.name)) continue;
    if (PY_FINDS.has(link.name)) {
      const { positional, keywords, splat } = pythonArguments(link.call);
      if (splat) return UNKNOWN;
      // find(filter, projection, skip, limit): PyMongo's positional order.
      const limit = keywords.get('limit') ?? (link.name === 'find' ? positional[3] : undefined);
      if (limit && !isNoLimitPy(limit)) return BOUNDED;
      const filter = positional[0] ?? keywords.get('filter');
      // pandas `s.str.find("x")`, `text.find("x")`: a substring search, not a query.
      if (filter?.type === 'string' || filter?.type === 'concatenated_string') return UNKNOWN;
      return { kind: 'unbounded', origin: link, filtered: filter !== undefined && !isEmptyDict(filter) };
    }
    if (link.name === 'aggregate') return pipelineVerdict(link);
    return UNKNOWN;
  }
  return rootVerdict(root);
}

/** `aggregate([...])`: unbounded only when every stage is a literal and none caps the result. */
function pipelineVerdict(link: Link): Verdict {
  const { positional, keywords, splat } = pythonArguments(link.call);
  const pipeline = positional[0] ?? keywords.get('pipeline');
  if (splat || pipeline?.type !== 'list') return UNKNOWN;
  let filtered = false;
  for (const stage of pipeline.namedChildren) {
    if (stage.type === 'comment') continue;
    if (stage.type !== 'dictionary') return UNKNOWN;
    for (const pair of stage.namedChildren) {
      if (pair.type !== 'pair') {
        if (pair.type === 'comment') continue;
        return UNKNOWN;
      }
      const op = stringLiteral(pair.childForFieldName('key'));
      if (op === undefined) return UNKNOWN;
      if (PIPELINE_BOUNDS.has(op)) return BOUNDED;
      if (op === '$group' && groupsEverything(pair.childForFieldName('value'))) return BOUNDED;
      if (op === '$match') filtered = true;
    }
  }
  return { kind: 'unbounded', origin: link, filtered, pipeline: true };
}

/** `{"$group": {"_id": None, ...}}` folds the collection into one document. */
function groupsEverything(spec: SyntaxNode | null): boolean {
  if (spec?.type !== 'dictionary') return false;
  return spec.namedChildren.some((p) => p.type === 'pair' && stringLiteral(p.childForFieldName('key')) === '_id' && p.childForFieldName('value')?.type === 'none');
}

/** Method names that read records: exact names, and `find_*`/`list_*`/... helpers of a repository. */
const PY_DATA_METHODS = new Set([
  'find', 'find_all', 'find_many', 'fetch', 'fetch_all', 'fetchall', 'fetch_many', 'all', 'select', 'query',
  'search', 'list', 'scan', 'to_list', 'get_items', 'get_all', 'list_all', 'aggregate',
]);
const PY_DATA_PREFIX = /^(find|fetch|list|get|query|search|select|scan)_[a-z0-9_]+$/;
/** Look-alikes with a `limit=` that is not a row count: asyncio's `task.get_stack(limit=None)` (frames). */
const PY_NOT_DATA = new Set(['get_stack', 'print_stack']);

function isPythonDataCall(method: SyntaxNode): boolean {
  const name = method.text;
  if (PY_NOT_DATA.has(name)) return false;
  const onObject = method.parent?.type === 'attribute';
  // A bare `list(...)`/`select(...)` is a builtin or a query builder; only named helpers count unqualified.
  if (PY_DATA_METHODS.has(name) && (onObject || name.includes('_'))) return true;
  return PY_DATA_PREFIX.test(name);
}

function checkPython(match: RuleMatch, ctx: CheckContext): CandidateInit | undefined {
  const call = match.node('match')!;
  if (match.text('kw') === 'limit') {
    if (!isPythonDataCall(match.node('method')!)) return undefined;
    return candidate(call, {
      expr: `${match.text('method')}(limit=None)`,
      what: 'every record the call returns',
      rows: 'records',
      advice: 'Pass a bounded `limit` and page through the rest (a cursor or an offset).',
    });
  }
  const { positional, keywords, splat } = pythonArguments(call);
  if (splat) return undefined;
  const noArgs = positional.length === 0 && keywords.size === 0;
  const explicitNone =
    (positional.length === 1 && keywords.size === 0 && positional[0].type === 'none') ||
    (positional.length === 0 && keywords.size === 1 && keywords.get('length')?.type === 'none');
  if (!noArgs && !explicitNone) return undefined; // to_list(100): a cap, see hardcoded-fetch-cap
  const expr = `to_list(${match.node('args')!.text.slice(1, -1).replace(/\s+/g, '')})`;
  const advice = 'Page it (`.limit(n)` with a range on `_id`) or stream it with `async for`.';
  const verdict = classifyPython(match.node('recv')!);
  if (verdict.kind === 'unbounded') {
    const what = verdict.pipeline
      ? 'every document the aggregation returns'
      : verdict.filtered
        ? 'every document the query matches'
        : 'the whole collection';
    return candidate(call, { expr, what, rows: 'documents', advice });
  }
  if (verdict.kind === 'variable') {
    // `cursor.to_list(None)`: only when this function filled `cursor` from an unbounded find (a bare
    // `x.to_list()` is also pandas, and a cursor passed in may have been limited by the caller).
    const key = scopeOf(verdict.node, ctx) + verdict.name;
    return {
      ...candidate(call, { expr, what: `every document of \`${verdict.name}\``, rows: 'documents', advice }),
      requires: [{ fact: FACT_ALL, key }],
      unless: [{ fact: FACT_LIMITED, key }],
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// TypeScript / JavaScript: MongoDB driver, mongoose, TypeORM, Prisma, Drizzle.

const TS_MODIFIERS = new Set([
  'sort', 'project', 'skip', 'batchSize', 'collation', 'hint', 'maxTimeMS', 'comment', 'allowDiskUse',
  'addCursorFlag', 'lean', 'populate', 'select',
]);

function jsKeyless(node: SyntaxNode): boolean {
  return node.type === 'null' || node.type === 'undefined' || (node.type === 'identifier' && node.text === 'undefined');
}

function isEmptyObject(node: SyntaxNode): boolean {
  return node.type === 'object' && node.namedChildren.every((c) => c.type === 'comment');
}

function classifyTs(node: SyntaxNode): Verdict {
  const { links, root } = chainOf(node);
  for (const link of links) {
    if (link.name === 'limit') {
      const first = jsArguments(link.call).args[0];
      // .limit(0) is "no limit" for the MongoDB driver and mongoose.
      if (first && (jsKeyless(first) || (first.type === 'number' && Number(first.text) === 0))) continue;
      return BOUNDED;
    }
    if (TS_MODIFIERS.has(link.name)) continue;
    if (link.name === 'find') return findVerdict(link);
    return UNKNOWN;
  }
  return rootVerdict(root);
}

/** `find()` / `find({})` (optionally with projection or options that hold no `limit`): the whole collection. */
function findVerdict(link: Link): Verdict {
  const { args, spread } = jsArguments(link.call);
  if (spread) return UNKNOWN;
  const [filter, ...rest] = args;
  if (filter && !isEmptyObject(filter)) return BOUNDED; // a filtered find: bounded by its filter (see doc.md)
  for (const a of rest) {
    if (a.type === 'object') {
      const { props, spread: hidden } = objectProperties(a);
      if (hidden) return UNKNOWN;
      const limit = props.get('limit');
      if (limit && !(jsKeyless(limit) || (limit.type === 'number' && Number(limit.text) === 0))) return BOUNDED;
    } else if (!(jsKeyless(a) || a.type === 'string' || a.type === 'array')) {
      return UNKNOWN; // options from a variable, a legacy callback, ...
    }
  }
  return { kind: 'unbounded', origin: link, filtered: false };
}

function short(text: string, max = 40): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

function originText(origin: Link): string {
  const args = origin.call.childForFieldName('arguments');
  return `${origin.name}(${args ? short(args.text.slice(1, -1), 24) : ''})`;
}

function checkTypeScript(match: RuleMatch, ctx: CheckContext): CandidateInit | undefined {
  const call = match.node('match')!;
  const method = match.text('method')!;
  const advice = 'Page it (`.limit(n)` with a range on `_id`) or stream it with `for await`.';
  if (method === 'findMany') return checkFindMany(call);
  if (method === 'toArray' || method === 'exec') {
    if (jsArguments(call).args.length > 0) return undefined; // regex.exec(str)
    const verdict = classifyTs(match.node('recv')!);
    if (verdict.kind === 'unbounded') {
      return candidate(call, { expr: `${originText(verdict.origin)}.${method}()`, what: 'the whole collection', rows: 'documents', advice });
    }
    if (verdict.kind === 'variable') {
      const key = scopeOf(verdict.node, ctx) + verdict.name;
      return {
        ...candidate(call, { expr: `${verdict.name}.${method}()`, what: `every document of \`${verdict.name}\`, a \`find({})\` over the whole collection`, rows: 'documents', advice }),
        requires: [{ fact: FACT_ALL, key }],
        unless: [{ fact: FACT_LIMITED, key }],
      };
    }
    return undefined;
  }
  // `await Model.find()`: mongoose and TypeORM resolve the query to an array.
  const verdict = classifyTs(call);
  if (verdict.kind !== 'unbounded') return undefined;
  const owner = verdict.origin.call.childForFieldName('function')?.childForFieldName('object');
  if (owner && /repo(sitory)?$/i.test(owner.text)) {
    // TypeORM: `repository.find()` reads every row of the table.
    const typeorm = 'Pass `take` (with `skip` or a key range) and page through the rest.';
    return candidate(call, { expr: `${owner.text.split('.').pop()}.find()`, what: 'the whole table', rows: 'rows', advice: typeorm });
  }
  return candidate(call, { expr: `await ${originText(verdict.origin)}`, what: 'the whole collection', rows: 'documents', advice });
}

/** Prisma/Drizzle `findMany` without `take`/`limit` (spec: taken literally, a `where` does not bound it). */
function checkFindMany(call: SyntaxNode): CandidateInit | undefined {
  const { args, spread } = jsArguments(call);
  if (spread) return undefined;
  const advice = 'Add `take` (with a `cursor` or `skip`) and page through the rest.';
  if (args.length === 0) return candidate(call, { expr: 'findMany()', what: 'the whole table', rows: 'rows', advice });
  const opts = args[0];
  if (opts.type !== 'object') return undefined; // findMany(args): built elsewhere
  const { props, spread: hidden } = objectProperties(opts);
  if (hidden) return undefined;
  const take = props.get('take') ?? props.get('limit');
  if (take && !jsKeyless(take)) return undefined;
  const where = props.get('where');
  if (where && isKeyLookup(where)) return undefined;
  const keys = [...props.keys()];
  return candidate(call, {
    expr: keys.length > 0 ? `findMany({ ${short(keys.join(', '), 30)} })` : 'findMany({})',
    what: where ? 'every row the filter matches' : 'the whole table',
    rows: 'rows',
    advice,
  });
}

/** `where: { id }` / `where: { id: { in: ids } }`: a lookup by key, bounded by what the caller passes. */
function isKeyLookup(where: SyntaxNode): boolean {
  if (where.type !== 'object') return false;
  const { props, spread } = objectProperties(where);
  const id = props.get('id');
  if (spread || !id) return false;
  if (id.type !== 'object') return true;
  return objectProperties(id).props.has('in');
}

// ---------------------------------------------------------------------------------------------
// Go: a SELECT string without WHERE and LIMIT in a request handler.

/** The text of a Go string literal, or of a `+` concatenation of literals; undefined when any part is not a literal. */
function goSql(node: SyntaxNode): string | undefined {
  if (node.type === 'binary_expression') {
    if (node.childForFieldName('operator')?.text !== '+') return undefined;
    const l = node.childForFieldName('left');
    const r = node.childForFieldName('right');
    const ls = l ? goSql(l) : undefined;
    const rs = r ? goSql(r) : undefined;
    return ls !== undefined && rs !== undefined ? ls + rs : undefined;
  }
  const text = stringLiteral(node);
  if (text === undefined) return undefined;
  // Escapes: `\n` between clauses separates words, and ends a `--` comment.
  const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r' };
  return node.type === 'interpreted_string_literal' ? text.replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c) : text;
}

/** Scalar aggregates: without GROUP BY (and OVER) the query returns one row. `json_agg` etc. are not: one huge row. */
const SCALAR_AGGREGATE = /\b(count|sum|avg|min|max|bool_and|bool_or|every|stddev\w*|var_\w+|variance)\s*\(/i;

/** The query with the inside of every parenthesis blanked out: what is left is its top level. */
function topLevel(sql: string): string {
  let depth = 0;
  let out = '';
  for (const ch of sql) {
    if (ch === '(') {
      out += depth === 0 ? ch : ' ';
      depth++;
    } else if (ch === ')') {
      depth = Math.max(0, depth - 1);
      out += depth === 0 ? ch : ' ';
    } else {
      out += depth === 0 ? ch : ' ';
    }
  }
  return out;
}

/** Whether a SQL text is a SELECT over a table with no WHERE, no LIMIT/FETCH FIRST/TOP and not a single aggregate row. */
export function isUnboundedSelect(sql: string): boolean {
  const s = sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''")
    .trim();
  if (!/^select\b/i.test(s)) return false;
  if (/\b(where|limit)\b|\bfetch\s+(first|next)\b|^select\s+(distinct\s+)?top\b/i.test(s)) return false;
  const top = topLevel(s);
  // A table after FROM: not `SELECT now()`, not `FROM unnest($1)` / `FROM (SELECT ...)`.
  const from = /\bfrom\s+([\w."`[\]]+)(\s*\()?/i.exec(top);
  if (!from || from[2] !== undefined) return false;
  if (!/\bgroup\s+by\b/i.test(top)) {
    const list = top.slice(0, from.index);
    if (SCALAR_AGGREGATE.test(list) && !/\bover\b/i.test(list)) return false;
  }
  return true;
}

function checkGo(match: RuleMatch, ctx: CheckContext): CandidateInit | undefined {
  const lit = match.node('match')!;
  const sql = goSql(lit);
  if (sql === undefined || !isUnboundedSelect(sql)) return undefined;
  const found = candidate(lit, {
    expr: short(sql, 60),
    what: 'the whole table',
    rows: 'rows',
    advice: 'Add a `WHERE` that bounds it, or page it with `LIMIT` and a key range (`WHERE id > $1 ORDER BY id LIMIT $2`).',
  });
  const variable = match.node('var');
  if (!variable) return found;
  // `query := "SELECT ..."`: reported when the same function passes it, unchanged, to a query call.
  const key = scopeOf(variable, ctx) + variable.text;
  return { ...found, requires: [{ fact: FACT_GO_ARG, key }], unless: [{ fact: FACT_GO_REASSIGN, key }] };
}

// ---------------------------------------------------------------------------------------------

/**
 * A key naming the function a node is in, stable while its top-level unit's text is unchanged
 * (facts of a unit are cached by that text): the unit's first line, and the function's place in it.
 */
function scopeOf(node: SyntaxNode, ctx: CheckContext): string {
  const fn = ctx.enclosingFunction(node);
  if (!fn) return 'module:';
  let unit = fn;
  while (unit.parent?.parent) unit = unit.parent;
  const head = unit.text.slice(0, 160).split('\n', 1)[0];
  return `${head}|${fn.startIndex - unit.startIndex}|${fn.endIndex - fn.startIndex}:`;
}

function candidate(node: SyntaxNode, args: { expr: string; what: string; rows: string; advice: string }): CandidateInit {
  return { node, args };
}

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python, go, typescript },
  check(match, ctx) {
    switch (match.language) {
      case 'python':
        return checkPython(match, ctx);
      case 'typescript':
        return checkTypeScript(match, ctx);
      case 'go':
        return checkGo(match, ctx);
    }
  },
  facts(match, ctx): FactInit[] | undefined {
    const keyNode = match.node('key');
    if (!keyNode) return undefined;
    const key = scopeOf(keyNode, ctx) + keyNode.text;
    switch (match.props.fact) {
      case 'unbounded-fetch.limit-call':
        return [{ name: FACT_LIMITED, key, node: keyNode }];
      case 'unbounded-fetch.assign': {
        const value = match.node('value')!;
        const verdict = match.language === 'python' ? classifyPython(value) : classifyTs(value);
        if (verdict.kind === 'unbounded') return [{ name: FACT_ALL, key, node: keyNode }];
        if (verdict.kind === 'variable' && verdict.name === keyNode.text) return undefined; // cursor = cursor.sort(...)
        return [{ name: FACT_LIMITED, key, node: keyNode }];
      }
      case 'unbounded-fetch.go-arg':
        return [{ name: FACT_GO_ARG, key, node: keyNode }];
      case 'unbounded-fetch.go-reassign':
        return [{ name: FACT_GO_REASSIGN, key, node: keyNode }];
      default:
        return undefined;
    }
  },
});
