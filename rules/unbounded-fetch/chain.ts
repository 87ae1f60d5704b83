import type { SyntaxNode } from 'tree-sitter';

/** One call of a method chain: the method's name and its call. */
export interface Link {
  name: string;
  call: SyntaxNode;
}

/**
 * `a.find(q).sort(s)` → links [sort, find], root `a`: a method chain (Python, TS/JS or Go) read from the outermost call
 * inwards. Parentheses around the chain are looked through, and with `throughAwait` a Python
 * `await` too (`(await session.execute(stmt)).scalars()`).
 */
export function chainOf(node: SyntaxNode, throughAwait = false): { links: Link[]; root: SyntaxNode } {
  const links: Link[] = [];
  let n = node;
  for (;;) {
    if (n.type === 'parenthesized_expression' || (throughAwait && n.type === 'await')) {
      const inner = n.namedChildren.filter((c) => c.type !== 'comment');
      if (inner.length !== 1) break;
      n = inner[0];
      continue;
    }
    if (n.type !== 'call' && n.type !== 'call_expression') break;
    const fn = n.childForFieldName('function');
    const prop = fn?.type === 'attribute' ? fn.childForFieldName('attribute') : fn?.type === 'member_expression' ? fn.childForFieldName('property') : fn?.type === 'selector_expression' ? fn.childForFieldName('field') : null;
    const obj = fn?.childForFieldName(fn.type === 'selector_expression' ? 'operand' : 'object');
    if (!prop || !obj) break;
    links.push({ name: prop.text, call: n });
    n = obj;
  }
  return { links, root: n };
}
