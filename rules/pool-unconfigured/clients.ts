import type { SyntaxNode } from 'tree-sitter';
import type { QueryLanguage } from '../../server/src/engine/languages';
import { exprOf, type FileContext } from '../../server/src/model/file-context';
import type { ExprRef } from '../../server/src/model/file-model';
import type { Callable, LanguageModels } from '../../server/src/model/library';
import type { Resolved } from '../../server/src/model/resolve';

/**
 * What the library models say a call constructs: a client, a pool or a connection, with its pool
 * options and defaults (schemas/models.schema.json `client`). Shared by the connection-pooling
 * rules (pool-unconfigured, pool-oversized, per-request-client), which keep only their judgement.
 *
 * A local helper: the engine API that would replace it is `FileContext.constructs(call)`, the
 * model row of the client a call builds, resolved as `resolveCallee` does, with the name fallback
 * below for code whose imports nothing explains.
 */

/** `{ argument, keyword, option }` or a bare index / name: where an argument is (schema `argumentRef`). */
export type ArgumentRef = number | string | { argument?: number; keyword?: string; option?: string };

export interface PoolModel {
  options?: string[];
  overflow?: string[];
  default?: number;
  defaultOverflow?: number;
  defaultPerCpu?: number;
  caseInsensitive?: boolean;
  setters?: string[];
  argument?: number;
  note?: string;
  /** What the default pool does under load, in words, for messages (`node-postgres defaults to 10 connections ...`). */
  defaultEffect?: string;
  /** An option that picks the pool's implementation, and the implementations that hold a sized set of connections. */
  implementation?: { option: string; sized: string[] };
}

export interface ClientModel {
  service?: string;
  pool?: PoolModel;
  single?: boolean;
  hoistable?: boolean;
  lifecycle?: string[];
  sharedBy?: string[];
  url?: ArgumentRef;
  embedded?: string;
  embeddedArgument?: string;
  serviceOption?: string;
  what?: string;
  perRequestCost?: string;
}

export interface ClientRow extends Callable {
  arguments?: { options?: ArgumentRef; context?: ArgumentRef };
}

/** A construction the models know: the symbol (or member) and its client row. */
export interface Constructed {
  qname: string;
  row: ClientRow;
  client: ClientModel;
  library: string;
  /** Recognised by its written name only (nothing resolved it): a snippet without its imports. */
  byName: boolean;
}

function clientOfRow(row: Callable | undefined): ClientModel | undefined {
  return row?.client as ClientModel | undefined;
}

interface NameIndex {
  /** Last name → symbols (with their library) whose qualified name or alias ends with it. */
  byLast: Map<string, { qname: string; row: ClientRow; library: string }[]>;
}

const indexes = new WeakMap<LanguageModels, NameIndex>();

/** The models' symbols by last name (their own and their aliases). */
function nameIndex(lang: LanguageModels): NameIndex {
  let idx = indexes.get(lang);
  if (idx) return idx;
  idx = { byLast: new Map() };
  for (const lib of lang.libraries) {
    for (const s of lib.file.symbols ?? []) {
      for (const q of [s.name, ...(s.also ?? [])]) {
        const last = lastSegment(q);
        const list = idx.byLast.get(last) ?? [];
        list.push({ qname: q, row: s as ClientRow, library: lib.name });
        idx.byLast.set(last, list);
      }
    }
  }
  indexes.set(lang, idx);
  return idx;
}

function lastSegment(qname: string): string {
  const i = Math.max(qname.lastIndexOf('.'), qname.lastIndexOf('/'));
  return i < 0 ? qname : qname.slice(i + 1);
}

/**
 * How a qualified name is written in code: Python and TypeScript as dotted names; Go as
 * `package.Name`, the package's name being the last element of its import path (a major-version
 * element skipped, a `go-` prefix dropped: github.com/redis/go-redis/v9 → redis).
 */
