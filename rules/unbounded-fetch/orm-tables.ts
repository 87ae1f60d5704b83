import type { SyntaxNode } from 'tree-sitter';
import type { CheckContext, ExportInit, RuleMatch, WorkspaceFindingInit, WorkspaceView, LocatedExport } from '../../server/src/engine/rule-api';
import { pythonArguments, stringLiteral } from '../../server/src/engine/syntax';
import { effectsOf, type LanguageModels, type MemberRow } from '../../server/src/model/library';
import { chainOf, type Link } from './chain';
import { LOG_TABLE, ORM_READ, ORM_RELATION, ORM_TABLE, ORM_USER } from '../../server/src/workspace/orm-schema';

/**
 * Python ORMs (SQLAlchemy, Flask-SQLAlchemy, Django): a read that loads every row of a table that
 * grows with the user base. Whether it grows is a fact of the whole program (the model class is
 * usually declared in another module), so the reads and the model classes are exported and judged
 * together: a table grows when it is the users table or references one that grows (a foreign key,
 * followed transitively). Admin-authored tables (pages, settings, challenges) do not, and a whole
 * read of them is not reported.
 */

const ORM_PAGED = 'orm-paged';

/** SQL aggregates in a selected column: the rows are a summary (one per group), not the table. */
const AGGREGATE = /\bfunc\.(count|sum|avg|min|max)\s*\(/;

type Row = MemberRow & { arguments?: { filter?: unknown; name?: unknown } };

// ---------------------------------------------------------------------------------------------
// Reads

/**
 * A filter term that matches text the user types (`Recipe.name.ilike(q)`, `.op("%>")(q)`,
 * `name__icontains=q`), alone or in `or_`/`and_`: how many rows it keeps is not in the code. Any
 * other filter narrows the read by an amount the code does not state either (a parent's key, a
 * status), and the read is not judged.
 */
function searchTerm(arg: SyntaxNode, models: LanguageModels, depth = 0): boolean {
  if (depth > 3) return false;
  const k = searchKnowledge(models);
  if (arg.type === 'keyword_argument') {
    const name = arg.childForFieldName('name')?.text ?? '';
    return [...k.lookups].some((l) => name.endsWith(l));
  }
  if (arg.type === 'boolean_operator') return arg.namedChildren.every((p) => searchTerm(p, models, depth + 1));
  if (arg.type !== 'call') return false;
  const fn = arg.childForFieldName('function');
  // `Model.name.ilike(q)`; `Model.name.op("%>")(q)` calls what `op(...)` returns.
  const method = fn?.type === 'attribute' ? fn : fn?.type === 'call' ? fn.childForFieldName('function') : undefined;
  if (method?.type === 'attribute' && k.members.has(method.childForFieldName('attribute')!.text)) return true;
  // `or_(a, b)` / `and_(a, b)`: every term a search.
  if (fn?.type === 'identifier' && /^(or_|and_)$/.test(fn.text)) {
    // `or_(*[Model.note.like(f"%{w}%") for w in words])`: the comprehension's element.
    const terms = (arg.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment').map((a) => {
      const inner = a.type === 'list_splat' ? a.namedChildren[0] : a;
      return inner?.type === 'list_comprehension' || inner?.type === 'generator_expression' ? inner.childForFieldName('body') ?? inner : inner;
    });
    return terms.length > 0 && terms.every((p) => !!p && searchTerm(p, models, depth + 1));
  }
  return false;
}

const SEARCH = new WeakMap<LanguageModels, { members: Set<string>; lookups: Set<string> }>();
/** Column methods and lookup suffixes the models mark as text search. */
function searchKnowledge(models: LanguageModels): { members: Set<string>; lookups: Set<string> } {
  let out = SEARCH.get(models);
  if (!out) {
    out = { members: new Set(), lookups: new Set() };
    for (const lib of models.libraries) {
      for (const t of lib.file.types ?? []) for (const m of t.members ?? []) if (effectsOf(m).includes('text-search')) out.members.add(m.name);
      const file = lib.file as typeof lib.file & { operators?: { name: string; in?: string; effect: string }[] };
      for (const op of file.operators ?? []) if (op.in === 'lookup' && op.effect === 'text-search') out.lookups.add(op.name);
    }
    SEARCH.set(models, out);
  }
  return out;
}

