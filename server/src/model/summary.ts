import { queuedWrite, regex, type Effect } from './library';
import type { FileContext } from './file-context';
import { argumentValues, decoratorCallee, type ExprRef, type FunctionModel } from './file-model';
import type { Resolved } from './resolve';
import type { ClassRole } from './roles';
import { readsFixedFile } from './fixed-path';
import { transactionScoped } from './transaction-scope';
import { pushTo } from '../engine/multimap';

/**
 * What each function of a file does, as plain data: its own library calls with their effects, and
 * its calls to other functions (of this file, or imported) that the program resolves across the
 * workspace. The program joins these into summaries through calls (see program.ts).
 */

/** A library call with an effect, in a function. */
/** 1-based lines, UTF-16 columns, end exclusive: where something is, for another file's messages. */
export interface At {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface EffectSite {
  effect: Effect;
  /** What was called (`sqlalchemy.orm.Session.execute`): for messages. */
  qname: string;
  /** The call's text, shortened: `session.execute(select(User))`. */
  text: string;
  start: number;
  end: number;
  /** The library call blocks the thread it runs on (a sync client, a sleep, file I/O, hashing). */
  blocking: boolean;
  at?: At;
}

/** Where a call goes, as far as one file can tell. */
export type CallTarget =
  /** A function of this file, by index. */
  | { kind: 'local'; fn: number }
  /** Something imported from a module no model knows: `{module}.{name}.{rest…}` (the project's own code, usually). */
  | { kind: 'import'; module: string; name: string | undefined; rest: string[]; instance: boolean };

export interface CallRef {
  target: CallTarget;
  start: number;
  end: number;
  /** The callee as written, for chains in messages: `repo.get_user`. */
  text: string;
  awaited: boolean;
  at?: At;
}

export interface FunctionSummary {
  name: string;
  qualifiedName: string;
  className?: string;
  isAsync: boolean;
  exported: boolean;
  start: number;
  end: number;
  nameStart: number;
  nameEnd: number;
  /** The role the framework models give it (a route, a middleware, a job, startup code), with how to say it. */
  role?: { role: string; why: string };
  /** A result it caches (lru_cache, sync.Once, a module-level `if _x is None`): what it builds is built once. */
  cached: boolean;
  /** A decorator runs it in one database transaction (see transaction-scope.ts): what it calls queries on one connection. */
  transaction?: true;
  /** The function it is nested in (a callback, an object's method literal), by index. */
  parent?: number;
  own: EffectSite[];
  calls: CallRef[];
  /** The name's place (located summaries only). */
  at?: At;
  /** The whole function's place (located summaries only): which function a finding is in. */
  extent?: At;
}

export interface FileSummary {
  functions: FunctionSummary[];
  /**
   * Classes and Go struct types with their fields' declared types (`s.store.Orders()` is followed
   * through `store *store.Store`) and their bases (a method not declared is looked for there).
   */
  types: { name: string; fields: { name: string; type: string }[]; bases?: string[][]; role?: { role: string; why: string }; classRole?: ClassRole }[];
  /** Functions registered in this file under a role, by an import (`app.use(audit)` with audit imported): the program gives them the role. */
  registrations: { role: string; why: string; target: CallTarget; overrides?: string[] }[];
  /** The kinds of database the file's imports talk to (see the models' `database`), when it imports a driver. */
  databases?: ('embedded' | 'server')[];
}

/** The role a project decorator of a route gets: what it wraps the route in runs on every request to it. */
export const ROUTE_DECORATOR = 'route-decorator';

/** Effects that block the thread whatever library does them. */
const ALWAYS_BLOCKING = new Set<Effect>(['sleep', 'blocking-io', 'subprocess', 'cpu-heavy']);
/** Effects that are I/O: blocking when the library is synchronous. */
const IO = new Set<Effect>(['db-read-one', 'db-read-many', 'db-count', 'db-write', 'db-write-many', 'db-query', 'http-call', 'smtp-connect', 'smtp-send', 'mail-send', 'cache-read', 'cache-write', 'publish', 'client']);

const MAIL = new Set<Effect>(['smtp-connect', 'smtp-send', 'mail-send']);

/** Decorators and wrappers that make a function build its result once. */
const CACHING_DECORATORS = /(^|\.)(lru_cache|cache|cached|cached_property|memoize|memoized|once|singleton)$/;

/**
 * What the file's functions do and call. With `roots`, only the functions the roots reach through
 * calls within the file are summarised (the others stay empty): what one analysis needs to follow
 * its findings through calls, without resolving every call of the file on every keystroke.
 */
export function summarise(file: FileContext, roots?: readonly number[]): FileSummary {
  const { model, resolver, lang } = file;
  const include = roots ? new Set<number>() : undefined;
  const functions: FunctionSummary[] = model.functions.map((f, i) => ({
    name: f.name,
    qualifiedName: f.qualifiedName,
    className: f.className,
    isAsync: f.isAsync,
    exported: f.exported,
    start: f.start,
    end: f.end,
    nameStart: f.nameStart,
    nameEnd: f.nameEnd,
    role: roots ? undefined : file.fnRoles.get(i) && { role: file.fnRoles.get(i)!.role, why: file.fnRoles.get(i)!.why },
    cached: isCached(f),
    // Read by the workspace's program only: not in the summaries one analysis builds to follow its own calls.
    ...(!roots && f.decorators.length > 0 && transactionScoped(file, i) ? { transaction: true as const } : {}),
    ...(f.parent !== undefined ? { parent: f.parent } : {}),
    own: [],
    calls: [],
  }));
  // Module-level code runs once, at import: a function of its own, with the start-up role.
  const moduleCode: FunctionSummary = {
    name: '<module>',
    qualifiedName: '<module>',
    isAsync: false,
    exported: false,
    start: 0,
    end: 0,
    nameStart: 0,
    nameEnd: 0,
    role: { role: 'startup', why: 'module-level code' },
    cached: false,
    own: [],
    calls: [],
  };
  const registrations: FileSummary['registrations'] = [];
  let calls: readonly (typeof model.calls)[number][] = model.calls;
  if (include && roots) {
    // The functions the roots reach within the file, and their calls.
    const byFn = new Map<number, (typeof model.calls)[number][]>();
    for (const c of model.calls) pushTo(byFn, c.fn, c);
    const picked: (typeof model.calls)[number][] = [];
    const queue = [...roots];
    while (queue.length > 0) {
      const fn = queue.pop()!;
      if (include.has(fn)) continue;
      include.add(fn);
      for (const c of byFn.get(fn) ?? []) {
        picked.push(c);
        const t = targetOf(resolver.resolve(c.callee, c.start));
        if (t?.kind === 'local' && !include.has(t.fn)) queue.push(t.fn);
      }
      // A function's nested callbacks run as part of it.
      model.functions.forEach((g, k) => {
        if (g.parent === fn && !include.has(k)) queue.push(k);
      });
    }
    calls = picked;
  }
  for (const call of calls) {
    const fn = call.fn < 0 ? moduleCode : functions[call.fn];
    const r = resolver.resolve(call.callee, call.start);
    const text = callText(call.callee);
    if (r.kind === 'library') {
      const effects = new Set<Effect>([...(r.row.effect ? [r.row.effect] : []), ...(r.row.effects ?? []), ...(r.row.client ? (['client'] as Effect[]) : [])]);
      if (effects.size === 0) continue;
      const owner = r.qname.slice(0, r.qname.lastIndexOf('.'));
      // Rows of a result already fetched do no I/O of their own: never blocking.
      const async = lang.isFetchedType(owner) || (r.row.async ?? lang.isAsyncType(owner) ?? lang.symbol(r.qname)?.lib.file.async ?? lang.libraryOfModule(r.qname)?.file.async ?? false);
      const mail = r.row.client?.service === 'smtp';
      for (const effect of effects) {
        // Mail is blocking too, but sync-smtp-in-request says so: blocking here is everything else.
        const blocking =
          !mail &&
          !queuedWrite(r.row) &&
          (ALWAYS_BLOCKING.has(effect) || (IO.has(effect) && !MAIL.has(effect) && !async && !call.awaited)) &&
          // One of the app's own small files (a template, a certificate), read from the page cache.
          !(effect === 'blocking-io' && !effects.has('file-write') && readsFixedFile(file, call));
        fn.own.push({ effect, qname: r.qname, text, start: call.start, end: call.end, blocking });
      }
      continue;
    }
    const target = targetOf(r);
    if (target) fn.calls.push({ target, start: call.start, end: call.end, text, awaited: call.awaited });
  }
  // A value checked against a bound in a condition clamps it, as `min()` does (see Binder.noteBound).
  model.functions.forEach((f, i) => {
    if (!f.bounded || (include && !include.has(i))) return;
    functions[i].own.push({ effect: 'clamp', qname: 'comparison', text: `checks \`${f.bounded[0]}\``, start: f.nameStart, end: f.nameEnd, blocking: false });
  });
  // A project decorator on a route (`@audit` or `@audit("x")` over `@app.get(...)`): the function it
  // wraps the route in runs on every request to it. The decorator gets the role; the rules find the wrapper.
  if (!roots) {
    model.functions.forEach((f, i) => {
      if (file.fnRoles.get(i)?.role !== 'handler') return;
      for (const d of f.decorators) {
        if ((d.expr.kind !== 'name' && d.expr.kind !== 'call') || !d.expr.path?.length) continue;
        const target = targetOf(resolver.resolve(decoratorCallee(d.expr), d.start));
        if (!target || (target.kind === 'local' && target.fn === i)) continue;
        const name = d.expr.path[d.expr.path.length - 1];
        registrations.push({ role: ROUTE_DECORATOR, why: `the decorator \`${name}\` of the route \`${f.name}\``, target });
      }
    });
  }
  // Registrations of imported functions under a role: the program resolves them.
  for (const [ci, call] of (roots ? [] : model.calls.entries())) {
    for (const a of argumentValues(call)) {
      if (a.kind !== 'name') continue;
      const r = resolver.resolve(a, call.start);
      if (r.kind !== 'import') continue;
      const role = registrationRole(file, ci);
      if (!role) continue;
      // A registered class (`UseInterceptors(AuditInterceptor)`): its methods the marker names hold the role.
      const methods = role.methods ?? [undefined];
      for (const m of methods) {
        const rest = m ? [...r.rest, m] : r.rest;
        registrations.push({ role: role.role, why: role.why, target: { kind: 'import', module: r.module, name: r.name, rest, instance: false }, ...(role.overrides ? { overrides: role.overrides } : {}) });
      }
    }
  }
  if (!roots) overrides(file, functions);
  // A Go struct that embeds a generated server (`UnimplementedXServer`) serves RPCs with its exported
  // methods, which are often declared in other files of the package: the program gives them the role.
  const embedding = model.language === 'go' ? lang.roles.filter((m) => m.embeds) : [];
  const classRoles = roots ? undefined : file.fnRoles.classRoles();
  const types = model.classes.map((c) => {
    const marker = embedding.find((m) => c.bases.some((b) => regex(m.embeds!).test(b[b.length - 1])));
    const classRole = classRoles?.get(c.name);
    return {
      ...(classRole ? { classRole } : {}),
      name: c.name,
      fields: c.fields.flatMap((f) => (f.type && f.name ? [{ name: f.name, type: f.type }] : [])),
      ...(c.bases.length > 0 ? { bases: c.bases } : {}),
      ...(marker ? { role: { role: marker.role === 'handler-class' ? 'handler' : marker.role, why: marker.why ?? marker.role } } : {}),
    };
  });
  if (moduleCode.own.length + moduleCode.calls.length > 0) functions.push(moduleCode);
  const databases = databasesOf(file);
  return { functions, types, registrations, ...(databases.length > 0 ? { databases } : {}) };
}

/** The kinds of database the file's imports (blank Go imports of drivers included) talk to. */
function databasesOf(file: FileContext): ('embedded' | 'server')[] {
  const out = new Set<'embedded' | 'server'>();
  for (const lib of file.lang.libraries) if (lib.file.database && file.usesLibrary(lib.name)) out.add(lib.file.database);
  return [...out].sort();
}

/** Database effects: what an override of an ORM method is taken to do. */
const DB = new Set<Effect>(['db-read-one', 'db-read-many', 'db-count', 'db-write', 'db-write-many', 'db-query']);

/** The database members of the types of each library, by member name. */
const dbMembers = new WeakMap<FileContext['lang'], Map<string, { type: string; effects: Effect[]; async: boolean; library: string }[]>>();

function dbMembersOf(lang: FileContext['lang']): Map<string, { type: string; effects: Effect[]; async: boolean; library: string }[]> {
  let out = dbMembers.get(lang);
  if (out) return out;
  out = new Map();
  for (const lib of lang.libraries) {
    for (const t of lib.file.types ?? []) {
      for (const m of t.members ?? []) {
        const effects = [...(m.effect ? [m.effect] : []), ...(m.effects ?? [])].filter((e) => DB.has(e));
        if (effects.length === 0) continue;
        const async = m.async ?? t.async ?? lib.file.async ?? false;
        pushTo(out, m.name, { type: t.name, effects, async, library: lib.name });
      }
    }
  }
  dbMembers.set(lang, out);
  return out;
}

/**
 * A method of a project class that extends another, named as a database method of a library the
 * file uses (outline's `static findByPk` on a Sequelize model): an override does what the method it
 * overrides does, even when its body runs through what the model cannot follow (`this.scope(…)`).
 */
function overrides(file: FileContext, functions: FunctionSummary[]): void {
  const { model } = file;
  const extending = new Set(model.classes.filter((c) => c.bases.length > 0).map((c) => c.name));
  if (extending.size === 0) return;
  model.functions.forEach((f, i) => {
    const summary = functions[i];
    if (!f.className || !extending.has(f.className) || f.anonymous || summary.own.some((e) => DB.has(e.effect))) return;
    const row = dbMembersOf(file.lang).get(f.name)?.find((m) => file.usesLibrary(m.library));
    if (!row) return;
    for (const effect of row.effects) {
      summary.own.push({ effect, qname: `${row.type}.${f.name}`, text: `${f.className}.${f.name}, overriding ${row.library}'s ${f.name}`, start: f.nameStart, end: f.nameEnd, blocking: !row.async && !f.isAsync });
    }
  });
}

/** What a call resolved to, as a target the program can follow; undefined for what is not code of the project. */
export function targetOf(r: Resolved): CallTarget | undefined {
  switch (r.kind) {
    case 'function':
      return { kind: 'local', fn: r.fn };
    case 'import':
      return { kind: 'import', module: r.module, name: r.name, rest: r.rest, instance: r.instance ?? false };
    default:
      return undefined;
  }
}

/** The role a call registers its function arguments under, if it is a registration the framework models know. */
function registrationRole(file: FileContext, callIndex: number): { role: string; why: string; methods?: string[]; overrides?: string[] } | undefined {
  const call = file.model.calls[callIndex];
  const last = call.callee.path?.[call.callee.path.length - 1];
  if (!last) return undefined;
  // The frameworks this file uses speak first (`use` is Express's middleware, Koa's too).
  const used = file.lang.librariesUsed(file.model.hints.importRoots);
  const markers = [...file.lang.roles.filter((m) => used.has(m.library)), ...file.lang.roles.filter((m) => !used.has(m.library))];
  for (const m of markers) {
    const c = m.registration?.callee;
    if (!c) continue;
    const named = c.members?.includes(last) || c.symbols?.some((s) => s.endsWith(`.${last}`) || s.endsWith(`/${last}`)) || (c.namePattern !== undefined && regex(c.namePattern).test(last));
    if (named) {
      const reg = m.registration!;
      const methods = [...(reg.methods ?? []), ...(reg.method ? [reg.method] : [])];
      return { role: m.role === 'handler-class' ? 'handler' : m.role, why: m.why ?? m.role, ...(methods.length > 0 ? { methods } : {}), overrides: reg.overrides };
    }
  }
  return undefined;
}

function isCached(f: FunctionModel): boolean {
  return f.decorators.some((d) => {
    const path = d.expr.path ?? [];
    return CACHING_DECORATORS.test(path.join('.'));
  });
}

/** A short text for a callee: `repo.get_user`, `session.execute`, `UserRepo().all`. */
export function callText(callee: ExprRef, depth = 0): string {
  const r = callee.receiver;
  const head = !r ? '' : depth > 2 ? '(…).' : r.kind === 'call' || r.kind === 'new' ? `${callText(r, depth + 1)}().` : r.kind === 'await' && r.of ? `(await ${callText(r.of, depth + 1)}()).` : '(…).';
  return `${head}${(callee.path ?? []).join('.')}`.slice(0, 80);
}

/** The summary with positions as lines and columns (what crosses to the workspace, where no text is at hand). */
export function locateSummary(summary: FileSummary, at: (start: number, end: number) => At): FileSummary {
  return {
    ...summary,
    functions: summary.functions.map((f) => ({
      ...f,
      at: at(f.nameStart, f.nameEnd),
      ...(f.name === '<module>' ? {} : { extent: at(f.start, f.end) }),
      own: f.own.map((o) => ({ ...o, at: at(o.start, o.end) })),
      calls: f.calls.map((c) => ({ ...c, at: at(c.start, c.end) })),
    })),
  };
}
