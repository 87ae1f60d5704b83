import type { FileContext } from '../../server/src/model/file-context';
import type { Effect } from '../../server/src/model/library';
import { growing, isProjectCall, iterableText, loopVariables, uses, inSpan } from '../../server/src/model/calls';
import { callText } from '../../server/src/model/summary';
import type { ModelFindingInit } from '../../server/src/engine/rule-api';
import type { SyntaxNode } from 'tree-sitter';
import { LOOP_STATEMENTS, leavesAfter } from './loop-exit';

/**
 * N+1 through calls: a loop hands each item to a function of the project (a repository, a
 * service, a serializer) that queries with it, here or in another file. The program confirms the
 * query and names the chain; this hook finds the calls worth following.
 */

const READS: readonly Effect[] = ['db-read-one', 'db-read-many', 'db-count', 'db-query'];

export const THROUGH_MESSAGE =
  '`{call}` runs a database query per item of `{iterable}` through {chain}: 1,000 items cost 1,000 database round trips, so the response time and the load on the database grow with the data. Load what the loop needs with one query before it (an `IN` list of the keys), and pass it in.';

export function throughCalls(file: FileContext, span?: { start: number; end: number }, unit?: SyntaxNode): ModelFindingInit[] {
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
    if (unit && leavesLoopAt(unit, call, loop, file.language)) continue;
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

/** The call's `for` loop (the loop model's span) is left right after it: see leavesAfter. */
function leavesLoopAt(unit: SyntaxNode, call: { start: number; end: number }, loop: { start: number; end: number }, lang: FileContext['language']): boolean {
  const path: SyntaxNode[] = [];
  // The loop model's span starts at the body in Python (the iterable runs once): the statement is the one that ends with it.
  for (let n: SyntaxNode | null = unit.descendantForIndex(call.start, call.end); n && n.endIndex <= loop.end; n = n.parent) {
    path.push(n);
    if (n.endIndex === loop.end && n.startIndex <= loop.start && LOOP_STATEMENTS.has(n.type)) return leavesAfter(path, path.length - 1, lang);
  }
  return false;
}