/** The type a model class attribute gives (`Users.query`, `Project.objects`): a member read without a call that starts a query. */
function classQueryType(models: LanguageModels, attribute: string): string | undefined {
  for (const lib of models.libraries) {
    for (const t of lib.file.types ?? []) {
      for (const m of (t.members ?? []) as (Row & { call?: boolean })[]) {
        if (m.name === attribute && m.call === false && m.returns && startsQuery(models, m.returns)) return m.returns;
      }
    }
  }
  return undefined;
}

/** A query builder: a type with (or inheriting) a member that filters. */
function startsQuery(models: LanguageModels, type: string): boolean {
  for (const name of ['filter', 'where']) {
    const m = models.member(type, name);
    if (m && (m.row as Row).arguments?.filter !== undefined) return true;
  }
  return false;
}

type Walk = { kind: 'whole'; searched: boolean } | { kind: 'stop' };

/**
 * Walks a chain's calls from its start (`type`) outwards, by the models: a text search keeps it
 * whole, modifiers keep the type; any other filter, a limit (or a read of one row, a count, a
 * stream) stops it. The last
 * call must load every row (`all()`), unless `materialised` says its consumer does (Django).
 */
function walk(models: LanguageModels, type: string, calls: Link[], materialised: boolean): Walk {
  let searched = false;
  let t = type;
  for (let i = 0; i < calls.length; i++) {
    const { name, call } = calls[i];
    const m = models.member(t, name);
    if (!m) return { kind: 'stop' };
    const row = m.row as Row;
    const effects = effectsOf(row);
    const args = call.childForFieldName('arguments');
    if (args && AGGREGATE.test(args.text)) return { kind: 'stop' };
    const last = i === calls.length - 1;
    if (effects.includes('materialize') || effects.includes('db-read-many')) {
      if (!last || materialised) return { kind: 'stop' };
      return { kind: 'whole', searched };
    }
    if (effects.length > 0 && !effects.every((e) => e === 'offset')) return { kind: 'stop' };
    if (row.arguments?.filter !== undefined) {
      const terms = (args?.namedChildren ?? []).filter((a) => a.type !== 'comment');
      if (terms.length === 0 || !terms.every((a) => searchTerm(a, models))) return { kind: 'stop' };
      searched = true;
    }
    t = row.returns ?? t;
  }
  return materialised ? { kind: 'whole', searched } : { kind: 'stop' };
}

/** What a read is over: a model class (`Users.query`, `Project.objects`), a `session.query(Users)`, or `execute(select(Users))`. */
function start(root: SyntaxNode, calls: Link[], ctx: CheckContext): { cls: SyntaxNode; type: string; rest: typeof calls; searched: boolean } | undefined {
  const models = ctx.file.lang;
  // `Users.query.filter(...)...`, `Project.objects.filter(...)`
  if (root.type === 'attribute') {
    const cls = root.childForFieldName('object')!;
    const type = classQueryType(models, root.childForFieldName('attribute')!.text);
    if (cls.type === 'identifier' && /^[A-Z]/.test(cls.text) && type) return { cls, type, rest: [...calls].reverse(), searched: false };
  }
  // `db.session.query(Users)...`, `session.execute(select(Users).where(...)).scalars()...`
  const inner = [...calls].reverse();
  const first = inner[0];
  if (!first) return undefined;
  const r = ctx.file.resolveCallee(first.call);
  const { positional } = pythonArguments(first.call);
  if (r.kind !== 'library' || !r.row.returns) {
    // `session.scalars(select(Order))` on a session built in another module (`ReplicaSession()`):
    // what runs a statement of the library is that library's session.
    const s = positional[0] && statement(positional[0], ctx);
    const runner = s ? statementRunner(models, s.library, first.name) : undefined;
    return s && runner ? { cls: s.cls, type: runner, rest: inner.slice(1), searched: s.searched } : undefined;
  }
  if (startsQuery(models, r.row.returns)) {
    // session.query(Users) / session.query(Users.id): the first entity
    const e = positional[0];
    const cls = e?.type === 'attribute' ? e.childForFieldName('object') : e;
    if (cls?.type !== 'identifier' || !/^[A-Z]/.test(cls.text) || positional.some((p) => AGGREGATE.test(p.text))) return undefined;
    return { cls, type: r.row.returns, rest: inner.slice(1), searched: false };
  }
  if (effectsOf(r.row).includes('db-query')) {
    const stmt = positional[0];
    if (!stmt) return undefined;
    const s = statement(stmt, ctx);
    if (!s) return undefined;
    return { cls: s.cls, type: r.row.returns, rest: inner.slice(1), searched: s.searched };
  }
  return undefined;
}