function writtenForms(language: QueryLanguage, qname: string): string[] {
  if (language !== 'go') return [qname.replace(/\.default\./, '.')];
  const dot = qname.lastIndexOf('.');
  const slash = qname.lastIndexOf('/');
  if (dot < slash) return [qname];
  const path = qname.slice(0, dot);
  const rest = qname.slice(dot + 1);
  const elements = path.split('/').filter((p) => !/^v\d+$/.test(p));
  const pkg = elements[elements.length - 1] ?? path;
  return [`${pkg}.${rest}`, `${pkg.replace(/^go-/, '').replace(/[.-].*$/, '')}.${rest}`];
}

/** Whether the file imports a module of the library (its import statements, `require`s, import roots). */
export function usesLibrary(file: FileContext, library: string): boolean {
  return file.usesLibrary(library);
}

/**
 * A resolution that says "the project's own code": a function or class of this file, or something
 * imported from a module no model knows. Go names no declaration of the file explains resolve to
 * the package itself (`module: '.'`): without imports (a snippet) that says nothing.
 */
function isProjectOwn(r: Resolved, language: QueryLanguage): boolean {
  if (r.kind === 'function' || r.kind === 'class') return true;
  if (r.kind === 'import') return !(language === 'go' && r.module === '.');
  return false;
}

function unresolved(r: Resolved, language: QueryLanguage): boolean {
  return r.kind === 'unknown' || (r.kind === 'import' && language === 'go' && r.module === '.');
}

/** A member (or static member) row of a library type that builds a client: `Transport.Clone()`, `MongoClient.connect()`. */
function fromLibrary(lang: LanguageModels, qname: string, row: Callable | undefined, byName: boolean): Constructed | undefined {
  const sym = lang.symbol(qname);
  for (const r of [row, sym?.row]) {
    if (!r) continue;
    const client = clientOfRow(r);
    if (client) return { qname, row: r as ClientRow, client, library: sym?.lib.name ?? libraryOfType(lang, qname) ?? '', byName };
    // A member that makes another of a client type (`tr.Clone()`): the client of the symbol that builds that type.
    if (r.effect === 'client' && r.returns) {
      const maker = constructorOf(lang, r.returns);
      if (maker) return { qname, row: { ...(r as ClientRow) }, client: maker.client, library: maker.library, byName };
    }
  }
  return undefined;
}

/** A member of a value of a library type: only its own row says whether it builds a client. */
function fromMember(lang: LanguageModels, qname: string, row: Callable): Constructed | undefined {
  const client = clientOfRow(row);
  if (client) return { qname, row: row as ClientRow, client, library: libraryOfType(lang, qname) ?? '', byName: false };
  if (row.effect === 'client' && row.returns) {
    const maker = constructorOf(lang, row.returns);
    if (maker) return { qname, row: { ...(row as ClientRow) }, client: maker.client, library: maker.library, byName: false };
  }
  return undefined;
}

function libraryOfType(lang: LanguageModels, qname: string): string | undefined {
  const owner = qname.slice(0, qname.length - lastSegment(qname).length - 1);
  return lang.type(owner)?.lib.name;
}

/** The symbol that constructs values of a type, with its client row. */
const makers = new WeakMap<LanguageModels, Map<string, { qname: string; client: ClientModel; library: string } | undefined>>();

export function constructorOf(lang: LanguageModels, type: string): { qname: string; client: ClientModel; library: string } | undefined {
  let cache = makers.get(lang);
  if (!cache) makers.set(lang, (cache = new Map()));
  if (!cache.has(type)) cache.set(type, findConstructor(lang, type));
  return cache.get(type);
}

function findConstructor(lang: LanguageModels, type: string): { qname: string; client: ClientModel; library: string } | undefined {
  for (const lib of lang.libraries) {
    for (const s of lib.file.symbols ?? []) {
      const client = clientOfRow(s);
      if (client && (s.returns === type || lang.isA(s.returns ?? '', type))) return { qname: s.name, client, library: lib.name };
    }
  }
  return undefined;
}

/**
 * The constructions a written name may be, when nothing resolves it: the models' symbols written
 * so (by a module convention for its root, or as a dotted suffix of their qualified name).
 */
