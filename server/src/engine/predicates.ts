import type { SyntaxNode } from 'tree-sitter';
import type { QueryLanguage } from './languages';
import type { FileContext } from '../model/file-context';
import { effectsOf, type StructTag } from '../model/library';

/**
 * The named, shared predicates: what a tree-sitter query cannot express. Queries use them as
 * `(#is? inside-async call)` / `(#is-not? inside-loop match)`, rule code as `ctx.is(name, node)`.
 * Each walks only the ancestors of one node, so the cost per match is the nesting depth.
 */
export type Predicate = (node: SyntaxNode, language: QueryLanguage, file?: FileContext) => boolean;

const FUNCTION_TYPES: Record<QueryLanguage, ReadonlySet<string>> = {
  python: new Set(['function_definition', 'lambda']),
  go: new Set(['function_declaration', 'method_declaration', 'func_literal']),
  typescript: new Set([
    'function_declaration',
    'function_expression',
    'function',
    'arrow_function',
    'method_definition',
    'generator_function_declaration',
    'generator_function',
  ]),
};

const LOOP_TYPES: Record<QueryLanguage, ReadonlySet<string>> = {
  python: new Set([
    'for_statement',
    'while_statement',
    'list_comprehension',
    'set_comprehension',
    'dictionary_comprehension',
    'generator_expression',
  ]),
  go: new Set(['for_statement']),
  typescript: new Set(['for_statement', 'for_in_statement', 'while_statement', 'do_statement']),
};

/** Array methods whose callback runs once per item: their callbacks are loop bodies. */
const ITERATING_METHODS = new Set(['forEach', 'map', 'flatMap', 'filter', 'reduce', 'some', 'every', 'find']);

export function isFunctionNode(node: SyntaxNode, language: QueryLanguage): boolean {
  return FUNCTION_TYPES[language].has(node.type);
}

export function enclosingFunction(node: SyntaxNode, language: QueryLanguage): SyntaxNode | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (FUNCTION_TYPES[language].has(n.type)) return n;
  }
  return undefined;
}

export function isAsyncFunction(fn: SyntaxNode): boolean {
  // `async` is an anonymous token child in the Python and TypeScript grammars.
  for (let i = 0; i < fn.childCount; i++) {
    const c = fn.child(i)!;
    if (c.type === 'async') return true;
    if (c.type === 'def' || c.type === 'function' || c.type === '(' || c.type === 'formal_parameters') break;
  }
  return false;
}

/** `arr.forEach(cb)`, `arr.map(cb)`: the callback of an iterating array method. */
export function isIterationCallback(fn: SyntaxNode): boolean {
  const args = fn.parent;
  if (args?.type !== 'arguments') return false;
  const call = args.parent;
  const callee = call?.childForFieldName('function');
  if (callee?.type !== 'member_expression') return false;
  const prop = callee.childForFieldName('property');
  return prop !== null && ITERATING_METHODS.has(prop.text);
}

/** The loop enclosing a node within its own function (callbacks of array iteration count as loops). */
export function enclosingLoop(node: SyntaxNode, language: QueryLanguage): SyntaxNode | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (LOOP_TYPES[language].has(n.type)) {
      // A Python comprehension's iterable is evaluated once, not per item.
      if (language === 'python' && n.type !== 'for_statement' && n.type !== 'while_statement') {
        const firstFor = n.namedChildren.find((c) => c.type === 'for_in_clause');
        if (firstFor && isWithin(node, firstFor.childForFieldName('right'))) continue;
      }
      if (n.type === 'for_statement' || n.type === 'for_in_statement') {
        // The iterable / condition of a loop runs once; only the body repeats.
        const body = n.childForFieldName('body');
        if (body && !isWithin(node, body)) continue;
      }
      return n;
    }
    if (FUNCTION_TYPES[language].has(n.type)) {
      if (language === 'typescript' && isIterationCallback(n)) return n.parent!.parent!;
      return undefined;
    }
  }
  return undefined;
}

function isWithin(node: SyntaxNode, container: SyntaxNode | null): boolean {
  return container !== null && node.startIndex >= container.startIndex && node.endIndex <= container.endIndex;
}

/** Roles that run once per request: what "a request handler" means to the rules. */
const PER_REQUEST = new Set(['handler', 'middleware', 'request-dependency']);

