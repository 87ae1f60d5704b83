import { modelIndex } from './model-index';
import type { ExprRef, FileModel, FunctionModel, ValueBinding } from './file-model';
import { normaliseModule, type LanguageModels, type MemberRow, type SymbolRow } from './library';
import type { GoPackageTypes } from './go-package';

/**
 * Name resolution in one file: what an expression is, from the code first (imports, annotations,
 * assignments, `self.x = …`, struct fields, constructor injection), then from the library models,
 * then from the models' naming conventions. A rule asks this, never compares a bare name.
 */

/** Where the answer came from: how much it can be trusted. */
/** How a name was resolved; `inherited`: a member of a project base class in another file (the program looks there). */
export type Via = 'import' | 'annotation' | 'binding' | 'local' | 'convention' | 'inherited';

export type Resolved =
  /** A library symbol or a member of a library type, with its model row. */
  | { kind: 'library'; qname: string; row: SymbolRow | MemberRow; type?: string; via: Via }
  /** A value of a library type (a client, a session), not a call. */
  | { kind: 'value'; type: string; via: Via }
  /** A function or method defined in this file. */
  | { kind: 'function'; fn: number; via: Via }
  /** A class defined in this file, or an instance of one (`self`, a local `Repo()`). */
  | { kind: 'class'; name: string; instance: boolean; via: Via }
  /** Something imported from a module no model knows: the project's own code, or an unmodelled package. */
  | { kind: 'import'; module: string; name: string | undefined; rest: string[]; instance?: boolean; via: Via }
  | { kind: 'unknown' };

const UNKNOWN: Resolved = { kind: 'unknown' };
const GO_BUILTINS = new Set(['append', 'cap', 'clear', 'close', 'complex', 'copy', 'delete', 'imag', 'len', 'make', 'max', 'min', 'new', 'panic', 'print', 'println', 'real', 'recover', 'nil', 'true', 'false', 'iota', 'error', 'string', 'int', 'int64', 'int32', 'uint', 'uint64', 'float64', 'bool', 'byte', 'rune', 'any']);
const MAX_DEPTH = 8;

export class Resolver {
  /** Module-scope names and classes looked up, while a caller tracks them (see FileContext.track). */
  reads: Set<string> | undefined;

  constructor(
    readonly model: FileModel,
    readonly models: LanguageModels,
    /** Go: the struct types the file's package declares in its other files. */
    private readonly goPackage?: GoPackageTypes,
    /** Whether the file's package can reach a library (its manifest): what a value it imports from the project may be. */
    private readonly reaches: (lib: string) => boolean = () => true,
    /** Whether a module is a package of the file's workspace (its source is here, read as the project's). */
    private readonly local: (module: string) => boolean = () => false,
  ) {}

  /** Resolvers of the sibling files that declare the package's types, for their fields' types. */
  private siblings: WeakMap<FileModel, Resolver> | undefined;

  /**
   * Go: a field of a struct type declared in another file of the package (`s.db` with `type Storage
   * struct { db *sql.DB }` in a sibling), resolved against that file's imports.
   */
  private packageField(typeName: string, field: string, depth: number): Resolved {
    // A cached unit that asked is analysed again when the sibling's declaration changes.
    this.reads?.add(`g:${typeName}`);
    const decl = this.goPackage?.struct(typeName);
    const f = decl && lastBinding(decl.cls.fields, field, Infinity);
    if (!decl || !f?.type) return UNKNOWN;
    this.siblings ??= new WeakMap();
    let r = this.siblings.get(decl.model);
    if (!r) this.siblings.set(decl.model, (r = new Resolver(decl.model, this.models)));
    const t = r.resolveType(f.type, f.start, depth + 1);
    // A type of the same package is the same `.` import here; a class of the sibling's is too.
    if (t.kind === 'class') return { kind: 'import', module: '.', name: t.name, rest: [], instance: true, via: 'annotation' };
    return t;
  }

  private used: Set<string> | undefined;

  /** Whether the file imports a module of the library a convention belongs to. */
  private usesLibrary(lib: string): boolean {
    this.used ??= this.models.librariesUsed([...this.model.hints.importRoots, ...this.model.imports.map((i) => i.module)]);
    return this.used.has(lib);
  }

