import type { SyntaxNode } from 'tree-sitter';
import { defineRule, type FixTarget, type RuleMeta, type TextEditInit } from '../../server/src/engine/rule-api';
import type { QueryLanguage } from '../../server/src/engine/languages';
import { enclosingFunction, isAsyncFunction, isFunctionNode, isIterationCallback } from '../../server/src/engine/predicates';
import { isLiteralCollection, jsArguments, pythonArguments, sameNode, stringLiteral } from '../../server/src/engine/syntax';
import { eol, indentAt, lineStart } from '../../server/src/engine/edit-helpers';
import type { FileContext } from '../../server/src/model/file-context';
import { effectsOf, type LanguageModels, type MemberRow, type SymbolRow } from '../../server/src/model/library';
import { readsOneWithRelation } from '../unbounded-fan-out/model';
import { throughCalls } from './through';
import { STATEMENT_CONTAINERS, leavesAfter } from './loop-exit';
import meta from './rule.json';
import python from './python.scm';
import go from './go.scm';
import typescript from './typescript.scm';

/*
 * A query call inside a loop is reported when (1) it is a read (not an insert/update per item,
 * not a batch with `$in`/`IN`/`ANY`), (2) its arguments use the loop variable or a variable the
 * loop body derived from it before the call, and (3) the loop does not run over a collection
 * written out in the code. Everything is found from the call: its arguments and chain, its
 * ancestors up to the enclosing function (the loops, with their variables as children), and the
 * statements before it in the blocks it sits in.
 */

// ---------------------------------------------------------------------------------------------
// Syntax per language

const CALL: Record<QueryLanguage, string> = { python: 'call', go: 'call_expression', typescript: 'call_expression' };
const MEMBER: Record<QueryLanguage, { type: string; object: string; prop: string }> = {
  python: { type: 'attribute', object: 'object', prop: 'attribute' },
  go: { type: 'selector_expression', object: 'operand', prop: 'field' },
  typescript: { type: 'member_expression', object: 'object', prop: 'property' },
};

interface Member {
  object: SyntaxNode;
  name: string;
}

function member(call: SyntaxNode | null | undefined, lang: QueryLanguage): Member | undefined {
  if (!call || call.type !== CALL[lang]) return undefined;
  const fn = call.childForFieldName('function');
  const m = MEMBER[lang];
  if (fn?.type !== m.type) return undefined;
  const object = fn.childForFieldName(m.object);
  const prop = fn.childForFieldName(m.prop);
  return object && prop ? { object, name: prop.text } : undefined;
}

/** The calls a chain makes before this one (`db.Where(...)` below `.First(&u)`), nearest first, and what it starts from. */
function chainBelow(call: SyntaxNode, lang: QueryLanguage): { links: SyntaxNode[]; base: SyntaxNode | undefined } {
  const links: SyntaxNode[] = [];
  let m = member(call, lang);
  while (m && m.object.type === CALL[lang]) {
    links.push(m.object);
    m = member(m.object, lang);
  }
  return { links, base: m?.object };
}

/** The calls made on a call's result (`.filter(...).first()` above `session.query(User)`), nearest first. */
function chainAbove(call: SyntaxNode, lang: QueryLanguage): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  let n = call;
  for (;;) {
    const m = n.parent;
    if (m?.type !== MEMBER[lang].type || !sameNode(m.childForFieldName(MEMBER[lang].object), n)) break;
    const c = m.parent;
    if (c?.type !== CALL[lang] || !sameNode(c.childForFieldName('function'), m)) break;
    out.push(c);
    n = c;
  }
  return out;
}

function args(call: SyntaxNode): SyntaxNode[] {
  return (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment');
}

/** The last name of an expression: `self.session` → `session`, `db["users"]` → `users`, `users` → `users`. */
function lastName(node: SyntaxNode | null | undefined): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'identifier':
      return node.text;
    case 'attribute':
      return node.childForFieldName('attribute')?.text;
    case 'member_expression':
      return node.childForFieldName('property')?.text;
    case 'selector_expression':
      return node.childForFieldName('field')?.text;
    case 'subscript':
      return stringLiteral(node.childForFieldName('subscript'));
    default:
      return undefined;
  }
}

const WRAPPERS = new Set(['await', 'await_expression', 'parenthesized_expression', 'as_expression', 'non_null_expression', 'satisfies_expression']);

function unwrap(node: SyntaxNode | null | undefined): SyntaxNode | undefined {
  let n = node ?? undefined;
  while (n && WRAPPERS.has(n.type)) n = n.namedChildren[n.namedChildren.length - 1];
  return n;
}

/** `&x` in Go. */
function isAddressOf(node: SyntaxNode | undefined): boolean {
  return node?.type === 'unary_expression' && node.child(0)?.type === '&';
}

const STRING_TYPES = new Set(['string', 'template_string', 'interpreted_string_literal', 'raw_string_literal', 'concatenated_string']);

