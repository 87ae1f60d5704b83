import type { SyntaxNode } from 'tree-sitter';
import {
  defineRule,
  type CandidateInit,
  type FactInit,
  type FactRef,
  type FixTarget,
  type CheckContext,
  type RuleMatch,
  type RuleMeta,
  type TextEditInit,
} from '../../server/src/engine/rule-api';
import type { QueryLanguage } from '../../server/src/engine/languages';
import { enclosingFunction, isAsyncFunction, isIterationCallback } from '../../server/src/engine/predicates';
import { intLiteral, objectProperties, pythonArguments, sameNode, stringLiteral } from '../../server/src/engine/syntax';
import { ensurePythonImport, eol, indentAt, indentUnit, lineStart, nextLineStart } from '../../server/src/engine/edit-helpers';
import type { FileContext } from '../../server/src/model/file-context';
import { effectsOf, type LanguageModels, type MemberRow } from '../../server/src/model/library';
import meta from './rule.json';
import python from './python.scm';
import go from './go.scm';
import typescript from './typescript.scm';
import { pushTo } from '../../server/src/engine/multimap';

/*
 * A capped fetch is found from its own match; whether a loop in the same function sends, schedules
 * or writes for each item of the capped result comes through facts (the loop may sit in another
 * top-level unit at module level, and a rule judges a match by its own unit only). A fact is keyed
 * by what the loop iterates: a variable of one function, or the loop itself when it iterates the
 * capped expression directly. The finding is emitted as alternatives (error when such a fact
 * exists, warning when none does) and the engine keeps the one whose conditions hold.
 */

type Action = 'sends' | 'schedules' | 'writes';
const ACTIONS: readonly Action[] = ['sends', 'schedules', 'writes'];
const FACT: Record<Action, string> = {
  sends: 'hardcoded-fetch-cap/sends',
  schedules: 'hardcoded-fetch-cap/schedules',
  writes: 'hardcoded-fetch-cap/writes',
};
const ACTION_TEXT: Record<Action, { verb: string; never: string }> = {
  sends: { verb: 'sends', never: 'sent anything' },
  schedules: { verb: 'schedules work', never: 'scheduled' },
  writes: { verb: 'writes', never: 'written' },
};

type Store = 'collection' | 'table' | 'data';
const GROWS: Record<Store, string> = {
  collection: 'the collection grows past that',
  table: 'the table grows past that',
  data: 'there are more than that',
};
const FALLBACK_NOUN: Record<Store, string> = { collection: 'documents', table: 'rows', data: 'records' };

/** What holds the capped result: a variable of a function (or of the module), or a loop over the expression itself. */
type ResultRef = { kind: 'var'; name: string; fn: SyntaxNode | undefined } | { kind: 'loop'; loop: SyntaxNode };

interface Cap {
  node: SyntaxNode;
  n: number;
  label: string;
  noun: string;
  store: Store;
  result: ResultRef | undefined;
}

// ---------------------------------------------------------------------------------------------
// Small readers

/** 1000 → `1,000` (independent of the ICU data the runtime ships with). */
function fmt(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

/**
 * A short digest of a function's or loop's text, to tell apart same-placed functions of different
 * units in fact keys. Only both ends are hashed (with the length), so that the cost per match stays
 * flat in long functions.
 */
function digest(text: string): string {
  const s = text.length > 1024 ? text.slice(0, 512) + text.slice(-512) : text;
  let h1 = 0x811c9dc5;
  let h2 = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 16777619);
    h2 = (Math.imul(h2, 31) + c) | 0;
  }
  return `${(h1 >>> 0).toString(36)}${(h2 >>> 0).toString(36)}.${text.length.toString(36)}`;
}

/** The top-level unit (module-level statement or declaration) holding a node. */
function unitOf(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.parent?.parent) n = n.parent;
  return n;
}

function functionId(fn: SyntaxNode | undefined): string {
  return fn ? `${fn.startIndex - unitOf(fn).startIndex}:${digest(fn.text)}` : 'module';
}

function resultKey(ref: ResultRef): string {
  if (ref.kind === 'var') return `${functionId(ref.fn)}|${ref.name}`;
  return `@${ref.loop.startIndex - unitOf(ref.loop).startIndex}:${digest(ref.loop.text)}`;
}

const CALL: Record<QueryLanguage, string> = { python: 'call', typescript: 'call_expression', go: 'call_expression' };
const MEMBER: Record<QueryLanguage, { type: string; object: string; prop: string }> = {
  python: { type: 'attribute', object: 'object', prop: 'attribute' },
  typescript: { type: 'member_expression', object: 'object', prop: 'property' },
  go: { type: 'selector_expression', object: 'operand', prop: 'field' },
};

/** One call of a method chain: `.limit(10)` in `coll.find(q).limit(10).toArray()`. */
interface Link {
  call: SyntaxNode;
  method: string;
  member: SyntaxNode;
}

function linkOf(call: SyntaxNode | null | undefined, lang: QueryLanguage): Link | undefined {
  if (!call || call.type !== CALL[lang]) return undefined;
  const member = call.childForFieldName('function');
  if (member?.type !== MEMBER[lang].type) return undefined;
  const prop = member.childForFieldName(MEMBER[lang].prop);
  return prop ? { call, method: prop.text, member } : undefined;
}

function receiver(link: Link, lang: QueryLanguage): SyntaxNode | null {
  return link.member.childForFieldName(MEMBER[lang].object);
}

/**
 * Query-builder chains in real code are a few dozen links at most; every link of a longer chain
 * would walk all the others (quadratic on a generated or pasted 500-link line), so walks stop here.
 */
const MAX_CHAIN = 64;

/** The calls a chain makes before this one (its receivers), nearest first, and what the chain starts from. */
function linksBelow(link: Link, lang: QueryLanguage): { links: Link[]; base: SyntaxNode | null } {
  const links: Link[] = [];
  let n = receiver(link, lang);
  for (let l = linkOf(n, lang); l && links.length < MAX_CHAIN; l = linkOf(n, lang)) {
    links.push(l);
    n = receiver(l, lang);
  }
  return { links, base: n };
}

/** The calls made on a call's result (`.sort(...).toArray()`), nearest first. */
function linksAbove(call: SyntaxNode, lang: QueryLanguage): Link[] {
  const out: Link[] = [];
  let n = call;
  while (out.length < MAX_CHAIN) {
    const member = n.parent;
    if (member?.type !== MEMBER[lang].type || !sameNode(member.childForFieldName(MEMBER[lang].object), n)) break;
    const link = linkOf(member.parent, lang);
    if (!link || !sameNode(link.member, member)) break;
    out.push(link);
    n = link.call;
  }
  return out;
}

function argumentNodes(call: SyntaxNode): SyntaxNode[] {
  return (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment');
}

const FUNCTION_BOUNDARY: Record<QueryLanguage, RegExp> = {
  python: /^(function_definition|lambda)$/,
  go: /^(function_declaration|method_declaration|func_literal)$/,
  typescript: /^(function_declaration|function_expression|function|arrow_function|method_definition|generator_function_declaration|generator_function)$/,
};

const WRAPPERS = new Set(['await', 'await_expression', 'parenthesized_expression', 'as_expression', 'satisfies_expression', 'non_null_expression']);

/** The node an expression's value ends up in, through `await` and parentheses. */
function unwrapUp(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.parent && WRAPPERS.has(n.parent.type)) n = n.parent;
  return n;
}

/**
 * A loop that runs the fetch again and again (`while True:` / `for {}` / `while (more)`) is a batch
 * loop: the cap there is a batch size, not a stand-in for everything.
 */