/**
 * Whether a function node runs per request (a route, a middleware, a per-request dependency), as
 * the framework models say (models/**: decorators, registrations, signatures, base classes).
 */
export function isHandlerFunction(fn: SyntaxNode, _language: QueryLanguage, file: FileContext | undefined): boolean {
  const role = file?.roleOf(fn);
  return role !== undefined && PER_REQUEST.has(role.role);
}

/** Whether any function enclosing the node (the nearest first) is a request handler. */
export function enclosingHandler(node: SyntaxNode, language: QueryLanguage, file: FileContext | undefined): SyntaxNode | undefined {
  for (let fn = enclosingFunction(node, language); fn; fn = enclosingFunction(fn, language)) {
    if (isHandlerFunction(fn, language, file)) return fn;
  }
  return undefined;
}

/** A Go struct tag (`gorm:"index;not null"`) with an entry the models' `sql-index` tags name. */
function goTagDeclaresIndex(tag: string, tags: readonly StructTag[]): boolean {
  for (const t of tags) {
    if (t.effect !== 'sql-index') continue;
    const value = new RegExp(`(?:^|[\\s\`])${t.tag}:"([^"]*)"`).exec(tag)?.[1];
    if (value?.split(';').some((e) => (t.entries ?? []).includes(e.split(':')[0].trim()))) return true;
  }
  return false;
}

export const PREDICATES: Readonly<Record<string, Predicate>> = {
  'inside-function': (node, lang) => enclosingFunction(node, lang) !== undefined,
  'module-level': (node, lang) => enclosingFunction(node, lang) === undefined,
  'inside-async': (node, lang) => {
    const fn = enclosingFunction(node, lang);
    return fn !== undefined && isAsyncFunction(fn);
  },
  'inside-loop': (node, lang) => enclosingLoop(node, lang) !== undefined,
  /** A call that resolves to a library's client or pool constructor (also under an alias: `create_async_engine as _engine`). */
  'constructs-client': (node, _lang, file) => {
    const r = file?.resolveCallee(node);
    return r?.kind === 'library' && effectsOf(r.row).includes('client');
  },
  /**
   * A call that declares an index of a SQL table, by the models' `sql-index` rows: `Index(...)`, or a
   * column whose row names the keyword that asks for one (`Column(index=True)`, `db_index=True`).
   */
  'declares-sql-index': (node, lang, file) => {
    if (lang === 'go') return !!file && goTagDeclaresIndex(node.text, file.lang.structTags);
    const r = file?.resolveCallee(node);
    if (r?.kind !== 'library' || !effectsOf(r.row).includes('sql-index')) return false;
    const keyword = ((r.row as { arguments?: unknown }).arguments as { index?: { keyword?: string } } | undefined)?.index?.keyword;
    if (!keyword) return true;
    const args = node.childForFieldName('arguments');
    return !!args?.namedChildren.some((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === keyword && a.childForFieldName('value')?.type === 'true');
  },
  /**
   * A call that declares a MongoDB index (`createIndex`, `schema.index`, `create_index`): resolved to
   * the models' `index-declare` row, or, where nothing resolves it, in a file that imports a library
   * that declares indexes that way (`list.index(3)` elsewhere is an array's).
   */
  'declares-mongo-index': (node, _lang, file) => {
    if (!file) return true;
    const r = file.resolveCallee(node);
    if (r.kind === 'library') return effectsOf(r.row).includes('index-declare');
    if (r.kind === 'function' || r.kind === 'class') return false; // the project's own
    if (r.kind === 'import') return true; // a client the project's module holds (`from app.db import db`)
    return file.lang.libraries.some((l) => (l.file.types ?? []).some((t) => (t.members ?? []).some((m) => effectsOf(m).includes('index-declare'))) && file.usesLibrary(l.name));
  },
  'inside-handler': (node, lang, file) => enclosingHandler(node, lang, file) !== undefined,
  /** Runs while a request is served: inside an async function or a request handler. */
  'on-request-path': (node, lang, file) => {
    const fn = enclosingFunction(node, lang);
    return fn !== undefined && (isAsyncFunction(fn) || enclosingHandler(node, lang, file) !== undefined);
  },
};
