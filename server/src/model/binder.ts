import type { SyntaxNode, TreeCursor } from 'tree-sitter';
import type { QueryLanguage } from '../engine/languages';
import { emptyFileModel, type CallSite, type ClassModel, type ExprRef, type FileModel, type FunctionModel, type LoopModel, type ValueBinding } from './file-model';

/**
 * The walk shared by the language binders: one preorder pass over a top-level unit with a tree
 * cursor, dispatching on node types; only the nodes a binder takes are turned into objects. The
 * binder keeps the stack of functions and loops the walk is inside (by their end offsets).
 */
export abstract class Binder {
  readonly model: FileModel;
  /** Functions the walk is inside, innermost last. */
  protected readonly fnStack: { index: number; end: number }[] = [];
  protected readonly loopStack: { index: number; end: number; fn: number }[] = [];
  protected readonly classStack: { index: number; end: number }[] = [];

  constructor(language: QueryLanguage) {
    this.model = emptyFileModel(language);
  }

  /** Called for every node on the way down; returns false to skip the node's children. */
  protected abstract enter(cursor: TreeCursor, type: string): boolean;

  /**
   * The cursor's node, for a node the binder records something about: the stacks of functions,
   * loops and classes are brought to its offset first (only then, not on every node walked: each
   * read of the cursor is a call into the native binding).
   */
  protected node(cursor: TreeCursor): SyntaxNode {
    const n = cursor.currentNode;
    this.popUntil(n.startIndex);
    return n;
  }

  /** The types of the nodes above the walk's current one, innermost last (a node's parent is a search from the root in tree-sitter). */
  private readonly ancestors: string[] = [];

  /** The type of the current node's parent. */
  protected get parentType(): string | undefined {
    return this.ancestors[this.ancestors.length - 1];
  }

  /** The type of the current node's grandparent. */
  protected get grandparentType(): string | undefined {
    return this.ancestors[this.ancestors.length - 2];
  }

  /**
   * A comparison in a condition (not a loop's): an operand that is a name, compared with anything
   * but a trivial bound (`0`, `1`, `-1`, none), is a value the function bounds. `if limit > MAX` and
   * `if not 1 <= n <= 100` bound `limit` and `n`; `if limit > 0` and `i < n` in a loop header do not.
   */
  protected noteBound(pairs: readonly [SyntaxNode, string, SyntaxNode][], nameLike: (n: SyntaxNode) => boolean): void {
    const fn = this.currentFn;
    if (fn < 0) return;
    for (const [left, op, right] of pairs) {
      if (op !== '<' && op !== '<=' && op !== '>' && op !== '>=') continue;
      for (const [value, other] of [[left, right], [right, left]]) {
        if (!nameLike(value) || TRIVIAL_BOUND.test(other.text)) continue;
        const name = value.text.replace(/\s+/g, '');
        if (name.length > 120) continue;
        this.addBounded(fn, name);
      }
    }
  }

  /** `min(limit, 100)` (Python, Go), `Math.min(limit, 100)`: the language's own minimum caps each name it is given. */
  protected noteMinimum(args: readonly SyntaxNode[], nameLike: (n: SyntaxNode) => boolean): void {
    const fn = this.currentFn;
    if (fn < 0 || args.length < 2) return;
    for (const a of args) if (nameLike(a) && a.text.length <= 120) this.addBounded(fn, a.text.replace(/\s+/g, ''));
  }

  private addBounded(fn: number, name: string): void {
    const f = this.model.functions[fn];
    if (!f.bounded?.includes(name)) (f.bounded ??= []).push(name);
  }

  bindUnit(unit: SyntaxNode): void {
    const cursor = unit.walk();
    for (;;) {
      const type = cursor.nodeType;
      const descend = this.enter(cursor, type);
      // Code nested deeper than any person writes (a generated 4,000-link chain) is not bound
      // below the cap: binding every link of it cost seconds, and the query engine reports it.
      if (descend && this.ancestors.length < MAX_WALK_DEPTH && cursor.gotoFirstChild()) {
        this.ancestors.push(type);
        continue;
      }
      for (;;) {
        if (cursor.gotoNextSibling()) break;
        if (!cursor.gotoParent()) return;
        this.ancestors.pop();
      }
    }
  }