  /**
   * The innermost function containing an offset. Functions are in document order and nested ones
   * name their parent: the answer is on the parent chain of the last function starting before it.
   */
  functionAt(offset: number): number | undefined {
    const fns = this.model.functions;
    let lo = 0;
    let hi = fns.length - 1;
    let last = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (fns[mid].start <= offset) {
        last = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i: number | undefined = last < 0 ? undefined : last; i !== undefined; i = fns[i].parent) if (offset < fns[i].end) return i;
    return undefined;
  }

  /**
   * Answers for expressions asked about before, with the module-scope names they read: rules ask
   * again for the same call site of the model (one rule asks for every call of a class per match).
   */
  private readonly memo = new WeakMap<ExprRef, { at: number; result: Resolved; reads: string[] }>();

  /** What the callee of a call, or a value, at `at` is. */
  resolve(expr: ExprRef | undefined, at: number, depth = 0): Resolved {
    if (!expr || depth > MAX_DEPTH) return UNKNOWN;
    if (depth > 0) return this.resolveExpr(expr, at, depth);
    const known = this.memo.get(expr);
    if (known && known.at === at) {
      if (this.reads) for (const r of known.reads) this.reads.add(r);
      return known.result;
    }
    const outer = this.reads;
    const reads = new Set<string>();
    this.reads = reads;
    let result: Resolved;
    try {
      result = this.resolveExpr(expr, at, 0);
    } finally {
      this.reads = outer;
    }
    if (outer) for (const r of reads) outer.add(r);
    this.memo.set(expr, { at, result, reads: [...reads] });
    return result;
  }

  private resolveExpr(expr: ExprRef, at: number, depth: number): Resolved {
    switch (expr.kind) {
      case 'await':
        return this.resolve(expr.of, at, depth + 1);
      case 'call':
      case 'new': {
        // The value a call gives: the callee's return type, or an instance of a class.
        const callee = this.resolvePath(expr.path ?? [], expr.receiver, at, depth);
        return this.resultOf(callee, expr.kind === 'new');
      }
      case 'name':
        return this.resolvePath(expr.path ?? [], expr.receiver, at, depth);
      default:
        return UNKNOWN;
    }
  }

  /** What a call of a resolved callee runs: calling an instance whose type is callable (a p-limit or async-sema limiter) runs its call member. */
  invoked(callee: Resolved): Resolved {
    if (callee.kind !== 'value') return callee;
    const m = this.models.member(callee.type, '__call__');
    return m ? { kind: 'library', qname: `${m.type}.__call__`, row: m.row, via: callee.via } : callee;
  }

  /** What calling something gives. */
  resultOf(callee: Resolved, isNew = false): Resolved {
    switch (callee.kind) {
      case 'library':
        return callee.row.returns ? { kind: 'value', type: callee.row.returns, via: callee.via } : UNKNOWN;
      case 'value': {
        // Calling an instance: `SessionLocal()` on a sessionmaker.
        const m = this.models.member(callee.type, '__call__');
        return m?.row.returns ? { kind: 'value', type: m.row.returns, via: callee.via } : UNKNOWN;
      }
      case 'class':
        return { ...callee, instance: true };
      case 'import':
        return isNew || /^[A-Z]/.test(callee.rest[callee.rest.length - 1] ?? callee.name ?? '') ? { ...callee, instance: true } : UNKNOWN;
      default:
        return UNKNOWN;
    }
  }

  private resolvePath(path: string[], receiver: ExprRef | undefined, at: number, depth: number): Resolved {
    let current: Resolved;
    let rest: string[];
    if (receiver) {
      current = this.resolve(receiver, at, depth + 1);
      rest = path;
    } else {
      if (path.length === 0) return UNKNOWN;
      current = this.resolveRoot(path[0], at, depth);
      rest = path.slice(1);
      if (current.kind === 'unknown') {
        // A root no import explains, named like a package (`pg.query` with pg a global or injected).
        const module = this.models.conventions.find((c) => c.module && c.pattern.test(path[0]) && (!c.requiresPackage || this.usesLibrary(c.lib.name)));
        if (!module) return this.byConvention(path);
        current = this.libraryName(module.module!, 'convention');
      }
    }
    for (let i = 0; i < rest.length; i++) {
      const next = this.member(current, rest[i], at, depth);
      // `self.session.execute` with `session` set by a base class elsewhere: its name may say what it holds.
      if (next.kind === 'import' && next.via === 'inherited' && i < rest.length - 1) {
        const named = this.byConvention(rest.slice(i));
        if (named.kind !== 'unknown') return named;
      }
      if (next.kind === 'unknown') {
        // `self.session.execute`: the attribute's name may say what it holds.
        return i < rest.length - 1 || current.kind !== 'value' ? this.byConvention(rest.slice(i)) : UNKNOWN;
      }
      current = next;
    }
    // `db.session.query` with `db` imported from the project's own module (its binding is in another
    // file): the attribute's name may say what it holds, as for `self.session`. Not a class's
    // attribute (`Segment.objects`): what a class holds is the class's, which the program resolves.
    if (current.kind === 'import' && !current.instance && current.name !== undefined && /^[a-z_]/.test(current.name) && current.rest.length >= 2) {
      const named = this.byConvention(current.rest);
      if (named.kind !== 'unknown') return named;
    }
    return current;
  }