function insideBatchLoop(node: SyntaxNode, lang: QueryLanguage): boolean {
  for (let n = node.parent; n && !FUNCTION_BOUNDARY[lang].test(n.type); n = n.parent) {
    if (lang === 'python' && n.type === 'while_statement') return true;
    if (lang === 'typescript') {
      if (n.type === 'while_statement' || n.type === 'do_statement') return true;
      if (n.type === 'for_statement' && !n.childForFieldName('condition')?.text.replace(/;/g, '').trim()) return true;
    }
    if (lang === 'go' && n.type === 'for_statement') {
      // `for {}`, `for more {}`, `for ;; {}` repeat the fetch; `for rows.Next()` and range loops iterate
      const clause = n.namedChildren.find((c) => c.type === 'range_clause' || c.type === 'for_clause');
      const cond = n.namedChildren.find((c) => c.type !== 'block' && c.type !== 'comment');
      if (!clause && linkOf(cond, 'go')?.method !== 'Next') return true;
      if (clause?.type === 'for_clause' && !clause.childForFieldName('condition')) return true;
    }
  }
  return false;
}

const GENERIC_NAMES = new Set([
  'collection', 'coll', 'col', 'cursor', 'db', 'database', 'query', 'q', 'qs', 'table', 'repo', 'repository', 'model',
  'client', 'conn', 'connection', 'self', 'this', 'tx', 'trx', 'knex', 'supabase', 'prisma', 'mongo', 'store', 'result',
  'results', 'rows', 'docs', 'data', 'res', 'out', 'list',
]);

/** `users`, `order items`: a readable plural for a collection, table or model name, if it is one. */
function nounOf(name: string | undefined): string | undefined {
  if (!name || !/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) return undefined;
  const last = name.split('.').pop()!;
  if (GENERIC_NAMES.has(last.toLowerCase())) return undefined;
  const words = last
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[_\s]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  if (words.length === 0 || words.length > 3) return undefined;
  const w = words[words.length - 1];
  words[words.length - 1] = w.endsWith('s') ? w : /[^aeiou]y$/.test(w) ? `${w.slice(0, -1)}ies` : `${w}s`;
  return words.join(' ');
}

// ---------------------------------------------------------------------------------------------
// What the models say of limits, offsets and pages (models/, never listed here)

type Bound = NonNullable<MemberRow['bound']> & { paging?: string[]; stages?: string[] };
type Row = MemberRow & { bound?: Bound; arguments?: Record<string, unknown> };

interface Limits {
  /** Methods that cap a query or cursor (`limit`, TypeORM `take`, gorm `Limit`), with where the cap goes. */
  limits: Map<string, Bound>;
  /** Methods that materialise a cursor with a cap (`to_list(N)`). */
  materialisers: Set<string>;
  /** Methods that skip rows (`skip`, `offset`, `Offset`): with one, a cap is a page size. */
  offsets: Set<string>;
  /** Reads with a limit keyword or option (`find(limit=N)`, `findMany({ take })`), with their paging keywords. */
  reads: Map<string, Bound[]>;
  /** Pipeline stages that bound or page a result (`$limit`, `$skip`, `$sample`). */
  stages: Set<string>;
  /** Methods that take an aggregation pipeline. */
  pipelines: Set<string>;
  /** Pool settings and setters (`SetMaxOpenConns`, `MaxConns`): limits of a client, not of a query. */
  poolSettings: Set<string>;
  /** For a limit method, the other methods of the query builders that have it (`take` → `getMany`, `where`...). */
  builders: Map<string, Set<string>>;
  /** Member names by the kinds of store their libraries talk to (`mongodb` → collection). */
  services: Map<string, Set<string>>;
}

const LIMITS = new WeakMap<LanguageModels, Limits>();

function limitsOf(models: LanguageModels): Limits {
  let k = LIMITS.get(models);
  if (k) return k;
  k = { limits: new Map(), materialisers: new Set(), offsets: new Set(), reads: new Map(), stages: new Set(), pipelines: new Set(), poolSettings: new Set(), builders: new Map(), services: new Map() };
  for (const lib of models.libraries) {
    const file = lib.file as typeof lib.file & { operators?: { name: string; in?: string; effect: string }[] };
    const service = (file.symbols ?? []).find((sym) => sym.client?.service)?.client?.service;
    for (const sym of file.symbols ?? []) for (const o of [...(sym.client?.pool?.options ?? []), ...(sym.client?.pool?.setters ?? [])]) k.poolSettings.add(o);
    for (const op of file.operators ?? []) if (op.in === 'pipeline' && (op.effect === 'limit' || op.effect === 'offset')) k.stages.add(op.name);
    for (const t of file.types ?? []) {
      const members = (t.members ?? []) as Row[];
      for (const m of members) {
        if (m.name === '*') continue;
        const effects = effectsOf(m);
        if (service) k.services.set(m.name, new Set([...(k.services.get(m.name) ?? []), service]));
        if (effects.includes('materialize') && effects.includes('limit')) k.materialisers.add(m.name);
        else if (effects.includes('limit') && m.bound) {
          const had = k.limits.get(m.name);
          k.limits.set(m.name, had ? { ...m.bound, ...had, unboundedValues: [...(had.unboundedValues ?? []), ...(m.bound.unboundedValues ?? [])] } : { ...m.bound });
          const names = k.builders.get(m.name) ?? new Set<string>();
          for (const other of members) if (other.name !== m.name && other.name !== '*') names.add(other.name);
          k.builders.set(m.name, names);
        }
        if (effects.includes('offset')) k.offsets.add(m.name);
        if (m.arguments?.pipeline !== undefined) k.pipelines.add(m.name);
        if (effects.includes('db-read-many') && (m.bound?.keyword || m.bound?.option)) pushTo(k.reads, m.name, m.bound);
      }
    }
  }
  LIMITS.set(models, k);
  return k;
}

/** Whether some library's member of that name has the effect. */
function membersNamedEffect(models: LanguageModels, name: string, effect: string): boolean {
  return models.libraries.some((l) => (l.file.types ?? []).some((t) => (t.members ?? []).some((m) => m.name === name && (m.effect === effect || (m.effects ?? []).includes(effect as never)))));
}

/** The paging keywords or options of the models' reads of that name (`skip`, `cursor`, `offset`). */
function pagingOf(k: Limits, method: string): string[] {
  return (k.reads.get(method) ?? []).flatMap((b) => b.paging ?? []);
}

/** A chain rooted in an in-memory collection library (lodash `_.chain(xs).take(n)`, Immutable): resolved, or by the models' conventions. */
function inMemoryRoot(base: SyntaxNode | null, file: FileContext): boolean {
  let root = base;
  if (root?.type === 'call_expression') root = root.childForFieldName('function');
  while (root?.type === 'member_expression') root = root.childForFieldName('object');
  if (root?.type !== 'identifier') return false;
  const r = file.resolve(root);
  if (r.kind !== 'library') return false;
  // A library none of whose calls does I/O: its take/limit cut an array.
  const lib = file.lang.libraryOfModule(r.qname.split(/[./]/)[0]) ?? file.lang.libraries.find((l) => (l.file.symbols ?? []).some((sym) => sym.name === r.qname || r.qname.startsWith(`${sym.name.split('.')[0]}.`)));
  if (!lib) return false;
  const io = (row: Row) => effectsOf(row).some((e) => /^(db-|materialize|stream|http|cache)/.test(e));
  return !(lib.file.symbols ?? []).some((sym) => io(sym as Row)) && !(lib.file.types ?? []).some((t) => (t.members ?? []).some((m) => io(m as Row)));
}

// ---------------------------------------------------------------------------------------------
// Python (Motor / Beanie)