function byWrittenName(file: FileContext, path: string[]): Constructed[] {
  const lang = file.lang;
  const language = file.language;
  if (path.length === 0) return [];
  // A root named like a package the models know (`sa` for sqlalchemy, `pg`, `goredis`).
  if (path.length > 1) {
    for (const c of lang.conventions) {
      if (!c.module || !c.pattern.test(path[0])) continue;
      if (c.requiresPackage && !usesLibrary(file, c.lib.name)) continue;
      const qname = language === 'go' ? `${c.module}.${path.slice(1).join('.')}` : [c.module, ...path.slice(1)].join('.');
      const found = fromLibrary(lang, qname, undefined, true);
      if (found) return [found];
    }
  }
  const written = path.join('.');
  const out: Constructed[] = [];
  const seen = new Set<Callable>();
  for (const cand of nameIndex(lang).byLast.get(path[path.length - 1]) ?? []) {
    const client = clientOfRow(cand.row);
    if (!client || seen.has(cand.row)) continue;
    const forms = writtenForms(language, cand.qname);
    if (!forms.some((f) => f === written || f.endsWith(`.${written}`) || (language === 'go' && f === written))) continue;
    seen.add(cand.row);
    out.push({ qname: cand.qname, row: cand.row, client, library: cand.library, byName: true });
  }
  return out;
}

/** The callee of a call, `new` or Go composite literal, as a name path and the node it starts from. */
function calleeNode(node: SyntaxNode): SyntaxNode | undefined {
  if (node.type === 'composite_literal') return node.childForFieldName('type') ?? undefined;
  return node.childForFieldName('function') ?? node.childForFieldName('constructor') ?? undefined;
}

function pathOf(file: FileContext, callee: SyntaxNode): ExprRef | undefined {
  if (callee.type === 'qualified_type' || callee.type === 'type_identifier') return { kind: 'name', path: callee.text.split('.'), start: callee.startIndex, end: callee.endIndex };
  return exprOf(file.language, callee);
}

/** The object of a member call: `Redis` of `Redis.from_url`, `x.(*http.Transport)` of `….Clone`. */
function receiverOf(callee: SyntaxNode): { object: SyntaxNode; member: string } | undefined {
  const object = callee.childForFieldName('object') ?? callee.childForFieldName('operand');
  const member = callee.childForFieldName('attribute') ?? callee.childForFieldName('property') ?? callee.childForFieldName('field');
  return object && member ? { object, member: member.text } : undefined;
}

/** The type a receiver expression has, from its resolution or (Go) its type assertion. */
function receiverType(file: FileContext, object: SyntaxNode): { type?: string; qname?: string; path?: string[] } {
  if (object.type === 'type_assertion_expression') {
    const written = object.childForFieldName('type')?.text.replace(/\s+/g, '') ?? '';
    const r = file.resolver.resolveType(written, object.startIndex);
    if (r.kind === 'value') return { type: r.type };
    return { path: written.replace(/^\*/, '').split('.') };
  }
  const r = file.resolve(object);
  if (r.kind === 'value') return { type: r.type };
  if (r.kind === 'library') return { qname: r.qname, type: r.row.returns ?? r.type };
  return {};
}

/**
 * What a call constructs, per the models. Resolution decides where the code says it: the
 * library's symbol (through imports, aliases, bindings), or nothing when the callee is the
 * project's own (a function of this file, an import from the project's modules), whatever its
 * name. Where nothing resolves, the written name is looked up in the models: accepted when the
 * file imports the symbol's library, or, in Python and Go, where a free name cannot be a
 * library's in working code (a snippet), when the models know only one symbol written so.
 */
