import type { QueryLanguage } from '../engine/languages';
import type { ImportBinding } from './file-model';
import type { Effect } from './library';
import { ModuleIndex } from './modules';
import type { At, CallTarget, EffectSite, FileSummary, FunctionSummary } from './summary';
import type { ClassRole } from './roles';
import { pushTo } from '../engine/multimap';

/**
 * The workspace's program: every file's summary joined over a call graph. It resolves calls into
 * other files (Python packages, Go packages against go.mod, TypeScript relative imports, tsconfig
 * paths and workspace packages), computes what each function does through the functions it calls
 * (to a fixed point: recursion and cycles end; an unresolved call adds nothing), and which
 * functions run per request (reachable from a handler, a middleware or a per-request dependency).
 */

export interface ProgramFile {
  /** Absolute path. */
  path: string;
  language: QueryLanguage;
  summary: FileSummary;
  imports: ImportBinding[];
  reexports: { name: string; module: string; as: string }[];
  goPackage?: string;
}

/** A function of the workspace: a file and the function's index in its summary. */
export interface FnRef {
  file: string;
  fn: number;
}

/** One step of a chain: a call from a function, or the library call at its end. */
export interface ChainStep {
  file: string;
  /** The function the step is in. */
  fn: number;
  start: number;
  end: number;
  /** What is called here: `repo.get_user`, or the library call `session.execute`. */
  text: string;
  at?: At;
}

export interface EffectPath {
  effect: Effect;
  /** The calls from the function to the library call, the library call last. */
  chain: ChainStep[];
  site: EffectSite;
}

/** Effects that are about how a query is built, not what a function does: they stay where they are. */
const LOCAL_ONLY = new Set<Effect>(['limit', 'offset', 'db-statement', 'stream', 'materialize', 'to-thread', 'semaphore', 'bounded-concurrency', 'index-declare', 'subset']);
/** Roles whose functions run once per request, and so does everything they reach. */
const PER_REQUEST = new Set(['handler', 'middleware', 'route-hook', 'request-dependency']);
const MAX_CHAIN = 8;

export class Program {
  private readonly files = new Map<string, ProgramFile>();
  private readonly modules: ModuleIndex;
  /** Effects per function: the shortest path to each. */
  private readonly effects = new Map<string, Map<Effect, EffectPath>>();
  /** Blocking work a sync function does on its caller's thread (through sync calls only). */
  private readonly blocking = new Map<string, EffectPath>();
  private readonly edges = new Map<string, { to: FnRef; step: ChainStep }[]>();
  /** Roles given across files (a function registered where it is imported). */
  private readonly roles = new Map<string, { role: string; why: string; overrides?: boolean }>();
  private perRequest: Map<string, ChainStep[]> | undefined;
  private readonly lookups = new Map<string, FnRef | null>();
  private readonly names = new Map<string, Map<string, number>>();

  constructor(files: readonly ProgramFile[], readFile: (p: string) => string | undefined) {
    for (const f of files) this.files.set(f.path, f);
    this.modules = new ModuleIndex(files.map((f) => ({ path: f.path, language: f.language, goPackage: f.goPackage })), readFile);
    this.link();
    this.propagate();
  }

  file(p: string): ProgramFile | undefined {
    return this.files.get(p);
  }

  fn(ref: FnRef): FunctionSummary | undefined {
    return this.files.get(ref.file)?.summary.functions[ref.fn];
  }

  /** Where a call target of a file goes in the workspace. */
  resolve(fromFile: string, target: CallTarget): FnRef | undefined {
    if (target.kind === 'local') return { file: fromFile, fn: target.fn };
    // A file calls the same imported names many times: one answer per name and file.
    const key = `${fromFile}\0${target.module}\0${target.name ?? ''}\0${target.rest.join('.')}\0${target.instance ? 1 : 0}`;
    const known = this.targets.get(key);
    if (known !== undefined) return known ?? undefined;
    const found = this.resolveImport(fromFile, target);
    this.targets.set(key, found ?? null);
    return found;
  }

  private readonly targets = new Map<string, FnRef | null>();

