import type { SyntaxNode } from 'tree-sitter';
import { exprOf, type FileContext } from '../../server/src/model/file-context';
import type { ExprRef, ValueBinding } from '../../server/src/model/file-model';
import type { Callable, MemberRow, SymbolRow } from '../../server/src/model/library';
import type { Resolved } from '../../server/src/model/resolve';
import { models as shippedModels } from '../../server/src/model/library';
import type { QueryLanguage } from '../../server/src/engine/languages';

/*
 * What a call or a value is, for the rules of this folder (per-request-db-write,
 * in-memory-rate-limiter, in-process-shared-state, scheduler-job-scan): the program model's answer
 * first (FileContext.resolve), and where it says nothing (`unknown`: a snippet without its imports,
 * a parameter without a type, an attribute set elsewhere) the models' own conventions, applied
 * whether or not the file imports the library (the resolver's conventions need the import).
 *
 * Engine API that would replace this file: a "loose" mode of Resolver.resolve (conventions without
 * `requiresPackage`, every receiver of a chain tried, locals bound to constructor calls, member rows
 * with `namePattern`, symbols written as their qualified name), returning every candidate row.
 */

export type Row = SymbolRow & MemberRow & Callable & {
  state?: { scope?: 'process' | 'shared' | 'request'; sharedBy?: string[]; processValues?: string[]; perClient?: boolean; expires?: boolean; expiresBy?: string[]; fallbackBy?: string[]; note?: string };
  arguments?: Record<string, number | string | { argument?: number; keyword?: string; option?: string }>;
  namePattern?: string;
};

export interface LibraryHit {
  kind: 'library';
  /** `sqlalchemy.orm.Session.add`, `express-rate-limit.default`. */
  qname: string;
  row: Row;
  /** Found by the models' conventions where nothing resolved. */
  loose: boolean;
}

export type Lookup =
  | LibraryHit
  /**
   * The project's own code: a function or class of this file, or an import from a module no model
   * knows. `guessed`: a method of an imported value whose type nothing declares.
   */
  | { kind: 'project'; resolved: Resolved; guessed: boolean }
  | { kind: 'none' };

const MAX_DEPTH = 6;

/** The effects a row declares. */
export function effectsOf(row: Callable): Set<string> {
  const out = new Set<string>();
  if (row.effect) out.add(row.effect);
  for (const e of row.effects ?? []) out.add(e);
  if (row.client) out.add('client');
  return out;
}

export function hasEffect(row: Callable, effects: readonly string[]): boolean {
  const mine = effectsOf(row);
  return effects.some((e) => mine.has(e));
}

/** The callee node of a call (a call, a `new`, a tagged template, a Go call). */
export function calleeNode(call: SyntaxNode): SyntaxNode | undefined {
  return call.childForFieldName('function') ?? call.childForFieldName('constructor') ?? undefined;
}

/**
 * What a call calls. `accept` picks among the candidates conventions give (a receiver named `db`
 * may be a SQLAlchemy session, a Mongo database or a Prisma client): the first it accepts wins,
 * else the first found.
 */
export function lookupCall(file: FileContext, call: SyntaxNode, accept: (hit: LibraryHit) => boolean = () => true): Lookup {
  const callee = calleeNode(call);
  if (!callee) return { kind: 'none' };
  return lookupExpr(file, callee, accept);
}

/** What an expression node (a callee) is. */
export function lookupExpr(file: FileContext, node: SyntaxNode, accept: (hit: LibraryHit) => boolean = () => true): Lookup {
  const expr = exprOf(file.language, node);
  if (!expr) return { kind: 'none' };
  return lookupRef(file, expr, node.startIndex, accept);
}

