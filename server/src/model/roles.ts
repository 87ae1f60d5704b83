import { modelIndex } from './model-index';
import type { QueryLanguage } from '../engine/languages';
import { argumentValues, type ExprRef, type FileModel, type FunctionModel } from './file-model';
import { models as shippedModels, regex, type CallableRef, type FileRoleRule, type LanguageModels, type Models, type RoleMarker } from './library';
import { Resolver, type Resolved } from './resolve';
import type { PackageManifest } from '../engine/package-manifest';
import { pushTo } from '../engine/multimap';

/**
 * Code roles. A file's role comes from conventions (its folder, its name, its header, what it
 * imports); a function's from the framework models (a route decorator, a registration, a
 * signature, a base class) and, across the workspace, from what calls it (see program.ts).
 */

/** Roles of files that are not the service meeting traffic: they get no findings by default. */
export type FileRole = 'test' | 'migration' | 'script' | 'frontend' | 'generated' | 'production';

/** Roles of functions in production files. */
export type FunctionRole = 'handler' | 'middleware' | 'route-hook' | 'job' | 'startup' | 'request-dependency' | 'test' | 'once';

/** What a class's methods become because of its base class: the role, and which methods (all public ones when unsaid). */
export interface ClassRole {
  role: string;
  why: string;
  methods?: string[];
}

export interface FileRoleResult {
  role: FileRole;
  /** Why, in words: "test code (tests/)". */
  why: string;
}

const cache = new Map<string, RegExp>();
/**
 * A path pattern a marker names, against a project-relative path. `**` spans folders, `*` stays
 * within one; a pattern that starts with `**` matches at any depth (`app/api/x/route.ts` in a
 * monorepo's app), any other from the project's root (`src/middleware.ts`, not every file of
 * that name).
 */
function pathGlob(pattern: string): RegExp {
  const key = `path:${pattern}`;
  let r = cache.get(key);
  if (!r) {
    const anywhere = pattern.startsWith('**/');
    const segments = pattern.split('/').slice(anywhere ? 1 : 0);
    const escape = (seg: string) => seg.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
    const body = segments.map((seg, k) => (seg === '**' ? (k === segments.length - 1 ? '.+' : '(?:[^/]+/)*') : escape(seg) + (k < segments.length - 1 ? '/' : ''))).join('');
    r = new RegExp(`${anywhere ? '(?:^|/)' : '^'}${body}$`, 'i');
    cache.set(key, r);
  }
  return r;
}

