import type { SyntaxNode, TreeCursor } from 'tree-sitter';
import { Binder, literalText, MAX_EXPR_DEPTH, other } from './binder';
import type { Decorator, ExprRef, Param } from './file-model';

const LITERALS: Record<string, ExprRef['literal']> = {
  array: 'list',
  object: 'object',
  string: 'string',
  template_string: 'string',
  number: 'number',
  null: 'none',
  undefined: 'none',
  true: 'bool',
  false: 'bool',
  arrow_function: 'function',
  function_expression: 'function',
  function: 'function',
  regex: 'regex',
};

const FUNCTIONS = new Set(['function_declaration', 'generator_function_declaration', 'function_expression', 'function', 'generator_function', 'arrow_function', 'method_definition']);

/** Reduces a TypeScript/JavaScript expression to what resolution needs. */
export function tsExpr(node: SyntaxNode | null | undefined, depth = 0): ExprRef | undefined {
  if (!node) return undefined;
  // A chain thousands of links long (generated code) is not followed to its root.
  if (depth > MAX_EXPR_DEPTH) return { kind: 'other', start: node.startIndex, end: node.endIndex };
  const span = { start: node.startIndex, end: node.endIndex };
  switch (node.type) {
    case 'identifier':
    case 'property_identifier':
    case 'shorthand_property_identifier':
      return { kind: 'name', path: [node.text], ...span };
    case 'this':
      return { kind: 'name', path: ['this'], ...span };
    case 'member_expression': {
      const object = tsExpr(node.childForFieldName('object'), depth + 1);
      const prop = node.childForFieldName('property')?.text;
      if (!object || !prop) return { kind: 'other', ...span };
      return extend(object, prop, span);
    }
    case 'subscript_expression': {
      const object = tsExpr(node.childForFieldName('object'), depth + 1);
      const key = literalText(node.childForFieldName('index'));
      if (!object) return { kind: 'other', ...span };
      return extend(object, key !== undefined && /^[\w$.-]+$/.test(key) ? key : '[]', span);
    }
    case 'call_expression': {
      let fn = node.childForFieldName('function');
      // The grammar reads `await db.query<Row>(sql)` as a call of `await db.query`: it is an awaited call.
      if (fn?.type === 'await_expression') {
        const inner = fn.namedChildren[0];
        const call = inner ? awaitedCall(node, inner, depth) : undefined;
        return call ? { kind: 'await', of: call, ...span } : { kind: 'other', ...span };
      }
      const callee = tsExpr(fn, depth + 1);
      if (!callee) return { kind: 'other', ...span };
      // require('pg') is an import: kept as a call of `require` with the module as keyword.
      if (callee.kind === 'name' && callee.path!.length === 1 && callee.path![0] === 'require') {
        const m = literalText(node.childForFieldName('arguments')?.namedChildren[0]);
        return { kind: 'call', path: ['require'], keywords: m ? [m] : [], ...span };
      }
      if (callee.kind !== 'name') return { kind: 'other', ...span };
      return { kind: 'call', path: callee.path, receiver: callee.receiver, keywords: optionKeys(node), ...span };
    }
    case 'new_expression': {
      const ctor = tsExpr(node.childForFieldName('constructor'), depth + 1);
      if (ctor?.kind !== 'name') return { kind: 'other', ...span };
      return { kind: 'new', path: ctor.path, receiver: ctor.receiver, keywords: optionKeys(node), ...span };
    }
    case 'await_expression':
      return { kind: 'await', of: tsExpr(node.namedChildren[0], depth + 1), ...span };
    case 'parenthesized_expression':
    case 'as_expression':
    case 'satisfies_expression':
    case 'non_null_expression':
      return tsExpr(node.namedChildren[0], depth + 1);
    case 'binary_expression': {
      const op = node.childForFieldName('operator')?.type;
      if (op !== '+' && op !== '??' && op !== '||') return { kind: 'other', ...span };
      const parts = [node.childForFieldName('left'), node.childForFieldName('right')].map((n) => tsExpr(n, depth + 1) ?? { kind: 'other' as const, start: n?.startIndex ?? 0, end: n?.endIndex ?? 0 });
      return { kind: 'other', parts, ...span };
    }
    case 'string':
    case 'template_string': {
      const value = node.type === 'string' ? literalText(node) : node.text.slice(1, 201);
      return { kind: 'literal', literal: 'string', value: value?.slice(0, 200), ...span };
    }
    default: {
      const literal = LITERALS[node.type];
      return literal ? { kind: 'literal', literal, ...span } : { kind: 'other', ...span };
    }
  }
}

