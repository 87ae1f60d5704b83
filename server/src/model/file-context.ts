import { modelIndex } from './model-index';
import type { SyntaxNode } from 'tree-sitter';
import type { QueryLanguage } from '../engine/languages';
import type { CallSite, ClassModel, ExprRef, FileModel, FunctionModel } from './file-model';
import { models as shippedModels, type LanguageModels, type Models } from './library';
import { Resolver, type Resolved } from './resolve';
import { fileRole, FunctionRoles, type FileRoleResult, type FunctionRoleResult } from './roles';
import { pyExpr } from './bind-python';
import { goExpr } from './bind-go';
import { tsExpr } from './bind-typescript';
import { bindTree } from './bind';
import { isWorkspacePackage, type PackageManifest } from '../engine/package-manifest';
import type { GoPackageTypes } from './go-package';
import { pushTo } from '../engine/multimap';

/**
 * What rules and predicates know of the file a match is in: its model, names resolved, its role
 * and its functions' roles. One per analysis of a file.
 */
export class FileContext {
  readonly resolver: Resolver;
  readonly lang: LanguageModels;
  readonly role: FileRoleResult;
  readonly fnRoles: FunctionRoles;
  /** Functions by where they end, made when first asked (a keystroke's analysis may not ask). */
  private byEnd: Map<number, number[]> | undefined;

  constructor(
    readonly language: QueryLanguage,
    readonly model: FileModel,
    text: string,
    relPath: string | undefined,
    readonly models: Models = shippedModels(),
    private readonly manifest?: PackageManifest,
    private readonly goPackage?: GoPackageTypes,
  ) {
    this.lang = models.of(language);
    this.resolver = new Resolver(
      model,
      this.lang,
      goPackage,
      (lib) => !!this.manifest?.reachable && this.mayUseLibrary(lib),
      (module) => isWorkspacePackage(module, this.manifest),
    );
    this.role = fileRole(relPath, text, model, models, manifest);
    this.fnRoles = new FunctionRoles(model, this.lang, this.resolver, relPath);
  }

  /** The model's function for a function node of the tree. */
  functionOf(node: SyntaxNode): number | undefined {
    if (!this.byEnd) {
      this.byEnd = new Map();
      this.model.functions.forEach((f, i) => pushTo(this.byEnd!, f.end, i));
    }
    const list = this.byEnd.get(node.endIndex);
    if (!list) return undefined;
    return list.find((i) => {
      const f = this.model.functions[i];
      return f.start <= node.startIndex && node.startIndex <= f.nameStart + 1;
    }) ?? list[0];
  }

  fn(i: number): FunctionModel {
    return this.model.functions[i];
  }

  /** The framework role of a function node (a route, a middleware, a job, startup code), if the models give it one. */
  roleOf(fnNode: SyntaxNode): FunctionRoleResult | undefined {
    const i = this.functionOf(fnNode);
    return i === undefined ? undefined : this.roleAt(i);
  }

  /** The framework role of the model's function `i`; a read (a registration elsewhere in the file can give it). */
  roleAt(i: number): FunctionRoleResult | undefined {
    // What the function's own markers read is recorded as they resolve; the libraries they need
    // come from the imports; what gives it a role from elsewhere in the file is the `r:` read.
    this.reads?.add('imports');
    this.reads?.add(`r:${this.model.functions[i].qualifiedName}`);
    return this.fnRoles.get(i);
  }

  private reads: Set<string> | undefined;
  private libraries: Set<string> | undefined;

  /**
   * Whether the file imports a module of the library (import statements, `require`s, import roots).
   * A read of the file's imports: a cached unit that asked is analysed again when they change.
   */
  usesLibrary(library: string): boolean {
    this.reads?.add('imports');
    if (!this.libraries) {
      this.libraries = new Set();
      for (const m of [...this.model.hints.importRoots, ...this.model.imports.map((i) => i.module)]) {
        const lib = this.lang.libraryOfModule(m);
        if (lib) this.libraries.add(lib.name);
      }
    }
    return this.libraries.has(library);
  }

  /**
   * Whether code of the file may be handed the library's values without importing it (a model class
   * imported from the project's own module): the file imports it, or its package can reach one of
   * the library's packages (package.json, through workspace packages). Without a manifest, or past
   * a local path dependency, any library may be reached.
   */
  mayUseLibrary(library: string): boolean {
    if (this.usesLibrary(library)) return true;
    const reachable = this.manifest?.reachable;
    if (!reachable) return true;
    // The libraries of a package's dependencies, worked out once per analysis (every imported value named like a client asks).
    this.reachedLibraries ??= new Set(reachable.flatMap((d) => this.lang.libraryOfModule(d)?.name ?? []));
    return this.reachedLibraries.has(library);
  }

  private reachedLibraries: Set<string> | undefined;

  /** The file's imports, as a read (see usesLibrary). */
  imports(): FileModel['imports'] {
    this.reads?.add('imports');
    return this.model.imports;
  }

