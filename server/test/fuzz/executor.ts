import type { CodeAction, Diagnostic, DocumentDiagnosticReport, Range } from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { FuzzClient, type Answer, type StartOptions } from './client';
import type { Failure, FailureClass, Op } from './ops';
import { actionEdits, diagnosticRangeProblems, diffDiagnostics, editProblems, firstLine, fmt, isNoisy, overlaps, sameDiagnostics, type ActionEdits } from './oracle';
import { DocModel, lspLines, type Change } from './text-model';

const SERVER_CANCELLED = -32802;
const REQUEST_CANCELLED = -32800;

export interface Stats {
  edits: number;
  pulls: number;
  codeActions: number;
  races: number;
  comparisons: number;
  /** Comparisons that differed where one side said it ran out of time (not judged). */
  comparisonsSkipped: number;
  fixes: number;
  badInputs: number;
  scenarios: number;
  restarts: number;
  /** Milliseconds of each pull that followed an edit. */
  latencies: number[];
}

/** A notice that the server ran out of time (a budget): such answers legitimately differ between servers. */
export function timeDependent(d: Diagnostic): boolean {
  return (d.code === 'analysis-incomplete' || d.code === 'file-skipped') && /took longer|ran out|budget|time limit|\d+ ms\b/i.test(String(d.message));
}

/**
 * Where a range of the old text is after edits (sorted from the end), or undefined when an edit
 * touches it. `before` is the old text's document, `after` the model holding the new text.
 */
function mapRange(before: TextDocument, edits: { range: Range; newText: string }[], r: Range, after: DocModel): Range | undefined {
  const s = before.offsetAt(r.start);
  const e = before.offsetAt(r.end);
  let delta = 0;
  for (const x of edits) {
    const xs = before.offsetAt(x.range.start);
    const xe = before.offsetAt(x.range.end);
    if (xe <= s) delta += x.newText.length - (xe - xs);
    else if (xs < e) return undefined;
  }
  return { start: after.positionAt(s + delta), end: after.positionAt(e + delta) };
}

export function emptyStats(): Stats {
  return { edits: 0, pulls: 0, codeActions: 0, races: 0, comparisons: 0, comparisonsSkipped: 0, fixes: 0, badInputs: 0, scenarios: 0, restarts: 0, latencies: [] };
}

/** Every failure, counted by class; the first of each signature kept (with its trace) for shrinking and the report. */
export class Recorder {
  readonly distinct: (Failure & { count: number })[] = [];
  readonly counts = new Map<FailureClass, number>();
  readonly stats = emptyStats();
  private readonly bySignature = new Map<string, Failure & { count: number }>();
  /** Set while replaying (shrinking): failures go only to the listener. */
  listener: ((f: Failure) => void) | undefined;

  record(f: Failure): void {
    if (this.listener) return this.listener(f);
    this.counts.set(f.cls, (this.counts.get(f.cls) ?? 0) + 1);
    const seen = this.bySignature.get(f.signature);
    if (seen) {
      seen.count++;
      return;
    }
    const entry = { ...f, count: 1 };
    this.bySignature.set(f.signature, entry);
    this.distinct.push(entry);
  }

  get total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }
}

type Pulled = { kind: 'items'; items: Diagnostic[]; ms: number } | { kind: 'cancelled' } | { kind: 'failed'; answer: Answer; why: string };

/** A server that answers like a fresh one: each text opened, pulled once, closed (the oracle for "inconsistent"). */
export class Reference {
  private client: FuzzClient | undefined;

