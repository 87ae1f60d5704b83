import type { SyntaxNode } from 'tree-sitter';
import type { FileContext } from '../../server/src/model/file-context';
import type { CallSite, ExprRef } from '../../server/src/model/file-model';
import { effectsOf, type Callable, type Effect, type LanguageModels } from '../../server/src/model/library';
import type { Resolved } from '../../server/src/model/resolve';

/*
 * What the rule asks the program model: what a call is (a library call and what it does, the
 * project's own code, or unknown), what a name is bound to, which names the library models give a
 * semaphore, a transaction, a limiter. Local helpers: see the report for the engine API that
 * would replace each (noted per function).
 */

/** The effects of a library row (its `effect` and `effects`), as plain strings (the schema's enum grows). */
export { effectsOf };

export function hasEffect(r: Resolved, effects: readonly string[]): boolean {
  return r.kind === 'library' && effectsOf(r.row).some((e) => effects.includes(e));
}

/** Work that costs a connection or a remote call per item: what a fan-out over data multiplies. */
export const IO_EFFECTS: readonly Effect[] = [
  'db-read-one',
  'db-read-many',
  'db-count',
  'db-write',
  'db-write-many',
  'db-query',
  'http-call',
  'smtp-connect',
  'smtp-send',
  'mail-send',
  'subprocess',
];

/** Calls that hold a bound on concurrency: a semaphore, a limiter, a bounded pool. */
export const BOUND_EFFECTS: readonly string[] = ['semaphore', 'bounded-concurrency'];

interface Indexes {
  /** Symbols by their qualified name's tail after the last `/` (Go import paths): `errgroup.WithContext`. */
  bySuffix: Map<string, Callable>;
  /** Types by the same tail: `errgroup.Group`, `sync.WaitGroup`. */
  typeBySuffix: Map<string, string>;
  /** Option names that run a call inside a transaction (`arguments.transaction` rows). */
  transactionOptions: Set<string>;
  /** Conventions (receiver-name patterns) whose type holds a semaphore or limiter. */
  boundNames: RegExp[];
}

const indexes = new WeakMap<LanguageModels, Indexes>();

/**
 * The ways code writes a qualified name without its import path: `errgroup.WithContext` for
 * `golang.org/x/sync/errgroup.WithContext`, `gomail.Dialer` for `gopkg.in/gomail.v2.Dialer`,
 * `ants.Pool` for `github.com/panjf2000/ants/v2.Pool`, `mail.Client` for `github.com/wneessen/go-mail.Client`
 * (the package names Go gives them).
 */
function tails(qname: string): string[] {
  const slash = qname.lastIndexOf('/');
  if (slash < 0) return [qname];
  const tail = qname.slice(slash + 1);
  const dot = tail.indexOf('.');
  if (dot < 0) return [tail];
  let pkg = tail.slice(0, dot);
  const rest = tail.slice(dot);
  if (/^v\d+$/.test(pkg)) pkg = qname.slice(0, slash).split('/').pop() ?? pkg;
  const out = new Set([tail, `${pkg}${rest}`, `${pkg.replace(/\.v\d+$/, '')}${rest.replace(/^\.v\d+/, '')}`, `${pkg.replace(/^go-/, '').replace(/[.-]/g, '_')}${rest}`]);
  // `gomail.v2.Dialer`: the package is `gomail`, the version a path element.
  const m = /^(\w[\w-]*)\.v\d+(\..+)$/.exec(tail);
  if (m) out.add(`${m[1]}${m[2]}`);
  return [...out];
}

/** Engine API that would replace this: `LanguageModels.symbolByTail()`, `argumentNames(role)`, `conventionsWith(effects)`. */
function indexOf(lang: LanguageModels): Indexes {
  let ix = indexes.get(lang);
  if (ix) return ix;
  ix = { bySuffix: new Map(), typeBySuffix: new Map(), transactionOptions: new Set(), boundNames: [] };
  for (const lib of lang.libraries) {
    for (const s of lib.file.symbols ?? []) {
      for (const n of [s.name, ...(s.also ?? [])]) for (const t of tails(n)) if (!ix.bySuffix.has(t)) ix.bySuffix.set(t, s);
      const tx = (s as { arguments?: { transaction?: unknown } }).arguments?.transaction;
      if (tx && typeof tx === 'object' && typeof (tx as { option?: string }).option === 'string') ix.transactionOptions.add((tx as { option: string }).option);
    }
    for (const t of lib.file.types ?? []) {
      for (const n of [t.name, ...(t.also ?? [])]) for (const k of tails(n)) if (!ix.typeBySuffix.has(k)) ix.typeBySuffix.set(k, t.name);
      for (const m of t.members ?? []) {
        const tx = (m as { arguments?: { transaction?: unknown } }).arguments?.transaction;
        if (tx && typeof tx === 'object' && typeof (tx as { option?: string }).option === 'string') ix.transactionOptions.add((tx as { option: string }).option);
      }
    }
  }
  for (const c of lang.conventions) {
    if (!c.type) continue;
    const t = lang.type(c.type);
    const bounded = (t?.row.members ?? []).some((m) => effectsOf(m).some((e) => BOUND_EFFECTS.includes(e)));
    if (bounded) ix.boundNames.push(c.pattern);
  }
  indexes.set(lang, ix);
  return ix;
}

