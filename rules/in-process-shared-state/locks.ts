import type { SyntaxNode } from 'tree-sitter';
import type { CandidateInit, CheckContext, FactInit, RuleMatch } from '../../server/src/engine/rule-api';
import type { QueryLanguage } from '../../server/src/engine/languages';
import { effectsOf } from '../../server/src/model/library';
import type { FileContext } from '../../server/src/model/file-context';

/**
 * A process-wide lock guarding a check and a write to the database: `async with lock:` around
 * "read the seat, then book it", `mu.Lock()` before "count, then insert", `mutex.runExclusive(...)`.
 * The lock makes the pair atomic among the requests of one process; a second instance or worker
 * runs its own, so two requests can both pass the check. Facts: LOCKED `name` (a critical section
 * of the lock `name`, in a request handler, middleware or job, that reads and then writes).
 */

export const LOCKED = 'ipss.locked-check-write';

const MESSAGE =
  '`{name}` is a lock of this process, and a {where} holds it while it reads and then writes the database: the check and the write are exclusive only among this process\'s requests, so once a second instance or worker runs, two requests can both pass the check (a double booking, a duplicate row, a balance below zero). Let the database keep the invariant (a unique constraint, a conditional `UPDATE … WHERE`, `SELECT … FOR UPDATE` in a transaction) or take a lock every instance sees (a Redis lock, a PostgreSQL advisory lock).';
const RELATED = 'held here around a read and a write';

const READS = new Set(['db-read-one', 'db-read-many', 'db-count']);
const WRITES = new Set(['db-write', 'db-write-many']);
const SERIAL_ROLES = new Set(['handler', 'middleware', 'job']);

/** A module-level (package-level) lock the models make (`asyncio.Lock()`, `var mu sync.Mutex`, `new Mutex()`). */
export function lockCandidate(match: RuleMatch): CandidateInit | undefined {
  const node = match.node('match')!;
  const ctor = match.node('ctor')!;
  // Go declares a lock by its type (`var mu sync.Mutex`): the type's name resolves like a value's.
  const r = ctor.type === 'qualified_type' ? match.file.resolver.resolve({ kind: 'name', path: ctor.text.split('.'), start: ctor.startIndex, end: ctor.endIndex }, ctor.startIndex) : match.file.resolve(ctor);
  if (r.kind !== 'library' || !effectsOf(r.row).includes('lock')) return undefined;
  if (!moduleLevel(node, match.language as QueryLanguage)) return undefined;
  const name = match.text('name')!;
  return {
    node,
    message: MESSAGE,
    args: { name, where: 'request handler or job' },
    requires: [{ fact: LOCKED, key: name, related: RELATED }],
    data: { kind: 'lock' },
  };
}

function moduleLevel(node: SyntaxNode, lang: QueryLanguage): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'function_definition' || n.type === 'function_declaration' || n.type === 'method_declaration' || n.type === 'func_literal' || n.type === 'class_definition' || n.type === 'class_declaration' || n.type === 'arrow_function' || n.type === 'function_expression' || n.type === 'method_definition') return false;
  }
  return lang === 'go' ? node.parent?.type === 'var_declaration' && node.parent.parent?.type === 'source_file' : true;
}

/** The statements a lock guards, from the match: a `with` block, what follows `Lock()` up to `Unlock()`, a `runExclusive` callback, what follows `acquire()`. */
function guarded(match: RuleMatch, lang: QueryLanguage): SyntaxNode[] {
  const node = match.node('node')!;
  const key = match.text('key')!;
  if (lang === 'python') return [match.node('body')!];
  if (lang === 'typescript' && match.text('method') === 'runExclusive') {
    const cb = node.childForFieldName('arguments')?.namedChildren[0];
    return cb && (cb.type === 'arrow_function' || cb.type === 'function_expression') ? [cb.childForFieldName('body')!] : [];
  }
  // Go `mu.Lock()` / TS `const release = await mutex.acquire()`: the rest of the block, to the unlock.
  let stmt: SyntaxNode | null = node;
  while (stmt && stmt.parent && !['block', 'statement_block', 'statement_list'].includes(stmt.parent.type)) stmt = stmt.parent;
  const out: SyntaxNode[] = [];
  for (let s = stmt?.nextNamedSibling ?? null; s; s = s.nextNamedSibling) {
    if (s.type !== 'defer_statement' && new RegExp(`\\b${key.replace(/[.$]/g, '\\$&')}\\.Unlock\\(|\\brelease\\(\\)`).test(s.text) && !/^(if|for)\b/.test(s.text)) break;
    out.push(s);
  }
  return out;
}

/** The calls in some statements, in order (not into nested function definitions other than callbacks). */
function callsIn(nodes: SyntaxNode[]): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const visit = (n: SyntaxNode) => {
    if (n.type === 'call' || n.type === 'call_expression') out.push(n);
    for (const c of n.namedChildren) visit(c);
  };
  nodes.forEach(visit);
  return out.sort((a, b) => a.startIndex - b.startIndex);
}

/** A critical section of a module-level lock, in per-request or job code, that reads and then writes the database. */
export function lockedFacts(match: RuleMatch, ctx: CheckContext): FactInit[] | undefined {
  const lang = match.language as QueryLanguage;
  const keyNode = match.node('key')!;
  if (keyNode.type !== 'identifier') return undefined;
  const fn = ctx.enclosingFunction(match.node('node')!);
  const role = fn ? match.file.roleOf(fn)?.role : undefined;
  if (!role || !SERIAL_ROLES.has(role)) return undefined;
  let read = false;
  for (const call of callsIn(guarded(match, lang))) {
    const e = dbEffects(match.file, call);
    if (e.some((x) => READS.has(x))) read = true;
    else if (read && e.some((x) => WRITES.has(x))) return [{ name: LOCKED, key: keyNode.text, node: match.node('node')! }];
  }
  return undefined;
}

function dbEffects(file: FileContext, call: SyntaxNode): string[] {
  const r = file.resolveCallee(call);
  return r.kind === 'library' ? effectsOf(r.row) : [];
}
