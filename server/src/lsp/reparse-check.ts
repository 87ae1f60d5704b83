import type Parser from 'tree-sitter';
import type { SyntaxNode, Tree } from 'tree-sitter';
import { grammar, type GrammarId } from '../engine/languages';
import { treeSitter } from '../engine/native';

/**
 * Incremental re-parsing can disagree with a fresh parse of the same text: tree-sitter reuses a
 * subtree where a fresh parse resolves a conflict differently (TSX: `await r<d>.f` keeps an
 * `await_expression` around the whole chain). This is the cheap check after an edit: the
 * top-level units around the edit are parsed afresh on their own (included ranges, so the cost is
 * the edited units', not the file's) and compared with the incremental tree, node for node.
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
  for (let i = 0; i < units.length; i++) {
    const a = units[i];
    const b = again[i];
    if (a.type !== b.type || a.startIndex !== b.startIndex || a.endIndex !== b.endIndex || a.toString() !== b.toString()) return false;
  }
  return true;
}

/** The root's children that overlap the span or touch it (an edit between two units can change how both parse). */
function unitsAround(root: SyntaxNode, span: { start: number; end: number }): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const cursor = root.walk();
  if (!cursor.gotoFirstChild()) return out;
  do {
    if (cursor.startIndex > span.end) break;
    if (cursor.endIndex >= span.start) out.push(cursor.currentNode);
  } while (cursor.gotoNextSibling());
  return out;
}