/** `db.query<Row>(sql)` of `await db.query<Row>(sql)`, which the grammar splits around the `await`. */
function awaitedCall(node: SyntaxNode, fn: SyntaxNode, depth: number): ExprRef | undefined {
  const callee = tsExpr(fn, depth + 1);
  if (callee?.kind !== 'name') return undefined;
  return { kind: 'call', path: callee.path, receiver: callee.receiver, keywords: optionKeys(node), start: fn.startIndex, end: node.endIndex };
}

function extend(object: ExprRef, prop: string, span: { start: number; end: number }): ExprRef {
  if (object.kind === 'name') return { kind: 'name', path: [...object.path!, prop], receiver: object.receiver, ...span };
  if (object.kind === 'call' || object.kind === 'new' || object.kind === 'await') return { kind: 'name', path: [prop], receiver: object, ...span };
  return { kind: 'other', ...span };
}

/** The keys of an options object passed to a call (`new Pool({ max: 20 })` → max). */
function optionKeys(call: SyntaxNode): string[] {
  const keys: string[] = [];
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (a.type !== 'object') continue;
    for (const p of a.namedChildren) {
      if (p.type === 'pair') keys.push(literalText(p.childForFieldName('key')) ?? p.childForFieldName('key')?.text ?? '');
      else if (p.type === 'shorthand_property_identifier') keys.push(p.text);
      else if (p.type === 'spread_element') keys.push('...');
    }
  }
  return keys;
}

function typeOf(node: SyntaxNode | null): string | undefined {
  // `: Repository<User>` → Repository<User>
  const t = node?.type === 'type_annotation' ? node.namedChildren[0] : node;
  return t?.text.replace(/\s+/g, '');
}

/** An operand a bound check names: `limit`, `req.query.limit`. */
const TS_NAME_LIKE = (x: SyntaxNode): boolean => x.type === 'identifier' || x.type === 'member_expression';

/** Where a comparison is a check of a value (an `if`, a guard, a ternary), not a loop's condition. */
const COMPARISON_CONTEXTS = new Set(['binary_expression', 'ternary_expression', 'unary_expression']);
const LOOP_CONDITIONS = new Set(['while_statement', 'do_statement']);

export class TypeScriptBinder extends Binder {
  constructor() {
    super('typescript');
  }

  /** `a > b`: a check of a value against a bound (see Binder.noteBound). */
  private comparison(n: SyntaxNode): void {
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    const op = n.childForFieldName('operator')?.type;
    if (left && right && op) this.noteBound([[left, op, right]], TS_NAME_LIKE);
  }

  protected enter(cursor: TreeCursor, type: string): boolean {
    // `function` is also the keyword token inside a declaration: only the named node is a function.
    if (FUNCTIONS.has(type) && (type !== 'function' || cursor.nodeIsNamed)) {
      this.functionNode(this.node(cursor));
      return true;
    }
    switch (type) {
      case 'import_statement':
        this.importStatement(this.node(cursor));
        return false;
      case 'export_statement':
        this.exportStatement(this.node(cursor));
        return true;
      case 'class_declaration':
      case 'class':
      case 'abstract_class_declaration':
        this.classNode(this.node(cursor));
        return true;
      case 'public_field_definition':
        this.field(this.node(cursor));
        return true;
      case 'variable_declarator':
        this.declarator(this.node(cursor));
        return true;
      case 'assignment_expression':
        if (this.inConstructor()) this.constructorAssignment(this.node(cursor));
        return true;
      case 'call_expression':
      case 'new_expression':
        this.call(this.node(cursor));
        return true;
      case 'binary_expression':
        if (COMPARISON_CONTEXTS.has(this.parentType ?? '') || (this.parentType === 'parenthesized_expression' && !LOOP_CONDITIONS.has(this.grandparentType ?? ''))) this.comparison(this.node(cursor));
        return true;
      case 'for_in_statement':
      case 'for_statement':
      case 'while_statement':
      case 'do_statement':
        this.loop(this.node(cursor));
        return true;
      case 'expression_statement':
        if (this.model.functions.length === 0 && this.model.calls.length === 0) {
          const d = literalText(this.node(cursor).namedChildren[0]);
          if (d === 'use client' || d === 'use server' || d === 'use strict') this.model.hints.directives.push(d);
        }
        return true;
      case 'jsx_element':
      case 'jsx_self_closing_element':
        this.model.hints.jsx = true;
        return true;
      case 'comment':
      case 'string':
      case 'template_string':
      case 'regex':
      case 'type_annotation':
      case 'type_alias_declaration':
      case 'interface_declaration':
        return false;
      default:
        return true;
    }
  }

