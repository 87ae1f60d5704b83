import type { SyntaxNode } from 'tree-sitter';
import { defineRule, type RuleMatch } from '../../server/src/engine/rule-api';
import meta from './rule.json';
import python from './python.scm';
import go from './go.scm';
import typescript from './typescript.scm';
import type { RuleMeta } from '../../server/src/engine/rule-api';

const NUMBER_TYPES = new Set(['integer', 'float', 'int_literal', 'float_literal', 'number']);

/** Splits `x * 2` / `2 * x` into the operand and the literal factor; undefined for anything else. */
function overFetch(expr: SyntaxNode): { operand: SyntaxNode; factor: number } | undefined {
  const op = expr.childForFieldName('operator');
  const left = expr.childForFieldName('left');
  const right = expr.childForFieldName('right');
  if (op?.text !== '*' || !left || !right) return undefined;
  const [lit, operand] = NUMBER_TYPES.has(right.type) ? [right, left] : NUMBER_TYPES.has(left.type) ? [left, right] : [];
  if (!lit || !operand || !LIMIT_OPERAND.has(operand.type)) return undefined; // `5 * 10` is a constant, `(1,) * 6` a tuple
  const factor = Number(lit.text.replace(/_/g, ''));
  return Number.isFinite(factor) && factor > 1 ? { operand, factor } : undefined;
}

/**
 * Python `to_list(length=...)` is Motor's limit, `length=` elsewhere (columns, strings) is not; and
 * `size=` is a page size only for search and query calls (Elasticsearch), not for arrays or samples.
 */
function isLimitKeyword(match: RuleMatch): boolean {
  const kw = match.text('kw');
  const callee = match.node('callee');
  const name = (callee?.type === 'attribute' ? callee.childForFieldName('attribute') : callee)?.text ?? '';
  if (kw === 'length') return name === 'to_list';
  if (kw === 'size') return /search|query|find|scan|scroll|fetch/i.test(name);
  return true;
}

/** A count of records is a name, an attribute, a call or a subscript; not a tuple, list or string. */
const LIMIT_OPERAND = new Set(['identifier', 'attribute', 'call', 'subscript', 'selector_expression', 'call_expression', 'member_expression', 'subscript_expression', 'index_expression', 'parenthesized_expression']);

/** Go: `Query(sql, price*2)` multiplies a filter value, not the limit; only limit-like operands count. */
function isGoLimitArgument(match: RuleMatch, operand: SyntaxNode): boolean {
  return match.text('method') === 'Limit' || /(limit|size|count|per_?page|take|top|^n$)/i.test(operand.text);
}

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python, go, typescript },
  check(match) {
    const expr = match.node('match')!;
    if (match.language === 'python' && !isLimitKeyword(match)) return undefined;
    const parts = overFetch(expr);
    if (!parts) return undefined;
    if (match.language === 'go' && !isGoLimitArgument(match, parts.operand)) return undefined;
    const lost = parts.factor === 2 ? 'half' : `${Math.round((1 - 1 / parts.factor) * 100)}%`;
    return {
      args: { expr: expr.text, factor: parts.factor, operand: parts.operand.text, lost },
      data: { operand: parts.operand.text },
    };
  },
  fixes: {
    'use-limit': ({ node }) => {
      const parts = overFetch(node);
      return parts ? [{ start: node.startIndex, end: node.endIndex, newText: parts.operand.text }] : undefined;
    },
  },
});
