import type { SyntaxNode } from 'tree-sitter';
import type { QueryLanguage } from '../engine/languages';
import type { CallSite, ClassModel, ExprRef, FileModel, FunctionModel } from './file-model';
import { models as shippedModels, type LanguageModels, type Models } from './library';
import { Resolver, type Resolved } from './resolve';
import { fileRole, functionRoles, type FileRoleResult, type FunctionRoleResult } from './roles';
import { pyExpr } from './bind-python';
import { goExpr } from './bind-go';
import { tsExpr } from './bind-typescript';
import { bindTree } from './bind';

/**
 * What rules and predicates know of the file a match is in: its model, names resolved, its role
 * and its functions' roles. One per analysis of a file.
 */
export class FileContext {
  readonly resolver: Resolver;
  readonly lang: LanguageModels;
  readonly role: FileRoleResult;
  readonly fnRoles: Map<number, FunctionRoleResult>;
  private readonly byEnd = new Map<number, number[]>();

  constructor(
    readonly language: QueryLanguage,
    readonly model: FileModel,
    text: string,
    relPath: string | undefined,
    readonly models: Models = shippedModels(),
  ) {
    this.lang = models.of(language);
    this.resolver = new Resolver(model, this.lang);
    this.role = fileRole(relPath, text, model, models);
    this.fnRoles = functionRoles(model, this.lang, this.resolver);
    model.functions.forEach((f, i) => {
      const list = this.byEnd.get(f.end) ?? [];
      list.push(i);
      this.byEnd.set(f.end, list);
    });
  }

  /** The model's function for a function node of the tree. */
  functionOf(node: SyntaxNode): number | undefined {
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
    if (i === undefined) return undefined;
    this.reads?.add(`r:${this.model.functions[i].qualifiedName}`);
    return this.fnRoles.get(i);
  }

  private reads: Set<string> | undefined;

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
    const m = this.model;
    const kind = key.slice(0, 2);
    const name = key.slice(2);
    const expr = (e: ExprRef | undefined): unknown => e && [e.kind, e.path, e.keywords, e.literal, expr(e.receiver), expr(e.of)];
    const fnSig = (f: FunctionModel) => [f.qualifiedName, f.isAsync, f.params.map((p) => [p.name, p.type, expr(p.default)]), f.decorators.map((d) => expr(d.expr))];
    const classSig = (c: ClassModel) => [
      c.name,
      c.bases,
      c.fields.map((f) => [f.name, f.type, expr(f.value)]),
      c.decorators.map((d) => expr(d.expr)),
      m.functions.filter((f) => f.className === c.name).map(fnSig),
    ];
    switch (kind) {
      case 'n:':
        return JSON.stringify([
          m.imports.filter((i) => i.local === name).map((i) => [i.module, i.name]),
          m.bindings.filter((b) => b.name === name).map((b) => [b.type, expr(b.value)]),
          m.functions.filter((f) => f.name === name && f.parent === undefined && f.className === undefined).map(fnSig),
          m.classes.filter((c) => c.name === name).map(classSig),
        ]);
      case 'c:':
        return JSON.stringify(m.classes.filter((c) => c.name === name).map(classSig));
      case 'r:': {
        const roles = m.functions.map((f, i) => (f.qualifiedName === name ? this.fnRoles.get(i)?.role ?? '-' : undefined)).filter(Boolean);
        return roles.join(',');
      }
      default:
        return key === 'imports' ? JSON.stringify(m.imports.map((i) => [i.local, i.module, i.name])) : '';
    }
  }

  /** What an expression node (a callee, a receiver, a value) is. */
  resolve(node: SyntaxNode): Resolved {
    const expr = exprOf(this.language, node);
    return expr ? this.resolver.resolve(expr, node.startIndex) : { kind: 'unknown' };
  }

  /** The model's call site of a call node. */
  callAt(call: SyntaxNode): (CallSite & { fn: number }) | undefined {
    if (!this.callsByStart) {
      this.callsByStart = new Map();
      for (const c of this.model.calls) this.callsByStart.set(c.start, [...(this.callsByStart.get(c.start) ?? []), c]);
    }
    return this.callsByStart.get(call.startIndex)?.find((c) => c.end === call.endIndex);
  }

  private callsByStart: Map<number, (CallSite & { fn: number })[]> | undefined;

  /** What the function of a call node is (its callee). */
  resolveCallee(call: SyntaxNode): Resolved {
    const callee = call.childForFieldName('function') ?? call.childForFieldName('constructor');
    return callee ? this.resolve(callee) : { kind: 'unknown' };
  }
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
export function fileContextOf(root: SyntaxNode, language: QueryLanguage, text: string, relPath?: string): FileContext {
  return new FileContext(language, bindTree(root, language), text, relPath);
}
