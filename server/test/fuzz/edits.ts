import type { Range } from 'vscode-languageserver-protocol/node';
import type { Lang } from './corpus';
import type { Rng } from './prng';
import { DocModel, type Change } from './text-model';

/** What a generated edit did, for the counts. */
export type EditKind =
  | 'type' | 'partial' | 'delete' | 'replace-word' | 'number' | 'unbalanced' | 'line-break' | 'unicode' | 'surrogate'
  | 'tab' | 'huge-line' | 'paste' | 'whole' | 'reversed' | 'comment' | 'multi';

const TOKENS: Record<Lang, string[]> = {
  py: ['await ', 'async def ', 'def ', 'for x in rows:', 'return ', '.to_list(1000)', '.to_list(None)', '.limit(limit * 2)', '.find({})', 'db.users', 'AsyncIOMotorClient("mongodb://x")', 'smtplib.SMTP("h")', 'time.sleep(1)', 'requests.get(url)', '\n    ', '\n        ', ':', 'if ', 'else:', 'None', 'True', '# headroom-ignore[hardcoded-fetch-cap]', 'lambda: ', 'yield ', 'with ', 'import os\n', '@router.get("/x")\n', 'class A:'],
  go: ['func ', 'go ', 'for _, x := range xs {', '}', '{', 'return ', 'err != nil', 'sql.Open("postgres", dsn)', 's.db.QueryContext(ctx, "SELECT * FROM t LIMIT 1000")', '.Limit(limit * 2)', '.Find(&rows)', 'smtp.SendMail(a, nil, f, to, b)', 'make(map[string]*rate.Limiter)', '\n\t', '\n\t\t', ':= ', 'var ', 'defer ', 'if ', 'nil', '// headroom-ignore[pool-unconfigured]', 'type T struct {', 'package main\n', '`', 'import "fmt"\n'],
  ts: ['await ', 'async ', 'const ', 'let ', '=> ', 'function ', 'return ', '.limit(1000)', '.toArray()', '.find({})', 'prisma.user.findMany()', 'new Pool({})', 'new MongoClient(url)', 'fs.readFileSync(f)', 'Promise.all(xs.map(f))', 'new Map<string, number>()', '\n  ', '\n    ', ': string', 'interface X {', '<T>', 'as any', '// headroom-ignore[unbounded-fetch]', '${', '`', 'router.get("/x", async (req, res) => {', '});'],
  js: ['await ', 'async ', 'const ', 'let ', '=> ', 'function ', 'return ', '.limit(1000)', '.toArray()', '.find({})', 'require("pg")', 'new Pool({})', 'mongoose.connect(url)', 'fs.readFileSync(f)', 'Promise.all(xs.map(f))', 'new Map()', '\n  ', '<div>', '</div>', '<d>', '/>', '// headroom-ignore[unbounded-fetch]', '${', '`', 'router.get("/x", async (req, res) => {', '});', 'module.exports = '],
};

const UNBALANCED = ['(', ')', '[', ']', '{', '}', '"', "'", '`', '"""', "'''", '/*', '*/', '<', '>', '\\', '${'];
const UNICODE = ['😀', '👨‍👩‍👧‍👦', '🏳️‍🌈', '\uFEFF', '\u2028', '\u2029', 'é', 'e\u0301', '日本語', '\u200B', '\u00A0', 'ﬁ', '𝔘𝔫𝔦'];
const SURROGATES = ['\uD83D', '\uDE00', '\uDBFF', '\uDC00', '\uDE00\uD83D'];
const BREAKS = ['\n', '\r\n', '\r', '\n\n', '\r\r\n', '\n\r'];
const COMMENT: Record<Lang, string> = { py: '# ', go: '// ', ts: '// ', js: '// ' };

export interface EditOptions {
  /** Above this size, edits shrink the document. */
  maxChars: number;
  /** Probability of a huge line (thousands of characters). */
  hugeLine: number;
}

/**
 * One didChange's content changes for the document as it is now: mostly what typing makes (small
 * insertions and deletions near code that matters), sometimes the odd things clients and users
 * produce. Changes after the first in a notification are relative to the text the earlier ones made.
 */
