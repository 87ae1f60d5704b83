import type { SyntaxNode } from 'tree-sitter';
import type { ResolvedConfig } from '../../server/src/config/config';
import { ensureGoImport, eol, indentAt, indentUnit, lineStart, nextLineStart } from '../../server/src/engine/edit-helpers';
import type { QueryLanguage } from '../../server/src/engine/languages';
import { defineRule, type CandidateInit, type CheckContext, type FactInit, type FactRef, type RuleMatch, type RuleMeta, type TextEditInit } from '../../server/src/engine/rule-api';
import { enclosingStatement, goArguments, jsArguments, objectProperties, pythonArguments, stringLiteral, unitNodeKey } from '../../server/src/engine/syntax';
import type { FileContext } from '../../server/src/model/file-context';
import { models, type LanguageModels } from '../../server/src/model/library';
import {
  argumentNode,
  constructedBy,
  displayType,
  isEmbeddedValue,
  isStringish,
  literalSets,
  poolOptions,
  poolSetters,
  setterHolder,
  type ArgumentRef,
  type ClientRow,
  type Constructed,
  type PoolModel,
  withModelNames,
} from './clients';
import meta from './rule.json';
import python from './python.scm';
import go from './go.scm';
import typescript from './typescript.scm';

/**
 * Pools left on their defaults. Which calls build a pool, which options, URL parameters and setters
 * size it, where its URL is, what an embedded database looks like and what the default does under
 * load all come from the library models (`client` rows, schemas/models.schema.json). The rule
 * keeps its judgement: where in the call and in the file a size could be given, what counts as
 * unknown (a variable, `**options`), and the wording.
 */

/** How a pool is sized: by setters on the handle (Go database/sql), an option in a URL argument, or an option of an options argument. */
type Form = 'setters' | 'url' | 'options' | 'keywords';

/** The pools this rule reports: the models say what their default does under load. */
function reportable(c: Constructed): PoolModel | undefined {
  const pool = c.client.pool;
  if (!pool?.defaultEffect) return undefined;
  return (pool.options?.length ?? 0) > 0 || (pool.setters?.length ?? 0) > 0 ? pool : undefined;
}

function lastSegment(qname: string): string {
  const i = Math.max(qname.lastIndexOf('.'), qname.lastIndexOf('/'));
  return i < 0 ? qname : qname.slice(i + 1);
}

/** The name a handle goes by across the file: `db` → db, `s.db` → db, gorm v1 `db.DB()` → db (an accessor the models give). */
function lastName(node: SyntaxNode, accessors?: ReadonlySet<string>): string {
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
      const field = fn?.childForFieldName('field')?.text;
      return operand && field && accessors?.has(field) ? lastName(operand, accessors) : node.text;
    }
    case 'parenthesized_expression':
    case 'unary_expression': {
      const inner = node.childForFieldName('operand') ?? node.namedChildren[0];
      return inner ? lastName(inner, accessors) : node.text;
    }
    default:
      return node.text;
  }
}

/** The setting a message names: the pool's first option or setter, on the value an accessor gives when the setters are not the client's own. */
function settingText(lang: LanguageModels, language: QueryLanguage, c: Constructed, form: Form): string {
  const pool = c.client.pool!;
  if (form === 'setters') {
    const setter = pool.setters![0];
    const holder = setterHolder(lang, c.row, pool.setters!);
    return holder ? `\`${setter}\` on its \`*${displayType(language, holder.type)}\`` : `\`${setter}\``;
  }
  return `\`${pool.options![0]}\``;
}

function candidate(ctx: { lang: LanguageModels; language: QueryLanguage }, c: Constructed, form: Form, call: string, extra: Omit<CandidateInit, 'args'> = {}): CandidateInit {
  const pool = c.client.pool!;
  const effect = form === 'setters' ? `the handle never gets it in this file: ${pool.defaultEffect}` : pool.defaultEffect!;
  return {
    ...extra,
    args: { call, setting: settingText(ctx.lang, ctx.language, c, form), effect },
    data: { qname: c.qname, form, ...(extra.data ?? {}) },
  };
}