function glob(pattern: string): RegExp {
  let r = cache.get(pattern);
  if (!r) {
    r = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`, 'i');
    cache.set(pattern, r);
  }
  return r;
}

/**
 * The role of a file, from its path relative to its project (`/`-separated), its text and model,
 * and the package.json of its package. Without a path (a lone buffer), only the text speaks.
 */
export function fileRole(relPath: string | undefined, text: string, model: FileModel, models: Models = shippedModels(), manifest?: PackageManifest): FileRoleResult {
  const language = model.language;
  const { name, folderPath } = pathParts(relPath);
  const head = text.slice(0, 2000);
  const server = (models.serverMarkers[language] ?? []).some((m) => model.hints.importRoots.some((r) => r === m || r.startsWith(`${m}/`)));
  for (const rule of orderedRules(models)) {
    if (rule.languages && !rule.languages.includes(language)) continue;
    // Browser code is told by what it uses; a file that uses a server library is server code wherever it
    // sits, unless it renders JSX in a frontend folder: a component that imports a server package's
    // enums or types (`FieldType` from @prisma/client) is still a component.
    if (rule.role === 'frontend' && server && !(model.hints.jsx && pathMatch(rule, name, folderPath))) continue;
    const byPath = pathMatch(rule, name, folderPath);
    if (byPath) return byPath;
    const header = rule.headers?.find((h) => new RegExp(h, 'm').test(head));
    if (header) return { role: rule.role, why: rule.why };
    const imported = rule.imports?.[language]?.find((m) => model.hints.importRoots.some((r) => r === m || r.startsWith(`${m}.`) || r.startsWith(`${m}/`)));
    if (imported) return { role: rule.role, why: `${rule.why} (imports ${imported})` };
    if (rule.directives?.some((d) => model.hints.directives.includes(d))) return { role: rule.role, why: rule.why };
    if (rule.browserGlobals && language === 'typescript') {
      const g = rule.browserGlobals.find((x) => usesBrowserGlobal(x, text, model));
      if (g) return { role: rule.role, why: `${rule.why} (uses ${g})` };
      const t = rule.browserTypes?.find((x) => annotatesWith(x, text, model));
      if (t) return { role: rule.role, why: `${rule.why} (handles ${t})` };
    }
    const guard = rule.mainGuard?.[language];
    if (guard && new RegExp(guard, 'm').test(text) && !serves(model)) return { role: rule.role, why: `${rule.why} (if __name__ == "__main__")` };
    // package.json describes a JavaScript package: a Python or Go file beside one is not part of it.
    if (rule.packageBin && language === 'typescript' && manifest?.bin && !manifest.dependencies.some((d) => (models.serverMarkers[language] ?? []).includes(d))) {
      return { role: rule.role, why: `${rule.why} (package.json \`bin\`${manifest.name ? ` of ${manifest.name}` : ''})` };
    }
    const consumers = manifest?.consumers ?? [];
    if (rule.packageConsumers && language === 'typescript' && !server && consumers.length > 0 && !dependsOn(manifest!, models.serverMarkers[language])) {
      // Each consumer is of this role by what it depends on (react, vue), and none is also a server.
      const by = consumers.map((c) => (dependsOn(c, models.serverMarkers[language]) ? undefined : c.dependencies.find((d) => rule.imports?.[language]?.includes(d))));
      if (by.every((d) => d !== undefined)) {
        return { role: rule.role, why: `${rule.why} (${manifest!.name} is used only by ${consumers.map((c, i) => `${c.name}, which uses ${by[i]}`).join('; ')})` };
      }
    }
    if (rule.minified && minified(text, rule.minified.longLine ?? 1000, rule.minified.averageLine ?? 250)) return { role: rule.role, why: `${rule.why} (minified)` };
  }
  return { role: 'production', why: 'production code' };
}

function dependsOn(manifest: PackageManifest, names: readonly string[] | undefined): boolean {
  return manifest.dependencies.some((d) => (names ?? []).includes(d));
}

const ORDER: FileRole[] = ['generated', 'migration', 'test', 'frontend', 'script'];

function orderedRules(models: Models): FileRoleRule[] {
  return ORDER.flatMap((r) => models.fileRoles.filter((x) => x.role === r));
}

function pathParts(relPath: string | undefined): { name: string; folderPath: string } {
  const segments = relPath ? relPath.split('/').filter(Boolean) : [];
  return { name: segments[segments.length - 1] ?? '', folderPath: `/${segments.slice(0, -1).join('/')}/` };
}

/** The role a rule gives a file by its folder or its name. */
function pathMatch(rule: FileRoleRule, name: string, folderPath: string): FileRoleResult | undefined {
  const folder = rule.folders?.find((f) => folderPath.includes(`/${f}/`));
  if (folder) return { role: rule.role, why: `${rule.why} (${folder}/)` };
  const file = rule.files?.find((f) => glob(f).test(name));
  if (file) return { role: rule.role, why: `${rule.why} (${file})` };
  return undefined;
}

/**
 * A role other than production that the file's path alone settles (`tests/`, `*_test.go`,
 * `migrations/`), before its content is read; undefined when the content could still make it
 * production code (a `web/` folder is browser code only if the file uses no server library).
 * What the content could add is another role that is not production either.
 */
export function roleByPath(relPath: string, language: QueryLanguage, models: Models = shippedModels()): FileRoleResult | undefined {
  const { name, folderPath } = pathParts(relPath);
  for (const rule of orderedRules(models)) {
    if (rule.role === 'frontend' || (rule.languages && !rule.languages.includes(language))) continue;
    const byPath = pathMatch(rule, name, folderPath);
    if (byPath) return byPath;
  }
  return undefined;
}

