import type { SyntaxNode } from 'tree-sitter';
import { sameNode } from '../../server/src/engine/syntax';
import { defineRule, type RuleMatch } from '../../server/src/engine/rule-api';
import meta from './rule.json';
import python from './python.scm';
import go from './go.scm';
import typescript from './typescript.scm';
import type { RuleMeta } from '../../server/src/engine/rule-api';
import type { LanguageModels, MemberRow } from '../../server/src/model/library';

type Bound = NonNullable<MemberRow['bound']>;

/** The bounds the models give the rows of a method name (every library's), with the row's effects. */
function boundsOf(models: LanguageModels, method: string): { bound: Bound; limit: boolean }[] {
  const out: { bound: Bound; limit: boolean }[] = [];
  for (const lib of models.libraries) {
    for (const t of lib.file.types ?? []) {
      for (const m of t.members ?? []) {
        if (m.name !== method || !m.bound) continue;
        out.push({ bound: m.bound, limit: m.effect === 'limit' || (m.effects ?? []).includes('limit') });
      }
    }
  }
  return out;
}

/** Keywords that are a page size only for the library that says so (`length=` for Motor's to_list, `size=` for Elasticsearch, `n_results=` for Chroma). */
const LIBRARY_KEYWORDS = new Set(['length', 'size', 'n_results']);

/** Whether the multiplied value is the limit the models say the call takes. */
function isLimitPlace(match: RuleMatch, models: LanguageModels): boolean {
  const kw = match.text('kw');
  const key = match.text('key');
  const method = match.text('method');
  if (kw !== undefined) {
    if (!LIBRARY_KEYWORDS.has(kw)) return true; // limit=, page_size=, per_page=, top_k=, max_results=: generic names
    const callee = match.node('callee');
    const name = (callee?.type === 'attribute' ? callee.childForFieldName('attribute') : callee)?.text ?? '';
    return boundsOf(models, name).some((b) => b.bound.keyword === kw);
  }
  if (key !== undefined) return optionNames(models).has(key);
  if (method === undefined || (['take', 'head', 'top'].includes(method) && boundsOf(models, method).length === 0)) return true; // generic names
  if (match.language === 'go') return true; // judged by isGoLimitArgument
  return boundsOf(models, method).some((b) => b.limit && b.bound.argument === 0);
}

/** The options objects' limit names (`take`, `limit`), from the models' `bound.option`. */
function optionNames(models: LanguageModels): Set<string> {
  const out = new Set<string>();
  for (const lib of models.libraries) for (const t of lib.file.types ?? []) for (const m of t.members ?? []) if (m.bound?.option) out.add(m.bound.option);
  return out;
}

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

/** A count of records is a name, an attribute, a call or a subscript; not a tuple, list or string. */
const LIMIT_OPERAND = new Set(['identifier', 'attribute', 'call', 'subscript', 'selector_expression', 'call_expression', 'member_expression', 'subscript_expression', 'index_expression', 'parenthesized_expression']);

/** A value named like a number of rows: what a multiplied SQL parameter must be to be the limit. */
const LIMIT_LIKE = /(limit|size|count|per_?page|take|top|^n$)/i;

/**
 * Go: `Query(sql, price*2)` multiplies a filter value, not the limit; only the first argument of a
 * limit method (the models' gorm `Limit`; xorm's `Limit(n, offset)` pages with the second) or a
 * limit-like operand counts.
 */
function isGoLimitArgument(match: RuleMatch, expr: SyntaxNode, operand: SyntaxNode, models: LanguageModels): boolean {
  if (boundsOf(models, match.text('method') ?? '').some((b) => b.limit)) return sameNode(expr.parent?.namedChildren.filter((c) => c.type !== 'comment')[0], expr) || LIMIT_LIKE.test(operand.text);
  return LIMIT_LIKE.test(operand.text);
}

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python, go, typescript },
  check(match) {
    const expr = match.node('match')!;
    const models = match.file.lang;
    const sqlParameter = match.props.place === 'sql-parameter';
    if (!sqlParameter && !isLimitPlace(match, models)) return undefined;
    const parts = overFetch(expr);
    if (!parts) return undefined;
    if (match.language === 'go' && !isGoLimitArgument(match, expr, parts.operand, models)) return undefined;
    // A SQL parameter is the limit only when it is named like one (`[q, limit * 2]`, not `[price * 2]`).
    if (sqlParameter && !LIMIT_LIKE.test(parts.operand.text)) return undefined;
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
