import type { SyntaxNode } from 'tree-sitter';
import { defineRule, type CandidateInit, type CheckContext, type ExportInit, type FactInit, type RuleMatch, type RuleMeta } from '../../server/src/engine/rule-api';
import { calleeName, jsArguments, objectProperties, pythonArguments, sameNode, stringLiteral } from '../../server/src/engine/syntax';
import type { FileContext } from '../../server/src/model/file-context';
import { effectsOf, models, type LanguageModels, type MemberRow } from '../../server/src/model/library';
import { chainOf, type Link } from './chain';
import { growingReads, modelExports, pagingSettingWords, readExport } from './orm-tables';
import { ORM_READ, USER_TABLES } from '../../server/src/workspace/orm-schema';
import { goReadExport, goStructExports } from './go-tables';
import { entityExports, readEntity, relationExports, TYPEORM } from './ts-tables';
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
// What the models say of cursors and query builders (models/, never listed here)

type Bound = NonNullable<MemberRow['bound']> & { paging?: string[]; stages?: string[] };
type Row = MemberRow & { lazy?: boolean; arguments?: Record<string, unknown>; bound?: Bound };

interface CursorKnowledge {
  /** Cursor methods that neither bound the result nor change where it comes from (sort, skip, projection, lean...): they return their own cursor type. */
  modifiers: Set<string>;
  /** Where a cursor over a collection starts (`find`, Beanie `find_all`), with where its limit goes. */
  finds: Map<string, Bound>;
  /** Methods that bound a cursor (`limit`), with the values that mean no bound. */
  limits: Map<string, Bound>;
  /** Methods that materialise a cursor with an optional cap (`to_list`). */
  materialisers: Map<string, Bound>;
  /** Aggregations, with the pipeline stages that bound their result. */
  pipelines: Map<string, Bound>;
  /** Methods that materialise a whole result (`toArray`, `exec`). */
  materialise: Set<string>;
}

const CURSORS = new WeakMap<LanguageModels, CursorKnowledge>();

/** Several libraries' rows of one name: where the bound goes, and every value any of them reads as none. */
function merge(map: Map<string, Bound>, name: string, bound: Bound): void {
  const had = map.get(name);
  if (!had) {
    map.set(name, { ...bound });
    return;
  }
  had.argument ??= bound.argument;
  had.keyword ??= bound.keyword;
  had.option ??= bound.option;
  if (bound.unboundedValues) had.unboundedValues = [...new Set([...(had.unboundedValues ?? []), ...bound.unboundedValues])];
  if (bound.stages) had.stages = [...new Set([...(had.stages ?? []), ...bound.stages])];
  if (bound.paging) had.paging = [...new Set([...(had.paging ?? []), ...bound.paging])];
}

function cursorKnowledge(lang: LanguageModels): CursorKnowledge {
  let k = CURSORS.get(lang);
  if (k) return k;
  k = { modifiers: new Set(), finds: new Map(), limits: new Map(), materialisers: new Map(), pipelines: new Map(), materialise: new Set() };
  for (const lib of lang.libraries) {
    for (const t of lib.file.types ?? []) {
      const members = (t.members ?? []) as Row[];
      // A cursor or query builder: a type with a limit that returns the type itself.
      const cursor = members.some((m) => effectsOf(m).includes('limit') && m.returns === t.name);
      for (const m of members) {
        if (m.name === '*') continue;
        const effects = effectsOf(m);
        if (effects.includes('db-read-many') && m.lazy && m.bound && !m.bound.stages) merge(k.finds, m.name, m.bound);
        else if (m.bound?.stages && m.arguments?.pipeline !== undefined) merge(k.pipelines, m.name, m.bound);
        else if (effects.includes('materialize') && effects.includes('limit') && m.bound) merge(k.materialisers, m.name, m.bound);
        else if (effects.includes('limit') && m.bound && m.returns) merge(k.limits, m.name, m.bound);
        else if (effects.includes('materialize') && effects.length === 1) k.materialise.add(m.name);
        else if (cursor && m.returns === t.name && effects.every((e) => e === 'offset')) k.modifiers.add(m.name);
      }
    }
  }
  // A name that starts a cursor in one library is never a mere modifier (Beanie `FindMany.find`).
  for (const n of k.finds.keys()) k.modifiers.delete(n);
  CURSORS.set(lang, k);
  return k;
}

/** A value the model says means "no bound" (`None`, `0`, `null`, `undefined`). */
function isNoBound(node: SyntaxNode | undefined, bound: Bound | undefined): boolean {
  if (!node || !bound?.unboundedValues) return false;
  const values = bound.unboundedValues;
  if (node.type === 'none' || node.type === 'null' || node.type === 'undefined' || (node.type === 'identifier' && node.text === 'undefined')) return values.includes(null);
  if (node.type === 'integer' || node.type === 'number') return values.includes(Number(node.text));
  return false;
}

/** The argument a bound is given in (position or keyword). */
function boundArgument(call: SyntaxNode, bound: Bound, lang: 'python' | 'typescript'): SyntaxNode | undefined {
  if (lang === 'python') {
    const { positional, keywords } = pythonArguments(call);
    return (bound.keyword ? keywords.get(bound.keyword) : undefined) ?? (bound.argument !== undefined ? positional[bound.argument] : undefined);
  }
  return bound.argument !== undefined ? jsArguments(call).args[bound.argument] : undefined;
}