export function lookupRef(file: FileContext, expr: ExprRef, at: number, accept: (hit: LibraryHit) => boolean = () => true): Lookup {
  const r = file.resolver.resolve(expr, at);
  const loose = (): LibraryHit | undefined => {
    const hits = looseCallees(file, expr, at, 0);
    return hits.find(accept) ?? hits[0];
  };
  switch (r.kind) {
    case 'library':
      // A name under a library's module that no row describes (`flask.g.db.execute`): only a path, not an answer.
      if (!r.row.effect && !r.row.effects && !r.row.returns && !r.row.client && r.row.name === r.qname && !file.lang.symbol(r.qname)) return loose() ?? { kind: 'none' };
      return { kind: 'library', qname: r.qname, row: r.row as Row, loose: false };
    case 'import': {
      // What follows the imported name: `from app.db import db; db.users.insert_one` → [users, insert_one];
      // a module import's first name is its function, class or value (`storage.New`, `repo.save_user`).
      const members = r.name === undefined ? r.rest.slice(1) : r.rest;
      // The project's function or class called directly, or a method of a value whose declared type is
      // the project's (`m.store.SetLastLogin` with `store *storage.Storage`): the project's code.
      if (members.length === 0 || (members.length === 1 && r.via === 'annotation')) return { kind: 'project', resolved: r, guessed: false };
      // A method of a value imported from the project (`db.users.insert_one`), of a field of a project
      // type (`a.db.Exec`), or of what an imported factory returned (`with SessionLocal() as session`):
      // its type is unknown here, so the conventions speak first.
      const hit = loose();
      return hit && accept(hit) ? hit : { kind: 'project', resolved: r, guessed: true };
    }
    case 'function':
    case 'class':
      return { kind: 'project', resolved: r, guessed: false };
    case 'value':
      return { kind: 'none' };
    default:
      return loose() ?? { kind: 'none' };
  }
}

/** The library types a value expression may have (a receiver, a local's value), most likely first. */
export function valueTypes(file: FileContext, node: SyntaxNode): string[] {
  const expr = exprOf(file.language, node);
  return expr ? looseTypes(file, expr, node.startIndex, 0) : [];
}

// ---------------------------------------------------------------------------------------------

type Start = { type: string } | { module: string };

/** Every library callee the conventions allow for a callee expression. */
function looseCallees(file: FileContext, expr: ExprRef, at: number, depth: number): LibraryHit[] {
  if (depth > MAX_DEPTH || (expr.kind !== 'name' && expr.kind !== 'call' && expr.kind !== 'new')) return [];
  const path = expr.path ?? [];
  if (path.length === 0) return [];
  const out: LibraryHit[] = [];
  const lang = file.lang;
  if (expr.receiver) {
    for (const type of looseTypes(file, expr.receiver, at, depth + 1)) push(out, walk(file, { type }, path));
    return out;
  }
  // Written as its qualified name (`asyncio.create_task`, `process.nextTick`, `setImmediate`).
  if (file.language !== 'go') {
    const sym = lang.symbol(path.join('.'));
    if (sym) out.push({ kind: 'library', qname: sym.row.name, row: sym.row as Row, loose: true });
  }
  // Each name of the path as the receiver the rest is called on: `db.session.add` → `session`.
  for (let i = 0; i < path.length - 1; i++) {
    const starts = i === 0 ? rootStarts(file, path[0], at, depth) : conventionStarts(file, path[i]);
    for (const s of starts) push(out, walk(file, s, path.slice(i + 1)));
  }
  // A value called itself: sql`...` (postgres.js), knex('users').
  for (const s of path.length === 1 ? rootStarts(file, path[0], at, depth) : conventionStarts(file, path[path.length - 1])) {
    if ('type' in s) push(out, walk(file, s, ['__call__']));
  }
  return out;
}

function push(out: LibraryHit[], hit: LibraryHit | undefined): void {
  // A call that lands on a type's `*` attribute row (`client.get_caller_identity()` read as a Mongo client's
  // database) is a guess about a name, not an answer; a `*` that says what every member does (sqlc) is one.
  const attribute = hit?.row.name === '*' && !hit.row.effect && !hit.row.effects;
  if (hit && !attribute && !out.some((h) => h.qname === hit.qname)) out.push(hit);
}