  /**
   * Records what rules read of the file outside their own unit (module-scope names, classes,
   * functions' roles) until called again with undefined: a cached unit is reused after an edit
   * elsewhere only while everything it read is the same (see signature).
   */
  track(reads: Set<string> | undefined): void {
    this.reads = reads;
    this.resolver.reads = reads;
  }

  /** What a read (`n:name`, `c:Class`, `r:qualified.name`, `imports`) sees now, as a string to compare. */
  signature(key: string): string {
    // Every cached unit's reads are checked against the same file: each key is computed once.
    let sig = this.signatures.get(key);
    if (sig === undefined) {
      sig = this.computeSignature(key);
      this.signatures.set(key, sig);
    }
    return sig;
  }

  private readonly signatures = new Map<string, string>();

  private computeSignature(key: string): string {
    const m = this.model;
    const ix = modelIndex(m);
    const kind = key.slice(0, 2);
    const name = key.slice(2);
    const expr = (e: ExprRef | undefined): unknown => e && [e.kind, e.path, e.keywords, e.literal, expr(e.receiver), expr(e.of)];
    const fnSig = (f: FunctionModel) => [f.qualifiedName, f.isAsync, f.params.map((p) => [p.name, p.type, expr(p.default)]), f.decorators.map((d) => expr(d.expr))];
    const classSig = (c: ClassModel) => [
      c.name,
      c.bases,
      c.fields.map((f) => [f.name, f.type, expr(f.value)]),
      c.decorators.map((d) => expr(d.expr)),
      (ix.functionsOfClass.get(c.name) ?? []).map((k) => fnSig(m.functions[k])),
    ];
    switch (kind) {
      case 'n:':
        return JSON.stringify([
          (ix.importsByLocal.get(name) ?? []).map((i) => [i.module, i.name]),
          (ix.bindingsByName.get(name) ?? []).map((b) => [b.type, expr(b.value)]),
          (ix.topFunctions.get(name) ?? []).map((k) => fnSig(m.functions[k])),
          (ix.classesByName.get(name) ?? []).map(classSig),
        ]);
      case 'c:':
        return JSON.stringify((ix.classesByName.get(name) ?? []).map(classSig));
      case 'g:': {
        const decl = this.goPackage?.struct(name);
        return JSON.stringify(decl ? [decl.cls.fields.map((f) => [f.name, f.type]), decl.model.imports.map((i) => [i.local, i.module])] : null);
      }
      case 'r:': {
        return this.fnRoles.registeredByName(name.slice(name.lastIndexOf('.') + 1));
      }
      default:
        return key === 'imports' ? JSON.stringify([m.imports.map((i) => [i.local, i.module, i.name]), m.hints.importRoots]) : '';
    }
  }

  /** What an expression node (a callee, a receiver, a value) is. */
  resolve(node: SyntaxNode): Resolved {
    const expr = exprOf(this.language, node);
    return expr ? this.resolver.resolve(expr, node.startIndex) : { kind: 'unknown' };
  }

  /** The model's call site of a call node. */
  callAt(call: SyntaxNode): (CallSite & { fn: number }) | undefined {
    return this.callSpanning(call.startIndex, call.endIndex);
  }

  /** The model's call site that spans exactly these offsets. */
  callSpanning(start: number, end: number): (CallSite & { fn: number }) | undefined {
    if (!this.callsByStart) {
      this.callsByStart = new Map();
      for (const c of this.model.calls) pushTo(this.callsByStart, c.start, c);
    }
    return this.callsByStart.get(start)?.find((c) => c.end === end);
  }

  private callsByStart: Map<number, (CallSite & { fn: number })[]> | undefined;

  /** What the function of a call node is (its callee); for a function handed over by name (`items.map(present)`), that function. */
  resolveCallee(call: SyntaxNode): Resolved {
    if (isReference(call)) return this.resolve(call);
    const callee = call.childForFieldName('function') ?? call.childForFieldName('constructor');
    return callee ? this.resolve(callee) : { kind: 'unknown' };
  }
}

/** Nodes that name a function without calling it (`items.map(present)`, `map(refresh, users)`). */
const REFERENCES = new Set(['identifier', 'member_expression', 'attribute', 'selector_expression']);

export function isReference(node: SyntaxNode): boolean {
  return REFERENCES.has(node.type);
}

export function exprOf(language: QueryLanguage, node: SyntaxNode) {
  switch (language) {
    case 'python':
      return pyExpr(node);
    case 'go':
      return goExpr(node);
    case 'typescript':
      return tsExpr(node);
  }
}

/** A file's context built from its tree alone (fixes computed without the analysis at hand, tests). */
export function fileContextOf(root: SyntaxNode, language: QueryLanguage, text: string, relPath?: string, manifest?: PackageManifest): FileContext {
  return new FileContext(language, bindTree(root, language), text, relPath, shippedModels(), manifest);
}