/** The library's verdict on a callee: the project's own code or a library call that is no query is never reported. */
function vetoed(call: SyntaxNode, file: FileContext): boolean {
  const r = file.resolveCallee(call);
  if (r.kind === 'function' || r.kind === 'class') return true;
  if (r.kind === 'import') return r.rest.length === 0 || (r.name === undefined && r.rest.length === 1);
  return false;
}

// ---------------------------------------------------------------------------------------------
// Python: Motor / PyMongo async / Beanie cursors.

function isEmptyDict(node: SyntaxNode): boolean {
  return node.type === 'dictionary' && node.namedChildren.every((c) => c.type === 'comment');
}

function classifyPython(node: SyntaxNode, models: LanguageModels): Verdict {
  const k = cursorKnowledge(models);
  const { links, root } = chainOf(node);
  for (const link of links) {
    const limitBound = k.limits.get(link.name);
    if (limitBound) {
      if (isNoBound(boundArgument(link.call, limitBound, 'python'), limitBound)) continue;
      return BOUNDED;
    }
    const find = k.finds.get(link.name);
    if (find) {
      const { positional, keywords, splat } = pythonArguments(link.call);
      if (splat) return UNKNOWN;
      // find(filter, projection, skip, limit): where the models say the limit goes.
      const limit = boundArgument(link.call, find, 'python');
      if (limit && !isNoBound(limit, find)) return BOUNDED;
      const filter = positional[0] ?? keywords.get('filter');
      // pandas `s.str.find("x")`, `text.find("x")`: a substring search, not a query.
      if (filter?.type === 'string' || filter?.type === 'concatenated_string') return UNKNOWN;
      return { kind: 'unbounded', origin: link, filtered: filter !== undefined && !isEmptyDict(filter) };
    }
    if (k.modifiers.has(link.name)) continue;
    const pipeline = k.pipelines.get(link.name);
    if (pipeline) return pipelineVerdict(link, pipeline);
    return UNKNOWN;
  }
  return rootVerdict(root);
}