/** The types a value may have: what the resolver says, else the conventions. */
function looseTypes(file: FileContext, expr: ExprRef, at: number, depth: number): string[] {
  if (depth > MAX_DEPTH) return [];
  if (expr.kind === 'await') return expr.of ? looseTypes(file, expr.of, at, depth + 1) : [];
  const strict = file.resolver.resolve(expr, at);
  if (strict.kind === 'value') return [strict.type];
  if (strict.kind === 'library' && strict.type) return [strict.type];
  if (strict.kind === 'library' && strict.row.returns && expr.kind !== 'name') return [strict.row.returns];
  // Go: a package-level name of another file (`db`) has a type this file cannot see.
  if (strict.kind !== 'unknown' && !(strict.kind === 'import' && strict.module === '.')) return [];
  const out = new Set<string>();
  const path = expr.path ?? [];
  if (expr.kind === 'call' || expr.kind === 'new') {
    for (const hit of looseCallees(file, { ...expr, kind: 'name' }, at, depth + 1)) if (hit.row.returns) out.add(hit.row.returns);
    // A class called (`AuditLog(...)`, `new Hit(...)`): an instance of it. Only a class's name says so
    // (`boto3.client(...)` makes no Mongo client because `client` is that library's usual name).
    if (!expr.receiver && path.length > 0 && (/^[A-Z]/.test(path[path.length - 1]) || expr.kind === 'new')) {
      const last = path[path.length - 1];
      const starts = path.length === 1 ? rootStarts(file, last, at, depth) : conventionStarts(file, last);
      for (const s of starts) {
        if (!('type' in s)) continue;
        if (!file.lang.member(s.type, '__call__')) out.add(s.type);
      }
    }
    return [...out];
  }
  if (expr.kind !== 'name' || path.length === 0) return [];
  for (let i = 0; i < path.length; i++) {
    const starts = i === 0 ? rootStarts(file, path[0], at, depth) : conventionStarts(file, path[i]);
    for (const s of starts) {
      if (i === path.length - 1) {
        if ('type' in s) out.add(s.type);
        continue;
      }
      const hit = walk(file, s, path.slice(i + 1));
      const t = hit && (hit.row.returns ?? undefined);
      if (t) out.add(t);
    }
  }
  return [...out];
}

/** What a root name may be: a local bound to something the conventions know, or a conventional name. */
function rootStarts(file: FileContext, name: string, at: number, depth: number): Start[] {
  const out: Start[] = [];
  const fi = file.resolver.functionAt(at);
  for (let f = fi; f !== undefined; f = file.model.functions[f].parent) {
    const local = lastBinding(file.model.functions[f].locals, name, at);
    if (local?.value) {
      for (const t of looseTypes(file, local.value, local.start, depth + 1)) out.push({ type: t });
      break;
    }
    if (file.model.functions[f].params.some((p) => p.name === name)) break;
  }
  if (out.length === 0) {
    const binding = lastBinding(file.model.bindings, name, Infinity);
    if (binding?.value) for (const t of looseTypes(file, binding.value, binding.start, depth + 1)) out.push({ type: t });
  }
  // A class imported from a package no model knows (`GqlExecutionContext` from @nestjs/graphql) is that
  // package's: the conventions for any capitalised name (an ORM model) are for names whose import is not shown.
  const imp = file.imports().find((i) => i.local === name);
  const shownClass = imp !== undefined && !/^\.|^\.\.?\//.test(imp.module);
  return [...out, ...conventionStarts(file, name, shownClass)];
}

/** A convention that takes any capitalised name (`^[A-Z][A-Za-z0-9]*$`: an ORM model class). */
function catchAll(pattern: RegExp): boolean {
  return pattern.test('Qzxvk') && pattern.test('Wbnm');
}

function conventionStarts(file: FileContext, name: string, noCatchAll = false): Start[] {
  const out: Start[] = [];
  for (const c of file.lang.conventions) {
    if (!c.pattern.test(name) || (noCatchAll && catchAll(c.pattern))) continue;
    if (c.type) out.push({ type: c.type });
    else if (c.module) out.push({ module: c.module });
  }
  return out;
}

/** Follows member names from a type (or a module), each but the last through what it returns. */
function walk(file: FileContext, start: Start, names: string[]): LibraryHit | undefined {
  const lang = file.lang;
  let type = 'type' in start ? start.type : undefined;
  let module = 'module' in start ? start.module : undefined;
  let hit: LibraryHit | undefined;
  for (let i = 0; i < names.length; i++) {
    const n = names[i];
    let found: { row: Row; qname: string } | undefined;
    if (type) {
      const m = memberOf(file, type, n);
      if (m) found = { row: m.row, qname: `${m.type}.${n}` };
    } else if (module) {
      const s = lang.symbol(`${module}.${n}`);
      if (s) found = { row: s.row as Row, qname: s.row.name };
      else if (i < names.length - 1) {
        module = `${module}.${n}`;
        continue;
      }
    }
    if (!found) return undefined;
    hit = { kind: 'library', qname: found.qname, row: found.row, loose: true };
    if (i < names.length - 1) {
      type = found.row.returns;
      module = undefined;
      if (!type) return undefined;
    }
  }
  return hit;
}