/** The index of a positional argument reference. */
function argIndex(ref: ArgumentRef | undefined): number | undefined {
  return typeof ref === 'number' ? ref : typeof ref === 'object' ? ref.argument : undefined;
}

// ---------------------------------------------------------------------------------------------
// Python

function checkPython(match: RuleMatch, c: Constructed): CandidateInit | undefined {
  const call = match.node('match')!;
  const pool = c.client.pool!;
  const callee = call.childForFieldName('function')!.text;
  const { positional, keywords, splat } = pythonArguments(call);
  if (splat) return undefined; // **options: unknown
  const given = (k: string): boolean => (pool.caseInsensitive ? [...keywords.keys()].some((x) => x.toLowerCase() === k.toLowerCase()) : keywords.has(k));
  if (pool.options?.some(given)) return undefined;
  if (pool.argument !== undefined && positional[pool.argument] !== undefined) return undefined;
  if (c.client.sharedBy?.some((k) => keywords.has(k))) return undefined;
  const url = argumentNode(c.client.url, positional, keywords);
  if (pool.options?.some((o) => literalSets(url, o))) return undefined;
  // poolclass=NullPool: a pool that holds no fixed set of connections; a variable: unknown.
  const impl = pool.implementation && keywords.get(pool.implementation.option);
  if (impl && !pool.implementation!.sized.some((s) => lastSegment(s) === lastName(impl))) return undefined;
  // connect_args={"check_same_thread": False} only means something to an embedded database.
  const embeddedArg = c.client.embeddedArgument ? new RegExp(c.client.embeddedArgument) : undefined;
  if (embeddedArg && [...keywords.values()].some((v) => embeddedArg.test(v.text))) return undefined;
  if (c.client.embedded && isEmbeddedValue(url, c.client.embedded)) return undefined;
  const unless: FactRef[] = c.client.embedded && url && (url.type === 'identifier' || url.type === 'attribute') ? [{ fact: 'py-embedded-url', key: lastName(url) }] : [];
  // A script's pool serves one run of the script, not concurrent requests.
  unless.push({ fact: 'py-script-module' });
  return candidate(match.file, c, 'keywords', callee, { unless });
}

const embeddedCache = new WeakMap<LanguageModels, RegExp[]>();

/** Every embedded-database pattern of the language's pool models. */
function embeddedPatterns(lang: LanguageModels): RegExp[] {
  let cached = embeddedCache.get(lang);
  if (!cached) embeddedCache.set(lang, (cached = collectEmbedded(lang)));
  return cached;
}

function collectEmbedded(lang: LanguageModels): RegExp[] {
  const out = new Set<string>();
  for (const lib of lang.libraries) for (const s of lib.file.symbols ?? []) {
    const e = (s.client as { embedded?: string } | undefined)?.embedded;
    if (e) out.add(e);
  }
  return [...out].map((e) => new RegExp(e, 'i'));
}

// ---------------------------------------------------------------------------------------------
// Go

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

/** `x, err := y.Accessor()` (or `=`): the value an accessor gives, and whose it is. */
function accessorDeclaration(stmt: SyntaxNode | null | undefined, accessors: ReadonlySet<string>): { inner: string; owner: SyntaxNode } | undefined {
  if (stmt?.type !== 'short_var_declaration' && stmt?.type !== 'assignment_statement') return undefined;
  const inner = stmt.childForFieldName('left')?.namedChildren[0];
  const value = stmt.childForFieldName('right')?.namedChildren[0];
  if (inner?.type !== 'identifier' || value?.type !== 'call_expression') return undefined;
  const fn = value.childForFieldName('function');
  const field = fn?.type === 'selector_expression' ? fn.childForFieldName('field')?.text : undefined;
  const owner = fn?.childForFieldName('operand');
  if (!field || !owner || !accessors.has(field) || (value.childForFieldName('arguments')?.namedChildCount ?? 0) > 0) return undefined;
  return { inner: inner.text, owner };
}