/** Option names that bind a call to a transaction, from the models (Sequelize and TypeORM `{ transaction }`). */
export function transactionOptions(lang: LanguageModels): ReadonlySet<string> {
  return indexOf(lang).transactionOptions;
}

/** Whether a receiver's name is one the models' conventions give a semaphore or limiter (`sem`, `self._limiter`). */
export function boundName(lang: LanguageModels, name: string): boolean {
  return indexOf(lang).boundNames.some((p) => p.test(name));
}

/** A type written in code (`sync.WaitGroup`, `errgroup.Group`, `*errgroup.Group`) the models know, by its qualified name's tail. */
export function typeByWritten(lang: LanguageModels, written: string): string | undefined {
  const core = written.replace(/^[*&[\]]+/, '').trim();
  return lang.type(core) ? core : indexOf(lang).typeBySuffix.get(core);
}

/**
 * What a callee is. Resolution first; where nothing resolves (a snippet without imports), the
 * callee as written when it names a library symbol (`asyncio.gather`, `errgroup.WithContext`,
 * `Promise.all`): today's behaviour, from the models' names.
 */
export function resolveCallee(file: FileContext, call: SyntaxNode): Resolved {
  const r = file.resolveCallee(call);
  if (!unexplained(r)) return r;
  const callee = call.childForFieldName('function') ?? call.childForFieldName('constructor');
  if (!callee || boundHere(file, callee.text.split('.')[0].trim(), callee.startIndex)) return r;
  const w = byWritten(file.lang, callee.text);
  return w.kind === 'library' ? w : r;
}

/**
 * Whether the file binds a name (a parameter or local of the functions around, a module binding,
 * a function, a class, an import): then it is not the library's module as written, whatever it is.
 */
export function boundHere(file: FileContext, name: string, at: number): boolean {
  for (let fi = file.resolver.functionAt(at); fi !== undefined; fi = file.model.functions[fi].parent) {
    const fn = file.model.functions[fi];
    if (fn.params.some((p) => p.name === name) || fn.locals.some((b) => b.name === name)) return true;
  }
  const m = file.model;
  return m.bindings.some((b) => b.name === name) || m.imports.some((i) => i.local === name) || m.classes.some((c) => c.name === name) || m.functions.some((f) => f.name === name && f.parent === undefined && !f.className);
}

/** Nothing explains the name: unknown, or (Go) a name no declaration of this file gives, taken for another file of the package. */
function unexplained(r: Resolved): boolean {
  return r.kind === 'unknown' || (r.kind === 'import' && r.module === '.');
}

export function byWritten(lang: LanguageModels, text: string): Resolved {
  const written = text.replace(/\s+/g, '');
  if (!/^[\w$.]+$/.test(written)) return { kind: 'unknown' };
  const sym = lang.symbol(written)?.row ?? indexOf(lang).bySuffix.get(written);
  if (sym) return { kind: 'library', qname: sym.name, row: sym, via: 'convention' };
  // `errgroup.Group.Go` style: a member of a type written by its tail.
  const dot = written.lastIndexOf('.');
  if (dot > 0) {
    const type = typeByWritten(lang, written.slice(0, dot));
    const m = type ? lang.member(type, written.slice(dot + 1)) : undefined;
    if (m) return { kind: 'library', qname: `${m.type}.${written.slice(dot + 1)}`, row: m.row, via: 'convention' };
  }
  return { kind: 'unknown' };
}

/** What a model call site (of `FileModel.calls`) calls. */
export function resolveSite(file: FileContext, site: CallSite): Resolved {
  const r = file.resolver.invoked(file.resolver.resolve(site.callee, site.start));
  const path = site.callee.path;
  if (!unexplained(r) || !path || site.callee.receiver) return r;
  if (!boundHere(file, path[0], site.start)) {
    const written = byWritten(file.lang, path.join('.'));
    if (written.kind !== 'unknown') return written;
  }
  if (path.length < 2) return r;
  // `g.Go(...)` where `g, ctx := errgroup.WithContext(ctx)` or `var wg sync.WaitGroup`, in a file
  // whose imports do not say what they are: the type the binding's call or declaration names.
  let type: string | undefined;
  const v = bindingOf(file, path[0], site.start);
  if (v && (v.kind === 'call' || v.kind === 'new') && v.path && !v.receiver) {
    const made = byWritten(file.lang, v.path.join('.'));
    type = made.kind === 'library' ? made.row.returns ?? (file.lang.type(made.qname) ? made.qname : undefined) : undefined;
  }
  if (!type) {
    const t = paramType(file, path[0], site.start);
    type = t ? typeByWritten(file.lang, t) : undefined;
  }
  for (let i = 1; type && i < path.length; i++) {
    const m = file.lang.member(type, path[i]);
    if (!m) return r;
    if (i === path.length - 1) return { kind: 'library', qname: `${m.type}.${path[i]}`, row: m.row, via: 'convention' };
    type = m.row.returns;
  }
  return r;
}