  private importStatement(node: SyntaxNode): void {
    const module = literalText(node.childForFieldName('source'));
    if (module === undefined) return;
    this.model.hints.importRoots.push(module);
    const clause = node.namedChildren.find((c) => c.type === 'import_clause');
    for (const c of clause?.namedChildren ?? []) {
      if (c.type === 'identifier') this.model.imports.push({ local: c.text, module, name: 'default', start: c.startIndex, end: c.endIndex });
      else if (c.type === 'namespace_import') {
        const id = c.namedChildren[0];
        if (id) this.model.imports.push({ local: id.text, module, start: id.startIndex, end: id.endIndex });
      } else if (c.type === 'named_imports') {
        for (const s of c.namedChildren) {
          if (s.type !== 'import_specifier') continue;
          const name = s.childForFieldName('name')?.text;
          const alias = s.childForFieldName('alias')?.text ?? name;
          if (name && alias) this.model.imports.push({ local: alias, module, name, start: s.startIndex, end: s.endIndex });
        }
      }
    }
  }

  private exportStatement(node: SyntaxNode): void {
    const source = literalText(node.childForFieldName('source'));
    if (source === undefined) {
      // `export { presentGroup, user as presentUser }`: names of this file (module ''), which the
      // program follows to their declaration or, for an import passed on, to the imported module.
      const local = node.namedChildren.find((c) => c.type === 'export_clause');
      for (const s of local?.namedChildren ?? []) {
        const name = s.childForFieldName('name')?.text;
        if (name) this.model.reexports.push({ name, module: '', as: s.childForFieldName('alias')?.text ?? name });
      }
      // `export default class Helper {}`, `export default function work()`, `export default Helper`:
      // what the file's default export is named here (module '' is this file), so `import H from`
      // finds `H.run` as `Helper.run`.
      if (!node.children.some((c) => c.type === 'default')) return;
      const declared = node.childForFieldName('declaration')?.childForFieldName('name')?.text;
      const value = node.childForFieldName('value');
      const name = declared ?? (value?.type === 'identifier' ? value.text : undefined);
      if (name) this.model.reexports.push({ name, module: '', as: 'default' });
      return;
    }
    // export { a as b } from './x'; export * from './y'
    const clause = node.namedChildren.find((c) => c.type === 'export_clause');
    if (!clause) this.model.reexports.push({ name: '*', module: source, as: '*' });
    for (const s of clause?.namedChildren ?? []) {
      const name = s.childForFieldName('name')?.text;
      if (name) this.model.reexports.push({ name, module: source, as: s.childForFieldName('alias')?.text ?? name });
    }
  }

  private decorators(node: SyntaxNode): Decorator[] {
    const out: Decorator[] = [];
    const take = (d: SyntaxNode) => {
      if (d.type === 'decorator') out.push({ expr: tsExpr(d.namedChildren[0]) ?? other(d), start: d.startIndex, end: d.endIndex });
    };
    for (const d of node.childrenForFieldName('decorator')) take(d);
    // Method decorators are the method's preceding siblings in the class body; class decorators may sit on the export.
    for (let s = node.previousNamedSibling; s?.type === 'decorator'; s = s.previousNamedSibling) take(s);
    if (node.parent?.type === 'export_statement') for (const d of node.parent.childrenForFieldName('decorator')) take(d);
    return out;
  }

  private classNode(node: SyntaxNode): void {
    const name = node.childForFieldName('name')?.text ?? (node.parent?.type === 'variable_declarator' ? node.parent.childForFieldName('name')?.text : undefined) ?? '';
    const bases: string[][] = [];
    for (const h of node.namedChildren.find((c) => c.type === 'class_heritage')?.namedChildren ?? []) {
      for (const v of h.namedChildren) {
        const e = tsExpr(v.type === 'generic_type' ? v.childForFieldName('name') : v);
        if (e?.kind === 'name' && !e.receiver) bases.push(e.path!);
        else if (v.type === 'type_identifier' || v.type === 'generic_type') bases.push([(v.childForFieldName('name') ?? v).text]);
      }
    }
    this.addClass({ name, start: node.startIndex, end: node.endIndex, bases, decorators: this.decorators(node), fields: [], exported: node.parent?.type === 'export_statement' });
  }

  private inConstructor(): boolean {
    const fn = this.currentFn;
    return fn >= 0 && this.model.functions[fn].name === 'constructor' && this.model.functions[fn].className !== undefined;
  }

