import type { SyntaxNode } from 'tree-sitter';
import { defineRule, type CandidateInit, type CheckContext, type FixTarget, type RuleMatch, type RuleMeta, type TextEditInit } from '../../server/src/engine/rule-api';
import { objectProperties, sameNode, stringLiteral } from '../../server/src/engine/syntax';
import { indentAt, indentUnit, lineStart, nextLineStart } from '../../server/src/engine/edit-helpers';
import type { FileContext } from '../../server/src/model/file-context';
import { models as shippedModels } from '../../server/src/model/library';
import { effectsOf, expandStatePredicates, lookupCall, lookupExpr, type LibraryHit, type Row } from '../per-request-db-write/lookup';
import meta from './rule.json';
import pythonScm from './python.scm';
import goScm from './go.scm';
import typescriptScm from './typescript.scm';

const python = expandStatePredicates(pythonScm, 'python');
const go = expandStatePredicates(goScm, 'go');
const typescript = expandStatePredicates(typescriptScm, 'typescript');

/** A search of a job list: the test that picks one job (`job.id == job_id`) and the job attribute it reads (`job.id`). */
interface Search {
  test: SyntaxNode;
  key: SyntaxNode;
  /** The key is the job's own id (`job.id`, `j.id`, `e.ID`): a lookup by id can replace the scan. */
  byId: boolean;
}

/** A read of a job's identity in a test: whether it is the job's id, and the attribute chain read (for messages). */
interface Key {
  byId: boolean;
  node: SyntaxNode;
}

/** What `check` hands to the fixes. */
type Shape = 'loop' | 'comprehension' | 'assigned' | 'chained' | 'declared';

function lastName(node: SyntaxNode | null | undefined): string {
  if (!node) return '';
  const last = node.childForFieldName('attribute') ?? node.childForFieldName('property') ?? node.childForFieldName('field') ?? node;
  return last.text;
}

/**
 * Whether a small expression (the operand of a test) uses one of the names. It looks at no more
 * than a few dozen nodes: an operand larger than that counts as using them, so it is not a value.
 */
function usesAny(node: SyntaxNode, vars: ReadonlySet<string>): boolean {
  if (vars.size === 0) return false;
  let budget = 64;
  const visit = (n: SyntaxNode): boolean => {
    if (--budget < 0) return true;
    if ((n.type === 'identifier' || n.type === 'shorthand_property_identifier') && vars.has(n.text)) return true;
    return n.namedChildren.some(visit);
  };
  return visit(node);
}

function isNegation(op: string | undefined): boolean {
  return op === '!=' || op === '!==';
}

// ---------------------------------------------------------------------------------------------
// Python

/** Job attributes that identify a job: APScheduler `id`/`name`/`args`/`kwargs`, RQ `meta`. */
const PY_KEY_ATTRS = new Set(['id', 'name', 'args', 'kwargs', 'meta', 'key']);
const PY_LITERALS = new Set(['integer', 'float', 'true', 'false', 'none']);

