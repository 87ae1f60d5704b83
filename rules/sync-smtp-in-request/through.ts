import type { FileContext } from '../../server/src/model/file-context';
import type { ModelFindingInit } from '../../server/src/engine/rule-api';
import { isProjectCall, roleAround, inSpan } from '../../server/src/model/calls';
import { callText } from '../../server/src/model/summary';

/** Mail sent over SMTP through calls: a request handler calls a helper that opens an SMTP connection and sends, here or in another file. */
export const THROUGH_MESSAGE =
  '{where} calls `{call}`, which sends mail over SMTP through {chain}: the request waits for the mail server (hundreds of milliseconds, seconds when it is slow), and a slow or down mail server makes the endpoint slow or fail. Hand the mail to a background job or a queue.';

const PER_REQUEST = new Set(['handler', 'middleware', 'request-dependency']);

export function smtpThroughCalls(file: FileContext, span?: { start: number; end: number }): ModelFindingInit[] {
  const out: ModelFindingInit[] = [];
  for (const call of file.model.calls) {
    if (!inSpan(call, span)) continue;
    if (call.fn < 0) continue;
    const role = roleAround(file, call.fn);
    if (!role || !PER_REQUEST.has(role.role)) continue;
    if (!isProjectCall(file, call)) continue;
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