  /** `this.limiter = RateLimit(3)` in a constructor: the field's value, known from then on (as a field initialiser would say). */
  private constructorAssignment(node: SyntaxNode): void {
    const left = node.childForFieldName('left');
    if (left?.type !== 'member_expression' || left.childForFieldName('object')?.type !== 'this') return;
    const name = left.childForFieldName('property')?.text;
    const owner = this.model.classes.findIndex((c) => c.name === this.model.functions[this.currentFn].className && c.start <= node.startIndex && node.endIndex <= c.end);
    if (!name || owner < 0) return;
    const value = tsExpr(node.childForFieldName('right'));
    const fields = this.model.classes[owner].fields;
    const declared = fields.find((f) => f.name === name);
    if (declared && !declared.value) declared.value = value;
    else if (!declared) fields.push({ name, value, start: left.startIndex, end: left.endIndex });
  }

  private field(node: SyntaxNode): void {
    const cls = this.currentClass;
    const name = node.childForFieldName('name')?.text;
    if (cls === undefined || !name) return;
    this.model.classes[cls].fields.push({ name, value: tsExpr(node.childForFieldName('value')), type: typeOf(node.childForFieldName('type')), start: node.startIndex, end: node.endIndex });
  }

  private functionNode(node: SyntaxNode): void {
    const nameNode = node.childForFieldName('name');
    const parent = node.parent;
    let name = nameNode?.text ?? '';
    if (!name && (parent?.type === 'variable_declarator' || parent?.type === 'public_field_definition')) name = parent.childForFieldName('name')?.text ?? '';
    if (!name && parent?.type === 'pair') name = literalText(parent.childForFieldName('key')) ?? parent.childForFieldName('key')?.text ?? '';
    if (!name && parent?.type === 'assignment_expression') {
      const left = tsExpr(parent.childForFieldName('left'));
      if (left?.kind === 'name') name = left.path![left.path!.length - 1];
    }
    const isMethod = node.type === 'method_definition';
    const cls = isMethod || parent?.type === 'public_field_definition' ? this.currentClass : undefined;
    const params = this.params(node.childForFieldName('parameters') ?? node.childForFieldName('parameter'));
    const isAsync = node.child(0)?.type === 'async' || node.children.some((c) => c.type === 'async');
    const exported = parent?.type === 'export_statement' || (parent?.type === 'variable_declarator' && parent.parent?.parent?.type === 'export_statement');
    let passedTo: number | undefined;
    if (parent?.type === 'arguments' && parent.parent) {
      const callStart = parent.parent.startIndex;
      const callEnd = parent.parent.endIndex;
      for (let i = this.model.calls.length - 1; i >= 0; i--) {
        if (this.model.calls[i].start === callStart && this.model.calls[i].end === callEnd) {
          passedTo = i;
          break;
        }
      }
    }
    const index = this.addFunction({
      name,
      qualifiedName: this.qualify(name),
      className: cls !== undefined ? this.model.classes[cls].name : undefined,
      parent: this.currentFn >= 0 ? this.currentFn : undefined,
      isAsync,
      // `const walk = async () => …` is named by its declaration: callable by that name.
      anonymous: !name,
      exported,
      start: node.startIndex,
      end: node.endIndex,
      nameStart: nameNode?.startIndex ?? node.startIndex,
      nameEnd: nameNode?.endIndex ?? node.startIndex,
      params,
      decorators: isMethod ? this.decorators(node) : [],
      locals: [],
      passedTo,
    });
    // constructor(private readonly users: UsersService): fields of the class, by injection.
    if (isMethod && name === 'constructor' && cls !== undefined) {
      for (const p of node.childForFieldName('parameters')?.namedChildren ?? []) {
        const modified = p.namedChildren.some((c) => c.type === 'accessibility_modifier' || c.type === 'readonly' || c.type === 'override_modifier');
        const pattern = p.childForFieldName('pattern');
        if (modified && pattern?.type === 'identifier') this.model.classes[cls].fields.push({ name: pattern.text, type: typeOf(p.childForFieldName('type')), start: p.startIndex, end: p.endIndex });
      }
    }
    // items.map(async (x) => …): the callback runs once per item of the receiver.
    const via = passedTo !== undefined ? this.model.calls[passedTo].callee : undefined;
    if (via?.path && ITERATING.has(via.path[via.path.length - 1]) && (via.path.length > 1 || via.receiver)) {
      const iterable: ExprRef | undefined = via.path.length > 1 ? { kind: 'name', path: via.path.slice(0, -1), receiver: via.receiver, start: via.start, end: via.end } : via.receiver;
      this.addLoop({ start: node.startIndex, end: node.endIndex, iterable, variables: params[0]?.name ? [params[0].name] : [] });
    }
    void index;
  }