export function constructedBy(file: FileContext, call: SyntaxNode): Constructed[] {
  const lang = file.lang;
  const language = file.language;
  const callee = calleeNode(call);
  if (!callee) return [];
  let r: Resolved;
  if (call.type === 'composite_literal') {
    const ref = pathOf(file, callee);
    r = ref ? file.resolver.resolve(ref, call.startIndex) : { kind: 'unknown' };
  } else {
    r = file.resolveCallee(call);
  }
  if (r.kind === 'library') {
    // `MongoClient.connect(url)` (a static member of a library class) is not `client.connect()` (an instance's).
    const recv = call.type === 'composite_literal' ? undefined : receiverOf(callee);
    const onValue = recv !== undefined && file.resolve(recv.object).kind === 'value';
    const found = onValue ? fromMember(lang, r.qname, r.row) : fromLibrary(lang, r.qname, r.row, false);
    return found ? [found] : [];
  }
  if (isProjectOwn(r, language) || !unresolved(r, language)) return [];
  // `Redis.from_url(...)`, `http.DefaultTransport.(*http.Transport).Clone()`: a member of a library type.
  const recv = receiverOf(callee);
  if (recv) {
    const t = receiverType(file, recv.object);
    if (t.qname) {
      const found = fromLibrary(lang, `${t.qname}.${recv.member}`, undefined, false);
      if (found) return [found];
    }
    if (t.type) {
      const m = lang.member(t.type, recv.member);
      const found = m && fromLibrary(lang, `${m.type}.${recv.member}`, m.row, false);
      if (found) return [found];
    }
    if (t.path) {
      // An asserted type nothing resolves (a snippet): the models' type written so.
      for (const cand of byWrittenName(file, t.path)) {
        const type = cand.row.returns ?? cand.qname;
        const m = lang.member(type, recv.member);
        const found = m && fromLibrary(lang, `${m.type}.${recv.member}`, m.row, true);
        if (found) return [found];
      }
    }
  }
  const ref = pathOf(file, callee);
  if (!ref?.path || ref.receiver) return [];
  const candidates = byWrittenName(file, ref.path);
  const used = candidates.filter((c) => usesLibrary(file, c.library));
  if (used.length > 0) return used;
  // TypeScript: a free name may be a global or an ambient declaration; only the library's import says it is the library's.
  if (language === 'typescript') return [];
  const rows = new Set(candidates.map((c) => c.row));
  return rows.size === 1 ? candidates.slice(0, 1) : [];
}

/** The node of an argument (`{ argument, keyword }`, an index, a keyword name) of a call, from its positional and keyword arguments. */
export function argumentNode(ref: ArgumentRef | undefined, positional: SyntaxNode[], keywords: ReadonlyMap<string, SyntaxNode> = new Map()): SyntaxNode | undefined {
  if (ref === undefined) return undefined;
  if (typeof ref === 'number') return positional[ref];
  if (typeof ref === 'string') return keywords.get(ref);
  if (ref.keyword !== undefined && keywords.has(ref.keyword)) return keywords.get(ref.keyword);
  if (ref.option !== undefined && keywords.has(ref.option)) return keywords.get(ref.option);
  return ref.argument !== undefined ? positional[ref.argument] : undefined;
}

const STRING_TYPES = new Set(['string', 'concatenated_string', 'template_string', 'interpreted_string_literal', 'raw_string_literal']);

/** A string literal, f-strings and templates included (their literal text is enough to look for an option). */
export function isStringish(node: SyntaxNode | null | undefined): node is SyntaxNode {
  return node != null && STRING_TYPES.has(node.type);
}