interface PyChain {
  toList: Link;
  links: Link[];
  base: SyntaxNode | null;
  /** The literal caps of the chain: `.to_list(N)`, `.limit(M)`, `find(limit=M)`. */
  caps: { node: SyntaxNode; n: number; label: string; kind: 'to_list' | 'limit' | 'kwarg' }[];
  /** A computed limit, an offset or a pipeline `$limit`: the chain is paged or bounded on purpose. */
  deliberate: boolean;
}

function isNone(node: SyntaxNode | undefined): boolean {
  return node?.type === 'none';
}

function pyChain(toListCall: SyntaxNode, models: LanguageModels): PyChain | undefined {
  const k = limitsOf(models);
  const toList = linkOf(toListCall, 'python');
  if (!toList || !k.materialisers.has(toList.method)) return undefined;
  const { links, base } = linksBelow(toList, 'python');
  const chain: PyChain = { toList, links, base, caps: [], deliberate: false };
  const { positional, keywords, splat } = pythonArguments(toListCall);
  if (splat) return undefined;
  const length = positional[0] ?? keywords.get('length');
  if (length && !isNone(length)) {
    const n = intLiteral(length);
    if (n === undefined) return undefined; // a computed length is a deliberate bound
    const argText = toListCall.childForFieldName('arguments')!.text.slice(1, -1).trim();
    chain.caps.push({ node: toListCall, n, label: `${toList.method}(${argText})`, kind: 'to_list' });
  }
  for (const link of links) {
    const args = pythonArguments(link.call);
    const limit = k.limits.get(link.method);
    if (limit) {
      const n = intLiteral((limit.argument !== undefined ? args.positional[limit.argument] : undefined) ?? args.keywords.get(limit.keyword ?? link.method));
      if (n === undefined) chain.deliberate = true;
      else if (n > 0) chain.caps.push({ node: link.call, n, label: `${link.method}(${n})`, kind: 'limit' }); // limit(0): no limit
    } else if (k.offsets.has(link.method)) {
      if (intLiteral(args.positional[0]) !== 0) chain.deliberate = true;
    } else if (k.reads.has(link.method)) {
      // find(limit=M), Beanie find_all(limit=M): the models' limit keyword; skip= pages it.
      for (const bound of k.reads.get(link.method)!) {
        const kw = bound.keyword ? args.keywords.get(bound.keyword) : undefined;
        if (kw) {
          const n = intLiteral(kw);
          if (n === undefined) chain.deliberate = true;
          else if (n > 0 && !chain.caps.some((c) => sameNode(c.node, kw.parent!))) chain.caps.push({ node: kw.parent!, n, label: `${bound.keyword}=${n}`, kind: 'kwarg' });
        }
      }
      for (const p of pagingOf(k, link.method)) {
        const skip = args.keywords.get(p);
        if (skip && intLiteral(skip) !== 0) chain.deliberate = true;
      }
    } else {
      // An aggregation: a pipeline that is not a literal list, or that has a limiting or paging stage, is bounded on purpose.
      const pipeline = args.positional[0];
      const staged = (n: SyntaxNode) => [...k.stages].some((st) => new RegExp(`["']${st.replace(/[$]/g, '\\$')}["']`).test(n.text));
      if (k.pipelines.has(link.method) && (pipeline?.type !== 'list' || staged(pipeline))) chain.deliberate = true;
    }
  }
  return chain;
}

/** The cap that actually bounds the chain: the smallest literal (a `.limit` wins a tie with `to_list`). */
function effectiveCap(caps: PyChain['caps']): PyChain['caps'][number] | undefined {
  let best: PyChain['caps'][number] | undefined;
  for (const c of caps) {
    if (!best || c.n < best.n || (c.n === best.n && best.kind === 'to_list')) best = c;
  }
  return best;
}

function pyNoun(chain: PyChain): string | undefined {
  for (const l of chain.links) {
    if (l.method === 'get_collection' || l.method === 'collection') return nounOf(stringLiteral(argumentNodes(l.call)[0]));
  }
  const base = chain.base;
  if (base?.type === 'attribute') return nounOf(base.childForFieldName('attribute')?.text);
  if (base?.type === 'subscript') return nounOf(stringLiteral(base.childForFieldName('subscript')));
  if (base?.type === 'identifier' && /^[A-Z]/.test(base.text)) return nounOf(base.text); // Beanie: User.find(...)
  return undefined;
}

function pyResult(call: SyntaxNode): ResultRef | undefined {
  const top = unwrapUp(call);
  const parent = top.parent;
  if (!parent) return undefined;
  if (parent.type === 'assignment' && sameNode(parent.childForFieldName('right'), top)) {
    const left = parent.childForFieldName('left');
    if (left?.type === 'identifier') return { kind: 'var', name: left.text, fn: enclosingFunction(call, 'python') };
  }
  if (parent.type === 'for_statement' && sameNode(parent.childForFieldName('right'), top)) return { kind: 'loop', loop: parent };
  if (parent.type === 'for_in_clause' && sameNode(parent.childForFieldName('right'), top)) {
    const comp = parent.parent;
    if (comp && sameNode(comp.namedChildren.find((c) => c.type === 'for_in_clause'), parent)) return { kind: 'loop', loop: comp };
  }
  return undefined;
}

function pythonCap(call: SyntaxNode, threshold: number, file: FileContext): Cap | undefined {
  const chain = pyChain(call, file.lang);
  if (!chain || chain.deliberate) return undefined;
  const cap = effectiveCap(chain.caps);
  if (!cap || cap.n < threshold) return undefined;
  if (insideBatchLoop(call, 'python')) return undefined;
  return { node: cap.node, n: cap.n, label: cap.label, noun: pyNoun(chain) ?? 'documents', store: 'collection', result: pyResult(call) };
}

/**
 * How many times `thresholds.fetchCap` a literal row count must be to stand for "everything" on any
 * call (`limit=9999`, `limit=1000000`): nobody pages 5,000 rows at a time.
 */
const ALL_FACTOR = 50;

/**
 * `repo.multi_query(q, limit=9999)`, `PaginationParams(limit=1000000, page=1)`: a literal row count
 * handed to the project's own data access (or to a call no model knows). A huge one stands for "all"
 * on any call; a smaller one counts when the call asks for the first page only (`page=1`,
 * `offset=0`) and is not a library call the models know.
 */
function keywordCap(kw: SyntaxNode, threshold: number, file: FileContext): Cap | undefined {
  const value = kw.childForFieldName('value')!;
  const n = Number(value.text.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < threshold) return undefined;
  const call = kw.parent?.parent;
  if (!call || call.type !== 'call') return undefined;
  const r = file.resolveCallee(call);
  if (r.kind === 'library' || r.kind === 'value') return undefined; // a library's own keyword (its models say what it bounds)
  const { keywords } = pythonArguments(call);
  const firstPage = [...keywords].some(([k, v]) => /^(page|offset|skip|start)$/.test(k) && /^[01]$/.test(v.text));
  const paged = [...keywords.keys()].some((k) => /^(page|offset|skip|start|cursor|after|before)$/.test(k));
  if (n < threshold * ALL_FACTOR && (paged ? !firstPage : true)) return undefined;
  if (insideBatchLoop(call, 'python')) return undefined;
  const fn = call.childForFieldName('function');
  const name = fn?.type === 'attribute' ? fn.childForFieldName('attribute')!.text : fn?.text ?? '';
  // `sdk.products.iter_list(page=1, limit=100)`: an iterator that pages on its own from the first page.
  if (/^a?iter(_|$)/.test(name)) return undefined;
  return { node: kw, n, label: `${name}(${kw.text})`, noun: 'records', store: 'data', result: pyResult(call) };
}

