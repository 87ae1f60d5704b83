import type { Range } from 'vscode-languageserver-protocol/node';
import { Recorder, Session, type Reference } from './executor';
import type { Failure, FailureClass, Op } from './ops';
import { DocModel, lspLines, type Change } from './text-model';

/** A failure's reproduction: open these documents, run these steps, see `got` where `expected` was due. */
export interface Repro {
  cls: FailureClass;
  detail: string;
  language?: string;
  docs: { uri: string; languageId: string; version: number; text: string }[];
  steps: Op[];
  expected?: unknown;
  got?: unknown;
  /** Replayed once more on a newly started server after shrinking ('not checked' for a scenario's hang). */
  reproducesOnFreshServer: boolean | 'not checked';
  shrunkFrom: { ops: number; chars: number };
  shrinkAttempts: number;
}

export interface ShrinkOptions {
  budgetMs: number;
  /** Wall-clock limit for one failure's shrinking. */
  timeMs: number;
  maxAttempts: number;
  /** Progress of each stage (for working on the shrinker). */
  debug?: (line: string) => void;
}

/**
 * Delta debugging over a failure's trace, replayed on a server of its own (kept between attempts,
 * restarted after a crash or a hang): keep only the last ops (the documents opened as they were
 * just before them), drop ops, shorten inserted text, delete lines of the opened documents (later
 * ranges moved to match), for as long as a failure of the same class and check persists.
 */
export async function shrink(f: Failure, ref: Reference, opts: ShrinkOptions): Promise<Repro> {
  const original = f.trace ?? [];
  const deadline = Date.now() + opts.timeMs;
  const rec = new Recorder();
  const session = new Session(rec, ref, { budgetMs: opts.budgetMs, phase: 'shrink', lang: f.lang });
  let attempts = 0;
  let best = original;
  let bestFailure: Failure | undefined;
  // The same class and check (a hang or a crash is one whatever request met it).
  const sameCheck = (g: Failure) => g.cls === f.cls && (f.cls === 'hang' || f.cls === 'crash' || g.kind.split(':')[0] === f.kind.split(':')[0]);
  const outOfTime = () => Date.now() > deadline || attempts >= opts.maxAttempts;

  const replay = async (ops: Op[], s: Session): Promise<Failure | undefined> => {
    let hit: Failure | undefined;
    rec.listener = (g) => {
      if (!hit && sameCheck(g)) hit = g;
    };
    if (s.broken || !s.client?.alive) await s.restart();
    else s.reset();
    for (const op of structuredClone(ops)) {
      await s.run(op);
      if (hit || s.broken) break;
    }
    rec.listener = undefined;
    return hit;
  };
  const test = async (ops: Op[]): Promise<boolean> => {
    if (outOfTime()) return false;
    attempts++;
    const g = await replay(ops, session);
    opts.debug?.(`    attempt ${attempts}: ${ops.length} ops, ${size(ops)} chars: ${g ? 'fails (kept)' : 'passes'}`);
    if (g) {
      best = ops;
      bestFailure = g;
    }
    return g !== undefined;
  };

  try {
    await session.start();
    // 1. The shortest suffix that still fails (exponential, then binary search).
    const n = original.length;
    let hi = 0;
    for (let len = 1; len < n && !outOfTime(); len *= 2) {
      if (await test(collapse(original, n - len))) {
        hi = len;
        break;
      }
    }
    if (hi === 0 && !(await test(original))) hi = -1;
    if (hi > 1) {
      let lo = hi / 2;
      while (hi - lo > 1 && !outOfTime()) {
        const mid = Math.floor((lo + hi) / 2);
        if (await test(collapse(original, n - mid))) hi = mid;
        else lo = mid;
      }
      await test(collapse(original, n - hi));
    }
    const stage = (name: string) => opts.debug?.(`  ${name}: ${attempts} attempts, ${best.length} ops, ${size(best)} chars, ${Date.now() - deadline + opts.timeMs} ms`);
    stage(`suffix ${hi}`);
    if (hi !== -1 && f.cls !== 'hang') {
      // 2. Drop ops (ddmin), 3. delete lines of the opened documents (smaller texts make later attempts cheaper),
      // 4. shorten inserted text, then drop ops again.
      await ddmin(best, (ops) => test(ops), outOfTime);
      stage('ddmin');
      await shrinkDocuments(() => best, test, outOfTime);
      await shortenLines(() => best, test, outOfTime);
      stage('documents');
      await shortenTexts(() => best, test, outOfTime);
      stage('texts');
      await shrinkRaces(() => best, test, outOfTime);
      await ddmin(best, (ops) => test(ops), outOfTime);
      stage('ddmin');
    } else if (hi !== -1) {
      // A hang costs a budget per attempt: only halve the opened documents.
      await shrinkDocuments(() => best, test, () => outOfTime() || attempts > 12, true);
    }
  } finally {
    session.dispose();
  }

  // Once more on a server of its own, as a reader of the repro would run it.
  const fresh = new Session(rec, ref, { budgetMs: opts.budgetMs, phase: 'verify', lang: f.lang });
  let reproduces = false;
  try {
    await fresh.start();
    reproduces = (await replay(best, fresh)) !== undefined;
  } finally {
    fresh.dispose();
  }
  const leading = best.findIndex((o) => o.op !== 'open');
  const opens = (leading < 0 ? best : best.slice(0, leading)) as Extract<Op, { op: 'open' }>[];
  const g = bestFailure ?? f;
  return {
    cls: f.cls,
    detail: g.detail,
    language: f.lang,
    docs: opens.map(({ uri, languageId, version, text }) => ({ uri, languageId, version, text })),
    steps: (leading < 0 ? [] : best.slice(leading)).map(stripResolved),
    expected: g.expected,
    got: g.got,
    reproducesOnFreshServer: reproduces,
    shrunkFrom: { ops: original.length, chars: original.reduce((s, o) => s + (o.op === 'open' ? o.text.length : 0), 0) },
    shrinkAttempts: attempts,
  };
}

