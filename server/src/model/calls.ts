import type { FileContext } from './file-context';
import type { CallSite, ExprRef, FileModel, LoopModel, ValueBinding } from './file-model';
import { callText } from './summary';

/**
 * Small questions rules' model hooks ask of a file's calls (see RuleModule.model): which calls run
 * per item of a loop and hand it the item, what role the function around a call has.
 */

/** Whether an expression reads one of these names: `user`, `user.id`, `user["id"]`, `f(user)` as receiver. */
export function uses(expr: ExprRef | undefined, names: ReadonlySet<string>): boolean {
  if (!expr) return false;
  if (expr.path && names.has(expr.path[0]) && !expr.receiver) return true;
  return uses(expr.receiver, names) || uses(expr.of, names);
}

/** The loop variables around a call, the call's own loop first, up to the function's boundary. */
export function loopVariables(file: FileContext, call: CallSite & { fn: number }): Set<string> {
  const out = new Set<string>();
  for (const l of enclosingLoops(file, call)) for (const v of l.variables) out.add(v);
  return out;
}

/** The loops of the call's function around it, innermost first. */
export function enclosingLoops(file: FileContext, call: CallSite & { fn: number }): LoopModel[] {
  return file.model.loops.filter((l) => l.fn === call.fn && l.start <= call.start && call.end <= l.end).sort((a, b) => b.start - a.start);
}

/** The role of the function a call is in: its own, or the nearest enclosing function's (a callback inside a route). */
export function roleAround(file: FileContext, fn: number): { role: string; why: string; fn: number } | undefined {
  for (let i: number | undefined = fn < 0 ? undefined : fn; i !== undefined; i = file.model.functions[i].parent) {
    const r = file.roleAt(i);
    if (r) return { role: r.role, why: r.why, fn: i };
  }
  return undefined;
}

/** Whether a call goes to the project's own code (a function of the file, or an import no library model knows). */
export function isProjectCall(file: FileContext, call: CallSite): boolean {
  const r = file.resolver.resolve(call.callee, call.start);
  return r.kind === 'function' || (r.kind === 'import' && r.module !== undefined);
}

/** Whether a call is in a span of the file (the unit a rule's model hook is asked about). */
export function inSpan(call: { start: number }, span: { start: number; end: number } | undefined): boolean {
  return !span || (call.start >= span.start && call.start < span.end);
}

/**
 * Whether a loop runs over something that grows with the data: what a query or a function gave
 * (a name bound to a call's result, a call itself), not a list written in the code, a range of a
 * literal length, or the keys of one request's payload.
 */
export function growing(loop: LoopModel, model: FileModel): boolean {
  const it = loop.iterable;
  if (!it) return false;
  return fromCall(it, model, loop.fn, 0);
}

function fromCall(e: ExprRef, model: FileModel, fn: number, depth: number): boolean {
  if (depth > 4) return false;
  switch (e.kind) {
    case 'await':
      return e.of !== undefined && fromCall(e.of, model, fn, depth + 1);
    case 'call':
    case 'new': {
      const last = e.path?.[e.path.length - 1] ?? '';
      // range(10), enumerate(xs), zip(a, b), Object.entries(x): what they wrap decides.
      return !/^(range|enumerate|zip|sorted|reversed|list|set|tuple|items|keys|values|entries|split|splitlines|parse\w*|extract\w*|collect\w*)$/.test(last);
    }
    case 'name': {
      if (e.receiver) return fromCall(e.receiver, model, fn, depth + 1);
      if (!e.path || e.path.length !== 1) return false;
      const b = binding(model, fn, e.path[0], e.start);
      return b?.value !== undefined && fromCall(b.value, model, fn, depth + 1);
    }
    default:
      return false;
  }
}

/** The last binding of a name in a function (or the module) before an offset. */
function binding(model: FileModel, fn: number, name: string, before: number): ValueBinding | undefined {
  const scope = fn >= 0 ? model.functions[fn].locals : model.bindings;
  let found: ValueBinding | undefined;
  for (const b of scope) if (b.name === name && b.start < before) found = b;
  return found;
}

export function iterableText(loop: LoopModel): string {
  const it = loop.iterable;
  if (!it) return 'the loop';
  if (it.kind === 'await' && it.of) return callText(it.of);
  return callText(it) || 'the loop';
}
