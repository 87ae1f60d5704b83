import type { FileContext } from '../../server/src/model/file-context';
import type { ModelFindingInit } from '../../server/src/engine/rule-api';
import { isProjectCall, roleAround, inSpan } from '../../server/src/model/calls';
import { callText } from '../../server/src/model/summary';

/**
 * Blocking work through calls: an `async` function (or a Node request handler, which runs on the
 * event loop) calls a synchronous function of the project, without awaiting it, that blocks (a
 * sync database or HTTP client, a sleep, file I/O, password hashing), here or in another file.
 */
export const THROUGH_MESSAGE =
  '`{call}` blocks the event loop through {chain}: while it runs, no other request on this process is served, so at 100 concurrent requests each waits for all the others. {remedy}';

/** What to do instead, in the language's own terms. */
const REMEDY: Record<'python' | 'typescript', string> = {
  python: 'Make the chain async, or run `{call}` in a thread (`await asyncio.to_thread(...)`).',
  typescript: "Make the chain async (the library's async API, `fs.promises`, `crypto.scrypt` with a callback), or move the work to a worker thread (`worker_threads`, a job queue).",
};

export function blockingThroughCalls(file: FileContext, span?: { start: number; end: number }): ModelFindingInit[] {
  if (file.language === 'go') return [];
  const out: ModelFindingInit[] = [];
  for (const call of file.model.calls) {
    if (!inSpan(call, span)) continue;
    if (call.fn < 0 || call.awaited) continue;
    const fn = file.model.functions[call.fn];
    const role = roleAround(file, call.fn);
    const onLoop = fn.isAsync || (file.language === 'typescript' && role?.role !== undefined && role.role !== 'startup' && role.role !== 'test' && role.role !== 'once');
    if (!onLoop) continue;
    if (!isProjectCall(file, call)) continue;
    out.push({ start: call.start, end: call.end, message: THROUGH_MESSAGE, args: { call: callText(call.callee), remedy: REMEDY[file.language].replace('{call}', callText(call.callee)) }, through: { callee: call.callee, at: call.start, needs: 'blocking' } });
  }
  return out;
}