// ---------------------------------------------------------------------------------------------
// TypeScript / JavaScript

/** Options that page a read (the models' `bound.paging`: skip, offset, cursor), and `page`, the generic name. */
function pagingOptions(models: LanguageModels): Set<string> {
  const k = limitsOf(models);
  return new Set(['page', ...[...k.reads.values()].flat().flatMap((b) => b.paging ?? [])]);
}
const TS_COLLECTION_METHODS = new Set(['collection', 'toArray', 'aggregate', 'lean', 'countDocuments']);
const TS_TABLE_METHODS = new Set(['findMany', 'findAll', 'findAndCountAll', 'from', 'table', 'selectFrom', 'range', 'createQueryBuilder']);

/** The whole chain around one call of it, bottom first, and what it starts from. */
function tsChain(link: Link): { links: Link[]; base: SyntaxNode | null } {
  const below = linksBelow(link, 'typescript');
  return { links: [...below.links.reverse(), link, ...linksAbove(link.call, 'typescript')], base: below.base };
}

function hasPagingOption(call: SyntaxNode, paging: Set<string>): boolean {
  return argumentNodes(call).some((a) => a.type === 'object' && [...paging].some((k) => objectProperties(a).props.has(k)));
}

function tsNounAndStore(links: Link[], base: SyntaxNode | null): { noun: string | undefined; store: Store } {
  let store: Store = 'data';
  let noun: string | undefined;
  for (const l of links) {
    if (TS_COLLECTION_METHODS.has(l.method)) store = 'collection';
    else if (TS_TABLE_METHODS.has(l.method) && store === 'data') store = 'table';
    if (['collection', 'from', 'table', 'selectFrom', 'into'].includes(l.method)) {
      const arg = argumentNodes(l.call)[0];
      noun ??= nounOf(arg?.type === 'identifier' ? arg.text : stringLiteral(arg)); // from('users'), drizzle from(users)
    }
    if (l.method === 'getRepository' || l.method === 'model') {
      const arg = argumentNodes(l.call)[0];
      noun ??= nounOf(arg?.type === 'identifier' ? arg.text : stringLiteral(arg)); // TypeORM getRepository(Event), mongoose.model('User')
    }
    if (['find', 'findMany', 'findAll', 'findAndCountAll', 'findAndCount'].includes(l.method) && !noun) {
      const obj = receiver(l, 'typescript');
      if (obj?.type === 'member_expression') noun = nounOf(obj.childForFieldName('property')?.text); // prisma.user / db.users
      else if (obj?.type === 'identifier' && /^[A-Z]/.test(obj.text)) {
        noun = nounOf(obj.text); // mongoose / sequelize model
        if (l.method === 'find' && store === 'data') store = 'collection';
      }
    }
  }
  if (base?.type === 'call_expression' && base.childForFieldName('function')?.type === 'identifier') {
    noun ??= nounOf(stringLiteral(argumentNodes(base)[0])); // knex('users')
    if (store === 'data') store = 'table';
  }
  return { noun, store };
}

function tsResult(top: SyntaxNode): ResultRef | undefined {
  const n = unwrapUp(top);
  const parent = n.parent;
  if (!parent) return undefined;
  const fn = enclosingFunction(top, 'typescript');
  if (parent.type === 'variable_declarator' && sameNode(parent.childForFieldName('value'), n)) {
    const name = parent.childForFieldName('name');
    if (name?.type === 'identifier') return { kind: 'var', name: name.text, fn };
    if (name?.type === 'object_pattern') {
      // Supabase: const { data } = await ... / const { data: users } = await ...
      for (const p of name.namedChildren) {
        if (p.type === 'shorthand_property_identifier_pattern' && p.text === 'data') return { kind: 'var', name: 'data', fn };
        if (p.type === 'pair_pattern' && p.childForFieldName('key')?.text === 'data') {
          const v = p.childForFieldName('value');
          if (v?.type === 'identifier') return { kind: 'var', name: v.text, fn };
        }
      }
    }
    return undefined;
  }
  if (parent.type === 'assignment_expression' && sameNode(parent.childForFieldName('right'), n)) {
    const left = parent.childForFieldName('left');
    return left?.type === 'identifier' ? { kind: 'var', name: left.text, fn } : undefined;
  }
  if (parent.type === 'for_in_statement' && sameNode(parent.childForFieldName('right'), n)) return { kind: 'loop', loop: parent };
  return undefined;
}

function typescriptCap(match: RuleMatch, threshold: number): Cap | undefined {
  const node = match.node('match')!;
  const models = match.file.lang;
  const k = limitsOf(models);
  const paging = pagingOptions(models);
  let call: SyntaxNode;
  let n: number | undefined;
  let label: string;
  switch (match.props.kind) {
    case 'limit': {
      call = node;
      n = intLiteral(argumentNodes(call)[0]);
      label = `${match.text('method')}(${n})`;
      break;
    }
    case 'option': {
      const object = node.parent!;
      call = object.parent!.parent!;
      n = intLiteral(node.childForFieldName('value'));
      label = `${match.text('key')}: ${n}`;
      // The read's own limit option, by the models (`take` for Prisma/TypeORM, `limit` for the driver/Sequelize).
      if (!(k.reads.get(match.text('method')!) ?? []).some((b) => b.option === match.text('key'))) return undefined;
      if ([...paging].some((p) => objectProperties(object).props.has(p))) return undefined;
      break;
    }
    case 'range': {
      call = node;
      // A range of rows (Supabase `range(from, to)`): the models give its end as the bound.
      if (k.limits.get(match.text('method')!)?.argument !== 1) return undefined;
      const [from, to] = argumentNodes(call).map((a) => intLiteral(a));
      if (from !== 0 || to === undefined) return undefined; // a later page of a hard-coded size is paging
      n = to + 1;
      label = `${match.text('method')}(0, ${to})`;
      break;
    }
    default:
      return undefined;
  }
  if (n === undefined || n < threshold) return undefined;
  const link = linkOf(call, 'typescript');
  if (!link) return undefined;
  const { links, base } = tsChain(link);
  if (inMemoryRoot(base, match.file)) return undefined;
  if (match.props.kind === 'limit') {
    // A cap that only one kind of builder has (TypeORM's `take`) counts in a chain of that builder; elsewhere
    // (iterator helpers, Immutable) `take` is in memory. A cap most query builders share (`limit`) counts as such.
    const method = match.text('method')!;
    const owners = models.libraries.filter((l) => (l.file.types ?? []).some((t) => (t.members ?? []).some((m) => m.name === method && (m.effect === 'limit' || m.effects?.includes('limit')))));
    if (owners.length === 1 && !links.some((l) => l.method !== method && k.builders.get(method)?.has(l.method))) return undefined;
    if (k.limits.get(method)?.argument !== 0) return undefined;
  }
  if (links.some((l) => (k.offsets.has(l.method) && intLiteral(argumentNodes(l.call)[0]) !== 0) || hasPagingOption(l.call, paging))) return undefined;
  if (insideBatchLoop(call, 'typescript')) return undefined;
  const { noun, store } = tsNounAndStore(links, base);
  const top = links[links.length - 1].call;
  return { node, n, label, noun: noun ?? FALLBACK_NOUN[store], store, result: tsResult(top) };
}

// ---------------------------------------------------------------------------------------------
// Go

const SQL_LIMIT = /\blimit\s+(\d+)(?:\s*,\s*(\d+))?/gi;
const GO_RESULT_METHODS = new Set(['Find', 'Scan', 'Pluck']);