  private resolveImport(fromFile: string, target: Extract<CallTarget, { kind: 'import' }>): FnRef | undefined {
    const from = this.files.get(fromFile);
    if (!from) return undefined;
    const files = this.modules.resolve(fromFile, from.language, target.module);
    const parts = [...(target.name && target.name !== 'default' ? [target.name] : []), ...target.rest];
    const instance = target.instance || (target.name !== undefined && /^[A-Z]/.test(target.name) && target.rest.length > 0);
    for (const file of files) {
      // A default import: what the file exports as default (`Helper.run`), else its members by name.
      const hit = (target.name === 'default' ? this.lookupFrom(file, ['default', ...target.rest], instance) : undefined) ?? this.lookupFrom(file, parts, instance);
      if (hit) return hit;
    }
    // `from app import repo` where repo is a module: the rest names a function in it.
    if (target.name && target.rest.length > 0) {
      const sub = this.modules.resolve(fromFile, from.language, from.language === 'python' ? `${target.module}.${target.name}` : `${target.module}/${target.name}`);
      for (const file of sub) {
        const hit = this.lookupFrom(file, target.rest, false);
        if (hit) return hit;
      }
    }
    return undefined;
  }

  /** lookup from a fresh start, remembered: barrel files (`export * from`) make the same walk for every call through them. */
  private lookupFrom(file: string, parts: string[], instance: boolean): FnRef | undefined {
    const key = `${file}\0${parts.join('.')}\0${instance ? 1 : 0}`;
    const known = this.lookups.get(key);
    if (known !== undefined) return known ?? undefined;
    // Re-exports in a cycle: the walk back into a lookup under way finds nothing there, and what
    // was found without the rest of that cycle is not remembered.
    if (this.underWay.has(key)) {
      this.cycleCut = true;
      return undefined;
    }
    const outerCut = this.cycleCut;
    this.cycleCut = false;
    this.underWay.add(key);
    let hit: FnRef | undefined;
    try {
      hit = this.lookup(file, parts, instance);
    } finally {
      this.underWay.delete(key);
    }
    if (!this.cycleCut || hit) this.lookups.set(key, hit ?? null);
    this.cycleCut ||= outerCut;
    return hit;
  }

  private readonly underWay = new Set<string>();
  private cycleCut = false;

  /**
   * The re-exports of a file that may give `name`: those that name it first (an explicit export
   * wins over `export *`, as in ES modules), then every `export *` (which passes on no default).
   */
  private reexportsOf(file: string, f: ProgramFile, name: string): ProgramFile['reexports'] {
    let ix = this.reexportIndex.get(file);
    if (!ix) {
      ix = { named: new Map(), stars: f.reexports.filter((r) => r.name === '*') };
      for (const r of f.reexports) {
        if (r.name === '*') continue;
        const list = ix.named.get(r.as);
        if (list) list.push(r);
        else ix.named.set(r.as, [r]);
      }
      this.reexportIndex.set(file, ix);
    }
    const named = ix.named.get(name) ?? [];
    if (name === 'default' || ix.stars.length === 0) return named;
    return named.length === 0 ? ix.stars : [...named, ...ix.stars];
  }

  /**
   * The first names a lookup can find in a file: its functions' and classes' names, its types,
   * what it re-exports by name, and what its `export *` modules provide (a cycle adds nothing more).
   */
  private provides(file: string): ReadonlySet<string> {
    const known = this.provided.get(file);
    if (known) return known;
    const out = new Set<string>();
    // A module under way (`export *` in a cycle) gives what it has so far; a set made with such a
    // part is not kept, and is made again from the next lookup that needs it.
    if (this.providing.has(file)) {
      this.providesCut = true;
      return out;
    }
    const f = this.files.get(file);
    if (!f) return out;
    const outerCut = this.providesCut;
    this.providesCut = false;
    this.providing.add(file);
    for (const fn of f.summary.functions) out.add(fn.className ?? fn.name);
    for (const t of f.summary.types) out.add(t.name);
    for (const r of f.reexports) {
      if (r.name !== '*') out.add(r.as);
      else for (const t of this.modules.resolve(file, f.language, r.module)) for (const n of this.provides(t)) out.add(n);
    }
    this.providing.delete(file);
    if (!this.providesCut || this.providing.size === 0) this.provided.set(file, out);
    this.providesCut ||= outerCut;
    return out;
  }