/** What a library's member of that name that runs a statement gives (`Session.scalars` → ScalarResult). */
function statementRunner(models: LanguageModels, library: string, method: string): string | undefined {
  for (const lib of models.libraries) {
    if (lib.name !== library) continue;
    for (const t of lib.file.types ?? []) for (const m of (t.members ?? []) as Row[]) if (m.name === method && effectsOf(m).includes('db-query') && m.returns) return m.returns;
  }
  return undefined;
}

/** `select(Users).where(...)` (or a local it was assigned to, once): the model it selects, whether a search filters it, its library; undefined when bounded or not known. */
function statement(node: SyntaxNode, ctx: CheckContext): { cls: SyntaxNode; searched: boolean; library: string } | undefined {
  const models = ctx.file.lang;
  let expr = node;
  if (expr.type === 'identifier') {
    const fn = ctx.enclosingFunction(node);
    const assigned = fn ? assignmentsTo(fn, expr.text, node.startIndex) : [];
    if (assigned.length !== 1) return undefined; // built in steps or passed in: not judged
    expr = assigned[0];
  }
  const { links: calls, root } = chainOf(expr, true);
  const inner = [...calls].reverse();
  const base = root.type === 'call' ? root : undefined;
  if (!base) return undefined;
  const r = ctx.file.resolveCallee(base);
  if (r.kind !== 'library' || !effectsOf(r.row).includes('db-statement') || !r.row.returns || !startsQuery(models, r.row.returns)) return undefined;
  const { positional } = pythonArguments(base);
  const e = positional[0];
  const cls = e?.type === 'attribute' ? e.childForFieldName('object') : e;
  if (cls?.type !== 'identifier' || !/^[A-Z]/.test(cls.text) || positional.some((p) => AGGREGATE.test(p.text))) return undefined;
  const w = walk(models, r.row.returns, inner, true);
  const library = ctx.file.lang.libraryOfModule(r.qname)?.name;
  return w.kind === 'whole' && library ? { cls, searched: w.searched, library } : undefined;
}

/** The values assigned to a name in a function before `before`. */
function assignmentsTo(fn: SyntaxNode, name: string, before: number): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const visit = (n: SyntaxNode) => {
    if (n.startIndex >= before) return;
    if (n.type === 'function_definition' && n.startIndex !== fn.startIndex) return;
    if ((n.type === 'assignment' || n.type === 'augmented_assignment') && n.childForFieldName('left')?.text === name) {
      const right = n.childForFieldName('right');
      if (right) out.push(n.type === 'assignment' ? right : n);
    }
    for (const c of n.namedChildren) visit(c);
  };
  visit(fn);
  return out;
}

/** What consumes a Django queryset whole: `list(qs)`, `for x in qs`, `len(qs)`, `Serializer(qs, many=True)`. */
function materialisedBy(chain: SyntaxNode): string | undefined {
  const p = chain.parent;
  if (!p) return undefined;
  if ((p.type === 'for_statement' || p.type === 'for_in_clause') && p.childForFieldName('right')?.startIndex === chain.startIndex) return 'for';
  if (p.type === 'argument_list') {
    const call = p.parent!;
    const fn = call.childForFieldName('function');
    const first = p.namedChildren[0];
    if (first?.startIndex !== chain.startIndex) return undefined;
    if (fn?.type === 'identifier' && /^(list|len|tuple|sorted)$/.test(fn.text)) return fn.text;
    const many = pythonArguments(call).keywords.get('many');
    if (many?.text === 'True') return 'many=True';
  }
  return undefined;
}

