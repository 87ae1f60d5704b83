import type { FileContext } from '../../server/src/model/file-context';
import type { Effect } from '../../server/src/model/library';
import { growing, isProjectCall, iterableText, loopVariables, uses, inSpan } from '../../server/src/model/calls';
import { callText } from '../../server/src/model/summary';
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