export function generateEdit(r: Rng, model: DocModel, lang: Lang, opts: EditOptions): { kind: EditKind; changes: Change[] } {
  if (r.chance(0.06)) {
    const scratch = new DocModel(model.uri, model.languageId, model.version, model.text);
    const n = r.between(2, 4);
    const changes: Change[] = [];
    for (let i = 0; i < n; i++) {
      const c = oneChange(r, scratch, lang, opts, true).changes[0];
      changes.push(c);
      scratch.apply([c], scratch.version);
    }
    return { kind: 'multi', changes };
  }
  return oneChange(r, model, lang, opts, false);
}

function oneChange(r: Rng, m: DocModel, lang: Lang, opts: EditOptions, inMulti: boolean): { kind: EditKind; changes: Change[] } {
  const text = m.text;
  if (text.length > opts.maxChars) {
    // Too big: cut a large chunk (or, rarely, start over from a small text).
    if (r.chance(0.1) && !inMulti) return { kind: 'whole', changes: [{ text: text.slice(0, Math.floor(opts.maxChars / 4)) }] };
    const start = r.int(text.length);
    return { kind: 'delete', changes: [{ range: rangeOf(m, start, Math.min(text.length, start + Math.floor(text.length / 3))), text: '' }] };
  }
  const kind = r.weighted<EditKind>([
    [30, 'type'], [8, 'partial'], [14, 'delete'], [6, 'replace-word'], [6, 'number'], [5, 'unbalanced'], [3, 'line-break'],
    [3, 'unicode'], [1, 'surrogate'], [2, 'tab'], [opts.hugeLine * 100, 'huge-line'], [3, 'paste'], [inMulti ? 0 : 1, 'whole'],
    [2, 'reversed'], [3, 'comment'],
  ]);
  const at = interestingOffset(r, text, lang);
  const insert = (s: string): Change[] => [{ range: rangeOf(m, at, at), text: s }];
  switch (kind) {
    case 'type':
      return { kind, changes: insert(r.chance(0.5) ? r.pick(TOKENS[lang]) : randomWordish(r)) };
    case 'partial': {
      const t = r.pick(TOKENS[lang]);
      return { kind, changes: insert(t.slice(0, Math.max(1, r.int(t.length)))) };
    }
    case 'delete': {
      const len = r.weighted<number>([[6, 1], [3, r.between(2, 12)], [2, r.between(13, 200)], [1, r.between(200, 2000)]]);
      return { kind, changes: [{ range: rangeOf(m, at, Math.min(text.length, at + len)), text: '' }] };
    }
    case 'replace-word': {
      const [s, e] = wordAround(text, at);
      return { kind, changes: [{ range: rangeOf(m, s, e), text: r.chance(0.5) ? r.pick(TOKENS[lang]).trim() : randomWordish(r) }] };
    }
    case 'number': {
      const re = /\d+/g;
      const nums: [number, number][] = [];
      for (let x = re.exec(text); x && nums.length < 500; x = re.exec(text)) nums.push([x.index, x.index + x[0].length]);
      if (nums.length === 0) return { kind, changes: insert(String(r.pick([1, 10, 100, 1000, 5000]))) };
      const [s, e] = r.pick(nums);
      return { kind, changes: [{ range: rangeOf(m, s, e), text: String(r.pick([0, 1, 2, 5, 10, 20, 100, 500, 1000, 5000, 100000])) }] };
    }
    case 'unbalanced':
      return { kind, changes: insert(r.pick(UNBALANCED)) };
    case 'line-break': {
      // Either type a break, or turn an existing `\n` into another kind of break.
      const nl = text.indexOf('\n', at);
      if (nl >= 0 && r.chance(0.5)) return { kind, changes: [{ range: rangeOf(m, nl, nl + 1), text: r.pick(['\r\n', '\r', '\n\r']) }] };
      return { kind, changes: insert(r.pick(BREAKS)) };
    }
    case 'unicode':
      return { kind, changes: insert(r.pick(UNICODE).repeat(r.between(1, 3))) };
    case 'surrogate': {
      // A lone surrogate, or an edit inside an existing surrogate pair.
      const pair = /[\uD800-\uDBFF][\uDC00-\uDFFF]/.exec(text.slice(at));
      if (pair && r.chance(0.5)) {
        const p = at + pair.index + 1;
        return { kind, changes: [{ range: rangeOf(m, p, p), text: r.pick(['x', '', '\n', '\uD83D']) }] };
      }
      return { kind, changes: insert(r.pick(SURROGATES)) };
    }
    case 'tab':
      return { kind, changes: insert(r.pick(['\t', '\t\t', ' \t', '\t\n'])) };
    case 'huge-line': {
      const n = r.weighted<number>([[4, r.between(1000, 4000)], [1, r.between(4000, 20000)]]);
      const unit = r.pick(['x', ' ', 'abc_', '"s" + ', '# comment ', '(1 + 2) * ', '.find()', '.to_list(10)', '😀', 'a, ']);
      return { kind, changes: insert(unit.repeat(Math.ceil(n / unit.length)).slice(0, n)) };
    }
    case 'paste': {
      const from = r.int(text.length);
      const len = r.weighted<number>([[4, r.between(1, 80)], [3, r.between(80, 600)], [1, r.between(600, 3000)]]);
      return { kind, changes: insert(text.slice(from, from + len)) };
    }
    case 'whole': {
      // A formatter or a "revert": the whole text, slightly changed, with no range.
      const cut = r.int(text.length);
      const next = r.chance(0.3) ? text.replace(/\r?\n/g, r.pick(['\r\n', '\n'])) : text.slice(0, cut) + r.pick(TOKENS[lang]) + text.slice(cut);
      return { kind, changes: [{ text: next }] };
    }
    case 'reversed': {
      const len = r.between(0, 30);
      const end = Math.min(text.length, at + len);
      const range = rangeOf(m, at, end);
      return { kind, changes: [{ range: { start: range.end, end: range.start }, text: r.chance(0.5) ? '' : r.pick(TOKENS[lang]) }] };
    }
    case 'comment': {
      const lineStart = text.lastIndexOf('\n', at - 1) + 1;
      const c = COMMENT[lang];
      if (text.startsWith(c, lineStart)) return { kind, changes: [{ range: rangeOf(m, lineStart, lineStart + c.length), text: '' }] };
      return { kind, changes: [{ range: rangeOf(m, lineStart, lineStart), text: r.chance(0.8) || lang === 'py' ? c : '/* ' }] };
    }
    default:
      return { kind: 'multi', changes: [] };
  }
}