function short(text: string, max = 60): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

type Paging = 'none' | 'unset';

/** The keys of the settings the models say page every view (`DEFAULT_PAGINATION_CLASS`): the words that gate the settings pattern. */
export function pagingSettingWords(models: LanguageModels): string {
  const words = new Set<string>();
  for (const s of pagingSettings(models)) words.add(s.key);
  return [...words].sort().join(' ') || '\u0000none';
}

function pagingSettings(models: LanguageModels): { name: string; variable: string; key: string }[] {
  const out: { name: string; variable: string; key: string }[] = [];
  for (const lib of models.libraries) {
    for (const s of (lib.file as { configSettings?: { name: string; effect?: string }[] }).configSettings ?? []) {
      const [variable, key] = s.name.split('.');
      if (s.effect === 'limit' && key) out.push({ name: s.name, variable, key });
    }
  }
  return out;
}

/**
 * A class attribute a library's view lists whole (DRF `queryset = Order.objects.all()` on a
 * `ListAPIView`): which view, and whether it pages the response. Only views on the library's own
 * bases that leave the listing to it are judged: a project base or mixin, or an override of a method
 * the models name (`get_queryset`, `list`), decides the rows in code the models do not describe.
 */
function listedBy(chain: SyntaxNode, ctx: CheckContext): { view: string; paging: Paging; pager: string } | undefined {
  const assign = chain.parent;
  if (assign?.type !== 'assignment' || assign.childForFieldName('right')?.startIndex !== chain.startIndex) return undefined;
  const attr = assign.childForFieldName('left');
  const body = assign.parent?.type === 'expression_statement' ? assign.parent.parent : undefined;
  const cls = body?.parent;
  if (attr?.type !== 'identifier' || body?.type !== 'block' || cls?.type !== 'class_definition') return undefined;
  const models = ctx.file.lang;
  const bases = (cls.childForFieldName('superclasses')?.namedChildren ?? []).filter((b) => b.type === 'identifier' || b.type === 'attribute');
  const types: string[] = [];
  for (const b of bases) {
    const r = ctx.file.resolve(b);
    if (r.kind !== 'library' || !r.row.returns) return undefined;
    types.push(r.row.returns);
  }
  const lister = types.find((t) => {
    const m = models.member(t, attr.text);
    return m && (m.row as Row & { call?: boolean }).call === false && effectsOf(m.row).includes('materialize');
  });
  if (!lister) return undefined;
  const own = new Map<string, SyntaxNode>();
  const methods = new Set<string>();
  for (const st of body.namedChildren) {
    const def = st.type === 'decorated_definition' ? st.childForFieldName('definition') : st;
    if (def?.type === 'function_definition') methods.add(def.childForFieldName('name')!.text);
    const a = st.type === 'expression_statement' ? st.namedChildren[0] : undefined;
    if (a?.type === 'assignment' && a.childForFieldName('left')?.type === 'identifier') own.set(a.childForFieldName('left')!.text, a.childForFieldName('right')!);
  }
  if ([...methods].some((name) => { const m = models.member(lister, name); return m && (m.row as Row & { call?: boolean }).call !== false; })) return undefined;
  // The attribute that pages it (`pagination_class`): set to anything but "none", the view pages.
  const pager = models.memberNames(lister).find((name) => {
    const m = models.member(lister, name);
    return m && (m.row as Row & { call?: boolean }).call === false && effectsOf(m.row).includes('limit');
  });
  if (!pager) return undefined;
  const value = own.get(pager);
  if (!value) return { view: cls.childForFieldName('name')!.text, paging: 'unset', pager };
  const none = (models.member(lister, pager)!.row.bound?.unboundedValues ?? []).some((u) => (u === null ? value.type === 'none' : value.text === String(u)));
  return none ? { view: cls.childForFieldName('name')!.text, paging: 'none', pager } : undefined;
}

