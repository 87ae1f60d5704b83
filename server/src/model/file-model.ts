import type { QueryLanguage } from '../engine/languages';

/**
 * The semantic model of one file: what it imports, what it defines, what each function calls.
 * Built by one walk per top-level unit (see bind.ts), cached with the unit, and merged per file.
 * Offsets are UTF-16 offsets into the file's text. Plain data: it crosses worker threads and is
 * what the workspace joins (summaries, roles, calls through other files) are computed from.
 */

/** A name bound by an import. */
export interface ImportBinding {
  /** The name bound in this file: `sa` (import sqlalchemy as sa), `AsyncIOMotorClient`, `fs` (import * as fs), a Go package's name. */
  local: string;
  /** The module as written: `sqlalchemy`, `.db`, `..repo.users`, `./users`, `@/lib/db`, `github.com/jmoiron/sqlx`. */
  module: string;
  /** The member imported; undefined when `local` names the module itself. `default` for a default import. */
  name?: string;
  start: number;
  end: number;
}

/** An expression reduced to what resolution needs: a path of names, where it starts and how. */
export interface ExprRef {
  /**
   * `name`: a path of names (`db.users.find` → ['db','users','find']); `call`: the result of a call
   * (`AsyncIOMotorClient(url)` → path of the callee, `args` its arguments); `new`: a constructor
   * (TypeScript `new Pool()`); `await`: awaits `of`; `literal`: a literal collection or value
   * (`kind` says which); `other`: anything else.
   */
  kind: 'name' | 'call' | 'new' | 'await' | 'literal' | 'other';
  path?: string[];
  /** For `call`/`new` on a chain that starts at another call (`a().b()`): that call. */
  receiver?: ExprRef;
  of?: ExprRef;
  literal?: 'list' | 'dict' | 'set' | 'string' | 'number' | 'none' | 'bool' | 'object' | 'function' | 'regex';
  /** For a string literal: its text (the first 200 characters). */
  value?: string;
  /** For `call`/`new`: keyword arguments (Python) or option-object properties (TypeScript) that are given, by name. */
  keywords?: string[];
  /** For `other`: the operands of a `+`, `??` or `||` (TypeScript), which a value may be put together from (`__dirname + '/a.html'`). */
  parts?: ExprRef[];
  start: number;
  end: number;
}

/** A name bound to a value: a module-level variable, a local, `self.x = …` in `__init__`, a class field. */
export interface ValueBinding {
  name: string;
  value?: ExprRef;
  /** A declared type, as written (an annotation, a Go type, a TypeScript type), resolved later. */
  type?: string;
  start: number;
  end: number;
}

export interface Param {
  name: string;
  /** Declared type as written: `AsyncSession`, `*sql.DB`, `Repository<User>`. */
  type?: string;
  /** The default value (Python `db: Session = Depends(get_db)`). */
  default?: ExprRef;
}

/** A call site inside a function (or at module level: fn = -1). */
export interface CallSite {
  start: number;
  end: number;
  /** What is called, as a name path (with the call it starts from, for chains). */
  callee: ExprRef;
  /** A constructor call (`new Pool()`, a Go composite literal is no call). */
  isNew?: boolean;
  /** The call is awaited (`await f()`), or its result is (`await f().x` counts as not). */
  awaited: boolean;
  /** The call starts a task the caller does not wait for (Go `go notify(...)`). */
  spawned?: boolean;
  /** Innermost loop of the same function around the call (index into FileModel.loops), if any. */
  loop?: number;
  /** Positional arguments, reduced (what a registration or Depends() passes). */
  args: ExprRef[];
  keywords: string[];
  /** Keyword arguments whose value is a name (Python `view_func=signup`): what a registration may pass by keyword. */
  named?: { name: string; value: ExprRef }[];
}

/** Every argument of a call that names something: the positional ones, then the keywords' values. */
export function argumentValues(c: CallSite): ExprRef[] {
  return c.named ? [...c.args, ...c.named.map((n) => n.value)] : c.args;
}