  /** A receiver named like what a library's values usually are (`session`, `db`), in a file that uses the library. */
  private byConvention(path: string[]): Resolved {
    if (path.length < 2) return UNKNOWN;
    const name = path[path.length - 2];
    for (const c of this.models.conventions) {
      if (!c.type || !c.pattern.test(name)) continue;
      if (c.requiresPackage && !this.usesLibrary(c.lib.name)) continue;
      const m = this.models.member(c.type, path[path.length - 1]);
      if (m) return { kind: 'library', qname: `${m.type}.${path[path.length - 1]}`, row: m.row, type: m.row.returns, via: 'convention' };
    }
    return UNKNOWN;
  }

  private resolveRoot(name: string, at: number, depth: number): Resolved {
    // Parameters and locals of the enclosing functions, innermost first.
    for (let fi = this.functionAt(at); fi !== undefined; fi = this.model.functions[fi].parent) {
      const fn = this.model.functions[fi];
      const local = lastBinding(fn.locals, name, at);
      if (local?.value?.kind === 'literal' && local.value.literal === 'function') {
        // A function bound to a local name (`const walk = async () => …`): that function.
        const inner = modelIndex(this.model).functionBySpan.get(`${local.value.start}:${local.value.end}`);
        if (inner !== undefined) return { kind: 'function', fn: inner, via: 'local' };
      }
      if (local) return this.resolveBinding(local, at, depth);
      const param = fn.params.find((p) => p.name === name);
      if (param) {
        if (param.type) {
          const t = this.resolveType(param.type, at, depth + 1);
          if (t.kind !== 'unknown') return t;
        }
        // `db: Session = Depends(get_db)` in FastAPI: the dependency's result (resolved by the program).
        const isSelf = fn.params[0] === param && (fn.className !== undefined) && (this.model.language !== 'typescript');
        if (isSelf) return { kind: 'class', name: fn.className!, instance: true, via: 'local' };
        return UNKNOWN;
      }
    }
    if (name === 'this') {
      const fi = this.functionAt(at);
      const cls = fi === undefined ? undefined : this.classOf(this.model.functions[fi]);
      return cls ? { kind: 'class', name: cls, instance: true, via: 'local' } : UNKNOWN;
    }
    // A name a convention reads by (`session.execute`) depends on the file's imports too.
    this.reads?.add('imports');
    // Module scope: bindings, functions, classes, imports.
    this.reads?.add(`n:${name}`);
    const index = modelIndex(this.model);
    const binding = lastBinding(index.bindingsByName.get(name) ?? [], name, Infinity);
    if (binding?.value?.kind === 'literal' && binding.value.literal === 'function') {
      const fnIndex = index.functionBySpan.get(`${binding.value.start}:${binding.value.end}`);
      if (fnIndex !== undefined) return { kind: 'function', fn: fnIndex, via: 'local' };
    }
    if (binding) return this.resolveBinding(binding, at, depth);
    const fnIndex = (index.topFunctions.get(name) ?? []).find((k) => !this.model.functions[k].anonymous);
    if (fnIndex !== undefined) return { kind: 'function', fn: fnIndex, via: 'local' };
    if (index.classesByName.has(name)) return { kind: 'class', name, instance: false, via: 'local' };
    const imported = this.resolveImport(name);
    // Go: a name no file-level declaration explains is declared in another file of the package,
    // unless it is named like a package the models know (`rate.NewLimiter` with the import unseen).
    if (imported.kind === 'unknown' && this.model.language === 'go' && !GO_BUILTINS.has(name)) {
      const module = this.models.conventions.find((c) => c.module && c.pattern.test(name));
      if (module) return this.libraryName(module.module!, 'convention');
      return { kind: 'import', module: '.', name, rest: [], via: 'local' };
    }
    return imported;
  }