/** A read's export, when it loads every row a model query gives (or its filter matches). */
export function readExport(match: RuleMatch, ctx: CheckContext): ExportInit[] | undefined {
  const node = match.node('read')!;
  if (match.props.export === 'orm-read.django') {
    const listed = viewRead(node, ctx);
    if (listed) return listed;
  }
  const fn = ctx.enclosingFunction(node);
  if (!fn) return undefined; // module level: runs once, at import
  const role = ctx.file.roleOf(fn)?.role;
  if (role === 'startup' || role === 'once' || role === 'test') return undefined;
  const { links: calls, root } = chainOf(node, true);
  let read: ReturnType<typeof start>;
  let how = '';
  if (match.props.export === 'orm-read.all') {
    read = start(root, calls, ctx);
    if (!read) return undefined;
  } else {
    // Django: the outermost call of a `Model.objects...` chain, consumed whole by its parent.
    let chain: SyntaxNode = node;
    while (chain.parent?.type === 'attribute' && chain.parent.parent?.type === 'call') chain = chain.parent.parent;
    if (chain.parent?.type === 'subscript') return undefined; // qs[:50]: sliced
    const consumer = materialisedBy(chain);
    if (!consumer) return undefined;
    const lc = chainOf(chain, true);
    read = start(lc.root, lc.links, ctx);
    how = consumer;
    if (!read) return undefined;
    const w = walk(ctx.file.lang, read.type, read.rest, true);
    if (w.kind !== 'whole') return undefined;
    return [exported(chain, read.cls, read.searched || w.searched, how, ctx)];
  }
  const w = walk(ctx.file.lang, read.type, read.rest, false);
  if (w.kind !== 'whole') return undefined;
  return [exported(node, read.cls, read.searched || w.searched, how, ctx)];
}

/** `queryset = Order.objects.all()` in a list view (see `listedBy`). */
function viewRead(node: SyntaxNode, ctx: CheckContext): ExportInit[] | undefined {
  let chain: SyntaxNode = node;
  while (chain.parent?.type === 'attribute' && chain.parent.parent?.type === 'call') chain = chain.parent.parent;
  const listed = listedBy(chain, ctx);
  if (!listed) return undefined;
  const lc = chainOf(chain, true);
  const read = start(lc.root, lc.links, ctx);
  if (!read || walk(ctx.file.lang, read.type, read.rest, true).kind !== 'whole') return undefined;
  const e = exported(chain, read.cls, read.searched, '', ctx);
  e.node = chain.parent!;
  e.data = { ...e.data, expr: short(`${listed.view}.${chain.parent!.text}`), view: listed.view, paging: listed.paging, pager: listed.pager };
  return [e];
}

function exported(node: SyntaxNode, cls: SyntaxNode, searched: boolean, how: string, ctx: CheckContext): ExportInit {
  const r = ctx.file.resolve(cls);
  const user = r.kind === 'library' && effectsOf(r.row).includes('user-model');
  const expr = how && how !== 'for' ? `${how.replace('=True', '')}(${short(node.text, 40)})` : short(node.text);
  return { name: ORM_READ, node, data: { class: cls.text, searched, expr, user } };
}

// ---------------------------------------------------------------------------------------------
// Model classes

function classOf(node: SyntaxNode): SyntaxNode | undefined {
  // class body → block → class_definition; a field is an expression_statement of the block.
  let n: SyntaxNode | null = node;
  while (n && n.type !== 'class_definition') {
    if (n.type === 'function_definition') return undefined;
    n = n.parent;
  }
  return n ?? undefined;
}

/** The field an expression is the value of, in a class body: `user_id = Column(ForeignKey(...))`. */
function fieldOf(node: SyntaxNode, cls: SyntaxNode): string | undefined {
  let n: SyntaxNode | null = node;
  while (n && n.parent && n.parent.startIndex !== cls.startIndex) {
    if (n.type === 'assignment' && n.parent?.type === 'expression_statement' && n.parent.parent?.parent?.startIndex === cls.startIndex) {
      return n.childForFieldName('left')?.text;
    }
    n = n.parent;
  }
  return undefined;
}

