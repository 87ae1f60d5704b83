import type { SyntaxNode } from 'tree-sitter';
import type { ResolvedConfig } from '../../server/src/config/config';
import { ensureGoImport, eol, indentAt, indentUnit, lineStart, nextLineStart } from '../../server/src/engine/edit-helpers';
import { defineRule, type CandidateInit, type FactInit, type FactRef, type RuleMatch, type RuleMeta, type TextEditInit } from '../../server/src/engine/rule-api';
import { enclosingStatement, goArguments, jsArguments, objectProperties, pythonArguments, stringLiteral, unitNodeKey } from '../../server/src/engine/syntax';
import meta from './rule.json';
import python from './python.scm';
import go from './go.scm';
import typescript from './typescript.scm';

/** Which library's pool a finding is about: decides the message, the missing setting and the fix. */
type Kind = 'motor' | 'sqlalchemy' | 'go-sql' | 'gorm' | 'pgx-url' | 'pgx-config' | 'pg' | 'mysql' | 'mongodb' | 'mongoose';

const SETTING: Record<Kind, string> = {
  motor: '`maxPoolSize`',
  sqlalchemy: '`pool_size`',
  'go-sql': '`SetMaxOpenConns`',
  gorm: '`SetMaxOpenConns` on its `*sql.DB`',
  'pgx-url': '`pool_max_conns`',
  'pgx-config': '`MaxConns`',
  pg: '`max`',
  mysql: '`connectionLimit`',
  mongodb: '`maxPoolSize`',
  mongoose: '`maxPoolSize`',
};

const MONGO_EFFECT =
  'the driver defaults to 100 connections per client and waits for a free one with no timeout, so past 100 concurrent operations requests hang instead of failing fast, and every added process opens up to 100 more connections against the server’s connection limit.';
const GO_SQL_EFFECT =
  'database/sql opens one more connection for every concurrent query with no upper bound (and keeps only 2 idle), so a traffic spike opens connections until the database refuses them (PostgreSQL’s default max_connections is 100: “too many clients”).';
const PGX_EFFECT =
  'pgxpool defaults to max(4, number of CPUs) connections, so on a 2-CPU container the 5th concurrent query already waits for a connection and latency climbs with traffic.';

const EFFECT: Record<Kind, string> = {
  motor: MONGO_EFFECT,
  sqlalchemy:
    'SQLAlchemy’s default pool keeps 5 connections plus 10 overflow per process, so the 16th concurrent request waits up to 30 s and then fails with “QueuePool limit of size 5 overflow 10 reached”.',
  'go-sql': `the handle never gets it in this file: ${GO_SQL_EFFECT}`,
  gorm: `the handle never gets it in this file: ${GO_SQL_EFFECT}`,
  'pgx-url': PGX_EFFECT,
  'pgx-config': PGX_EFFECT,
  pg: 'node-postgres defaults to 10 connections and waits for a free one with no timeout (`connectionTimeoutMillis: 0`), so the 11th concurrent query queues and under load requests hang instead of failing fast.',
  mysql: 'mysql2 defaults to 10 connections with an unbounded wait queue, so the 11th concurrent query waits and under load requests pile up without limit.',
  mongodb: MONGO_EFFECT,
  mongoose: MONGO_EFFECT,
};

const STRING_TYPES = new Set(['string', 'concatenated_string', 'template_string', 'interpreted_string_literal', 'raw_string_literal']);

/** A string literal, f-strings and templates included (their literal text is enough to look for an option). */
function isStringish(node: SyntaxNode | undefined): node is SyntaxNode {
  return node !== undefined && STRING_TYPES.has(node.type);
}

/** A connection string literal that sets an option (`maxPoolSize=50`, `pool_max_conns=20`); option names are case-insensitive. */
function literalSets(node: SyntaxNode | undefined, option: string): boolean {
  return isStringish(node) && new RegExp(`[?&\\s'"\`]${option}=`, 'i').test(node.text);
}

/** The name a handle goes by across the file: `db` → db, `s.db` → db, gorm v1 `db.DB()` → db. */
function lastName(node: SyntaxNode): string {
  switch (node.type) {
    case 'selector_expression':
      return node.childForFieldName('field')?.text ?? node.text;
    case 'attribute':
      return node.childForFieldName('attribute')?.text ?? node.text;
    case 'member_expression':
      return node.childForFieldName('property')?.text ?? node.text;
    case 'call_expression': {
      const fn = node.childForFieldName('function');
      const operand = fn?.type === 'selector_expression' ? fn.childForFieldName('operand') : null;
      return operand && fn?.childForFieldName('field')?.text === 'DB' ? lastName(operand) : node.text;
    }
    case 'parenthesized_expression':
    case 'unary_expression': {
      const inner = node.childForFieldName('operand') ?? node.namedChildren[0];
      return inner ? lastName(inner) : node.text;
    }
    default:
      return node.text;
  }
}