  async analyse(uri: string, languageId: string, version: number, text: string, budgetMs: number): Promise<{ items: Diagnostic[] } | { why: string; hang: boolean }> {
    if (!this.client?.alive) {
      this.client?.kill();
      this.client = await FuzzClient.start();
    }
    const c = this.client;
    c.notify('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
    let a = await c.request('textDocument/diagnostic', { textDocument: { uri } }, budgetMs);
    if (a.kind === 'error' && a.error.code === SERVER_CANCELLED) a = await c.request('textDocument/diagnostic', { textDocument: { uri } }, budgetMs);
    c.notify('textDocument/didClose', { textDocument: { uri } });
    if (a.kind === 'result') {
      const r = a.result as DocumentDiagnosticReport;
      if (r.kind === 'full') return { items: r.items };
    }
    if (a.kind === 'timeout' || a.kind === 'closed') this.kill();
    return { why: `the fresh server: ${a.kind === 'error' ? a.error.message : a.kind}`, hang: a.kind === 'timeout' };
  }

  kill(): void {
    this.client?.kill();
    this.client = undefined;
  }
}

export interface SessionOptions {
  budgetMs: number;
  phase: string;
  lang?: string;
  start?: StartOptions;
}

/**
 * One server process and the client's copy of its open documents. Runs ops and checks every answer:
 * crash, hang (budget), ranges inside the document, stale race answers, agreement with a fresh
 * server, versioned code-action edits, error logs. After a crash or a hang it is `broken` and must be
 * restarted (the busy server is killed: nothing it does later could be attributed).
 */
export class Session {
  client!: FuzzClient;
  readonly models = new Map<string, DocModel>();
  /** The ops since the server started: a failure's replayable history. */
  trace: Op[] = [];
  broken = false;
  /** More to say about any failure (a bad input's messages). */
  context: (() => Partial<Failure>) | undefined;
  /** 'bad-input': error logs are expected, but each should be one line (a stack trace is "noisy-log"). */
  logMode: 'valid' | 'bad-input' = 'valid';
  private current: Op | undefined;
  private last = new Map<string, Diagnostic[]>();
  private results = new Map<string, Diagnostic[]>();
  private lastResultId = new Map<string, string>();
  private dirty = new Set<string>();
  private logSeen = 0;
  private stderrSeen = 0;

  constructor(
    readonly rec: Recorder,
    readonly ref: Reference,
    readonly opts: SessionOptions,
  ) {}

  async start(): Promise<void> {
    this.client = await FuzzClient.start(this.opts.start);
    this.broken = false;
    this.trace = [];
    this.models.clear();
    this.last.clear();
    this.results.clear();
    this.lastResultId.clear();
    this.dirty.clear();
    this.logSeen = 0;
    this.stderrSeen = 0;
  }

  /** Closes every document and forgets them, keeping the server: the next replay starts clean and cheap. */
  reset(): void {
    for (const uri of this.models.keys()) this.client.notify('textDocument/didClose', { textDocument: { uri } });
    this.trace = [];
    this.models.clear();
    this.last.clear();
    this.results.clear();
    this.lastResultId.clear();
    this.dirty.clear();
  }

  async restart(): Promise<void> {
    this.client?.kill();
    this.rec.stats.restarts++;
    await this.start();
  }

  dispose(): void {
    this.client?.kill();
  }

  lastItems(uri: string): Diagnostic[] {
    return this.last.get(uri) ?? [];
  }

  fail(cls: FailureClass, detail: string, kind: string, extra: Partial<Failure> = {}): void {
    if (cls === 'crash' || cls === 'hang') this.broken = true;
    const lang = this.langOfCurrent() ?? this.opts.lang;
    this.rec.record({ cls, kind, detail, signature: `${this.opts.phase}|${cls}|${kind}|${lang ?? ''}`, phase: this.opts.phase, lang, trace: [...this.trace], ...this.context?.(), ...extra });
  }

  /** The language of the document the running op is about (failures are counted per language). */
  private langOfCurrent(): string | undefined {
    const op = this.current?.op === 'race' ? this.current.ops[this.current.ops.length - 1] : this.current;
    const id = op && 'uri' in op ? this.models.get(op.uri)?.languageId : undefined;
    return id ? ({ python: 'py', go: 'go', typescript: 'ts', javascript: 'js' } as Record<string, string>)[id] ?? id : undefined;
  }

  /** Runs one op (recorded in the trace) and its checks. */
  async run(op: Op): Promise<void> {
    if (this.broken) return;
    this.current = op;
    this.trace.push(op);
    try {
      await this.exec(op);
    } finally {
      this.checkAlive();
      this.checkLogs();
    }
  }

