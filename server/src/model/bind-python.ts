import type { SyntaxNode, TreeCursor } from 'tree-sitter';
import { Binder, literalText, MAX_EXPR_DEPTH, other } from './binder';
import type { Decorator, ExprRef, Param } from './file-model';

const LITERALS: Record<string, ExprRef['literal']> = {
  list: 'list',
  tuple: 'list',
  list_comprehension: 'list',
  dictionary: 'dict',
  dictionary_comprehension: 'dict',
  set: 'set',
  set_comprehension: 'set',
  string: 'string',
  concatenated_string: 'string',
  integer: 'number',
  float: 'number',
  none: 'none',
  true: 'bool',
  false: 'bool',
  lambda: 'function',
};

/** Reduces a Python expression to what resolution needs. */
export function pyExpr(node: SyntaxNode | null | undefined, depth = 0): ExprRef | undefined {
  if (!node) return undefined;
  // A chain thousands of links long (generated code) is not followed to its root.
  if (depth > MAX_EXPR_DEPTH) return { kind: 'other', start: node.startIndex, end: node.endIndex };
  const span = { start: node.startIndex, end: node.endIndex };
  switch (node.type) {
    case 'identifier':
      return { kind: 'name', path: [node.text], ...span };
    case 'attribute': {
      const object = pyExpr(node.childForFieldName('object'), depth + 1);
      const attr = node.childForFieldName('attribute')?.text;
      if (!object || !attr) return { kind: 'other', ...span };
      return extend(object, attr, span);
    }
    case 'subscript': {
      // db["users"]: a literal key is an attribute for resolution (a Mongo collection).
      const object = pyExpr(node.childForFieldName('value'), depth + 1);
      const key = literalText(node.childForFieldName('subscript'));
      if (!object) return { kind: 'other', ...span };
      return extend(object, key !== undefined && /^[\w.-]+$/.test(key) ? key : '[]', span);
    }
    case 'call': {
      const callee = pyExpr(node.childForFieldName('function'), depth + 1);
      // Only the keywords: the arguments' own expressions are bound where the walk reaches them.
      const keywords = pyKeywords(node);
      if (!callee) return { kind: 'other', ...span };
      return { kind: 'call', path: callee.path, receiver: callee.receiver, keywords, ...span };
    }
    case 'await':
      return { kind: 'await', of: pyExpr(node.namedChildren[0], depth + 1), ...span };
    case 'parenthesized_expression':
      return pyExpr(node.namedChildren[0], depth + 1);
    default: {
      const literal = LITERALS[node.type];
      if (literal === 'string') return { kind: 'literal', literal, value: literalText(node)?.slice(0, 200), ...span };
      return literal ? { kind: 'literal', literal, ...span } : { kind: 'other', ...span };
    }
  }
}

/** A name path extended by one attribute; a chain that starts at a call keeps that call as its receiver. */
function extend(object: ExprRef, attr: string, span: { start: number; end: number }): ExprRef {
  if (object.kind === 'name') return { kind: 'name', path: [...object.path!, attr], receiver: object.receiver, ...span };
  if (object.kind === 'call' || object.kind === 'await' || object.kind === 'new') return { kind: 'name', path: [attr], receiver: object, ...span };
  return { kind: 'other', ...span };
}

function pyKeywords(call: SyntaxNode): string[] {
  const keywords: string[] = [];
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (a.type === 'keyword_argument') {
      const name = a.childForFieldName('name')?.text;
      if (name) keywords.push(name);
    } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') keywords.push(a.type === 'list_splat' ? '*' : '**');
  }
  return keywords;
}