  private popUntil(offset: number): void {
    while (this.fnStack.length > 0 && this.fnStack[this.fnStack.length - 1].end <= offset) this.fnStack.pop();
    while (this.loopStack.length > 0 && this.loopStack[this.loopStack.length - 1].end <= offset) this.loopStack.pop();
    while (this.classStack.length > 0 && this.classStack[this.classStack.length - 1].end <= offset) this.classStack.pop();
  }

  /** The function the walk is in, or -1 at module level. */
  protected get currentFn(): number {
    return this.fnStack.length > 0 ? this.fnStack[this.fnStack.length - 1].index : -1;
  }

  /** The class whose body the walk is in directly (not inside one of its methods). */
  protected get currentClass(): number | undefined {
    const c = this.classStack[this.classStack.length - 1];
    if (!c) return undefined;
    const fn = this.fnStack[this.fnStack.length - 1];
    return fn && this.model.functions[fn.index].start > this.model.classes[c.index].start ? undefined : c.index;
  }

  /** The innermost loop of the current function around an offset (a comprehension's first iterable is not inside it). */
  protected loopAround(offset: number): number | undefined {
    const fn = this.currentFn;
    for (let i = this.loopStack.length - 1; i >= 0; i--) {
      const l = this.loopStack[i];
      if (l.fn !== fn) return undefined;
      const it = this.model.loops[l.index].iterable;
      if (it && offset >= it.start && offset < it.end) continue;
      return l.index;
    }
    return undefined;
  }

  protected addFunction(fn: FunctionModel): number {
    const index = this.model.functions.push(fn) - 1;
    this.fnStack.push({ index, end: fn.end });
    return index;
  }

  protected addClass(cls: ClassModel): number {
    const index = this.model.classes.push(cls) - 1;
    this.classStack.push({ index, end: cls.end });
    return index;
  }

  protected addLoop(loop: Omit<LoopModel, 'fn'>, bodyEnd = loop.end): number {
    const fn = this.currentFn;
    const index = this.model.loops.push({ ...loop, fn }) - 1;
    this.loopStack.push({ index, end: bodyEnd, fn });
    return index;
  }

  protected addCall(call: CallSite): void {
    this.model.calls.push({ ...call, fn: this.currentFn, loop: this.loopAround(call.start) });
  }

  /** A binding in the current scope: the function's locals, or the module's. */
  protected bind(binding: ValueBinding): void {
    const fn = this.currentFn;
    if (fn >= 0) this.model.functions[fn].locals.push(binding);
    else this.model.bindings.push(binding);
  }

  /** The qualified name of a function defined here: the enclosing class and functions, then its name. */
  protected qualify(name: string): string {
    const parts: string[] = [];
    const fn = this.fnStack[this.fnStack.length - 1];
    const cls = this.classStack[this.classStack.length - 1];
    if (fn && (!cls || this.model.functions[fn.index].start > this.model.classes[cls.index].start)) parts.push(this.model.functions[fn.index].qualifiedName);
    else if (cls) parts.push(this.model.classes[cls.index].name);
    parts.push(name || '<anonymous>');
    return parts.join('.');
  }
}

/** What a lower-bound or presence check compares with: `limit > 0`, `n < 1`, `x > None`. */
const TRIVIAL_BOUND = /^(-\s*)?[01](\.0*)?$|^(None|nil|null|undefined)$/;

/** How deep the walk descends: real code nests a few dozen levels. */
export const MAX_WALK_DEPTH = 256;

/** How deep an expression is followed: real chains are a few dozen links. */
export const MAX_EXPR_DEPTH = 64;

/** The text of a string literal node without quotes and prefixes, or undefined. */
export function literalText(node: SyntaxNode | null | undefined): string | undefined {
  if (!node) return undefined;
  const t = node.text;
  const m = /^[a-zA-Z]*("""|'''|["'`])([\s\S]*)\1$/.exec(t);
  return m ? m[2] : undefined;
}

/** A node's span as an ExprRef of kind `other` (the binders refine it). */
export function other(node: SyntaxNode): ExprRef {
  return { kind: 'other', start: node.startIndex, end: node.endIndex };
}