/** What only a browser's `document` and `window` have: server code has variables named `document` (a record) and `window` (a time window). */
const DOM_MEMBERS: Record<string, RegExp> = {
  document: /^(createElement|getElementById|getElementsBy\w+|querySelector(All)?|addEventListener|removeEventListener|body|head|cookie|location|title|documentElement|activeElement|execCommand|createTextNode|readyState|visibilityState)$/,
  window: /^(location|addEventListener|removeEventListener|localStorage|sessionStorage|document|navigator|innerWidth|innerHeight|scrollTo|scrollY|matchMedia|open|alert|confirm|requestAnimationFrame|history|getComputedStyle|devicePixelRatio|indexedDB|getSelection|customElements|caches)$/,
};

/** Whether browser code's global is used: not a name the file binds itself, and for document/window a member only the browser's has. */
function usesBrowserGlobal(name: string, text: string, model: FileModel): boolean {
  const ix = modelIndex(model);
  const bound = ix.bindingsByName.has(name) || ix.importsByLocal.has(name) || ix.localNames.has(name);
  if (bound) return false;
  const members = DOM_MEMBERS[name];
  const re = new RegExp(`(?<![\\w$.])${name}\\.([A-Za-z_$][\\w$]*)`, 'g');
  for (const m of text.matchAll(re)) if (!members || members.test(m[1])) return true;
  return false;
}

/** Whether a type annotation names a DOM type (`event: DragEvent`, `Array<HTMLElement>`) the file does not define itself. */
function annotatesWith(name: string, text: string, model: FileModel): boolean {
  if (!text.includes(name)) return false;
  const ix = modelIndex(model);
  if (ix.importsByLocal.has(name) || ix.classesByName.has(name) || ix.bindingsByName.has(name)) return false;
  return new RegExp(`[:<|,]\\s*${name}(?![\\w$.(])`).test(text);
}

/** A `__main__` block that starts a server (`uvicorn.run`, `app.run`) is the service's entry point, not a script. */
function serves(model: FileModel): boolean {
  return model.calls.some((c) => c.fn < 0 && /^(run|serve|run_app)$/.test(c.callee.path?.[c.callee.path.length - 1] ?? ''));
}

function minified(text: string, longLine: number, averageLine: number): boolean {
  if (text.length < longLine) return false;
  let lines = 1;
  let longest = 0;
  let from = 0;
  for (let nl = text.indexOf('\n'); ; nl = text.indexOf('\n', from)) {
    const end = nl < 0 ? text.length : nl;
    longest = Math.max(longest, end - from);
    if (nl < 0) break;
    lines++;
    from = nl + 1;
  }
  return longest >= longLine && text.length / lines >= averageLine;
}

// ---------------------------------------------------------------------------------------------
// Function roles

export interface FunctionRoleResult {
  role: FunctionRole;
  /** How messages name it: "the FastAPI route", "a Celery task". */
  why: string;
  library: string;
}

/** A language's role markers, the most specific first (sorted once: a file's roles are made on every keystroke). */
function markersOf(lang: LanguageModels): (RoleMarker & { library: string })[] {
  let sorted = sortedMarkers.get(lang);
  if (!sorted) {
    sorted = [...lang.roles].sort((a, b) => specificity(b) - specificity(a));
    sortedMarkers.set(lang, sorted);
  }
  return sorted;
}

const sortedMarkers = new WeakMap<LanguageModels, (RoleMarker & { library: string })[]>();

/**
 * The roles the framework models give this file's functions (by index). Nested functions inherit
 * nothing here: what a handler calls is the request path, which the program works out.
 */
/**
 * The framework roles of a file's functions, each computed when first asked: an edit re-analyses
 * one unit, and its rules ask the roles of that unit's functions only (computing every function's
 * role on every keystroke cost 30 ms on a 5,000-line file). The most specific marker of a function
 * speaks first, then what a function around it returns (a middleware factory), then registrations
 * (`app.get('/x', handler)`) and classes (controllers, views, service implementations).
 */
export class FunctionRoles {
  private readonly own = new Map<number, FunctionRoleResult | null>();
  private readonly returnedBy = new Map<number, FunctionRoleResult | null>();
  private fileLevel: Map<number, FunctionRoleResult> | undefined;
  /** Classes a base-class marker matched in this file, with what their methods become (see classRoles). */
  private byClass = new Map<string, ClassRole>();
  private readonly markers: (RoleMarker & { library: string })[];
  private used: Set<string> | undefined;
  private byFn: Map<number, FileModel['calls']> | undefined;