/**
 * The handles a setter call sizes: its receiver's name, and, when the receiver came from an
 * accessor (gorm `sqlDB, err := db.DB()` earlier in the block, or in the `if` around it), the
 * accessor's owner.
 */
function setterHandles(setterCall: SyntaxNode, operand: SyntaxNode, accessors: ReadonlySet<string>): string[] {
  const names = [lastName(operand, accessors)];
  if (operand.type !== 'identifier') return names;
  const stmt = setterCall.parent?.type === 'expression_statement' ? setterCall.parent : undefined;
  const block = stmt?.parent;
  if (!stmt || block?.type !== 'statement_list') return names;
  for (const s of block.namedChildren) {
    if (s.startIndex >= stmt.startIndex) break;
    const d = accessorDeclaration(s, accessors);
    if (d && d.inner === operand.text) names.push(lastName(d.owner, accessors));
  }
  // `if raw, err := orm.DB(); err == nil { raw.SetMaxOpenConns(n) }`
  const ifStmt = block.parent?.type === 'block' ? block.parent.parent : undefined;
  const d = ifStmt?.type === 'if_statement' ? accessorDeclaration(ifStmt.childForFieldName('initializer'), accessors) : undefined;
  if (d && d.inner === operand.text) names.push(lastName(d.owner, accessors));
  return names;
}

/**
 * Where an options value passed by name was made, in the statements before the call: a config
 * parsed from a URL (`cfg, err := pgxpool.ParseConfig(url)`) is sized when the URL sets a pool
 * option, and unknown when the URL is not a literal.
 */
function configSizedAtSource(file: FileContext, call: SyntaxNode, name: string, options: readonly string[]): boolean {
  const stmt = enclosingStatement(call);
  const block = stmt.parent;
  if (block?.type !== 'statement_list') return false;
  let made: SyntaxNode | undefined;
  for (const s of block.namedChildren) {
    if (s.startIndex >= stmt.startIndex) break;
    if (s.type !== 'short_var_declaration' && s.type !== 'assignment_statement') continue;
    if (s.childForFieldName('left')?.namedChildren[0]?.text !== name) continue;
    made = s.childForFieldName('right')?.namedChildren[0];
  }
  if (!made) return false;
  if (made.type === 'unary_expression') made = made.childForFieldName('operand') ?? made;
  if (made.type === 'composite_literal') return options.some((o) => new RegExp(`\\b${o}\\s*:`).test(made!.text));
  if (made.type !== 'call_expression') return true;
  const r = file.resolveCallee(made);
  const row = r.kind === 'library' ? (file.lang.symbol(r.qname)?.row as ClientRow | undefined) ?? (r.row as ClientRow) : undefined;
  const source = argumentNode(row?.arguments?.options ?? 0, goArguments(made).args, new Map());
  return !isStringish(source) || options.some((o) => literalSets(source, o));
}