/** `rows, err := call` / `rows, err = call`: the first variable the call's result goes to. */
function goAssignedVar(call: SyntaxNode): string | undefined {
  const list = call.parent;
  if (list?.type !== 'expression_list') return undefined;
  const stmt = list.parent;
  if ((stmt?.type !== 'short_var_declaration' && stmt?.type !== 'assignment_statement') || !sameNode(stmt.childForFieldName('right'), list)) return undefined;
  const first = stmt.childForFieldName('left')?.namedChildren[0];
  return first?.type === 'identifier' && first.text !== '_' ? first.text : undefined;
}

/** `&users` among a call's arguments. */
function goAddressed(call: SyntaxNode): string | undefined {
  for (const a of argumentNodes(call)) {
    if (a.type === 'unary_expression' && a.child(0)?.type === '&') {
      const operand = a.childForFieldName('operand');
      if (operand?.type === 'identifier') return operand.text;
    }
  }
  return undefined;
}

function goVarResult(node: SyntaxNode, name: string | undefined): ResultRef | undefined {
  return name ? { kind: 'var', name, fn: enclosingFunction(node, 'go') } : undefined;
}

function goCap(match: RuleMatch, threshold: number): Cap | undefined {
  const node = match.node('match')!;
  const method = match.text('method')!;
  if (match.props.kind === 'sql') {
    const sql = stringLiteral(node);
    if (sql === undefined || /\boffset\b/i.test(sql)) return undefined;
    let n: number | undefined;
    for (const m of sql.matchAll(SQL_LIMIT)) {
      if (m[2] !== undefined && Number(m[1]) !== 0) return undefined; // MySQL `LIMIT offset, count`: a page
      n = Number(m[2] ?? m[1]);
    }
    if (n === undefined || n < threshold) return undefined;
    const call = node.parent!.parent!;
    if (insideBatchLoop(call, 'go')) return undefined;
    let result: ResultRef | undefined;
    if (method === 'Select' || method === 'SelectContext') result = goVarResult(call, goAddressed(call));
    else if (method === 'Raw') {
      const scan = linksAbove(call, 'go').find((l) => GO_RESULT_METHODS.has(l.method));
      result = scan && goVarResult(call, goAddressed(scan.call));
    } else result = goVarResult(call, goAssignedVar(call));
    const table = /\bfrom\s+["`]?([A-Za-z_][\w.]*)/i.exec(sql)?.[1];
    return { node, n, label: `LIMIT ${n}`, noun: nounOf(table?.split('.').pop()) ?? 'rows', store: 'table', result };
  }
  // gorm db.Limit(1000), mongo-go-driver options.Find().SetLimit(1000): a query's cap by the models, not a pool
  // setting (SetMaxOpenConns), not a rate (`rate.Limit(100)`), not errgroup's concurrency (`g.SetLimit(10)`).
  const link = linkOf(node, 'go');
  if (!link) return undefined;
  const models = match.file.lang;
  const k = limitsOf(models);
  if (k.poolSettings.has(method) || !k.limits.has(method)) return undefined;
  const resolved = match.file.resolveCallee(node);
  if (resolved.kind === 'library' && !(resolved.row.effect === 'limit' || resolved.row.effects?.includes('limit'))) return undefined;
  // Unresolved (no import seen): a root named like a package (`rate`) is that package's symbol, by the models' conventions.
  const recv = receiver(link, 'go');
  const byName = recv?.type === 'identifier' ? models.conventions.find((c) => c.module && c.pattern.test(recv.text)) : undefined;
  const symbol = byName ? models.symbol(`${byName.module}.${method}`)?.row : undefined;
  if (resolved.kind !== 'library' && symbol && !(symbol.effect === 'limit' || symbol.effects?.includes('limit'))) return undefined;
  if (resolved.kind === 'function' || resolved.kind === 'class') return undefined;
  let arg = argumentNodes(node)[0];
  // int64(1000)
  if (arg?.type === 'call_expression' && /^u?int(8|16|32|64)?$/.test(arg.childForFieldName('function')?.text ?? '')) arg = argumentNodes(arg)[0];
  const n = intLiteral(arg);
  if (n === undefined || n < threshold) return undefined;
  const below = linksBelow(link, 'go');
  // A limit on an options value (mongo-go-driver's find options) counts only where the chain or the name says
  // it is one: `options.Find().SetLimit(n)`, `opts.SetLimit(n)` (the models' naming convention for options).
  const optionsLimit = [...models.libraries].some((l) => (l.file.types ?? []).some((t) => !(t.members ?? []).some((m) => /^db-/.test(m.effect ?? '')) && (t.members ?? []).some((m) => m.name === method && m.effect === 'limit')));
  if (optionsLimit && resolved.kind !== 'library') {
    const base = below.base?.type === 'identifier' ? below.base.text : undefined;
    const named = !!base && models.conventions.some((c) => c.type && c.pattern.test(base) && models.member(c.type, method)?.row.effect === 'limit');
    const fromFind = below.links.some((l) => (k.reads.has(l.method) || [...models.libraries].some((lib) => (lib.file.symbols ?? []).some((sym) => sym.name.endsWith(`.${l.method}`) && sym.returns && models.member(sym.returns, method)))));
    if (!named && !fromFind) return undefined;
  }
  const links = [...below.links, ...linksAbove(node, 'go')];
  // Batches (gorm FindInBatches streams) and pages (an offset that is not 0) are bounded on purpose.
  const streams = (m: string) => membersNamedEffect(models, m, 'stream');
  if (links.some((l) => streams(l.method) || (k.offsets.has(l.method) && intLiteral(argumentNodes(l.call)[0]) !== 0))) return undefined;
  if (insideBatchLoop(node, 'go')) return undefined;
  const label = `${method}(${argumentNodes(node)[0].text})`;
  if (method === 'SetLimit') {
    // cur, err := coll.Find(ctx, filter, options.Find().SetLimit(1000))
    const above = linksAbove(node, 'go');
    const top = above.length > 0 ? above[above.length - 1].call : node;
    const args = top.parent;
    const find = args?.type === 'argument_list' ? args.parent : undefined;
    const coll = find ? linkOf(find, 'go') : undefined;
    const collName = coll ? linksBelow(coll, 'go').links.find((l) => l.method === 'Collection') : undefined;
    const noun = nounOf(stringLiteral(collName && argumentNodes(collName.call)[0]));
    return { node, n, label, noun: noun ?? 'documents', store: 'collection', result: find ? goVarResult(find, goAssignedVar(find)) : undefined };
  }
  const scan = links.find((l) => GO_RESULT_METHODS.has(l.method));
  const target = scan ? goAddressed(scan.call) : undefined;
  const table = links.find((l) => l.method === 'Table');
  const noun = nounOf(stringLiteral(table && argumentNodes(table.call)[0])) ?? nounOf(target);
  return { node, n, label, noun: noun ?? 'rows', store: 'table', result: scan ? goVarResult(node, target) : undefined };
}

// ---------------------------------------------------------------------------------------------
// Loops that send, schedule or write per item (facts)

const SEND_WORDS = new Set(['send', 'sendmail', 'notify', 'publish', 'emit', 'deliver', 'dispatch', 'email', 'mail', 'sms', 'broadcast']);
const SCHEDULE_WORDS = new Set(['enqueue', 'queue', 'schedule', 'submit', 'defer']);
const WRITE_WORDS = new Set([
  'insert', 'update', 'upsert', 'save', 'write', 'writerow', 'writerows', 'create', 'delete', 'put', 'bulk', 'lpush', 'rpush',
  'xadd', 'persist', 'store', 'remove',
]);
/** Names that are as often a local collection's method (`seen.add`, `d.update`, `map.delete`) as I/O. */
const AMBIGUOUS = new Set(['add', 'update', 'insert', 'create', 'delete', 'remove', 'put', 'store', 'queue']);

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .split('_')
    .filter(Boolean);
}