/** What a decorator applies as a name (`@audit`, or the factory `audit` of `@audit("x")`): the callee to resolve. */
export function decoratorCallee(expr: ExprRef): ExprRef {
  return expr.kind === 'call' ? { kind: 'name', path: expr.path, receiver: expr.receiver, start: expr.start, end: expr.end } : expr;
}

export interface Decorator {
  /** The decorator's expression: a name path or a call. */
  expr: ExprRef;
  start: number;
  end: number;
}

export interface FunctionModel {
  name: string;
  /** `Class.method`, `Type.Method` (Go receiver), `outer.inner`, `func`. */
  qualifiedName: string;
  /** The class (Python, TypeScript) or receiver type (Go) a method belongs to. */
  className?: string;
  /** Index of the enclosing function, for nested functions and callbacks. */
  parent?: number;
  isAsync: boolean;
  /** A method or function defined by assignment or inline (a callback): anonymous ones have name ''. */
  anonymous: boolean;
  /** Exported to other modules (Go capitalised, TypeScript `export`, Python: not underscored). */
  exported: boolean;
  start: number;
  end: number;
  /** The name's span, or the function's first line: where a finding about the function is shown. */
  nameStart: number;
  nameEnd: number;
  params: Param[];
  decorators: Decorator[];
  /** Local bindings in order (assignments, Go `:=`), for resolving names inside the function. */
  locals: ValueBinding[];
  /** TypeScript: the function is passed as an argument to a call (a callback): that call's index in `calls`. */
  passedTo?: number;
  /** Go: the declared result types, as written. */
  results?: string[];
  /**
   * Values the function checks against a bound in a condition (`if limit > MAX`, `1 <= n <= 100`),
   * as written: what clamps a request's page size here (see unbounded-page-size).
   */
  bounded?: string[];
}

export interface ClassModel {
  name: string;
  start: number;
  end: number;
  /** Base classes (Python, TypeScript extends/implements) or embedded types (Go), as name paths. */
  bases: string[][];
  decorators: Decorator[];
  /** Fields with declared types (Go struct fields, TypeScript properties and constructor parameters, Python class annotations and `self.x = …`). */
  fields: ValueBinding[];
  exported: boolean;
}

export interface LoopModel {
  start: number;
  end: number;
  /** The function it is in (index), or -1 at module level. */
  fn: number;
  /** What it iterates, when it iterates something (`for u in users`, `range items`, `for (const x of xs)`, `xs.forEach`). */
  iterable?: ExprRef;
  /** Names bound per item (the loop variable). */
  variables: string[];
}

/** What a file's own text says about its role (the folder says the rest; see roles.ts). */
export interface FileHints {
  /** Imported module roots. */
  importRoots: string[];
  /** Python `if __name__ == "__main__":`, Go `package main` with `func main()`. */
  mainGuard: boolean;
  /** Go package name. */
  goPackage?: string;
  /** A directive at the top (`"use client"`). */
  directives: string[];
  /** Browser globals used (`document`, `window`). */
  browserGlobals: string[];
  /** TypeScript/JavaScript: the file renders JSX (a UI component). */
  jsx?: boolean;
}

export interface FileModel {
  language: QueryLanguage;
  imports: ImportBinding[];
  /** Names the module exports by re-exporting (`export { a } from './x'`, Python `from .x import a` in __init__, `export * from`). */
  reexports: { name: string; module: string; as: string }[];
  functions: FunctionModel[];
  classes: ClassModel[];
  /** Module-level bindings (package-level in Go). */
  bindings: ValueBinding[];
  calls: (CallSite & { fn: number })[];
  loops: LoopModel[];
  hints: FileHints;
}

export function emptyFileModel(language: QueryLanguage): FileModel {
  return {
    language,
    imports: [],
    reexports: [],
    functions: [],
    classes: [],
    bindings: [],
    calls: [],
    loops: [],
    hints: { importRoots: [], mainGuard: false, directives: [], browserGlobals: [] },
  };
}