function checkGo(match: RuleMatch, c: Constructed): CandidateInit | undefined {
  const call = match.node('match')!;
  const file = match.file;
  const pool = c.client.pool!;
  const { args, variadic } = goArguments(call);
  if (variadic) return undefined;
  const name = call.childForFieldName('function')!.text;
  const url = argumentNode(c.client.url, args, new Map());
  if (c.client.url !== undefined && !url) return undefined;
  // A file database (sqlite3, gorm's sqlite dialector) has no server-side connection limit.
  if (c.client.embedded && isEmbeddedValue(url, c.client.embedded)) return undefined;
  // postgres.New(postgres.Config{Conn: sqlDB}): the pool is that existing *sql.DB's.
  if (c.client.sharedBy?.some((k) => args.some((a) => new RegExp(`\\b${k}\\s*:`).test(a.text)))) return undefined;
  if (pool.setters?.length) {
    const h = goHandle(call);
    if (h === undefined || h === 'returned') return undefined; // unnamed, or the caller gets it to configure
    const key = lastName(h.handle);
    const holder = setterHolder(file.lang, c.row, pool.setters);
    return candidate(file, c, 'setters', name, {
      unless: pool.setters.map((s) => ({ fact: 'go-pool-configured', key: `${s}\0${key}` })),
      data: { handle: h.statement ? h.handle.text : '', accessor: holder?.accessor ?? '' },
    });
  }
  const options = pool.options ?? [];
  const optionsArg = argumentNode(c.row.arguments?.options, args, new Map());
  if (url && !optionsArg) {
    // A URL from the environment or a variable may set the option: unknown.
    if (!isStringish(url) || options.some((o) => literalSets(url, o))) return undefined;
    return candidate(file, c, 'url', name, { data: { url: argIndex(c.client.url) ?? -1 } });
  }
  if (!optionsArg || (optionsArg.type !== 'identifier' && optionsArg.type !== 'selector_expression')) return undefined;
  const key = lastName(optionsArg);
  if (optionsArg.type === 'identifier' && configSizedAtSource(file, call, optionsArg.text, options)) return undefined;
  return candidate(file, c, 'options', name, {
    unless: options.map((o) => ({ fact: 'go-pool-option', key: `${o}\0${key}` })),
    data: { options: argIndex(c.row.arguments?.options) ?? -1 },
  });
}

// ---------------------------------------------------------------------------------------------
// TypeScript / JavaScript

/** Whether an options object gives an option (`max`, or a nested `pool.max`); undefined when a spread hides it. */
function objectGives(obj: SyntaxNode, option: string): boolean | undefined {
  const [head, ...rest] = option.split('.');
  const { props, spread } = objectProperties(obj);
  const v = props.get(head);
  if (v) return rest.length === 0 ? true : v.type === 'object' ? objectGives(v, rest.join('.')) : undefined;
  return spread ? undefined : false;
}