  private params(list: SyntaxNode | null): Param[] {
    if (!list) return [];
    if (list.type === 'identifier') return [{ name: list.text }];
    const out: Param[] = [];
    for (const p of list.namedChildren) {
      if (p.type !== 'required_parameter' && p.type !== 'optional_parameter') continue;
      const pattern = p.childForFieldName('pattern');
      out.push({ name: pattern?.type === 'identifier' ? pattern.text : (pattern?.text ?? ''), type: typeOf(p.childForFieldName('type')), default: tsExpr(p.childForFieldName('value')) });
    }
    return out;
  }

  private declarator(node: SyntaxNode): void {
    const nameNode = node.childForFieldName('name');
    const value = node.childForFieldName('value');
    if (!nameNode) return;
    const expr = tsExpr(value);
    if (nameNode.type === 'identifier') {
      // const { Pool } = require('pg') is below; const x = require('pg') is an import.
      if (expr?.kind === 'call' && expr.path?.[0] === 'require' && expr.keywords?.[0]) {
        this.model.imports.push({ local: nameNode.text, module: expr.keywords[0], start: node.startIndex, end: node.endIndex });
        this.model.hints.importRoots.push(expr.keywords[0]);
        return;
      }
      this.bind({ name: nameNode.text, value: expr, type: typeOf(node.childForFieldName('type')), start: nameNode.startIndex, end: nameNode.endIndex });
      return;
    }
    if (nameNode.type === 'object_pattern' && expr?.kind === 'call' && expr.path?.[0] === 'require' && expr.keywords?.[0]) {
      const module = expr.keywords[0];
      this.model.hints.importRoots.push(module);
      for (const p of nameNode.namedChildren) {
        if (p.type === 'shorthand_property_identifier_pattern') this.model.imports.push({ local: p.text, module, name: p.text, start: p.startIndex, end: p.endIndex });
        else if (p.type === 'pair_pattern') {
          const key = p.childForFieldName('key')?.text;
          const local = p.childForFieldName('value')?.text;
          if (key && local) this.model.imports.push({ local, module, name: key, start: p.startIndex, end: p.endIndex });
        }
      }
    }
  }

  private call(node: SyntaxNode): void {
    const read = tsExpr(node);
    // `await db.query<Row>(sql)`: see tsExpr.
    const splitAwait = read?.kind === 'await' && read.of?.kind === 'call';
    const expr = splitAwait ? read.of : read;
    if (!expr || (expr.kind !== 'call' && expr.kind !== 'new')) return;
    const fn = node.childForFieldName('function');
    const calleeEnd = (splitAwait ? fn?.namedChildren[0] : (fn ?? node.childForFieldName('constructor'))) ?? node;
    const callee: ExprRef = { kind: 'name', path: expr.path, receiver: expr.receiver, start: splitAwait ? expr.start : node.startIndex, end: calleeEnd.endIndex };
    const argNodes = (node.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment');
    if (expr.path?.length === 2 && expr.path[0] === 'Math' && expr.path[1] === 'min' && !expr.receiver) this.noteMinimum(argNodes, TS_NAME_LIKE);
    const args = argNodes.map((a) => tsExpr(a) ?? other(a));
    this.addCall({
      start: node.startIndex,
      end: node.endIndex,
      callee,
      isNew: expr.kind === 'new',
      awaited: splitAwait || this.parentType === 'await_expression',
      args,
      keywords: expr.keywords ?? [],
    });
  }

  private loop(node: SyntaxNode): void {
    const body = node.childForFieldName('body');
    if (node.type === 'for_in_statement') {
      const left = node.childForFieldName('left');
      const variables = left?.type === 'identifier' ? [left.text] : (left?.namedChildren ?? []).map((c) => c.text);
      this.addLoop({ start: body?.startIndex ?? node.startIndex, end: node.endIndex, iterable: tsExpr(node.childForFieldName('right')), variables });
      return;
    }
    this.addLoop({ start: body?.startIndex ?? node.startIndex, end: node.endIndex, variables: [] });
  }
}

/** Array methods whose callback runs once per item: the callback is a loop body. */
const ITERATING = new Set(['forEach', 'map', 'flatMap', 'filter', 'reduce', 'some', 'every', 'find', 'findIndex']);