/** The literal text a string starts with, quotes and prefixes (f, r, b) removed. */
export function stringStart(node: SyntaxNode): string {
  return node.text.replace(/^[a-zA-Z]*("""|'''|"|'|`)/, '');
}

/** A connection string literal that sets an option (`maxPoolSize=50`, `pool_max_conns=20`); option names are case-insensitive. */
export function literalSets(node: SyntaxNode | null | undefined, option: string): boolean {
  return isStringish(node) && new RegExp(`[?&\\s'"\`]${option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}=`, 'i').test(node.text);
}

/**
 * Whether a value names an embedded database (SQLite) by the model's pattern: a URL or driver
 * literal, a call whose string arguments do (`os.getenv("URL", "sqlite://")`, `URL.create("sqlite")`),
 * or a dialector call (`sqlite.Open(...)`).
 */
export function isEmbeddedValue(node: SyntaxNode | null | undefined, embedded: string | undefined): boolean {
  if (!node || !embedded) return false;
  const re = new RegExp(embedded, 'i');
  if (STRING_TYPES.has(node.type)) return re.test(stringStart(node));
  if (node.type === 'call' || node.type === 'call_expression') {
    const fn = node.childForFieldName('function');
    if (fn && re.test(fn.text.replace(/^.*?(\w+)\.\w+$/, '$1'))) return true;
    const args = node.childForFieldName('arguments')?.namedChildren ?? [];
    return args.some((a) => {
      const v = a.type === 'keyword_argument' ? a.childForFieldName('value') : a;
      return v !== null && STRING_TYPES.has(v.type) && re.test(stringStart(v));
    });
  }
  return false;
}

/** How a Go package-qualified name is shown: `database/sql.DB` → `sql.DB`. */
export function displayType(language: QueryLanguage, qname: string): string {
  return language === 'go' ? qname.slice(qname.lastIndexOf('/') + 1) : qname;
}

/**
 * The member of a client's type that gives another value whose type has the pool's setters: gorm's
 * `db.DB()` gives the `*sql.DB` that `SetMaxOpenConns` sizes. Undefined when the setters are the
 * client's own.
 */
export function setterHolder(lang: LanguageModels, row: ClientRow, setters: readonly string[]): { accessor: string; type: string } | undefined {
  const own = row.returns;
  if (!own || setters.length === 0 || setters.some((s) => lang.member(own, s) !== undefined)) return undefined;
  const t = lang.type(own);
  for (const m of t?.row.members ?? []) {
    if (m.returns && setters.some((s) => lang.member(m.returns!, s) !== undefined)) return { accessor: m.name, type: m.returns };
  }
  return undefined;
}

/** Memoised per language's models: they do not change during a run. */
function memo<T>(cache: WeakMap<LanguageModels, T>, lang: LanguageModels, make: () => T): T {
  let v = cache.get(lang);
  if (v === undefined) {
    v = make();
    cache.set(lang, v);
  }
  return v;
}

const settersCache = new WeakMap<LanguageModels, { setters: Set<string>; accessors: Set<string> }>();
const optionsCache = new WeakMap<LanguageModels, Set<string>>();

/** Every pool setter the models know (`SetMaxOpenConns`), and the accessors that lead to them (`DB`). */
export function poolSetters(lang: LanguageModels): { setters: Set<string>; accessors: Set<string> } {
  return memo(settersCache, lang, () => collectSetters(lang));
}

function collectSetters(lang: LanguageModels): { setters: Set<string>; accessors: Set<string> } {
  const setters = new Set<string>();
  const accessors = new Set<string>();
  for (const lib of lang.libraries) {
    for (const s of lib.file.symbols ?? []) {
      const pool = clientOfRow(s)?.pool;
      for (const x of pool?.setters ?? []) setters.add(x);
      const holder = pool?.setters ? setterHolder(lang, s as ClientRow, pool.setters) : undefined;
      if (holder) accessors.add(holder.accessor);
    }
  }
  return { setters, accessors };
}

/** Every option (keyword, property, struct field, URL parameter) that sizes a pool, in the models. */
export function poolOptions(lang: LanguageModels): Set<string> {
  return memo(optionsCache, lang, () => {
    const out = new Set<string>();
    for (const lib of lang.libraries) for (const s of lib.file.symbols ?? []) for (const o of clientOfRow(s)?.pool?.options ?? []) out.add(o);
    return out;
  });
}

/**
 * The model row of the library function a call calls, when it is one the predicate accepts
 * (`effect: cpu-count`, `effect: process-count`): resolved as `constructedBy` resolves, with the
 * same name fallback where nothing resolves.
 */
export function calledSymbol(file: FileContext, call: SyntaxNode, accept: (row: ClientRow) => boolean): { qname: string; row: ClientRow } | undefined {
  const lang = file.lang;
  const language = file.language;
  const callee = call.childForFieldName('function');
  if (!callee) return undefined;
  const r = file.resolveCallee(call);
  if (r.kind === 'library') {
    for (const row of [r.row, lang.symbol(r.qname)?.row]) if (row && accept(row as ClientRow)) return { qname: r.qname, row: row as ClientRow };
    return undefined;
  }
  if (isProjectOwn(r, language) || !unresolved(r, language)) return undefined;
  const ref = exprOf(language, callee);
  if (!ref?.path || ref.receiver || ref.kind !== 'name') return undefined;
  const written = ref.path.join('.');
  const found = (nameIndex(lang).byLast.get(ref.path[ref.path.length - 1]) ?? []).filter(
    (c) => accept(c.row) && writtenForms(language, c.qname).some((f) => f === written || f.endsWith(`.${written}`)),
  );
  const used = found.filter((c) => usesLibrary(file, c.library));
  const pick = used.length > 0 ? used : language === 'typescript' ? [] : new Set(found.map((c) => c.row)).size === 1 ? found : [];
  return pick[0] && { qname: pick[0].qname, row: pick[0].row };
}

/**
 * Query text from the models, where a query needs names `#model?` cannot give (an engine
 * selector for options and configuration settings would replace it): `"{{pool-sizers}}"` in an
 * `#any-of?` becomes the options and setters that size a pool, `"{{pool-setters}}"` the setters,
 * `"{{client-names}}"` the names a client constructor is called by (aliases and, for a default
 * export, the package's name, as `import knex from 'knex'` binds it), `{{pool-url-options}}` in a
 * `#match?` their alternation, `"{{process-settings}}"` the configuration settings that say how
 * many worker processes run (gunicorn `workers`, pm2 `instances`).
 */
export function withModelNames(source: string, lang: LanguageModels): string {
  const quote = (names: Iterable<string>): string => {
    const list = [...new Set(names)].sort();
    return (list.length > 0 ? list : ['\u0000none']).map((n) => JSON.stringify(n)).join(' ');
  };
  const sizers = [...poolOptions(lang), ...poolSetters(lang).setters];
  const clients = clientNames(lang);
  const settings = processSettings(lang).map((s) => s.name);
  return source
    .replace(/"\{\{pool-sizers\}\}"/g, quote(sizers))
    .replace(/"\{\{pool-setters\}\}"/g, quote(poolSetters(lang).setters))
    .replace(/"\{\{client-names\}\}"/g, quote(clients))
    .replace(/\{\{pool-url-options\}\}/g, [...poolOptions(lang)].filter((o) => /^\w+$/.test(o)).sort().join('|') || '\u0000none')
    .replace(/"\{\{process-settings\}\}"/g, quote(settings));
}

export interface ProcessSetting {
  /** The library whose configuration it is (gunicorn, pm2). */
  library: string;
  name: string;
  files: string[];
  perCpuValues?: (string | number)[];
}

/** The configuration settings the models say start worker processes (`configSettings` with `effect: process-count`). */
export function processSettings(lang: LanguageModels): ProcessSetting[] {
  const out: ProcessSetting[] = [];
  for (const lib of lang.libraries) {
    const settings = (lib.file as { configSettings?: (Omit<ProcessSetting, 'library'> & { effect?: string })[] }).configSettings ?? [];
    for (const s of settings) if (s.effect === 'process-count') out.push({ ...s, library: lib.name });
  }
  return out;
}

/** The names client constructors are called by: their last names, their aliases', and a default export's package name. */
export function clientNames(lang: LanguageModels): Set<string> {
  const out = new Set<string>();
  for (const lib of lang.libraries) {
    for (const s of lib.file.symbols ?? []) {
      if (!clientOfRow(s)) continue;
      for (const q of [s.name, ...(s.also ?? [])]) {
        out.add(lastSegment(q));
        if (lang.language === 'typescript' && /\.default$/.test(q)) out.add(lastSegment(q.slice(0, -'.default'.length)).replace(/[^\w$]/g, ''));
      }
    }
    for (const t of lib.file.types ?? []) for (const m of t.members ?? []) if (m.name !== '*' && (m.effect === 'client' || m.client)) out.add(m.name);
  }
  out.delete('default');
  return out;
}