function size(ops: Op[]): number {
  return ops.reduce((s, o) => s + (o.op === 'open' ? o.text.length : 0), 0);
}

function stripResolved(op: Op): Op {
  if (op.op === 'applyFix') {
    const { resolved: _r, ...rest } = op;
    return rest;
  }
  return op;
}

/** The documents as they are after `ops[0..k)` (the client's side only), opened, then `ops[k..]`. */
export function collapse(ops: Op[], k: number): Op[] {
  const models = new Map<string, DocModel>();
  const change = (uri: string, version: number, changes: Change[]) => models.get(uri)?.apply(changes, version);
  const apply = (o: Op) => {
    if (o.op === 'open') models.set(o.uri, new DocModel(o.uri, o.languageId, o.version, o.text));
    else if (o.op === 'close') models.delete(o.uri);
    else if (o.op === 'change') change(o.uri, o.version, o.changes);
    else if (o.op === 'applyFix' && o.resolved) change(o.uri, (models.get(o.uri)?.version ?? 0) + 1, o.resolved);
    else if (o.op === 'race') o.ops.forEach(apply);
  };
  ops.slice(0, k).forEach(apply);
  const opens: Op[] = [...models.values()].map((m) => ({ op: 'open', uri: m.uri, languageId: m.languageId, version: m.version, text: m.text }));
  return [...opens, ...ops.slice(k)];
}