/** A member of a type: a row whose `namePattern` matches (sqlc's `Insert*`) before the type's `*` row. */
export function memberOf(file: FileContext, type: string, name: string, seen = new Set<string>()): { row: Row; type: string } | undefined {
  if (seen.has(type)) return undefined;
  seen.add(type);
  const t = file.lang.type(type);
  const patterned = t?.row.members?.find((m) => (m as Row).namePattern && new RegExp((m as Row).namePattern!).test(name));
  if (patterned && !t?.row.members?.some((m) => m.name === name)) return { row: patterned as Row, type };
  const m = file.lang.member(type, name);
  if (m) return { row: m.row as Row, type: m.type };
  // The `*` row stands for every member, Go's capitalised ones included (sqlc's `Queries`).
  const star = t?.row.members?.find((x) => x.name === '*');
  if (star && /^[A-Z]/.test(name) && file.language === 'go') return { row: star as Row, type };
  for (const base of t?.row.extends ?? []) {
    const inherited = memberOf(file, base, name, seen);
    if (inherited) return inherited;
  }
  return undefined;
}

function lastBinding(list: readonly ValueBinding[], name: string, before: number): ValueBinding | undefined {
  let found: ValueBinding | undefined;
  for (const b of list) if (b.name === name && b.start <= before) found = b;
  return found;
}

/** The argument node a row's `arguments` entry names (an index, a keyword, or an option of an options object). */
export function argumentOf(row: Row, role: string, args: { positional: SyntaxNode[]; keywords?: Map<string, SyntaxNode>; options?: (obj: SyntaxNode) => Map<string, SyntaxNode> }): SyntaxNode | undefined {
  const ref = row.arguments?.[role];
  if (ref === undefined) return undefined;
  if (typeof ref === 'number') return args.positional[ref];
  if (typeof ref === 'string') return args.keywords?.get(ref);
  const byIndex = ref.argument !== undefined ? args.positional[ref.argument] : undefined;
  const byKeyword = ref.keyword !== undefined ? args.keywords?.get(ref.keyword) : undefined;
  if (byIndex && ref.option && args.options && (byIndex.type === 'object' || byIndex.type === 'dictionary')) return args.options(byIndex).get(ref.option) ?? byIndex;
  return byKeyword ?? byIndex;
}

// ---------------------------------------------------------------------------------------------
// Query placeholders for what `#model?` cannot select: names by the state their rows keep.
//   (#state-symbols? @cap "scope:shared effect:rate-limit")  last names of symbols with that state and effect
//   (#state-types? @cap "scope:process effect:rate-limit")   last names of types with that state (and a member with the effect)
//   (#state-options? @cap "sharedBy effect:rate-limit")       the option names a state list holds (sharedBy, fallbackBy, expiresBy)
//   (#state-packages? @cap "scope:shared effect:rate-limit") Go: the package names those symbols are called through
// Engine API that would replace this: `state:` selectors for `#model?` (catalogue.expandModelPredicates).

function lastOf(qname: string): string {
  return qname.slice(Math.max(qname.lastIndexOf('.'), qname.lastIndexOf('/')) + 1);
}

export function stateNames(language: QueryLanguage, kind: 'symbols' | 'types' | 'options' | 'packages', selectors: string[]): string[] {
  const lang = shippedModels().of(language);
  const want = Object.fromEntries(selectors.filter((s) => s.includes(':')).map((s) => s.split(':') as [string, string]));
  const lists = selectors.filter((s) => !s.includes(':'));
  const out = new Set<string>();
  const ok = (row: Row | undefined, effectRows: Callable[]) =>
    !!row?.state && (!want.scope || row.state.scope === want.scope) && (!want.effect || effectRows.some((r) => effectsOf(r).has(want.effect)));
  for (const lib of lang.libraries) {
    if (kind !== 'types') {
      for (const sym of (lib.file.symbols ?? []) as Row[]) {
        if (!ok(sym, [sym])) continue;
        if (kind === 'symbols') for (const n of [sym.name, ...(sym.also ?? [])]) out.add(lastOf(n));
        else if (kind === 'packages') {
          // Go: the package name a call is written with (`redis_rate.NewLimiter`), the import path's last element;
          // Python and TypeScript: the library's packages, as imported.
          if (language !== 'go') for (const p of lib.file.packages ?? []) out.add(p);
          else
            for (const n of [sym.name, ...(sym.also ?? [])]) {
              const pkg = n.slice(0, n.lastIndexOf('.')).split('/').filter((p) => !/^v\d+$/.test(p)).pop();
              if (pkg) out.add(pkg);
            }
        } else for (const list of lists) for (const o of (sym.state as Record<string, unknown>)[list] as string[] | undefined ?? []) out.add(o);
      }
    } else {
      for (const t of lib.file.types ?? []) {
        const row = t as unknown as Row;
        if (ok(row, t.members ?? [])) for (const n of [t.name, ...(t.also ?? [])]) out.add(lastOf(n));
      }
    }
  }
  return [...out].sort();
}