  constructor(
    private readonly model: FileModel,
    private readonly lang: LanguageModels,
    private readonly resolver: Resolver,
    /** The file's path relative to its project, for markers that name files. */
    private readonly relPath?: string,
  ) {
    this.markers = markersOf(lang);
  }

  get(i: number): FunctionRoleResult | undefined {
    if (this.lang.roles.length === 0 || !this.model.functions[i]) return undefined;
    const fn = this.model.functions[i];
    // A factory's returned function: the factory's marker speaks before the function's own.
    if (fn.parent !== undefined && fn.anonymous) {
      const fromParent = this.markerOf(fn.parent, true);
      if (fromParent) return fromParent;
    }
    return this.markerOf(i, false) ?? this.files().get(i);
  }

  /**
   * The roles registrations elsewhere in the file give functions of this name (`app.get('/x', name)`):
   * what a cached unit must check again. A function's own markers and its class are in its unit.
   */
  registeredByName(name: string): string {
    if (!this.byArgName) {
      this.byArgName = new Map();
      this.model.calls.forEach((c, ci) => {
        for (const a of argumentValues(c)) {
          const last = a.kind === 'name' ? a.path?.[a.path.length - 1] : undefined;
          if (last) pushTo(this.byArgName!, last, ci);
        }
      });
    }
    const out: string[] = [];
    for (const ci of this.byArgName.get(name) ?? []) for (const r of this.registrationsOf(ci)) out.push(`${this.model.functions[r.target].qualifiedName}:${r.marker.role}`);
    if (this.calledNames().has(name)) out.push('called');
    return out.join(',');
  }

  private called: Set<string> | undefined;

  /** Names the file calls directly (`helper(x)`, `this.helper(x)`, `self.helper(x)`): its own helpers, by name. */
  private calledNames(): Set<string> {
    if (!this.called) {
      this.called = new Set();
      for (const c of this.model.calls) {
        const p = c.callee.kind === 'name' ? c.callee.path : undefined;
        if (p?.length === 1) this.called.add(p[0]);
        else if (p?.length === 2 && (p[0] === 'this' || p[0] === 'self')) this.called.add(p[1]);
      }
    }
    return this.called;
  }

  private calledHere(fn: FunctionModel): boolean {
    return !fn.anonymous && this.calledNames().has(fn.name);
  }

  private byArgName: Map<string, number[]> | undefined;

  private uses(library: string): boolean {
    this.used ??= this.lang.librariesUsed([...this.model.hints.importRoots, ...this.model.imports.map((i) => i.module)]);
    return this.used.has(library);
  }

  private callsOf(fn: number): FileModel['calls'] {
    if (!this.byFn) {
      this.byFn = new Map();
      for (const c of this.model.calls) {
        const list = this.byFn.get(c.fn);
        if (list) list.push(c);
        else this.byFn.set(c.fn, [c]);
      }
    }
    return this.byFn.get(fn) ?? [];
  }

  /** The first marker of the function itself: for its own role, or (`returned`) for what it returns. */
  private markerOf(i: number, returned: boolean): FunctionRoleResult | undefined {
    const memo = returned ? this.returnedBy : this.own;
    if (memo.has(i)) return memo.get(i) ?? undefined;
    const m = this.firstMarker(i, returned);
    const result = m ? { role: m.role === 'handler-class' ? 'handler' : m.role, why: m.why ?? m.role, library: m.library } : undefined;
    memo.set(i, result ?? null);
    return result;
  }

  /** The first marker that matches the function, among those for itself or (`returned`) for what it returns. */
  private firstMarker(i: number, returned: boolean): (RoleMarker & { library: string }) | undefined {
    for (const m of this.markers) {
      if ((m.appliesTo === 'returned') !== returned) continue;
      if (this.matchesOwn(m, i)) return m;
    }
    return undefined;
  }