  /** The class a method (or a callback inside one) belongs to. */
  private classOf(fn: FunctionModel): string | undefined {
    for (let f: FunctionModel | undefined = fn; f; f = f.parent === undefined ? undefined : this.model.functions[f.parent]) if (f.className) return f.className;
    return undefined;
  }

  private resolveImport(name: string): Resolved {
    const imp = modelIndex(this.model).importsByLocal.get(name)?.[0];
    if (!imp) return UNKNOWN;
    const module = normaliseModule(this.model.language, imp.module);
    const lib = this.local(module) ? undefined : this.models.libraryOfModule(module);
    if (!lib) return { kind: 'import', module: imp.module, name: imp.name, rest: [], via: 'import' };
    const qname = imp.name ? `${module}.${imp.name}` : module;
    return this.libraryName(qname, 'import');
  }

  /** A qualified name of a library: a symbol, a type (a class used as a value), or a module prefix. */
  private libraryName(qname: string, via: Via): Resolved {
    const sym = this.models.symbol(qname);
    if (sym) return { kind: 'library', qname: sym.row.name, row: sym.row, via };
    return { kind: 'library', qname, row: { name: qname }, via };
  }

  private member(of: Resolved, name: string, at: number, depth: number): Resolved {
    switch (of.kind) {
      case 'library': {
        // Still a module path or a class (`sqlalchemy.orm.Session`, `pg.Pool`): extend the name.
        if (!of.row.returns && !of.type) return this.libraryName(`${of.qname}.${name}`, of.via);
        return this.member({ kind: 'value', type: of.type ?? of.row.returns!, via: of.via }, name, at, depth);
      }
      case 'value': {
        const m = this.models.member(of.type, name);
        if (!m) return UNKNOWN;
        return { kind: 'library', qname: `${m.type}.${name}`, row: m.row, type: m.row.call === false || m.row.name === '*' ? m.row.returns : undefined, via: of.via };
      }
      case 'class': {
        this.reads?.add(`c:${of.name}`);
        const cls = modelIndex(this.model).classesByName.get(of.name)?.[0];
        if (of.instance) {
          const field = cls && lastBinding(cls.fields, name, Infinity);
          if (field) return this.resolveBinding(field, at, depth);
        }
        const method = modelIndex(this.model).methods.get(`${of.name}\0${name}`)?.[0];
        if (method !== undefined) return { kind: 'function', fn: method, via: 'local' };
        // Go: the type's other methods may be declared in another file of its package.
        if (this.model.language === 'go' && !cls?.fields.some((f) => f.name === name)) return { kind: 'import', module: '.', name: of.name, rest: [name], instance: true, via: 'local' };
        // Inherited from a library base class (a PrismaService extending PrismaClient), or from one
        // of the project's: of this file (its methods are here), or imported (the program looks there).
        for (const base of cls?.bases ?? []) {
          if (depth > MAX_DEPTH) break;
          const b = this.resolvePath(base, undefined, at, depth + 1);
          if (b.kind === 'library') {
            const inherited = this.member({ kind: 'value', type: b.qname, via: b.via }, name, at, depth);
            if (inherited.kind !== 'unknown') return inherited;
          } else if (b.kind === 'class' && b.name !== of.name) {
            const inherited = this.member({ ...b, instance: of.instance }, name, at, depth + 1);
            if (inherited.kind !== 'unknown') return inherited;
          } else if (b.kind === 'import' && b.module !== undefined && !cls?.fields.some((f) => f.name === name)) {
            return { kind: 'import', module: b.module, name: b.name, rest: [...b.rest, name], instance: true, via: 'inherited' };
          }
        }
        return UNKNOWN;
      }
      case 'import': {
        if (this.goPackage && of.module === '.' && of.instance && of.name && of.rest.length === 0) {
          const field = this.packageField(of.name, name, depth);
          if (field.kind !== 'unknown') return field;
        }
        return this.conventionMember({ ...of, rest: [...of.rest, name] });
      }
      default:
        return UNKNOWN;
    }
  }

