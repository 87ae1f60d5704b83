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
 * The join of a file's unit models. A cached unit's model is relative to where it was bound
 * (`boundAt`); the join holds its own copy of each unit's part, with absolute offsets and indices
 * based after the units before it. After an edit, the parts of units that were not re-bound are
 * moved in place (offsets and index bases adjusted) instead of copied again: a keystroke moves
 * every unit after it, and copying them cost most of a keystroke's analysis. So a join's model is
 * valid until the next join of the same memo: an analysis's model is read while the document is
 * at the revision analysed (the editor checks), and what outlives it is copied out.
 */
interface JoinPart {
  /** The copy in the join, and where it stands. */
  out: FileModel;
  delta: number;
  fnBase: number;
  loopBase: number;
  callBase: number;
  /** The join that last placed it. */
  join: number;
}

/** What the last join of a file's units made, by unit model. */
export interface MergeMemo {
  parts: Map<FileModel, JoinPart>;
  joins: number;
}

export function newMergeMemo(): MergeMemo {
  return { parts: new Map(), joins: 0 };
}

/** Joins the models of a file's units, in order; `delta` moves a cached unit to where it is now. */
export function mergeUnitModels(language: QueryLanguage, parts: readonly { model: FileModel; delta: number }[], memo: MergeMemo = newMergeMemo()): FileModel {
  const out = emptyFileModel(language);
  const join = ++memo.joins;
  for (const { model, delta } of parts) {
    const fnBase = out.functions.length;
    const loopBase = out.loops.length;
    const callBase = out.calls.length;
    let part = memo.parts.get(model);
    if (part && part.join !== join) {
      movePart(part.out, delta - part.delta, fnBase - part.fnBase, loopBase - part.loopBase, callBase - part.callBase);
      part.delta = delta;
      part.fnBase = fnBase;
      part.loopBase = loopBase;
      part.callBase = callBase;
      part.join = join;
    } else {
      // New, or the same unit model twice in one join: a copy of its own.
      part = { out: copyPart(model, delta, fnBase, loopBase, callBase), delta, fnBase, loopBase, callBase, join };
      if (!memo.parts.has(model)) memo.parts.set(model, part);
    }
    append(out, part.out);
  }
  // Units that are gone (re-bound or removed) leave the memo.
  if (memo.parts.size > parts.length) for (const [model, part] of memo.parts) if (part.join !== join) memo.parts.delete(model);
  return out;
}

/* Typed copies and moves, not generic ones: reflection over each object's keys cost most of a join. */

function copyExpr(e: ExprRef, d: number): ExprRef {
  const out: ExprRef = { ...e, start: e.start + d, end: e.end + d };
  if (e.receiver) out.receiver = copyExpr(e.receiver, d);
  if (e.of) out.of = copyExpr(e.of, d);
  return out;
}

function moveExpr(e: ExprRef, d: number): void {
  e.start += d;
  e.end += d;
  if (e.receiver) moveExpr(e.receiver, d);
  if (e.of) moveExpr(e.of, d);
}

function copyBinding(b: ValueBinding, d: number): ValueBinding {
  return { ...b, start: b.start + d, end: b.end + d, ...(b.value ? { value: copyExpr(b.value, d) } : {}) };
}

function moveBinding(b: ValueBinding, d: number): void {
  b.start += d;
  b.end += d;
  if (b.value) moveExpr(b.value, d);
}

function copyDecorator(x: Decorator, d: number): Decorator {
  return { expr: copyExpr(x.expr, d), start: x.start + d, end: x.end + d };
}

function moveDecorator(x: Decorator, d: number): void {
  moveExpr(x.expr, d);
  x.start += d;
  x.end += d;
}

const plus = (i: number | undefined, base: number): number | undefined => (i === undefined ? undefined : i + base);