  /**
   * Whether a marker of the function itself fits it: every condition the marker states must hold
   * (a ServeHTTP that calls the next handler is a middleware; any other function with a handler's
   * signature is not). Registrations and class markers are read from elsewhere in the file.
   */
  private matchesOwn(m: RoleMarker & { library: string }, i: number): boolean {
    if (m.registration || m.classDecorator || m.baseClass || m.embeds) return false;
    const fn = this.model.functions[i];
    const { resolver, lang } = this;
    let stated = false;
    if (m.decorator) {
      stated = true;
      if (!fn.decorators.some((d) => matchesDecorator(d.expr, m.decorator!, m.pathArgument === true, resolver, lang))) return false;
    }
    if (m.methodDecorator) {
      stated = true;
      if (!fn.decorators.some((d) => matchesDecorator(d.expr, m.methodDecorator!, false, resolver, lang))) return false;
    }
    // A signature is the weakest sign: a function the file calls itself (`getUser(ctx)`) is a helper of its caller.
    if (m.signature) {
      stated = true;
      if (!matchesSignature(fn, m.signature, resolver) || this.calledHere(fn)) return false;
    }
    if (m.names) {
      stated = true;
      if (fn.anonymous || fn.parent !== undefined || !this.uses(m.library) || !m.names.some((p) => regex(p).test(fn.name))) return false;
    }
    if (m.classNames) {
      stated = true;
      if (fn.className === undefined || !this.uses(m.library) || !m.classNames.some((c) => regex(c).test(fn.className!))) return false;
    }
    if (m.methods) {
      stated = true;
      if (fn.anonymous || !m.methods.includes(fn.name)) return false;
    }
    if (m.calls) {
      stated = true;
      // With a signature beside it, the call is read by its name too: middleware in a file of its own imports no framework.
      if (!this.callsOf(i).some((c) => matchesCallable(c.callee, m.calls!, resolver, lang, c.start))) return false;
    }
    if (m.exportNames) {
      stated = true;
      if (!fn.exported || !m.exportNames.includes(fn.name)) return false;
    }
    if (m.files) {
      stated = true;
      // Without a path (a lone buffer), where the file is cannot be told: the other conditions decide.
      if (this.relPath !== undefined && !m.files.some((f) => pathGlob(f).test(this.relPath!))) return false;
    }
    return stated;
  }

  /** The functions a call registers under a role: `app.get('/x', handler)`, `router.HandleFunc("/x", h)`, `scheduler.add_job(f)`. */
  private registrationsOf(ci: number): { target: number; marker: RoleMarker & { library: string } }[] {
    const { model, resolver, lang } = this;
    this.registrationMarkers ??= this.markers.filter((m) => m.registration?.callee);
    this.named ??= registrationNames(this.registrationMarkers);
    const call = model.calls[ci];
    const last = call.callee.path?.[call.callee.path.length - 1];
    if (!last || !this.named(last)) return [];
    const out: { target: number; marker: RoleMarker & { library: string } }[] = [];
    for (const m of this.registrationMarkers) {
      const reg = m.registration!;
      if (!reg.callee) continue;
      if (!matchesCallable(call.callee, reg.callee, resolver, lang, call.start)) continue;
      // `process.on('SIGTERM', f)`: the event the call names decides what f is.
      if (reg.events && !(call.args[0]?.kind === 'literal' && call.args[0].literal === 'string' && reg.events.includes(call.args[0].value ?? ''))) continue;
      // Matched by its name only (`app.get`, `router.use` on something nothing resolves): the call
      // must look like a registration, or `cache.get(key, (err, v) => …)` would be a route.
      const r = resolver.resolve(call.callee, call.start);
      const byName = !resolvesTo(r, reg.callee, lang) && !isModelGlobal(call.callee, reg.callee, r, lang);
      for (const target of registeredFunctions(model, ci, reg.argument, resolver)) {
        if (byName && !looksRegistered(model, call, target, m.role)) continue;
        out.push({ target, marker: m });
      }
    }
    return out;
  }

  /**
   * The classes of this file that a framework's base class makes a role's home (a DRF view, a
   * graphene type): a subclass in another file inherits it, which the program follows.
   */
  classRoles(): ReadonlyMap<string, ClassRole> {
    this.files();
    return this.byClass;
  }

