import type { FileContext } from '../../server/src/model/file-context';
import type { ModelFindingInit } from '../../server/src/engine/rule-api';
import { growing, inSpan, isProjectCall, iterableText, loopVariables, roleAround, uses } from '../../server/src/model/calls';
import { callText } from '../../server/src/model/summary';

/** Mail sent over SMTP through calls: a request handler calls a helper that opens an SMTP connection and sends, here or in another file. */
export const THROUGH_MESSAGE =
  '{where} calls `{call}`, which sends mail over SMTP through {chain}: the request waits for the mail server (hundreds of milliseconds, seconds when it is slow), and a slow or down mail server makes the endpoint slow or fail. Hand the mail to a background job or a queue.';

/** Mail sent once per item of a loop through calls, in a request or a job: `for (const u of users) await sendEmail(u.email)`. */
export const PER_ITEM_MESSAGE =
  '`{call}` sends one mail per item of `{iterable}` through {chain}: 1,000 recipients are 1,000 mail-server exchanges (hundreds of milliseconds each, seconds when it is slow) one after another, while {where} waits. Queue one message per recipient to a background worker, or send them as one batch.';

const PER_REQUEST = new Set(['handler', 'middleware', 'request-dependency']);
/** Where a per-item send holds something up: a request, or a job that has other work behind it. */
const PER_ITEM = new Set(['handler', 'middleware', 'request-dependency', 'job']);

export function smtpThroughCalls(file: FileContext, span?: { start: number; end: number }): ModelFindingInit[] {
  const out: ModelFindingInit[] = [];
  for (const call of file.model.calls) {
    if (!inSpan(call, span)) continue;
    if (call.fn < 0) continue;
    const role = roleAround(file, call.fn);
    if (!role || !PER_ITEM.has(role.role)) continue;
    if (!isProjectCall(file, call)) continue;
    // `go notify(...)`: the request does not wait for what the goroutine sends.
    if (call.spawned) continue;
    // Once per item of a loop over what grows (recipients a query gave): any mail, pooled or not.
    const loop = call.loop === undefined ? undefined : file.model.loops[call.loop];
    if (loop && growing(loop, file.model) && call.args.some((a) => uses(a, loopVariables(file, call)))) {
      out.push({
        start: call.start,
        end: call.end,
        message: PER_ITEM_MESSAGE,
        args: { call: callText(call.callee), iterable: iterableText(loop), where: role.role === 'job' ? 'the job' : 'the request' },
        through: { callee: call.callee, at: call.start, needs: ['smtp-send', 'smtp-connect', 'mail-send'] },
      });
      continue;
    }
    if (!PER_REQUEST.has(role.role)) continue;
    out.push({
      start: call.start,
      end: call.end,
      message: THROUGH_MESSAGE,
      args: { call: callText(call.callee), where: capitalise(role.why) },
      severity: file.model.functions[call.fn].isAsync ? 'error' : undefined,
      through: { callee: call.callee, at: call.start, needs: ['smtp-send', 'smtp-connect'] },
    });
  }
  return out;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