/** A unit's part of the join: its own copy of the model, moved by `d`, its indices based after the units before it. */
function copyPart(m: FileModel, d: number, fnBase: number, loopBase: number, callBase: number): FileModel {
  return {
    language: m.language,
    imports: m.imports.map((i) => ({ ...i, start: i.start + d, end: i.end + d })),
    reexports: m.reexports,
    functions: m.functions.map((f) => ({
      ...f,
      parent: plus(f.parent, fnBase),
      passedTo: plus(f.passedTo, callBase),
      start: f.start + d,
      end: f.end + d,
      nameStart: f.nameStart + d,
      nameEnd: f.nameEnd + d,
      params: f.params.map((p) => (p.default ? { ...p, default: copyExpr(p.default, d) } : p)),
      decorators: f.decorators.map((x) => copyDecorator(x, d)),
      locals: f.locals.map((b) => copyBinding(b, d)),
    })),
    classes: m.classes.map((c) => ({ ...c, start: c.start + d, end: c.end + d, decorators: c.decorators.map((x) => copyDecorator(x, d)), fields: c.fields.map((b) => copyBinding(b, d)) })),
    bindings: m.bindings.map((b) => copyBinding(b, d)),
    calls: m.calls.map((c) => ({
      ...c,
      fn: c.fn < 0 ? -1 : c.fn + fnBase,
      loop: plus(c.loop, loopBase),
      start: c.start + d,
      end: c.end + d,
      callee: copyExpr(c.callee, d),
      args: c.args.map((a) => copyExpr(a, d)),
      ...(c.named ? { named: c.named.map((n) => ({ name: n.name, value: copyExpr(n.value, d) })) } : {}),
    })),
    loops: m.loops.map((l) => ({ ...l, fn: l.fn < 0 ? -1 : l.fn + fnBase, start: l.start + d, end: l.end + d, ...(l.iterable ? { iterable: copyExpr(l.iterable, d) } : {}) })),
    hints: m.hints,
  };
}

/** Moves a part of the join in place: offsets by `d`, indices by the change of their bases. */
function movePart(m: FileModel, d: number, fnShift: number, loopShift: number, callShift: number): void {
  if (d !== 0) {
    for (const i of m.imports) {
      i.start += d;
      i.end += d;
    }
    for (const c of m.classes) {
      c.start += d;
      c.end += d;
      for (const x of c.decorators) moveDecorator(x, d);
      for (const b of c.fields) moveBinding(b, d);
    }
    for (const b of m.bindings) moveBinding(b, d);
    for (const l of m.loops) {
      l.start += d;
      l.end += d;
      if (l.iterable) moveExpr(l.iterable, d);
    }
  }
  if (d !== 0 || fnShift !== 0 || callShift !== 0) {
    for (const f of m.functions) {
      if (f.parent !== undefined) f.parent += fnShift;
      if (f.passedTo !== undefined) f.passedTo += callShift;
      if (d === 0) continue;
      f.start += d;
      f.end += d;
      f.nameStart += d;
      f.nameEnd += d;
      for (const p of f.params) if (p.default) moveExpr(p.default, d);
      for (const x of f.decorators) moveDecorator(x, d);
      for (const b of f.locals) moveBinding(b, d);
    }
  }
  if (fnShift !== 0) for (const l of m.loops) if (l.fn >= 0) l.fn += fnShift;
  if (d !== 0 || fnShift !== 0 || loopShift !== 0) {
    for (const c of m.calls) {
      if (c.fn >= 0) c.fn += fnShift;
      if (c.loop !== undefined) c.loop += loopShift;
      if (d === 0) continue;
      c.start += d;
      c.end += d;
      moveExpr(c.callee, d);
      for (const a of c.args) moveExpr(a, d);
      for (const n of c.named ?? []) moveExpr(n.value, d);
    }
  }
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
  if (h.jsx) out.hints.jsx = true;
  out.hints.goPackage ??= h.goPackage;
  for (const x of h.directives) out.hints.directives.push(x);
  for (const g of h.browserGlobals) if (!out.hints.browserGlobals.includes(g)) out.hints.browserGlobals.push(g);
}

const OFFSET_KEYS = new Set(['start', 'end', 'nameStart', 'nameEnd']);

/**
 * What a unit's model says, without where: its content with each offset replaced by its rank among
 * the unit's offsets. Two models with the same scope give every name, class, registration and
 * resolution the same answer (those depend on content and on the order of things, never on
 * distances), so when no unit's scope changed, what cached units read of the file is unchanged.
 */
export function unitScope(m: FileModel): string {
  let scope = scopes.get(m);
  if (scope === undefined) {
    scope = computeScope(m);
    scopes.set(m, scope);
  }
  return scope;
}

/** Unit models are never changed once bound: a scope is computed once, when first compared. */
const scopes = new WeakMap<FileModel, string>();

function computeScope(m: FileModel): string {
  const offsets: number[] = [];
  JSON.stringify(m, (k, v: unknown) => {
    if (typeof v === 'number' && OFFSET_KEYS.has(k)) offsets.push(v);
    return v;
  });
  const sorted = [...new Set(offsets)].sort((a, b) => a - b);
  const rank = new Map(sorted.map((o, i) => [o, i]));
  return JSON.stringify(m, (k, v: unknown) => (typeof v === 'number' && OFFSET_KEYS.has(k) ? rank.get(v) : v));
}