/** `"users.id"` → users (a table), `"auth.User"` → User, `User` → User, `settings.AUTH_USER_MODEL` → the user model. */
function targetOf(arg: SyntaxNode, ctx: CheckContext): { target: string; user: boolean } | undefined {
  const s = stringLiteral(arg);
  if (s !== undefined) {
    const parts = s.split('.');
    // SQLAlchemy names a table and its column (`users.id`); Django an app and its model (`auth.User`).
    return { target: /^[A-Z]/.test(parts[parts.length - 1]) ? parts[parts.length - 1] : parts.length > 1 ? parts[parts.length - 2] : s, user: false };
  }
  if (arg.type === 'identifier' || arg.type === 'attribute') {
    const r = ctx.file.resolve(arg);
    const user = (r.kind === 'library' && effectsOf(r.row).includes('user-model')) || /(^|\.)AUTH_USER_MODEL$/.test(arg.text);
    const last = arg.type === 'attribute' ? arg.childForFieldName('attribute')!.text : arg.text;
    return { target: last, user };
  }
  if (arg.type === 'call' && /(^|\.)get_user_model$/.test(arg.childForFieldName('function')?.text ?? '')) return { target: 'get_user_model', user: true };
  return undefined;
}

export function modelExports(match: RuleMatch, ctx: CheckContext): ExportInit[] | undefined {
  switch (match.props.export) {
    case ORM_RELATION: {
      const call = match.node('key')!;
      const r = ctx.file.resolveCallee(call);
      if (r.kind !== 'library' || !effectsOf(r.row).includes('relation')) return undefined;
      const cls = classOf(call);
      if (!cls) return undefined;
      const field = fieldOf(call, cls) ?? '';
      const where = (r.row as Row).arguments?.name;
      const { positional, keywords } = pythonArguments(call);
      const at = typeof where === 'number' ? positional[where] : typeof where === 'object' && where ? (keywords.get((where as { keyword?: string }).keyword ?? '') ?? positional[(where as { argument?: number }).argument ?? -1]) : undefined;
      const t = at ? targetOf(at, ctx) : undefined;
      if (!t) return undefined;
      return [{ name: ORM_RELATION, node: cls.childForFieldName('name')!, data: { class: cls.childForFieldName('name')!.text, field, target: t.target === 'self' ? cls.childForFieldName('name')!.text : t.target, user: t.user } }];
    }
    case ORM_TABLE: {
      const cls = classOf(match.node('key')!);
      const table = stringLiteral(match.node('table'));
      if (!cls || table === undefined) return undefined;
      return [{ name: ORM_TABLE, node: cls.childForFieldName('name')!, data: { class: cls.childForFieldName('name')!.text, table } }];
    }
    case ORM_PAGED: {
      // `REST_FRAMEWORK = {"DEFAULT_PAGINATION_CLASS": ...}` at module level: a setting the models say pages every view.
      const dict = match.node('table')!;
      if (match.node('stmt')?.parent?.type !== 'module') return undefined;
      for (const s of pagingSettings(ctx.file.lang)) {
        if (s.variable !== match.text('key')) continue;
        const pair = dict.namedChildren.find((p) => p.type === 'pair' && stringLiteral(p.childForFieldName('key')) === s.key);
        const value = pair?.childForFieldName('value');
        if (value && value.type !== 'none') return [{ name: ORM_PAGED, node: pair!, data: { setting: s.name } }];
      }
      return undefined;
    }
    case ORM_USER: {
      const cls = match.node('key')!.parent!;
      const base = match.node('base');
      // By a base the models mark (Django's AbstractUser), or by the name of a mapped class (`Users`).
      if (base) {
        const r = ctx.file.resolve(base.parent?.type === 'attribute' ? base.parent : base);
        if (r.kind !== 'library' || !effectsOf(r.row).includes('user-model')) return undefined;
      } else if (!cls.childForFieldName('superclasses')) {
        return undefined;
      }
      return [{ name: ORM_USER, node: cls.childForFieldName('name')!, data: { class: match.text('key')!, byName: !base } }];
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The join

interface Table {
  decl: LocatedExport;
  user: boolean;
  byName: boolean;
  mapped: boolean;
  relations: { field: string; target: string; user: boolean }[];
}

export function growingReads(ws: WorkspaceView, message: (args: { expr: string; what: string; rows: string; advice: string }) => string): WorkspaceFindingInit[] {
  const tables = new Map<string, Table>();
  const byTable = new Map<string, string>();
  // A Prisma schema serves the whole workspace (a monorepo's packages share one client): its
  // tables are keyed by the ORM, not by the project of the file that declares them.
  const scope = (e: LocatedExport) => (e.data.orm !== undefined ? `orm:${e.data.orm}` : ws.projectOf(e.file));
  const get = (e: LocatedExport): Table => {
    const key = `${scope(e)}\0${e.data.class}`;
    let t = tables.get(key);
    if (!t) tables.set(key, (t = { decl: e, user: false, byName: false, mapped: false, relations: [] }));
    return t;
  };
  for (const e of ws.exports(ORM_TABLE)) {
    get(e).mapped = true;
    byTable.set(`${scope(e)}\0${e.data.table}`, String(e.data.class));
  }
  for (const e of ws.exports(ORM_RELATION)) {
    const t = get(e);
    t.mapped = true;
    t.relations.push({ field: String(e.data.field), target: String(e.data.target), user: e.data.user === true });
  }
  for (const e of ws.exports(ORM_USER)) {
    const t = get(e);
    if (e.data.byName === true) t.byName = true;
    else t.user = true;
  }
  // Why each table grows: it is the users table, or it references one that grows (to a fixpoint).
  const why = new Map<string, string>();
  for (const [key, t] of tables) {
    if (t.user || (t.byName && t.mapped)) why.set(key, `\`${t.decl.data.class}\` is the users table`);
    else if (t.mapped && LOG_TABLE.test(String(t.decl.data.class))) why.set(key, `\`${t.decl.data.class}\` is a log: it gains a row per action`);
    else if (t.relations.some((r) => r.user)) why.set(key, `\`${t.decl.data.class}\` references the users table`);
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const [key, t] of tables) {
      if (why.has(key)) continue;
      const project = key.split('\0')[0];
      for (const r of t.relations) {
        const target = `${project}\0${byTable.get(`${project}\0${r.target}`) ?? r.target}`;
        if (target !== key && why.has(target)) {
          why.set(key, `\`${t.decl.data.class}\` references \`${tables.get(target)!.decl.data.class}\` (\`${r.field}\`), which grows with the users`);
          changed = true;
          break;
        }
      }
    }
  }
  // Projects whose settings page every view that does not say otherwise.
  const paged = new Map<string, LocatedExport>();
  for (const e of ws.exports(ORM_PAGED)) paged.set(ws.projectOf(e.file), e);
  const out: WorkspaceFindingInit[] = [];
  const declared = (orm: unknown) => [...tables.keys()].some((k) => k.startsWith(`orm:${String(orm)}\0`));
  for (const read of ws.exports(ORM_READ)) {
    const key = `${scope(read)}\0${read.data.class}`;
    const t = tables.get(key);
    let reason = t ? why.get(key) : read.data.user === true ? `\`${read.data.class}\` is the users table` : undefined;
    // A Prisma model the workspace has no schema for (a schema outside it, a client from another
    // package), a TypeORM entity it does not declare: whether it grows is not known, and the read
    // is reported as it reads.
    const unknownModel = read.data.orm !== undefined && (!t || !t.mapped || !declared(read.data.orm));
    if (unknownModel) reason = '';
    if (reason === undefined) continue;
    if (read.data.paging === 'unset' && paged.has(ws.projectOf(read.file))) continue;
    const what = read.data.what !== undefined ? String(read.data.what) : read.data.searched === true ? `every row of \`${read.data.class}\` the search matches` : `every row of \`${read.data.class}\``;
    const advice = read.data.view
      ? `\`${read.data.view}\` lists them in one response${read.data.paging === 'none' ? ` (\`${read.data.pager} = None\`)` : ', and no default pagination is configured'}; ${reason}. Give the view a pagination class with a maximum page size.`
      : `${reason ? `${reason}. ` : ''}${read.data.advice ?? 'Page it (`.limit(n)` with a key range, or a slice `[:n]`), or stream it (`yield_per`, `.iterator()`).'}`;
    out.push({
      at: read,
      message: message({ expr: String(read.data.expr), what, rows: 'rows', advice }),
      related: t && reason ? [{ at: t.decl, message: reason }] : undefined,
    });
  }
  return out;
}
