import modelFiles from 'headroom:models';
import type { QueryLanguage } from '../engine/languages';

/**
 * The library and framework models (models/**.json, schemas/models.schema.json): what library
 * symbols do and what makes a function a handler, a middleware, a job or startup code. Rules
 * ask these, never a list of names of their own.
 */

export type Effect =
  | 'db-read-one'
  | 'db-read-many'
  | 'db-count'
  | 'db-write'
  | 'db-write-many'
  | 'db-query'
  | 'db-statement'
  | 'materialize'
  | 'stream'
  | 'limit'
  | 'offset'
  | 'smtp-connect'
  | 'smtp-send'
  | 'mail-send'
  | 'http-call'
  | 'blocking-io'
  | 'sleep'
  | 'subprocess'
  | 'cpu-heavy'
  | 'client'
  | 'publish'
  | 'subscribe'
  | 'cache-read'
  | 'cache-write'
  | 'enqueue'
  | 'schedule'
  | 'job-list'
  | 'job-lookup'
  | 'job-remove'
  | 'semaphore'
  | 'lock'
  | 'bounded-concurrency'
  | 'fan-out'
  | 'to-thread'
  | 'index-declare'
  | 'metadata-io'
  | 'file-write'
  | 'process-constant'
  | 'sql-index'
  | 'rate-limit'
  | 'subset'
  | 'clamp'
  | 'request-param';

/** What a model row says a call does: its `effect` and its `effects` (as names, which rules compare with their own). */
export function effectsOf(row: { effect?: Effect; effects?: Effect[] } | undefined): string[] {
  return row ? [...(row.effect ? [row.effect] : []), ...(row.effects ?? [])] : [];
}

/** A write queued in a unit of work (`session.add`, marked `lazy`): its I/O is the later flush or commit, which blocks there. */
export function queuedWrite(row: { effect?: Effect; effects?: Effect[]; lazy?: boolean }): boolean {
  const effects = effectsOf(row);
  return row.lazy === true && effects.length > 0 && effects.every((e) => e === 'db-write' || e === 'db-write-many');
}

export interface Bound {
  argument?: number;
  keyword?: string;
  option?: string;
  unboundedValues?: (string | number | null)[];
  /** For a value the client sends: where its maximum goes (`le`, `max_value`, `.max()`, `max_page_size`). */
  maximum?: string[];
}

export interface ClientInfo {
  service?: string;
  pool?: { options?: string[]; overflow?: string[]; default?: number; defaultOverflow?: number; caseInsensitive?: boolean; setters?: string[] };
  perRequestCost?: string;
}

/** What calling a symbol or a member does (the fields both rows share). */
export interface Callable {
  name: string;
  returns?: string;
  effect?: Effect;
  effects?: Effect[];
  async?: boolean;
  bound?: Bound;
  client?: ClientInfo;
  callbackArgument?: number;
  note?: string;
}

export interface SymbolRow extends Callable {
  also?: string[];
  kind?: 'function' | 'class' | 'value' | 'module';
}

export interface MemberRow extends Callable {
  call?: boolean;
}

export interface TypeRow {
  name: string;
  also?: string[];
  async?: boolean;
  /** A query's result already fetched: its members do no I/O of their own. */
  fetched?: boolean;
  extends?: string[];
  members?: MemberRow[];
}

export interface CallableRef {
  symbols?: string[];
  types?: string[];
  members?: string[];
  namePattern?: string;
}

export type CodeRoleName = 'handler' | 'middleware' | 'route-hook' | 'job' | 'startup' | 'request-dependency' | 'handler-class' | 'test' | 'once';

export interface RoleMarker {
  role: CodeRoleName;
  why?: string;
  decorator?: CallableRef;
  pathArgument?: boolean;
  /**
   * A call that registers functions under the role. For a registered class, `methods` names the
   * methods that hold it; `overrides` lists own roles (from a base class) the registration replaces.
   */
  registration?: { callee?: CallableRef; argument?: number | string; method?: string; methods?: string[]; overrides?: string[]; events?: string[] };
  signature?: { params?: string[]; anyParam?: string[]; paramNames?: string[] };
  classDecorator?: CallableRef;
  methodDecorator?: CallableRef;
  baseClass?: string[];
  methods?: string[];
  embeds?: string;
  exportNames?: string[];
  files?: string[];
  /** Regular expressions over the function's own name (main, lifespan, create_app). */
  names?: string[];
  /** Regular expressions over the name of the class holding the method (Django `…Middleware`). */
  classNames?: string[];
  /** The function calls this (gin `c.Next()`): a middleware. */
  calls?: CallableRef;
  runsOn?: 'event-loop' | 'thread' | 'loop-per-request' | 'process';
  /** `returned`: the role is the functions the matched one returns (a middleware factory), not its own. */
  appliesTo?: 'returned';
}

