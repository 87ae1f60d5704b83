/**
 * The literals a query pattern needs. Text predicates (`#eq?`, `#any-of?`, `#match?`) are evaluated
 * by the binding only after the C engine has matched the structure and every captured node has been
 * marshalled into JavaScript, which costs microseconds per raw match. From a pattern's source we
 * take one positive text predicate whose values are plain literals: every match of the pattern
 * contains an occurrence of one of them, so the pattern need only run around those occurrences.
 */

/** Splits query source into its top-level patterns (predicates that follow a pattern belong to it). */
export function splitPatterns(source: string): string[] {
  const patterns: string[] = [];
  let i = 0;
  let current = '';
  const n = source.length;
  while (i < n) {
    const c = source[i];
    if (c === ';') {
      while (i < n && source[i] !== '\n') i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '(' || c === '[') {
      i = skipBalanced(source, i);
    } else if (c === '"') {
      i = skipString(source, i);
    } else {
      // A capture name, quantifier or anchor that trails the previous pattern.
      while (i < n && !/[\s()[\]";]/.test(source[i])) i++;
      current += ' ' + source.slice(start, i);
      continue;
    }
    const form = source.slice(start, i);
    if (form.startsWith('(#') && current) current += ' ' + form;
    else {
      if (current) patterns.push(current);
      current = form;
    }
  }
  if (current) patterns.push(current);
  return patterns;
}

function skipString(s: string, i: number): number {
  i++;
  while (i < s.length && s[i] !== '"') i += s[i] === '\\' ? 2 : 1;
  return i + 1;
}

function skipBalanced(s: string, i: number): number {
  let depth = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '"') {
      i = skipString(s, i);
      continue;
    }
    if (c === ';') {
      while (i < s.length && s[i] !== '\n') i++;
      continue;
    }
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return i;
}

const PREDICATE = /\(#(eq|any-of|match)\?\s+@([\w.-]+)((?:\s+"(?:[^"\\]|\\.)*")+)\s*\)/g;
const STRING = /"((?:[^"\\]|\\.)*)"/g;

function unescape(s: string): string {
  return s.replace(/\\(.)/g, (_, ch: string) => (ch === 'n' ? '\n' : ch === 't' ? '\t' : ch));
}

/**
 * One literal a pattern needs, and whether an occurrence of it starts and ends a token: a node's
 * text equal to it (`#eq?`, `#any-of?`), or a regex anchored with `^`/`$`/`\\b`.
 */
export interface PatternLiteral {
  text: string;
  start: boolean;
  end: boolean;
}

/** A regex that only matches plain words (optionally anchored or grouped as alternatives) yields them. */
function regexLiterals(regex: string): PatternLiteral[] | undefined {
  const body = regex.replace(/^\^/, '').replace(/\$$/, '').replace(/^\\b|\\b$/g, '');
  const group = /^\((?:\?:)?([^()]*)\)$/.exec(body)?.[1];
  const parts = (group ?? body).split('|');
  if (parts.some((p) => !/^[\w\-./: ]+$/.test(p))) return undefined;
  // `^a|b$` anchors a at the start and b at the end only: the anchors hold for every part when grouped.
  const whole = group !== undefined || parts.length === 1;
  const start = whole && /^(?:\^|\\b)/.test(regex);
  const end = whole && /(?:\$|\\b)$/.test(regex);
  return parts.map((text) => ({ text, start, end }));
}

/** The literals one pattern needs (any one of them), or undefined when it needs none we can tell. */
export function patternLiterals(pattern: string): string[] | undefined {
  return patternAnchors(pattern)?.map((l) => l.text);
}

/** patternLiterals, with where each occurrence must stand. */
export function patternAnchors(pattern: string): PatternLiteral[] | undefined {
  let best: PatternLiteral[] | undefined;
  for (const m of pattern.matchAll(PREDICATE)) {
    // The binding passes `#eq?` when its capture is absent (any-of and match fail), so an `#eq?` on
    // an optional capture requires nothing.
    if (m[1] === 'eq' && !captureIsRequired(pattern, m[2])) continue;
    const values = [...m[3].matchAll(STRING)].map((s) => unescape(s[1]));
    const literals = m[1] === 'match' ? (values.length === 1 ? regexLiterals(values[0]) : undefined) : values.map((text) => ({ text, start: true, end: true }));
    if (!literals || literals.some((l) => l.text.length === 0)) continue;
    // Prefer the most selective predicate: the one whose shortest literal is longest.
    if (!best || Math.min(...literals.map((l) => l.text.length)) > Math.min(...best.map((l) => l.text.length))) best = literals;
  }
  return best;
}

/** A word character before or after a literal that starts or ends a token: another token (`or` inside `error`), as lexers munch identifiers whole. */
const BEFORE = '(?<![A-Za-z_])';
const AFTER = '(?![A-Za-z0-9_])';

/**
 * A regex finding the literals' occurrences, longest first. A digit may precede a token (Python's
 * `1or 2`) and `$` follow one (a template's `in${x}`), so those do not count. The literals are
 * grouped by the boundaries they need: one boundary test per position, not one per literal.
 */
export function anchorRegex(literals: readonly PatternLiteral[]): RegExp {
  const groups = new Map<string, Set<string>>();
  for (const l of [...literals].sort((a, b) => b.text.length - a.text.length)) {
    const before = l.start && /^[A-Za-z_]/.test(l.text) ? BEFORE : '';
    const after = l.end && /[A-Za-z0-9_]$/.test(l.text) ? AFTER : '';
    const key = `${before}\0${after}`;
    if (!groups.has(key)) groups.set(key, new Set());
    groups.get(key)!.add(l.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  }
  const alternatives = [...groups].map(([key, texts]) => {
    const [before, after] = key.split('\0');
    return `${before}(?:${[...texts].join('|')})${after}`;
  });
  return new RegExp(alternatives.join('|'), 'g');
}

/**
 * Whether every match of the pattern has the capture: it is not on a quantified (`?`, `*`) node, nor
 * inside a quantified group or an alternation.
 */
export function captureIsRequired(source: string, name: string): boolean {
  // Blank out string contents so parentheses inside predicate regexes do not count as groups.
  const pattern = source.replace(/"(?:[^"\\]|\\.)*"/g, (s) => `"${' '.repeat(s.length - 2)}"`);
  const re = new RegExp(`@${name.replace(/[.-]/g, '\\$&')}(?![\\w.-])`, 'g');
  let pos = -1;
  for (const m of pattern.matchAll(re)) {
    if (!insidePredicate(pattern, m.index)) {
      pos = m.index;
      break;
    }
  }
  if (pos < 0) return false;
  let k = pos - 1;
  while (k >= 0 && /\s/.test(pattern[k])) k--;
  if (pattern[k] === '?' || pattern[k] === '*') return false;
  // Walk out through the enclosing groups.
  let depth = 0;
  for (let i = pos - 1; i >= 0; i--) {
    const c = pattern[i];
    if (c === ')' || c === ']') depth++;
    else if (c === '(' || c === '[') {
      if (depth > 0) {
        depth--;
        continue;
      }
      if (c === '[') return false;
      const close = skipBalanced(pattern, i);
      let j = close;
      while (j < pattern.length && /\s/.test(pattern[j])) j++;
      if (pattern[j] === '?' || pattern[j] === '*') return false;
    }
  }
  return true;
}

function insidePredicate(pattern: string, at: number): boolean {
  const open = pattern.lastIndexOf('(#', at);
  return open >= 0 && skipBalanced(pattern, open) > at;
}