  private async exec(op: Op): Promise<void> {
    switch (op.op) {
      case 'open':
        this.models.set(op.uri, new DocModel(op.uri, op.languageId, op.version, op.text));
        this.last.delete(op.uri);
        this.dirty.add(op.uri);
        this.client.notify('textDocument/didOpen', { textDocument: { uri: op.uri, languageId: op.languageId, version: op.version, text: op.text } });
        return;
      case 'change':
        return this.sendChange(op.uri, op.version, op.changes);
      case 'close':
        this.models.delete(op.uri);
        this.client.notify('textDocument/didClose', { textDocument: { uri: op.uri } });
        return;
      case 'pull':
        await this.settledPull(op.uri, op);
        return;
      case 'codeAction':
        return this.codeAction(op);
      case 'applyFix':
        return this.applyFix(op);
      case 'race':
        return this.race(op.ops);
      case 'compare':
        return this.compare(op.uri);
    }
  }

  private sendChange(uri: string, version: number, changes: Change[]): void {
    const m = this.models.get(uri);
    if (!m) return;
    m.apply(changes, version);
    this.dirty.add(uri);
    this.rec.stats.edits++;
    this.client.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
  }

  private sendPull(uri: string, op: { previous?: boolean; cancel?: boolean; budgetMs?: number }): Promise<Answer> {
    const previousResultId = op.previous ? this.lastResultId.get(uri) : undefined;
    const { id, answer } = this.client.send('textDocument/diagnostic', { textDocument: { uri }, previousResultId }, op.budgetMs ?? this.opts.budgetMs);
    if (op.cancel) this.client.cancel(id);
    this.rec.stats.pulls++;
    return answer;
  }

  /** What a pull's answer says: its diagnostics (an `unchanged` resolved to the ones it names), a cancellation, or a failure. */
  private interpret(uri: string, a: Answer): Pulled {
    if (a.kind === 'result') {
      const r = a.result as DocumentDiagnosticReport | null;
      if (r?.kind === 'full' && Array.isArray(r.items)) {
        if (r.resultId) this.results.set(`${uri}#${r.resultId}`, r.items);
        if (r.resultId) this.lastResultId.set(uri, r.resultId);
        return { kind: 'items', items: r.items, ms: a.ms };
      }
      if (r?.kind === 'unchanged') {
        const items = this.results.get(`${uri}#${r.resultId}`);
        if (items) return { kind: 'items', items, ms: a.ms };
        return { kind: 'failed', answer: a, why: `"unchanged" for result id ${r.resultId}, never sent for this document` };
      }
      return { kind: 'failed', answer: a, why: `not a diagnostic report: ${firstLine(JSON.stringify(r))}` };
    }
    if (a.kind === 'error' && (a.error.code === SERVER_CANCELLED || a.error.code === REQUEST_CANCELLED)) return { kind: 'cancelled' };
    return { kind: 'failed', answer: a, why: a.kind === 'error' ? `error ${a.error.code}: ${firstLine(a.error.message)}` : a.kind };
  }

  /** Reports a failed answer by its class: timeout → hang, closed → crash, error → request-failed. */
  private answerFailed(what: string, p: { answer: Answer; why: string }, kind: string): void {
    const a = p.answer;
    if (a.kind === 'timeout') this.fail('hang', `${what}: no answer within ${a.ms} ms`, `${kind}`);
    else if (a.kind === 'closed') this.checkAlive();
    else if (a.kind === 'error') this.fail('request-failed', `${what}: ${p.why}`, `${kind}:${a.error.code}`);
    else this.fail('inconsistent', `${what}: ${p.why}`, `${kind}:shape`);
  }

  /** A pull with nothing sent after it: it must be answered for the current text. */
  async settledPull(uri: string, op: { previous?: boolean; cancel?: boolean; budgetMs?: number } = {}): Promise<Diagnostic[] | undefined> {
    const m = this.models.get(uri);
    if (!m) return undefined;
    const wasDirty = this.dirty.has(uri);
    const p = this.interpret(uri, await this.sendPull(uri, op));
    if (p.kind === 'cancelled') {
      if (!op.cancel) this.fail('inconsistent', 'a pull with no edit after it was answered "cancelled"', 'pull-cancelled');
      return undefined;
    }
    if (p.kind === 'failed') {
      this.answerFailed('pull', p, 'pull');
      return undefined;
    }
    if (wasDirty) this.rec.stats.latencies.push(p.ms);
    this.dirty.delete(uri);
    this.checkDiagnosticRanges(uri, m, p.items, 'pull');
    this.last.set(uri, p.items);
    return p.items;
  }