/** The packages a library is imported by, as a query sees them: Python and TypeScript as written, Go by the package name (the path's last element). */
function packageNames(language: QueryLanguage, packages: readonly string[]): string[] {
  if (language !== 'go') return [...packages];
  return packages.map((p) => p.split('/').filter((x) => !/^v\d+$/.test(x)).pop() ?? p);
}

/** Libraries with a symbol or a member that has the effect. */
function librariesWithEffect(language: QueryLanguage, effect: string): { name: string; packages: string[] }[] {
  const lang = shippedModels().of(language);
  return lang.libraries
    .filter((l) => (l.file.symbols ?? []).some((r) => effectsOf(r).has(effect)) || (l.file.types ?? []).some((t) => (t.members ?? []).some((m) => effectsOf(m).has(effect))))
    .map((l) => ({ name: l.name, packages: l.file.packages ?? [] }));
}

/**
 * Expands the placeholders of a query (see above), and:
 *   (#packages? @cap "bullmq asynq")       the packages of those libraries (Go: the package name)
 *   (#effect-packages? @cap "job-list")    the packages of every library with a row of that effect
 *   (#convention? @cap "celery.Celery")     the models' naming conventions for values of that type (or names of that module)
 */
export function expandStatePredicates(source: string, language: QueryLanguage): string {
  const anyOf = (cap: string, names: string[]) => {
    const list = names.length > 0 ? [...new Set(names)].sort() : ['\u0000no-model-name'];
    return `(#any-of? ${cap} ${list.map((n) => JSON.stringify(n)).join(' ')})`;
  };
  const lang = shippedModels().of(language);
  return source
    .replace(/\(#state-(symbols|types|options|packages)\?\s+(@[\w.-]+)\s+"([^"]*)"\s*\)/g, (_all, kind: 'symbols' | 'types' | 'options' | 'packages', cap: string, sel: string) =>
      anyOf(cap, stateNames(language, kind, sel.split(/\s+/).filter(Boolean))),
    )
    .replace(/\(#packages\?\s+(@[\w.-]+)\s+"([^"]*)"\s*\)/g, (_all, cap: string, libs: string) =>
      anyOf(cap, libs.split(/\s+/).flatMap((n) => packageNames(language, lang.libraries.filter((l) => l.name === n).flatMap((l) => l.file.packages ?? [])))),
    )
    .replace(/\(#effect-packages\?\s+(@[\w.-]+)\s+"([^"]*)"\s*\)/g, (_all, cap: string, effect: string) =>
      anyOf(cap, librariesWithEffect(language, effect).flatMap((l) => packageNames(language, l.packages))),
    )
    .replace(/\(#convention\?\s+(@[\w.-]+)\s+"([^"]*)"\s*\)/g, (_all, cap: string, type: string) => {
      const patterns = lang.conventions.filter((c) => c.type === type || c.module === type).map((c) => c.pattern.source);
      return `(#match? ${cap} ${JSON.stringify(patterns.length > 0 ? patterns.join('|') : '^\u0000$')})`;
    });
}

/** The libraries (model names) with a row of that effect whose package a module belongs to. */
export function effectLibraryOfModule(file: FileContext, module: string, effect: string): string | undefined {
  const lib = file.lang.libraryOfModule(module);
  return lib && librariesWithEffect(file.language, effect).some((l) => l.name === lib.name) ? lib.name : undefined;
}