function pyArgs(call: SyntaxNode): { args: ExprRef[]; keywords: string[]; named?: { name: string; value: ExprRef }[] } {
  const args: ExprRef[] = [];
  const keywords: string[] = [];
  let named: { name: string; value: ExprRef }[] | undefined;
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (a.type === 'keyword_argument') {
      const name = a.childForFieldName('name')?.text;
      if (name) keywords.push(name);
      const v = a.childForFieldName('value');
      const value = v && (v.type === 'identifier' || v.type === 'attribute') ? pyExpr(v) : undefined;
      if (name && value) (named ??= []).push({ name, value });
    } else if (a.type === 'comment') continue;
    else if (a.type === 'list_splat' || a.type === 'dictionary_splat') keywords.push(a.type === 'list_splat' ? '*' : '**');
    else args.push(pyExpr(a) ?? other(a));
  }
  return { args, keywords, ...(named ? { named } : {}) };
}

/** The value a keyword argument is given: `Depends(get_db)` in `db: Session = Depends(get_db)`. */
export function pyKeyword(call: SyntaxNode, name: string): SyntaxNode | undefined {
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name) return a.childForFieldName('value') ?? undefined;
  }
  return undefined;
}

/** An operand a bound check names: `limit`, `q.per_page`. */
const PY_NAME_LIKE = (x: SyntaxNode): boolean => x.type === 'identifier' || x.type === 'attribute';

/** Where a comparison is a check of a value (an `if`, a guard), not a loop's condition or a query's filter. */
const COMPARISON_CONTEXTS = new Set(['if_statement', 'elif_clause', 'conditional_expression', 'boolean_operator', 'not_operator', 'assert_statement', 'parenthesized_expression']);

export class PythonBinder extends Binder {
  constructor() {
    super('python');
  }

  /** `a < b <= c`: each operator with the operands beside it. */
  private comparison(n: SyntaxNode): void {
    const pairs: [SyntaxNode, string, SyntaxNode][] = [];
    let left: SyntaxNode | undefined;
    let op = '';
    for (const c of n.children) {
      if (c.isNamed) {
        if (left && op) pairs.push([left, op.trim(), c]);
        left = c;
        op = '';
      } else op += ` ${c.type}`;
    }
    this.noteBound(pairs, PY_NAME_LIKE);
  }

