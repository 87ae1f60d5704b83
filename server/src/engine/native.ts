import type Parser from 'tree-sitter';

/**
 * The native tree-sitter binding, loaded on first use rather than at start-up: on a machine where
 * it cannot load (an older C++ runtime than the prebuild needs, an unsupported platform) the
 * language server still starts and says why, instead of dying before it can say anything.
 */
export class NativeLoadError extends Error {}

let binding: typeof Parser | undefined;

export function treeSitter(): typeof Parser {
  if (binding) return binding;
  try {
    binding = require('tree-sitter') as typeof Parser;
    memoizeParents(binding);
    return binding;
  } catch (e) {
    throw new NativeLoadError(
      `Headroom cannot load its tree-sitter parser on ${process.platform}-${process.arch} (Node ${process.versions.node}): ${(e as Error).message.split('\n')[0]}`,
    );
  }
}

/**
 * `node.parent` in tree-sitter 0.25 searches down from the root, so climbing k ancestors costs
 * O(k × depth): on a long call chain every rule's climb made the analysis cubic (a 300-link chain
 * took seconds). A tree never changes its shape after parsing, so each node's parent is looked up
 * once per tree and kept, keyed by the node's id (the binding's first two transfer words).
 */
function memoizeParents(parser: typeof Parser): void {
  const proto = (parser as unknown as { SyntaxNode: { prototype: object } }).SyntaxNode.prototype;
  const lookup = Object.getOwnPropertyDescriptor(proto, 'parent')?.get;
  if (!lookup) return;
  const perTree = new WeakMap<object, Map<number, Parser.SyntaxNode | null>>();
  Object.defineProperty(proto, 'parent', {
    configurable: true,
    get(this: Parser.SyntaxNode & Record<number, number>): Parser.SyntaxNode | null {
      let memo = perTree.get(this.tree);
      if (!memo) {
        memo = new Map();
        perTree.set(this.tree, memo);
      }
      const id = this[0] + this[1] * 0x1_0000_0000;
      let parent = memo.get(id);
      if (parent === undefined) {
        parent = (lookup.call(this) as Parser.SyntaxNode | null) ?? null;
        memo.set(id, parent);
      }
      return parent;
    },
  });
}
