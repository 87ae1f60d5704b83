import type { SyntaxNode } from 'tree-sitter';
import type { QueryLanguage } from '../engine/languages';
import type { Binder } from './binder';
import { GoBinder } from './bind-go';
import { PythonBinder } from './bind-python';
import { TypeScriptBinder } from './bind-typescript';
import { emptyFileModel, type FileModel } from './file-model';

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

const OFFSET_KEYS = new Set(['start', 'end', 'nameStart', 'nameEnd']);

/** A deep copy with every offset moved by `delta` (a unit reused at another position). */
function shifted<T>(value: T, delta: number): T {
  if (delta === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => shifted(v, delta)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = OFFSET_KEYS.has(k) && typeof v === 'number' ? v + delta : shifted(v, delta);
  return out as T;
}

/** Joins the models of a file's units, in order; `delta` moves a cached unit to where it is now. */
export function mergeUnitModels(language: QueryLanguage, parts: readonly { model: FileModel; delta: number }[]): FileModel {
  const out = emptyFileModel(language);
  for (const { model, delta } of parts) {
    const m = shifted(model, delta);
    const fnBase = out.functions.length;
    const loopBase = out.loops.length;
    const callBase = out.calls.length;
    out.imports.push(...m.imports);
    out.reexports.push(...m.reexports);
    out.classes.push(...m.classes);
    out.bindings.push(...m.bindings);
    for (const f of m.functions) {
      out.functions.push({ ...f, parent: f.parent === undefined ? undefined : f.parent + fnBase, passedTo: f.passedTo === undefined ? undefined : f.passedTo + callBase });
    }
    for (const l of m.loops) out.loops.push({ ...l, fn: l.fn < 0 ? -1 : l.fn + fnBase });
    for (const c of m.calls) out.calls.push({ ...c, fn: c.fn < 0 ? -1 : c.fn + fnBase, loop: c.loop === undefined ? undefined : c.loop + loopBase });
    const h = m.hints;
    out.hints.importRoots.push(...h.importRoots);
    out.hints.mainGuard ||= h.mainGuard;
    out.hints.goPackage ??= h.goPackage;
    out.hints.directives.push(...h.directives);
    for (const g of h.browserGlobals) if (!out.hints.browserGlobals.includes(g)) out.hints.browserGlobals.push(g);
  }
  return out;
}
