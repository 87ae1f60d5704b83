import type { SyntaxNode } from 'tree-sitter';

/**
 * Small readers of common syntax shared by rule code (Python, Go, TypeScript/JavaScript).
 * They look at one node and its children only: no tree walks.
 */

/** The value of an integer literal (`1_000`, `0x10`, `100n`), or undefined. */
export function intLiteral(node: SyntaxNode | null | undefined): number | undefined {
  if (!node) return undefined;
  if (node.type !== 'integer' && node.type !== 'int_literal' && node.type !== 'number') return undefined;
  const text = node.text.replace(/_/g, '').replace(/n$/, '');
  const value = Number(text);
  return Number.isInteger(value) ? value : undefined;
}

/**
 * The content of a plain string literal (no interpolation), or undefined: Python `"x"`/`'x'`
 * (not f-strings), Go `"x"` and raw strings, JS/TS `'x'`, `"x"` and templates without `${}`.
 */
export function stringLiteral(node: SyntaxNode | null | undefined): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'string': {
      // Python: string_start / string_content* / string_end; JS: quote + string_fragment.
      if (node.namedChildren.some((c) => c.type === 'interpolation')) return undefined;
      const start = node.namedChildren.find((c) => c.type === 'string_start');
      if (start && /f/i.test(start.text)) return undefined;
      return node.namedChildren
        .filter((c) => c.type === 'string_content' || c.type === 'string_fragment' || c.type === 'escape_sequence')
        .map((c) => c.text)
        .join('');
    }
    case 'concatenated_string': {
      const parts = node.namedChildren.map((c) => stringLiteral(c));
      return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
    }
    case 'template_string':
      return node.namedChildren.some((c) => c.type === 'template_substitution') ? undefined : node.text.slice(1, -1);
    case 'interpreted_string_literal':
    case 'raw_string_literal':
      return node.text.slice(1, -1);
    default:
      return undefined;
  }
}

/** Python call arguments: keyword arguments by name, and whether `*args`/`**kwargs` hide others. */
export function pythonArguments(call: SyntaxNode): { positional: SyntaxNode[]; keywords: Map<string, SyntaxNode>; splat: boolean } {
  const positional: SyntaxNode[] = [];
  const keywords = new Map<string, SyntaxNode>();
  let splat = false;
  const args = call.childForFieldName('arguments');
  for (const a of args?.namedChildren ?? []) {
    if (a.type === 'keyword_argument') {
      const name = a.childForFieldName('name')?.text;
      const value = a.childForFieldName('value');
      if (name && value) keywords.set(name, value);
    } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
      splat = true;
    } else if (a.type !== 'comment') {
      positional.push(a);
    }
  }
  return { positional, keywords, splat };
}

/** JS/TS call arguments (comments dropped) and whether a spread hides some. */
export function jsArguments(call: SyntaxNode): { args: SyntaxNode[]; spread: boolean } {
  const list = call.childForFieldName('arguments');
  const args = (list?.namedChildren ?? []).filter((a) => a.type !== 'comment');
  return { args, spread: args.some((a) => a.type === 'spread_element') };
}

/** JS/TS object literal: its properties by key, and whether a spread hides others. */
export function objectProperties(obj: SyntaxNode): { props: Map<string, SyntaxNode>; spread: boolean } {
  const props = new Map<string, SyntaxNode>();
  let spread = false;
  for (const p of obj.namedChildren) {
    if (p.type === 'spread_element') spread = true;
    else if (p.type === 'pair') {
      const key = p.childForFieldName('key');
      const value = p.childForFieldName('value');
      if (key && value) props.set(stringLiteral(key) ?? key.text, value);
    } else if (p.type === 'shorthand_property_identifier') {
      props.set(p.text, p);
    }
  }
  return { props, spread };
}

/** Go call arguments (comments dropped) and whether the last is spread (`args...`). */
export function goArguments(call: SyntaxNode): { args: SyntaxNode[]; variadic: boolean } {
  const list = call.childForFieldName('arguments');
  const args = (list?.namedChildren ?? []).filter((a) => a.type !== 'comment');
  // tree-sitter-go wraps `args...` in a variadic_argument node.
  return { args, variadic: args.some((a) => a.type === 'variadic_argument') || (list?.children.some((c) => c.type === '...') ?? false) };
}

