import type { SyntaxNode, TreeCursor } from 'tree-sitter';
import { Binder, literalText, MAX_EXPR_DEPTH, other } from './binder';
import type { ExprRef, Param } from './file-model';

const LITERALS: Record<string, ExprRef['literal']> = {
  composite_literal: 'list',
  interpreted_string_literal: 'string',
  raw_string_literal: 'string',
  int_literal: 'number',
  float_literal: 'number',
  nil: 'none',
  true: 'bool',
  false: 'bool',
  func_literal: 'function',
};

/** Reduces a Go expression to what resolution needs. */
export function goExpr(node: SyntaxNode | null | undefined, depth = 0): ExprRef | undefined {
  if (!node) return undefined;
  // A chain thousands of links long (generated code) is not followed to its root.
  if (depth > MAX_EXPR_DEPTH) return { kind: 'other', start: node.startIndex, end: node.endIndex };
  const span = { start: node.startIndex, end: node.endIndex };
  switch (node.type) {
    case 'identifier':
    case 'field_identifier':
    case 'package_identifier':
    case 'type_identifier':
      return { kind: 'name', path: [node.text], ...span };
    case 'selector_expression': {
      const operand = goExpr(node.childForFieldName('operand'), depth + 1);
      const field = node.childForFieldName('field')?.text;
      if (!operand || !field) return { kind: 'other', ...span };
      if (operand.kind === 'name') return { kind: 'name', path: [...operand.path!, field], receiver: operand.receiver, ...span };
      if (operand.kind === 'call') return { kind: 'name', path: [field], receiver: operand, ...span };
      return { kind: 'other', ...span };
    }
    case 'call_expression': {
      const callee = goExpr(node.childForFieldName('function'), depth + 1);
      if (!callee || (callee.kind !== 'name' && callee.kind !== 'literal')) return { kind: 'other', ...span };
      return { kind: 'call', path: callee.path ?? [], receiver: callee.receiver, ...span };
    }
    case 'unary_expression':
    case 'parenthesized_expression':
      return goExpr(node.childForFieldName('operand') ?? node.namedChildren[0], depth + 1);
    case 'composite_literal': {
      // &Store{db: db}, User{...}: a value of the named type.
      const type = node.childForFieldName('type');
      if (type && (type.type === 'type_identifier' || type.type === 'qualified_type')) return { kind: 'new', path: type.text.split('.'), ...span };
      return { kind: 'literal', literal: 'list', ...span };
    }
    default: {
      const literal = LITERALS[node.type];
      if (literal === 'string') return { kind: 'literal', literal, value: literalText(node)?.slice(0, 200), ...span };
      return literal ? { kind: 'literal', literal, ...span } : { kind: 'other', ...span };
    }
  }
}

/** Go `*sql.DB`, `[]*User`, `pb.UserServer` as written, without spaces. */
function typeText(node: SyntaxNode | null | undefined): string | undefined {
  return node?.text.replace(/\s+/g, '');
}

/** An operand a bound check names: `limit`, `req.PageSize`, a getter `req.GetPageSize()`. */
const GO_NAME_LIKE = (x: SyntaxNode): boolean =>
  x.type === 'identifier' || x.type === 'selector_expression' || (x.type === 'call_expression' && x.childForFieldName('function')?.type === 'selector_expression' && (x.childForFieldName('arguments')?.namedChildCount ?? 1) === 0);

/** Where a comparison is a check of a value (an `if`, a guard, a ternary), not a loop's condition. */
const COMPARISON_CONTEXTS = new Set(['if_statement', 'binary_expression', 'parenthesized_expression', 'unary_expression', 'expression_case']);

export class GoBinder extends Binder {
  constructor() {
    super('go');
  }

  /** `a > b`: a check of a value against a bound (see Binder.noteBound). */
  private comparison(n: SyntaxNode): void {
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    const op = n.childForFieldName('operator')?.type;
    if (left && right && op) this.noteBound([[left, op, right]], GO_NAME_LIKE);
  }