/** `job.id`, `job.args[0]`, `job.kwargs.get("user_id")`, `str(job.id)`: a read of the job's identity. */
function pyKey(node: SyntaxNode, vars: ReadonlySet<string>): Key | undefined {
  switch (node.type) {
    case 'parenthesized_expression':
      return node.namedChildren.length === 1 ? pyKey(node.namedChildren[0], vars) : undefined;
    case 'attribute': {
      const obj = node.childForFieldName('object')!;
      const attr = node.childForFieldName('attribute')!.text;
      if (obj.type === 'identifier' && vars.has(obj.text)) return PY_KEY_ATTRS.has(attr) ? { byId: attr === 'id', node } : undefined;
      return pyKey(obj, vars) ? { byId: false, node } : undefined;
    }
    case 'subscript':
      return pyKey(node.childForFieldName('value')!, vars) ? { byId: false, node } : undefined;
    case 'call': {
      const fn = node.childForFieldName('function')!;
      const args = node.childForFieldName('arguments')?.namedChildren ?? [];
      if (fn.type === 'identifier' && fn.text === 'str' && args.length === 1) return pyKey(args[0], vars);
      if (fn.type === 'attribute' && fn.childForFieldName('attribute')!.text === 'get') {
        return pyKey(fn.childForFieldName('object')!, vars) ? { byId: false, node } : undefined;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function pyIsLiteral(node: SyntaxNode): boolean {
  if (PY_LITERALS.has(node.type)) return true;
  if (node.type === 'unary_operator') return pyIsLiteral(node.namedChildren[0]);
  return stringLiteral(node) !== undefined;
}

/** A value a job is searched for: computed at run time (a literal picks a fixed job, not one per user). */
function pyIsValue(node: SyntaxNode, vars: ReadonlySet<string>): boolean {
  return !pyIsLiteral(node) && !usesAny(node, vars);
}

/** `job.id == x`, `x == job.name`, `str(uid) in job.id`, `job.id.startswith(prefix)`, and `and`/`or` of them. */
function pySearchTest(test: SyntaxNode, vars: ReadonlySet<string>, negated = false): Search | undefined {
  switch (test.type) {
    case 'parenthesized_expression':
      return test.namedChildren.length === 1 ? pySearchTest(test.namedChildren[0], vars, negated) : undefined;
    case 'boolean_operator': {
      const op = test.childForFieldName('operator')?.type;
      const left = pySearchTest(test.childForFieldName('left')!, vars, negated);
      const right = pySearchTest(test.childForFieldName('right')!, vars, negated);
      // `a and b` (or `a or b` under `!=`: `if job.id != x or ...: continue`) is a search when one side is.
      return (op === 'and') !== negated ? left ?? right : left && right ? left : undefined;
    }
    case 'comparison_operator': {
      const operands = test.namedChildren.filter((c) => c.type !== 'comment');
      const ops = test.childrenForFieldName('operators');
      if (operands.length !== 2 || ops.length !== 1) return undefined;
      const op = ops[0].type;
      const [a, b] = operands;
      if (op === (negated ? '!=' : '==')) {
        const ka = pyKey(a, vars);
        if (ka && pyIsValue(b, vars)) return { test, key: ka.node, byId: ka.byId };
        const kb = pyKey(b, vars);
        if (kb && pyIsValue(a, vars)) return { test, key: kb.node, byId: kb.byId };
      }
      // `str(user_id) in job.id`, `user_id in job.args`
      const kin = pyKey(b, vars);
      if (op === (negated ? 'not in' : 'in') && kin && pyIsValue(a, vars)) return { test, key: kin.node, byId: false };
      return undefined;
    }
    case 'call': {
      if (negated) return undefined;
      const fn = test.childForFieldName('function')!;
      const args = test.childForFieldName('arguments')?.namedChildren ?? [];
      if (fn.type !== 'attribute' || !/^(startswith|endswith)$/.test(fn.childForFieldName('attribute')!.text)) return undefined;
      const key = pyKey(fn.childForFieldName('object')!, vars);
      return key && args.length >= 1 && pyIsValue(args[0], vars) ? { test, key: key.node, byId: false } : undefined;
    }
    default:
      return undefined;
  }
}

/** `if job.id == x: ...` or `if job.id != x: continue` among the statements of a loop body. */
function pyBodySearch(body: SyntaxNode | null, vars: ReadonlySet<string>): Search | undefined {
  for (const stmt of body?.namedChildren ?? []) {
    if (stmt.type !== 'if_statement') continue;
    const cond = stmt.childForFieldName('condition')!;
    const found = pySearchTest(cond, vars);
    if (found) return found;
    const consequence = stmt.childForFieldName('consequence');
    const only = consequence?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
    if (only.length === 1 && only[0].type === 'continue_statement') {
      const negated = pySearchTest(cond, vars, true);
      if (negated) return negated;
    }
  }
  return undefined;
}

const PY_COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'generator_expression', 'dictionary_comprehension']);

/**
 * A comprehension over the jobs that searches them: `[j for j in jobs if j.id == x]`,
 * `any(j.id == x for j in jobs)`, `x in [j.id for j in jobs]`.
 */
function pyComprehensionSearch(comp: SyntaxNode, clause: SyntaxNode): Search | undefined {
  const left = clause.childForFieldName('left');
  if (left?.type !== 'identifier') return undefined;
  const vars = new Set([left.text]);
  for (const c of comp.namedChildren) {
    if (c.type !== 'if_clause') continue;
    const found = pySearchTest(c.namedChildren[0], vars);
    if (found) return found;
  }
  const body = comp.childForFieldName('body');
  if (!body) return undefined;
  // any(j.id == x for j in jobs)
  const call = comp.parent?.type === 'argument_list' ? comp.parent.parent : comp.parent;
  if (comp.type === 'generator_expression' && call?.type === 'call' && call.childForFieldName('function')?.text === 'any') {
    const found = pySearchTest(body, vars);
    if (found) return found;
  }
  // x in [j.id for j in jobs]
  const parent = comp.parent;
  if (parent?.type === 'comparison_operator') {
    const operands = parent.namedChildren.filter((c) => c.type !== 'comment');
    const ops = parent.childrenForFieldName('operators');
    const key = pyKey(body, vars);
    if (key && operands.length === 2 && sameNode(operands[1], comp) && ops.length === 1 && /^(not )?in$/.test(ops[0].type) && pyIsValue(operands[0], new Set())) {
      return { test: parent, key: key.node, byId: key.byId };
    }
  }
  return undefined;
}

/** `next(...)`, `any(...)`, `len(...)`, `list(...)`: the comprehension inside a call of a builtin. */
function pyComprehensionIn(expr: SyntaxNode | null | undefined): SyntaxNode | undefined {
  let e = expr;
  for (let i = 0; e && i < 4; i++) {
    if (PY_COMPREHENSIONS.has(e.type)) return e;
    if (e.type === 'await' || e.type === 'parenthesized_expression' || e.type === 'not_operator') e = e.namedChildren[0];
    else if (e.type === 'call') {
      const args = e.childForFieldName('arguments');
      e = args?.type === 'generator_expression' ? args : args?.namedChildren[0];
    } else if (e.type === 'comparison_operator') e = e.namedChildren.find((c) => PY_COMPREHENSIONS.has(c.type));
    else return undefined;
  }
  return undefined;
}

/** The expressions of a statement where a later use of the job list is looked for. */
function pyStatementExpressions(stmt: SyntaxNode): SyntaxNode[] {
  switch (stmt.type) {
    case 'expression_statement': {
      const e = stmt.namedChildren[0];
      if (e?.type === 'assignment' || e?.type === 'augmented_assignment') return [e.childForFieldName('right')!].filter(Boolean);
      return e ? [e] : [];
    }
    case 'return_statement':
      return stmt.namedChildren.slice(0, 1);
    case 'if_statement':
    case 'while_statement':
      return [stmt.childForFieldName('condition')!];
    default:
      return [];
  }
}

/** `jobs = scheduler.get_jobs()` followed, in the same block, by a loop or comprehension that searches `jobs`. */
function pyAssignedSearch(assignment: SyntaxNode): Search | undefined {
  const name = assignment.childForFieldName('left')!.text;
  const stmt = assignment.parent;
  const block = stmt?.parent;
  if (stmt?.type !== 'expression_statement' || block?.type !== 'block') return undefined;
  for (let s = stmt.nextNamedSibling; s; s = s.nextNamedSibling) {
    if (s.type === 'for_statement' && s.childForFieldName('right')?.text === name) {
      const left = s.childForFieldName('left');
      if (left?.type !== 'identifier') continue;
      const found = pyBodySearch(s.childForFieldName('body'), new Set([left.text]));
      if (found) return found;
      continue;
    }
    for (const e of pyStatementExpressions(s)) {
      const comp = pyComprehensionIn(e);
      const clause = comp?.namedChildren.find((c) => c.type === 'for_in_clause');
      if (comp && clause && clause.childForFieldName('right')?.text === name) {
        const found = pyComprehensionSearch(comp, clause);
        if (found) return found;
      }
    }
    // The name is bound to something else from here on.
    const a = s.type === 'expression_statement' ? s.namedChildren[0] : undefined;
    if (a?.type === 'assignment' && a.childForFieldName('left')?.text === name) break;
  }
  return undefined;
}

const IMPORT_FACT = 'scheduler-job-scan.import';

// ---------------------------------------------------------------------------------------------
// Which listing it is: the models' job-list rows (by resolution, or by the conventions that name a
// scheduler or queue), or, on a receiver named otherwise, the listing its name is in a file that
// imports a library with it. The row's `insteadOfScan` says what an item is and what to call instead.

interface Listing {
  /** The model's library (`APScheduler`, `BullMQ`), for the fixes. */
  lib: string;
  method: string;
  row: Row;
  /** The file must import a library with a listing of this name (the receiver's name does not say which). */
  requires?: string;
}

type Instead = { item?: string; byId?: string; other?: string };

function insteadOf(row: Row): Instead {
  return ((row as unknown as { insteadOfScan?: Instead }).insteadOfScan ?? {}) as Instead;
}

/** The job-list rows the models have under a name, with their library (the first is the one shown). */
function listingsNamed(file: FileContext, name: string): { lib: string; row: Row }[] {
  const out: { lib: string; row: Row }[] = [];
  for (const lib of file.lang.libraries) {
    for (const t of lib.file.types ?? []) for (const m of t.members ?? []) if (m.name === name && effectsOf(m).has('job-list')) out.push({ lib: lib.name, row: m as Row });
    for (const sym of lib.file.symbols ?? []) if (sym.name.endsWith(`.${name}`) && effectsOf(sym).has('job-list')) out.push({ lib: lib.name, row: sym as Row });
  }
  return out;
}

/** A Go method name of several words (`ListScheduledTasks`) is specific enough without a receiver that says it. */
function distinctive(name: string): boolean {
  return /[a-z0-9][A-Z]/.test(name);
}

function listingOf(file: FileContext, node: SyntaxNode, method: string, language: 'python' | 'go' | 'typescript'): Listing | undefined {
  const isJobList = (h: LibraryHit) => effectsOf(h.row).has('job-list');
  const look = node.type === 'member_expression' ? lookupExpr(file, node, isJobList) : lookupCall(file, node, isJobList);
  if (look.kind === 'library') {
    if (!isJobList(look)) return undefined;
    const lib = file.lang.symbol(look.qname)?.lib.name ?? listingsNamed(file, method)[0]?.lib ?? '';
    return { lib, method, row: look.row };
  }
  // The project's own listing (`jobs_repo.get_jobs()` resolved to a project class) is not a scheduler's.
  if (look.kind === 'project' && !look.guessed) return undefined;
  const named = listingsNamed(file, method);
  if (named.length === 0) return undefined;
  // A receiver named the way the models name a library's scheduler or queue (`scheduler`, `queue`, `cron`):
  // that library's listing of this name, even on another of its types (APScheduler 4's `get_schedules`).
  const fn = node.type === 'member_expression' ? node : node.childForFieldName('function');
  const receiver = lastName(fn?.childForFieldName('object') ?? fn?.childForFieldName('operand'));
  const libs = new Set(file.lang.conventions.filter((c) => c.pattern.test(receiver)).map((c) => c.lib.name));
  const byName = named.find((n) => libs.has(n.lib));
  if (byName) return { lib: byName.lib, method, row: byName.row };
  if (language === 'go') return distinctive(method) ? { lib: named[0].lib, method, row: named[0].row } : undefined;
  return { lib: named[0].lib, method, row: named[0].row, requires: method };
}

function checkPython(match: RuleMatch, ctx: CheckContext): CandidateInit | undefined {
  const call = match.node('match')!;
  const scan = match.node('scan')!;
  let search: Search | undefined;
  let shape: Shape;
  let loopFrom = scan;
  if (scan.type === 'for_statement') {
    search = pyBodySearch(scan.childForFieldName('body'), new Set([scan.childForFieldName('left')!.text]));
    shape = 'loop';
  } else if (scan.type === 'for_in_clause') {
    const comp = scan.parent;
    if (!comp || !PY_COMPREHENSIONS.has(comp.type)) return undefined;
    search = pyComprehensionSearch(comp, scan);
    shape = 'comprehension';
    loopFrom = comp;
  } else {
    search = pyAssignedSearch(scan);
    shape = 'assigned';
  }
  if (!search) return undefined;
  return listed(ctx, match.file, call, loopFrom, search, shape, 'python');
}

/** The finding for a listing that is searched: its item and advice from the model, the import it needs when nothing says which library it is. */
function listed(ctx: CheckContext, file: FileContext, call: SyntaxNode, loopFrom: SyntaxNode, search: Search, shape: Shape, language: 'python' | 'go' | 'typescript'): CandidateInit | undefined {
  const method = lastName(call.type === 'member_expression' ? call : call.childForFieldName('function'));
  const listing = listingOf(file, call, method, language);
  if (!listing) return undefined;
  const instead = insteadOf(listing.row);
  const advice = (search.byId ? instead.byId : instead.other) ?? instead.other ?? 'Look the job up by its id instead of listing every job.';
  const found = candidate(ctx, call, loopFrom, search, shape, instead.item ?? 'job', advice, { lib: listing.lib, item: instead.item ?? 'job' });
  return listing.requires ? { ...found, requires: [{ fact: IMPORT_FACT, key: listing.requires }] } : found;
}

// ---------------------------------------------------------------------------------------------
// Go

/** Fields and methods that identify an entry: robfig `ID`/`Job`, gocron `ID()`/`Name()`/`Tags()`, asynq `ID`/`Payload`. */
const GO_KEY_FIELDS = new Set(['ID', 'Name', 'GetName', 'Tags', 'Job', 'Payload', 'Spec', 'Key']);
const GO_LITERALS = new Set(['interpreted_string_literal', 'raw_string_literal', 'int_literal', 'float_literal', 'rune_literal', 'true', 'false', 'nil']);

function goKey(node: SyntaxNode, vars: ReadonlySet<string>, aliases: ReadonlySet<string>): Key | undefined {
  switch (node.type) {
    case 'identifier':
      return aliases.has(node.text) ? { byId: false, node } : undefined;
    case 'parenthesized_expression':
      return node.namedChildren.length === 1 ? goKey(node.namedChildren[0], vars, aliases) : undefined;
    case 'selector_expression': {
      const operand = node.childForFieldName('operand')!;
      const field = node.childForFieldName('field')!.text;
      if (operand.type === 'identifier' && vars.has(operand.text)) return GO_KEY_FIELDS.has(field) ? { byId: field === 'ID', node } : undefined;
      return goKey(operand, vars, aliases) ? { byId: false, node } : undefined;
    }
    case 'call_expression': {
      const fn = node.childForFieldName('function')!;
      const args = node.childForFieldName('arguments')?.namedChildren ?? [];
      if (fn.type === 'selector_expression' && args.length === 0) {
        // j.ID(), j.Name(), j.Tags()
        const inner = goKey(fn, vars, aliases);
        if (inner) return { byId: inner.byId, node };
        // e.ID.String()
        const obj = goKey(fn.childForFieldName('operand')!, vars, aliases);
        return obj && fn.childForFieldName('field')!.text === 'String' ? obj : undefined;
      }
      // Conversions and formatting of one key: string(t.Payload), int(e.ID), strconv.Itoa(int(e.ID)), fmt.Sprint(e.ID)
      return args.length === 1 ? goKey(args[0], vars, aliases) : undefined;
    }
    case 'index_expression':
    case 'type_assertion_expression':
      return goKey(node.childForFieldName('operand')!, vars, aliases) ? { byId: false, node } : undefined;
    default:
      return undefined;
  }
}

function goIsValue(node: SyntaxNode, vars: ReadonlySet<string>): boolean {
  return !GO_LITERALS.has(node.type) && !usesAny(node, vars);
}

const GO_CONTAINS = /^(slices|strings|bytes)\.(Contains|HasPrefix|HasSuffix|EqualFold)$/;

function goSearchTest(test: SyntaxNode, vars: ReadonlySet<string>, aliases: ReadonlySet<string>, negated = false): Search | undefined {
  const all = new Set([...vars, ...aliases]);
  switch (test.type) {
    case 'parenthesized_expression':
      return test.namedChildren.length === 1 ? goSearchTest(test.namedChildren[0], vars, aliases, negated) : undefined;
    case 'binary_expression': {
      const op = test.childForFieldName('operator')!.type;
      const a = test.childForFieldName('left')!;
      const b = test.childForFieldName('right')!;
      if (op === '&&' || op === '||') {
        const l = goSearchTest(a, vars, aliases, negated);
        const r = goSearchTest(b, vars, aliases, negated);
        return (op === '&&') !== negated ? l ?? r : l && r ? l : undefined;
      }
      if (op !== (negated ? '!=' : '==')) return undefined;
      const ka = goKey(a, vars, aliases);
      if (ka && goIsValue(b, all)) return { test, key: ka.node, byId: ka.byId };
      const kb = goKey(b, vars, aliases);
      if (kb && goIsValue(a, all)) return { test, key: kb.node, byId: kb.byId };
      return undefined;
    }
    case 'call_expression': {
      if (negated) return undefined;
      const fn = test.childForFieldName('function')!;
      const args = test.childForFieldName('arguments')?.namedChildren ?? [];
      if (!GO_CONTAINS.test(fn.text) || args.length !== 2) return undefined;
      const key = goKey(args[0], vars, aliases);
      return key && goIsValue(args[1], all) ? { test, key: key.node, byId: false } : undefined;
    }
    default:
      return undefined;
  }
}

function goStatements(block: SyntaxNode | null | undefined): SyntaxNode[] {
  const list = block?.namedChildren.find((c) => c.type === 'statement_list');
  return (list ?? block)?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
}

/** The value variable of `for _, e := range xs` (the index of a one-variable range is not an entry). */
function goRangeVar(forStmt: SyntaxNode): string | undefined {
  const clause = forStmt.namedChildren.find((c) => c.type === 'range_clause');
  const left = clause?.childForFieldName('left')?.namedChildren ?? [];
  return left.length === 2 && left[1].type === 'identifier' && left[1].text !== '_' ? left[1].text : undefined;
}

/** Names bound from an entry's identity: `j, ok := e.Job.(*Reminder)` binds `j` (and `ok`). */
function goAliases(decl: SyntaxNode | null | undefined, vars: ReadonlySet<string>, into: Set<string>): void {
  if (decl?.type !== 'short_var_declaration') return;
  const right = decl.childForFieldName('right')?.namedChildren[0];
  if (!right || !goKey(right, vars, into)) return;
  for (const id of decl.childForFieldName('left')?.namedChildren ?? []) if (id.type === 'identifier' && id.text !== '_') into.add(id.text);
}

/**
 * `if e.ID == id { ... }`, `if j, ok := e.Job.(*Reminder); ok && j.UserID == uid { ... }` (or the
 * assertion in a statement of its own), `if e.ID != id { continue }`, and a range over `j.Tags()`
 * testing each tag, among the statements of a loop body.
 */
function goBodySearch(body: SyntaxNode | null | undefined, v: string): Search | undefined {
  const vars = new Set([v]);
  const bodyAliases = new Set<string>();
  for (const stmt of goStatements(body)) {
    if (stmt.type === 'short_var_declaration') {
      goAliases(stmt, vars, bodyAliases);
    } else if (stmt.type === 'if_statement') {
      const aliases = new Set(bodyAliases);
      goAliases(stmt.childForFieldName('initializer'), vars, aliases);
      const cond = stmt.childForFieldName('condition')!;
      const found = goSearchTest(cond, vars, aliases);
      if (found) return found;
      const only = goStatements(stmt.childForFieldName('consequence'));
      if (only.length === 1 && only[0].type === 'continue_statement') {
        const negated = goSearchTest(cond, vars, aliases, true);
        if (negated) return negated;
      }
    } else if (stmt.type === 'for_statement') {
      // for _, t := range j.Tags() { if t == tag { ... } }
      const clause = stmt.namedChildren.find((c) => c.type === 'range_clause');
      const right = clause?.childForFieldName('right');
      const inner = goRangeVar(stmt);
      if (!right || !inner || !goKey(right, vars, new Set())) continue;
      for (const s of goStatements(stmt.childForFieldName('body'))) {
        if (s.type !== 'if_statement') continue;
        const found = goSearchTest(s.childForFieldName('condition')!, vars, new Set([inner]));
        if (found) return found;
      }
    }
  }
  return undefined;
}

/** `entries := c.Entries()` followed in the same block by a range over `entries` that searches it. */
function goAssignedSearch(decl: SyntaxNode): Search | undefined {
  const name = decl.childForFieldName('left')!.namedChildren[0].text;
  if (decl.parent?.type !== 'statement_list') return undefined;
  for (let s = decl.nextNamedSibling; s; s = s.nextNamedSibling) {
    if (s.type !== 'for_statement') continue;
    const clause = s.namedChildren.find((c) => c.type === 'range_clause');
    const v = goRangeVar(s);
    if (clause?.childForFieldName('right')?.text !== name || !v) continue;
    const found = goBodySearch(s.childForFieldName('body'), v);
    if (found) return found;
  }
  return undefined;
}

function checkGo(match: RuleMatch, ctx: CheckContext): CandidateInit | undefined {
  const call = match.node('match')!;
  const scan = match.node('scan')!;
  let search: Search | undefined;
  let shape: Shape;
  if (scan.type === 'for_statement') {
    const v = goRangeVar(scan);
    search = v ? goBodySearch(scan.childForFieldName('body'), v) : undefined;
    shape = 'loop';
  } else {
    search = goAssignedSearch(scan);
    shape = 'assigned';
  }
  if (!search) return undefined;
  return listed(ctx, match.file, call, scan, search, shape, 'go');
}

// ---------------------------------------------------------------------------------------------
// TypeScript / JavaScript

/** BullMQ `id`/`name`/`data`/`opts`, repeatable jobs' `key`, Agenda's `attrs`. */
const TS_KEY_PROPS = new Set(['id', 'name', 'key', 'data', 'attrs', 'opts', 'jobId', '_id']);
const TS_LITERALS = new Set(['number', 'true', 'false', 'null', 'undefined', 'regex']);
const TS_SEARCH_METHODS = new Set(['find', 'filter', 'some', 'findIndex', 'findLast', 'findLastIndex', 'forEach', 'every']);

function tsKey(node: SyntaxNode, vars: ReadonlySet<string>, bare: ReadonlySet<string>): Key | undefined {
  switch (node.type) {
    case 'identifier':
      // A destructured field (`({ id }) => id === x`) or a job name from a key iteration.
      return bare.has(node.text) ? { byId: node.text === 'id', node } : undefined;
    case 'parenthesized_expression':
    case 'non_null_expression':
    case 'as_expression':
      return tsKey(node.namedChildren[0], vars, bare);
    case 'member_expression': {
      const obj = node.childForFieldName('object')!;
      const prop = node.childForFieldName('property')!.text;
      if (obj.type === 'identifier' && vars.has(obj.text)) return TS_KEY_PROPS.has(prop) ? { byId: prop === 'id', node } : undefined;
      return tsKey(obj, vars, bare) ? { byId: false, node } : undefined;
    }
    case 'subscript_expression':
      return tsKey(node.childForFieldName('object')!, vars, bare) ? { byId: false, node } : undefined;
    case 'call_expression': {
      const fn = node.childForFieldName('function')!;
      const args = node.childForFieldName('arguments')?.namedChildren ?? [];
      // String(j.id), Number(j.id), parseInt(j.id), j.id.toString(), j.attrs._id.toHexString()
      if (fn.type === 'identifier' && /^(String|Number|parseInt)$/.test(fn.text) && args.length >= 1) return tsKey(args[0], vars, bare);
      if (fn.type === 'member_expression' && args.length === 0 && /^(toString|toHexString)$/.test(fn.childForFieldName('property')!.text)) {
        return tsKey(fn.childForFieldName('object')!, vars, bare);
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function tsIsLiteral(node: SyntaxNode): boolean {
  if (TS_LITERALS.has(node.type)) return true;
  if (node.type === 'identifier' && node.text === 'undefined') return true;
  return stringLiteral(node) !== undefined;
}

function tsIsValue(node: SyntaxNode, vars: ReadonlySet<string>): boolean {
  return !tsIsLiteral(node) && !usesAny(node, vars);
}

function tsSearchTest(test: SyntaxNode, vars: ReadonlySet<string>, bare: ReadonlySet<string>, negated = false): Search | undefined {
  const all = new Set([...vars, ...bare]);
  switch (test.type) {
    case 'parenthesized_expression':
      return test.namedChildren.length === 1 ? tsSearchTest(test.namedChildren[0], vars, bare, negated) : undefined;
    case 'binary_expression': {
      const op = test.childForFieldName('operator')!.type;
      const a = test.childForFieldName('left')!;
      const b = test.childForFieldName('right')!;
      if (op === '&&' || op === '||') {
        const l = tsSearchTest(a, vars, bare, negated);
        const r = tsSearchTest(b, vars, bare, negated);
        return (op === '&&') !== negated ? l ?? r : l && r ? l : undefined;
      }
      if (negated ? !isNegation(op) : op !== '===' && op !== '==') return undefined;
      const ka = tsKey(a, vars, bare);
      if (ka && tsIsValue(b, all)) return { test, key: ka.node, byId: ka.byId };
      const kb = tsKey(b, vars, bare);
      if (kb && tsIsValue(a, all)) return { test, key: kb.node, byId: kb.byId };
      return undefined;
    }
    case 'call_expression': {
      if (negated) return undefined;
      // j.name.startsWith(prefix), j.attrs._id.equals(id)
      const fn = test.childForFieldName('function')!;
      const args = test.childForFieldName('arguments')?.namedChildren ?? [];
      if (fn.type !== 'member_expression' || args.length !== 1) return undefined;
      const method = fn.childForFieldName('property')!.text;
      const obj = fn.childForFieldName('object')!;
      if (!/^(startsWith|endsWith|includes|equals)$/.test(method)) return undefined;
      const key = tsKey(obj, vars, bare);
      return key && tsIsValue(args[0], all) ? { test, key: key.node, byId: key.byId && method === 'equals' } : undefined;
    }
    default:
      return undefined;
  }
}

/** The names a parameter or loop variable binds: `j`, `{ id, name }`, `[name, job]`. */
function tsBindings(pattern: SyntaxNode | null | undefined, vars: Set<string>, bare: Set<string>): void {
  if (!pattern) return;
  switch (pattern.type) {
    case 'identifier':
      vars.add(pattern.text);
      return;
    case 'required_parameter':
    case 'optional_parameter':
      tsBindings(pattern.childForFieldName('pattern'), vars, bare);
      return;
    case 'object_pattern':
      for (const p of pattern.namedChildren) {
        if (p.type === 'shorthand_property_identifier_pattern') bare.add(p.text);
        else if (p.type === 'pair_pattern' && p.childForFieldName('value')?.type === 'identifier') bare.add(p.childForFieldName('value')!.text);
      }
      return;
    case 'array_pattern':
      // Object.entries(...) pairs: [name, job]
      pattern.namedChildren.forEach((p, i) => {
        if (p.type === 'identifier') (i === 0 ? bare : vars).add(p.text);
      });
      return;
    default:
      return;
  }
}

/** Statements of a block (or the single statement of a braceless body). */
function tsStatements(body: SyntaxNode | null | undefined): SyntaxNode[] {
  if (!body) return [];
  return body.type === 'statement_block' ? body.namedChildren.filter((c) => c.type !== 'comment') : [body];
}

/** `if (job.id === id) ...`, `if (job.id !== id) continue;`, `return job.id === id;` among the statements of a body. */
function tsBodySearch(body: SyntaxNode | null | undefined, vars: ReadonlySet<string>, bare: ReadonlySet<string>, inCallback: boolean): Search | undefined {
  for (const stmt of tsStatements(body)) {
    if (stmt.type === 'if_statement') {
      const cond = stmt.childForFieldName('condition')!;
      const found = tsSearchTest(cond, vars, bare);
      if (found) return found;
      const only = tsStatements(stmt.childForFieldName('consequence'));
      const skip = only.length === 1 && (only[0].type === 'continue_statement' || (inCallback && only[0].type === 'return_statement' && only[0].namedChildren.length === 0));
      if (skip) {
        const negated = tsSearchTest(cond, vars, bare, true);
        if (negated) return negated;
      }
    } else if (inCallback && stmt.type === 'return_statement' && stmt.namedChildren[0]) {
      const found = tsSearchTest(stmt.namedChildren[0], vars, bare);
      if (found) return found;
    }
  }
  return undefined;
}

function tsCallbackSearch(fn: SyntaxNode | undefined): Search | undefined {
  if (!fn || (fn.type !== 'arrow_function' && fn.type !== 'function_expression')) return undefined;
  const vars = new Set<string>();
  const bare = new Set<string>();
  const single = fn.childForFieldName('parameter');
  if (single) tsBindings(single, vars, bare);
  else tsBindings(fn.childForFieldName('parameters')?.namedChildren[0], vars, bare);
  const body = fn.childForFieldName('body');
  if (!body) return undefined;
  return body.type === 'statement_block' ? tsBodySearch(body, vars, bare, true) : tsSearchTest(body, vars, bare);
}

function tsLoopSearch(loop: SyntaxNode, keysOnly: boolean): Search | undefined {
  const vars = new Set<string>();
  const bare = new Set<string>();
  const left = loop.childForFieldName('left');
  // for (const name in schedule.scheduledJobs): the variable is the job's name
  if (keysOnly && left?.type === 'identifier') bare.add(left.text);
  else tsBindings(left, vars, bare);
  return tsBodySearch(loop.childForFieldName('body'), vars, bare, false);
}

/** A call on a member: `xs.find(cb)` → `find`, the callback, the receiver. */
function tsMemberCall(node: SyntaxNode | null | undefined): { method: string; object: SyntaxNode; call: SyntaxNode } | undefined {
  if (node?.type !== 'call_expression') return undefined;
  const fn = node.childForFieldName('function');
  if (fn?.type !== 'member_expression') return undefined;
  return { method: fn.childForFieldName('property')!.text, object: fn.childForFieldName('object')!, call: node };
}

function firstArgument(call: SyntaxNode): SyntaxNode | undefined {
  return call.childForFieldName('arguments')?.namedChildren.find((c) => c.type !== 'comment');
}

/**
 * From the listing call up through what only reshapes the list: `await`, parentheses,
 * `Object.values(...)`, `Array.from(...)`, `[...x]`, `x.values()`. Returns the outermost such node
 * and whether it yields job names (`Object.keys(...)`, `map.keys()`) rather than jobs.
 */
function tsListExpression(source: SyntaxNode): { list: SyntaxNode; keys: boolean } {
  let e = source;
  let keys = false;
  for (let i = 0; i < 6; i++) {
    const p = e.parent;
    if (!p) break;
    if (p.type === 'await_expression' || p.type === 'parenthesized_expression' || p.type === 'non_null_expression' || p.type === 'as_expression') {
      e = p;
      continue;
    }
    if (p.type === 'arguments') {
      const call = p.parent!;
      const callee = call.childForFieldName('function')?.text;
      if (callee && /^(Object\.(values|keys|entries)|Array\.from)$/.test(callee) && sameNode(firstArgument(call), e)) {
        if (callee === 'Object.keys') keys = true;
        e = call;
        continue;
      }
      break;
    }
    if (p.type === 'spread_element' && p.parent?.type === 'array' && p.parent.namedChildren.length === 1) {
      e = p.parent;
      continue;
    }
    const m = tsMemberCall(p.parent);
    if (p.type === 'member_expression' && m && sameNode(m.object, e) && /^(values|entries|keys)$/.test(m.method) && !firstArgument(m.call)) {
      if (m.method === 'keys') keys = true;
      e = m.call;
      continue;
    }
    break;
  }
  return { list: e, keys };
}

/** The search applied directly to a list expression: `list.find(cb)`, `for (const j of list)`. */
function tsDirectSearch(list: SyntaxNode, keys: boolean): Search | undefined {
  const p = list.parent;
  if (p?.type === 'member_expression' && sameNode(p.childForFieldName('object'), list)) {
    const m = tsMemberCall(p.parent);
    if (!m || !TS_SEARCH_METHODS.has(m.method)) return undefined;
    const cb = firstArgument(m.call);
    if (keys) {
      // Object.keys(schedule.scheduledJobs).find((name) => name === x): the parameter is the name itself
      const param = cb?.childForFieldName('parameter') ?? cb?.childForFieldName('parameters')?.namedChildren[0]?.childForFieldName('pattern');
      const body = cb?.childForFieldName('body');
      if (param?.type !== 'identifier' || !body) return undefined;
      const bare = new Set([param.text]);
      return body.type === 'statement_block' ? tsBodySearch(body, new Set(), bare, true) : tsSearchTest(body, new Set(), bare);
    }
    return tsCallbackSearch(cb);
  }
  if (p?.type === 'for_in_statement' && sameNode(p.childForFieldName('right'), list)) {
    const isIn = p.children.some((c) => c.type === 'in');
    return tsLoopSearch(p, isIn || keys);
  }
  return undefined;
}

/** Where a later statement uses `name` as a list: walks only the spine of each expression (calls, members, awaits). */
function tsUsesIn(stmt: SyntaxNode): SyntaxNode[] {
  switch (stmt.type) {
    case 'expression_statement': {
      const e = stmt.namedChildren[0];
      return e?.type === 'assignment_expression' ? [e.childForFieldName('right')!] : e ? [e] : [];
    }
    case 'lexical_declaration':
    case 'variable_declaration':
      return stmt.namedChildren.filter((d) => d.type === 'variable_declarator').map((d) => d.childForFieldName('value')).filter((v): v is SyntaxNode => !!v);
    case 'return_statement':
      return stmt.namedChildren.slice(0, 1);
    case 'if_statement':
      return [stmt.childForFieldName('condition')!];
    default:
      return [];
  }
}

/** The search of the list named `name` within an expression: `jobs.find(cb)`, `jobs.filter(cb).map(...)`, `await Promise.all(jobs.filter(cb)...)`. */
function tsSpineSearch(expr: SyntaxNode, name: string): Search | undefined {
  let e: SyntaxNode | undefined = expr;
  for (let i = 0; e && i < 8; i++) {
    switch (e.type) {
      case 'await_expression':
      case 'parenthesized_expression':
      case 'unary_expression':
      case 'non_null_expression':
        e = e.namedChildren[0];
        continue;
      case 'member_expression':
        e = e.childForFieldName('object') ?? undefined;
        continue;
      case 'arrow_function': {
        // ids.map((id) => jobs.find(...))
        const body = e.childForFieldName('body');
        e = body?.type === 'statement_block' ? undefined : body ?? undefined;
        continue;
      }
      case 'call_expression': {
        const m = tsMemberCall(e);
        if (m && m.object.type === 'identifier' && m.object.text === name) return TS_SEARCH_METHODS.has(m.method) ? tsCallbackSearch(firstArgument(e)) : undefined;
        if (m) {
          // Promise.all(jobs.filter(...).map(...)) and chains on a search: jobs.filter(cb).map(...)
          e = m.object.type === 'identifier' ? firstArgument(e) : m.object;
          continue;
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }
  return undefined;
}

/** `const jobs = await queue.getJobs([...])` followed, in the same block, by a search of `jobs`. */
function tsDeclaredSearch(list: SyntaxNode): Search | undefined {
  const declarator = list.parent;
  if (declarator?.type !== 'variable_declarator' || !sameNode(declarator.childForFieldName('value'), list)) return undefined;
  const name = declarator.childForFieldName('name');
  const decl = declarator.parent;
  if (name?.type !== 'identifier' || !decl || decl.parent?.type !== 'statement_block') return undefined;
  for (let s = decl.nextNamedSibling; s; s = s.nextNamedSibling) {
    if (s.type === 'for_in_statement' && s.childForFieldName('right')?.text === name.text) {
      const found = tsLoopSearch(s, s.children.some((c) => c.type === 'in'));
      if (found) return found;
      continue;
    }
    for (const e of tsUsesIn(s)) {
      const found = tsSpineSearch(e, name.text);
      if (found) return found;
    }
  }
  return undefined;
}

/** A listing's query narrowed in the database by the job's own id or data: what is left to scan is that user's jobs. */
function agendaQueryNarrowed(call: SyntaxNode): boolean {
  const q = firstArgument(call);
  if (!q) return false;
  if (q.type !== 'object') return true; // a query built elsewhere: unknown, so not reported
  const { props, spread } = objectProperties(q);
  return spread || [...props.keys()].some((k) => k === '_id' || k.startsWith('data'));
}

function checkTypescript(match: RuleMatch, ctx: CheckContext): CandidateInit | undefined {
  const source = match.node('match')!;
  // `schedule.scheduledJobs` is read, `queue.getJobs()` called: the member of a call is the call's.
  if (match.props.kind === 'value' && source.parent?.type === 'call_expression' && sameNode(source.parent.childForFieldName('function'), source)) return undefined;
  // A listing whose query (`agenda.jobs({ _id: id })`) narrows it in the database is a lookup.
  if (source.type === 'call_expression' && listingFilter(match.file, source) && agendaQueryNarrowed(source)) return undefined;
  const { list, keys } = tsListExpression(source);
  let search = tsDirectSearch(list, keys);
  let shape: Shape = 'chained';
  if (!search) {
    search = tsDeclaredSearch(list);
    shape = 'declared';
  }
  if (!search) return undefined;
  return listed(ctx, match.file, source, list, search, shape, 'typescript');
}

/** Whether the listing takes a query in the database (the model gives it a `filter` argument). */
function listingFilter(file: FileContext, call: SyntaxNode): boolean {
  const method = lastName(call.childForFieldName('function'));
  return listingsNamed(file, method).some((l) => l.row.arguments?.filter !== undefined);
}

// ---------------------------------------------------------------------------------------------

/** The finding: raised to error when the scan itself runs per request or per item of a loop. */
function candidate(
  ctx: CheckContext,
  call: SyntaxNode,
  loopFrom: SyntaxNode,
  search: Search,
  shape: Shape,
  what: string,
  advice: string,
  data: Record<string, string>,
): CandidateInit {
  const inLoop = ctx.is('inside-loop', loopFrom);
  const inHandler = ctx.is('inside-handler', call);
  const where = inLoop ? ' — and here it runs once per item of a loop' : inHandler ? ' — and here it runs on every request' : '';
  const keyText = search.key.text.length > 40 ? `${search.key.text.slice(0, 37)}...` : search.key.text;
  return {
    node: call,
    args: { call: shortCall(call), what, key: `\`${keyText}\``, where, advice },
    severity: inLoop || inHandler ? 'error' : undefined,
    related: [{ node: search.test, message: 'the job is picked here, after every job was loaded' }],
    data: { ...data, shape, byId: search.byId },
  };
}

/** `scheduler.get_jobs()`, `queue.getJobs(...)`: the call with long arguments elided. */
function shortCall(call: SyntaxNode): string {
  const args = call.childForFieldName('arguments');
  if (!args || call.type === 'member_expression') return call.text;
  const fn = call.childForFieldName('function')!.text;
  return args.text.length <= 24 ? `${fn}${args.text}` : `${fn}(...)`;
}

// ---------------------------------------------------------------------------------------------
// Fixes

/** Values that may be evaluated twice and moved: names, attributes, literals, simple f-strings and subscripts. */
function pySimpleValue(node: SyntaxNode): boolean {
  switch (node.type) {
    case 'identifier':
    case 'integer':
      return true;
    case 'attribute':
      return pySimpleValue(node.childForFieldName('object')!);
    case 'subscript':
      return pySimpleValue(node.childForFieldName('value')!) && node.childrenForFieldName('subscript').every(pySimpleValue);
    case 'string':
      return node.namedChildren.filter((c) => c.type === 'interpolation').every((i) => pySimpleValue(i.childForFieldName('expression')!));
    case 'call': {
      const fn = node.childForFieldName('function')!;
      const args = node.childForFieldName('arguments')?.namedChildren ?? [];
      return fn.type === 'identifier' && fn.text === 'str' && args.length === 1 && pySimpleValue(args[0]);
    }
    default:
      return false;
  }
}

/** The scheduler is the library's the finding names (`get_job`/`remove_job` are its): the receiver's name says so, or the file imports it. */
function pyIsApscheduler(target: FixTarget, receiver: SyntaxNode): boolean {
  if (shippedModels().of('python').conventions.some((c) => c.lib.name === target.data.lib && c.pattern.test(lastName(receiver)))) return true;
  return target.root.namedChildren.some((s) => s.type === 'import_from_statement' && shippedModels().of('python').libraryOfModule(s.childForFieldName('module_name')?.text ?? '')?.name === target.data.lib);
}

/** `scheduler.get_jobs()` (no jobstore) on an APScheduler scheduler: its receiver, else undefined. */
function pyGetJobsReceiver(target: FixTarget): SyntaxNode | undefined {
  const call = target.node;
  if (call.type !== 'call' || target.data.lib !== 'APScheduler' || !target.data.byId) return undefined;
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')!.text !== 'get_jobs') return undefined;
  if ((call.childForFieldName('arguments')?.namedChildren.length ?? 0) > 0) return undefined;
  const receiver = fn.childForFieldName('object')!;
  return pyIsApscheduler(target, receiver) ? receiver : undefined;
}

/** `job.id == X` / `X == job.id` exactly: X, when it is simple and does not use the job. */
function pyIdComparison(test: SyntaxNode | undefined, v: string): SyntaxNode | undefined {
  if (test?.type !== 'comparison_operator') return undefined;
  const operands = test.namedChildren;
  const ops = test.childrenForFieldName('operators');
  if (operands.length !== 2 || ops.length !== 1 || ops[0].type !== '==') return undefined;
  const isId = (n: SyntaxNode) => n.type === 'attribute' && n.childForFieldName('object')!.text === v && n.childForFieldName('attribute')!.text === 'id';
  const [a, b] = operands;
  const value = isId(a) ? b : isId(b) ? a : undefined;
  return value && pySimpleValue(value) && !usesAny(value, new Set([v])) ? value : undefined;
}

/**
 * for job in scheduler.get_jobs():
 *     if job.id == X:
 *         job.remove()          (or scheduler.remove_job(job.id) / scheduler.remove_job(X); then maybe `break`)
 * → if scheduler.get_job(X) is not None:
 *       scheduler.remove_job(X)
 */
function pyRemoveFix(target: FixTarget): TextEditInit[] | undefined {
  const receiver = pyGetJobsReceiver(target);
  const loop = target.node.parent;
  if (!receiver || loop?.type !== 'for_statement' || !sameNode(loop.childForFieldName('right'), target.node) || loop.childForFieldName('alternative')) return undefined;
  if (loop.descendantsOfType('comment').length > 0) return undefined;
  const v = loop.childForFieldName('left')!.text;
  const body = loop.childForFieldName('body')!.namedChildren;
  const ifStmt = body.length === 1 && body[0].type === 'if_statement' ? body[0] : undefined;
  if (!ifStmt || ifStmt.childForFieldName('alternative') || ifStmt.namedChildren.some((c) => c.type === 'elif_clause' || c.type === 'else_clause')) return undefined;
  const value = pyIdComparison(ifStmt.childForFieldName('condition') ?? undefined, v);
  if (!value) return undefined;
  const stmts = ifStmt.childForFieldName('consequence')!.namedChildren;
  const removal = stmts[0];
  if (!removal || stmts.length > 2 || (stmts.length === 2 && stmts[1].type !== 'break_statement')) return undefined;
  const call = removal.type === 'expression_statement' ? removal.namedChildren[0] : undefined;
  if (call?.type !== 'call') return undefined;
  const fn = call.childForFieldName('function')!;
  const args = call.childForFieldName('arguments')?.namedChildren ?? [];
  const removesJob =
    (fn.text === `${v}.remove` && args.length === 0) ||
    (fn.text === `${receiver.text}.remove_job` && args.length === 1 && (args[0].text === `${v}.id` || args[0].text === value.text));
  if (!removesJob) return undefined;
  const { text } = target;
  const indent = indentAt(text, loop.startIndex);
  const unit = indentUnit(text);
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const newText = `if ${receiver.text}.get_job(${value.text}) is not None:${nl}${indent}${unit}${receiver.text}.remove_job(${value.text})`;
  return [{ start: loop.startIndex, end: loop.endIndex, newText }];
}

/** Wraps a replacement in parentheses where a comparison would bind differently than the expression it replaces. */
function pyInContext(node: SyntaxNode, replacement: string): string {
  const p = node.parent?.type;
  const bare = new Set(['expression_statement', 'assignment', 'return_statement', 'if_statement', 'elif_clause', 'while_statement', 'boolean_operator', 'not_operator', 'argument_list', 'keyword_argument', 'parenthesized_expression', 'assert_statement']);
  return p && bare.has(p) ? replacement : `(${replacement})`;
}

/**
 * Lookups that get_job does exactly:
 *   next((j for j in scheduler.get_jobs() if j.id == X), None) → scheduler.get_job(X)
 *   any(j.id == X for j in scheduler.get_jobs())                → scheduler.get_job(X) is not None
 *   X in [j.id for j in scheduler.get_jobs()]                   → scheduler.get_job(X) is not None
 */
function pyGetJobFix(target: FixTarget): TextEditInit[] | undefined {
  const receiver = pyGetJobsReceiver(target);
  const clause = target.node.parent;
  const comp = clause?.parent;
  if (!receiver || clause?.type !== 'for_in_clause' || !comp || !PY_COMPREHENSIONS.has(comp.type)) return undefined;
  const parts = comp.namedChildren.filter((c) => c.type !== 'comment');
  const v = clause.childForFieldName('left')!.text;
  const body = comp.childForFieldName('body')!;
  const clauses = parts.filter((c) => c.type === 'for_in_clause' || c.type === 'if_clause');
  const get = (x: SyntaxNode) => `${receiver.text}.get_job(${x.text})`;
  // next((j for j in ... if j.id == X), None)
  if (comp.type === 'generator_expression' && clauses.length === 2 && clauses[1].type === 'if_clause' && body.text === v) {
    const value = pyIdComparison(clauses[1].namedChildren[0], v);
    const args = comp.parent;
    const call = args?.parent;
    const list = args?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
    if (value && args?.type === 'argument_list' && call?.type === 'call' && call.childForFieldName('function')?.text === 'next' && list.length === 2 && sameNode(list[0], comp) && list[1].type === 'none') {
      return [{ start: call.startIndex, end: call.endIndex, newText: get(value) }];
    }
    return undefined;
  }
  if (clauses.length !== 1) return undefined;
  // any(j.id == X for j in ...)
  const call = comp.parent;
  if (comp.type === 'generator_expression' && call?.type === 'call' && call.childForFieldName('function')?.text === 'any') {
    const value = pyIdComparison(body, v);
    return value ? [{ start: call.startIndex, end: call.endIndex, newText: pyInContext(call, `${get(value)} is not None`) }] : undefined;
  }
  // X in [j.id for j in ...]
  const cmp = comp.parent;
  if (cmp?.type === 'comparison_operator' && body.text === `${v}.id`) {
    const operands = cmp.namedChildren;
    const ops = cmp.childrenForFieldName('operators');
    if (operands.length !== 2 || !sameNode(operands[1], comp) || ops.length !== 1 || !pySimpleValue(operands[0])) return undefined;
    const op = ops[0].type === 'in' ? 'is not None' : ops[0].type === 'not in' ? 'is None' : undefined;
    return op ? [{ start: cmp.startIndex, end: cmp.endIndex, newText: pyInContext(cmp, `${get(operands[0])} ${op}`) }] : undefined;
  }
  return undefined;
}

/** An arrow callback `j => j.id === X` (or `(j) => X === j.id`): X, when it does not use `j`. */
function tsIdCallbackValue(cb: SyntaxNode | undefined): SyntaxNode | undefined {
  if (cb?.type !== 'arrow_function') return undefined;
  const param = cb.childForFieldName('parameter') ?? cb.childForFieldName('parameters')?.namedChildren[0]?.childForFieldName('pattern');
  if ((cb.childForFieldName('parameters')?.namedChildren.length ?? 1) !== 1 || param?.type !== 'identifier') return undefined;
  const body = cb.childForFieldName('body');
  if (body?.type !== 'binary_expression' || !/^={2,3}$/.test(body.childForFieldName('operator')!.type)) return undefined;
  const isId = (n: SyntaxNode) => n.type === 'member_expression' && n.childForFieldName('object')!.text === param.text && n.childForFieldName('property')!.text === 'id';
  const a = body.childForFieldName('left')!;
  const b = body.childForFieldName('right')!;
  const value = isId(a) ? b : isId(b) ? a : undefined;
  return value && !usesAny(value, new Set([param.text])) && !tsIsLiteral(value) ? value : undefined;
}

/** `await queue.getJobs(...)`: the queue, when the listing is awaited directly. */
function tsBullQueue(source: SyntaxNode): SyntaxNode | undefined {
  const fn = source.childForFieldName('function');
  if (source.type !== 'call_expression' || fn?.type !== 'member_expression') return undefined;
  return source.parent?.type === 'await_expression' ? fn.childForFieldName('object')! : undefined;
}

/** Parentheses where `await x` would bind differently than the call expression it replaces. */
function tsInContext(node: SyntaxNode, replacement: string): string {
  const p = node.parent;
  const tight = p && ((p.type === 'member_expression' && sameNode(p.childForFieldName('object'), node)) || (p.type === 'call_expression' && sameNode(p.childForFieldName('function'), node)) || p.type === 'subscript_expression' || p.type === 'non_null_expression');
  return tight ? `(${replacement})` : replacement;
}

/**
 * (await queue.getJobs(types)).find((j) => j.id === X)       → await queue.getJob(X)
 * const jobs = await queue.getJobs(types); ... jobs.find(...) → (declaration removed) await queue.getJob(X)
 */
function tsQueueGetJobFix(target: FixTarget, ctx: CheckContext): TextEditInit[] | undefined {
  if ((target.data.lib !== 'BullMQ' && target.data.lib !== 'Bull') || target.data.item !== 'job in the queue' || !target.data.byId) return undefined;
  const queue = tsBullQueue(target.node);
  if (!queue) return undefined;
  const { list } = tsListExpression(target.node);
  if (target.data.shape === 'chained') {
    const member = list.parent;
    const m = tsMemberCall(member?.parent);
    if (!m || m.method !== 'find' || !sameNode(m.object, list)) return undefined;
    const value = tsIdCallbackValue(firstArgument(m.call));
    return value ? [{ start: m.call.startIndex, end: m.call.endIndex, newText: tsInContext(m.call, `await ${queue.text}.getJob(${value.text})`) }] : undefined;
  }
  // The list is declared and used by exactly one `.find` in the function.
  const declarator = list.parent;
  const decl = declarator?.parent;
  const name = declarator?.childForFieldName('name');
  if (declarator?.type !== 'variable_declarator' || !decl || name?.type !== 'identifier' || decl.namedChildren.filter((c) => c.type === 'variable_declarator').length !== 1) return undefined;
  const fn = ctx.enclosingFunction(decl);
  const scope = fn?.childForFieldName('body');
  if (!scope) return undefined;
  const uses = scope.descendantsOfType(['identifier', 'shorthand_property_identifier']).filter((id) => id.text === name.text && !sameNode(id, name));
  if (uses.length !== 1) return undefined;
  const use = uses[0];
  const m = tsMemberCall(use.parent?.parent);
  if (!m || m.method !== 'find' || !sameNode(m.object, use) || use.startIndex < decl.endIndex) return undefined;
  const value = tsIdCallbackValue(firstArgument(m.call));
  // `await` must land in the same (async) function, and the value is in scope there since it was at the use.
  if (!value || ctx.enclosingFunction(m.call)?.startIndex !== fn!.startIndex) return undefined;
  const { text } = target;
  const start = lineStart(text, decl.startIndex);
  const end = nextLineStart(text, decl.endIndex);
  const alone = text.slice(start, decl.startIndex).trim() === '' && text.slice(decl.endIndex, end).trim() === '';
  return [
    alone ? { start, end, newText: '' } : { start: decl.startIndex, end: decl.endIndex, newText: '' },
    { start: m.call.startIndex, end: m.call.endIndex, newText: tsInContext(m.call, `await ${queue.text}.getJob(${value.text})`) },
  ];
}

/**
 * for _, e := range c.Entries() {
 *     if e.ID == id {
 *         c.Remove(e.ID)     (or c.Remove(id); then maybe `break`)
 *     }
 * }
 * → c.Remove(id)   (robfig/cron's Remove does nothing when the entry is gone)
 */
function goRemoveFix(target: FixTarget): TextEditInit[] | undefined {
  if (target.data.lib !== 'robfig/cron' || !target.data.byId || target.data.shape !== 'loop') return undefined;
  const call = target.node;
  const clause = call.parent;
  const loop = clause?.parent;
  if (clause?.type !== 'range_clause' || loop?.type !== 'for_statement' || loop.descendantsOfType('comment').length > 0) return undefined;
  const v = goRangeVar(loop);
  const receiver = call.childForFieldName('function')!.childForFieldName('operand')!;
  const body = goStatements(loop.childForFieldName('body'));
  const ifStmt = body.length === 1 && body[0].type === 'if_statement' ? body[0] : undefined;
  if (!v || !ifStmt || ifStmt.childForFieldName('alternative') || ifStmt.childForFieldName('initializer')) return undefined;
  const cond = ifStmt.childForFieldName('condition')!;
  if (cond.type !== 'binary_expression' || cond.childForFieldName('operator')!.type !== '==') return undefined;
  const idOf = `${v}.ID`;
  const a = cond.childForFieldName('left')!;
  const b = cond.childForFieldName('right')!;
  const value = a.text === idOf ? b : b.text === idOf ? a : undefined;
  if (!value || !/^[\w.]+$/.test(value.text) || usesAny(value, new Set([v]))) return undefined;
  const stmts = goStatements(ifStmt.childForFieldName('consequence'));
  if (stmts.length < 1 || stmts.length > 2 || (stmts.length === 2 && stmts[1].type !== 'break_statement')) return undefined;
  const removal = stmts[0].type === 'expression_statement' ? stmts[0].namedChildren[0] : undefined;
  const args = removal?.childForFieldName('arguments')?.namedChildren ?? [];
  if (removal?.type !== 'call_expression' || removal.childForFieldName('function')!.text !== `${receiver.text}.Remove` || args.length !== 1) return undefined;
  if (args[0].text !== idOf && args[0].text !== value.text) return undefined;
  return [{ start: loop.startIndex, end: loop.endIndex, newText: `${receiver.text}.Remove(${value.text})` }];
}

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python, go, typescript },
  check(match, ctx) {
    switch (match.language) {
      case 'python':
        return checkPython(match, ctx);
      case 'go':
        return checkGo(match, ctx);
      case 'typescript':
        return checkTypescript(match, ctx);
    }
  },
  facts(match) {
    // The import of a library that lists jobs: one fact per listing name it has (what a receiver of another name needs).
    const key = match.node('key');
    if (!key) return undefined;
    const lib = match.file.lang.libraryOfModule(key.text);
    if (!lib) return undefined;
    const names = new Set<string>();
    for (const t of lib.file.types ?? []) for (const m of t.members ?? []) if (effectsOf(m).has('job-list')) names.add(m.name);
    for (const sym of lib.file.symbols ?? []) if (effectsOf(sym).has('job-list')) names.add(sym.name.slice(sym.name.lastIndexOf('.') + 1));
    return [...names].map((n) => ({ name: IMPORT_FACT, key: n, node: key }));
  },
  fixes: {
    'remove-job-by-id': (target) => (target.language === 'python' && target.data.shape === 'loop' ? pyRemoveFix(target) : undefined),
    'get-job-by-id': (target) => (target.language === 'python' && target.data.shape === 'comprehension' ? pyGetJobFix(target) : undefined),
    'queue-get-job': (target, ctx) => (target.language === 'typescript' ? tsQueueGetJobFix(target, ctx) : undefined),
    'cron-remove-by-id': (target) => (target.language === 'go' ? goRemoveFix(target) : undefined),
  },
});