export interface FileRoleRule {
  role: 'test' | 'migration' | 'script' | 'frontend' | 'generated';
  why: string;
  languages?: QueryLanguage[];
  folders?: string[];
  files?: string[];
  headers?: string[];
  imports?: Partial<Record<QueryLanguage, string[]>>;
  directives?: string[];
  browserGlobals?: string[];
  /** DOM types named in annotations (`event: ClipboardEvent`): only browser code is handed them. */
  browserTypes?: string[];
  mainGuard?: Partial<Record<QueryLanguage, string>>;
  minified?: { longLine?: number; averageLine?: number };
  /** A package that installs a command (package.json `bin`) and depends on no server library. */
  packageBin?: boolean;
  /**
   * A file of a workspace package that depends on no server library and whose every consumer in the
   * workspace is a package of this role by its dependencies (`imports`): a client SDK only the web
   * apps use runs in the browser.
   */
  packageConsumers?: boolean;
}

export interface ModelFile {
  language?: QueryLanguage;
  library?: string;
  packages?: string[];
  /** The database the library talks to: inside the process (SQLite) or a server over the network. */
  database?: 'embedded' | 'server';
  async?: boolean;
  symbols?: SymbolRow[];
  types?: TypeRow[];
  conventions?: { name: string; type?: string; module?: string; requiresPackage?: boolean }[];
  roles?: RoleMarker[];
  fileRoles?: FileRoleRule[];
  serverMarkers?: Partial<Record<QueryLanguage, string[]>>;
  /** Go struct tags the library reads: a field bound from the request (`form:"limit"`), or its validation rules (`binding:"max=100"`). */
  structTags?: StructTag[];
  /** An ODM whose classes are collections (Beanie): see the schema. */
  documentClasses?: DocumentClasses;
}

export interface DocumentClasses {
  bases: string[];
  settingsClass?: string;
  /** A class attribute whose dictionary holds the settings (mongoengine's `meta`), in place of a settings class. */
  settingsDict?: string;
  collectionAttribute?: string;
  indexesAttribute?: string;
  indexedAnnotations?: string[];
  /** Field constructor options that create an index (`StringField(unique=True)`). */
  indexedFieldOptions?: string[];
  /** The collection's name without a setting: the class's own name, or it in snake_case. */
  collectionNaming?: 'class' | 'snake_case';
  /** How an index list's entries are written: key lists and IndexModel (`pymongo`), or field specs (`'-date'`, `('a', '-b')`, `{'fields': [...]}`). */
  indexFormat?: 'pymongo' | 'field-specs';
  /** The class attribute that queries with keyword filters (`User.objects(email=e)`), and its members that take them. */
  queryManager?: { attribute: string; filters: string[] };
}

export interface StructTag {
  tag: string;
  /** `request-param`: the field is what the client sends; `clamp`: the tag's rules can cap it (those in `bound.maximum`). */
  effect: Effect;
  bound?: Bound;
  /** The tag's entries that make the effect, where only some do (gorm `index`, `uniqueIndex`). */
  entries?: string[];
  note?: string;
}

interface LibraryEntry {
  file: ModelFile;
  language: QueryLanguage;
  name: string;
}

/** The models of one language, indexed. */
export class LanguageModels {
  readonly libraries: LibraryEntry[] = [];
  private readonly symbols = new Map<string, { row: SymbolRow; lib: LibraryEntry }>();
  private readonly types = new Map<string, { row: TypeRow; lib: LibraryEntry }>();
  readonly roles: (RoleMarker & { library: string })[] = [];
  readonly conventions: { pattern: RegExp; type?: string; module?: string; lib: LibraryEntry; requiresPackage: boolean }[] = [];
  readonly structTags: (StructTag & { library: string })[] = [];

  constructor(readonly language: QueryLanguage) {}

