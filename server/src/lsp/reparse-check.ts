import type Parser from 'tree-sitter';
import type { SyntaxNode, Tree } from 'tree-sitter';
import { grammar, type GrammarId } from '../engine/languages';
import { treeSitter } from '../engine/native';

/**
 * Incremental re-parsing can disagree with a fresh parse of the same text: tree-sitter reuses a
 * subtree where a fresh parse resolves a conflict differently (TSX: `await r<d>.f` keeps an
 * `await_expression` around the whole chain). This is the cheap check after an edit: the
 * top-level units around the edit are parsed afresh on their own (included ranges, so the cost is
 * the edited units', not the file's) and compared with the incremental tree along the edit.
 */

const checkers = new Map<GrammarId, Parser>();

/** A parser of its own: the check must not disturb the main parser's state. */
function checker(id: GrammarId): Parser {
  let p = checkers.get(id);
  if (!p) {
    p = new (treeSitter())();
    p.setLanguage(grammar(id));
    checkers.set(id, p);
  }
  return p;
}

/** Whether the incremental `tree` parses the top-level units around `span` as a fresh parse does. */
export function sameParse(id: GrammarId, tree: Tree, text: string, span: { start: number; end: number }): boolean {
  const units = unitsAround(tree.rootNode, span);
  if (units.length === 0) return true;
  const first = units[0];
  const last = units[units.length - 1];
  const fresh = checker(id).parse(text, null, {
    includedRanges: [{ startIndex: first.startIndex, endIndex: last.endIndex, startPosition: first.startPosition, endPosition: last.endPosition }],
  }) as Tree | null;
  if (!fresh) return false;
  const again = fresh.rootNode.children;
  if (again.length !== units.length) return false;
  for (let i = 0; i < units.length; i++) if (!sameAround(units[i], again[i], span)) return false;
  return true;
}

/**
 * Compares two subtrees node by node where they overlap the edited span, and by type, extent and
 * size elsewhere (those parts were carried over unchanged). Iterative: a tree can be thousands of
 * levels deep, and the binding's recursive printer crashes there.
 */
function sameAround(a: SyntaxNode, b: SyntaxNode, span: { start: number; end: number }): boolean {
  const ca = a.walk();
  const cb = b.walk();
  for (;;) {
    if (ca.nodeType !== cb.nodeType || ca.startIndex !== cb.startIndex || ca.endIndex !== cb.endIndex || ca.currentFieldName !== cb.currentFieldName) return false;
    const touches = ca.endIndex >= span.start && ca.startIndex <= span.end;
    if (!touches && ca.currentNode.descendantCount !== cb.currentNode.descendantCount) return false;
    const downA = touches && ca.gotoFirstChild();
    const downB = touches && cb.gotoFirstChild();
    if (downA !== downB) return false;
    if (downA) continue;
    // Next sibling, or up until there is one.
    for (;;) {
      const nextA = ca.gotoNextSibling();
      const nextB = cb.gotoNextSibling();
      if (nextA !== nextB) return false;
      if (nextA) break;
      const upA = ca.gotoParent();
      const upB = cb.gotoParent();
      if (upA !== upB) return false;
      if (!upA) return true;
    }
  }
}

/**
 * The root's children that overlap the span or touch it (an edit between two units can change how
 * both parse), and the one after them when one of those has a syntax error: error recovery can move
 * where the next unit starts, and the incremental parse keeps the old start. Only then, because a
 * fresh parse of a large next unit (a class) on every keystroke would cost more than the edit.
 */
function unitsAround(root: SyntaxNode, span: { start: number; end: number }): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const cursor = root.walk();
  if (!cursor.gotoFirstChild()) return out;
  do {
    if (cursor.startIndex > span.end) {
      if (out.some((u) => u.hasError)) out.push(cursor.currentNode);
      break;
    }
    if (cursor.endIndex >= span.start) out.push(cursor.currentNode);
  } while (cursor.gotoNextSibling());
  return out;
}