function checkTypeScript(match: RuleMatch, c: Constructed): CandidateInit | undefined {
  const call = match.node('match')!;
  const pool = c.client.pool!;
  const options = pool.options ?? [];
  const { args, spread } = jsArguments(call);
  if (spread) return undefined;
  const optIdx = argIndex(c.row.arguments?.options);
  const urlIdx = argIndex(c.client.url);
  const url = urlIdx !== undefined ? args[urlIdx] : undefined;
  const opts = optIdx !== undefined ? args[optIdx] : undefined;
  // A client without the URL it needs (`new MongoClient()`, `createPool()`): incomplete code.
  if (urlIdx !== undefined && !url) return undefined;
  if (url && options.some((o) => literalSets(url, o))) return undefined;
  if (opts && opts !== url) {
    if (opts.type !== 'object') return undefined; // options from a variable: unknown
    const given = options.map((o) => objectGives(opts, o));
    if (given.some((g) => g !== false)) return undefined;
  } else if (opts) {
    // The URL in the options' place (`createPool('mysql://…')`): a literal says all there is.
    if (opts.type === 'object') {
      if (options.map((o) => objectGives(opts, o)).some((g) => g !== false)) return undefined;
    } else if (!isStringish(opts) || stringLiteral(opts) === undefined) return undefined;
  }
  const callee = call.childForFieldName('constructor') ?? call.childForFieldName('function')!;
  const name = call.type === 'new_expression' ? `new ${callee.text}` : callee.text;
  return candidate(match.file, c, 'options', name);
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

/** The configuration's `fixDefaults` sections each language's fixes draw from. */
const SECTIONS: Record<QueryLanguage, readonly (keyof ResolvedConfig['fixDefaults'])[]> = {
  python: ['motor', 'sqlalchemy'],
  go: ['goSql'],
  typescript: ['nodePg', 'mysql2', 'mongodbNode'],
};

/** The `fixDefaults` section for a pool: the one of its language that sets the pool's own sizing option or setter. */
function sectionFor(config: ResolvedConfig, language: QueryLanguage, pool: PoolModel): Record<string, FixValue> | undefined {
  const key = (pool.options?.[0] ?? pool.setters?.[0] ?? '').toLowerCase();
  for (const s of SECTIONS[language]) {
    const section = config.fixDefaults[s] as Record<string, FixValue>;
    if (Object.keys(section).some((k) => k.toLowerCase() === key)) return section;
  }
  // The section may leave the size out (the configuration's choice): the fix then does not apply.
  return undefined;
}

/** The constructed client a fix is about, from the finding's data. */
function rowOf(lang: LanguageModels, qname: string): Constructed | undefined {
  const sym = lang.symbol(qname);
  const row = sym?.row as ClientRow | undefined;
  const client = row?.client as Constructed['client'] | undefined;
  return row && client ? { qname, row, client, library: sym!.lib.name, byName: false } : undefined;
}

function fixPython(target: { node: SyntaxNode; text: string; config: ResolvedConfig }, c: Constructed): TextEditInit[] | undefined {
  const { node, text, config } = target;
  const pool = c.client.pool!;
  const list = node.childForFieldName('arguments');
  if (list?.type !== 'argument_list') return undefined;
  const defaults = sectionFor(config, 'python', pool);
  if (!defaults) return undefined;
  const { positional, keywords } = pythonArguments(node);
  const given = new Set([...keywords.keys()].map((k) => (pool.caseInsensitive ? k.toLowerCase() : k)));
  const url = argumentNode(c.client.url, positional, keywords);
  const todo = missing(defaults, (k) => given.has(pool.caseInsensitive ? k.toLowerCase() : k) || literalSets(url, k));
  const size = pool.options![0].toLowerCase();
  if (!todo.some(([k]) => k.toLowerCase() === size)) return undefined;
  return appendItems(text, list, todo.map(([k, v]) => `${k}=${pyValue(v)}`), '');
}

function jsObjectText(entries: [string, FixValue][]): string {
  return `{ ${entries.map(([k, v]) => `${k}: ${jsValue(v)}`).join(', ')} }`;
}

function fixTypeScript(target: { node: SyntaxNode; text: string; config: ResolvedConfig }, c: Constructed): TextEditInit[] | undefined {
  const { node, text, config } = target;
  const pool = c.client.pool!;
  const defaults = sectionFor(config, 'typescript', pool);
  if (!defaults) return undefined;
  const key = pool.options![0];
  const list = node.childForFieldName('arguments');
  const { args } = jsArguments(node);
  const optIdx = argIndex(c.row.arguments?.options);
  const urlIdx = argIndex(c.client.url);
  const url = urlIdx !== undefined ? args[urlIdx] : undefined;
  const inUrl = (k: string): boolean => url !== undefined && literalSets(url, k);
  const addTo = (obj: SyntaxNode): TextEditInit[] | undefined => {
    const { props } = objectProperties(obj);
    const todo = missing(defaults, (k) => props.has(k) || inUrl(k));
    if (!todo.some(([k]) => k === key)) return undefined;
    return appendItems(text, obj, todo.map(([k, v]) => `${k}: ${jsValue(v)}`), ' ');
  };
  if (optIdx === undefined) return undefined;
  const opts = args[optIdx];
  if (opts?.type === 'object') return addTo(opts);
  if (opts && opts === url) {
    // createPool('mysql://...') → createPool({ uri: 'mysql://...', connectionLimit: 20, ... }): where the model says the URL option is.
    const urlOption = typeof c.client.url === 'object' ? c.client.url.option : undefined;
    if (!urlOption || !isStringish(opts)) return undefined;
    const entries = missing(defaults, inUrl);
    const inner = [`${urlOption}: ${opts.text}`, ...entries.map(([k, v]) => `${k}: ${jsValue(v)}`)];
    return [{ start: opts.startIndex, end: opts.endIndex, newText: `{ ${inner.join(', ')} }` }];
  }
  if (opts) return undefined;
  // No options argument yet: add one where the model says it goes (after the URL, if any).
  if (args.length !== optIdx) return undefined;
  const entries = missing(defaults, inUrl);
  if (!entries.some(([k]) => k === key)) return undefined;
  if (!list) return node.type === 'new_expression' && optIdx === 0 ? [{ start: node.endIndex, end: node.endIndex, newText: `(${jsObjectText(entries)})` }] : undefined;
  return appendItems(text, list, [jsObjectText(entries)], '');
}

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
function fixGoField(target: { node: SyntaxNode; root: SyntaxNode; text: string }, settings: Record<string, FixValue>, fn: SyntaxNode | undefined): TextEditInit[] | undefined {
  const { node, root, text } = target;
  const h = goHandle(node);
  // A call used as a field value has one result (MustConnect, MustOpen): Go allows no other there.
  if (h === undefined || h === 'returned' || h.handle.type !== 'literal_element' || !fn) return undefined;
  const name = h.handle.text;
  // The new variable must not collide with anything the function already calls by that name.
  if (!/^[A-Za-z_]\w*$/.test(name) || (fn.text.match(new RegExp(`\\b${name}\\b`, 'g')) ?? []).length !== 1) return undefined;
  const stmt = enclosingStatement(node);
  if (stmt.parent?.type !== 'statement_list') return undefined;
  const indent = indentAt(text, stmt.startIndex);
  const nl = eol(text);
  const setters = Object.keys(settings);
  const lines = [`${indent}${name} := ${node.text}`, ...setters.map((s) => `${indent}${name}.${s}(${settings[s]})`)];
  const ls = lineStart(text, stmt.startIndex);
  const edits: TextEditInit[] = [
    { start: ls, end: ls, newText: `${lines.join(nl)}${nl}` },
    { start: node.startIndex, end: node.endIndex, newText: name },
  ];
  if (setters.some((s) => /\btime\./.test(String(settings[s])))) {
    const imp = ensureGoImport(root, text, 'time');
    if (imp) edits.push(imp);
  }
  return edits;
}

function fixGo(
  target: { node: SyntaxNode; root: SyntaxNode; text: string; data: Readonly<Record<string, FixValue>>; config: ResolvedConfig },
  c: Constructed,
  fn: SyntaxNode | undefined,
): TextEditInit[] | undefined {
  const { node, root, text, data, config } = target;
  const pool = c.client.pool!;
  const settings = config.fixDefaults.goSql as Record<string, FixValue>;
  const nl = eol(text);
  const max = String(settings[Object.keys(settings).find((k) => pool.setters?.includes(k)) ?? 'SetMaxOpenConns'] ?? '').trim();
  switch (data.form) {
    case 'setters': {
      if (!Object.keys(settings).some((s) => pool.setters!.includes(s))) return undefined;
      const handle = String(data.handle ?? '');
      if (!handle) return fixGoField(target, settings, fn);
      const point = goInsertionPoint(node);
      if (!point) return undefined;
      const indent = indentAt(text, point.after.startIndex);
      const unit = indentUnit(text, '\t');
      const accessor = String(data.accessor ?? '');
      const already = (setter: string): boolean => !accessor && fn !== undefined && new RegExp(`(^|[^\\w.])${escapeRegExp(handle)}\\.${setter}\\(`).test(fn.text);
      const setters = Object.keys(settings).filter((s) => !already(s));
      if (!setters.some((s) => pool.setters!.includes(s))) return undefined;
      let lines: string[];
      if (accessor) {
        const inner = handle === 'sqlDB' ? 'pool' : 'sqlDB';
        lines = [`${indent}if ${inner}, err := ${handle}.${accessor}(); err == nil {`, ...setters.map((s) => `${indent}${unit}${inner}.${s}(${settings[s]})`), `${indent}}`];
      } else {
        lines = setters.map((s) => `${indent}${handle}.${s}(${settings[s]})`);
      }
      const at = nextLineStart(text, point.after.endIndex);
      const edits: TextEditInit[] = [{ start: at, end: at, newText: `${lines.join(nl)}${nl}` }];
      if (setters.some((s) => /\btime\./.test(String(settings[s])))) {
        const imp = ensureGoImport(root, text, 'time');
        if (imp) edits.push(imp);
      }
      return edits;
    }
    case 'url': {
      const url = goArguments(node).args[Number(data.url)];
      if (!url || !/^\d+$/.test(max) || (url.type !== 'interpreted_string_literal' && url.type !== 'raw_string_literal')) return undefined;
      const body = url.text.slice(1, -1);
      const sep = !body.includes('://') ? ' ' : body.includes('?') ? '&' : '?';
      const at = url.endIndex - 1;
      return [{ start: at, end: at, newText: `${body.length > 0 ? sep : ''}${pool.options![0]}=${max}` }];
    }
    case 'options': {
      const cfg = goArguments(node).args[Number(data.options)];
      const stmt = enclosingStatement(node);
      if (!cfg || !max || stmt.parent?.type !== 'statement_list') return undefined;
      const value = /^\d+$/.test(max) ? max : `int32(${max})`;
      const ls = lineStart(text, stmt.startIndex);
      return [{ start: ls, end: ls, newText: `${indentAt(text, stmt.startIndex)}${cfg.text}.${pool.options![0]} = ${value}${nl}` }];
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------

/** The pool a finding pattern's call builds, if this rule reports it. */
function reported(match: RuleMatch): Constructed | undefined {
  return constructedBy(match.file, match.node('match')!).find((c) => reportable(c) !== undefined);
}

function goFacts(match: RuleMatch, name: string): FactInit[] | undefined {
  const lang = match.file.lang;
  const key = match.node('key')!;
  if (name === 'go-pool-configured') {
    const method = match.text('method')!;
    const { setters, accessors } = poolSetters(lang);
    if (!setters.has(method)) return undefined;
    return setterHandles(match.node('setter')!, key, accessors).map((h) => ({ name, key: `${method}\0${h}`, node: key }));
  }
  const field = match.text('field')!;
  return poolOptions(lang).has(field) ? [{ name, key: `${field}\0${lastName(key)}`, node: key }] : undefined;
}

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python: withModelNames(python, models().of('python')), go: withModelNames(go, models().of('go')), typescript: withModelNames(typescript, models().of('typescript')) },
  check(match) {
    const c = reported(match);
    if (!c) return undefined;
    let found: CandidateInit | undefined;
    switch (match.language) {
      case 'python':
        found = checkPython(match, c);
        break;
      case 'go':
        found = checkGo(match, c);
        break;
      case 'typescript':
        found = checkTypeScript(match, c);
        break;
    }
    // A pool created on every request is per-request-client's finding (create it once): pool
    // settings are moot there. That rule records such constructions as facts.
    if (found) found.unless = [...(found.unless ?? []), { fact: 'per-request-client', key: unitNodeKey(match.node('match')!) }];
    return found;
  },
  facts(match) {
    const name = match.props.fact!;
    switch (name) {
      case 'go-pool-configured':
      case 'go-pool-option':
        return goFacts(match, name);
      case 'py-script-module':
        return [{ name, key: '', node: match.node('key')! }];
      case 'py-embedded-url': {
        const key = match.node('key')!;
        const value = match.node('value')!;
        const patterns = embeddedPatterns(match.file.lang);
        const embedded = patterns.some((p) => isEmbeddedValue(value, p.source));
        return embedded ? [{ name, key: lastName(key), node: key }] : undefined;
      }
      default:
        return undefined;
    }
  },
  fixes: {
    'add-pool-settings': (target, ctx: CheckContext) => {
      const c = rowOf(ctx.file.lang, String(target.data.qname ?? ''));
      if (!c?.client.pool) return undefined;
      switch (target.language) {
        case 'python':
          return fixPython(target, c);
        case 'go':
          return fixGo(target, c, ctx.enclosingFunction(target.node));
        case 'typescript':
          return fixTypeScript(target, c);
      }
    },
  },
});