  private registrationMarkers: (RoleMarker & { library: string })[] | undefined;
  private named: ((name: string) => boolean) | undefined;

  /** Roles given from elsewhere in the file: registrations and classes, computed once. */
  private files(): Map<number, FunctionRoleResult> {
    if (this.fileLevel) return this.fileLevel;
    const out = new Map<number, FunctionRoleResult>();
    this.fileLevel = out;
    const { model, resolver, lang } = this;
    const give = (fn: number, m: RoleMarker & { library: string }) => {
      if (!out.has(fn)) out.set(fn, { role: m.role === 'handler-class' ? 'handler' : m.role, why: m.why ?? m.role, library: m.library });
    };
    // Registrations: app.get('/x', handler), router.HandleFunc("/x", h), scheduler.add_job(f), Depends(get_db).
    for (const ci of model.calls.keys()) for (const r of this.registrationsOf(ci)) give(r.target, r.marker);
    // Classes: Django views, middleware classes, NestJS controllers, gRPC service implementations.
    for (const cls of model.classes) {
      for (const m of this.markers) {
        const byBase = m.baseClass && cls.bases.some((b) => m.baseClass!.some((want) => baseMatches(b, want, resolver, lang, cls.start)));
        const byEmbed = m.embeds && cls.bases.some((b) => regex(m.embeds!).test(b[b.length - 1]));
        const byDecorator = m.classDecorator && cls.decorators.some((d) => matchesDecorator(d.expr, m.classDecorator!, false, resolver, lang));
        if (!byBase && !byEmbed && !byDecorator) continue;
        if (byBase && !this.byClass.has(cls.name)) this.byClass.set(cls.name, { role: m.role === 'handler-class' ? 'handler' : m.role, why: m.why ?? m.role, ...(m.methods ? { methods: m.methods } : {}) });
        model.functions.forEach((fn, i) => {
          if (fn.className !== cls.name || fn.anonymous) return;
          if (m.methods && !m.methods.includes(fn.name)) return;
          if (!m.methods && (fn.name.startsWith('_') || fn.name === 'constructor' || (model.language === 'go' && !fn.exported))) return;
          if (m.methodDecorator && !fn.decorators.some((d) => matchesDecorator(d.expr, m.methodDecorator!, false, resolver, lang))) return;
          give(i, m);
        });
      }
    }
    return out;
  }
}

function specificity(m: RoleMarker): number {
  const sig = m.signature;
  return (sig ? (sig.params?.length ?? 0) + (sig.paramNames?.length ?? 0) + (sig.anyParam ? 1 : 0) : 0) + (m.calls ? 2 : 0) + (m.decorator || m.registration || m.methodDecorator ? 3 : 0) + (m.classDecorator || m.baseClass ? 1 : 0);
}

/** A fast test of a callee's last name against every registration marker's names, before any resolution. */
function registrationNames(markers: readonly RoleMarker[]): (name: string) => boolean {
  const names = new Set<string>();
  const patterns: RegExp[] = [];
  for (const m of markers) {
    const c = m.registration!.callee!;
    for (const x of c.members ?? []) names.add(x);
    for (const x of c.symbols ?? []) names.add(x.slice(Math.max(x.lastIndexOf('.'), x.lastIndexOf('/')) + 1));
    if (c.namePattern) patterns.push(regex(c.namePattern));
  }
  return (name) => names.has(name) || patterns.some((p) => p.test(name));
}

/** Whether a callee resolved to one of a marker's callables (not merely matched its name pattern). */
function resolvesTo(r: Resolved, ref: CallableRef, lang: LanguageModels): boolean {
  if (r.kind !== 'library') return false;
  if (ref.symbols?.includes(r.qname)) return true;
  const last = r.qname.slice(Math.max(r.qname.lastIndexOf('.'), r.qname.lastIndexOf('/')) + 1);
  const owner = r.qname.slice(0, r.qname.length - last.length - 1);
  return (ref.types ?? []).some((t) => lang.isA(owner, t)) && (ref.members?.includes(last) ?? true);
}

