import type { CallSite, ExprRef } from './file-model';
import type { FileContext } from './file-context';
import { effectsOf, type LanguageModels } from './library';
import { modelIndex } from './model-index';

/**
 * Whether a file call's path (its first argument) is fixed for the life of the process: string
 * literals and the models' process constants (`__dirname`, `process.env.CERT_PATH`,
 * `process.cwd()`), combined by library calls (`path.join`), directly or through constants of the
 * enclosing functions and the module. Such a file is one of the app's own (a template, a logo, a
 * certificate): small, and served from the page cache, so reading it blocks for microseconds.
 * Not when the module also writes through the same path: then the file is the app's data (a JSON
 * file kept as a database), and it grows.
 */
export function readsFixedFile(file: FileContext, call: CallSite & { fn: number }): boolean {
  const path = call.args[0];
  if (!path || !fixed(file, path, call.fn, 0)) return false;
  return !file.model.calls.some((other) => other !== call && sameExpr(other.args[0], path) && writes(file, other));
}

function writes(file: FileContext, call: CallSite): boolean {
  const r = file.resolver.resolve(call.callee, call.start);
  return r.kind === 'library' && effectsOf(r.row).includes('file-write');
}

function sameExpr(a: ExprRef | undefined, b: ExprRef): boolean {
  if (!a || a.kind !== b.kind) return false;
  if (a.kind === 'literal') return a.value !== undefined && a.value === b.value;
  return a.kind === 'name' && a.path?.join('.') === b.path?.join('.');
}

function fixed(file: FileContext, e: ExprRef, fn: number, depth: number): boolean {
  if (depth > 6) return false;
  switch (e.kind) {
    case 'literal':
      // A template's substitutions are values the code computes: not fixed.
      return e.literal === 'string' && !(e.value ?? '').includes('${');
    case 'other':
      // `__dirname + '/a.html'`, `process.env.CERT ?? '/etc/cert.pem'`
      return !!e.parts && e.parts.every((p) => fixed(file, p, fn, depth + 1));
    case 'name': {
      const path = e.path ?? [];
      if (e.receiver || path.length === 0) return false;
      if (processConstant(file, path)) return true;
      if (path.length !== 1) return false;
      const value = constantValue(file, path[0], fn, e.start);
      return !!value && fixed(file, value, fn, depth + 1);
    }
    case 'call': {
      const path = e.path ?? [];
      if (!e.receiver && processConstant(file, path)) return true; // `process.cwd()`
      const site = file.callSpanning(e.start, e.end);
      if (!site) return false;
      // A library's combination of fixed values (`path.join(__dirname, 'x')`): no effect of its own.
      const r = file.resolver.resolve(site.callee, site.start);
      if (r.kind === 'function' || r.kind === 'class' || (r.kind === 'library' && effectsOf(r.row).length > 0)) return false;
      return site.args.length > 0 && site.args.every((a) => fixed(file, a, fn, depth + 1));
    }
    default:
      return false;
  }
}

/** A global the models name a process constant (`__dirname`, `process.env`, `import.meta.url`), not shadowed by the file. */
function processConstant(file: FileContext, path: readonly string[]): boolean {
  const names = processConstants(file.lang);
  const hit = path.some((_, i) => names.has(path.slice(0, i + 1).join('.')));
  return hit && file.resolver.resolve({ kind: 'name', path: [path[0]], start: 0, end: 0 }, 0).kind === 'unknown';
}

const CONSTANTS = new WeakMap<LanguageModels, Set<string>>();

function processConstants(models: LanguageModels): Set<string> {
  let out = CONSTANTS.get(models);
  if (!out) {
    out = new Set();
    for (const lib of models.libraries) {
      if ((lib.file.packages ?? []).length > 0) continue; // globals: no package to import them from
      for (const row of lib.file.symbols ?? []) if (effectsOf(row).includes('process-constant')) for (const n of [row.name, ...(row.also ?? [])]) out.add(n);
    }
    CONSTANTS.set(models, out);
  }
  return out;
}

/** The value bound to a name in the enclosing functions (innermost first), then at module level. */
function constantValue(file: FileContext, name: string, fn: number, at: number): ExprRef | undefined {
  for (let f = fn >= 0 ? file.model.functions[fn] : undefined; f; f = f.parent === undefined ? undefined : file.model.functions[f.parent]) {
    const own = f.locals.filter((b) => b.name === name);
    if (own.length > 1) return undefined; // assigned again: not a constant
    if (own.length === 1) return own[0].start <= at || f !== file.model.functions[fn] ? own[0].value : undefined;
    if (f.params.some((p) => p.name === name)) return undefined;
  }
  const module = modelIndex(file.model).bindingsByName.get(name) ?? [];
  return module.length === 1 ? module[0].value : undefined;
}