/** What a call in a loop body does per item, judged by its name (and, for ambiguous names, its shape). */
function classifyCall(call: SyntaxNode, name: string, lang: QueryLanguage): Action | undefined {
  const w = words(name);
  if (w.length === 0) return undefined;
  const [first, second] = w;
  const and = w.indexOf('and');
  if (and > 0 && w[and + 1]) {
    // findOneAndUpdate, DialAndSend
    if (SEND_WORDS.has(w[and + 1])) return 'sends';
    if (WRITE_WORDS.has(w[and + 1]) || w[and + 1] === 'replace') return 'writes';
  }
  if (first === 'post') return w.length === 1 || second === 'message' ? 'sends' : undefined;
  if (first === 'send' && second === 'task') return 'schedules'; // Celery send_task
  if ((first === 'add' && (second === 'job' || second === 'task')) || (first === 'create' && second === 'task')) return 'schedules';
  if (first === 'ensure' && second === 'future') return 'schedules';
  if (first === 'apply' && second === 'async') return 'schedules';
  if (first === 'delay' && w.length === 1) return 'schedules';
  if (first === 'replace') return second === 'one' || second === 'many' ? 'writes' : undefined;
  if (first === 'exec') return lang === 'go' ? 'writes' : undefined;
  if (SEND_WORDS.has(first)) return 'sends';
  const schedules = SCHEDULE_WORDS.has(first) || first === 'add';
  if (!schedules && !WRITE_WORDS.has(first)) return undefined;
  if (w.length === 1 && AMBIGUOUS.has(first) && !ambiguousIsIo(call, name, lang)) return undefined;
  return schedules ? 'schedules' : 'writes';
}

/** `await queue.add(...)`, `User.objects.create(...)`, `db.Create(&u)`: I/O, not a local collection. */
function ambiguousIsIo(call: SyntaxNode, name: string, lang: QueryLanguage): boolean {
  if (lang === 'go') return /^[A-Z]/.test(name) && !/^(Add|Remove|Put|Store|Queue)$/.test(name);
  if (call.parent?.type === 'await' || call.parent?.type === 'await_expression') return true;
  if (lang === 'typescript' && name === 'add') return false;
  const fn = call.childForFieldName('function');
  if (fn?.type !== MEMBER[lang].type) return false;
  let obj = fn.childForFieldName(MEMBER[lang].object);
  if (!obj || obj.type === 'identifier') return false;
  // a receiver chain: not rooted in self/this (an instance's own dict or map)
  while (obj && (obj.type === MEMBER[lang].type || obj.type === CALL[lang])) {
    obj = obj.type === CALL[lang] ? obj.childForFieldName('function') : obj.childForFieldName(MEMBER[lang].object);
  }
  return !!obj && obj.type !== 'this' && obj.text !== 'self';
}

/** What a loop iterates, when it is a plain variable: `users`, `enumerate(users)`, `users.entries()`, `i < len(users)`, `rows.Next()`. */
function iteratedName(iter: SyntaxNode | null | undefined, lang: QueryLanguage): string | undefined {
  if (!iter) return undefined;
  if (iter.type === 'identifier') return iter.text;
  if (lang === 'python' && iter.type === 'call' && iter.childForFieldName('function')?.text === 'enumerate') {
    const a = argumentNodes(iter)[0];
    return a?.type === 'identifier' ? a.text : undefined;
  }
  if (lang === 'typescript' && iter.type === 'call_expression') {
    const link = linkOf(iter, lang);
    const obj = link && receiver(link, lang);
    if (link && ['entries', 'values'].includes(link.method) && obj?.type === 'identifier') return obj.text;
  }
  return undefined;
}

/** `i < users.length`, `i < len(users)`. */
function boundedBy(condition: SyntaxNode | null | undefined, lang: QueryLanguage): string | undefined {
  const cond = condition?.type === 'expression_statement' ? condition.namedChildren[0] : condition;
  if (cond?.type !== 'binary_expression' || !['<', '<='].includes(cond.childForFieldName('operator')?.text ?? '')) return undefined;
  const right = cond.childForFieldName('right');
  if (lang === 'typescript' && right?.type === 'member_expression' && right.childForFieldName('property')?.text === 'length') {
    const obj = right.childForFieldName('object');
    return obj?.type === 'identifier' ? obj.text : undefined;
  }
  if (lang === 'go' && right?.type === 'call_expression' && right.childForFieldName('function')?.text === 'len') {
    const a = argumentNodes(right)[0];
    return a?.type === 'identifier' ? a.text : undefined;
  }
  return undefined;
}

interface LoopOver {
  loop: SyntaxNode;
  /** The iterated variable, or undefined when the loop iterates an expression. */
  name: string | undefined;
}

/** A loop whose body holds `child`, with what it iterates; undefined when `n` is no such loop. */
function loopOver(n: SyntaxNode, child: SyntaxNode, lang: QueryLanguage): LoopOver | undefined {
  const inBody = sameNode(n.childForFieldName('body'), child);
  switch (lang) {
    case 'python':
      if (n.type === 'for_statement' && inBody) return { loop: n, name: iteratedName(n.childForFieldName('right'), lang) };
      if (/comprehension$|^generator_expression$/.test(n.type) && inBody) {
        const clause = n.namedChildren.find((c) => c.type === 'for_in_clause');
        return clause ? { loop: n, name: iteratedName(clause.childForFieldName('right'), lang) } : undefined;
      }
      return undefined;
    case 'typescript':
      if (n.type === 'for_in_statement' && inBody) return { loop: n, name: iteratedName(n.childForFieldName('right'), lang) };
      if (n.type === 'for_statement' && inBody) {
        const name = boundedBy(n.childForFieldName('condition'), lang);
        return name ? { loop: n, name } : undefined;
      }
      return undefined;
    case 'go': {
      if (n.type !== 'for_statement' || !inBody) return undefined;
      const range = n.namedChildren.find((c) => c.type === 'range_clause');
      if (range) return { loop: n, name: iteratedName(range.childForFieldName('right'), lang) };
      const clause = n.namedChildren.find((c) => c.type === 'for_clause');
      if (clause) {
        const name = boundedBy(clause.childForFieldName('condition'), lang);
        return name ? { loop: n, name } : undefined;
      }
      // for rows.Next() { ... }
      const cond = n.namedChildren.find((c) => c.type === 'call_expression');
      const link = linkOf(cond, lang);
      const obj = link && receiver(link, lang);
      return link?.method === 'Next' && obj?.type === 'identifier' ? { loop: n, name: obj.text } : undefined;
    }
  }
}

/** The loops (within one function) whose every iteration runs `call`, innermost first. */
function loopsAround(call: SyntaxNode, lang: QueryLanguage): LoopOver[] {
  const out: LoopOver[] = [];
  let child = call;
  for (let n = call.parent; n; child = n, n = n.parent) {
    if (FUNCTION_BOUNDARY[lang].test(n.type)) {
      if (lang !== 'typescript' || !isIterationCallback(n)) break;
      // users.forEach((u) => ...): the callback is the loop body
      const iterating = n.parent!.parent!;
      const link = linkOf(iterating, lang)!;
      const obj = receiver(link, lang);
      out.push({ loop: iterating, name: obj?.type === 'identifier' ? obj.text : undefined });
      n = iterating;
      continue;
    }
    const loop = loopOver(n, child, lang);
    if (loop) out.push(loop);
  }
  return out;
}

