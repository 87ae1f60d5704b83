import type { FileContext } from '../../server/src/model/file-context';
import type { ExprRef, FileModel, LoopModel, ValueBinding } from '../../server/src/model/file-model';
import type { Effect } from '../../server/src/model/library';
import { callText } from '../../server/src/model/summary';
import { isProjectCall, loopVariables, uses, inSpan } from '../../server/src/model/calls';
import type { ModelFindingInit } from '../../server/src/engine/rule-api';

/**
 * N+1 through calls: a loop hands each item to a function of the project (a repository, a
 * service, a serializer) that queries with it, here or in another file. The program confirms the
 * query and names the chain; this hook finds the calls worth following.
 */

const READS: readonly Effect[] = ['db-read-one', 'db-read-many', 'db-count', 'db-query'];

export const THROUGH_MESSAGE =
  '`{call}` runs a database query per item of `{iterable}` through {chain}: 1,000 items cost 1,000 database round trips, so the response time and the load on the database grow with the data. Load what the loop needs with one query before it (an `IN` list of the keys), and pass it in.';

export function throughCalls(file: FileContext, span?: { start: number; end: number }): ModelFindingInit[] {
  const out: ModelFindingInit[] = [];
  const { model } = file;
  for (const call of model.calls) {
    if (!inSpan(call, span)) continue;
    if (call.loop === undefined || call.fn < 0) continue;
    const loop = model.loops[call.loop];
    if (!growing(loop, model)) continue;
    const vars = loopVariables(file, call);
    if (vars.size === 0 || !call.args.some((a) => uses(a, vars))) continue;
    if (!isProjectCall(file, call)) continue;
    out.push({
      start: call.start,
      end: call.end,
      message: THROUGH_MESSAGE,
      args: { call: callText(call.callee), iterable: iterableText(loop) },
      through: { callee: call.callee, at: call.start, needs: READS },
    });
  }
  return out;
}

/**
 * Whether a loop runs over something that grows with the data: what a query or a function gave
 * (a name bound to a call's result, a call itself), not a list written in the code, a range of a
 * literal length, or the keys of one request's payload.
 */
function growing(loop: LoopModel, model: FileModel): boolean {
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

function iterableText(loop: LoopModel): string {
  const it = loop.iterable;
  if (!it) return 'the loop';
  if (it.kind === 'await' && it.of) return callText(it.of);
  return callText(it) || 'the loop';
}
