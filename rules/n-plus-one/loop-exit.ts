import type { SyntaxNode } from 'tree-sitter';
import type { QueryLanguage } from '../../server/src/engine/languages';
import { isFunctionNode } from '../../server/src/engine/predicates';

/*
 * Where control leaves a loop right after a call: what makes a query in a loop run once per loop
 * (a first-match search), not once per item. Read by the rule on its own path and by the
 * through-calls hook on the unit's tree.
 */

/** Nodes whose named children are statements. */
export const STATEMENT_CONTAINERS: Record<QueryLanguage, ReadonlySet<string>> = {
  python: new Set(['block']),
  go: new Set(['block', 'statement_list']),
  typescript: new Set(['statement_block']),
};

const EXITS: Record<QueryLanguage, ReadonlySet<string>> = {
  python: new Set(['return_statement', 'raise_statement', 'break_statement']),
  go: new Set(['return_statement', 'break_statement']),
  typescript: new Set(['return_statement', 'throw_statement', 'break_statement']),
};
/** Loop statements of the three grammars (not an iteration callback: its `return` ends one item). */
export const LOOP_STATEMENTS: ReadonlySet<string> = new Set(['for_statement', 'for_in_statement', 'for_of_statement', 'while_statement', 'do_statement']);
/** Statements a `break` inside them leaves, instead of the loop around them. */
const BREAK_TARGETS = new Set([...LOOP_STATEMENTS, 'switch_statement', 'expression_switch_statement', 'type_switch_statement', 'select_statement', 'match_statement']);

/**
 * A statement on the call's path (`path[0]` is the call, `path[loopIndex]` the `for` statement) is
 * followed, in its own block, by a `return`, `throw`/`raise` or a plain `break` of that loop.
 */
export function leavesAfter(path: SyntaxNode[], loopIndex: number, lang: QueryLanguage): boolean {
  // From the loop inwards: a `break` below an inner loop or a switch leaves that instead; below a
  // callback (`o.lines.map(async (l) => { …; return c; })`), nothing leaves the loop.
  let breakLeaves = true;
  for (let i = loopIndex - 1; i >= 1; i--) {
    const block = path[i];
    if (isFunctionNode(block, lang)) return false;
    if (BREAK_TARGETS.has(block.type)) breakLeaves = false;
    if (!STATEMENT_CONTAINERS[lang].has(block.type)) continue;
    const onPath = path[i - 1];
    for (const st of block.namedChildren) {
      if (st.startIndex < onPath.endIndex || !EXITS[lang].has(st.type)) continue;
      // A labelled break may leave an outer loop: only a plain one is read.
      if (st.type === 'break_statement' && (!breakLeaves || st.namedChildCount > 0)) continue;
      return true;
    }
  }
  return false;
}