async function ddmin(start: Op[], test: (ops: Op[]) => Promise<boolean>, outOfTime: () => boolean): Promise<void> {
  let ops = start;
  let chunks = 2;
  while (ops.length >= 2 && !outOfTime()) {
    const size = Math.ceil(ops.length / chunks);
    let reduced = false;
    for (let i = 0; i < ops.length && !outOfTime(); i += size) {
      const candidate = [...ops.slice(0, i), ...ops.slice(i + size)];
      if (candidate.length > 0 && (await test(candidate))) {
        ops = candidate;
        chunks = Math.max(chunks - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (size <= 1) break;
      chunks = Math.min(ops.length, chunks * 2);
    }
  }
}

/** Drops the ops of a race one at a time (a race left with one op is kept as a race: it is still one write). */
async function shrinkRaces(best: () => Op[], test: (ops: Op[]) => Promise<boolean>, outOfTime: () => boolean): Promise<void> {
  for (let i = 0; i < best().length; i++) {
    for (let j = 0; !outOfTime(); ) {
      const race = best()[i];
      if (race.op !== 'race' || j >= race.ops.length || race.ops.length < 2) break;
      const ops = structuredClone(best());
      (ops[i] as Extract<Op, { op: 'race' }>).ops.splice(j, 1);
      if (!(await test(ops))) j++;
    }
  }
}

/** Halves each inserted text (and drops single changes of a multi-change notification) while the failure persists. */
async function shortenTexts(best: () => Op[], test: (ops: Op[]) => Promise<boolean>, outOfTime: () => boolean): Promise<void> {
  const paths = (ops: Op[]) => {
    const out: [number, number | undefined][] = [];
    ops.forEach((o, i) => {
      if (o.op === 'change') out.push([i, undefined]);
      if (o.op === 'race') o.ops.forEach((x, j) => x.op === 'change' && out.push([i, j]));
    });
    return out;
  };
  const changeAt = (ops: Op[], [i, j]: [number, number | undefined]) => {
    const o = j === undefined ? ops[i] : (ops[i] as Extract<Op, { op: 'race' }>).ops[j];
    return o as Extract<Op, { op: 'change' }>;
  };
  for (const p of paths(best())) {
    for (let c = 0; c < changeAt(best(), p).changes.length && !outOfTime(); c++) {
      if (changeAt(best(), p).changes.length > 1) {
        const ops = structuredClone(best());
        changeAt(ops, p).changes.splice(c, 1);
        if (await test(ops)) {
          c--;
          continue;
        }
      }
      for (;;) {
        const text = changeAt(best(), p).changes[c]?.text ?? '';
        if (text.length < 2 || outOfTime()) break;
        const half = Math.floor(text.length / 2);
        let ok = false;
        for (const shorter of [text.slice(0, half), text.slice(half)]) {
          const ops = structuredClone(best());
          changeAt(ops, p).changes[c].text = shorter;
          if (await test(ops)) {
            ok = true;
            break;
          }
        }
        if (!ok) break;
      }
    }
  }
}

/** Deletes chunks of lines, then single lines, from each opened document, moving later ranges of it to match. */
async function shrinkDocuments(best: () => Op[], test: (ops: Op[]) => Promise<boolean>, outOfTime: () => boolean, halvesOnly = false): Promise<void> {
  for (let i = 0; i < best().length; i++) {
    if (best()[i].op !== 'open') continue;
    let size = Math.floor(lspLines((best()[i] as Extract<Op, { op: 'open' }>).text).length / 2);
    while (size >= 1 && !outOfTime()) {
      for (let a = 0; !outOfTime(); ) {
        const open = best()[i] as Extract<Op, { op: 'open' }>;
        const count = lspLines(open.text).length;
        if (a >= count || count <= 1) break;
        const candidate = deleteLines(best(), i, a, Math.min(count, a + size));
        const same = candidate && (candidate[i] as Extract<Op, { op: 'open' }>).text === open.text;
        if (!candidate || same || !(await test(candidate))) a += size;
      }
      if (halvesOnly && size < 8) break;
      size = Math.floor(size / 2);
    }
  }
}

/** Halves the longest lines of each opened document (huge lines survive line deletion), where no later op names that line. */
async function shortenLines(best: () => Op[], test: (ops: Op[]) => Promise<boolean>, outOfTime: () => boolean): Promise<void> {
  for (let i = 0; i < best().length; i++) {
    const first = best()[i];
    if (first.op !== 'open') continue;
    const named = new Set<number>();
    const note = (o: Op) => {
      if (!('uri' in o) || o.uri !== first.uri) return;
      const ranges = o.op === 'change' ? o.changes.flatMap((c) => (c.range ? [c.range] : [])) : o.op === 'codeAction' && o.range ? [o.range] : [];
      for (const r of ranges) for (let l = Math.min(r.start.line, r.end.line); l <= Math.max(r.start.line, r.end.line); l++) named.add(l);
    };
    best().slice(i + 1).forEach((o) => (o.op === 'race' ? o.ops.forEach(note) : note(o)));
    const long = lspLines(first.text)
      .map((l, n) => ({ n, length: l.length }))
      .filter((l) => l.length > 80 && !named.has(l.n))
      .sort((a, b) => b.length - a.length)
      .slice(0, 8);
    for (const { n } of long) {
      while (!outOfTime()) {
        const ops = structuredClone(best());
        const open = ops[i] as Extract<Op, { op: 'open' }>;
        const line = lspLines(open.text)[n];
        if (!line || line.length <= 80) break;
        open.text = open.text.slice(0, line.start + Math.floor(line.length / 2)) + open.text.slice(line.start + line.length);
        if (!(await test(ops))) break;
      }
    }
  }
}

/**
 * Deletes lines [a, b) of the document opened by `ops[at]`. Later ops on it are moved: ranges below
 * the deleted lines go up; ranges above them stay (the deleted lines move with their edits);
 * a range touching them makes the candidate invalid (undefined). A whole-text change or a reopen ends the mapping.
 */
export function deleteLines(ops: Op[], at: number, a: number, b: number): Op[] | undefined {
  const out = structuredClone(ops);
  const open = out[at] as Extract<Op, { op: 'open' }>;
  const lines = lspLines(open.text);
  const from = lines[a].start;
  const to = b < lines.length ? lines[b].start : open.text.length;
  open.text = open.text.slice(0, from) + open.text.slice(to);
  const removed = b - a;
  let region: [number, number] | undefined = [a, b];
  const move = (r: Range): Range | undefined => {
    if (!region) return r;
    const [s, e] = lineOrder(r);
    if (e < region[0]) return r;
    if (s >= region[1]) return { start: { line: r.start.line - removed, character: r.start.character }, end: { line: r.end.line - removed, character: r.end.character } };
    return undefined;
  };
  const visit = (o: Op): boolean => {
    if (!region || !('uri' in o) || o.uri !== open.uri) return true;
    if (o.op === 'open' || o.op === 'close') {
      region = undefined;
      return true;
    }
    if (o.op === 'codeAction' && o.range) {
      const r = move(o.range);
      if (!r) return false;
      o.range = r;
    }
    if (o.op === 'change') {
      for (const c of o.changes) {
        if (!region) break;
        if (!c.range) {
          region = undefined;
          break;
        }
        const [s, e] = lineOrder(c.range);
        const r = move(c.range);
        if (!r) return false;
        c.range = r;
        if (e < region[0]) {
          const delta = lspLines(c.text).length - 1 - (e - s);
          region = [region[0] + delta, region[1] + delta];
        }
      }
    }
    return true;
  };
  for (let i = at + 1; i < out.length; i++) {
    const o = out[i];
    if (o.op === 'race') {
      for (const x of o.ops) if (!visit(x)) return undefined;
    } else if (!visit(o)) return undefined;
  }
  return out;
}

function lineOrder(r: Range): [number, number] {
  return r.start.line <= r.end.line ? [r.start.line, r.end.line] : [r.end.line, r.start.line];
}