  private checkDiagnosticRanges(uri: string, m: DocModel, items: Diagnostic[], what: string): boolean {
    const problems = diagnosticRangeProblems(m.lines(), uri, items);
    if (problems.length === 0) return true;
    this.fail('out-of-range', `${what}: diagnostic outside the document (${m.lineCount} lines): ${problems[0]}`, `diag:${problems[0].split(':')[0]}`, { got: problems.slice(0, 5) });
    return false;
  }

  private codeActionParams(uri: string, op: { diag?: number; range?: Range; only?: string[] }): { range: Range; diagnostics: Diagnostic[] } {
    const items = this.lastItems(uri);
    if (op.diag !== undefined && items.length > 0) {
      const d = items[op.diag % items.length];
      return { range: d.range, diagnostics: [d] };
    }
    const range = op.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return { range, diagnostics: items.filter((d) => overlaps(d.range, range)) };
  }

  private sendCodeAction(uri: string, op: { diag?: number; range?: Range; only?: string[]; budgetMs?: number }): Promise<Answer> {
    const { range, diagnostics } = this.codeActionParams(uri, op);
    this.rec.stats.codeActions++;
    return this.client.request('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics, ...(op.only ? { only: op.only } : {}) } }, op.budgetMs ?? this.opts.budgetMs);
  }

  /**
   * Checks a code-action answer: kinds as asked, versioned edits for the version the request was
   * sent at (`sentAt`; in a race, any later version the document had), ranges inside that version's text.
   */
  private checkActions(uri: string, a: Answer, sentAt: number, only: string[] | undefined, inRace: boolean): CodeAction[] {
    const m = this.models.get(uri);
    if (a.kind !== 'result') {
      this.answerFailed('code action', { answer: a, why: a.kind === 'error' ? `error ${a.error.code}: ${firstLine(a.error.message)}` : a.kind }, 'codeAction');
      return [];
    }
    if (a.result === null) return [];
    if (!Array.isArray(a.result)) {
      this.fail('inconsistent', `code action answer is not an array: ${firstLine(JSON.stringify(a.result))}`, 'codeAction:shape');
      return [];
    }
    const actions = a.result as CodeAction[];
    if (!m) return actions;
    for (const action of actions) {
      if (only && action.kind && !only.some((k) => action.kind === k || action.kind!.startsWith(`${k}.`))) {
        this.fail('inconsistent', `code action "${action.title}" of kind ${action.kind} answered for only ${JSON.stringify(only)}`, `codeAction:kind:${action.kind}`);
      }
      const { found, problems } = actionEdits(action, uri);
      for (const p of problems) this.fail('inconsistent', p, 'codeAction:resource');
      for (const f of found) this.checkEdit(m, f, sentAt, inRace);
    }
    return actions;
  }

  private checkEdit(m: DocModel, f: ActionEdits, sentAt: number, inRace: boolean): boolean {
    let text = m.textAt(sentAt);
    if (f.version !== undefined) {
      if (f.version === null || (!inRace && f.version !== sentAt) || (inRace && (f.version < sentAt || m.textAt(f.version) === undefined))) {
        const cls = f.version !== null && f.version < sentAt ? 'stale' : 'inconsistent';
        this.fail(cls, `"${f.title}": versioned edit for version ${f.version}, the request was for version ${sentAt}`, 'codeAction:version');
        return false;
      }
      text = m.textAt(f.version);
    }
    if (text === undefined) return true;
    const problems = editProblems(lspLines(text), f.edits);
    if (problems.length === 0) return true;
    const overlap = problems[0].startsWith('edits overlap');
    this.fail(overlap ? 'inconsistent' : 'out-of-range', `"${f.title}": ${problems[0]}`, overlap ? 'edit:overlap' : `edit:${f.title.replace(/\d+/g, 'N')}`, { got: f.edits.slice(0, 5) });
    return false;
  }

  private async codeAction(op: Extract<Op, { op: 'codeAction' }>): Promise<void> {
    const m = this.models.get(op.uri);
    if (!m) return;
    const a = await this.sendCodeAction(op.uri, op);
    this.checkActions(op.uri, a, m.version, op.only, false);
  }

  /** Applies a fix the server offers as the next didChange, and checks it took its finding away. */
  private async applyFix(op: Extract<Op, { op: 'applyFix' }>): Promise<void> {
    const m = this.models.get(op.uri);
    if (!m) return;
    const before = await this.settledPull(op.uri);
    if (!before || before.length === 0) return;
    const diag = before[op.diag % before.length];
    const only = op.fixAll ? ['source.fixAll.headroom'] : ['quickfix'];
    const a = await this.sendCodeAction(op.uri, { diag: op.diag, only });
    const actions = this.checkActions(op.uri, a, m.version, only, false).filter((x) => x.edit);
    if (actions.length === 0) return;
    const action = actions[op.action % actions.length];
    const edits = actionEdits(action, op.uri).found.flatMap((f) => f.edits);
    if (edits.length === 0 || editProblems(m.lines(), edits).length > 0) return;
    // As a client applies a workspace edit: one didChange, edits from the end so earlier ranges stay valid.
    const doc = TextDocument.create(op.uri, m.languageId, m.version, m.text);
    const sorted = [...edits].sort((x, y) => doc.offsetAt(y.range.start) - doc.offsetAt(x.range.start));
    const changes: Change[] = sorted.map((e) => ({ range: e.range, text: e.newText }));
    op.resolved = changes;
    this.rec.stats.fixes++;
    this.sendChange(op.uri, m.version + 1, changes);
    const after = await this.settledPull(op.uri);
    if (!after || op.fixAll || after.some(timeDependent)) return;
    // The finding it was for must be gone: not where the edits moved it, and (when they rewrote it) one fewer of its kind.
    const same = (d: Diagnostic) => d.code === diag.code && d.message === diag.message;
    const moved = mapRange(doc, sorted, diag.range, m);
    const left = moved ? after.find((d) => same(d) && fmt(d.range) === fmt(moved)) : after.filter(same).length >= before.filter(same).length ? after.find(same) : undefined;
    if (left) {
      this.fail('fix-ineffective', `"${action.title}" left its finding: ${String(diag.code)} at ${fmt(left.range)} (was ${fmt(diag.range)}) "${firstLine(String(diag.message), 80)}"`, `fix:${String(diag.code)}:${action.title.replace(/[\d[\]]+/g, '')}`, {
        expected: `no ${String(diag.code)} at ${moved ? fmt(moved) : 'its place'}`,
        got: after.filter(same).map((d) => fmt(d.range)),
      });
    }
  }

  /**
   * Pulls, edits and code actions in one write. A pull followed by an edit of its document is
   * "overtaken": it may be cancelled, but a full answer must describe the latest text, which the
   * settled pull after the race gives.
   */
  private async race(ops: Op[]): Promise<void> {
    this.rec.stats.races++;
    // `overtaken`: an edit of its document followed it; `edited`: any edit did (a cancellation is then acceptable).
    const sent: { op: Op; answer: Promise<Answer>; overtaken: boolean; edited: boolean; sentAt: number }[] = [];
    this.client.batch(() => {
      for (const o of ops) {
        const m = 'uri' in o ? this.models.get(o.uri) : undefined;
        if (!m) continue;
        if (o.op === 'pull') sent.push({ op: o, answer: this.sendPull(o.uri, o), overtaken: false, edited: false, sentAt: m.version });
        else if (o.op === 'codeAction') sent.push({ op: o, answer: this.sendCodeAction(o.uri, o), overtaken: false, edited: false, sentAt: m.version });
        else if (o.op === 'change') {
          for (const s of sent) {
            s.edited = true;
            if ((s.op as { uri: string }).uri === o.uri) s.overtaken = true;
          }
          this.sendChange(o.uri, o.version, o.changes);
        }
      }
    });
    const answers = await Promise.all(sent.map((s) => s.answer));
    if (answers.some((a) => a.kind === 'timeout')) {
      this.fail('hang', `race: no answer within ${this.opts.budgetMs} ms`, 'race');
      return;
    }
    const truth = new Map<string, Diagnostic[] | undefined>();
    for (const uri of new Set(sent.filter((s) => s.op.op === 'pull').map((s) => (s.op as { uri: string }).uri))) truth.set(uri, await this.settledPull(uri));
    for (let i = 0; i < sent.length; i++) {
      const s = sent[i];
      const uri = (s.op as { uri: string }).uri;
      if (s.op.op === 'codeAction') {
        this.checkActions(uri, answers[i], s.sentAt, s.op.only, true);
        continue;
      }
      const p = this.interpret(uri, answers[i]);
      const expected = truth.get(uri);
      const m = this.models.get(uri);
      if (p.kind === 'failed') this.answerFailed('raced pull', p, 'race-pull');
      else if (p.kind === 'cancelled') {
        if (!s.edited && !(s.op as { cancel?: boolean }).cancel) this.fail('inconsistent', 'a raced pull with no edit after it was answered "cancelled"', 'race-cancelled');
      } else if (expected && !sameDiagnostics(expected, p.items) && ![...expected, ...p.items].some(timeDependent)) {
        const d = diffDiagnostics(expected, p.items);
        if (s.overtaken) this.fail('stale', `a pull overtaken by an edit was answered "full" for an older text (version ${s.sentAt}; now ${m?.version})`, 'race-pull', { expected: d.missing, got: d.extra });
        else this.fail('inconsistent', 'a raced pull and the pull right after it disagree', 'race-pull-differs', { expected: d.missing, got: d.extra });
      } else if (m) this.checkDiagnosticRanges(uri, m, p.items, 'raced pull');
    }
  }

  /** The server's answer for the current text against a fresh server's for the same text. */
  private async compare(uri: string): Promise<void> {
    const m = this.models.get(uri);
    if (!m) return;
    const got = await this.settledPull(uri);
    if (!got) return;
    this.rec.stats.comparisons++;
    const fresh = await this.ref.analyse(uri, m.languageId, m.version, m.text, this.opts.budgetMs);
    if ('why' in fresh) {
      // The same text is slow or fails in a fresh server too: a hang (or a failure) of its own.
      this.fail(fresh.hang ? 'hang' : 'request-failed', `${fresh.why} (${m.text.length} characters)`, 'fresh', { trace: [{ op: 'open', uri, languageId: m.languageId, version: m.version, text: m.text }, { op: 'pull', uri }] });
      this.broken = false;
      return;
    }
    if (sameDiagnostics(fresh.items, got)) return;
    if ([...fresh.items, ...got].some(timeDependent)) {
      // One of them ran out of time: what each found is partial, and which part depends on the machine.
      this.rec.stats.comparisonsSkipped++;
      return;
    }
    const d = diffDiagnostics(fresh.items, got);
    const codes = [...new Set([...d.missing, ...d.extra].map((k) => k.split(' ')[0]))].sort().join(',');
    this.fail('inconsistent', `version ${m.version}: the server's diagnostics differ from a fresh server's for the same text (${d.missing.length} missing, ${d.extra.length} extra: ${codes})`, "compare", {
      expected: d.missing,
      got: d.extra,
    });
  }

  checkAlive(): void {
    if (this.client.alive || this.broken) return;
    const stderr = this.client.stderr.trim().split('\n').slice(-3).join(' | ');
    this.fail('crash', `the server exited (${JSON.stringify(this.client.exit)})${stderr ? `: ${firstLine(stderr, 200)}` : ''}`, 'exit');
  }

  /** Valid input must log no error and write nothing to stderr. */
  checkLogs(): void {
    const logs = this.client.logs;
    const sig = (m: string) => firstLine(m, 60).replace(/file:\/\/\S+/g, 'URI').replace(/\d+/g, 'N');
    for (; this.logSeen < logs.length; this.logSeen++) {
      const l = logs[this.logSeen];
      if (this.logMode === 'valid' && l.type === 1) this.fail('error-log', `${l.method} error: ${firstLine(l.message)}`, `log:${sig(l.message)}`, { got: l.message.slice(0, 2000) });
      else if (this.logMode === 'bad-input' && isNoisy(l.message)) this.fail('noisy-log', `a ${l.message.split('\n').length}-line log for one bad input: ${firstLine(l.message)}`, `log:${sig(l.message)}`, { got: l.message.slice(0, 2000) });
    }
    if (this.client.stderr.length > this.stderrSeen) {
      const text = this.client.stderr.slice(this.stderrSeen);
      this.stderrSeen = this.client.stderr.length;
      if (!this.client.alive) return;
      if (this.logMode === 'valid') this.fail('error-log', `stderr: ${firstLine(text)}`, `stderr:${sig(text)}`, { got: text.slice(0, 2000) });
      else if (isNoisy(text)) this.fail('noisy-log', `stderr for one bad input: ${firstLine(text)}`, `stderr:${sig(text)}`, { got: text.slice(0, 2000) });
    }
  }
}