/** The last identifier of a callee: `pool.query` → `query`, `sql.Open` → `Open`, `foo` → `foo`. */
export function calleeName(call: SyntaxNode): string | undefined {
  const fn = call.childForFieldName('function') ?? call.childForFieldName('constructor');
  if (!fn) return undefined;
  const last = fn.childForFieldName('attribute') ?? fn.childForFieldName('property') ?? fn.childForFieldName('field') ?? fn;
  return last.text;
}

const LITERAL_COLLECTIONS = new Set(['list', 'set', 'tuple', 'dictionary', 'array', 'composite_literal', 'string', 'interpreted_string_literal', 'raw_string_literal']);

/**
 * A collection written out in the code (`["PLAIN", "LOGIN"]`, `[]string{"a", "b"}`, `range(3)`):
 * a loop over it runs a fixed number of times, not once per user or record.
 */
export function isLiteralCollection(node: SyntaxNode | null | undefined): boolean {
  if (!node) return false;
  if (node.type === 'parenthesized_expression') return isLiteralCollection(node.namedChildren[0]);
  if (LITERAL_COLLECTIONS.has(node.type)) return !node.namedChildren.some((c) => c.type === 'list_splat' || c.type === 'spread_element');
  // Python `range(N)` with a literal N.
  if (node.type === 'call' && node.childForFieldName('function')?.text === 'range') {
    const args = node.childForFieldName('arguments')?.namedChildren ?? [];
    return args.length > 0 && args.every((a) => intLiteral(a) !== undefined);
  }
  return false;
}

/**
 * Whether a Python name is bound to a literal collection by a plain assignment among the
 * statements of the block (a function body) that holds `before`, ahead of it.
 */
export function pythonNameBoundToLiteral(name: string, block: SyntaxNode | null, before: SyntaxNode): boolean {
  for (const stmt of block?.namedChildren ?? []) {
    if (stmt.startIndex >= before.startIndex) break;
    const a = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    if (a?.type === 'assignment' && a.childForFieldName('left')?.text === name) {
      return isLiteralCollection(a.childForFieldName('right'));
    }
  }
  return false;
}

/** The statement a node belongs to: its ancestor whose parent is a block/body/module. */
export function enclosingStatement(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.parent && !STATEMENT_CONTAINERS.has(n.parent.type)) n = n.parent;
  return n;
}

const STATEMENT_CONTAINERS = new Set(['module', 'block', 'program', 'statement_block', 'source_file', 'class_body', 'statement_list']);

/**
 * A key naming one node of a file for facts shared between rules: offsets relative to the node's
 * top-level unit, so that it stays right when the unit's results are reused after edits elsewhere
 * in the file (its absolute offsets are not recomputed then).
 */
export function unitNodeKey(node: SyntaxNode): string {
  let unit = node;
  while (unit.parent?.parent) unit = unit.parent;
  return `${node.startIndex - unit.startIndex}+${node.endIndex - node.startIndex}/${unit.endIndex - unit.startIndex}`;
}

/** The same node of one tree (wrapper objects of a node are not identical). */
export function sameNode(a: SyntaxNode | null | undefined, b: SyntaxNode | null | undefined): boolean {
  return !!a && !!b && a.startIndex === b.startIndex && a.endIndex === b.endIndex && a.type === b.type;
}

/** The name a JS/TS function is known by: its own, or the variable, field or property it is assigned to. */
export function jsFunctionName(fn: SyntaxNode): string | undefined {
  const own = fn.childForFieldName('name');
  if (own) return own.text;
  const p = fn.parent;
  if (p?.type === 'variable_declarator' || p?.type === 'public_field_definition') return p.childForFieldName('name')?.text;
  if (p?.type === 'pair') return p.childForFieldName('key')?.text;
  return undefined;
}

/** A JS/TS function called where it is written: `(async () => { ... })()`. */
export function isIife(fn: SyntaxNode): boolean {
  let inner: SyntaxNode = fn;
  let p = fn.parent;
  while (p?.type === 'parenthesized_expression') {
    inner = p;
    p = p.parent;
  }
  return p?.type === 'call_expression' && sameNode(p.childForFieldName('function'), inner);
}
