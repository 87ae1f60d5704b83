import type { Range } from 'vscode-languageserver-protocol/node';
import type { Change } from './text-model';

/**
 * What the fuzzer does to a server, one step at a time. A run is a list of ops; a failure's
 * reproduction is a (shrunk) list of ops, replayed by the same executor, so a repro is plain JSON.
 * Ops that depend on the server's answers (which diagnostic a code action is for, which fix is
 * applied) name them by index and are resolved when they run.
 */
export type Op =
  | { op: 'open'; uri: string; languageId: string; version: number; text: string }
  | { op: 'change'; uri: string; version: number; changes: Change[] }
  | { op: 'close'; uri: string }
  /** A pull; `previous` sends the last result id (as VS Code does); `cancel` cancels it right away; `budgetMs` overrides the run's budget. */
  | { op: 'pull'; uri: string; previous?: boolean; cancel?: boolean; budgetMs?: number }
  /** A code action for the `diag`-th diagnostic of the last answer (mod their number), else for `range`. */
  | { op: 'codeAction'; uri: string; diag?: number; range?: Range; only?: string[]; budgetMs?: number }
  /** Pull, ask for the fixes of the `diag`-th diagnostic (or fix-all), apply the `action`-th as a didChange, pull, check. */
  | { op: 'applyFix'; uri: string; diag: number; action: number; fixAll?: boolean; resolved?: Change[] }
  /** Pulls, changes and code actions written in one go, none awaited before the next is sent. */
  | { op: 'race'; ops: Op[] }
  /** A pull compared with what a fresh server reports for the same text. */
  | { op: 'compare'; uri: string };

export type FailureClass =
  | 'crash'
  | 'hang'
  | 'out-of-range'
  | 'stale'
  | 'inconsistent'
  | 'error-log'
  | 'noisy-log'
  | 'request-failed'
  | 'fix-ineffective';

export const FAILURE_CLASSES: readonly FailureClass[] = ['crash', 'hang', 'out-of-range', 'stale', 'inconsistent', 'error-log', 'noisy-log', 'request-failed', 'fix-ineffective'];

export interface Failure {
  cls: FailureClass;
  /** What check failed, for telling failures apart ('compare:pool-unconfigured', 'race-pull', …). */
  kind: string;
  /** One line: what went wrong. */
  detail: string;
  /** Failures with one signature are one finding, counted, shrunk once. */
  signature: string;
  /** Where it was found: 'random', 'targeted:<name>', 'bad-input:<name>'. */
  phase: string;
  lang?: string;
  expected?: unknown;
  got?: unknown;
  /** The ops that led to it (the session since the server started), when it can be replayed. */
  trace?: Op[];
  /** For what ops cannot express (a bad input's raw messages, a hostile workspace): what was sent. */
  input?: unknown;
}