/** `aggregate([...])`: unbounded only when every stage is a literal and none caps the result. */
function pipelineVerdict(link: Link, bound: Bound): Verdict {
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
      if (bound.stages?.includes(op)) return BOUNDED;
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
  // A materialiser with an optional cap (`to_list(length)`), by the models: no argument, or the value that means none.
  const bound = cursorKnowledge(ctx.file.lang).materialisers.get(match.text('method')!);
  if (!bound || vetoed(call, ctx.file)) return undefined;
  const { positional, keywords, splat } = pythonArguments(call);
  if (splat) return undefined;
  const noArgs = positional.length === 0 && keywords.size === 0;
  const explicitNone = positional.length + keywords.size === 1 && isNoBound(boundArgument(call, bound, 'python'), bound);
  if (!noArgs && !explicitNone) return undefined; // to_list(100): a cap, see hardcoded-fetch-cap
  const expr = `${match.text('method')}(${match.node('args')!.text.slice(1, -1).replace(/\s+/g, '')})`;
  const advice = 'Page it (`.limit(n)` with a range on `_id`) or stream it with `async for`.';
  const verdict = classifyPython(match.node('recv')!, ctx.file.lang);
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

function jsKeyless(node: SyntaxNode): boolean {
  return node.type === 'null' || node.type === 'undefined' || (node.type === 'identifier' && node.text === 'undefined');
}

function isEmptyObject(node: SyntaxNode): boolean {
  return node.type === 'object' && node.namedChildren.every((c) => c.type === 'comment');
}

function classifyTs(node: SyntaxNode, models: LanguageModels): Verdict {
  const k = cursorKnowledge(models);
  const { links, root } = chainOf(node);
  for (const link of links) {
    const limitBound = k.limits.get(link.name);
    if (limitBound) {
      // .limit(0) is "no limit" for the MongoDB driver and mongoose (the models' unboundedValues).
      if (isNoBound(boundArgument(link.call, limitBound, 'typescript'), limitBound)) continue;
      return BOUNDED;
    }
    const find = k.finds.get(link.name);
    if (find) return findVerdict(link, find);
    if (k.modifiers.has(link.name)) continue;
    return UNKNOWN;
  }
  return rootVerdict(root);
}

/** `find()` / `find({})` (optionally with projection or options that hold no `limit`): the whole collection. */
function findVerdict(link: Link, bound: Bound): Verdict {
  const { args, spread } = jsArguments(link.call);
  if (spread) return UNKNOWN;
  const [filter, ...rest] = args;
  if (filter && !isEmptyObject(filter)) return BOUNDED; // a filtered find: bounded by its filter (see doc.md)
  for (const a of rest) {
    if (a.type === 'object') {
      const { props, spread: hidden } = objectProperties(a);
      if (hidden) return UNKNOWN;
      const limit = bound.option ? props.get(bound.option) : undefined;
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

/** A TypeScript read; a TypeORM read whose entity the code names is the growth join's (typeormRead). */
function checkTypeScript(match: RuleMatch, ctx: CheckContext): CandidateInit | undefined {
  const found = tsCandidate(match, ctx);
  return found?.entity ? undefined : found;
}

/** A TypeORM read of a named entity, exported for the growth join: reported when the entity grows with the users, or is not one the workspace declares. */
function typeormRead(match: RuleMatch, ctx: CheckContext): ExportInit[] | undefined {
  const found = tsCandidate(match, ctx);
  if (!found?.entity || !found.args) return undefined;
  const args = found.args as Record<string, string>;
  return [{ name: ORM_READ, node: match.node('match')!, data: { class: found.entity, orm: TYPEORM, expr: args.expr, what: args.what, advice: args.advice, searched: false, user: false } }];
}

function tsCandidate(match: RuleMatch, ctx: CheckContext): (CandidateInit & { entity?: string }) | undefined {
  const call = match.node('match')!;
  const method = match.text('method')!;
  const advice = 'Page it (`.limit(n)` with a range on `_id`) or stream it with `for await`.';
  const models = ctx.file.lang;
  if (match.props.form === 'typeorm' && !limitedReads(models).has(method)) return undefined; // save, delete, query…: no read with a limit option
  if (vetoed(call, ctx.file)) return undefined;
  if (match.props.form === 'builder' || match.props.form === 'builder-read') return checkBuilder(call, ctx.file, match.props.form === 'builder-read');
  if (match.props.form === 'sql') return checkRawSql(call, method, ctx.file);
  if (match.props.form === 'typeorm') {
    // A repository's or entity manager's read (by resolution or the models' naming of repositories),
    // with options (`{ where, order, take }`): `users.find((u) => …)` is an array's.
    if (!typeormReceiver(call, method, ctx.file)) return undefined;
    // The entity manager's reads name the entity first: `manager.find(User, { where })`.
    const r = ctx.file.resolveCallee(call);
    const at = r.kind === 'library' && typeof (r.row as Row).arguments?.options === 'number' ? ((r.row as Row).arguments!.options as number) : 0;
    const { args } = jsArguments(call);
    if (args.length < at) return undefined;
    const first = args[at];
    if (!first && call.parent?.type === 'await_expression' && at === 0) return undefined; // `await repo.find()`: the awaited form reports it
    if (first && (first.type !== 'object' || !objectKeysOf(first).some((k) => readOptionKeys(models, method).has(k)))) return undefined;
    const found = checkFindMany(call, method, models, ctx.file, at);
    return found && { ...found, entity: readEntity(call, at, ctx.file) };
  }
  if (match.node('args') && !match.node('recv')) {
    // A Prisma model's read: whether its table grows is the workspace's (the schema), see prismaRead.
    if (prismaModel(call, ctx.file)) return undefined;
    return checkFindMany(call, method, models, ctx.file);
  }
  if (match.node('recv') && cursorKnowledge(models).materialise.has(method)) {
    if (jsArguments(call).args.length > 0) return undefined; // regex.exec(str)
    const verdict = classifyTs(match.node('recv')!, models);
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
  const verdict = classifyTs(call, models);
  if (verdict.kind !== 'unbounded') return undefined;
  const owner = verdict.origin.call.childForFieldName('function')?.childForFieldName('object');
  // `this.users.scoped(teamId).find()`: what a project's call hands out holds more of the filter,
  // unless it is a repository (`getRepository(User)`) or the read resolves to a library's.
  if (owner?.type === 'call_expression' && !repositoryFactory(models, owner, verdict.origin.name) && ctx.file.resolveCallee(verdict.origin.call).kind !== 'library') return undefined;
  if (owner && (resolvesRows(models, owner.text.split('.').pop()!, verdict.origin.name) || repositoryFactory(models, owner, verdict.origin.name))) {
    // TypeORM: `repository.find()` reads every row of the table.
    const typeorm = 'Pass `take` (with `skip` or a key range) and page through the rest.';
    const repo = owner.type === 'call_expression' ? `${calleeName(owner)}(…)` : owner.text.split('.').pop();
    return { ...candidate(call, { expr: `${repo}.find()`, what: 'the whole table', rows: 'rows', advice: typeorm }), entity: readEntity(verdict.origin.call, 0, ctx.file) };
  }
  return candidate(call, { expr: `await ${originText(verdict.origin)}`, what: 'the whole collection', rows: 'documents', advice });
}

/** `pool.query('SELECT id, email FROM users')`: a SELECT with no WHERE and no LIMIT, in the models' statement place. */
function checkRawSql(lit: SyntaxNode, method: string, file: FileContext): CandidateInit | undefined {
  const call = lit.parent?.parent;
  if (!call || !inStatementPlace(lit, method, file.lang) || vetoed(call, file)) return undefined;
  // A template's substitutions are values or identifiers; the statement's words are in its text.
  const sql = stringLiteral(lit) ?? (lit.type === 'template_string' ? lit.text.slice(1, -1).replace(/\$\{[^}]*\}/g, '$1') : undefined);
  if (sql === undefined || !isUnboundedSelect(sql)) return undefined;
  return candidate(lit, { expr: short(sql, 60), what: 'the whole table', rows: 'rows', advice: SQL_ADVICE });
}

const SQL_ADVICE = 'Add a `WHERE` that bounds it, or page it with `LIMIT` and a key range (`WHERE id > $1 ORDER BY id LIMIT $2`).';

/** What ends a builder's read before it loads a table: a limit, one row, a count or summary, a write, a stream, a batch of keys. */
const BUILDER_STOPS = new Set(['limit', 'db-read-one', 'db-count', 'db-write', 'db-write-many', 'stream', 'batch']);

/**
 * A query builder's read: a Knex, Drizzle or Supabase builder run by `await`, or a TypeORM query
 * builder's `getMany()`. Every row of its table, or every row a filter matches when the filter pins
 * no key (see builderFilterPins). Each call of the chain must resolve to the models' rows (an
 * unknown link may bound it), and the chain must start here, from a client or a repository: a
 * builder handed in (a parameter) may have been bounded by whoever built it.
 */
function checkBuilder(call: SyntaxNode, file: FileContext, byRead: boolean): CandidateInit | undefined {
  const models = file.lang;
  const { links, root } = chainOf(call);
  const calls = [...links.map((l) => l.call), ...(root.type === 'call_expression' ? [root] : [])];
  const filters: SyntaxNode[] = [];
  let limit: string | undefined;
  let builder: string | undefined;
  let startsHere = false;
  for (const [i, c] of calls.entries()) {
    const r = file.resolver.invoked(file.resolveCallee(c)); // `knex('users')`: calling the client starts a builder
    if (r.kind !== 'library') return undefined;
    const row = r.row as Row;
    const owner = r.qname.slice(0, r.qname.lastIndexOf('.'));
    if (i === 0) {
      // Awaited, the builder's `then` reads; or the call is the read (`getMany()`) on a builder.
      const awaited = call.parent?.type === 'await_expression' && !(effectsOf(row).includes('db-read-many') && !row.lazy);
      if (awaited === byRead) return undefined; // each form is its own pattern's
      builder = awaited ? row.returns : owner;
      const then = awaited && builder ? models.member(builder, 'then') : undefined;
      if (awaited ? !then || !effectsOf(then.row as Row).some((e) => e === 'db-read-many' || e === 'db-query') : !effectsOf(row).includes('db-read-many') || row.lazy) return undefined;
      limit = builder ? models.memberNames(builder).find((n) => effectsOf(models.member(builder!, n)?.row as Row).includes('limit')) : undefined;
      if (!awaited) continue; // the read itself: `getMany` is no stop
    }
    if (i === calls.length - 1) startsHere = owner !== builder;
    if (effectsOf(row).some((e) => BUILDER_STOPS.has(e))) return undefined;
    const args = jsArguments(c);
    if (args.spread) return undefined;
    const at = (k: string) => (typeof row.arguments?.[k] === 'number' ? args.args[row.arguments[k] as number] : undefined);
    const filter = at('filter');
    // A filter built elsewhere (`where(filters)`, `where((qb) => …)`) is not judged.
    if (filter ? args.args.length === 1 && !['object', 'call_expression', 'string', 'template_string'].includes(filter.type) : typeof row.arguments?.filter === 'number') return undefined;
    if (filter) filters.push(filter);
  }
  if (!startsHere || !limit) return undefined; // a builder handed in: not this form
  const batch = batchOperators(models);
  if (filters.some((f) => builderFilterPins(f, file, batch))) return undefined;
  return candidate(call, {
    expr: short(call.text, 48),
    what: filters.length > 0 ? 'every row the filter matches' : 'the whole table',
    rows: 'rows',
    advice: `Add \`.${limit}(n)\` (with an offset or a key range) and page through the rest.`,
  });
}

/**
 * A builder's filter that pins a key (a user's rows, one row by id): `{ userId }`, `('user_id', id)`,
 * `eq(tokens.userId, id)`, `and(eq(t.id, id), …)`; a batch of keys (`inArray`) too. Compared with a
 * literal, a key pins nothing.
 */
function builderFilterPins(filter: SyntaxNode, file: FileContext, batch: ReadonlySet<string>, depth = 0): boolean {
  if (depth > 3) return false;
  if (filter.type === 'object') return isKeyLookup(filter, batch);
  const call = filter.parent?.type === 'arguments' ? filter.parent.parent : undefined;
  const args = filter.parent?.type === 'arguments' ? jsArguments(filter.parent.parent!).args : [];
  if (filter.type === 'call_expression') {
    const r = file.resolveCallee(filter);
    if (r.kind === 'library' && effectsOf(r.row as Row).includes('batch')) return true;
    const name = calleeName(filter);
    const inner = jsArguments(filter).args;
    if (name === 'and') return inner.some((a) => builderFilterPins(a, file, batch, depth + 1));
    if (name === 'or') return inner.length > 0 && inner.every((a) => builderFilterPins(a, file, batch, depth + 1));
    if (name === 'eq' && inner.length === 2) return columnIsKey(inner[0]) && !isLiteral(inner[1]);
    return false;
  }
  // TypeORM `where('order.userId = :userId', { userId })`, `where('o.id IN (:...ids)', { ids })`: a condition in SQL.
  const sql = stringLiteral(filter);
  if (sql !== undefined && /[\s=<>]/.test(sql.trim())) return sqlConditionPins(sql);
  // Knex `where('user_id', id)` / `where(Field.userId, '=', id)`, Supabase `eq('user_id', id)`: a column and its value.
  if (call && sameNode(args[0], filter) && args.length >= 2) return columnIsKey(filter) && !isLiteral(args[args.length - 1]);
  return false;
}

/** A SQL condition that compares a key with a parameter (`o.userId = :userId`, `user_id = $1`), or a key with a list (`IN (:...ids)`, `= ANY($1)`). */
function sqlConditionPins(sql: string): boolean {
  if (/\bor\b/i.test(sql)) return false;
  for (const m of sql.matchAll(/([\w."`]+)\s*(?:=|\bin\b)\s*(?:any\s*)?\(?\s*(?::\.{0,3}\w+|\$\d+|\?)/gi)) {
    if (KEY_FIELD.test(m[1].replace(/["`]/g, '').split('.').pop()!)) return true;
  }
  return false;
}

function columnIsKey(column: SyntaxNode): boolean {
  // `${TableGroupUser}.${Field.userId}`: the column is the last part.
  const last = column.type === 'template_string' ? column.namedChildren.filter((c) => c.type === 'template_substitution').pop()?.namedChildren[0] : undefined;
  if (last && column.text.endsWith('}`')) return columnIsKey(last);
  const name = stringLiteral(column) ?? (column.type === 'member_expression' ? column.childForFieldName('property')?.text : column.text);
  return !!name && KEY_FIELD.test(name.split('.').pop()!); // `users.user_id` in a join
}

function isLiteral(node: SyntaxNode): boolean {
  return ['string', 'number', 'true', 'false', 'null', 'template_string'].includes(node.type) && !(node.type === 'template_string' && node.namedChildren.some((c) => c.type === 'template_substitution'));
}

const LIMITED = new WeakMap<LanguageModels, Set<string>>();
/** Reads whose options hold a limit (`find` with `take`): the names the TypeORM form judges. */
function limitedReads(models: LanguageModels): Set<string> {
  let out = LIMITED.get(models);
  if (!out) {
    out = new Set();
    for (const lib of models.libraries) for (const t of lib.file.types ?? []) for (const m of (t.members ?? []) as Row[]) if (m.bound?.option && (m as Row & { optionKeys?: string[] }).optionKeys) out.add(m.name);
    LIMITED.set(models, out);
  }
  return out;
}

/** A TypeORM repository or entity manager: resolved to one, or named like one by the models' conventions. */
function typeormReceiver(call: SyntaxNode, method: string, file: FileContext): boolean {
  const r = file.resolveCallee(call);
  if (r.kind === 'library') return readOptionKeys(file.lang, method, r.row as Row).size > 0;
  if (r.kind === 'function' || r.kind === 'class') return false;
  const owner = call.childForFieldName('function')?.childForFieldName('object');
  if (owner?.type === 'call_expression') return repositoryFactory(file.lang, owner, method);
  const name = owner?.type === 'member_expression' ? owner.childForFieldName('property')?.text : owner?.text;
  return !!name && resolvesRows(file.lang, name, method);
}

/** The option keys of a read (TypeORM `where`, `order`, `take`), of one row or of every row of that name. */
function readOptionKeys(models: LanguageModels, method: string, row?: Row): Set<string> {
  const rows: Row[] = row ? [row] : models.libraries.flatMap((l) => (l.file.types ?? []).flatMap((t) => ((t.members ?? []) as Row[]).filter((m) => m.name === method)));
  return new Set(rows.flatMap((m) => ((m as Row & { optionKeys?: string[] }).optionKeys ?? [])));
}

function objectKeysOf(obj: SyntaxNode): string[] {
  return [...objectProperties(obj).props.keys()];
}

/**
 * A call that hands out a repository whose `method` resolves to the rows themselves: the models'
 * members and functions of that name return one (TypeORM `getRepository(User)`, also through a
 * project's wrapper of the same name, `this.connection.getRepository(ctx, User)`).
 */
function repositoryFactory(models: LanguageModels, owner: SyntaxNode, method: string): boolean {
  return factoryReads(models, owner, method).length > 0;
}

/** The rows of `method` on what a factory call of that name returns, where they read many rows at once. */
function factoryReads(models: LanguageModels, owner: SyntaxNode, method: string): Row[] {
  if (owner.type !== 'call_expression') return [];
  const name = calleeName(owner);
  if (!name) return [];
  const returns = new Set<string>();
  for (const lib of models.libraries) {
    for (const t of lib.file.types ?? []) for (const m of (t.members ?? []) as Row[]) if (m.name === name && m.returns) returns.add(m.returns);
    for (const f of lib.file.symbols ?? []) if (f.returns && (f.name === name || f.name.endsWith(`.${name}`))) returns.add(f.returns);
  }
  return [...returns].flatMap((t) => {
    const m = models.member(t, method);
    return m && effectsOf(m.row as Row).includes('db-read-many') && !(m.row as Row).lazy ? [m.row as Row] : [];
  });
}

function factoryOptions(models: LanguageModels, owner: SyntaxNode, method: string): string[] {
  return factoryReads(models, owner, method).flatMap((r) => (r.bound?.option ? [r.bound.option] : []));
}

/**
 * A repository whose `find` resolves to the rows themselves (TypeORM), by the models' conventions on
 * the receiver's name: a read-many member that is not lazy.
 */
function resolvesRows(models: LanguageModels, name: string, method: string): boolean {
  return models.conventions.some((c) => {
    if (!c.type || !c.pattern.test(name)) return false;
    const m = models.member(c.type, method);
    return !!m && effectsOf(m.row as Row).includes('db-read-many') && !(m.row as Row).lazy;
  });
}

/**
 * The options of a read that bound its result (`take`, `limit`), from the models' rows of that name;
 * the library the call belongs to first (resolved, else the one the chain's root is named like).
 */
function limitOptions(models: LanguageModels, method: string, call: SyntaxNode, file: FileContext): string[] {
  const rows: { lib: string; option: string }[] = [];
  for (const lib of models.libraries) {
    for (const t of lib.file.types ?? []) {
      for (const m of (t.members ?? []) as Row[]) if (m.name === method && m.bound?.option) rows.push({ lib: lib.name, option: m.bound.option });
    }
  }
  const r = file.resolveCallee(call);
  const resolved = r.kind === 'library' ? (r.row as Row).bound?.option : undefined;
  const root = chainOf(call).root;
  let base = root;
  while (base.type === 'member_expression') base = base.childForFieldName('object')!;
  // The chain's root (`prisma`) or the receiver's own name (`this.usersRepository`).
  const own = root.type === 'member_expression' ? root.childForFieldName('property')?.text : undefined;
  const named = models.conventions.filter((c) => c.pattern.test(base.text) || (own !== undefined && c.pattern.test(own))).map((c) => c.lib.name);
  // A repository a call hands out (`getRepository(User).find()`): the options of what it returns.
  const owner = call.childForFieldName('function')?.childForFieldName('object');
  const handedOut = owner?.type === 'call_expression' ? factoryOptions(models, owner, method) : [];
  const rank = (x: { lib: string; option: string }) => (x.option === resolved || handedOut.includes(x.option) ? 0 : named.includes(x.lib) ? 1 : 2);
  return [...new Set(rows.sort((a, b) => rank(a) - rank(b)).map((x) => x.option))];
}

/** Prisma/Drizzle `findMany` without `take`/`limit`: a `where` does not bound it, unless it pins a key (see isKeyLookup). */
function checkFindMany(call: SyntaxNode, method: string, models: LanguageModels, file: FileContext, optionsAt = 0): CandidateInit | undefined {
  const limits = limitOptions(models, method, call, file);
  if (limits.length === 0) return undefined; // a read-many the models give no limit option
  // `User.scope("active").findAll()`, `Group.filterByMember(id).findAll()`: a scope holds more of the
  // filter. A repository handed out by a call (`getRepository(User).find()`) holds none.
  const owner = call.childForFieldName('function')?.childForFieldName('object');
  if (owner?.type === 'call_expression' && !repositoryFactory(models, owner, method)) return undefined;
  const { args, spread } = jsArguments(call);
  if (spread) return undefined;
  const option = limits[0];
  const paging = pagingOptions(models, method, option);
  const advice = `Add \`${option}\`${paging.length > 0 ? ` (with ${paging.map((p) => `\`${p}\``).join(' or ')})` : ''} and page through the rest.`;
  if (args.length <= optionsAt) return candidate(call, { expr: `${method}(${optionsAt > 0 ? args.slice(0, optionsAt).map((a) => short(a.text, 20)).join(', ') : ''})`, what: 'the whole table', rows: 'rows', advice });
  const opts = args[optionsAt];
  if (opts.type !== 'object') return undefined; // findMany(args): built elsewhere
  const { props, spread: hidden } = objectProperties(opts);
  if (hidden) return undefined;
  const take = limits.map((l) => props.get(l)).find((v) => v !== undefined);
  if (take && !jsKeyless(take)) return undefined;
  const where = props.get('where');
  // A filter built elsewhere (`where: filters`) or in raw SQL (`sequelize.where(literal(...))`) is not judged, like options built elsewhere.
  if (where && (!whereIsLiteral(where) || /\b(literal|sequelize\.where|Sequelize\.where|raw)\s*\(/.test(where.text))) return undefined;
  if (where && isKeyLookup(where, batchOperators(models))) return undefined;
  // Sequelize: an include with a `where` is an inner join (unless `required: false`): its key pins the rows too.
  if (pinnedByInclude(props.get('include'), batchOperators(models))) return undefined;
  const keys = [...props.keys()];
  return candidate(call, {
    expr: keys.length > 0 ? `${method}({ ${short(keys.join(', '), 30)} })` : `${method}({})`,
    what: where ? 'every row the filter matches' : 'the whole table',
    rows: 'rows',
    advice,
  });
}

/** How the models' reads with this limit option page through the rest (`skip`, `cursor`). */
function pagingOptions(models: LanguageModels, method: string, option: string): string[] {
  const out = new Set<string>();
  for (const lib of models.libraries) {
    for (const t of lib.file.types ?? []) for (const m of (t.members ?? []) as Row[]) if (m.name === method && m.bound?.option === option) for (const p of m.bound.paging ?? []) out.add(p);
  }
  return [...out];
}

/**
 * A key: `id`, `uid`, a reference to another record (`userId`, `teamID`, `parent_id`, `websiteUid`),
 * or a field that identifies one person, page or secret link (`email`, `username`, `slug`, `token`).
 */
const KEY_FIELD = /^(id|uid|uuid|_id|email|username|slug|token)$|[a-z0-9](Id|ID|Uid|UID|Uuid|UUID|_id|_uid|_uuid)$/;

/**
 * A `where` that pins a key selects the rows of one parent (a user's teams, a collection's children)
 * or the rows of a list of keys the caller holds, not a table that grows with the user base:
 * `{ id }`, `{ userId }`, `{ teamID, parentID }`, `{ uid: { in: uids } }`, `{ members: { some: { userId } } }`.
 * A key compared with a literal (`{ id: 0 }`) or a literal list (`{ in: ['a', 'b'] }`) pins nothing. (Prisma's
 * `in` is the models' batch operator; the key naming is this rule's judgement.)
 */
/** A `where` written out here: an object, or a choice between objects. */
function whereIsLiteral(where: SyntaxNode): boolean {
  if (where.type === 'ternary_expression') return ['consequence', 'alternative'].every((f) => { const b = where.childForFieldName(f); return !!b && whereIsLiteral(b); });
  if (where.type === 'parenthesized_expression') return where.namedChildren.length === 1 && whereIsLiteral(where.namedChildren[0]);
  return where.type === 'object';
}

/** Logical combinations of filters: every branch of an OR must pin a key, one of an AND is enough. */
const ANY_OF = /^(\[?Op\.or\]?|OR)$/;
const ALL_OF = /^(\[?Op\.and\]?|AND)$/;

function isKeyLookup(where: SyntaxNode, batch: ReadonlySet<string>, depth = 0): boolean {
  if (depth > 3) return false;
  if (where.type === 'ternary_expression') return ['consequence', 'alternative'].every((f) => { const b = where.childForFieldName(f); return !!b && isKeyLookup(b, batch, depth + 1); });
  if (where.type === 'parenthesized_expression' && where.namedChildren.length === 1) return isKeyLookup(where.namedChildren[0], batch, depth + 1);
  // `{ order: { id: orderId } as any }`: a type assertion changes no filter.
  if (/^(as_expression|satisfies_expression|non_null_expression)$/.test(where.type) && where.namedChildren[0]) return isKeyLookup(where.namedChildren[0], batch, depth);
  if (where.type !== 'object') return false;
  // A spread adds filters (`...(groupId ? { groupId } : {})`): the keys written here still pin the rows.
  // A spread of a filter built elsewhere (`...whereClause`) may pin one: not judged, like `where: filters`.
  if (where.namedChildren.some((c) => c.type === 'spread_element' && /^(identifier|member_expression|call_expression)$/.test(c.namedChildren[0]?.type ?? ''))) return true;
  const { props } = objectProperties(where);
  for (const [key, value] of props) {
    if (value.type !== 'array' && value.type !== 'object') continue;
    const branches = value.type === 'array' ? value.namedChildren.filter((c) => c.type !== 'comment') : [value];
    if (ANY_OF.test(key) && branches.length > 0 && branches.every((b) => isKeyLookup(b, batch, depth + 1))) return true;
    if (ALL_OF.test(key) && branches.some((b) => isKeyLookup(b, batch, depth + 1))) return true;
  }
  const variable = (v: SyntaxNode | undefined): boolean =>
    !!v && (/^(identifier|shorthand_property_identifier|member_expression|subscript_expression|call_expression|await_expression)$/.test(v.type) || (/^(as_expression|satisfies_expression|non_null_expression)$/.test(v.type) && variable(v.namedChildren[0])));
  for (const [key, value] of props) {
    // `{ name: { in: names } }`, `{ id: { [Op.in]: ids } }`: rows for a list of values the caller
    // holds (a literal list is an enum filter).
    if (value.type === 'object') {
      for (const [op, list] of objectProperties(value).props) if (batch.has(op.replace(/^\[(.*)\]$/, '$1')) && variable(list)) return true;
    }
    if (KEY_FIELD.test(key)) {
      if (variable(value)) return true;
      if (value.type === 'object' && variable(objectProperties(value).props.get('equals'))) return true;
    } else if (value.type === 'object' || /^(as_expression|satisfies_expression)$/.test(value.type)) {
      if (value.type !== 'object') {
        if (isKeyLookup(value, batch, depth + 1)) return true;
        continue;
      }
      // A relation filter: `members: { some: { userId } }`, `AND: { ... }`, or a to-one relation's
      // own filter (`organisation: { members: { some: { userId } } }`).
      const inner = objectProperties(value).props;
      for (const nested of ['some', 'every', 'is']) {
        const n = inner.get(nested);
        if (n && isKeyLookup(n, batch, depth + 1)) return true;
      }
      if (isKeyLookup(value, batch, depth + 1)) return true;
    } else if (value.type === 'call_expression' && (value.childForFieldName('arguments')?.namedChildren ?? []).some((a) => a.type === 'object' && isKeyLookup(a, batch, depth + 1))) {
      // A relation filter a helper builds from keys (`team: buildTeamWhereQuery({ teamId, userId })`).
      return true;
    }
  }
  return false;
}

function pinnedByInclude(include: SyntaxNode | undefined, batch: ReadonlySet<string>, depth = 0): boolean {
  if (!include || include.type !== 'array' || depth > 3) return false;
  for (const item of include.namedChildren) {
    if (item.type !== 'object') continue;
    const { props } = objectProperties(item);
    if (props.get('required')?.text === 'false') continue;
    const where = props.get('where');
    if (where && isKeyLookup(where, batch)) return true;
    if (pinnedByInclude(props.get('include'), batch, depth + 1)) return true;
  }
  return false;
}

const BATCH = new WeakMap<LanguageModels, Set<string>>();

/** The filter operators that ask for a list of keys (Prisma `in`, Sequelize `Op.in`), from the models. */
function batchOperators(models: LanguageModels): Set<string> {
  let out = BATCH.get(models);
  if (!out) {
    out = new Set();
    for (const lib of models.libraries) {
      const file = lib.file as typeof lib.file & { operators?: { name: string; in?: string; effect: string }[] };
      for (const op of file.operators ?? []) if (op.in === 'filter' && op.effect === 'batch') out.add(op.name);
    }
    BATCH.set(models, out);
  }
  return out;
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

/** Whether the string is where the models say this method takes its SQL (`QueryContext(ctx, sql, ...)`), by any library's row of that name. */
function inStatementPlace(lit: SyntaxNode, method: string, models: LanguageModels): boolean {
  const list = lit.parent?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
  const index = list.findIndex((c) => c.startIndex === lit.startIndex && c.endIndex === lit.endIndex);
  for (const lib of models.libraries) {
    for (const t of lib.file.types ?? []) {
      for (const m of (t.members ?? []) as Row[]) {
        if (m.name !== method) continue;
        const st = m.arguments?.statement as number | { argument?: number } | undefined;
        const at = typeof st === 'number' ? st : st?.argument;
        if (at === index) return true;
      }
    }
  }
  return false;
}

function checkGo(match: RuleMatch, ctx: CheckContext): CandidateInit | undefined {
  const lit = match.node('match')!;
  const method = match.text('method');
  if (method !== undefined) {
    const call = lit.parent?.parent;
    if (!call || !inStatementPlace(lit, method, ctx.file.lang) || vetoed(call, ctx.file)) return undefined;
  }
  const sql = goSql(lit);
  if (sql === undefined || !isUnboundedSelect(sql)) return undefined;
  const found = candidate(lit, {
    expr: short(sql, 60),
    what: 'the whole table',
    rows: 'rows',
    advice: SQL_ADVICE,
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

/** The model a Prisma delegate's call reads (`prisma.infraConfig.findMany` → `InfraConfig`), when the call is Prisma's. */
function prismaModel(call: SyntaxNode, file: FileContext): string | undefined {
  const delegate = call.childForFieldName('function')?.childForFieldName('object');
  if (delegate?.type !== 'member_expression') return undefined;
  const r = file.resolveCallee(call);
  if (r.kind === 'library' && !r.qname.startsWith(PRISMA_DELEGATE)) return undefined;
  if (r.kind !== 'library') {
    // A client the project exports (`import { prisma } from '@acme/db'`): named as the models' conventions name Prisma clients.
    const client = delegate.childForFieldName('object');
    const name = client?.type === 'member_expression' ? client.childForFieldName('property')?.text : client?.text;
    if (!name || !file.lang.conventions.some((c) => c.type === PRISMA_CLIENT && c.pattern.test(name))) return undefined;
  }
  const model = delegate.childForFieldName('property')?.text;
  return model ? model[0].toUpperCase() + model.slice(1) : undefined;
}

const PRISMA_CLIENT = '@prisma/client.PrismaClient';
const PRISMA_DELEGATE = '@prisma/client.Prisma.ModelDelegate.';

/** A Prisma read that loads every row it matches (checkFindMany), exported for the growth join: reported when its model grows with the users. */
function prismaRead(match: RuleMatch, ctx: CheckContext): ExportInit[] | undefined {
  const call = match.node('match')!;
  const model = prismaModel(call, ctx.file);
  if (!model || vetoed(call, ctx.file)) return undefined;
  const found = checkFindMany(call, match.text('method')!, ctx.file.lang, ctx.file);
  if (!found?.args) return undefined;
  const args = found.args as Record<string, string>;
  return [{ name: ORM_READ, node: call, data: { class: model, orm: 'prisma', expr: args.expr, what: args.what, advice: args.advice, searched: false, user: false } }];
}

function exportsOf(match: RuleMatch, ctx: CheckContext): ExportInit[] | undefined {
  const name = String(match.props.export);
  if (name === 'orm-read.prisma') return prismaRead(match, ctx);
  if (name === 'orm-read.typeorm') return typeormRead(match, ctx);
  if (name === 'orm-table.typeorm') return entityExports(match, ctx);
  if (name === 'orm-relation.typeorm') return relationExports(match, ctx);
  if (match.language === 'go') return name === 'orm-read.go' ? goReadExport(match, ctx) : goStructExports(match);
  if (match.language !== 'python') return undefined;
  return name.startsWith('orm-read') ? readExport(match, ctx) : modelExports(match, ctx);
}

function message(args: { expr: string; what: string; rows: string; advice: string }): string {
  return (meta as RuleMeta).message.replace(/\{(expr|what|rows|advice)\}/g, (_, k: keyof typeof args) => args[k]);
}

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python: python.replace(/@PAGING_SETTINGS@/g, pagingSettingWords(models().of('python'))).replace(/@USER_TABLES@/g, USER_TABLES.map((n) => `"${n}"`).join(' ')), go, typescript },
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
  exports: exportsOf,
  workspace: (ws) => growingReads(ws, message),
  facts(match, ctx): FactInit[] | undefined {
    const keyNode = match.node('key');
    if (!keyNode) return undefined;
    const key = scopeOf(keyNode, ctx) + keyNode.text;
    switch (match.props.fact) {
      case 'unbounded-fetch.limit-call':
        // `cursor.limit(n)` (not `to_list`, which also bounds by the models but materialises)
        if (!cursorKnowledge(ctx.file.lang).limits.has(match.text('method') ?? '')) return undefined;
        return [{ name: FACT_LIMITED, key, node: keyNode }];
      case 'unbounded-fetch.assign': {
        const value = match.node('value')!;
        const verdict = match.language === 'python' ? classifyPython(value, ctx.file.lang) : classifyTs(value, ctx.file.lang);
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