function candidate(kind: Kind, call: string, extra: Omit<CandidateInit, 'args'> = {}): CandidateInit {
  return {
    ...extra,
    args: { call, setting: SETTING[kind], effect: EFFECT[kind] },
    data: { kind, ...(extra.data ?? {}) },
  };
}

// ---------------------------------------------------------------------------------------------
// Python: Motor / PyMongo clients and SQLAlchemy engines

const MONGO_CLIENTS = new Set(['AsyncIOMotorClient', 'MongoClient', 'AsyncMongoClient']);
/** Pools that hold no fixed set of connections, where pool_size means nothing. */
const NON_QUEUE_POOLS = new Set(['NullPool', 'StaticPool', 'SingletonThreadPool', 'AssertionPool']);
const QUEUE_POOLS = new Set(['QueuePool', 'AsyncAdaptedQueuePool']);

/** `"sqlite:///x.db"`, `f"sqlite:///{p}"`, `os.getenv("URL", "sqlite://")`, `URL.create("sqlite", ...)`. */
function isSqliteValue(node: SyntaxNode | undefined): boolean {
  if (!node) return false;
  if (STRING_TYPES.has(node.type)) return /^[a-z]*("""|'''|"|'|`)sqlite/i.test(node.text);
  if (node.type === 'call') {
    const { positional, keywords } = pythonArguments(node);
    return [...positional, ...keywords.values()].some((a) => isStringish(a) && isSqliteValue(a));
  }
  return false;
}

function checkPython(match: RuleMatch): CandidateInit | undefined {
  const call = match.node('match')!;
  const name = match.text('name')!;
  const callee = call.childForFieldName('function')!.text;
  const { positional, keywords, splat } = pythonArguments(call);
  if (splat) return undefined; // **options: unknown
  if (MONGO_CLIENTS.has(name)) {
    // PyMongo takes its keyword options case-insensitively.
    if ([...keywords.keys()].some((k) => k.toLowerCase() === 'maxpoolsize')) return undefined;
    const url = positional[0] ?? keywords.get('host');
    if (literalSets(url, 'maxPoolSize')) return undefined;
    const unless: FactRef[] = name === 'MongoClient' && callee === name ? [{ fact: 'py-mongomock' }] : [];
    return candidate('motor', callee, { unless });
  }
  if (keywords.has('pool_size')) return undefined;
  const poolclass = keywords.get('poolclass');
  if (poolclass) {
    const cls = lastName(poolclass);
    if (NON_QUEUE_POOLS.has(cls) || !QUEUE_POOLS.has(cls)) return undefined;
  }
  // connect_args={"check_same_thread": False} only means something to SQLite.
  if (keywords.get('connect_args')?.text.includes('check_same_thread')) return undefined;
  const url = positional[0] ?? keywords.get('url');
  if (!url || isSqliteValue(url)) return undefined;
  const unless: FactRef[] =
    url.type === 'identifier' || url.type === 'attribute' ? [{ fact: 'py-sqlite-url', key: lastName(url) }] : [];
  return candidate('sqlalchemy', callee, { unless });
}

// ---------------------------------------------------------------------------------------------
// Go: database/sql, sqlx, gorm, pgxpool

const GO_OPENERS: Record<string, Record<string, Kind>> = {
  sql: { Open: 'go-sql', OpenDB: 'go-sql' },
  sqlx: { Open: 'go-sql', Connect: 'go-sql', ConnectContext: 'go-sql', MustConnect: 'go-sql', MustOpen: 'go-sql' },
  gorm: { Open: 'gorm' },
  pgxpool: { New: 'pgx-url', Connect: 'pgx-url', NewWithConfig: 'pgx-config', ConnectConfig: 'pgx-config' },
};

const SQLITE_DRIVER = /sqlite|libsql/i;

interface GoHandle {
  /** The expression the pool is assigned to (`db`, `s.db`), or a struct field's key. */
  handle: SyntaxNode;
  /** The assignment / declaration holding the open, when the handle is assigned by one. */
  statement?: SyntaxNode;
  /** The error result's name, when it is kept. */
  err?: string;
}

/** What the result of an open call is assigned to; 'returned' when it is handed to the caller. */
function goHandle(call: SyntaxNode): GoHandle | 'returned' | undefined {
  const list = call.parent;
  if (list?.type === 'literal_element') {
    // &Store{db: sqlx.MustConnect(...)}: the field is the handle.
    const keyed = list.parent;
    const key = keyed?.type === 'keyed_element' ? keyed.childForFieldName('key') : null;
    return key && keyed?.childForFieldName('value')?.id === list.id ? { handle: key } : undefined;
  }
  if (list?.type !== 'expression_list' || list.namedChildren[0]?.id !== call.id) return undefined;
  const owner = list.parent;
  if (!owner) return undefined;
  if (owner.type === 'return_statement') return 'returned';
  let names: SyntaxNode[];
  if ((owner.type === 'short_var_declaration' || owner.type === 'assignment_statement') && owner.childForFieldName('right')?.id === list.id) {
    if (owner.type === 'assignment_statement' && owner.childForFieldName('operator')?.text !== '=') return undefined;
    names = owner.childForFieldName('left')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
  } else if (owner.type === 'var_spec' && owner.childForFieldName('value')?.id === list.id) {
    names = owner.childrenForFieldName('name');
  } else {
    return undefined;
  }
  const [handle, err] = names;
  if (!handle || handle.text === '_') return undefined;
  return { handle, statement: owner, err: err && err.text !== '_' ? err.text : undefined };
}

function checkGo(match: RuleMatch): CandidateInit | undefined {
  const call = match.node('match')!;
  const pkg = match.text('pkg')!;
  const fn = match.text('fn')!;
  const kind = GO_OPENERS[pkg]?.[fn];
  if (!kind) return undefined;
  const { args, variadic } = goArguments(call);
  if (variadic) return undefined;
  const name = `${pkg}.${fn}`;
  switch (kind) {
    case 'go-sql':
    case 'gorm': {
      if (kind === 'go-sql') {
        const driver = stringLiteral(args[fn === 'ConnectContext' ? 1 : 0]);
        if (fn !== 'OpenDB' && driver !== undefined && SQLITE_DRIVER.test(driver)) return undefined;
      } else {
        const dialector = args[0];
        if (!dialector) return undefined;
        // gorm.Open(sqlite.Open("app.db")), gorm v1's gorm.Open("sqlite3", ...)
        if (SQLITE_DRIVER.test(dialector.type === 'call_expression' ? dialector.childForFieldName('function')?.text ?? '' : stringLiteral(dialector) ?? '')) return undefined;
        // postgres.New(postgres.Config{Conn: sqlDB}): the pool is that existing *sql.DB's.
        if (/\bConn\s*:/.test(dialector.text)) return undefined;
      }
      const h = goHandle(call);
      if (h === undefined || h === 'returned') return undefined; // unnamed, or the caller gets it to configure
      return candidate(kind, name, {
        unless: [{ fact: 'go-pool-configured', key: lastName(h.handle) }],
        data: { handle: h.statement ? h.handle.text : '' },
      });
    }
    case 'pgx-url': {
      const url = args[1];
      // A URL from the environment or a variable may set pool_max_conns: unknown.
      if (!isStringish(url) || literalSets(url, 'pool_max_conns')) return undefined;
      return candidate(kind, name);
    }
    case 'pgx-config': {
      const cfg = args[1];
      if (!cfg || (cfg.type !== 'identifier' && cfg.type !== 'selector_expression')) return undefined;
      const key = lastName(cfg);
      return candidate(kind, name, {
        unless: [
          { fact: 'go-pgx-max-conns', key },
          { fact: 'go-pgx-parsed-config', key },
        ],
      });
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// TypeScript / JavaScript: pg, mysql2, the MongoDB driver, mongoose

type Family = 'pg' | 'mysql' | 'mongodb' | 'mongoose';

const MODULE_FAMILY: Record<string, Family> = {
  pg: 'pg',
  'pg-pool': 'pg',
  mysql: 'mysql',
  mysql2: 'mysql',
  'mysql2/promise': 'mysql',
  mongodb: 'mongodb',
  mongoose: 'mongoose',
};

/** The names a module object conventionally has: `pg.Pool`, `mysql.createPool`, `mongoose.connect`. */
const CONVENTIONAL_NS: Record<Family, readonly string[]> = {
  pg: ['pg'],
  mysql: ['mysql', 'mysql2'],
  mongodb: ['mongodb'],
  mongoose: ['mongoose'],
};

/** Canonical names that another module may bind too (undici's Pool, generic-pool's createPool). */
const CANONICAL = new Set(['Pool', 'createPool', 'MongoClient']);

const FAMILY_KIND: Record<Family, Kind> = { pg: 'pg', mysql: 'mysql', mongodb: 'mongodb', mongoose: 'mongoose' };

/** Evidence that `name` (a bare canonical name) comes from the family's module. */
function canonicalEvidence(family: Family, name: string): Pick<CandidateInit, 'requires' | 'unless'> {
  return { requires: [{ fact: 'ts-db-module', key: family }], unless: [{ fact: 'ts-foreign-binding', key: name }] };
}

/** Evidence that `ns.member` is the family's module object. */
function namespaceEvidence(family: Family, ns: string): Pick<CandidateInit, 'requires'> {
  return CONVENTIONAL_NS[family].includes(ns) ? {} : { requires: [{ fact: 'ts-db-ns', key: `${family}:${ns}` }] };
}

/** Whether the options of a pool constructor leave the pool size unset (false when they are unknown). */
function tsUnconfigured(family: Family, call: SyntaxNode): boolean {
  const { args, spread } = jsArguments(call);
  if (spread) return false;
  const unsetIn = (obj: SyntaxNode, key: string): boolean => {
    const { props, spread: hidden } = objectProperties(obj);
    return !hidden && !props.has(key);
  };
  switch (family) {
    case 'pg':
      if (args.length === 0) return true;
      return args[0].type === 'object' && unsetIn(args[0], 'max');
    case 'mysql':
      if (args[0]?.type === 'object') return unsetIn(args[0], 'connectionLimit');
      return args.length === 1 && isStringish(args[0]) && stringLiteral(args[0]) !== undefined && !literalSets(args[0], 'connectionLimit');
    case 'mongodb':
    case 'mongoose': {
      const [url, options] = args;
      if (!url || literalSets(url, 'maxPoolSize')) return false;
      if (!options) return true;
      return options.type === 'object' && unsetIn(options, 'maxPoolSize');
    }
  }
}

function tsCandidate(family: Family, call: SyntaxNode, evidence: Pick<CandidateInit, 'requires' | 'unless'>): CandidateInit | undefined {
  if (!tsUnconfigured(family, call)) return undefined;
  const callee = call.childForFieldName('constructor') ?? call.childForFieldName('function')!;
  const name = call.type === 'new_expression' ? `new ${callee.text}` : callee.text;
  return candidate(FAMILY_KIND[family], name, evidence);
}

function checkTypeScript(match: RuleMatch): CandidateInit | CandidateInit[] | undefined {
  const call = match.node('match')!;
  const ns = match.text('ns');
  if (call.type === 'new_expression') {
    const ctor = match.text('ctor')!;
    if (ns !== undefined) {
      const family: Family | undefined = ctor === 'Pool' ? 'pg' : ctor === 'MongoClient' ? 'mongodb' : undefined;
      return family && tsCandidate(family, call, namespaceEvidence(family, ns));
    }
    if (ctor === 'Pool') return tsCandidate('pg', call, canonicalEvidence('pg', ctor));
    if (ctor === 'MongoClient') return tsCandidate('mongodb', call, canonicalEvidence('mongodb', ctor));
    // An alias (`import { Pool as PgPool } from 'pg'`): at most one of these finds its import.
    return [
      tsCandidate('pg', call, { requires: [{ fact: 'ts-db-named', key: `pg:Pool:${ctor}` }] }),
      tsCandidate('mongodb', call, { requires: [{ fact: 'ts-db-named', key: `mongodb:MongoClient:${ctor}` }] }),
    ].filter((c): c is CandidateInit => c !== undefined);
  }
  const fn = match.text('fn')!;
  if (ns === undefined) {
    if (fn === 'createPool') return tsCandidate('mysql', call, canonicalEvidence('mysql', fn));
    // `connect` is too common a name: only mongoose's own import counts.
    return tsCandidate('mongoose', call, { requires: [{ fact: 'ts-db-named', key: `mongoose:${fn}:${fn}` }] });
  }
  if (fn === 'createPool') return tsCandidate('mysql', call, namespaceEvidence('mysql', ns));
  if (fn === 'connect' && ns === 'MongoClient') return tsCandidate('mongodb', call, canonicalEvidence('mongodb', ns));
  return tsCandidate('mongoose', call, namespaceEvidence('mongoose', ns));
}

/** The local names an import or require binds: [exported name ('*' for the module object), local name, node]. */
function tsBindings(match: RuleMatch): [string, string, SyntaxNode][] {
  const out: [string, string, SyntaxNode][] = [];
  const imp = match.node('import');
  if (imp) {
    const clause = imp.namedChildren.find((c) => c.type === 'import_clause');
    for (const c of clause?.namedChildren ?? []) {
      if (c.type === 'identifier') out.push(['default', c.text, c]);
      else if (c.type === 'namespace_import') {
        const id = c.namedChildren.find((n) => n.type === 'identifier');
        if (id) out.push(['*', id.text, id]);
      } else if (c.type === 'named_imports') {
        for (const s of c.namedChildren) {
          if (s.type !== 'import_specifier') continue;
          const name = s.childForFieldName('name');
          const alias = s.childForFieldName('alias') ?? name;
          if (name && alias) out.push([stringLiteral(name) ?? name.text, alias.text, alias]);
        }
      }
    }
    return out;
  }
  const binding = match.node('binding')!;
  const exported = match.text('export');
  if (binding.type === 'identifier') out.push([exported ?? '*', binding.text, binding]);
  else if (binding.type === 'object_pattern' && exported === undefined) {
    for (const p of binding.namedChildren) {
      if (p.type === 'shorthand_property_identifier_pattern') out.push([p.text, p.text, p]);
      else if (p.type === 'pair_pattern') {
        const key = p.childForFieldName('key');
        const value = p.childForFieldName('value');
        if (key && value?.type === 'identifier') out.push([key.text, value.text, value]);
      }
    }
  }
  return out;
}

function tsImportFacts(match: RuleMatch): FactInit[] {
  const moduleNode = match.node('module')!;
  const family = MODULE_FAMILY[moduleNode.text];
  const bindings = tsBindings(match);
  const facts: FactInit[] = [];
  if (!family) {
    for (const [, local, node] of bindings) if (CANONICAL.has(local)) facts.push({ name: 'ts-foreign-binding', key: local, node });
    return facts;
  }
  facts.push({ name: 'ts-db-module', key: family, node: moduleNode });
  for (const [exported, local, node] of bindings) {
    if (moduleNode.text === 'pg-pool' && (exported === 'default' || exported === '*')) {
      facts.push({ name: 'ts-db-named', key: `pg:Pool:${local}`, node }); // pg-pool exports the Pool class itself
    } else if (exported === 'default' || exported === '*') {
      facts.push({ name: 'ts-db-ns', key: `${family}:${local}`, node });
    } else {
      facts.push({ name: 'ts-db-named', key: `${family}:${exported}:${local}`, node });
    }
  }
  return facts;
}

// ---------------------------------------------------------------------------------------------
// Fixes

type FixValue = string | number | boolean;

function pyValue(v: FixValue): string {
  return typeof v === 'boolean' ? (v ? 'True' : 'False') : typeof v === 'number' ? String(v) : JSON.stringify(v);
}

function jsValue(v: FixValue): string {
  return typeof v === 'string' ? `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : String(v);
}

/**
 * Appends items to a bracketed list (call arguments, an object literal), keeping its layout: one
 * item per line when the closing bracket sits on its own line, inline otherwise.
 */
function appendItems(text: string, list: SyntaxNode, items: string[], pad: string): TextEditInit[] {
  const open = list.child(0)!;
  const close = list.child(list.childCount - 1)!;
  const existing = list.namedChildren.filter((c) => c.type !== 'comment');
  if (existing.length === 0) {
    const inside = items.join(', ');
    if (list.namedChildren.length > 0) return [{ start: open.endIndex, end: open.endIndex, newText: `${pad}${inside}` }];
    return [{ start: open.endIndex, end: close.startIndex, newText: `${pad}${inside}${pad}` }];
  }
  const last = existing[existing.length - 1];
  const after = text.slice(last.endIndex, close.startIndex);
  const trailingComma = /^\s*,/.test(after);
  const closeLine = lineStart(text, close.startIndex);
  const ownLine = text.slice(closeLine, close.startIndex).trim() === '';
  if (ownLine && lineStart(text, last.startIndex) > lineStart(text, open.startIndex)) {
    const indent = indentAt(text, last.startIndex);
    const nl = eol(text);
    const lines = items.map((it, i) => `${indent}${it}${trailingComma || i < items.length - 1 ? ',' : ''}${nl}`).join('');
    const edits: TextEditInit[] = [{ start: closeLine, end: closeLine, newText: lines }];
    if (!trailingComma) edits.unshift({ start: last.endIndex, end: last.endIndex, newText: ',' });
    return edits;
  }
  if (trailingComma) {
    const comma = last.endIndex + after.indexOf(',') + 1;
    return [{ start: comma, end: comma, newText: ` ${items.join(', ')}` }];
  }
  return [{ start: last.endIndex, end: last.endIndex, newText: `, ${items.join(', ')}` }];
}

/** The settings of a defaults section that are not already given (by name, or in a literal URL). */
function missing(defaults: Record<string, FixValue>, present: (key: string) => boolean): [string, FixValue][] {
  return Object.entries(defaults).filter(([k]) => !present(k));
}

function fixPython(target: { node: SyntaxNode; text: string; data: Readonly<Record<string, FixValue>>; config: ResolvedConfig }): TextEditInit[] | undefined {
  const { node, text, data, config } = target;
  const list = node.childForFieldName('arguments');
  if (list?.type !== 'argument_list') return undefined;
  const { positional, keywords } = pythonArguments(node);
  let todo: [string, FixValue][];
  if (data.kind === 'motor') {
    const given = new Set([...keywords.keys()].map((k) => k.toLowerCase()));
    const url = positional[0] ?? keywords.get('host');
    todo = missing(config.fixDefaults.motor, (k) => given.has(k.toLowerCase()) || literalSets(url, k));
  } else {
    todo = missing(config.fixDefaults.sqlalchemy, (k) => keywords.has(k));
  }
  if (!todo.some(([k]) => k.toLowerCase() === (data.kind === 'motor' ? 'maxpoolsize' : 'pool_size'))) return undefined;
  return appendItems(text, list, todo.map(([k, v]) => `${k}=${pyValue(v)}`), '');
}

function jsObjectText(entries: [string, FixValue][]): string {
  return `{ ${entries.map(([k, v]) => `${k}: ${jsValue(v)}`).join(', ')} }`;
}

function fixTypeScript(target: { node: SyntaxNode; text: string; data: Readonly<Record<string, FixValue>>; config: ResolvedConfig }): TextEditInit[] | undefined {
  const { node, text, data, config } = target;
  const list = node.childForFieldName('arguments');
  const { args } = jsArguments(node);
  const defaults =
    data.kind === 'pg' ? config.fixDefaults.nodePg : data.kind === 'mysql' ? config.fixDefaults.mysql2 : config.fixDefaults.mongodbNode;
  const key = data.kind === 'pg' ? 'max' : data.kind === 'mysql' ? 'connectionLimit' : 'maxPoolSize';
  const addTo = (obj: SyntaxNode, present: (k: string) => boolean): TextEditInit[] | undefined => {
    const { props } = objectProperties(obj);
    const todo = missing(defaults, (k) => props.has(k) || present(k));
    if (!todo.some(([k]) => k === key)) return undefined;
    return appendItems(text, obj, todo.map(([k, v]) => `${k}: ${jsValue(v)}`), ' ');
  };
  const none = (): boolean => false;
  switch (data.kind) {
    case 'pg': {
      const entries = missing(defaults, none);
      if (!entries.some(([k]) => k === key)) return undefined;
      if (!list) return [{ start: node.endIndex, end: node.endIndex, newText: `(${jsObjectText(entries)})` }];
      if (args.length === 0) return appendItems(text, list, [jsObjectText(entries)], '');
      return args[0].type === 'object' ? addTo(args[0], none) : undefined;
    }
    case 'mysql': {
      const arg = args[0];
      if (arg?.type === 'object') return addTo(arg, none);
      if (!isStringish(arg)) return undefined;
      // createPool('mysql://...') → createPool({ uri: 'mysql://...', connectionLimit: 20, ... })
      const entries = missing(defaults, (k) => literalSets(arg, k));
      const inner = [`uri: ${arg.text}`, ...entries.map(([k, v]) => `${k}: ${jsValue(v)}`)];
      return [{ start: arg.startIndex, end: arg.endIndex, newText: `{ ${inner.join(', ')} }` }];
    }
    case 'mongodb':
    case 'mongoose': {
      const [url, options] = args;
      if (!url || !list) return undefined;
      const inUrl = (k: string): boolean => literalSets(url, k);
      if (options) return options.type === 'object' ? addTo(options, inUrl) : undefined;
      const entries = missing(defaults, inUrl);
      if (!entries.some(([k]) => k === key)) return undefined;
      return appendItems(text, list, [jsObjectText(entries)], '');
    }
    default:
      return undefined;
  }
}

const GO_SETTERS = ['SetMaxOpenConns', 'SetMaxIdleConns', 'SetConnMaxLifetime', 'SetConnMaxIdleTime'] as const;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The statement after which the pool can be configured: past the error check that follows the open. */
function goInsertionPoint(call: SyntaxNode): { after: SyntaxNode } | undefined {
  const h = goHandle(call);
  if (h === undefined || h === 'returned' || !h.statement) return undefined;
  let stmt = h.statement.type === 'var_spec' ? h.statement.parent : h.statement;
  if (!stmt) return undefined;
  if (stmt.parent?.type === 'if_statement' && stmt.parent.childForFieldName('initializer')?.id === stmt.id) {
    // `if db, err = sql.Open(...); err != nil {...}`: the if is the error check (`:=` would scope db to it).
    if (stmt.type !== 'assignment_statement') return undefined;
    stmt = stmt.parent;
  } else if (h.err) {
    let next = stmt.nextNamedSibling;
    while (next?.type === 'comment') next = next.nextNamedSibling;
    const condition = next?.type === 'if_statement' ? next.childForFieldName('condition') : null;
    // Configuring before the error is checked would call a method on a nil *sql.DB.
    if (!next || !condition || !new RegExp(`\\b${escapeRegExp(h.err)}\\b`).test(condition.text)) return undefined;
    stmt = next;
  }
  return stmt.parent?.type === 'statement_list' ? { after: stmt } : undefined;
}

/** `x := T{db: sqlx.MustConnect(...)}`: open into a variable named after the field, configure it, then use it. */
function fixGoField(target: { node: SyntaxNode; root: SyntaxNode; text: string; config: ResolvedConfig }, fn: SyntaxNode | undefined): TextEditInit[] | undefined {
  const { node, root, text, config } = target;
  const h = goHandle(node);
  const opener = node.childForFieldName('function')?.childForFieldName('field')?.text;
  if (h === undefined || h === 'returned' || h.handle.type !== 'literal_element' || !fn) return undefined;
  // Only openers with a single result can be used as a field value: MustConnect, MustOpen.
  if (opener !== 'MustConnect' && opener !== 'MustOpen') return undefined;
  const name = h.handle.text;
  // The new variable must not collide with anything the function already calls by that name.
  if (!/^[A-Za-z_]\w*$/.test(name) || (fn.text.match(new RegExp(`\\b${name}\\b`, 'g')) ?? []).length !== 1) return undefined;
  const stmt = enclosingStatement(node);
  if (stmt.parent?.type !== 'statement_list') return undefined;
  const settings = config.fixDefaults.goSql;
  const indent = indentAt(text, stmt.startIndex);
  const nl = eol(text);
  const lines = [`${indent}${name} := ${node.text}`, ...GO_SETTERS.map((s) => `${indent}${name}.${s}(${settings[s]})`)];
  const ls = lineStart(text, stmt.startIndex);
  const edits: TextEditInit[] = [
    { start: ls, end: ls, newText: `${lines.join(nl)}${nl}` },
    { start: node.startIndex, end: node.endIndex, newText: name },
  ];
  if (GO_SETTERS.some((s) => /\btime\./.test(settings[s]))) {
    const imp = ensureGoImport(root, text, 'time');
    if (imp) edits.push(imp);
  }
  return edits;
}

function fixGo(target: { node: SyntaxNode; root: SyntaxNode; text: string; data: Readonly<Record<string, FixValue>>; config: ResolvedConfig }, fn: SyntaxNode | undefined): TextEditInit[] | undefined {
  const { node, root, text, data, config } = target;
  const settings = config.fixDefaults.goSql;
  const nl = eol(text);
  switch (data.kind) {
    case 'go-sql':
    case 'gorm': {
      const handle = String(data.handle ?? '');
      if (!handle) return fixGoField(target, fn);
      const point = goInsertionPoint(node);
      if (!point) return undefined;
      const indent = indentAt(text, point.after.startIndex);
      const unit = indentUnit(text, '\t');
      const already = (setter: string): boolean =>
        data.kind === 'go-sql' && fn !== undefined && new RegExp(`(^|[^\\w.])${escapeRegExp(handle)}\\.${setter}\\(`).test(fn.text);
      const setters = GO_SETTERS.filter((s) => !already(s));
      if (!setters.includes('SetMaxOpenConns')) return undefined;
      let lines: string[];
      if (data.kind === 'gorm') {
        const inner = handle === 'sqlDB' ? 'pool' : 'sqlDB';
        lines = [
          `${indent}if ${inner}, err := ${handle}.DB(); err == nil {`,
          ...setters.map((s) => `${indent}${unit}${inner}.${s}(${settings[s]})`),
          `${indent}}`,
        ];
      } else {
        lines = setters.map((s) => `${indent}${handle}.${s}(${settings[s]})`);
      }
      const at = nextLineStart(text, point.after.endIndex);
      const edits: TextEditInit[] = [{ start: at, end: at, newText: `${lines.join(nl)}${nl}` }];
      if (setters.some((s) => /\btime\./.test(settings[s]))) {
        const imp = ensureGoImport(root, text, 'time');
        if (imp) edits.push(imp);
      }
      return edits;
    }
    case 'pgx-url': {
      const url = goArguments(node).args[1];
      const max = settings.SetMaxOpenConns.trim();
      if (!url || !/^\d+$/.test(max) || (url.type !== 'interpreted_string_literal' && url.type !== 'raw_string_literal')) return undefined;
      const body = url.text.slice(1, -1);
      const sep = !body.includes('://') ? ' ' : body.includes('?') ? '&' : '?';
      const at = url.endIndex - 1;
      return [{ start: at, end: at, newText: `${body.length > 0 ? sep : ''}pool_max_conns=${max}` }];
    }
    case 'pgx-config': {
      const cfg = goArguments(node).args[1];
      const stmt = enclosingStatement(node);
      if (!cfg || stmt.parent?.type !== 'statement_list') return undefined;
      const max = settings.SetMaxOpenConns.trim();
      const value = /^\d+$/.test(max) ? max : `int32(${max})`;
      const ls = lineStart(text, stmt.startIndex);
      return [{ start: ls, end: ls, newText: `${indentAt(text, stmt.startIndex)}${cfg.text}.MaxConns = ${value}${nl}` }];
    }
    default:
      return undefined;
  }
}

/** gorm: whether `inner.SetMaxOpenConns(n)` is one of the statements after `inner := db.DB()` in its block. */
function configuresLater(block: SyntaxNode, declaration: SyntaxNode, inner: string): boolean {
  for (const stmt of block.namedChildren) {
    if (stmt.startIndex <= declaration.startIndex || stmt.type !== 'expression_statement') continue;
    const fn = stmt.namedChildren[0]?.type === 'call_expression' ? stmt.namedChildren[0].childForFieldName('function') : null;
    if (fn?.type === 'selector_expression' && fn.childForFieldName('field')?.text === 'SetMaxOpenConns' && fn.childForFieldName('operand')?.text === inner) return true;
  }
  return false;
}

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python, go, typescript },
  check(match) {
    let found: CandidateInit | CandidateInit[] | undefined;
    switch (match.language) {
      case 'python':
        found = checkPython(match);
        break;
      case 'go':
        found = checkGo(match);
        break;
      case 'typescript':
        found = checkTypeScript(match);
        break;
    }
    // A pool created on every request is per-request-client's finding (create it once): pool
    // settings are moot there. That rule records such constructions as facts.
    const perRequest: FactRef = { fact: 'per-request-client', key: unitNodeKey(match.node('match')!) };
    for (const c of found === undefined ? [] : Array.isArray(found) ? found : [found]) c.unless = [...(c.unless ?? []), perRequest];
    return found;
  },
  facts(match) {
    const name = match.props.fact!;
    const key = match.node('key');
    switch (name) {
      case 'go-pool-configured': {
        const declaration = match.node('declaration');
        if (declaration && !configuresLater(match.node('block')!, declaration, match.text('inner')!)) return undefined;
        return key ? [{ name, key: lastName(key), node: key }] : undefined;
      }
      case 'go-pgx-max-conns':
        return key ? [{ name, key: lastName(key), node: key }] : undefined;
      case 'go-pgx-parsed-config': {
        const url = match.node('url')!;
        // A literal URL without pool_max_conns leaves the default; anything else is unknown.
        if (isStringish(url) && !literalSets(url, 'pool_max_conns')) return undefined;
        return key ? [{ name, key: lastName(key), node: key }] : undefined;
      }
      case 'py-mongomock':
        return [{ name, key: '', node: match.node('module')! }];
      case 'py-sqlite-url':
        return key && isSqliteValue(match.node('value')) ? [{ name, key: lastName(key), node: key }] : undefined;
      case 'ts-import':
        return tsImportFacts(match);
      default:
        return undefined;
    }
  },
  fixes: {
    'add-pool-settings': (target, ctx) => {
      switch (target.language) {
        case 'python':
          return fixPython(target);
        case 'go':
          return fixGo(target, ctx.enclosingFunction(target.node));
        case 'typescript':
          return fixTypeScript(target);
      }
    },
  },
});