  private readonly provided = new Map<string, Set<string>>();
  private readonly providing = new Set<string>();
  private providesCut = false;

  private readonly reexportIndex = new Map<string, { named: Map<string, ProgramFile['reexports']>; stars: ProgramFile['reexports'] }>();

  /** A file's functions by `name` (top-level) and `Class.name`. */
  private namesOf(file: string, f: ProgramFile): Map<string, number> {
    let ix = this.names.get(file);
    if (!ix) {
      ix = new Map();
      const fns = f.summary.functions;
      for (let i = fns.length - 1; i >= 0; i--) {
        const x = fns[i];
        // First wins, as a scan from the front would find it.
        if (x.className !== undefined) ix.set(`${x.className}.${x.name}`, i);
        else if (!x.qualifiedName.includes('.')) ix.set(x.name, i);
      }
      this.names.set(file, ix);
    }
    return ix;
  }

  /**
   * Go: the methods of a file's package by `Type\0method`, each file's first, in the package's file
   * order. A lookup in each file of a package would otherwise scan every other file of it.
   */
  private packageMethods(file: string): Map<string, FnRef[]> {
    const files = this.modules.packageFiles(file);
    let ix = this.methodsByPackage.get(files);
    if (!ix) {
      ix = new Map();
      for (const p of files) {
        const fns = this.files.get(p)?.summary.functions ?? [];
        const seen = new Set<string>();
        fns.forEach((x, i) => {
          const key = `${x.className}\0${x.name}`;
          if (x.className === undefined || seen.has(key)) return;
          seen.add(key);
          pushTo(ix!, key, { file: p, fn: i });
        });
      }
      this.methodsByPackage.set(files, ix);
    }
    return ix;
  }

  private readonly methodsByPackage = new WeakMap<readonly string[], Map<string, FnRef[]>>();

  /** `Class.method` found on a base class of `Class`: of this file, or imported from another of the workspace. */
  private inherited(file: string, f: ProgramFile, parts: string[], instance: boolean): FnRef | undefined {
    const type = f.summary.types.find((t) => t.name === parts[0]);
    for (const base of type?.bases ?? []) {
      for (const at of this.baseAt(file, f, base)) {
        const hit = this.lookupFrom(at.file, [...at.path, ...parts.slice(1)], instance);
        if (hit) return hit;
      }
    }
    return undefined;
  }

  /**
   * Where a base class as written is declared: a class of the same file, or the files an import
   * names (`extends BaseTask` imported, `extends models.Base` of a module imported as a name), with
   * the name path to look up there.
   */
  private baseAt(file: string, f: ProgramFile, base: string[]): { file: string; path: string[] }[] {
    if (base.length === 1 && f.summary.types.some((t) => t.name === base[0])) return [{ file, path: base }];
    const imp = f.imports.find((i) => i.local === base[0]);
    if (!imp) return [];
    const path = imp.name === undefined ? base.slice(1) : [imp.name, ...base.slice(1)];
    return path.length === 0 ? [] : this.modules.resolve(file, f.language, imp.module).map((target) => ({ file: target, path }));
  }