function rangeOf(m: DocModel, start: number, end: number): Range {
  return { start: m.positionAt(start), end: m.positionAt(end) };
}

/** Mostly a place where findings live (calls, numbers, brackets), otherwise anywhere. */
function interestingOffset(r: Rng, text: string, lang: Lang): number {
  if (text.length === 0) return 0;
  if (r.chance(0.55)) {
    const needles = lang === 'py' ? ['to_list(', 'find(', 'limit(', 'async def', 'await', 'Client(', 'SMTP', 'for '] : lang === 'go' ? ['Query', 'sql.Open', 'Limit(', 'go ', 'for ', 'func ', 'SendMail', 'map['] : ['limit(', 'find', 'await', 'async', 'new ', 'Promise.all', 'readFileSync', 'for ('];
    const needle = r.pick(needles);
    const hits: number[] = [];
    for (let i = text.indexOf(needle); i >= 0 && hits.length < 200; i = text.indexOf(needle, i + 1)) hits.push(i);
    if (hits.length > 0) return Math.min(text.length, r.pick(hits) + r.int(needle.length + 12));
  }
  return r.int(text.length + 1);
}

function wordAround(text: string, at: number): [number, number] {
  let s = at;
  let e = at;
  while (s > 0 && /\w/.test(text[s - 1])) s--;
  while (e < text.length && /\w/.test(text[e])) e++;
  return [s, e];
}

function randomWordish(r: Rng): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz_0123456789 .,;:()=+-*"\'';
  let s = '';
  for (let i = r.between(1, 8); i > 0; i--) s += alphabet[r.int(alphabet.length)];
  return s;
}