  /**
   * A member of the project's class that stands for a library's client by the models' conventions
   * (`this.prisma.user.findMany` where `prisma: PrismaService`, a class extending PrismaClient in
   * another file): the library type's member. Otherwise the import, as it is.
   */
  private conventionMember(r: Extract<Resolved, { kind: 'import' }>): Resolved {
    if (!r.name) return r;
    // A value the project exports (`import { supabase } from '../db'`) was made where its library
    // is imported: the file's package reaching the library is what says it may be one.
    const value = !r.instance && /^[a-z_$]/.test(r.name) && r.rest.length > 0;
    if (!r.instance && !value) return r;
    const c = this.models.conventions.find(
      (k) => k.type && k.pattern.test(r.name!) && (value ? this.reaches(k.lib.name) : !k.requiresPackage || this.usesLibrary(k.lib.name)),
    );
    if (!c?.type) return r;
    let type: string | undefined = c.type;
    for (let i = 0; type && i < r.rest.length; i++) {
      const m = this.models.member(type, r.rest[i]);
      if (!m) return r;
      if (i === r.rest.length - 1) return { kind: 'library', qname: `${m.type}.${r.rest[i]}`, row: m.row, type: m.row.call === false ? m.row.returns : undefined, via: 'convention' };
      type = m.row.returns;
    }
    return r;
  }

  /** What a binding holds, resolved where it was made (a field set in `__init__` from its parameter). */
  private resolveBinding(b: ValueBinding, _at: number, depth: number): Resolved {
    if (b.type) {
      const t = this.resolveType(b.type, b.start, depth + 1);
      if (t.kind !== 'unknown') return t;
    }
    if (!b.value) return UNKNOWN;
    const r = this.resolve(b.value, b.start, depth + 1);
    if (r.kind === 'library' && b.value.kind === 'name' && r.row.returns === undefined && r.type === undefined) return r;
    if (r.kind === 'library' && r.type) return { kind: 'value', type: r.type, via: 'binding' };
    return r.kind === 'value' && r.via === 'import' ? { ...r, via: 'binding' } : r;
  }

  /** A declared type as written (`AsyncSession`, `*sql.DB`, `Optional[Session]`, `Repository<User>`). */
  resolveType(written: string, at: number, depth = 0): Resolved {
    const core = typeCore(written);
    if (!core || depth > MAX_DEPTH) return UNKNOWN;
    const parts = core.split('.');
    // Go: `pkg.Type` names an imported package; without the import, nothing is known of it.
    if (this.model.language === 'go' && parts.length > 1 && !modelIndex(this.model).importsByLocal.has(parts[0])) return UNKNOWN;
    const root = this.resolveRoot(parts[0], at, depth + 1);
    let r: Resolved = root;
    for (const p of parts.slice(1)) r = r.kind === 'library' ? this.libraryName(`${r.qname}.${p}`, 'annotation') : r.kind === 'import' ? { ...r, rest: [...r.rest, p] } : UNKNOWN;
    if (r.kind === 'library') return { kind: 'value', type: this.models.symbol(r.qname)?.row.returns ?? r.qname, via: 'annotation' };
    if (r.kind === 'class') return { ...r, instance: true, via: 'annotation' };
    if (r.kind === 'import') return { ...r, instance: true, via: 'annotation' };
    return UNKNOWN;
  }
}

/** The binding of a name in effect at an offset: the last one before it. */
function lastBinding(list: readonly ValueBinding[], name: string, before: number): ValueBinding | undefined {
  let found: ValueBinding | undefined;
  for (const b of list) if (b.name === name && b.start <= before) found = b;
  return found;
}

/** The named type inside a written type: `Optional[AsyncSession]`, `*sql.DB`, `Repository<User>`, `AsyncSession | None`. */
export function typeCore(written: string): string | undefined {
  let t = written.trim().replace(/^\*+|^&/, '').replace(/^\[\]\*?/, '');
  const optional = /^(?:typing\.)?(?:Optional|Annotated)\[([^,\]]+)/.exec(t);
  if (optional) t = optional[1];
  t = t.split('|').map((s) => s.trim()).find((s) => s !== 'None' && s !== 'null' && s !== 'undefined') ?? t;
  t = t.replace(/[<[].*$/, '').replace(/^\*/, '').trim();
  return /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(t) ? t : undefined;
}