/**
 * Whether a call matched by name registers a request handler: a route path before the function
 * (`'/users/:id'`, a pattern, a list, a constant when the function takes a request and a
 * response), or `.route('/x').get(fn)`; a middleware (`use`) taking a request and a next. A
 * callback taking an error first is a completion callback, not a route.
 */
function looksRegistered(model: FileModel, call: FileModel['calls'][number], target: number, role: string): boolean {
  const fn = model.functions[target];
  const names = fn.params.map((p) => p.name);
  if (names.length === 0) return false;
  if (/^(err|error|e)$/.test(names[0]) && !names.some((n) => /^req(uest)?$/.test(n))) return false;
  for (const a of call.args) {
    if (a.start >= fn.start) break;
    if (a.kind === 'literal' && (a.literal === 'regex' || a.literal === 'list')) return true;
    if (a.kind === 'literal' && a.literal === 'string' && /^[/*]/.test(a.value ?? '')) return true;
    if (a.kind === 'name' && names.length >= 2) return true;
  }
  const receiver = call.callee.receiver;
  if (receiver?.kind === 'call' && receiver.path?.[receiver.path.length - 1] === 'route') return true;
  if (call.callee.path && call.callee.path.length > 1 && call.callee.path[call.callee.path.length - 2] === 'route') return true;
  return role === 'middleware' && names.length >= 2;
}

function matchesDecorator(expr: ExprRef, ref: CallableRef, needsPath: boolean, resolver: Resolver, lang: LanguageModels): boolean {
  // @app.get("/x") is a call; @shared_task a name.
  const callee: ExprRef = expr.kind === 'call' ? { kind: 'name', path: expr.path, receiver: expr.receiver, start: expr.start, end: expr.end } : expr;
  if (!matchesCallable(callee, ref, resolver, lang, expr.start)) return false;
  // A route decorator matched only by its name takes the route: `@router.get("/x")`, not `@cache.get`.
  return !needsPath || expr.kind === 'call' || resolvesTo(resolver.resolve(callee, expr.start), ref, lang);
}

/** A global the models name (Node's `process.on`), written as is, its root bound by nothing in the file. */
function isModelGlobal(callee: ExprRef, ref: CallableRef, r: Resolved, lang: LanguageModels): boolean {
  if (r.kind !== 'unknown' || callee.receiver || !callee.path) return false;
  const written = callee.path.join('.');
  return !!ref.symbols?.includes(written) && (lang.symbol(written)?.lib.file.packages ?? ['?']).length === 0;
}

/**
 * A callee's receiver (`router` of `router.post`), one object per callee: every marker asks, and the
 * resolver's memo (which also replays what the resolution read) is kept by object.
 */
const RECEIVERS = new WeakMap<ExprRef, ExprRef>();
function receiverOf(callee: ExprRef, resolver: Resolver, at: number): Resolved {
  let recv = RECEIVERS.get(callee);
  if (!recv) RECEIVERS.set(callee, (recv = { ...callee, kind: 'name', path: (callee.path ?? []).slice(0, -1) }));
  return resolver.resolve(recv, at);
}

/** Whether a callee is one of a marker's callables: by resolution, or by name where nothing resolves. */
function matchesCallable(callee: ExprRef, ref: CallableRef, resolver: Resolver, lang: LanguageModels, at: number): boolean {
  const path = callee.path ?? [];
  const last = path[path.length - 1];
  if (!last) return false;
  const r = resolver.resolve(callee, at);
  if (isModelGlobal(callee, ref, r, lang)) return true;
  if (r.kind === 'library') {
    if (ref.symbols?.includes(r.qname)) return true;
    if (ref.types && ref.members?.includes(last)) {
      const owner = r.qname.slice(0, r.qname.length - last.length - 1);
      if (ref.types.some((t) => lang.isA(owner, t))) return true;
    }
    // A callable of a library the models know that is not this one (Flask's `app.route` is not
    // aiohttp's): no name match either.
    if (r.row.effect || r.row.returns || lang.symbol(r.qname) || lang.libraryOfModule(r.qname)) return false;
  }
  if (r.kind === 'unknown' && ref.types && path.length > 1 && !callee.receiver) {
    // `router.post` with `router = APIRouter()`: a receiver of a library type the model has no such
    // member for is still that type's: the marker of that type matches, another framework's does not.
    const recv = receiverOf(callee, resolver, at);
    if (recv.kind === 'value') return ref.types.some((t) => lang.isA(recv.type, t)) && regex(ref.namePattern ?? '^$').test(last);
  }
  if (r.kind === 'function' || r.kind === 'import' || r.kind === 'class') {
    // The project's own function, or an unmodelled import: a name pattern may still mean the framework's decorator (`@router.get`).
    if (r.kind !== 'import' && path.length === 1) return false;
  }
  return ref.namePattern !== undefined && regex(ref.namePattern).test(last);
}

function matchesSignature(fn: FunctionModel, sig: NonNullable<RoleMarker['signature']>, resolver: Resolver): boolean {
  const params = resolver.model.language === 'go' && fn.className ? fn.params.slice(1) : fn.params;
  if (sig.params) {
    if (params.length < sig.params.length) return false;
    for (let i = 0; i < sig.params.length; i++) if (!typeIs(params[i].type, sig.params[i], resolver, fn.start)) return false;
    if (params.length !== sig.params.length) return false;
  }
  if (sig.anyParam && !params.some((p) => sig.anyParam!.some((t) => typeIs(p.type, t, resolver, fn.start)))) return false;
  if (sig.paramNames) {
    if (params.length < sig.paramNames.length) return false;
    for (let i = 0; i < sig.paramNames.length; i++) if (!regex(sig.paramNames[i]).test(params[i].name)) return false;
  }
  return sig.params !== undefined || sig.anyParam !== undefined || sig.paramNames !== undefined;
}

/** Whether a written type (`*http.Request`) is a qualified one (`*net/http.Request`). */
function typeIs(written: string | undefined, want: string, resolver: Resolver, at: number): boolean {
  if (!written) return false;
  const pointer = want.startsWith('*');
  if (pointer !== written.startsWith('*')) return false;
  const r = resolver.resolveType(written, at);
  const target = want.replace(/^\*/, '');
  if (r.kind === 'value') return r.type === target || resolver.models.isA(r.type, target);
  // Nothing resolves (a snippet without its imports): compare `package.Name` as written with the
  // target's package name (its last path element, a major-version suffix skipped) and name.
  if (r.kind !== 'unknown' || !written.includes('.')) return false;
  const [qualifier, name] = written.replace(/^\*/, '').split('.').slice(-2);
  const dot = target.lastIndexOf('.');
  const pkg = target.slice(0, dot).split('/').filter((p) => !/^v\d+$/.test(p)).pop();
  return name === target.slice(dot + 1) && qualifier === pkg?.replace(/^go-/, '');
}

function baseMatches(base: string[], want: string, resolver: Resolver, lang: LanguageModels, at: number): boolean {
  const r = resolver.resolve({ kind: 'name', path: base, start: at, end: at }, at);
  if (r.kind === 'library') return r.qname === want || lang.isA(r.qname, want);
  // Unresolved: the base's own name (`MiddlewareMixin`, `APIView`) names the framework's class.
  return !want.includes('.') && base[base.length - 1] === want;
}

/** The functions a registration call registers: by name or inline, at the marker's argument. */
function registeredFunctions(model: FileModel, callIndex: number, argument: number | string | undefined, resolver: Resolver): number[] {
  const call = model.calls[callIndex];
  const inline = (modelIndex(model).byPassedTo.get(callIndex) ?? []).map((i) => ({ f: model.functions[i], i }));
  const candidates: ExprRef[] =
    argument === undefined || argument === 'any'
      ? call.args
      : argument === 'last'
        ? call.args.slice(-1)
        : typeof argument === 'number'
          ? call.args.slice(argument, argument + 1)
          : (call.named ?? []).filter((n) => n.name === argument).map((n) => n.value);
  const out: number[] = [];
  for (const a of candidates) {
    const hit = inline.find(({ f }) => f.start === a.start);
    if (hit) {
      out.push(hit.i);
      continue;
    }
    const r: Resolved = resolver.resolve(a, call.start);
    if (r.kind === 'function') out.push(r.fn);
  }
  return out;
}

export type { QueryLanguage };