  protected enter(cursor: TreeCursor, type: string): boolean {
    switch (type) {
      case 'package_clause': {
        const name = this.node(cursor).namedChildren[0]?.text;
        if (name) this.model.hints.goPackage = name;
        return false;
      }
      case 'import_spec':
        this.importSpec(this.node(cursor));
        return false;
      case 'function_declaration':
      case 'method_declaration':
        this.functionDeclaration(this.node(cursor));
        return true;
      case 'func_literal':
        this.funcLiteral(this.node(cursor));
        return true;
      case 'type_spec':
        this.typeSpec(this.node(cursor));
        return false;
      case 'var_spec':
      case 'const_spec':
        this.varSpec(this.node(cursor));
        return true;
      case 'short_var_declaration':
      case 'assignment_statement':
        this.shortVar(this.node(cursor));
        return true;
      case 'call_expression':
        this.call(this.node(cursor));
        return true;
      case 'binary_expression':
        if (COMPARISON_CONTEXTS.has(this.parentType ?? '')) this.comparison(this.node(cursor));
        return true;
      case 'for_statement':
        this.forStatement(this.node(cursor));
        return true;
      case 'comment':
      case 'interpreted_string_literal':
      case 'raw_string_literal':
        return false;
      default:
        return true;
    }
  }

  private importSpec(node: SyntaxNode): void {
    const module = literalText(node.childForFieldName('path'));
    if (!module) return;
    const alias = node.childForFieldName('name')?.text;
    // The package name is the last path element, without a major-version suffix (pgx/v5 → pgx).
    const parts = module.split('/');
    const last = /^v\d+$/.test(parts[parts.length - 1]) && parts.length > 1 ? parts[parts.length - 2] : parts[parts.length - 1];
    const local = alias && alias !== '.' && alias !== '_' ? alias : last.replace(/^go-/, '').replace(/[.-]/g, '_');
    if (alias !== '_') this.model.imports.push({ local, module, start: node.startIndex, end: node.endIndex });
    this.model.hints.importRoots.push(module);
  }

  private params(list: SyntaxNode | null | undefined): Param[] {
    const out: Param[] = [];
    for (const p of list?.namedChildren ?? []) {
      if (p.type !== 'parameter_declaration' && p.type !== 'variadic_parameter_declaration') continue;
      const type = typeText(p.childForFieldName('type'));
      const names = p.childrenForFieldName('name');
      if (names.length === 0) out.push({ name: '', type });
      for (const n of names) out.push({ name: n.text, type });
    }
    return out;
  }