  /** A function by name path in a file: `get_user`, `UserRepo.get_user`, following re-exports. */
  private lookup(file: string, parts: string[], instance: boolean): FnRef | undefined {
    const f = this.files.get(file);
    if (!f || parts.length === 0) return undefined;
    const names = this.namesOf(file, f);
    if (parts.length >= 2) {
      // A method: Class.method (an instance, or the class itself for static/class methods).
      const i = names.get(`${parts[0]}.${parts[1]}`);
      if (i !== undefined) return { file, fn: i };
      // Inherited from a base class of the project (`class DeliverWebhookTask extends BaseTask`).
      const inherited = this.inherited(file, f, parts, instance);
      if (inherited) return inherited;
    }
    if (parts.length === 1) {
      const i = names.get(parts[0]);
      if (i !== undefined) return { file, fn: i };
    }
    // Re-exported: `export { a } from './x'`, `from .x import a` in a package's __init__.
    for (const r of this.reexportsOf(file, f, parts[0])) {
      const name = r.name === '*' ? parts[0] : r.name;
      // `export default Helper`, `export { user as presentUser }`: a name of this file.
      if (r.module === '') {
        const hit = name === parts[0] ? undefined : this.lookupFrom(file, [name, ...parts.slice(1)], instance);
        if (hit) return hit;
        // `import presentGroup from './group'; export { presentGroup }`: an import passed on.
        const imp = f.imports.find((i) => i.local === name);
        if (imp?.name === undefined) continue;
        for (const t of this.modules.resolve(file, f.language, imp.module)) {
          const passed = this.lookupFrom(t, [imp.name, ...parts.slice(1)], instance);
          if (passed) return passed;
        }
        continue;
      }
      for (const t of this.modules.resolve(file, f.language, r.module)) {
        // `export *` from a module that has nothing of this name: not walked (barrels re-export hundreds).
        if (r.name === '*' && !this.provides(t).has(name)) continue;
        const hit = this.lookupFrom(t, [name, ...parts.slice(1)], instance);
        if (hit) return hit;
      }
    }
    // Go: a method of a type declared in another file of the package.
    if (f.language === 'go' && parts.length >= 2) {
      const hit = this.packageMethods(file).get(`${parts[0]}\0${parts[1]}`)?.find((r) => r.file !== file);
      if (hit) return hit;
    }
    // A field of a type with a declared type: `Server.store.Orders` through `store *store.Store`.
    if (parts.length >= 3) {
      const pkg = f.language === 'go' ? [file, ...this.modules.samePackage(file)] : [file];
      for (const holder of pkg) {
        const type = this.files.get(holder)?.summary.types.find((t) => t.name === parts[0]);
        const field = type?.fields.find((x) => x.name === parts[1]);
        if (!field) continue;
        const t = this.typeTarget(holder, field.type);
        if (!t) continue;
        for (const target of t.files) {
          const hit = this.lookupFrom(target, [t.name, ...parts.slice(2)], true);
          if (hit) return hit;
        }
      }
    }
    return undefined;
  }

