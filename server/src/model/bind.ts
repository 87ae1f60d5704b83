import type { SyntaxNode } from 'tree-sitter';
import type { QueryLanguage } from '../engine/languages';
import type { Binder } from './binder';
import { GoBinder } from './bind-go';
import { PythonBinder } from './bind-python';
import { TypeScriptBinder } from './bind-typescript';
import { emptyFileModel, type Decorator, type ExprRef, type FileModel, type ValueBinding } from './file-model';

function binderFor(language: QueryLanguage): Binder {
  switch (language) {
    case 'python':
      return new PythonBinder();
    case 'go':
      return new GoBinder();
    case 'typescript':
      return new TypeScriptBinder();
  }
}

/** The model of one top-level unit (absolute offsets of the tree it was bound from). */
export function bindUnit(unit: SyntaxNode, language: QueryLanguage, context?: FileModel['hints']): FileModel {
  const b = binderFor(language);
  // Go methods are named by their package; a unit's binder needs the file's package clause.
  if (context?.goPackage) b.model.hints.goPackage = context.goPackage;
  b.bindUnit(unit);
  return b.model;
}

/**
 * One model for a file's units bound one after another by one binder: what a fresh analysis (no
 * unit cache) needs, without a model per unit to copy into the file's (see mergeUnitModels, the
 * editor's path; the fuzzer checks that both give the same findings).
 */
export class WholeFileBinder {
  private readonly binder: Binder;

  constructor(language: QueryLanguage) {
    this.binder = binderFor(language);
  }

  bind(unit: SyntaxNode): void {
    this.binder.bindUnit(unit);
  }

  get model(): FileModel {
    return this.binder.model;
  }
}

/** The model of a whole tree, unit by unit (the tests' and one-off callers' entry). */
export function bindTree(root: SyntaxNode, language: QueryLanguage): FileModel {
  const parts: { model: FileModel; delta: number }[] = [];
  let hints: FileModel['hints'] | undefined;
  for (const unit of root.namedChildren) {
    const model = bindUnit(unit, language, hints);
    hints ??= model.hints.goPackage ? model.hints : undefined;
    parts.push({ model, delta: 0 });
  }
  return mergeUnitModels(language, parts);
}

/*
 * A unit's model moved by `delta` (a cached unit reused at another position). Typed copies, not a
 * generic deep copy: every keystroke moves every unit after it, and reflection over each object's
 * keys cost most of the merge.
 */
function shiftExpr(e: ExprRef, d: number): ExprRef {
  const out: ExprRef = { ...e, start: e.start + d, end: e.end + d };
  if (e.receiver) out.receiver = shiftExpr(e.receiver, d);
  if (e.of) out.of = shiftExpr(e.of, d);
  return out;
}

function shiftBinding(b: ValueBinding, d: number): ValueBinding {
  return { ...b, start: b.start + d, end: b.end + d, ...(b.value ? { value: shiftExpr(b.value, d) } : {}) };
}

function shiftDecorator(x: Decorator, d: number): Decorator {
  return { expr: shiftExpr(x.expr, d), start: x.start + d, end: x.end + d };
}

function shifted(m: FileModel, d: number): FileModel {
  if (d === 0) return m;
  return {
    language: m.language,
    imports: m.imports.map((i) => ({ ...i, start: i.start + d, end: i.end + d })),
    reexports: m.reexports,
    functions: m.functions.map((f) => ({
      ...f,
      start: f.start + d,
      end: f.end + d,
      nameStart: f.nameStart + d,
      nameEnd: f.nameEnd + d,
      params: f.params.map((p) => (p.default ? { ...p, default: shiftExpr(p.default, d) } : p)),
      decorators: f.decorators.map((x) => shiftDecorator(x, d)),
      locals: f.locals.map((b) => shiftBinding(b, d)),
    })),
    classes: m.classes.map((c) => ({ ...c, start: c.start + d, end: c.end + d, decorators: c.decorators.map((x) => shiftDecorator(x, d)), fields: c.fields.map((b) => shiftBinding(b, d)) })),
    bindings: m.bindings.map((b) => shiftBinding(b, d)),
    calls: m.calls.map((c) => ({ ...c, start: c.start + d, end: c.end + d, callee: shiftExpr(c.callee, d), args: c.args.map((a) => shiftExpr(a, d)) })),
    loops: m.loops.map((l) => ({ ...l, start: l.start + d, end: l.end + d, ...(l.iterable ? { iterable: shiftExpr(l.iterable, d) } : {}) })),
    hints: m.hints,
  };
}

/**
 * What the last join of a file's units made, part by part: the next join reuses the parts before
 * the first one that changed (an edit moves only the units after it), instead of copying them.
 */
export interface MergeMemo {
  parts: { model: FileModel; delta: number; out: FileModel }[];
}

/** Joins the models of a file's units, in order; `delta` moves a cached unit to where it is now. */
export function mergeUnitModels(language: QueryLanguage, parts: readonly { model: FileModel; delta: number }[], memo?: MergeMemo): FileModel {
  const out = emptyFileModel(language);
  const made: MergeMemo['parts'] = [];
  let reusing = memo !== undefined;
  for (const [k, { model, delta }] of parts.entries()) {
    const before = memo?.parts[k];
    // The same unit at the same place after the same units: its part of the join is what it was.
    const same = reusing && before !== undefined && before.model === model && before.delta === delta;
    if (!same) reusing = false;
    const part = same ? before.out : joined(shifted(model, delta), out);
    made.push({ model, delta, out: part });
    append(out, part);
  }
  if (memo) memo.parts = made;
  return out;
}

/** A unit's part of the join: its model with indices based after what comes before it. */
function joined(m: FileModel, sofar: FileModel): FileModel {
  const fnBase = sofar.functions.length;
  const loopBase = sofar.loops.length;
  const callBase = sofar.calls.length;
  return {
    ...m,
    functions: m.functions.map((f) => ({ ...f, parent: f.parent === undefined ? undefined : f.parent + fnBase, passedTo: f.passedTo === undefined ? undefined : f.passedTo + callBase })),
    loops: m.loops.map((l) => ({ ...l, fn: l.fn < 0 ? -1 : l.fn + fnBase })),
    calls: m.calls.map((c) => ({ ...c, fn: c.fn < 0 ? -1 : c.fn + fnBase, loop: c.loop === undefined ? undefined : c.loop + loopBase })),
  };
}

function append(out: FileModel, m: FileModel): void {
  for (const x of m.imports) out.imports.push(x);
  for (const x of m.reexports) out.reexports.push(x);
  for (const x of m.classes) out.classes.push(x);
  for (const x of m.bindings) out.bindings.push(x);
  for (const x of m.functions) out.functions.push(x);
  for (const x of m.loops) out.loops.push(x);
  for (const x of m.calls) out.calls.push(x);
  const h = m.hints;
  for (const x of h.importRoots) out.hints.importRoots.push(x);
  out.hints.mainGuard ||= h.mainGuard;
  out.hints.goPackage ??= h.goPackage;
  for (const x of h.directives) out.hints.directives.push(x);
  for (const g of h.browserGlobals) if (!out.hints.browserGlobals.includes(g)) out.hints.browserGlobals.push(g);
}