  private functionDeclaration(node: SyntaxNode): void {
    const nameNode = node.childForFieldName('name');
    const name = nameNode?.text ?? '';
    const receiver = this.params(node.childForFieldName('receiver'))[0];
    const className = receiver?.type?.replace(/^\*/, '').replace(/\[.*$/, '');
    const result = node.childForFieldName('result');
    const results = result ? (result.type === 'parameter_list' ? this.params(result).map((p) => p.type ?? '') : [typeText(result) ?? '']) : [];
    this.addFunction({
      name,
      qualifiedName: className ? `${className}.${name}` : name,
      className,
      isAsync: false,
      anonymous: false,
      exported: /^[A-Z]/.test(name),
      start: node.startIndex,
      end: node.endIndex,
      nameStart: nameNode?.startIndex ?? node.startIndex,
      nameEnd: nameNode?.endIndex ?? node.startIndex,
      // The receiver comes first, as `self` does in Python: resolution binds its name to its type.
      params: [...(receiver ? [receiver] : []), ...this.params(node.childForFieldName('parameters'))],
      decorators: [],
      locals: [],
      results,
    });
    if (name === 'main' && this.model.hints.goPackage === 'main') this.model.hints.mainGuard = true;
  }

  private funcLiteral(node: SyntaxNode): void {
    const result = node.childForFieldName('result');
    this.addFunction({
      name: '',
      qualifiedName: this.qualify(''),
      parent: this.currentFn >= 0 ? this.currentFn : undefined,
      isAsync: false,
      anonymous: true,
      exported: false,
      start: node.startIndex,
      end: node.endIndex,
      nameStart: node.startIndex,
      nameEnd: node.startIndex,
      params: this.params(node.childForFieldName('parameters')),
      decorators: [],
      locals: [],
      results: result ? (result.type === 'parameter_list' ? this.params(result).map((p) => p.type ?? '') : [typeText(result) ?? '']) : [],
    });
  }

  private typeSpec(node: SyntaxNode): void {
    const name = node.childForFieldName('name')?.text;
    const type = node.childForFieldName('type');
    if (!name || !type) return;
    const fields: { name: string; type?: string; start: number; end: number }[] = [];
    const bases: string[][] = [];
    if (type.type === 'struct_type') {
      for (const f of type.namedChildren[0]?.namedChildren ?? []) {
        if (f.type !== 'field_declaration') continue;
        const ft = typeText(f.childForFieldName('type'));
        const names = f.childrenForFieldName('name');
        if (names.length === 0 && ft) bases.push(ft.replace(/^\*/, '').split('.'));
        for (const n of names) fields.push({ name: n.text, type: ft, start: n.startIndex, end: n.endIndex });
      }
    } else if (type.type === 'interface_type') {
      bases.push(['interface']);
    } else {
      // type Handler func(...), type ID string: an alias-like definition.
      const t = typeText(type);
      if (t) fields.push({ name: '', type: t, start: type.startIndex, end: type.endIndex });
    }
    this.addClass({ name, start: node.startIndex, end: node.endIndex, bases, decorators: [], fields, exported: /^[A-Z]/.test(name) });
    this.classStack.pop();
  }

  private varSpec(node: SyntaxNode): void {
    const type = typeText(node.childForFieldName('type'));
    const values = node.childForFieldName('value')?.namedChildren ?? [];
    const names = node.childrenForFieldName('name');
    names.forEach((n, i) => {
      // `a, err := f()`: the first name takes the call's (first) result.
      const value = values.length === names.length ? goExpr(values[i]) : i === 0 ? goExpr(values[0]) : undefined;
      this.bind({ name: n.text, value, type, start: n.startIndex, end: n.endIndex });
    });
  }

  private shortVar(node: SyntaxNode): void {
    const left = node.childForFieldName('left')?.namedChildren ?? [];
    const right = node.childForFieldName('right')?.namedChildren ?? [];
    left.forEach((n, i) => {
      if (n.type !== 'identifier' || n.text === '_') return;
      const value = right.length === left.length ? goExpr(right[i]) : i === 0 ? goExpr(right[0]) : undefined;
      this.bind({ name: n.text, value, start: n.startIndex, end: n.endIndex });
    });
  }

  private call(node: SyntaxNode): void {
    const fn = node.childForFieldName('function');
    const callee = goExpr(fn) ?? (fn ? other(fn) : undefined);
    if (!callee) return;
    const argNodes = (node.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment');
    if (fn?.type === 'identifier' && fn.text === 'min') this.noteMinimum(argNodes, GO_NAME_LIKE);
    const args = argNodes.map((a) => goExpr(a) ?? other(a));
    // `go notify(...)`: the call runs in its own goroutine, and the caller does not wait for it.
    const spawned = node.parent?.type === 'go_statement';
    this.addCall({ start: node.startIndex, end: node.endIndex, callee, awaited: false, args, keywords: [], ...(spawned ? { spawned } : {}) });
  }

  private forStatement(node: SyntaxNode): void {
    const body = node.childForFieldName('body');
    const clause = node.namedChildren.find((c) => c.type === 'range_clause' || c.type === 'for_clause');
    const iterable = clause?.type === 'range_clause' ? goExpr(clause.childForFieldName('right')) : undefined;
    const variables = clause?.type === 'range_clause' ? (clause.childForFieldName('left')?.namedChildren ?? []).map((n) => n.text).filter((n) => n !== '_') : [];
    this.addLoop({ start: body?.startIndex ?? node.startIndex, end: node.endIndex, iterable, variables });
  }
}