/** Whether a resolution is the project's own code: a function or class of this file, or an import no model knows. */
export function isOwnCode(r: Resolved): boolean {
  return r.kind === 'function' || r.kind === 'class' || r.kind === 'import';
}

/** The model's call sites made directly in a function node (not in the functions nested in it). */
export function callsIn(file: FileContext, fnNode: SyntaxNode): (CallSite & { fn: number })[] {
  const fi = file.functionOf(fnNode);
  if (fi === undefined) return [];
  return file.model.calls.filter((c) => c.fn === fi);
}

/** The model's call sites inside a range of the text, in any function. */
export function callsWithin(file: FileContext, start: number, end: number): (CallSite & { fn: number })[] {
  return file.model.calls.filter((c) => c.start >= start && c.end <= end);
}

/** The value a name is bound to where it is used (a local, a parameter's default, a module binding). */
export function bindingOf(file: FileContext, name: string, at: number): ExprRef | undefined {
  for (let fi = file.resolver.functionAt(at); fi !== undefined; fi = file.model.functions[fi].parent) {
    const fn = file.model.functions[fi];
    let found: ExprRef | undefined;
    let seen = false;
    for (const b of fn.locals) if (b.name === name && b.start <= at) {
      found = b.value;
      seen = true;
    }
    if (seen) return found;
    if (fn.params.some((p) => p.name === name)) return undefined;
  }
  let found: ExprRef | undefined;
  for (const b of file.model.bindings) if (b.name === name) found = b.value;
  return found;
}

/** The declared type of a parameter of the function around `at`, as written. */
export function paramType(file: FileContext, name: string, at: number): string | undefined {
  for (let fi = file.resolver.functionAt(at); fi !== undefined; fi = file.model.functions[fi].parent) {
    const fn = file.model.functions[fi];
    if (fn.locals.some((b) => b.name === name && b.start <= at)) return fn.locals.filter((b) => b.name === name && b.start <= at).pop()?.type;
    const p = fn.params.find((q) => q.name === name);
    if (p) return p.type;
  }
  return undefined;
}

/** The call node of a call site (a lookup by position, not a walk). */
export function nodeOfSite(root: SyntaxNode, site: { start: number; end: number }): SyntaxNode | undefined {
  let n: SyntaxNode | null = root.descendantForIndex(site.start, Math.max(site.start, site.end - 1));
  while (n && !(n.startIndex === site.start && n.endIndex === site.end)) {
    if (n.startIndex < site.start || n.endIndex > site.end) return undefined;
    n = n.parent;
  }
  return n ?? undefined;
}

/**
 * Whether `value` reads one record together with its `relation` (Prisma `findUnique`/`findFirst`
 * with `include: { recipients: true }` or `select: { recipients: … }`, Drizzle `findFirst` with
 * `with: { recipients: true }`): `record.recipients` is then the children of one record, loaded in
 * the same query. A loop over them runs as many times as one record has children; if those were
 * many, the read itself would be the problem, and `unbounded-fetch` judges reads.
 */
export function readsOneWithRelation(file: FileContext, value: SyntaxNode, relation: string): boolean {
  let call = value;
  while (call.type === 'await_expression' || call.type === 'parenthesized_expression' || call.type === 'non_null_expression') {
    const inner = call.namedChildren[0];
    if (!inner) return false;
    call = inner;
  }
  if (call.type !== 'call_expression') return false;
  const site = file.callAt(call);
  if (!site) return false;
  const r = resolveSite(file, site);
  const row = r.kind === 'library' ? r.row : byConvention(file.lang, site.callee.path);
  if (!row || !effectsOf(row).includes('db-read-one')) return false;
  const at = (row as Callable & { arguments?: { options?: unknown } }).arguments?.options;
  const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment');
  const options = typeof at === 'number' ? args[at] : undefined;
  if (options?.type !== 'object') return false;
  // Any option whose object names the relation: include, select, with.
  return options.namedChildren.some((p) => {
    const v = p.type === 'pair' ? p.childForFieldName('value') : undefined;
    return v?.type === 'object' && v.namedChildren.some((q) => (q.type === 'pair' ? q.childForFieldName('key')?.text : q.type === 'shorthand_property_identifier' ? q.text : undefined) === relation);
  });
}

/** A member chain on a receiver named by a library's convention (`prisma.envelope.findFirst` on a project's exported client): its row. */
function byConvention(lang: LanguageModels, path: readonly string[] | undefined): Callable | undefined {
  if (!path || path.length < 2) return undefined;
  for (const c of lang.conventions) {
    if (!c.type || !c.pattern.test(path[0])) continue;
    let type: string | undefined = c.type;
    let row: Callable | undefined;
    for (let i = 1; type && i < path.length; i++) {
      const m = lang.member(type, path[i]);
      if (!m) break;
      row = i === path.length - 1 ? m.row : undefined;
      type = m.row.returns;
    }
    if (row) return row;
  }
  return undefined;
}