  protected enter(cursor: TreeCursor, type: string): boolean {
    switch (type) {
      case 'import_statement':
        this.importStatement(this.node(cursor));
        return false;
      case 'import_from_statement':
        this.importFrom(this.node(cursor));
        return false;
      case 'function_definition':
        this.functionDefinition(this.node(cursor));
        return true;
      case 'lambda':
        this.lambda(this.node(cursor));
        return true;
      case 'class_definition':
        this.classDefinition(this.node(cursor));
        return true;
      case 'assignment':
        this.assignment(this.node(cursor));
        return true;
      case 'with_item':
        this.withItem(this.node(cursor));
        return true;
      case 'call':
        this.call(this.node(cursor));
        return true;
      case 'for_statement':
        this.forStatement(this.node(cursor));
        return true;
      case 'while_statement': {
        const n = this.node(cursor);
        this.addLoop({ start: n.startIndex, end: n.endIndex, variables: [] });
        return true;
      }
      case 'list_comprehension':
      case 'set_comprehension':
      case 'dictionary_comprehension':
      case 'generator_expression':
        this.comprehension(this.node(cursor));
        return true;
      case 'comparison_operator':
        if (COMPARISON_CONTEXTS.has(this.parentType ?? '')) this.comparison(this.node(cursor));
        return true;
      case 'if_statement': {
        const n = this.node(cursor);
        if (this.currentFn < 0 && /^if\s+__name__\s*==\s*["']__main__["']/.test(n.text.slice(0, 40))) this.model.hints.mainGuard = true;
        return true;
      }
      case 'comment':
      case 'string':
        return false;
      default:
        return true;
    }
  }

  private importStatement(node: SyntaxNode): void {
    for (const n of node.childrenForFieldName('name')) {
      if (n.type === 'aliased_import') {
        const module = n.childForFieldName('name')?.text;
        const alias = n.childForFieldName('alias')?.text;
        if (module && alias) this.addImport({ local: alias, module, start: n.startIndex, end: n.endIndex });
      } else {
        // `import a.b.c` binds `a`, through which a.b.c is reached.
        this.addImport({ local: n.text.split('.')[0], module: n.text.split('.')[0], start: n.startIndex, end: n.endIndex });
        if (n.text.includes('.')) this.model.hints.importRoots.push(n.text);
      }
    }
  }

  private importFrom(node: SyntaxNode): void {
    const moduleNode = node.childForFieldName('module_name');
    if (!moduleNode) return;
    const module = moduleNode.text.replace(/\s+/g, '');
    const wildcard = node.namedChildren.some((c) => c.type === 'wildcard_import');
    if (wildcard) this.model.reexports.push({ name: '*', module, as: '*' });
    for (const n of node.childrenForFieldName('name')) {
      const name = n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text;
      const local = n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : n.text;
      if (!name || !local) continue;
      this.addImport({ local, module, name, start: n.startIndex, end: n.endIndex });
      // In a package's __init__, `from .x import a` re-exports a; resolution follows it.
      if (module.startsWith('.') && this.currentFn < 0) this.model.reexports.push({ name, module, as: local });
    }
  }

  private addImport(i: { local: string; module: string; name?: string; start: number; end: number }): void {
    this.model.imports.push(i);
    const root = i.module.replace(/^\.+/, '').split('.')[0];
    if (!i.module.startsWith('.') && root) this.model.hints.importRoots.push(i.name ? `${i.module}.${i.name}` : i.module);
  }

  private decoratorsOf(def: SyntaxNode): Decorator[] {
    const parent = def.parent;
    if (parent?.type !== 'decorated_definition') return [];
    return parent.namedChildren
      .filter((c) => c.type === 'decorator')
      .map((d) => {
        const expr = pyExpr(d.namedChildren[0]) ?? other(d);
        return { expr, start: d.startIndex, end: d.endIndex };
      });
  }

  private functionDefinition(node: SyntaxNode): void {
    const nameNode = node.childForFieldName('name');
    const name = nameNode?.text ?? '';
    const cls = this.currentClass;
    const params = this.params(node.childForFieldName('parameters'));
    const isAsync = node.child(0)?.type === 'async';
    const decorated = node.parent?.type === 'decorated_definition' ? node.parent : node;
    this.addFunction({
      name,
      qualifiedName: this.qualify(name),
      className: cls !== undefined ? this.model.classes[cls].name : undefined,
      parent: this.currentFn >= 0 ? this.currentFn : undefined,
      isAsync,
      anonymous: false,
      exported: !name.startsWith('_') || /^__\w+__$/.test(name),
      start: decorated.startIndex,
      end: node.endIndex,
      nameStart: nameNode?.startIndex ?? node.startIndex,
      nameEnd: nameNode?.endIndex ?? node.startIndex,
      params,
      decorators: this.decoratorsOf(node),
      locals: [],
    });
  }

  private lambda(node: SyntaxNode): void {
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
    });
  }

  private params(list: SyntaxNode | null): Param[] {
    const out: Param[] = [];
    for (const p of list?.namedChildren ?? []) {
      switch (p.type) {
        case 'identifier':
          out.push({ name: p.text });
          break;
        case 'typed_parameter': {
          const id = p.namedChildren.find((c) => c.type === 'identifier');
          if (id) out.push({ name: id.text, type: p.childForFieldName('type')?.text });
          break;
        }
        case 'default_parameter':
        case 'typed_default_parameter': {
          const name = p.childForFieldName('name')?.text;
          if (name) out.push({ name, type: p.childForFieldName('type')?.text, default: pyExpr(p.childForFieldName('value')) });
          break;
        }
        default:
          break;
      }
    }
    return out;
  }

  private classDefinition(node: SyntaxNode): void {
    const name = node.childForFieldName('name')?.text ?? '';
    const bases: string[][] = [];
    for (const b of node.childForFieldName('superclasses')?.namedChildren ?? []) {
      const e = pyExpr(b);
      if (e?.kind === 'name' && !e.receiver) bases.push(e.path!);
    }
    const decorated = node.parent?.type === 'decorated_definition' ? node.parent : node;
    this.addClass({ name, start: decorated.startIndex, end: node.endIndex, bases, decorators: this.decoratorsOf(node), fields: [], exported: !name.startsWith('_') });
  }