function itemActionFacts(match: RuleMatch): FactInit[] | undefined {
  const call = match.node('call')!;
  const action = classifyCall(call, match.text('callee')!, match.language);
  if (!action) return undefined;
  const facts: FactInit[] = [];
  for (const { loop, name } of loopsAround(call, match.language)) {
    const ref: ResultRef = name !== undefined ? { kind: 'var', name, fn: enclosingFunction(loop, match.language) } : { kind: 'loop', loop };
    facts.push({ name: FACT[action], key: resultKey(ref), node: loop });
  }
  return facts;
}

// ---------------------------------------------------------------------------------------------
// Candidates

function candidates(cap: Cap): CandidateInit[] {
  const n = fmt(cap.n);
  const args = { label: cap.label, n, noun: cap.noun, grows: GROWS[cap.store] };
  const data = { n: cap.n, escalated: false };
  if (!cap.result) return [{ node: cap.node, args, data }];
  const key = resultKey(cap.result);
  const loop = cap.result.kind === 'var' ? `the loop over \`${cap.result.name}\`` : 'the loop';
  const growsPast = cap.store === 'data' ? `there are more than ${n}` : `the ${cap.store} holds more than ${n}`;
  const out: CandidateInit[] = [];
  const earlier: FactRef[] = [];
  for (const action of ACTIONS) {
    const { verb, never } = ACTION_TEXT[action];
    out.push({
      node: cap.node,
      severity: 'error',
      message:
        `\`${cap.label}\` returns at most ${n} ${cap.noun}, and ${loop} ${verb} per item: once ${growsPast}, ` +
        `the ${cap.noun} beyond the first ${n} are silently never ${never}. Stream the whole result instead.`,
      requires: [{ fact: FACT[action], key, related: `${verb} per item here, for the first ${n} ${cap.noun} only` }],
      unless: [...earlier],
      data: { ...data, escalated: true },
    });
    earlier.push({ fact: FACT[action], key });
  }
  out.push({ node: cap.node, args, data, unless: earlier });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Fixes

/** Deletes a statement that sits alone on its line(s) (a trailing comment goes with it). */
function deleteLines(text: string, stmt: SyntaxNode): TextEditInit | undefined {
  const start = lineStart(text, stmt.startIndex);
  if (text.slice(start, stmt.startIndex).trim() !== '') return undefined;
  const end = nextLineStart(text, stmt.endIndex);
  const rest = text.slice(stmt.endIndex, end).trim();
  if (rest !== '' && !/^(#|\/\/)/.test(rest)) return undefined;
  return { start, end, newText: '' };
}

/** A chain's text from its start to the end of `top`, without the given calls (`.limit(1000)`). */
function textWithout(text: string, top: SyntaxNode, removed: Link[], lang: QueryLanguage): string {
  let out = '';
  let at = top.startIndex;
  for (const l of [...removed].sort((a, b) => a.call.startIndex - b.call.startIndex)) {
    const from = receiver(l, lang)!.endIndex;
    out += text.slice(at, from);
    at = l.call.endIndex;
  }
  return out + text.slice(at, top.endIndex);
}

/** Identifiers named `name` in a scope, as variables (not attribute or keyword names). */
function variableUses(scope: SyntaxNode, name: string, lang: QueryLanguage): SyntaxNode[] {
  const types = lang === 'python' ? ['identifier'] : ['identifier', 'shorthand_property_identifier'];
  return scope.descendantsOfType(types).filter((id) => {
    if (id.text !== name) return false;
    const p = id.parent;
    if (lang === 'python' && p?.type === 'attribute' && sameNode(p.childForFieldName('attribute'), id)) return false;
    if (lang === 'python' && p?.type === 'keyword_argument' && sameNode(p.childForFieldName('name'), id)) return false;
    return true;
  });
}

/**
 * `x = await <cursor>.to_list(N)` / `const x = await <cursor>.limit(N).toArray()` followed, in the
 * same block, by `for y in x:` / `for (const y of x)`, with `x` used nowhere else and nothing
 * awaited in between: the loop can iterate the cursor itself.
 */
function streamLoop(
  target: FixTarget,
  decl: SyntaxNode,
  name: string,
  scope: SyntaxNode,
): SyntaxNode | undefined {
  const lang = target.language;
  const loopType = lang === 'python' ? 'for_statement' : 'for_in_statement';
  const awaitType = lang === 'python' ? 'await' : 'await_expression';
  for (let s = decl.nextNamedSibling; s; s = s.nextNamedSibling) {
    if (s.type === loopType && s.childForFieldName('right')?.type === 'identifier' && s.childForFieldName('right')!.text === name) {
      if (s.children.some((c) => c.type === 'async' || c.type === 'await')) return undefined;
      if (lang === 'typescript' && !s.children.some((c) => c.type === 'of')) return undefined; // for-in iterates keys
      if (lang === 'typescript' && s.childForFieldName('kind') === null) return undefined; // `for (x of xs)` reuses an outer binding
      return variableUses(scope, name, lang).length === 2 ? s : undefined;
    }
    if (s.type === 'comment') continue;
    if (s.descendantsOfType(awaitType).length > 0) return undefined;
  }
  return undefined;
}

/** `await x` / `await (x)` / `(await x)`: the outermost of these around an awaited call, if it is awaited. */
function awaitedValue(call: SyntaxNode, awaitType: string): SyntaxNode | undefined {
  let n = call;
  let awaited = false;
  while (n.parent && (n.parent.type === awaitType || n.parent.type === 'parenthesized_expression')) {
    n = n.parent;
    if (n.type === awaitType) awaited = true;
  }
  return awaited ? n : undefined;
}

function pythonToList(node: SyntaxNode, models: LanguageModels): SyntaxNode | undefined {
  let n: SyntaxNode | null = node.type === 'keyword_argument' ? node.parent?.parent ?? null : node;
  while (n) {
    const link = linkOf(n, 'python');
    if (!link) return undefined;
    if (limitsOf(models).materialisers.has(link.method)) return n;
    const above = linksAbove(n, 'python')[0];
    n = above ? above.call : null;
  }
  return undefined;
}

function streamPython(target: FixTarget, file: FileContext): TextEditInit[] | undefined {
  const toListCall = pythonToList(target.node, file.lang);
  const chain = toListCall && pyChain(toListCall, file.lang);
  if (!chain || chain.caps.some((c) => c.kind === 'kwarg')) return undefined;
  const awaited = awaitedValue(toListCall, 'await');
  const assign = awaited?.parent;
  const left = assign?.type === 'assignment' ? assign.childForFieldName('left') : undefined;
  const stmt = assign?.parent;
  if (!assign || left?.type !== 'identifier' || !sameNode(assign.childForFieldName('right'), awaited) || stmt?.type !== 'expression_statement') return undefined;
  const fn = enclosingFunction(stmt, 'python');
  if (!fn || !isAsyncFunction(fn) || stmt.parent?.type !== 'block') return undefined;
  const loop = streamLoop(target, stmt, left.text, fn);
  const del = loop && deleteLines(target.text, stmt);
  if (!loop || !del) return undefined;
  const limits = chain.links.filter((l) => chain.caps.some((c) => sameNode(c.node, l.call)));
  const chainStart = receiver(chain.toList, 'python')!;
  let cursor = textWithout(target.text, chainStart, limits, 'python');
  const kept = chain.links.filter((l) => !limits.includes(l));
  if (kept.some((l) => target.text.slice(receiver(l, 'python')!.endIndex, l.call.childForFieldName('arguments')!.startIndex).includes('\n'))) {
    // `await (\n    chain\n    .method()\n)`: the chain breaks lines between its calls, so it needs parentheses
    const nl = eol(target.text);
    const loopIndent = indentAt(target.text, loop.startIndex);
    const ownLine = target.text.slice(lineStart(target.text, chainStart.startIndex), chainStart.startIndex).trim() === '';
    const indent = ownLine ? indentAt(target.text, chainStart.startIndex) : `${loopIndent}${indentUnit(target.text)}`;
    cursor = `(${nl}${indent}${cursor}${nl}${loopIndent})`;
  }
  const right = loop.childForFieldName('right')!;
  return [
    del,
    { start: loop.startIndex, end: loop.startIndex, newText: 'async ' },
    { start: right.startIndex, end: right.endIndex, newText: cursor },
  ];
}

function streamTypescript(target: FixTarget): TextEditInit[] | undefined {
  const limit = linkOf(target.node, 'typescript');
  if (!limit || limit.method !== 'limit') return undefined;
  const above = linksAbove(limit.call, 'typescript');
  const toArray = above[above.length - 1];
  if (!toArray || toArray.method !== 'toArray' || argumentNodes(toArray.call).length > 0) return undefined;
  const awaited = awaitedValue(toArray.call, 'await_expression');
  const declarator = awaited?.parent;
  const name = declarator?.type === 'variable_declarator' ? declarator.childForFieldName('name') : undefined;
  const decl = declarator?.parent;
  if (!declarator || name?.type !== 'identifier' || !sameNode(declarator.childForFieldName('value'), awaited)) return undefined;
  if (!decl || !['lexical_declaration', 'variable_declaration'].includes(decl.type) || decl.namedChildren.filter((c) => c.type === 'variable_declarator').length !== 1) return undefined;
  if (!['statement_block', 'program'].includes(decl.parent?.type ?? '')) return undefined;
  const scope = enclosingFunction(decl, 'typescript') ?? target.root;
  const loop = streamLoop(target, decl, name.text, scope);
  const del = loop && deleteLines(target.text, decl);
  if (!loop || !del) return undefined;
  const cursor = textWithout(target.text, receiver(toArray, 'typescript')!, [limit], 'typescript');
  const forToken = loop.children[0];
  const right = loop.childForFieldName('right')!;
  return [
    del,
    { start: forToken.endIndex, end: forToken.endIndex, newText: ' await' },
    { start: right.startIndex, end: right.endIndex, newText: cursor },
  ];
}

const FASTAPI_ROUTE = /^@\s*[\w.]+\.(get|api_route)\s*\(/;

function fileImports(root: SyntaxNode, pkg: string): boolean {
  const re = new RegExp(`^${pkg}(\\.|$)`);
  return root.namedChildren.some((s) => {
    if (s.type === 'import_from_statement') return re.test(s.childForFieldName('module_name')?.text ?? '');
    if (s.type === 'import_statement') return s.namedChildren.some((c) => re.test((c.childForFieldName('name') ?? c).text));
    return false;
  });
}

function paramName(p: SyntaxNode): string | undefined {
  if (p.type === 'identifier') return p.text;
  const name = p.childForFieldName('name') ?? p.namedChildren[0];
  return name?.type === 'identifier' ? name.text : undefined;
}

/** FastAPI: `skip`/`limit` query parameters with bounds; Starlette: read and clamp them from the request. */
function pageRoute(target: FixTarget, ctx: CheckContext): TextEditInit[] | undefined {
  const file = ctx.file;
  if (target.language !== 'python' || target.data.escalated === true) return undefined; // a route that acts per item is not a listing
  const toListCall = pythonToList(target.node, file.lang);
  const chain = toListCall && pyChain(toListCall, file.lang);
  if (!chain || chain.caps.some((c) => c.kind === 'kwarg')) return undefined;
  const fn = enclosingFunction(toListCall, 'python');
  if (fn?.type !== 'function_definition') return undefined;
  const { text, root } = target;
  for (const id of ['skip', 'limit']) if (variableUses(fn, id, 'python').length > 0) return undefined;
  const { default: def, max } = target.config.fixDefaults.pageLimit;
  const params = fn.childForFieldName('parameters')!;
  const named = params.namedChildren.filter((c) => c.type !== 'comment');
  const decorators = fn.parent?.type === 'decorated_definition' ? fn.parent.namedChildren.filter((d) => d.type === 'decorator') : [];
  const edits: TextEditInit[] = [];

  if (decorators.some((d) => FASTAPI_ROUTE.test(d.text)) && fileImports(root, 'fastapi')) {
    const added = [`skip: int = Query(0, ge=0)`, `limit: int = Query(${def}, ge=1, le=${max})`];
    const last = named[named.length - 1];
    if (!last) edits.push({ start: params.startIndex + 1, end: params.startIndex + 1, newText: added.join(', ') });
    else if (last.type === 'dictionary_splat_pattern') edits.push({ start: last.startIndex, end: last.startIndex, newText: `${added.join(', ')}, ` });
    else if (last.startPosition.row > params.startPosition.row) {
      const indent = indentAt(text, last.startIndex);
      const nl = eol(text);
      edits.push({ start: last.endIndex, end: last.endIndex, newText: added.map((a) => `,${nl}${indent}${a}`).join('') });
    } else edits.push({ start: last.endIndex, end: last.endIndex, newText: `, ${added.join(', ')}` });
    const imp = ensurePythonImport(root, text, 'fastapi', 'Query');
    if (imp) edits.push(imp);
  } else if (fileImports(root, 'starlette') && isAsyncFunction(fn) && named[0] && paramName(named[0]) === 'request') {
    const body = fn.childForFieldName('body')!;
    const stmts = body.namedChildren.filter((c) => c.type !== 'comment');
    const docstring = stmts[0]?.type === 'expression_statement' && stmts[0].namedChildren[0]?.type === 'string';
    const first = docstring ? stmts[1] : stmts[0];
    if (!first || first.startPosition.row === fn.startPosition.row) return undefined;
    const indent = indentAt(text, first.startIndex);
    const nl = eol(text);
    const at = lineStart(text, first.startIndex);
    const lines = [
      `skip = max(int(request.query_params.get("skip", 0)), 0)`,
      `limit = min(max(int(request.query_params.get("limit", ${def})), 1), ${max})`,
    ];
    edits.push({ start: at, end: at, newText: lines.map((l) => `${indent}${l}${nl}`).join('') });
  } else return undefined;

  // Page the query: drop the hard-coded limits, then skip/limit and a matching to_list length.
  for (const l of chain.links) {
    if (chain.caps.some((c) => sameNode(c.node, l.call))) edits.push({ start: receiver(l, 'python')!.endIndex, end: l.call.endIndex, newText: '' });
  }
  const dot = chain.toList.member.children.find((c) => c.type === '.')!;
  edits.push({ start: dot.startIndex, end: toListCall.endIndex, newText: '.skip(skip).limit(limit).to_list(length=limit)' });
  return edits;
}

// ---------------------------------------------------------------------------------------------

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python, go, typescript },
  check(match, ctx) {
    const threshold = ctx.config.thresholds.fetchCap;
    const cap =
      match.language === 'python'
        ? match.props.form === 'keyword-cap'
          ? keywordCap(match.node('match')!, threshold, match.file)
          : pythonCap(match.node('match')!, threshold, match.file)
        : match.language === 'typescript'
          ? typescriptCap(match, threshold)
          : goCap(match, threshold);
    return cap ? candidates(cap) : undefined;
  },
  facts: itemActionFacts,
  fixes: {
    stream: (target, ctx) =>
      target.language === 'python' ? streamPython(target, ctx.file) : target.language === 'typescript' ? streamTypescript(target) : undefined,
    'page-route': pageRoute,
  },
});