  add(lib: LibraryEntry): void {
    this.namesByEffects.clear();
    this.libraries.push(lib);
    for (const s of lib.file.symbols ?? []) for (const name of [s.name, ...(s.also ?? [])]) this.symbols.set(name, { row: s, lib });
    for (const t of lib.file.types ?? []) for (const name of [t.name, ...(t.also ?? [])]) this.types.set(name, { row: t, lib });
    for (const r of lib.file.roles ?? []) this.roles.push({ ...r, library: lib.name });
    for (const t of lib.file.structTags ?? []) this.structTags.push({ ...t, library: lib.name });
    for (const c of lib.file.conventions ?? []) this.conventions.push({ pattern: new RegExp(c.name), type: c.type, module: c.module, lib, requiresPackage: c.requiresPackage ?? true });
  }

  symbol(qname: string): { row: SymbolRow; lib: LibraryEntry } | undefined {
    return this.symbols.get(qname) ?? (this.language === 'typescript' ? this.symbols.get(qname.replace(/\.default\./, '.')) : undefined);
  }

  type(name: string): { row: TypeRow; lib: LibraryEntry } | undefined {
    return this.types.get(name);
  }

  /** A member of a type, its own or inherited (`extends`), the `*` row last. */
  member(typeName: string, name: string, seen = new Set<string>()): { row: MemberRow; lib: LibraryEntry; type: string } | undefined {
    if (seen.has(typeName)) return undefined;
    seen.add(typeName);
    const t = this.types.get(typeName);
    if (!t) return undefined;
    const own = t.row.members?.find((m) => m.name === name);
    if (own) return { row: own, lib: t.lib, type: typeName };
    for (const base of t.row.extends ?? []) {
      const inherited = this.member(base, name, seen);
      if (inherited && inherited.row.name !== '*') return inherited;
    }
    const star = t.row.members?.find((m) => m.name === '*');
    if (star && !/^[A-Z]/.test(name)) return { row: star, lib: t.lib, type: typeName };
    for (const base of t.row.extends ?? []) {
      const inherited = this.member(base, name, seen);
      if (inherited) return inherited;
    }
    return undefined;
  }

  /** Whether a type is, or extends, another. */
  isA(typeName: string, ancestor: string, seen = new Set<string>()): boolean {
    if (typeName === ancestor) return true;
    if (seen.has(typeName)) return false;
    seen.add(typeName);
    const t = this.types.get(typeName);
    if (t && (t.row.name === ancestor || t.row.also?.includes(ancestor))) return true;
    return (t?.row.extends ?? []).some((b) => this.isA(b, ancestor, seen));
  }

  /** Whether calls on a type are awaitable (its own `async`, its library's, a base's). */
  /** Whether the type is a query's result already fetched (its members do no round-trip). */
  isFetchedType(typeName: string): boolean {
    return this.types.get(typeName)?.row.fetched === true;
  }

  isAsyncType(typeName: string): boolean | undefined {
    const t = this.types.get(typeName);
    if (!t) return undefined;
    return t.row.async ?? t.lib.file.async;
  }

  /** The library a module belongs to: `motor.motor_asyncio` → motor, `github.com/jackc/pgx/v5/pgxpool` → pgx. */
  libraryOfModule(module: string): LibraryEntry | undefined {
    if (this.moduleCache.has(module)) return this.moduleCache.get(module);
    const found = this.findLibraryOfModule(module);
    this.moduleCache.set(module, found);
    return found;
  }

  private readonly moduleCache = new Map<string, LibraryEntry | undefined>();

  /** The libraries a file's imports name (what conventions and role markers apply in it). */
  librariesUsed(modules: readonly string[]): Set<string> {
    const out = new Set<string>();
    for (const m of modules) {
      const lib = this.libraryOfModule(m);
      if (lib) out.add(lib.name);
    }
    for (const l of this.libraries) if ((l.file.packages ?? []).length === 0) out.add(l.name);
    return out;
  }

  private findLibraryOfModule(module: string): LibraryEntry | undefined {
    const m = normaliseModule(this.language, module);
    const sep = this.language === 'python' ? '.' : '/';
    let best: LibraryEntry | undefined;
    let bestLen = -1;
    for (const lib of this.libraries) {
      for (const p of lib.file.packages ?? []) {
        if ((m === p || m.startsWith(p + sep)) && p.length > bestLen) {
          best = lib;
          bestLen = p.length;
        }
      }
    }
    return best;
  }

  /** The names of a type's members, its own and inherited (not `*`). */
  memberNames(typeName: string, seen = new Set<string>()): string[] {
    if (seen.has(typeName)) return [];
    seen.add(typeName);
    const t = this.types.get(typeName);
    if (!t) return [];
    return [...(t.row.members ?? []).map((m) => m.name).filter((n) => n !== '*'), ...(t.row.extends ?? []).flatMap((b) => this.memberNames(b, seen))];
  }