  private assignment(node: SyntaxNode): void {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    const type = node.childForFieldName('type')?.text;
    if (!left) return;
    const value = pyExpr(right);
    const span = { start: left.startIndex, end: left.endIndex };
    if (left.type === 'identifier') {
      const cls = this.currentClass;
      if (cls !== undefined) this.model.classes[cls].fields.push({ name: left.text, value, type, ...span });
      else this.bind({ name: left.text, value, type, ...span });
      return;
    }
    // self.repo = UserRepository(db): a field of the class, known from then on.
    if (left.type === 'attribute' && left.childForFieldName('object')?.type === 'identifier') {
      const fn = this.currentFn;
      const self = fn >= 0 ? this.model.functions[fn].params[0]?.name : undefined;
      const owner = fn >= 0 ? this.classOfMethod(fn) : undefined;
      if (self && owner !== undefined && left.childForFieldName('object')!.text === self) {
        const attr = left.childForFieldName('attribute')!.text;
        this.model.classes[owner].fields.push({ name: attr, value, type, ...span });
      }
      return;
    }
    if (left.type === 'pattern_list' || left.type === 'tuple_pattern') {
      // a, b = f(): each name is bound to an element of the value; kept as "other" values.
      for (const n of left.namedChildren) if (n.type === 'identifier') this.bind({ name: n.text, value: { kind: 'other', start: n.startIndex, end: n.endIndex }, start: n.startIndex, end: n.endIndex });
    }
  }

  /** The class a method belongs to (the function's own class, not an enclosing one's). */
  private classOfMethod(fn: number): number | undefined {
    const f = this.model.functions[fn];
    if (!f.className) return undefined;
    for (let i = this.model.classes.length - 1; i >= 0; i--) {
      const c = this.model.classes[i];
      if (c.name === f.className && c.start <= f.start && f.end <= c.end) return i;
    }
    return undefined;
  }

  private withItem(node: SyntaxNode): void {
    // `with X() as y` / `async with httpx.AsyncClient() as client`: y is what X() gives.
    const value = node.childForFieldName('value');
    if (value?.type !== 'as_pattern') return;
    const target = value.childForFieldName('alias')?.namedChildren[0] ?? value.namedChildren[value.namedChildren.length - 1];
    const source = value.namedChildren[0];
    if (target?.type === 'identifier') this.bind({ name: target.text, value: pyExpr(source), start: target.startIndex, end: target.endIndex });
  }

  private call(node: SyntaxNode): void {
    const callee = pyExpr(node.childForFieldName('function'));
    if (!callee) return;
    const { args, keywords, named } = pyArgs(node);
    if (callee.kind === 'name' && callee.path?.length === 1 && callee.path[0] === 'min') this.noteMinimum(node.childForFieldName('arguments')?.namedChildren ?? [], PY_NAME_LIKE);
    const awaited = this.parentType === 'await';
    this.addCall({ start: node.startIndex, end: node.endIndex, callee, awaited, args, keywords, ...(named ? { named } : {}) });
  }

  private forStatement(node: SyntaxNode): void {
    const body = node.childForFieldName('body');
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    // The iterable is evaluated once: the loop covers the body only.
    this.addLoop({ start: body?.startIndex ?? node.startIndex, end: node.endIndex, iterable: pyExpr(right), variables: names(left) });
  }

  private comprehension(comp: SyntaxNode): void {
    // The element and the later clauses run per item; the first clause's iterable once.
    const clause = comp.namedChildren.find((c) => c.type === 'for_in_clause');
    if (!clause) return;
    this.addLoop({ start: comp.startIndex, end: comp.endIndex, iterable: pyExpr(clause.childForFieldName('right')), variables: names(clause.childForFieldName('left')) });
  }
}

function names(node: SyntaxNode | null): string[] {
  if (!node) return [];
  if (node.type === 'identifier') return [node.text];
  return node.namedChildren.flatMap((c) => names(c));
}