/** The text a SQL string starts with (`f"SELECT ..."`, `` `SELECT ${x}` ``, `"SELECT " + cols`), without quotes. */
function leadingSql(node: SyntaxNode | null | undefined): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'string':
    case 'template_string':
    case 'interpreted_string_literal':
    case 'raw_string_literal':
      return node.text.replace(/^[A-Za-z]*("""|'''|["'`])/, '');
    case 'concatenated_string':
    case 'parenthesized_expression':
      return leadingSql(node.namedChildren[0]);
    case 'binary_expression':
    case 'binary_operator':
      return leadingSql(node.childForFieldName('left'));
    default:
      return undefined;
  }
}

const SQL_WRITE = /^\s*\(?\s*(insert|update|delete|merge|upsert|replace|create|alter|drop|truncate|call|copy|lock|set|begin|commit)\b/i;
const SQL_CTE_WRITE = /\b(insert\s+into|update\s+[\w".]+\s+set|delete\s+from)\b/i;

/** The first keyword of a SQL statement (reads and writes). */
const SQL_START = /^\s*\(?\s*(select|with|values|table|show|explain|describe|pragma|insert|update|delete|merge|upsert|replace|create|alter|drop|truncate|call|copy|lock|set|begin|commit)\b/i;

function isWriteSql(sql: string): boolean {
  return SQL_WRITE.test(sql) || (/^\s*with\b/i.test(sql) && SQL_CTE_WRITE.test(sql));
}

/** The statements that read: an admin statement (`KILL 12`, `VACUUM`, `GRANT`) is no read per item. */
const SQL_READ = /^\s*\(?\s*(select|with|values|table|show|explain|describe|pragma)\b/i;

function isReadSql(sql: string): boolean {
  return SQL_READ.test(sql) && !isWriteSql(sql);
}

/** A locking read (`SELECT ... FOR UPDATE`): one row lock per item, taken in order on purpose, not a lookup to batch. */
const SQL_LOCKING = /\bfor\s+(update|no\s+key\s+update|share|key\s+share)\b|\block\s+in\s+share\s+mode\b/i;

/** A statement or variable that names a write (`insertUser`, `UPDATE_SQL`): not a read per item. */
const WRITE_NAME = /insert|update|delete|upsert|create|save|remove/i;

/** Batches, written in SQL: `IN (...)` (not a sub-select), `= ANY($1)`, `IN ?` (gorm), `IN %s` / `IN :ids`, `unnest(`. */
const BATCH_SQL = /\b(in|any)\s*\(\s*(?!select\b)|\bin\s*[?:%]|\bunnest\s*\(/i;

/** The SQL strings handed to a call: its string arguments, and those of `text(...)` / `sql(...)` arguments. */
function sqlStrings(call: SyntaxNode, lang: QueryLanguage, models: LanguageModels): string[] {
  const out: string[] = [];
  for (const a of args(call)) {
    if (STRING_TYPES.has(a.type) || a.type === 'binary_expression' || a.type === 'binary_operator') {
      const s = leadingSql(a);
      if (s !== undefined) out.push(a.text);
    } else if (a.type === CALL[lang]) {
      // A statement built from SQL text: the models' statement builders (`text(...)`, knex `raw(...)`, gorm `Raw(...)`).
      const fn = a.childForFieldName('function');
      const name = lastName(fn) ?? fn?.text ?? '';
      const builder = [...symbolsNamed(models, name), ...membersNamed(models, name)].some((r) => effectsOf(r.row).includes('db-statement') || (effectsOf(r.row).includes('db-query') && r.row.arguments?.statement !== undefined));
      if (builder) {
        for (const inner of args(a)) if (STRING_TYPES.has(inner.type)) out.push(inner.text);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// What the models say (the library knowledge): read from models/, never listed here

/** A model row with the fields this rule reads (the schema has more than library.ts types). */
type Row = (SymbolRow | MemberRow) & {
  lazy?: boolean;
  bulkTwin?: string;
  optionKeys?: string[];
  arguments?: Record<string, number | string | { argument?: number; keyword?: string; option?: string }>;
};

const READ_EFFECTS: readonly string[] = ['db-read-one', 'db-read-many', 'db-count', 'db-query'];
const WRITE_EFFECTS: readonly string[] = ['db-write', 'db-write-many'];

/** A row's effects, as strings: the schema knows more effects (`batch`) than library.ts's type lists. */
interface Knowledge {
  /** Member rows by name, with the type and library holding them. */
  members: Map<string, { type: string; row: Row; lib: string }[]>;
  /** Symbol rows by last name. */
  symbols: Map<string, { qname: string; row: Row; lib: string }[]>;
  /** Batch operators, symbols and members (`$in`, `__in`, `in_`, `In(`, `Op.in`), as one regular expression over code. */
  batch: RegExp;
}

const KNOWLEDGE = new WeakMap<LanguageModels, Knowledge>();

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The models of a language, indexed the way this rule asks them (built once per set of models). */
function knowledge(lang: LanguageModels): Knowledge {
  let k = KNOWLEDGE.get(lang);
  if (k) return k;
  const members = new Map<string, { type: string; row: Row; lib: string }[]>();
  const symbols = new Map<string, { qname: string; row: Row; lib: string }[]>();
  const batch: string[] = [];
  for (const lib of lang.libraries) {
    const file = lib.file as typeof lib.file & { operators?: { name: string; in?: string; effect: string }[] };
    for (const t of file.types ?? []) {
      for (const m of t.members ?? []) {
        if (m.name === '*') continue;
        const list = members.get(m.name) ?? [];
        list.push({ type: t.name, row: m as Row, lib: lib.name });
        members.set(m.name, list);
        if (effectsOf(m as Row).includes('batch')) batch.push(`\\.${escapeRe(m.name)}\\(`);
      }
    }
    for (const sym of file.symbols ?? []) {
      for (const q of [sym.name, ...(sym.also ?? [])]) {
        const last = q.slice(Math.max(q.lastIndexOf('.'), q.lastIndexOf('/')) + 1);
        const list = symbols.get(last) ?? [];
        list.push({ qname: q, row: sym as Row, lib: lib.name });
        symbols.set(last, list);
        if (effectsOf(sym as Row).includes('batch')) {
          // Go: the package name and the function (`pq.Array(`); elsewhere the function (`In(`).
          const pkg = lang.language === 'go' ? q.slice(q.lastIndexOf('/') + 1, q.lastIndexOf('.')) : '';
          batch.push(pkg ? `\\b${escapeRe(pkg)}\\.${escapeRe(last)}\\(` : `\\b${escapeRe(last)}\\(`);
        }
      }
    }
    for (const op of file.operators ?? []) {
      if (op.effect !== 'batch' || op.in === 'sql' || op.in === 'pipeline') continue; // SQL is read by the rule; `$lookup` joins, it does not ask for keys
      if (op.in === 'lookup') batch.push(`${escapeRe(op.name)}\\b`); // Django `pk__in=`, `f"{path}__in"`
      else if (/^[A-Za-z_]\w*$/.test(op.name)) batch.push(`[{,]\\s*${op.name}\\s*:`); // Prisma `{ in: ids }`
      else batch.push(`${escapeRe(op.name)}\\b`); // `$in`, `Op.in`
    }
  }
  k = { members, symbols, batch: new RegExp([...new Set(batch)].join('|') || '(?!)') };
  KNOWLEDGE.set(lang, k);
  return k;
}

function membersNamed(lang: LanguageModels, name: string): { type: string; row: Row; lib: string }[] {
  return knowledge(lang).members.get(name) ?? [];
}

function symbolsNamed(lang: LanguageModels, name: string): { qname: string; row: Row; lib: string }[] {
  return knowledge(lang).symbols.get(name) ?? [];
}

/**
 * The types the models' naming conventions give a receiver's last name (`session` → a SQLAlchemy
 * session, `cur` → a DB-API cursor, `objects` → a Django manager). Used where nothing resolves (a
 * snippet without imports, a parameter without a type), whatever the file imports.
 */
function conventionTypes(lang: LanguageModels, name: string | undefined): string[] {
  if (!name) return [];
  return lang.conventions.filter((c) => c.type && c.pattern.test(name)).map((c) => c.type!);
}

/** Whether a receiver named so is, by convention, of a type that has a member with one of these effects. */
function namedLike(lang: LanguageModels, name: string | undefined, member: string, effects: readonly string[]): boolean {
  return conventionTypes(lang, name).some((t) => {
    const m = lang.member(t, member);
    return !!m && effectsOf(m.row as Row).some((e) => effects.includes(e));
  });
}

/** The type an attribute holds by the models: a convention on its name, or a library type's attribute member (`Model.query`). */
function attributeType(lang: LanguageModels, name: string | undefined): string | undefined {
  if (!name) return undefined;
  const candidates = [...conventionTypes(lang, name), ...membersNamed(lang, name).filter((m) => (m.row as MemberRow).call === false && m.row.returns).map((m) => m.row.returns!)];
  return candidates.find((t) => isQueryType(lang, t));
}

/** Whether a type has members that read (a query, a query set, a collection). */
function isQueryType(lang: LanguageModels, type: string | undefined): boolean {
  return !!type && lang.memberNames(type).some((n) => {
    const m = lang.member(type, n);
    return !!m && effectsOf(m.row as Row).some((e) => READ_EFFECTS.includes(e));
  });
}

/** The library a type belongs to. */
function libraryOfType(lang: LanguageModels, type: string | undefined): string | undefined {
  return type ? lang.type(type)?.lib.name : undefined;
}

/** Whether a method of these types writes (Django `update`/`delete`, SQLAlchemy Query `delete`). */
function writesOn(lang: LanguageModels, types: readonly string[], method: string): boolean {
  return types.some((t) => {
    const m = lang.member(t, method);
    return !!m && effectsOf(m.row as Row).some((e) => WRITE_EFFECTS.includes(e));
  });
}

/** Properties of the options object of the library's reads (`where`, `include`, `take`): such an object is no filter document. */
function readOptionKeys(lang: LanguageModels, method: string): Set<string> {
  const keys = new Set<string>();
  for (const m of membersNamed(lang, method)) {
    if (effectsOf(m.row).some((e) => e === 'db-read-one' || e === 'db-read-many' || e === 'db-count')) for (const k of m.row.optionKeys ?? []) keys.add(k);
  }
  return keys;
}

/** The option of an options object that holds the SQL text (`{ text, values }` for node-postgres, `{ sql }` for mysql2). */
function statementOptions(lang: LanguageModels, method: string): Set<string> {
  const out = new Set<string>();
  for (const m of membersNamed(lang, method)) {
    const st = m.row.arguments?.statement;
    if (st && typeof st === 'object' && st.option) out.add(st.option);
  }
  return out;
}

/** Where a method's arguments are, by the models' rows of that name (several libraries may share it). */
function argumentPositions(lang: LanguageModels, method: string, role: string, effects: readonly string[] = READ_EFFECTS): Set<number> {
  const out = new Set<number>();
  for (const m of membersNamed(lang, method)) {
    if (!effectsOf(m.row).some((e) => effects.includes(e))) continue;
    const a = m.row.arguments?.[role];
    if (typeof a === 'number') out.add(a);
    else if (a && typeof a === 'object' && a.argument !== undefined) out.add(a.argument);
  }
  return out;
}

/**
 * What resolution says of a call's callee. `project`: the project's own code (a function or method
 * of this file, a function of a module no model knows), never the library's even when it has the
 * library's name. `other`: a library call the models know that is no query (a cache `get`, an HTTP
 * session's `get`). `query`: a library read, or a builder of one. `unknown`: nothing resolves.
 */
function calleeKind(call: SyntaxNode, file: FileContext | undefined): 'project' | 'other' | 'query' | 'unknown' {
  if (!file) return 'unknown';
  const r = file.resolveCallee(call);
  switch (r.kind) {
    case 'function':
    case 'class':
      return 'project';
    case 'import':
      // `from .repo import find_user` / `import * as repo from './repo'; repo.query(...)`: the project's function.
      return r.rest.length === 0 || (r.name === undefined && r.rest.length === 1) ? 'project' : 'unknown';
    case 'library': {
      const lang = file.lang;
      const dot = r.qname.lastIndexOf('.');
      const known = !!lang.symbol(r.qname) || (dot > 0 && !!lang.type(r.qname.slice(0, dot)));
      if (!known) return 'unknown';
      const row = r.row as Row;
      if (effectsOf(row).some((e) => READ_EFFECTS.includes(e))) return 'query';
      if (row.lazy || isQueryType(lang, row.returns)) return 'query';
      return 'other';
    }
    default:
      return 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------
// The query

type Kind = 'mongo-one' | 'mongo-many' | 'mongo-count' | 'sqlalchemy' | 'django' | 'sql' | 'sqlx' | 'gorm' | 'prisma' | 'orm' | 'bulk-write';

interface Query {
  call: SyntaxNode;
  method: string;
  kind: Kind;
  /** Where a use of the loop variable makes the query depend on it. */
  inputs: SyntaxNode[];
  /** Python `execute(stmt)`: the statement, which must turn out to be a read. */
  statement?: SyntaxNode;
  /** The SQL text argument: when it is the loop variable itself, the loop runs a list of statements. */
  sql?: SyntaxNode;
  /** A write of one row: the call that writes them all in one statement (the models' `bulkTwin`). */
  bulk?: string;
}

function isModelName(node: SyntaxNode | undefined): boolean {
  const name = node?.type === 'identifier' ? node.text : node?.type === 'attribute' ? lastName(node) : undefined;
  return !!name && /^[A-Z]/.test(name);
}

function classifyPython(call: SyntaxNode, method: string, models: LanguageModels): Query | undefined {
  const m = member(call, 'python')!;
  const recv = m.object;
  const argList = call.childForFieldName('arguments')!;
  const { positional, keywords } = pythonArguments(call);
  const query = (kind: Kind, inputs: SyntaxNode[] = [argList], statement?: SyntaxNode): Query => ({ call, method, kind, inputs, statement });
  switch (method) {
    case 'find_one':
      return query('mongo-one');
    case 'count_documents':
      return query('mongo-count');
    case 'find': {
      // `str.find(sub)`, BeautifulSoup `find("div")`: a Mongo filter is a dict.
      const filter = positional[0] ?? keywords.get('filter');
      return filter?.type === 'dictionary' ? query('mongo-many') : undefined;
    }
    case 'get':
    case 'filter':
    case 'filter_by': {
      const { links, base } = chainBelow(call, 'python');
      const above = chainAbove(call, 'python');
      const inputs = [argList, ...links.map((l) => l.childForFieldName('arguments')!)];
      // A query set or query reached through a model's attribute: Django `Model.objects[.select_related(...)]`,
      // Flask-SQLAlchemy `Model.query` (the models say what the attribute holds).
      const baseType = base?.type === 'attribute' && isModelName(base.childForFieldName('object') ?? undefined) ? attributeType(models, lastName(base)) : undefined;
      if (baseType && isQueryType(models, baseType)) {
        const chainTypes = [baseType, ...(models.type(baseType)?.row.extends ?? [])];
        if (above.some((c) => writesOn(models, chainTypes, member(c, 'python')!.name))) return undefined;
        const django = libraryOfType(models, baseType) === 'django';
        if (django && method === 'filter_by') return undefined;
        // `.objects.filter(a=x).get(b=y)`: the outermost call of the chain reports.
        if (above.some((c) => ['get', 'filter', 'filter_by'].includes(member(c, 'python')!.name))) return undefined;
        return query(django ? 'django' : 'sqlalchemy', inputs);
      }
      // SQLAlchemy: session.get(Model, key), a session by the name it goes by.
      if (method === 'get' && links.length === 0 && namedLike(models, lastName(recv), 'get', ['db-read-one']) && positional.length >= 2 && isModelName(positional[0])) {
        return query('sqlalchemy');
      }
      return undefined;
    }
    case 'execute':
    case 'scalars':
    case 'scalar': {
      // A session, connection or cursor by the name it goes by (or resolved: see calleeKind).
      const executor = lastName(recv);
      if (!namedLike(models, executor, method, READ_EFFECTS) && !namedLike(models, executor, 'execute', READ_EFFECTS)) return undefined;
      if (!positional[0]) return undefined;
      // A SQL string (DB-API cursors and connections) or a SQLAlchemy statement.
      const stmt = positional[0];
      const textCall = stmt.type === 'call' && statementKind(stmt, models) === 'text';
      const cursor = conventionTypes(models, executor).some((t) => models.type(t)?.lib.name !== 'sqlalchemy' && models.member(t, 'fetchall'));
      const kind = leadingSql(stmt) !== undefined || textCall || cursor ? 'sql' : 'sqlalchemy';
      return query(kind, [argList], stmt);
    }
    case 'query': {
      // session.query(User).filter(User.id == x).first(): the loop variable is in the calls above.
      // The first argument is a model or a column (`User`, `User.id`, `func.count(User.id)`), not a SQL string.
      const first = positional[0];
      const entity = first?.type === 'attribute' ? first.childForFieldName('object') ?? undefined : first?.type === 'call' ? args(first)[0] : first;
      const returns = conventionTypes(models, lastName(recv)).map((t) => models.member(t, 'query')?.row.returns).find((t) => t !== undefined);
      if (!returns || (!isModelName(entity) && !isModelName(first))) return undefined;
      const above = chainAbove(call, 'python');
      if (above.some((c) => writesOn(models, [returns], member(c, 'python')!.name))) return undefined;
      return query('sqlalchemy', [argList, ...above.map((c) => c.childForFieldName('arguments')!)]);
    }
    default:
      return undefined;
  }
}

/** Whether a Python statement handed to `execute` is a read: `select(...)`, `text("SELECT ...")`, `"SELECT ..."`. */
function pyIsRead(node: SyntaxNode | undefined, valueOf: (name: string) => SyntaxNode | undefined, models: LanguageModels, depth = 0): boolean {
  const n = unwrap(node);
  if (!n || depth > 3) return false;
  if (n.type === 'identifier') return pyIsRead(valueOf(n.text), valueOf, models, depth + 1);
  const sql = leadingSql(n);
  if (sql !== undefined) return isReadSql(sql) && !SQL_LOCKING.test(n.text);
  if (n.type !== 'call') return false;
  // The call the chain starts with: `select(User)` in `select(User).where(...)`, `sa.select(User)`, `table.select()`.
  const { links } = chainBelow(n, 'python');
  const first = links.length > 0 ? links[links.length - 1] : n;
  const kind = statementKind(first, models);
  if (kind === 'read') return true;
  if (kind === 'text') return isReadSql(leadingSql(args(first)[0]) ?? 'unknown');
  return false;
}

/**
 * What a call building a statement builds, by the models' statement builders (effect db-statement):
 * a read (`select(...)` returns a type with no write note), SQL text (`text(...)`), or a write.
 */
function statementKind(call: SyntaxNode, models: LanguageModels): 'read' | 'text' | 'write' | undefined {
  const fn = call.childForFieldName('function');
  const name = fn?.type === 'identifier' ? fn.text : lastName(fn);
  if (!name) return undefined;
  for (const { row } of symbolsNamed(models, name)) {
    if (!effectsOf(row).includes('db-statement')) continue;
    const type = row.returns ? models.type(row.returns) : undefined;
    const note = (type?.row as { note?: string } | undefined)?.note ?? row.note ?? '';
    if (/read or write by its SQL text/.test(note)) return 'text';
    return /write statement/.test(note) ? 'write' : 'read';
  }
  return undefined;
}

const SQL_ARGUMENT = new Set([...STRING_TYPES, 'binary_expression', 'identifier', 'selector_expression']);

function classifyGo(call: SyntaxNode, method: string, models: LanguageModels): Query | undefined {
  const list = args(call);
  const argList = call.childForFieldName('arguments')!;
  const query = (kind: Kind, inputs: SyntaxNode[] = [argList]): Query => ({ call, method, kind, inputs });
  // The models say where each method of that name takes its SQL, its context, its destination.
  const statement = argumentPositions(models, method, 'statement');
  const context = argumentPositions(models, method, 'context');
  const destination = argumentPositions(models, method, 'destination');
  const filter = argumentPositions(models, method, 'filter');
  if (statement.size > 0 && destination.size === 0) {
    // db.QueryRow(sql, args...), pgx: pool.QueryRow(ctx, sql, args...); `r.URL.Query()` has no SQL.
    // Several libraries share the name: the context is there when the first argument is one.
    const first = list[0];
    const isContext = !!first && context.size > 0 && (/Context$/.test(method) || (first.type === 'identifier' && /^(ctx|c|context)$/i.test(first.text)) || /(\.Context|context\.\w+)\(\)$/.test(first.text));
    const sql = isContext ? list[Math.max(...statement)] : list[Math.min(...statement)];
    if (!sql || !SQL_ARGUMENT.has(sql.type)) return undefined;
    if (!readSql(sql)) return undefined;
    return { ...query('sql'), sql };
  }
  if (statement.size > 0 && destination.size > 0) {
    // sqlx: db.Get(&dest, sql, args...); `cache.Get(key)` and gorm's `Select("name")` are not.
    const i = Math.min(...[...destination].filter((d) => isAddressOf(list[d])));
    if (!Number.isFinite(i)) return undefined;
    const sql = list[i + 1];
    if (!sql || !SQL_ARGUMENT.has(sql.type)) return undefined;
    return readSql(sql) ? { ...query('sqlx'), sql } : undefined;
  }
  if (destination.size > 0 && [...destination].some((d) => isAddressOf(list[d]))) {
    // gorm: db.Where("id = ?", x).First(&u), db.First(&u, id), db.Model(&o).Association("Items").Find(&items);
    // gorm v1 loads an association with db.Model(&a).Related(&a.Author, "Author")
    const { links } = chainBelow(call, 'go');
    // `db.QueryRow(sql, id).Scan(&v)`: the scan of a query already reported below it.
    if (links.some((l) => argumentPositions(models, member(l, 'go')?.name ?? '', 'statement').size > 0)) return undefined;
    return query('gorm', [argList, ...links.map((l) => l.childForFieldName('arguments')!)]);
  }
  if (filter.size > 0) {
    // mongo-go-driver: coll.FindOne(ctx, filter), coll.Find(ctx, bson.M{...}), coll.CountDocuments(ctx, filter)
    const f = list[Math.min(...filter)];
    if (!f) return undefined;
    const effects = membersNamed(models, method).filter((m) => m.row.arguments?.filter !== undefined).flatMap((m) => effectsOf(m.row));
    if (effects.includes('db-count')) return query('mongo-count');
    if (effects.includes('db-read-one')) return query('mongo-one');
    // A many-read's filter must be a document (`bson.M{...}`): `Find` is also a name of many other things.
    if (f.type === 'composite_literal' && /^bson\./.test(f.childForFieldName('type')?.text ?? '')) return query('mongo-many');
  }
  return undefined;
}

/** A SQL argument that reads: a literal that is not a write, or a name that does not say it writes. */
function readSql(sql: SyntaxNode): boolean {
  const text = leadingSql(sql);
  if (text !== undefined) return isReadSql(text) && !SQL_LOCKING.test(sql.text);
  return !WRITE_NAME.test(lastName(sql) ?? sql.text);
}

function objectKeys(obj: SyntaxNode): string[] {
  const keys: string[] = [];
  for (const p of obj.namedChildren) {
    if (p.type === 'pair') {
      const k = p.childForFieldName('key');
      if (k) keys.push(stringLiteral(k) ?? k.text);
    } else if (p.type === 'shorthand_property_identifier') keys.push(p.text);
  }
  return keys;
}

function classifyTs(call: SyntaxNode, method: string, models: LanguageModels): Query | undefined {
  const { args: list } = jsArguments(call);
  const argList = call.childForFieldName('arguments')!;
  const query = (kind: Kind): Query => ({ call, method, kind, inputs: [argList] });
  // Object keys of the ORMs' options (TypeORM / Sequelize / Prisma, from the models): `findOne({ where: ... })` is no Mongo filter.
  const optionKeys = readOptionKeys(models, method);
  const ormOptions = list[0]?.type === 'object' && objectKeys(list[0]).some((k) => optionKeys.has(k));
  switch (method) {
    case 'findOne':
    case 'findById':
      // TypeORM/Sequelize options, or an entity class first (`em.findOne(User, { id })`, MikroORM/TypeORM managers).
      return query(ormOptions || (list[0]?.type === 'identifier' && /^[A-Z]/.test(list[0].text) && list.length > 1) ? 'orm' : 'mongo-one');
    case 'countDocuments':
      return query('mongo-count');
    case 'find':
      // `items.find((i) => ...)` is Array.prototype.find; a query takes a filter object.
      if (list[0]?.type !== 'object') return undefined;
      return query(ormOptions ? 'orm' : 'mongo-many');
    case 'findUnique':
    case 'findUniqueOrThrow':
    case 'findFirst':
    case 'findFirstOrThrow':
    case 'findMany':
      return query('prisma');
    case 'findByPk':
    case 'findOneBy':
    case 'findBy':
      return query('orm');
    case 'findAll':
      // Sequelize: Model.findAll({ where: { orderId: o.id } })
      return ormOptions ? query('orm') : undefined;
    case 'query': {
      // pool.query(sql, values), client.query({ text, values }); not Apollo's client.query({ query, variables }).
      const first = list[0];
      if (!first) return undefined;
      if (first.type === 'object') {
        const statementKeys = statementOptions(models, method);
        return objectKeys(first).some((k) => statementKeys.has(k)) ? query('sql') : undefined;
      }
      if (!(STRING_TYPES.has(first.type) || first.type === 'binary_expression' || first.type === 'identifier' || first.type === 'member_expression')) return undefined;
      // A literal that is not SQL is no database query: npm's `inventory.query('name', n)`, a search index's `query('tag')`.
      const literal = leadingSql(first);
      if (literal !== undefined && !SQL_START.test(literal)) return undefined;
      return readSql(first) ? { ...query('sql'), sql: first } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * A write of one row or document that has a bulk form (`insert_one` → `insert_many`, Django
 * `create` → `bulk_create`, Prisma `create` → `createMany`, gorm `Create` → `CreateInBatches`): the
 * models' `bulkTwin`. What the call is comes from resolution; where nothing resolves, a Django
 * manager's attribute (`Model.objects.create`), a receiver the models' conventions name, or a name
 * every library's row of which has a bulk form.
 */
function classifyWrite(call: SyntaxNode, method: string, lang: QueryLanguage, file: FileContext): Query | undefined {
  const models = file.lang;
  const rows = membersNamed(models, method);
  const bulkRows = rows.filter((m) => m.row.bulkTwin);
  if (bulkRows.length === 0) return undefined;
  const r = file.resolveCallee(call);
  let bulk: string | undefined;
  if (r.kind === 'library') {
    bulk = (r.row as Row).bulkTwin;
  } else if (r.kind === 'unknown' || (r.kind === 'import' && r.rest.length > 0 && !(r.name === undefined && r.rest.length === 1) && !unmodelledPackage(r.module, lang))) {
    const recv = member(call, lang)?.object;
    const recvName = lastName(recv);
    const typed = [...conventionTypes(models, recvName), ...(recv && isModelName(recv.type === 'attribute' || recv.type === 'member_expression' || recv.type === 'selector_expression' ? recv.childForFieldName('object') ?? undefined : undefined) ? [attributeType(models, recvName)] : [])];
    // Conventions of several libraries may name the receiver (`Notification`: a Sequelize or a
    // mongoose model): the libraries the file imports decide, else every bulk form is named.
    const found = typed.flatMap((t) => {
      const m = t ? models.member(t, method) : undefined;
      const twin = (m?.row as Row | undefined)?.bulkTwin;
      return m && twin ? [{ lib: m.lib.name, twin }] : [];
    });
    const used = found.filter((f) => file.usesLibrary(f.lib));
    const twins = [...new Set((used.length > 0 ? used : found.filter((f) => file.mayUseLibrary(f.lib))).map((f) => f.twin))];
    bulk = twins.length > 0 ? twins.join('` or `') : undefined;
    // A name only bulk-capable writes have (`insert_one`, `insertOne`, `InsertOne`).
    if (!bulk && rows.length === bulkRows.length && new Set(bulkRows.map((m) => m.row.bulkTwin)).size === 1) bulk = bulkRows[0].row.bulkTwin;
  }
  if (!bulk) return undefined;
  return { call, method, kind: 'bulk-write', inputs: [call.childForFieldName('arguments')!], bulk };
}

/**
 * A JS/TS import of a plain package name the models do not know (`prosemirror-state`'s
 * `NodeSelection.create`): its `create` is that package's. Relative paths and scoped names, which
 * path aliases look like (`@server/models`), may be the project's own models.
 */
function unmodelledPackage(module: string, lang: QueryLanguage): boolean {
  return lang === 'typescript' && /^(node:)?[a-z0-9]/i.test(module);
}

function classify(call: SyntaxNode, method: string, lang: QueryLanguage, file: FileContext): Query | undefined {
  // The project's own function named like a library's, or a library call that is no query: not a read per item.
  const callee = calleeKind(call, file);
  if (callee === 'project' || callee === 'other') return undefined;
  const models = file.lang;
  const q = lang === 'python' ? classifyPython(call, method, models) : lang === 'go' ? classifyGo(call, method, models) : classifyTs(call, method, models);
  if (!q) return undefined;
  // A batch: one query for many keys (the models' `$in`, `__in`, `in_`, `In(...)`, `Op.in`, `{ in: ids }`).
  const batch = knowledge(models).batch;
  if (q.inputs.some((n) => batch.test(n.text))) return undefined;
  const sqlCalls = [call, ...chainBelow(call, lang).links, ...(lang === 'python' ? chainAbove(call, lang) : [])];
  if (sqlCalls.some((c) => sqlStrings(c, lang, models).some((s) => BATCH_SQL.test(s)))) return undefined;
  return q;
}

// ---------------------------------------------------------------------------------------------
// Names: what a pattern binds, what an expression uses, what an assignment derives

/** The names a binding pattern introduces: `a`, `(a, b)`, `{ id, user: u }`, `[x, ...rest]`, `_, o`. */
function patternNames(node: SyntaxNode | null | undefined, lang: QueryLanguage, out: string[] = []): string[] {
  if (!node) return out;
  switch (node.type) {
    case 'identifier':
    case 'shorthand_property_identifier_pattern':
      if (node.text !== '_') out.push(node.text);
      return out;
    case 'pair_pattern':
      return patternNames(node.childForFieldName('value'), lang, out);
    case 'assignment_pattern':
    case 'object_assignment_pattern':
      return patternNames(node.childForFieldName('left'), lang, out);
    case 'required_parameter':
    case 'optional_parameter':
      return patternNames(node.childForFieldName('pattern'), lang, out);
    case 'pattern_list':
    case 'tuple_pattern':
    case 'list_pattern':
    case 'list_splat_pattern':
    case 'parenthesized_expression':
    case 'object_pattern':
    case 'array_pattern':
    case 'rest_pattern':
    case 'expression_list':
      for (const c of node.namedChildren) patternNames(c, lang, out);
      return out;
    default:
      return out;
  }
}

/** The variable names an expression reads (not attribute names, keyword names or object keys). */
function usedNames(nodes: SyntaxNode[], lang: QueryLanguage): Set<string> {
  const out = new Set<string>();
  let budget = 4000;
  const visit = (n: SyntaxNode, parentType: string, field: string | null): void => {
    if (--budget < 0) return;
    if (n.type === 'identifier') {
      if (lang === 'python' && ((parentType === 'attribute' && field === 'attribute') || (parentType === 'keyword_argument' && field === 'name'))) return;
      out.add(n.text);
      return;
    }
    if (n.type === 'shorthand_property_identifier') {
      out.add(n.text);
      return;
    }
    for (let i = 0; i < n.childCount; i++) {
      const c = n.child(i)!;
      if (c.isNamed) visit(c, n.type, n.fieldNameForChild(i));
    }
  };
  for (const n of nodes) visit(n, '', null);
  return out;
}

interface Assignment {
  targets: string[];
  sources: SyntaxNode[];
  /** The value of the single target, when there is one. */
  value?: SyntaxNode;
}

/** Go `rows.Scan(&a, &b.c)`: binds `a` and `b` from `rows`. */
function goScan(call: SyntaxNode | undefined): Assignment | undefined {
  const m = member(call, 'go');
  if (!call || !m || !/^(Scan|StructScan|MapScan|SliceScan)$/.test(m.name)) return undefined;
  const targets: string[] = [];
  for (const a of args(call)) {
    if (!isAddressOf(a)) continue;
    let t = a.childForFieldName('operand');
    while (t?.type === 'selector_expression' || t?.type === 'index_expression') t = t.childForFieldName('operand');
    if (t?.type === 'identifier') targets.push(t.text);
  }
  return { targets, sources: [m.object] };
}

/** The assignments a statement makes (in the statement itself; not inside nested blocks). */
function assignmentsOf(stmt: SyntaxNode, lang: QueryLanguage): Assignment[] {
  const out: Assignment[] = [];
  const pair = (left: SyntaxNode | null, right: SyntaxNode | null): void => {
    if (!left || !right) return;
    if (lang === 'go' && left.type === 'expression_list' && right.type === 'expression_list') {
      const ls = left.namedChildren;
      const rs = right.namedChildren;
      if (ls.length === rs.length) {
        ls.forEach((l, i) => out.push({ targets: patternNames(l, lang), sources: [rs[i]], value: rs[i] }));
      } else {
        out.push({ targets: patternNames(left, lang), sources: rs });
      }
      for (const r of rs) {
        const scan = goScan(r);
        if (scan) out.push(scan);
      }
      return;
    }
    const targets = patternNames(left, lang);
    out.push({ targets, sources: [right], value: targets.length === 1 && left.type === 'identifier' ? right : undefined });
  };
  switch (stmt.type) {
    case 'expression_statement': {
      const e = stmt.namedChildren[0];
      if (!e) break;
      if (e.type === 'assignment' || e.type === 'assignment_expression') pair(e.childForFieldName('left'), e.childForFieldName('right'));
      else if (lang === 'go') {
        const scan = goScan(e);
        if (scan) out.push(scan);
      }
      break;
    }
    case 'lexical_declaration':
    case 'variable_declaration':
      for (const d of stmt.namedChildren) {
        if (d.type === 'variable_declarator') pair(d.childForFieldName('name'), d.childForFieldName('value'));
      }
      break;
    case 'short_var_declaration':
    case 'assignment_statement':
      pair(stmt.childForFieldName('left'), stmt.childForFieldName('right'));
      break;
    case 'var_declaration':
      for (const spec of stmt.namedChildren) {
        if (spec.type !== 'var_spec') continue;
        const names = spec.childrenForFieldName('name').map((n) => n.text);
        const value = spec.childForFieldName('value');
        if (value) out.push({ targets: names, sources: [value], value: names.length === 1 ? value.namedChildren[0] : undefined });
      }
      break;
    case 'if_statement': {
      const init = stmt.childForFieldName('initializer');
      if (init) out.push(...assignmentsOf(init, lang));
      break;
    }
    default:
      break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Loops

interface Binding {
  names: string[];
  /** What the loop runs over (for a counted loop, the bound). */
  iterable: SyntaxNode | undefined;
  counted?: boolean;
}

interface Loop {
  node: SyntaxNode;
  /** Index of the loop's node in the path (for callbacks: of the callback function). */
  index: number;
  kind: 'for' | 'comprehension' | 'callback' | 'rows';
  bindings: Binding[];
  /** An async callback of map/forEach: every item's query is sent at once. */
  concurrent: boolean;
}

const PY_COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);
const CONCURRENT_METHODS = new Set(['map', 'forEach', 'flatMap']);

/** `asyncio.gather(*[... for x in xs])`: the comprehension's coroutines run at once. */
function gathered(path: SyntaxNode[], i: number): boolean {
  for (let j = i + 1; j <= i + 3 && j < path.length; j++) {
    const n = path[j];
    if (n.type === 'call') return /(^|\.)gather$/.test(n.childForFieldName('function')?.text ?? '');
    if (n.type !== 'list_splat' && n.type !== 'argument_list' && n.type !== 'parenthesized_expression') return false;
  }
  return false;
}

/** `Promise.all(items.map(...))`: path[i] is the `items.map(...)` call. */
function promiseCombined(path: SyntaxNode[], i: number): boolean {
  const call = path[i + 2];
  return path[i + 1]?.type === 'arguments' && call?.type === 'call_expression' && /^Promise\.(all|allSettled|any|race)$/.test(call.childForFieldName('function')?.text ?? '');
}

/**
 * `if (match) { const t = await repo.findOne(…); return t; }`: a statement on the call's path is
 * followed, in its own block, by a `return`, `throw` or `break` that leaves the loop, so the query
 * runs once for the loop, not once per item (a first-match search). Only a `for` loop's body
 * counts: a callback's `return` ends one item.
 */
function leavesLoopAfter(path: SyntaxNode[], loop: Loop, lang: QueryLanguage): boolean {
  return loop.kind === 'for' && leavesAfter(path, loop.index, lang);
}

/** The call's ancestors up to its function (through the callbacks of array iteration), nearest first; path[0] is the call. */
function pathOf(call: SyntaxNode, lang: QueryLanguage): SyntaxNode[] {
  const path = [call];
  for (let n = call.parent; n; n = n.parent) {
    path.push(n);
    if (isFunctionNode(n, lang) && !(lang === 'typescript' && isIterationCallback(n))) break;
  }
  return path;
}

function loopsOf(path: SyntaxNode[], lang: QueryLanguage): Loop[] {
  const loops: Loop[] = [];
  for (let i = 1; i < path.length; i++) {
    const n = path[i];
    const child = path[i - 1];
    const inBody = sameNode(n.childForFieldName('body'), child);
    if (lang === 'python') {
      if (n.type === 'for_statement' && inBody) {
        loops.push({ node: n, index: i, kind: 'for', bindings: [{ names: patternNames(n.childForFieldName('left'), lang), iterable: n.childForFieldName('right') ?? undefined }], concurrent: false });
      } else if (PY_COMPREHENSIONS.has(n.type)) {
        const clauses = n.namedChildren.filter((c) => c.type === 'for_in_clause');
        if (sameNode(clauses[0], child)) continue; // the first iterable is evaluated once
        // In a later clause's iterable, only the clauses before it have bound their names.
        const bound = clauses.some((c) => sameNode(c, child)) ? clauses.filter((c) => c.startIndex < child.startIndex) : clauses;
        const bindings = bound.map((c) => ({ names: patternNames(c.childForFieldName('left'), lang), iterable: c.childForFieldName('right') ?? undefined }));
        loops.push({ node: n, index: i, kind: 'comprehension', bindings, concurrent: gathered(path, i) });
      }
    } else if (lang === 'go') {
      if (n.type !== 'for_statement' || !inBody) continue;
      const header = n.namedChildren.find((c) => !sameNode(c, child) && c.type !== 'comment');
      if (header?.type === 'range_clause') {
        loops.push({ node: n, index: i, kind: 'for', bindings: [{ names: patternNames(header.childForFieldName('left'), lang), iterable: header.childForFieldName('right') ?? undefined }], concurrent: false });
      } else if (header?.type === 'for_clause') {
        const init = header.childForFieldName('initializer');
        const names = init ? assignmentsOf(init, lang).flatMap((a) => a.targets) : [];
        loops.push({ node: n, index: i, kind: 'for', bindings: [{ names, iterable: header.childForFieldName('condition') ?? undefined, counted: true }], concurrent: false });
      } else if (header?.type === 'call_expression' && member(header, 'go')?.name === 'Next') {
        // for rows.Next() { rows.Scan(&id); ... }: the scanned variables come from `rows`.
        const rows = member(header, 'go')!.object;
        if (rows.type === 'identifier') loops.push({ node: n, index: i, kind: 'rows', bindings: [{ names: [rows.text], iterable: rows }], concurrent: false });
      }
    } else {
      if ((n.type === 'for_statement' || n.type === 'for_in_statement') && inBody) {
        if (n.type === 'for_in_statement') {
          loops.push({ node: n, index: i, kind: 'for', bindings: [{ names: patternNames(n.childForFieldName('left'), lang), iterable: n.childForFieldName('right') ?? undefined }], concurrent: false });
        } else {
          const init = n.childForFieldName('initializer');
          const names = init ? assignmentsOf(init, lang).flatMap((a) => a.targets) : [];
          loops.push({ node: n, index: i, kind: 'for', bindings: [{ names, iterable: n.childForFieldName('condition') ?? undefined, counted: true }], concurrent: false });
        }
      } else if (isFunctionNode(n, lang) && isIterationCallback(n)) {
        const call = n.parent!.parent!;
        const m = member(call, lang)!;
        const params = n.childForFieldName('parameters')?.namedChildren ?? [n.childForFieldName('parameter')].filter((p): p is SyntaxNode => !!p);
        const items = m.name === 'reduce' ? params.slice(1) : params;
        loops.push({
          node: call,
          index: i,
          kind: 'callback',
          bindings: [{ names: items.flatMap((p) => patternNames(p, lang)), iterable: m.object }],
          concurrent: (isAsyncFunction(n) && CONCURRENT_METHODS.has(m.name)) || (/^(map|flatMap)$/.test(m.name) && promiseCombined(path, i + 2)),
        });
      }
    }
  }
  return loops;
}

/**
 * Walks down the path from index `from` to index `to` (both inclusive, `to` at least 1), through the
 * statements before the path in every block on the way, calling `visit` for each assignment they
 * make, in order.
 */
function assignmentsOnPath(path: SyntaxNode[], from: number, to: number, lang: QueryLanguage, visit: (a: Assignment) => void): void {
  for (let i = from; i >= Math.max(to, 1); i--) {
    const container = path[i];
    const child = path[i - 1];
    if (STATEMENT_CONTAINERS[lang].has(container.type)) {
      for (const stmt of container.namedChildren) {
        if (stmt.startIndex >= child.startIndex) break;
        for (const a of assignmentsOf(stmt, lang)) visit(a);
      }
    } else if (container.type === 'if_statement' && lang === 'go') {
      const init = container.childForFieldName('initializer');
      if (init && !sameNode(init, child)) for (const a of assignmentsOf(init, lang)) visit(a);
    }
  }
}

/** The value last assigned to a name before the call, in the blocks of its function (from `to` up). */
function lastValue(name: string, path: SyntaxNode[], lang: QueryLanguage, to = 1): SyntaxNode | undefined {
  let value: SyntaxNode | undefined;
  assignmentsOnPath(path, path.length - 1, to, lang, (a) => {
    if (a.targets.includes(name)) value = a.value;
  });
  return value;
}

const UPPER_CONSTANT = /^[A-Z][A-Z0-9_]*[A-Z0-9]$/;

/** What a loop really runs over: `enumerate(orders)` → `orders`, `Object.values(byId)` → `byId`, `i < len(ids)` → `ids`. */
function innerIterable(node: SyntaxNode | undefined, lang: QueryLanguage, counted: boolean): SyntaxNode | undefined {
  let n = node;
  if (counted && n && (n.type === 'binary_expression' || n.type === 'comparison_operator')) n = n.childForFieldName('right') ?? n.namedChildren[1];
  for (let guard = 0; n && guard < 4; guard++) {
    if (n.type === 'parenthesized_expression') {
      n = n.namedChildren[0];
      continue;
    }
    if (n.type === CALL[lang]) {
      const fn = n.childForFieldName('function');
      const a = args(n);
      if (lang === 'python' && fn?.type === 'identifier' && /^(enumerate|sorted|reversed|list|tuple|set|zip|iter|len)$/.test(fn.text) && a[0]) {
        n = a[0];
        continue;
      }
      if (lang === 'python' && fn?.text === 'range' && a.length === 1 && a[0].type === 'call' && a[0].childForFieldName('function')?.text === 'len') {
        n = args(a[0])[0];
        continue;
      }
      if (lang === 'go' && fn?.text === 'len' && a[0]) {
        n = a[0];
        continue;
      }
      if (lang === 'typescript' && /^Object\.(keys|values|entries)$/.test(fn?.text ?? '') && a[0]) {
        n = a[0];
        continue;
      }
      const m = member(n, lang);
      if (m && a.length === 0 && /^(items|keys|values|entries)$/.test(m.name)) {
        n = m.object;
        continue;
      }
    }
    if (lang === 'typescript' && counted && n.type === 'member_expression' && n.childForFieldName('property')?.text === 'length') {
      n = n.childForFieldName('object') ?? undefined;
      continue;
    }
    break;
  }
  return n;
}

/** A loop that runs a fixed number of times: over a literal collection, a constant, a literal count. */
function isFixed(binding: Binding, loop: Loop, path: SyntaxNode[], lang: QueryLanguage): boolean {
  const raw = binding.iterable;
  if (!raw) return true;
  // `for value in 0xd8ff, 0xdcff:` (Python): a tuple written without parentheses.
  if (isLiteralCollection(raw) || raw.type === 'expression_list') return true;
  const n = innerIterable(raw, lang, !!binding.counted);
  if (!n) return true;
  if (isLiteralCollection(n) || n.type === 'object' || n.type === 'integer' || n.type === 'int_literal' || n.type === 'number') return true;
  const name = lastName(n);
  if (name && UPPER_CONSTANT.test(name)) return true;
  if (n.type === 'identifier') {
    // Bound to a literal before the loop: `regions = ["eu", "us"]`, `kinds := []string{...}`.
    const value = unwrap(lastValue(n.text, path, lang, loop.index + 1));
    // An empty literal (`ids = []`, `byId := map[string]bool{}`) is filled by the code that follows: not a fixed set.
    const body = value?.type === 'composite_literal' ? value.childForFieldName('body') : value;
    const empty = !!body && /^(list|tuple|set|dictionary|array|object|literal_value)$/.test(body.type) && body.namedChildren.every((c) => c.type === 'comment');
    if (value && !empty && (isLiteralCollection(value) || value.type === 'object')) return true;
  }
  return false;
}

function short(text: string, max = 40): string {
  const t = text.replace(/\s+/g, ' ');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

interface Finding {
  query: Query;
  path: SyntaxNode[];
  loop: Loop;
  binding: Binding;
  label: string;
}

/**
 * The expressions that say which table, collection or model a query reads: the chain's base
 * (`db[name]`, `model.objects`, `table`), the name handed to a call that picks a collection or model
 * (`db.collection(name)`, `em.findOne(Entity, …)`, by the models' `arguments.name`), and the entity
 * of a statement (`select(X)`, `session.query(X)`, `session.get(X, key)`).
 */
function queryTargets(q: Query, lang: QueryLanguage, models: LanguageModels, valueOf: (name: string) => SyntaxNode | undefined): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const { links, base } = chainBelow(q.call, lang);
  if (base) out.push(base);
  // A name is a string, a name or an attribute (`Order`, `config.model`); an object in that place is another
  // library's filter (rows of one name differ: TypeORM's manager takes the entity first, a repository the filter).
  const isName = (n: SyntaxNode | undefined): n is SyntaxNode => !!n && (STRING_TYPES.has(n.type) || /^(identifier|attribute|member_expression|selector_expression|subscript|subscript_expression)$/.test(n.type));
  const named = (call: SyntaxNode, method: string): void => {
    const list = args(call);
    for (const i of argumentPositions(models, method, 'name', [...READ_EFFECTS, 'db-statement'])) if (isName(list[i]) && list.length > i + 1) out.push(list[i]);
    for (const m of membersNamed(models, method)) {
      const a = m.row.arguments?.name;
      if (typeof a === 'number' && isName(list[a]) && !effectsOf(m.row).length) out.push(list[a]); // db.collection(name), getRepository(Entity)
    }
  };
  for (const l of links) named(l, member(l, lang)?.name ?? '');
  named(q.call, q.method);
  // session.query(Model), session.get(Model, key): the entity comes first.
  if (lang === 'python' && q.kind === 'sqlalchemy' && (q.method === 'query' || (q.method === 'get' && args(q.call).length >= 2))) {
    const first = args(q.call)[0];
    if (first) out.push(first);
  }
  if (q.statement) {
    let stmt = unwrap(q.statement);
    if (stmt?.type === 'identifier') stmt = unwrap(valueOf(stmt.text));
    if (stmt?.type === CALL[lang]) {
      const below = chainBelow(stmt, lang);
      const first = below.links.length > 0 ? below.links[below.links.length - 1] : stmt;
      if (below.base) out.push(below.base); // table.select()
      const entity = args(first)[0];
      if (entity && statementKind(first, models) === 'read') out.push(entity); // select(Model)
    }
  }
  return out;
}

/** Whether SQL text takes its table from a variable: `FROM " + table`, `FROM {table}`, `` FROM ${table} ``. */
function tableFrom(sql: string, name: string): boolean {
  return new RegExp(`\\b(from|join|into|update)\\s*(["'\`]\\s*\\+\\s*|\\$?\\{\\s*)${name.replace(/[$]/g, '\\$&')}\\b`, 'i').test(sql);
}

/** Array.prototype methods that return a part or a copy of the array (language semantics). */
const ARRAY_DERIVED = new Set(['filter', 'map', 'slice', 'concat', 'flat', 'flatMap', 'sort', 'reverse', 'toSorted', 'toReversed']);

/** Calls whose result is parsed out of one value in memory (`parseMentions(doc)`, `extract_ids(text)`): bounded by that value, not by the data. */
const PARSED = /^(parse|extract|collect|split|tokeni[sz]e)([A-Z_]|$)/;

/**
 * Whether the code shows that what a loop iterates is not data-sized: values taken out of a mapping
 * by a literal key (a request payload or a configuration: `data.get("fields")`, `attrs["emails"]`),
 * the keyword arguments of one call (`**kwargs`), or what a function parses out of one value. Such a
 * loop runs as many times as one request or one document says, not as many as the database holds.
 */
function boundedSource(node: SyntaxNode | undefined, path: SyntaxNode[], loop: Loop, lang: QueryLanguage, file: FileContext, depth = 0): boolean {
  const n = unwrap(node);
  if (!n || depth > 4) return false;
  switch (n.type) {
    case 'identifier': {
      const fn = path[path.length - 1];
      if (lang === 'python' && (fn.childForFieldName('parameters')?.namedChildren ?? []).some((p) => p.type === 'dictionary_splat_pattern' && p.namedChildren[0]?.text === n.text)) return true;
      const value = lastValue(n.text, path, lang, loop.index + 1);
      return value ? boundedSource(value, path, loop, lang, file, depth + 1) : false;
    }
    case 'boolean_operator':
    case 'binary_expression':
      // `data.get("fields") or []`, `body.ids ?? []`
      return boundedSource(n.childForFieldName('left') ?? undefined, path, loop, lang, file, depth + 1);
    case 'binary_operator': {
      // Python sets and lists: `requested - current` and `a & b` are at most the left side; `a | b`
      // and `a + b` are both sides.
      const op = n.childForFieldName('operator')?.text;
      const left = n.childForFieldName('left') ?? undefined;
      if (op === '-' || op === '&') return boundedSource(left, path, loop, lang, file, depth + 1);
      if (op === '|' || op === '+') return boundedSource(left, path, loop, lang, file, depth + 1) && boundedSource(n.childForFieldName('right') ?? undefined, path, loop, lang, file, depth + 1);
      return false;
    }
    case 'array':
    case 'list': {
      // `[...parseMentions(doc)]`: as many items as what it spreads.
      const spreads = n.namedChildren.filter((c) => c.type === 'spread_element' || c.type === 'list_splat');
      return spreads.length > 0 && spreads.every((c) => boundedSource(c.namedChildren[0], path, loop, lang, file, depth + 1));
    }
    case 'ternary_expression':
    case 'conditional_expression': {
      const branches = lang === 'python' ? [n.namedChildren[0], n.namedChildren[2]] : [n.childForFieldName('consequence'), n.childForFieldName('alternative')];
      return branches.every((b) => !!b && (isLiteralCollection(b) || boundedSource(b, path, loop, lang, file, depth + 1)));
    }
    case 'new_expression':
      // `new Set(ids)`: made of its argument.
      return boundedSource(args(n)[0], path, loop, lang, file, depth + 1);
    case 'member_expression': {
      // `envelope.items` of `envelope = await prisma.envelope.findFirst({ include: { items: true } })`: one record's children.
      const obj = n.childForFieldName('object');
      const rel = n.childForFieldName('property')?.text;
      const value = obj?.type === 'identifier' && rel ? lastValue(obj.text, path, lang, loop.index + 1) : undefined;
      return !!value && !!rel && readsOneWithRelation(file, value, rel);
    }
    case 'subscript':
    case 'subscript_expression': {
      const key = n.childForFieldName(lang === 'python' ? 'subscript' : 'index');
      return stringLiteral(key) !== undefined;
    }
    case 'call':
    case 'call_expression': {
      const fn = n.childForFieldName('function');
      const name = lastName(fn);
      if (name && PARSED.test(name)) return true;
      const m = member(n, lang);
      const first = args(n)[0];
      // An array's own copies and subsets (`mentions.filter(...)`, `xs.map(...)`): made of the array.
      if (lang === 'typescript' && m && ARRAY_DERIVED.has(m.name)) return boundedSource(m.object, path, loop, lang, file, depth + 1);
      // `Array.from(xs)`: a copy (language built-in, as Python's list(xs) is read through by innerIterable).
      if (lang === 'typescript' && fn?.text === 'Array.from') return boundedSource(first, path, loop, lang, file, depth + 1);
      // mapping.get("key"[, default])
      if (m?.name === 'get' && stringLiteral(first) !== undefined && args(n).length <= 2 && calleeKind(n, file) !== 'query') return true;
      // A library helper that does no I/O (lodash `uniq(xs)`, `sorted(xs)`): its result is made of its argument.
      const r = file.resolveCallee(n);
      if (r.kind === 'library' && effectsOf(r.row as Row).every((e) => e === 'subset') && !r.row.returns && first) return boundedSource(first, path, loop, lang, file, depth + 1);
      return false;
    }
    default:
      return false;
  }
}

/** The innermost loop (not a fixed one) whose variable the query uses, directly or through a variable derived from it. */
function analyse(call: SyntaxNode, method: string, lang: QueryLanguage, file: FileContext, write = false): Finding | undefined {
  const query = write ? classifyWrite(call, method, lang, file) : classify(call, method, lang, file);
  if (!query) return undefined;
  const path = pathOf(call, lang);
  const used = usedNames(query.inputs, lang);
  for (const loop of loopsOf(path, lang)) {
    const tracked = new Set(loop.bindings.flatMap((b) => b.names));
    const values = new Map<string, SyntaxNode>();
    assignmentsOnPath(path, loop.index - 1, 1, lang, (a) => {
      const derived = usedNames(a.sources, lang);
      if ([...derived].some((d) => tracked.has(d))) {
        for (const t of a.targets) {
          tracked.add(t);
          if (a.value) values.set(t, a.value);
        }
      } else {
        for (const t of a.targets) tracked.delete(t);
      }
    });
    if (![...used].some((u) => tracked.has(u))) continue;
    // `for q in statements: cursor.execute(q)` runs a list of statements, not one query per record;
    // and `c.Query(item.Name)` (gin) or `params.query(item.key)` take no SQL at all.
    if (query.sql && /^(identifier|member_expression|selector_expression|attribute)$/.test(query.sql.type) && [...usedNames([query.sql], lang)].some((n) => tracked.has(n))) return undefined;
    const valueOf = (name: string) => values.get(name) ?? lastValue(name, path, lang);
    // A loop over tables, collections or models (`for model in registry`, `for table in meta.sorted_tables`):
    // one query per kind of thing the schema holds, not per record.
    if (queryTargets(query, lang, file.lang, valueOf).some((t) => [...usedNames([t], lang)].some((n) => tracked.has(n)))) return undefined;
    // The same written in SQL: `"SELECT count(*) FROM " + table`, f"SELECT * FROM {table}".
    const sqlCalls = [call, ...chainBelow(call, lang).links];
    if (sqlCalls.some((c) => sqlStrings(c, lang, file.lang).some((sql) => [...tracked].some((n) => tableFrom(sql, n))))) return undefined;
    if (leavesLoopAfter(path, loop, lang)) continue;
    const binding = loop.bindings.find((b) => b.names.some((n) => used.has(n))) ?? loop.bindings[0];
    if (isFixed(binding, loop, path, lang)) continue;
    if (boundedSource(innerIterable(binding.iterable, lang, !!binding.counted), path, loop, lang, file)) continue;
    if (query.statement && !pyIsRead(query.statement, valueOf, file.lang)) return undefined;
    const inner = innerIterable(binding.iterable, lang, !!binding.counted) ?? binding.iterable!;
    return { query, path, loop, binding, label: short(inner.text) };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Messages

const CONCURRENT_MESSAGE =
  '`{query}` runs once per item of `{iterable}`, all at once: 1,000 items send 1,000 queries together, which queue for the connection pool and load the database in proportion to the data. {advice}';

function advice(kind: Kind, lang: QueryLanguage): string {
  const map = lang === 'python' ? 'a dict' : lang === 'go' ? 'a map' : 'a `Map`';
  switch (kind) {
    case 'mongo-one':
      return `Fetch them all with one \`$in\` query before the loop and look each one up in ${map}.`;
    case 'mongo-many':
      return 'Fetch them all with one `$in` query (or a `$lookup` aggregation) and group the results by key.';
    case 'mongo-count':
      return 'Count them all in one aggregation (`$match` with `$in`, then `$group` by the key).';
    case 'sqlalchemy':
      return `Load them in one query before the loop (\`select(Model).where(Model.id.in_(ids))\`, or \`selectinload\` on the query that produced the list) and look them up in ${map}.`;
    case 'django':
      return 'Load them in one query (`in_bulk(ids)` or `filter(pk__in=ids)`), or add `select_related`/`prefetch_related` to the query that produced the list.';
    case 'sql':
      return `Fetch them in one query (\`WHERE id = ANY($1)\`, \`IN (...)\` or a JOIN) and look them up in ${map}.`;
    case 'sqlx':
      return 'Fetch them in one query (`sqlx.In` or `= ANY($1)`) and look them up in a map.';
    case 'gorm':
      return 'Load them in one query (`Where("id IN ?", ids)`, or `Preload` on the query that produced the list) and look them up in a map.';
    case 'prisma':
      return 'Load them in one query (`findMany({ where: { id: { in: ids } } })`, or `include` on the query that produced the list) and look them up in a `Map`.';
    case 'orm':
      return 'Load them in one query with an `IN` filter (TypeORM `In(ids)`, Sequelize `{ [Op.in]: ids }`) and look them up in a `Map`.';
    case 'bulk-write':
      return 'Collect the rows in the loop and write them in one statement after it ({bulk}).';
  }
}

function queryLabel(call: SyntaxNode, method: string): string {
  const fn = call.childForFieldName('function')!.text.replace(/\s*\n\s*/g, '').replace(/\s+/g, ' ');
  return fn.length <= 48 ? fn : `….${method}`;
}

// ---------------------------------------------------------------------------------------------
// The fix: one `$in` query before the loop, a dict / Map lookup inside it

const PY_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const JS_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Every name the key expression reads is the loop variable (or a function it calls: `ObjectId(o["u"])`). */
function onlyUses(expr: SyntaxNode, loopVar: string, lang: QueryLanguage): boolean {
  let ok = true;
  let uses = false;
  let budget = 500;
  const visit = (n: SyntaxNode, parent: SyntaxNode | undefined, field: string | null): void => {
    if (!ok || --budget < 0) {
      ok = false;
      return;
    }
    if (['await', 'await_expression', 'lambda', 'arrow_function', 'function_expression', 'yield', 'yield_expression', 'named_expression', 'assignment_expression'].includes(n.type) || PY_COMPREHENSIONS.has(n.type)) {
      ok = false;
      return;
    }
    if (n.type === 'identifier' || n.type === 'shorthand_property_identifier') {
      if (lang === 'python' && parent?.type === 'attribute' && field === 'attribute') return;
      if (lang === 'python' && parent?.type === 'keyword_argument' && field === 'name') return;
      if ((parent?.type === 'call' || parent?.type === 'call_expression' || parent?.type === 'new_expression') && (field === 'function' || field === 'constructor')) return;
      if (n.text === loopVar) uses = true;
      else ok = false;
      return;
    }
    for (let i = 0; i < n.childCount; i++) {
      const c = n.child(i)!;
      if (c.isNamed) visit(c, n, n.fieldNameForChild(i));
    }
  };
  visit(expr, undefined, null);
  return ok && uses;
}

const PY_PLAIN_PARENTS = new Set(['expression_statement', 'assignment', 'argument_list', 'call', 'attribute', 'subscript', 'parenthesized_expression', 'pair', 'dictionary', 'list', 'tuple', 'keyword_argument', 'return_statement']);
const TS_PLAIN_PARENTS = new Set(['expression_statement', 'variable_declarator', 'lexical_declaration', 'variable_declaration', 'assignment_expression', 'arguments', 'call_expression', 'member_expression', 'subscript_expression', 'parenthesized_expression', 'pair', 'object', 'array', 'return_statement', 'as_expression', 'non_null_expression']);

/**
 * The replaced expression runs once for every item: nothing between it and the loop body is a
 * condition, so computing every key before the loop evaluates nothing the loop would have skipped.
 */
function runsForEveryItem(path: SyntaxNode[], from: number, loop: Loop, lang: QueryLanguage): boolean {
  const plain = lang === 'python' ? PY_PLAIN_PARENTS : TS_PLAIN_PARENTS;
  const body = loop.kind === 'callback' ? path[loop.index].childForFieldName('body') : loop.node.childForFieldName('body');
  for (let i = from + 1; i < path.length; i++) {
    const n = path[i];
    if (sameNode(n, body)) return true;
    if (sameNode(path[i - 1], body)) return true;
    // The left operand of `a || b` / `a or b` always runs; the right one does not.
    const leftOperand = (n.type === 'binary_expression' || n.type === 'boolean_operator') && sameNode(n.childForFieldName('left'), path[i - 1]);
    if (!plain.has(n.type) && !leftOperand) return false;
  }
  return false;
}

/** Python: the loop's iterable is a list (a list from `to_list`, a comprehension, a parameter typed `list[...]`), not a cursor the batch would consume. */
function pyIsList(name: string, path: SyntaxNode[], loop: Loop): boolean {
  let value: SyntaxNode | undefined;
  let assigned = false;
  assignmentsOnPath(path, path.length - 1, loop.index + 1, 'python', (a) => {
    if (a.targets.includes(name)) {
      value = a.value;
      assigned = true;
    }
  });
  if (assigned) {
    const v = unwrap(value);
    if (!v) return false;
    if (v.type === 'list' || v.type === 'list_comprehension' || v.type === 'tuple') return true;
    if (v.type === 'call') {
      const fn = v.childForFieldName('function');
      if (fn?.type === 'identifier') return /^(list|sorted|tuple)$/.test(fn.text);
      return /^(to_list|all|fetchall|fetchmany)$/.test(member(v, 'python')?.name ?? '');
    }
    return false;
  }
  const fn = path[path.length - 1];
  if (fn.type !== 'function_definition') return false;
  for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    if (p.type !== 'typed_parameter' && p.type !== 'typed_default_parameter') continue;
    const pname = p.type === 'typed_parameter' ? p.namedChildren.find((c) => c.type === 'identifier')?.text : p.childForFieldName('name')?.text;
    if (pname === name) return /^(list|List|Sequence|tuple|Tuple|typing\.(List|Sequence|Tuple)|collections\.abc\.Sequence)\b/.test(p.childForFieldName('type')?.text ?? '');
  }
  return false;
}

/** TS/JS: the loop's iterable is an array. */
function tsIsArray(name: string, path: SyntaxNode[], loop: Loop): boolean {
  if (loop.kind === 'callback' && /^(map|flatMap)$/.test(member(loop.node, 'typescript')!.name)) return true;
  let found: SyntaxNode | undefined;
  let declared = false;
  const fnNode = path[path.length - 1];
  // Declarations, including destructuring: `const { rows } = await pool.query(...)`, `const [rows] = await db.query(...)`.
  for (let i = path.length - 1; i >= 1; i--) {
    const container = path[i];
    if (!STATEMENT_CONTAINERS.typescript.has(container.type)) continue;
    for (const stmt of container.namedChildren) {
      if (stmt.startIndex >= loop.node.startIndex || stmt.startIndex >= path[i - 1].startIndex) break;
      if (stmt.type !== 'lexical_declaration' && stmt.type !== 'variable_declaration') continue;
      for (const d of stmt.namedChildren) {
        if (d.type !== 'variable_declarator') continue;
        const target = d.childForFieldName('name');
        if (!patternNames(target, 'typescript').includes(name)) continue;
        declared = true;
        found = undefined;
        const value = unwrap(d.childForFieldName('value'));
        if (target?.type === 'identifier') found = value;
        else if (value && /^(query|execute)$/.test(member(value, 'typescript')?.name ?? '')) found = value; // rows of a SQL result
        if (target?.type !== 'identifier' && found) return true;
      }
    }
  }
  if (declared) {
    const v = found;
    if (!v) return false;
    if (v.type === 'array') return true;
    const m = member(v, 'typescript');
    if (!m) return false;
    if (/^(toArray|findMany|map|filter|slice|concat|flat|flatMap|sort|from)$/.test(m.name)) return true;
    // mongoose: await Model.find(...)[.lean()/.sort()/...]
    const { links, base } = chainBelow(v, 'typescript');
    const methods = [m.name, ...links.map((l) => member(l, 'typescript')!.name)];
    return methods[methods.length - 1] === 'find' && base?.type === 'identifier' && /^[A-Z]/.test(base.text);
  }
  const params = fnNode.childForFieldName('parameters')?.namedChildren ?? [];
  for (const p of params) {
    if (patternNames(p, 'typescript').includes(name) && p.childForFieldName('pattern')?.type === 'identifier') {
      const type = p.childForFieldName('type')?.namedChildren[0];
      return type?.type === 'array_type' || /^(ReadonlyArray|Array)</.test(type?.text ?? '');
    }
  }
  return false;
}

/** A name not yet used in the function: `users_by_id`, else `users_by_id2`, ... */
function freshName(base: string, scope: SyntaxNode): string {
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}${i}`;
    if (!new RegExp(`\\b${name}\\b`).test(scope.text)) return name;
  }
}

function snakeName(text: string): string {
  return text.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').toLowerCase();
}

function camelName(text: string): string {
  const words = text.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((w, i) => (i === 0 ? w[0].toLowerCase() + w.slice(1) : w[0].toUpperCase() + w.slice(1))).join('');
}

/** The statement line the batch query goes on: it must start its line. */
function lineOf(text: string, node: SyntaxNode): number | undefined {
  const ls = lineStart(text, node.startIndex);
  return /^[ \t]*$/.test(text.slice(ls, node.startIndex)) ? ls : undefined;
}

function pythonFix(target: FixTarget, file: FileContext): TextEditInit[] | undefined {
  const call = target.node;
  const m = member(call, 'python');
  if (m?.name !== 'find_one') return undefined;
  const { positional, keywords, splat } = pythonArguments(call);
  if (splat || keywords.size > 0 || positional.length < 1 || positional.length > 2) return undefined;
  const filter = positional[0];
  const pairs = filter.type === 'dictionary' ? filter.namedChildren.filter((c) => c.type !== 'comment') : [];
  if (pairs.length !== 1 || pairs[0].type !== 'pair') return undefined;
  const keyNode = pairs[0].childForFieldName('key');
  const value = pairs[0].childForFieldName('value');
  const key = stringLiteral(keyNode);
  if (!keyNode || !value || !key || !PY_IDENT.test(key)) return undefined;
  // A projection must keep the key the lookup is built on: `_id` unless excluded.
  const projection = positional[1];
  if (projection && (key !== '_id' || projection.type !== 'dictionary' || /["']_id["']\s*:\s*(0|False)\b/.test(projection.text))) return undefined;

  const found = analyse(call, 'find_one', 'python', file);
  if (!found) return undefined;
  const { path, loop } = found;
  if (loop.kind !== 'for' || loop.node.children.some((c) => c.type === 'async')) return undefined;
  const loopVar = loop.node.childForFieldName('left');
  const iterable = loop.node.childForFieldName('right');
  if (loopVar?.type !== 'identifier' || iterable?.type !== 'identifier') return undefined;
  if (!onlyUses(value, loopVar.text, 'python')) return undefined;
  const awaited = call.parent?.type === 'await' ? call.parent : undefined;
  const replaced = awaited ?? call;
  if (!runsForEveryItem(path, awaited ? 1 : 0, loop, 'python')) return undefined;
  if (!pyIsList(iterable.text, path, loop)) return undefined;
  const fn = enclosingFunction(loop.node, 'python');
  if (!fn || (awaited && !isAsyncFunction(fn))) return undefined;
  const at = lineOf(target.text, loop.node);
  if (at === undefined) return undefined;

  const collection = snakeName(lastName(m.object) ?? 'docs') || 'docs';
  const name = freshName(`${collection}_by_${key === '_id' ? 'id' : key}`, fn);
  const q = /["']/.exec(keyNode.text)?.[0] ?? '"';
  const doc = loopVar.text === 'doc' ? 'd' : 'doc';
  const keys = `[${value.text} for ${loopVar.text} in ${iterable.text}]`;
  const find = `${m.object.text}.find({${keyNode.text}: {${q}$in${q}: ${keys}}}${projection ? `, ${projection.text}` : ''})`;
  const batch = `{${doc}[${keyNode.text}]: ${doc} ${awaited ? 'async for' : 'for'} ${doc} in ${find}}`;
  return [
    { start: at, end: at, newText: `${indentAt(target.text, loop.node.startIndex)}${name} = ${batch}${eol(target.text)}` },
    { start: replaced.startIndex, end: replaced.endIndex, newText: `${name}.get(${value.text})` },
  ];
}

/** Parents under which `a ?? b` needs no parentheses. */
const TS_LOOSE_PARENTS = new Set(['variable_declarator', 'assignment_expression', 'return_statement', 'arguments', 'parenthesized_expression', 'array', 'pair', 'expression_statement', 'arrow_function']);

function typescriptFix(target: FixTarget, file: FileContext): TextEditInit[] | undefined {
  const call = target.node;
  const m = member(call, 'typescript');
  if (m?.name !== 'findOne' && m?.name !== 'findById') return undefined;
  const { args: list, spread } = jsArguments(call);
  if (spread || list.length !== 1) return undefined;

  // The filter: findById(x), findOne({ key: x }), findOne({ email }).
  let keyText: string;
  let keyProp: string;
  let value: SyntaxNode;
  if (m.name === 'findById') {
    keyText = keyProp = '_id';
    value = list[0];
  } else {
    const props = list[0].type === 'object' ? list[0].namedChildren.filter((c) => c.type !== 'comment') : [];
    if (props.length !== 1) return undefined;
    const p = props[0];
    if (p.type === 'shorthand_property_identifier') {
      keyText = keyProp = p.text;
      value = p;
    } else if (p.type === 'pair') {
      const k = p.childForFieldName('key');
      const v = p.childForFieldName('value');
      const name = k?.type === 'property_identifier' ? k.text : stringLiteral(k);
      if (!k || !v || !name) return undefined;
      keyText = k.text;
      keyProp = name;
      value = v;
    } else return undefined;
    if (!JS_IDENT.test(keyProp) || readOptionKeys(file.lang, m.name).has(keyProp)) return undefined;
  }

  // The collection: the driver's db.collection('users'), or a mongoose model (User, mongoose.model('User')).
  const recv = m.object;
  const recvMember = member(recv, 'typescript');
  let driver: boolean;
  let collection: string;
  if (recvMember?.name === 'collection' && stringLiteral(args(recv)[0])) {
    driver = true;
    collection = stringLiteral(args(recv)[0])!;
  } else if (recv.type === 'identifier' && /^[A-Z][A-Za-z0-9]*$/.test(recv.text)) {
    driver = false;
    collection = recv.text;
  } else if (recvMember?.name === 'model' && stringLiteral(args(recv)[0])) {
    driver = false;
    collection = stringLiteral(args(recv)[0])!;
  } else return undefined;
  if (driver && m.name === 'findById') return undefined;
  // mongoose: `.lean()` / `.exec()` carry over to the batch query; anything else (select, populate) does not fit.
  const above = chainAbove(call, 'typescript');
  if (above.some((c) => !/^(lean|exec)$/.test(member(c, 'typescript')!.name) || args(c).length > 0) || (driver && above.length > 0)) return undefined;
  const outer = above.length > 0 ? above[above.length - 1] : call;
  const awaited = outer.parent?.type === 'await_expression' ? outer.parent : undefined;
  if (!awaited) return undefined;

  const found = analyse(call, m.name, 'typescript', file);
  if (!found) return undefined;
  const { path, loop } = found;
  let loopVar: SyntaxNode | undefined;
  let iterable: SyntaxNode | undefined;
  if (loop.kind === 'for' && loop.node.type === 'for_in_statement') {
    const isOf = loop.node.children.some((c) => c.type === 'of');
    const isAwait = loop.node.children.some((c) => c.type === 'await');
    const left = loop.node.childForFieldName('left');
    if (!isOf || isAwait || left?.type !== 'identifier') return undefined;
    loopVar = left;
    iterable = loop.node.childForFieldName('right') ?? undefined;
  } else if (loop.kind === 'callback' && /^(map|forEach|flatMap)$/.test(member(loop.node, 'typescript')!.name)) {
    const fn = path[loop.index];
    const params = fn.childForFieldName('parameters')?.namedChildren ?? [fn.childForFieldName('parameter')].filter((p): p is SyntaxNode => !!p);
    const first = params[0]?.type === 'required_parameter' ? params[0].childForFieldName('pattern') : params[0];
    if (first?.type !== 'identifier' || params[0]?.childForFieldName('type')) return undefined;
    loopVar = first;
    iterable = member(loop.node, 'typescript')!.object;
  } else return undefined;
  if (iterable?.type !== 'identifier') return undefined;
  if (!onlyUses(value, loopVar.text, 'typescript')) return undefined;
  const awaitIndex = path.findIndex((n) => sameNode(n, awaited));
  if (awaitIndex < 0 || !runsForEveryItem(path, awaitIndex, loop, 'typescript')) return undefined;
  if (!tsIsArray(iterable.text, path, loop)) return undefined;

  // The statement the batch query goes before: the loop, or the statement holding `items.map(...)`.
  let stmt: SyntaxNode | undefined;
  for (let i = loop.index; i < path.length; i++) {
    if (i > loop.index && isFunctionNode(path[i], 'typescript')) break;
    if (i >= loop.index && path[i + 1] && STATEMENT_CONTAINERS.typescript.has(path[i + 1].type) && path[i].startIndex <= loop.node.startIndex) {
      stmt = path[i];
      break;
    }
  }
  const fn = stmt ? enclosingFunction(stmt, 'typescript') : undefined;
  if (!stmt || !fn || !isAsyncFunction(fn)) return undefined;
  const at = lineOf(target.text, stmt);
  if (at === undefined) return undefined;

  const name = freshName(camelName(`${collection} by ${keyProp === '_id' ? 'id' : keyProp}`), fn);
  const doc = loopVar.text === 'doc' ? 'd' : 'doc';
  const v = loopVar.text;
  const keys = `${iterable.text}.map((${v}) => ${value.text})`;
  const filter = `{ ${keyText}: { $in: ${keys} } }`;
  const carried = above.map((c) => `.${member(c, 'typescript')!.name}()`).join('');
  const batch = driver ? `(await ${recv.text}.find(${filter}).toArray())` : `(await ${recv.text}.find(${filter})${carried})`;
  // Semicolons as the statement holding the query writes them.
  const holder = path.slice(awaitIndex).find((_n, j) => STATEMENT_CONTAINERS.typescript.has(path[awaitIndex + j + 1]?.type ?? '')) ?? stmt;
  const semi = holder.text.trimEnd().endsWith(';') ? ';' : '';
  const lookup = `${name}.get(String(${value.text})) ?? null`;
  const parent = path[awaitIndex + 1];
  const wrapped = parent && TS_LOOSE_PARENTS.has(parent.type) ? lookup : `(${lookup})`;
  return [
    { start: at, end: at, newText: `${indentAt(target.text, stmt.startIndex)}const ${name} = new Map(${batch}.map((${doc}) => [String(${doc}.${keyProp}), ${doc}]))${semi}${eol(target.text)}` },
    { start: awaited.startIndex, end: awaited.endIndex, newText: wrapped },
  ];
}

// ---------------------------------------------------------------------------------------------

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python, go, typescript },
  check(match) {
    const call = match.node('match')!;
    const method = match.text('method')!;
    const found = analyse(call, method, match.language, match.file, match.props.form === 'write');
    if (!found) return undefined;
    const args = { query: queryLabel(call, method), iterable: found.label, advice: advice(found.query.kind, match.language).replace('{bulk}', `\`${found.query.bulk}\``) };
    return {
      args,
      message: found.loop.concurrent ? CONCURRENT_MESSAGE : undefined,
      related: [{ node: found.loop.node, message: `loop over \`${found.label}\`` }],
    };
  },
  // Through calls: a loop handing its item to the project's own function that queries.
  model: (file, _ctx, span, unit) => throughCalls(file, span, unit),
  fixes: {
    'batch-lookup': (target, ctx) => (target.language === 'python' ? pythonFix(target, ctx.file) : target.language === 'typescript' ? typescriptFix(target, ctx.file) : undefined),
  },
});