  /** The last names of a library's symbols (its constructors and functions). */
  symbolNames(library: string): string[] {
    return this.libraries.filter((l) => l.name === library).flatMap((l) => (l.file.symbols ?? []).flatMap((s) => [s.name, ...(s.also ?? [])].map(lastName)));
  }

  /**
   * The last names of every symbol and member with one of these effects: what a query's `#model?`
   * stands for. Worked out once per set of effects: rules and summaries ask per call and decorator.
   */
  namesWith(effects: readonly string[]): readonly string[] {
    const key = effects.join('\0');
    let names = this.namesByEffects.get(key);
    if (!names) this.namesByEffects.set(key, (names = this.collectNamesWith(effects)));
    return names;
  }

  private readonly namesByEffects = new Map<string, readonly string[]>();

  private collectNamesWith(effects: readonly string[]): readonly string[] {
    const out = new Set<string>();
    const has = (c: Callable) => effects.some((e) => c.effect === e || c.effects?.includes(e as Effect) || (e === 'client' && c.client !== undefined));
    for (const { row } of this.symbols.values()) if (has(row)) out.add(lastName(row.name));
    for (const { row } of this.types.values()) for (const m of row.members ?? []) if (m.name !== '*' && has(m)) out.add(m.name);
    return [...out].sort();
  }

  /** The last names of the symbols and members whose row gives a property (`bulkTwin`): a pattern's anchor as narrow as the knowledge. */
  namesWithProperty(property: string): string[] {
    const out = new Set<string>();
    const has = (c: object) => (c as Record<string, unknown>)[property] !== undefined;
    for (const { row } of this.symbols.values()) if (has(row)) out.add(lastName(row.name));
    for (const { row } of this.types.values()) for (const m of row.members ?? []) if (m.name !== '*' && has(m)) out.add(m.name);
    return [...out].sort();
  }
}

const compiled = new Map<string, RegExp>();

/** A model's regular expression, compiled once. */
export function regex(source: string): RegExp {
  let r = compiled.get(source);
  if (!r) {
    r = new RegExp(source);
    compiled.set(source, r);
  }
  return r;
}

export function lastName(qname: string): string {
  const i = Math.max(qname.lastIndexOf('.'), qname.lastIndexOf('/'));
  return i < 0 ? qname : qname.slice(i + 1);
}

/** `node:fs` → `fs`; Python and Go modules as written. */
export function normaliseModule(language: QueryLanguage, module: string): string {
  return language === 'typescript' ? module.replace(/^node:/, '') : module;
}

/** Every model, by language, with the conventions file's file roles. */
export class Models {
  private readonly byLanguage = new Map<QueryLanguage, LanguageModels>();
  readonly fileRoles: FileRoleRule[] = [];
  readonly serverMarkers: Partial<Record<QueryLanguage, string[]>> = {};

  constructor(files: readonly { path: string; content: ModelFile }[]) {
    for (const language of ['python', 'go', 'typescript'] as const) this.byLanguage.set(language, new LanguageModels(language));
    for (const { path, content } of files) this.addFile(path, content);
  }

  addFile(path: string, content: ModelFile): void {
    if (content.fileRoles) this.fileRoles.push(...content.fileRoles);
    if (content.serverMarkers) for (const [lang, list] of Object.entries(content.serverMarkers)) (this.serverMarkers[lang as QueryLanguage] ??= []).push(...(list ?? []));
    if (!content.language) return;
    this.byLanguage.get(content.language)!.add({ file: content, language: content.language, name: content.library ?? path });
  }

  of(language: QueryLanguage): LanguageModels {
    return this.byLanguage.get(language)!;
  }

  /** These models with a configuration's own rows added (`models` in .headroom.json). */
  withUser(extra: readonly ModelFile[]): Models {
    if (extra.length === 0) return this;
    const m = new Models([]);
    for (const lib of ['python', 'go', 'typescript'] as const) for (const e of this.of(lib).libraries) m.of(lib).add(e);
    m.fileRoles.push(...this.fileRoles);
    Object.assign(m.serverMarkers, this.serverMarkers);
    extra.forEach((f, i) => m.addFile(`.headroom.json#models/${i}`, f));
    return m;
  }
}

let shared: Models | undefined;

/** The models shipped with Headroom (bundled from models/). */
export function models(): Models {
  shared ??= new Models(modelFiles);
  return shared;
}