  /** Where a declared type (`*store.Store`, `UsersService`, `Optional[Repo]`) is defined: its files and its name. */
  private typeTarget(file: string, written: string): { files: string[]; name: string } | undefined {
    const f = this.files.get(file)!;
    const core = written.replace(/^[*&[\]]+/, '').replace(/[<[].*$/, '').trim();
    const parts = core.split('.');
    const name = parts[parts.length - 1];
    if (!/^[A-Za-z_$][\w$]*$/.test(name)) return undefined;
    if (parts.length === 1) {
      const imp = f.imports.find((i) => i.local === name);
      if (imp) return { files: this.modules.resolve(file, f.language, imp.module), name: imp.name && imp.name !== 'default' ? imp.name : name };
      return { files: f.language === 'go' ? [file, ...this.modules.samePackage(file)] : [file], name };
    }
    const imp = f.imports.find((i) => i.local === parts[0]);
    return imp ? { files: this.modules.resolve(file, f.language, imp.module), name } : undefined;
  }

  private key(ref: FnRef): string {
    return `${ref.file}#${ref.fn}`;
  }

  private link(): void {
    for (const f of this.files.values()) {
      f.summary.functions.forEach((fn, i) => {
        const from = this.key({ file: f.path, fn: i });
        const out: { to: FnRef; step: ChainStep }[] = [];
        for (const c of fn.calls) {
          const to = this.resolve(f.path, c.target);
          if (to && !(to.file === f.path && to.fn === i)) out.push({ to, step: { file: f.path, fn: i, start: c.start, end: c.end, text: c.text, at: c.at } });
        }
        this.edges.set(from, out);
      });
      for (const r of f.summary.registrations) {
        const to = this.resolve(f.path, r.target);
        const own = to && this.fn(to)?.role;
        if (to && (!own || r.overrides?.includes(own.role))) this.roles.set(this.key(to), { role: r.role, why: r.why, ...(own ? { overrides: true } : {}) });
      }
      this.inheritClassRoles(f);
      // Go: the exported methods of a type with a role (a gRPC server), in every file of its package.
      if (f.language !== 'go') continue;
      for (const t of f.summary.types) {
        if (!t.role) continue;
        for (const path of [f.path, ...this.modules.samePackage(f.path)]) {
          this.files.get(path)?.summary.functions.forEach((fn, i) => {
            if (fn.className !== t.name || !fn.exported || fn.role || fn.name === '') return;
            const key = this.key({ file: path, fn: i });
            if (!this.roles.has(key)) this.roles.set(key, { role: t.role!.role, why: t.role!.why });
          });
        }
      }
    }
  }

  /**
   * A class whose base is a project class that a framework's base made a role's home (`class
   * ProjectViewSet(BaseViewSet)`, with `BaseViewSet(ModelViewSet)` in another module): its methods
   * get that role, as the file of the base would give them. Go has no class inheritance.
   */
  private inheritClassRoles(f: ProgramFile): void {
    if (f.language === 'go') return;
    for (const t of f.summary.types) {
      if (t.classRole || !t.bases?.length) continue;
      const carried = this.classRoleOf(f.path, t.name, 0);
      if (!carried) continue;
      f.summary.functions.forEach((fn, i) => {
        if (fn.className !== t.name || fn.role || fn.name === '' || fn.name.startsWith('_') || fn.name === 'constructor') return;
        if (carried.methods && !carried.methods.includes(fn.name)) return;
        const key = this.key({ file: f.path, fn: i });
        if (!this.roles.has(key)) this.roles.set(key, { role: carried.role, why: carried.why });
      });
    }
  }

  /** The role a class's bases give its methods, followed through the project's classes (a few levels). */
  private classRoleOf(file: string, name: string, depth: number): ClassRole | undefined {
    const f = this.files.get(file);
    if (!f || depth > 4) return undefined;
    const t = f.summary.types.find((x) => x.name === name);
    if (!t) {
      // Imported here and exported again (`from plane.app.views.base import BaseViewSet` in a package's base.py).
      const imp = f.imports.find((i) => i.local === name && i.name !== undefined);
      return imp ? this.modules.resolve(file, f.language, imp.module).map((target) => this.classRoleOf(target, imp.name!, depth + 1)).find((r) => r !== undefined) : undefined;
    }
    if (t.classRole) return depth > 0 ? t.classRole : undefined;
    for (const base of t.bases ?? []) {
      for (const at of this.baseAt(file, f, base)) {
        const r = at.path.length === 1 ? this.classRoleOf(at.file, at.path[0], depth + 1) : undefined;
        if (r) return r;
      }
    }
    return undefined;
  }

  /** Effects through calls, to a fixed point: a worklist over reversed edges. */
  private propagate(): void {
    const callers = new Map<string, { from: FnRef; step: ChainStep }[]>();
    for (const [from, list] of this.edges) {
      const [file, fn] = splitKey(from);
      for (const e of list) {
        const k = this.key(e.to);
        const seen = callers.get(k);
        if (seen) seen.push({ from: { file, fn }, step: e.step });
        else callers.set(k, [{ from: { file, fn }, step: e.step }]);
      }
    }
    const work: string[] = [];
    for (const f of this.files.values()) {
      f.summary.functions.forEach((fn, i) => {
        const k = this.key({ file: f.path, fn: i });
        const mine = new Map<Effect, EffectPath>();
        for (const site of fn.own) {
          if (LOCAL_ONLY.has(site.effect) || mine.has(site.effect)) continue;
          if (site.effect === 'client' && fn.cached) continue;
          mine.set(site.effect, { effect: site.effect, chain: [{ file: f.path, fn: i, start: site.start, end: site.end, text: site.text, at: site.at }], site });
        }
        this.effects.set(k, mine);
        const block = fn.isAsync ? undefined : fn.own.find((s) => s.blocking);
        if (block) this.blocking.set(k, { effect: block.effect, chain: [{ file: f.path, fn: i, start: block.start, end: block.end, text: block.text, at: block.at }], site: block });
        if (mine.size > 0 || block) work.push(k);
      });
    }
    while (work.length > 0) {
      const k = work.pop()!;
      const mine = this.effects.get(k)!;
      const block = this.blocking.get(k);
      for (const { from, step } of callers.get(k) ?? []) {
        const fk = this.key(from);
        const theirs = this.effects.get(fk)!;
        const caller = this.fn(from)!;
        const callee = this.fn(splitRef(k))!;
        let changed = false;
        for (const [effect, p] of mine) {
          if (effect === 'client' && caller.cached) continue;
          const old = theirs.get(effect);
          if ((!old || old.chain.length > p.chain.length + 1) && p.chain.length < MAX_CHAIN) {
            theirs.set(effect, { ...p, chain: [step, ...p.chain] });
            changed = true;
          }
        }
        // Blocking work reaches the caller's thread only through a sync callee called without await.
        if (block && !callee.isAsync && !caller.isAsync) {
          const old = this.blocking.get(fk);
          if ((!old || old.chain.length > block.chain.length + 1) && block.chain.length < MAX_CHAIN) {
            this.blocking.set(fk, { ...block, chain: [step, ...block.chain] });
            changed = true;
          }
        }
        if (changed) work.push(fk);
      }
    }
  }

  /** What a function does, itself or through what it calls (the shortest path to each effect). */
  effectsOf(ref: FnRef): ReadonlyMap<Effect, EffectPath> {
    return this.effects.get(this.key(ref)) ?? new Map();
  }

  /** The blocking work a sync function does on the thread that calls it, if any. */
  blockingOf(ref: FnRef): EffectPath | undefined {
    return this.blocking.get(this.key(ref));
  }

  /** The role of a function: its own (framework models), or given where another file registers it. */
  roleOf(ref: FnRef): { role: string; why: string } | undefined {
    const given = this.roles.get(this.key(ref));
    return given?.overrides ? given : (this.fn(ref)?.role ?? given);
  }

  /**
   * Functions that run per request: the handlers, middleware and per-request dependencies, and
   * everything they call (with the path from the entry point, for messages).
   */
  requestPath(): Map<string, ChainStep[]> {
    this.perRequest ??= this.reachable(PER_REQUEST);
    return this.perRequest;
  }

  /** Functions that run in background jobs: the jobs and everything they call that no handler reaches. */
  jobPath(): Map<string, ChainStep[]> {
    this.perJob ??= this.reachable(new Set(['job']));
    return this.perJob;
  }

  private perJob: Map<string, ChainStep[]> | undefined;

  /** Functions that run at start-up: module-level code, start-up hooks, and what they call. */
  startupPath(): Map<string, ChainStep[]> {
    this.atStartup ??= this.reachable(new Set(['startup']));
    return this.atStartup;
  }

  private atStartup: Map<string, ChainStep[]> | undefined;

  /**
   * Whether every request or job that runs a function runs it inside a transaction a caller's
   * decorator opened (`@Transaction()` on the resolver that calls the service): reached from an
   * entry point, but never without passing a function run in one transaction.
   */
  onlyInTransactions(ref: FnRef): boolean {
    const k = this.key(ref);
    if (!this.requestPath().has(k) && !this.jobPath().has(k)) return false;
    this.outsideTransactions ??= this.reachable(new Set([...PER_REQUEST, 'job']), true);
    return !this.outsideTransactions.has(k);
  }

  private outsideTransactions: Map<string, ChainStep[]> | undefined;

  /**
   * Every function reachable from functions with one of these roles, with the path from one of
   * them; with `outsideTransactions`, not through a function run in one transaction.
   */
  private reachable(roles: ReadonlySet<string>, outsideTransactions = false): Map<string, ChainStep[]> {
    const out = new Map<string, ChainStep[]>();
    const queue: FnRef[] = [];
    const transactional = (ref: FnRef) => outsideTransactions && !!this.fn(ref)?.transaction;
    for (const f of this.files.values()) {
      f.summary.functions.forEach((_, i) => {
        const ref = { file: f.path, fn: i };
        const role = this.roleOf(ref);
        if (role && roles.has(role.role) && !transactional(ref)) {
          out.set(this.key(ref), []);
          queue.push(ref);
        }
      });
    }
    // What a request or a job runs includes what the callbacks of its functions call
    // (`runQuery({ pg: () => relationalQuery(args) })`): someone they are handed to calls them. The
    // callbacks themselves keep their function's place (ProgramRoles climbs to it), so they are
    // followed, not recorded. Start-up code's callbacks are not start-up code: what it registers
    // runs later.
    const nested = roles.has('startup') ? undefined : this.children();
    const followed = new Set<string>();
    const edgesOf = (ref: FnRef): { to: FnRef; step: ChainStep }[] => {
      const own = this.edges.get(this.key(ref)) ?? [];
      const children = (nested?.get(this.key(ref)) ?? []).filter((c) => this.roleOf(c) === undefined && !followed.has(this.key(c)));
      for (const c of children) followed.add(this.key(c));
      return children.length === 0 ? own : [...own, ...children.flatMap(edgesOf)];
    };
    while (queue.length > 0) {
      const ref = queue.shift()!;
      const via = out.get(this.key(ref))!;
      for (const e of edgesOf(ref)) {
        const k = this.key(e.to);
        const role = this.roleOf(e.to)?.role;
        // A job or start-up function called from a handler is still what it is.
        // Outside transactions no chain grows, so the chain limit never cuts a path there.
        if (out.has(k) || (role !== undefined && !roles.has(role) && (role === 'job' || role === 'startup')) || via.length >= MAX_CHAIN || transactional(e.to)) continue;
        // Outside transactions only membership is asked: no chain is kept.
        out.set(k, outsideTransactions ? via : [...via, e.step]);
        queue.push(e.to);
      }
    }
    return out;
  }

  /** Each function's nested functions, by the function's key. */
  private children(): Map<string, FnRef[]> {
    if (this.nestedIn) return this.nestedIn;
    this.nestedIn = new Map();
    for (const f of this.files.values()) {
      f.summary.functions.forEach((fn, i) => {
        if (fn.parent !== undefined) pushTo(this.nestedIn!, this.key({ file: f.path, fn: fn.parent }), { file: f.path, fn: i });
      });
    }
    return this.nestedIn;
  }

  private nestedIn: Map<string, FnRef[]> | undefined;

  /**
   * Whether the database a file's code talks to runs inside the process (SQLite): the files that
   * open it import only embedded database drivers. In Go, the package's files (a store package
   * per driver, the driver often a blank import in a sibling file); elsewhere the file's own
   * imports, since an ORM hides which driver a project uses.
   */
  embeddedDatabase(file: string): boolean {
    const f = this.files.get(file);
    if (!f) return false;
    const pkg = f.language === 'go' ? this.modules.packageFiles(file) : undefined;
    const key = pkg && pkg.length > 0 ? `go:${pkg[0]}` : file;
    let known = this.embedded.get(key);
    if (known === undefined) {
      const files = pkg && pkg.length > 0 ? pkg : [file];
      const kinds = new Set(files.flatMap((p) => this.files.get(p)?.summary.databases ?? []));
      known = kinds.has('embedded') && !kinds.has('server');
      this.embedded.set(key, known);
    }
    return known;
  }

  private readonly embedded = new Map<string, boolean>();

  /** Whether a function runs per request, itself or because a handler reaches it. */
  onRequestPath(ref: FnRef): boolean {
    return this.requestPath().has(this.key(ref));
  }

}

function splitKey(k: string): [string, number] {
  const i = k.lastIndexOf('#');
  return [k.slice(0, i), Number(k.slice(i + 1))];
}

function splitRef(k: string): FnRef {
  const [file, fn] = splitKey(k);
  return { file, fn };
}

