import type { SyntaxNode } from 'tree-sitter';
import { defineRule, type CandidateInit, type CheckContext, type ExportInit, type FixTarget, type RuleMatch, type RuleMeta, type TextEditInit, type WorkspaceFindingInit, type WorkspaceView } from '../../server/src/engine/rule-api';
import { pythonArguments, sameNode, stringLiteral } from '../../server/src/engine/syntax';
import { lineStart, indentAt, eol } from '../../server/src/engine/edit-helpers';
import { effectsOf, type MemberRow, type SymbolRow } from '../../server/src/model/library';
import type { Resolved } from '../../server/src/model/resolve';
import meta from './rule.json';
import python from './python.scm';
import go from './go.scm';
import typescript from './typescript.scm';

/**
 * A page size or limit the client chooses, with no maximum on the way to the query. Where the
 * value comes from (a request's parameters, a FastAPI `Query`, a zod field, a DTO, a struct tag)
 * and what caps it (`le=`, `.max()`, `@Max()`, `max=`) is the models'; which names are page sizes,
 * and how a value is followed through the function it is read in, is this rule's judgement.
 */

/** The names a page size goes by. */
const PAGE_NAME = /^(limit|take|page_?size|per_?page|page_?limit|max_?results|(items|results)_?per_?page)$/i;

/**
 * `limit` and `take` also name other things in a request body (a campaign budget's limit, a rate
 * limit): in a declaration (a schema, a DTO, a struct) they are a page size when the same
 * declaration also pages (an offset, a page, a cursor, an order).
 */
const AMBIGUOUS = /^(limit|take)$/i;
const PAGING_SIBLING = /^(offset|skip|page|page_?number|cursor|after|before|since(_?id)?|until|(max|min)_?id|(next_?)?page_?token|next_?token|starting_?after|order_?by|sort(_?by)?)$/i;

/** What a page of results says about itself: a declaration with one of these describes a response, not a request. */
const RESULT_FIELD = /^(total|total_?pages|total_?count|total_?items|count|has_?more|has_?next(_?page)?)$/i;

function pagesBeside(name: string, siblings: Iterable<string>): boolean {
  const list = [...siblings];
  if (list.some((s) => RESULT_FIELD.test(s))) return false;
  if (!AMBIGUOUS.test(name)) return true;
  return list.some((s) => PAGING_SIBLING.test(s));
}

type Row = SymbolRow | MemberRow;

/** The model's row when a resolved name is a value the client sends. */
function requestRow(r: Resolved): Row | undefined {
  return r.kind === 'library' && effectsOf(r.row).includes('request-param') ? r.row : undefined;
}

function clampRow(r: Resolved): boolean {
  return r.kind === 'library' && effectsOf(r.row).includes('clamp');
}

const CALLS = new Set(['call', 'call_expression']);
const FUNCTIONS = new Set(['function_definition', 'function_declaration', 'method_declaration', 'func_literal', 'arrow_function', 'function_expression', 'function', 'method_definition', 'generator_function_declaration', 'lambda']);
/** Where a value is given a name: what is followed next. */
const BINDINGS = new Set(['assignment', 'variable_declarator', 'assignment_expression', 'short_var_declaration', 'assignment_statement', 'var_spec', 'augmented_assignment']);
/** Expressions a value passes through unchanged in size (a conversion's argument, a default, a cast). */
const PASS_THROUGH = new Set(['argument_list', 'arguments', 'parenthesized_expression', 'boolean_operator', 'binary_expression', 'unary_expression', 'as_expression', 'non_null_expression', 'await_expression', 'await', 'type_assertion', 'satisfies_expression', 'expression_list', 'type_conversion_expression', 'conditional_expression', 'ternary_expression']);
/** Names a bound check or the language's minimum can hold (see Binder.noteBound). */
const NAMED = new Set(['identifier', 'attribute', 'member_expression', 'selector_expression', 'call_expression']);

/** How a value the client sends reaches the rest of its function. */
interface Flow {
  /** The names it is held in (a local, `req.PageSize`). */
  names: Set<string>;
  /** The calls it is handed to. */
  calls: SyntaxNode[];
  /** A library call (a query) takes it, or a name the function returns. */
  used: boolean;
  /** `min(...)` or a comparison sits on the way. */
  clamped: boolean;
}

/** A captured key: the string's content, or a whole string literal. */
function keyText(node: SyntaxNode | undefined): string {
  if (!node) return '';
  return /content|fragment/.test(node.type) ? node.text : stringLiteral(node) ?? node.text;
}

/** A value as the function names it: a Go getter and its field are one value (`req.GetPageSize()` is `req.PageSize`). */
function compact(text: string): string {
  return text.replace(/\s+/g, '').replace(/\.Get(\w+)\(\)$/, '.$1');
}

/** The call whose arguments hold `node`, if `node` is (part of) one of them. */
function argumentOf(node: SyntaxNode): SyntaxNode | undefined {
  const p = node.parent;
  if (!p) return undefined;
  const call = p.type === 'keyword_argument' || p.type === 'pair' ? p.parent?.parent : p.parent;
  if ((p.type === 'argument_list' || p.type === 'arguments' || p.type === 'keyword_argument') && call && CALLS.has(call.type)) return call;
  return undefined;
}

const MINIMUM = new Set(['min', 'Math.min']);

/** The name a binding gives its value (the first, for `limit, err := strconv.Atoi(...)`). */
function boundName(binding: SyntaxNode): SyntaxNode | undefined {
  const left = binding.childForFieldName('left') ?? binding.childForFieldName('name');
  if (!left) return undefined;
  if (left.type === 'expression_list' || left.type === 'pattern_list') return left.namedChildren[0];
  return left;
}

/**
 * Follows a value from where it is read up to where it is named, handed to a call, or returned;
 * then each name through the function. Calls of the project are where a bound may sit (followed by
 * the program); a library call that takes it is the query, or a conversion (`int()`, `Number()`,
 * `strconv.Atoi`) whose result goes on.
 */
function follow(start: SyntaxNode, fn: SyntaxNode | undefined, ctx: CheckContext, initial: string[] = []): Flow {
  const flow: Flow = { names: new Set(initial), calls: [], used: false, clamped: false };
  const climb = (from: SyntaxNode) => {
    let n = from;
    // Through a library call (a conversion, a query): where its result goes decides.
    let throughCall = false;
    for (let depth = 0; depth < 12; depth++) {
      const p = n.parent;
      if (!p || sameNode(p, fn)) {
        flow.used ||= throughCall;
        return;
      }
      const call = argumentOf(n) ?? (p.type === 'keyword_argument' ? argumentOf(p) : undefined);
      if (call) {
        const callee = call.childForFieldName('function');
        if (callee && MINIMUM.has(compact(callee.text))) {
          flow.clamped = true;
          return;
        }
        const r = ctx.file.resolveCallee(call);
        if (r.kind === 'library' && clampRow(r)) {
          flow.clamped = true;
          return;
        }
        // The project's function may bound it (the program follows it); an unmodelled package's
        // (`strconv.Atoi`) looks the same from here. Either way its result may carry the value on:
        // a conversion, a parser, or the query itself.
        if (r.kind === 'function' || r.kind === 'class' || r.kind === 'import') flow.calls.push(call);
        throughCall = true;
        n = call;
        continue;
      }
      if (BINDINGS.has(p.type)) {
        const value = p.childForFieldName('right') ?? p.childForFieldName('value');
        const name = boundName(p);
        if (value && name && value.startIndex <= n.startIndex && n.endIndex <= value.endIndex && NAMED.has(name.type)) flow.names.add(compact(name.text));
        return;
      }
      if (p.type === 'return_statement') {
        flow.used = true;
        return;
      }
      if (p.type === 'comparison_operator') {
        flow.clamped = true;
        return;
      }
      if (PASS_THROUGH.has(p.type) || p.type === 'pair' || p.type === 'keyword_argument' || p.type === 'object' || p.type === 'dictionary') {
        n = p;
        continue;
      }
      if (p.type === 'attribute' || p.type === 'member_expression' || p.type === 'selector_expression' || p.type === 'subscript' || p.type === 'subscript_expression' || p.type === 'slice') {
        // A method called on it, or indexing with it: used as it is.
        flow.used = true;
        return;
      }
      flow.used ||= throughCall;
      return;
    }
  };
  climb(start);
  if (!fn) return flow;
  // Each name, through the rest of the function (a name found late is followed too).
  const done = new Set<string>();
  for (let round = 0; round < 4; round++) {
    const todo = [...flow.names].filter((x) => !done.has(x));
    if (todo.length === 0) break;
    for (const x of todo) done.add(x);
    forEachNamed(fn, (node) => {
      if (!todo.includes(compact(node.text)) || node.startIndex < start.endIndex) return;
      climb(node);
    });
  }
  return flow;
}

/** Calls `visit` for every node of a function's body a name can be (not its parameters, not nested functions). */
function forEachNamed(fn: SyntaxNode, visit: (n: SyntaxNode) => void): void {
  const body = fn.childForFieldName('body') ?? fn;
  const walk = (n: SyntaxNode) => {
    if (!sameNode(n, body) && FUNCTIONS.has(n.type)) return;
    if (NAMED.has(n.type)) {
      // A binding's own name, a keyword's (`f(limit=5)`) or an attribute's (`self.limit`) is not a use of it.
      const p = n.parent;
      const at = (field: string) => p?.childForFieldName(field)?.startIndex === n.startIndex;
      const own = p && ((BINDINGS.has(p.type) && boundName(p)?.startIndex === n.startIndex) || (p.type === 'keyword_argument' && at('name')) || (p.type === 'attribute' && at('attribute')));
      if (!own) visit(n);
    }
    for (const c of n.namedChildren) walk(c);
  };
  walk(body);
}

function enclosingFunction(node: SyntaxNode): SyntaxNode | undefined {
  for (let p = node.parent; p; p = p.parent) if (FUNCTIONS.has(p.type)) return p;
  return undefined;
}

/** Whether the function checks one of the names against a bound (`if limit > MAX`, `min(limit, 100)`). */
function boundedIn(fn: SyntaxNode | undefined, names: Iterable<string>, ctx: CheckContext): boolean {
  if (!fn) return false;
  const i = ctx.file.functionOf(fn);
  const bounded = i === undefined ? undefined : ctx.file.fn(i).bounded?.map(compact);
  if (!bounded) return false;
  for (const n of names) if (bounded.includes(n)) return true;
  return false;
}

interface Found {
  node: SyntaxNode;
  expr: string;
  param: string;
  advice: string;
  data?: Record<string, string | number>;
}

/** A value read in a function: reported unless bounded there, or by the project functions it is handed to. */
function judgeFlow(found: Found, source: SyntaxNode, ctx: CheckContext, initial: string[] = []): CandidateInit | undefined {
  const fn = enclosingFunction(source);
  const flow = follow(source, fn, ctx, initial);
  if (flow.clamped || boundedIn(fn, flow.names, ctx)) return undefined;
  if (!flow.used && flow.calls.length === 0) return undefined; // never reaches a query
  return {
    node: found.node,
    args: { expr: found.expr, param: found.param, advice: found.advice },
    ...(found.data ? { data: found.data } : {}),
    ...(flow.calls.length > 0 ? { unlessThrough: { calls: flow.calls, needs: ['clamp'] } } : {}),
  };
}

function declared(found: Found): CandidateInit {
  return { node: found.node, args: { expr: found.expr, param: found.param, advice: found.advice }, ...(found.data ? { data: found.data } : {}) };
}

function short(text: string, max = 60): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

const CAP: Record<'python' | 'typescript' | 'go', (name: string, max: number) => string> = {
  python: (name, max) => `Cap it where it is read: \`${name} = min(${name}, ${max})\`, or declare it with a maximum.`,
  typescript: (name, max) => `Cap it where it is read: \`Math.min(${name}, ${max})\`, or validate it with a maximum.`,
  go: (name, max) => `Cap it where it is read: \`${name} = min(${name}, ${max})\`.`,
};

// ---------------------------------------------------------------------------------------------
// Python

function checkPython(match: RuleMatch, ctx: CheckContext): CandidateInit | undefined {
  const max = ctx.config.thresholds.maxPageSize;
  switch (match.props.form) {
    case 'param': {
      const param = match.node('match')!;
      const fn = param.parent?.parent;
      if (!fn || fn.type !== 'function_definition') return undefined;
      // A route's parameters are the query string in FastAPI (other frameworks pass path values).
      if (ctx.file.roleOf(fn)?.role !== 'handler' || !ctx.file.usesLibrary('fastapi')) return undefined;
      const name = match.text('name')!;
      const value = match.node('value')!;
      const type = param.childForFieldName('type');
      // `Annotated[int, Query(le=100)]`, `= Query(50, le=100)`: a maximum the models name.
      for (const decl of [value, ...(type ? callsIn(type) : [])]) {
        if (decl.type !== 'call') continue;
        const row = requestRow(ctx.file.resolveCallee(decl));
        if (!row) continue;
        if (row.bound?.maximum?.some((k) => pythonArguments(decl).keywords.has(k))) return undefined;
      }
      const declaredByQuery = value.type === 'call' && !!requestRow(ctx.file.resolveCallee(value));
      if (!declaredByQuery && !(value.type === 'integer' || value.type === 'none')) return undefined;
      const found: Found = {
        node: match.node('name')!,
        expr: short(param.text),
        param: `${name}`,
        advice: declaredByQuery ? `Give it a maximum: \`Query(..., le=${max})\`.` : `Declare it with a maximum: \`${name}: int = Query(${value.text}, ge=1, le=${max})\`.`,
        ...(declaredByQuery ? { data: { fix: 'keyword', keyword: 'le', at: value.endIndex - 1 - match.node('name')!.startIndex } } : {}),
      };
      return judgeFlow(found, match.node('name')!, ctx, [name]);
    }
    case 'get': {
      if (!requestRow(ctx.file.resolve(match.node('recv')!))) return undefined;
      const key = keyText(match.node('key'));
      const call = match.node('match')!;
      const found: Found = { node: call, expr: short(call.text), param: `${key}`, advice: CAP.python(key, ctx.config.thresholds.maxPageSize) };
      return judgeFlow(found, call, ctx);
    }
    case 'attribute':
      return pythonAttribute(match, ctx);
  }
  return undefined;
}

function callsIn(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const walk = (n: SyntaxNode) => {
    if (n.type === 'call') out.push(n);
    for (const c of n.namedChildren) walk(c);
  };
  walk(node);
  return out;
}

/** A class attribute: a pagination class that lets the client choose. */
function pythonAttribute(match: RuleMatch, ctx: CheckContext): CandidateInit | undefined {
  const name = match.text('name')!;
  const value = match.node('value')!;
  const assignment = match.node('match')!;
  const max = ctx.config.thresholds.maxPageSize;
  if (value.type === 'none') return undefined;
  // `page_size_query_param = "page_size"` in a class whose base the models know: the base's row says what caps it.
  const cls = assignment.parent?.parent?.parent;
  if (cls?.type !== 'class_definition') return undefined;
  const row = baseMember(cls, name, ctx);
  if (!row || !effectsOf(row).includes('request-param') || !row.bound?.maximum) return undefined;
  const attributes = classAttributes(cls);
  if (row.bound.maximum.some((m) => attributes.has(m) && attributes.get(m)!.type !== 'none')) return undefined;
  const query = stringLiteral(value) ?? name;
  return declared({
    node: assignment,
    expr: short(assignment.text),
    param: `${query}`,
    advice: `Set \`${row.bound.maximum[0]} = ${max}\` on the class.`,
    data: { fix: 'attribute', attribute: row.bound.maximum[0] },
  });
}

function baseMember(cls: SyntaxNode, name: string, ctx: CheckContext): MemberRow | undefined {
  const bases = cls.childForFieldName('superclasses')?.namedChildren ?? [];
  for (const b of bases) {
    const r = ctx.file.resolve(b);
    const type = r.kind === 'library' ? (r.row as SymbolRow).returns ?? r.qname : r.kind === 'value' ? r.type : undefined;
    if (!type) continue;
    const m = ctx.file.lang.member(type, name);
    if (m) return m.row;
  }
  return undefined;
}

function classAttributes(cls: SyntaxNode): Map<string, SyntaxNode> {
  const out = new Map<string, SyntaxNode>();
  for (const st of cls.childForFieldName('body')?.namedChildren ?? []) {
    const a = st.type === 'expression_statement' ? st.namedChildren[0] : undefined;
    const left = a?.type === 'assignment' ? a.childForFieldName('left') : undefined;
    const right = a?.childForFieldName('right');
    if (left?.type === 'identifier' && right) out.set(left.text, right);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// TypeScript / JavaScript

function checkTypeScript(match: RuleMatch, ctx: CheckContext): CandidateInit | undefined {
  const max = ctx.config.thresholds.maxPageSize;
  switch (match.props.form) {
    case 'schema-field': {
      // `pageSize: z.coerce.number().int().positive()`: the chain's methods, down to where it starts.
      const methods: string[] = [];
      let n: SyntaxNode | undefined = match.node('value')!;
      let start: SyntaxNode | undefined;
      while (n?.type === 'call_expression') {
        const f: SyntaxNode | null = n.childForFieldName('function');
        const obj: SyntaxNode | null | undefined = f?.type === 'member_expression' ? f.childForFieldName('object') : undefined;
        if (obj?.type === 'call_expression') {
          methods.push(f!.childForFieldName('property')?.text ?? '');
          n = obj;
        } else {
          start = n;
          n = undefined;
        }
      }
      if (!start) return undefined;
      const row = requestRow(ctx.file.resolveCallee(start));
      if (!row?.bound?.maximum || methods.some((m) => row.bound!.maximum!.includes(m))) return undefined;
      const name = match.text('name')!;
      const pair = match.node('match')!;
      const siblings = (pair.parent?.namedChildren ?? []).map((c) => (c.type === 'pair' ? c.childForFieldName('key')?.text ?? '' : c.type === 'shorthand_property_identifier' ? c.text : ''));
      if (!pagesBeside(name, siblings)) return undefined;
      return declared({
        node: match.node('name')!,
        expr: short(pair.text),
        param: `${name}`,
        advice: `Give it a maximum: \`.${row.bound.maximum[0]}(${max})\`.`,
        data: { fix: 'method', method: row.bound.maximum[0], at: start.endIndex - match.node('name')!.startIndex },
      });
    }
    case 'member': {
      if (!requestRow(ctx.file.resolve(match.node('recv')!))) return undefined;
      const node = match.node('match')!;
      const key = match.text('name') ?? keyText(match.node('key'));
      return judgeFlow({ node, expr: short(node.text), param: `${key}`, advice: CAP.typescript(key, max) }, node, ctx);
    }
    case 'destructure': {
      if (!requestRow(ctx.file.resolve(match.node('recv')!))) return undefined;
      // The property this match is for: `limit`, `limit = 20`, or `limit: raw` (the local is `raw`).
      const prop = match.node('prop')!;
      const entry = prop.parent?.type === 'object_pattern' ? prop : prop.parent!;
      const local = entry.type === 'pair_pattern' ? entry.childForFieldName('value') : prop;
      if (!local || (local.type !== 'identifier' && local.type !== 'shorthand_property_identifier_pattern')) return undefined;
      const found: Found = { node: entry, expr: short(match.node('match')!.text), param: `?${prop.text}`, advice: CAP.typescript(local.text, max) };
      return judgeFlow(found, match.node('match')!, ctx, [local.text]);
    }
    case 'param-decorator': {
      if (!requestRow(ctx.file.resolveCallee(match.node('dec')!))) return undefined;
      const name = match.node('name')!;
      const key = keyText(match.node('key')) || name.text;
      return judgeFlow({ node: match.node('match')!, expr: short(match.node('match')!.text), param: `?${key}`, advice: CAP.typescript(name.text, max) }, name, ctx, [name.text]);
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Go

function checkGo(match: RuleMatch, ctx: CheckContext): CandidateInit | undefined {
  const max = ctx.config.thresholds.maxPageSize;
  switch (match.props.form) {
    case 'get': {
      const call = match.node('match')!;
      if (!requestRow(ctx.file.resolveCallee(call))) return undefined;
      const key = keyText(match.node('key'));
      return judgeFlow({ node: call, expr: short(call.text), param: `${key}`, advice: CAP.go(key, max) }, call, ctx);
    }
    case 'message-field': {
      // `req.PageSize` of a handler's request message (a gRPC/Connect method).
      const sel = match.node('match')!;
      const fn = enclosingFunction(sel);
      if (!fn || (fn.type !== 'method_declaration' && fn.type !== 'function_declaration')) return undefined;
      const recv = match.text('recv')!;
      const params = fn.childForFieldName('parameters')?.namedChildren ?? [];
      const param = params.find((p) => p.childForFieldName('name')?.text === recv);
      const type = param?.childForFieldName('type')?.text ?? '';
      if (!/^\*?[\w.]*(Request|Req)$/.test(type)) return undefined;
      if (ctx.file.roleOf(fn)?.role !== 'handler') return undefined;
      // Node objects are not unique: compare places, not identities.
      const getter = sel.parent?.type === 'call_expression' && sameNode(sel.parent.childForFieldName('function'), sel) ? sel.parent : undefined;
      const node = getter ?? sel;
      // The first read of it in the function is the one reported.
      const first = firstRead(fn, compact(node.text));
      if (first && first.startIndex !== node.startIndex) return undefined;
      const field = match.text('name')!.replace(/^Get/, '');
      return judgeFlow({ node, expr: short(node.text), param: snake(field), advice: CAP.go(compact(node.text), max) }, node, ctx, [compact(node.text)]);
    }
    case 'tag':
      return goTag(match, ctx);
  }
  return undefined;
}

function firstRead(fn: SyntaxNode, text: string): SyntaxNode | undefined {
  let first: SyntaxNode | undefined;
  forEachNamed(fn, (n) => {
    if (!first && compact(n.text) === text) first = n;
  });
  return first;
}

function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** `Limit int `form:"limit" binding:"min=1"``: a request field, with the rules its validation tags give. */
function goTag(match: RuleMatch, ctx: CheckContext): CandidateInit | undefined {
  const tag = match.node('tag')!;
  const tags = parseTags(tag.text.slice(1, -1));
  const known = ctx.file.lang.structTags;
  const name = match.text('name')!;
  let param: string | undefined;
  for (const t of known) {
    const v = tags.get(t.tag);
    if (v !== undefined && t.effect === 'request-param' && PAGE_NAME.test(v.split(',')[0])) param = v.split(',')[0];
  }
  const validation = known.filter((t) => t.effect === 'clamp' && tags.has(t.tag));
  // A field no request binds (`json:"limit"` alone) is a request field only when it is validated.
  if (!param && !(PAGE_NAME.test(name) && validation.length > 0)) return undefined;
  const siblings = (match.node('match')!.parent?.namedChildren ?? []).flatMap((f) => {
    const t = f.childForFieldName('tag');
    return [f.childForFieldName('name')?.text ?? '', ...(t ? [...parseTags(t.text.slice(1, -1)).values()].map((v) => v.split(',')[0]) : [])];
  });
  if (!pagesBeside(param ?? name, siblings)) return undefined;
  for (const v of validation) {
    // A tag that is a maximum by being there (huma's `maximum:"100"`), or one whose rules include one (`binding:"max=100"`).
    if (!v.bound?.maximum) return undefined;
    const rules = tags.get(v.tag)!.split(',').map((r) => r.split('=')[0].trim());
    if (rules.some((r) => v.bound?.maximum?.includes(r))) return undefined;
  }
  const max = ctx.config.thresholds.maxPageSize;
  const rule = validation.find((v) => v.bound?.maximum);
  return declared({
    node: match.node('name')!,
    expr: short(match.node('match')!.text),
    param: `${param ?? snake(name)}`,
    advice: rule ? `Give it a maximum: \`${rule.tag}:"${tags.get(rule.tag)},max=${max}"\`.` : `Validate it with a maximum (\`binding:"min=1,max=${max}"\`), or cap it where it is read.`,
    ...(rule ? { data: { fix: 'tag', tag: rule.tag } } : {}),
  });
}

/** Go struct tag `key:"value" key2:"value2"`. */
function parseTags(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/(\w+):"((?:[^"\\]|\\.)*)"/g)) out.set(m[1], m[2]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Across files: a model a FastAPI route builds from its query (`q: PaginationQuery = Depends()`),
// whose page-size field has no maximum. The model is usually declared in another module.

/** A field's type that holds a number (`int`, `int | None`, `Optional[int]`, `conint(ge=1)`). */
const INT_TYPE = /^(Optional\[\s*(int|PositiveInt|NonNegativeInt)\s*\]|(int|PositiveInt|NonNegativeInt)(\s*\|\s*None)?|conint\(.*\))$/s;

function exportsOf(match: RuleMatch, ctx: CheckContext): ExportInit[] | undefined {
  if (match.language === 'typescript') return typeScriptExports(match, ctx);
  if (match.language !== 'python') return undefined;
  if (match.props.export === 'page-size-base') return [{ name: 'page-size-base', node: match.node('declaration')!, data: { class: match.text('class')!, base: match.text('base')! } }];
  if (match.props.export === 'page-size-field') {
    const field = match.node('field')!;
    const type = match.node('type')!.text.trim();
    if (!INT_TYPE.test(type)) return undefined;
    // A maximum in the type (`conint(le=100)`) or in the default (`Field(50, le=100)`).
    const value = field.childForFieldName('right');
    const maximum = [field.childForFieldName('type'), value].some((n) => n && callsIn(n).some((c) => /\b(le|lt)\s*=/.test(c.childForFieldName('arguments')?.text ?? '')));
    if (maximum) return undefined;
    return [{ name: 'page-size-field', node: field, data: { class: match.text('class')!, field: match.text('name')!, text: short(field.text) } }];
  }
  if (match.props.export === 'page-size-dependency') {
    const param = match.node('param')!;
    const fn = param.parent?.parent;
    if (fn?.type !== 'function_definition' || ctx.file.roleOf(fn)?.role !== 'handler' || !ctx.file.usesLibrary('fastapi')) return undefined;
    // `Depends(PaginationQuery)`, or `Depends()` with the class as the annotation.
    const arg = match.node('value')!.childForFieldName('arguments')?.namedChildren[0];
    const cls = arg ? (arg.type === 'identifier' ? arg.text : undefined) : match.text('type')!.trim();
    if (!cls || !/^[A-Z]\w*$/.test(cls)) return undefined;
    return [{ name: 'page-size-dependency', node: param, data: { class: cls, route: fn.childForFieldName('name')?.text ?? '' } }];
  }
  return undefined;
}

/** A DTO's page-size property, the routes that take a class from their request, and classes' bases (see typescript.scm). */
function typeScriptExports(match: RuleMatch, ctx: CheckContext): ExportInit[] | undefined {
  switch (match.props.export) {
    case 'page-size-field': {
      const field = match.node('field')!;
      const decorators = field.namedChildren.filter((c) => c.type === 'decorator');
      let declaredBy: Row | undefined;
      for (const d of decorators) {
        const call = d.namedChildren[0];
        if (call?.type !== 'call_expression') continue;
        const r = ctx.file.resolveCallee(call);
        if (clampRow(r)) return undefined;
        declaredBy ??= requestRow(r);
      }
      if (!declaredBy?.bound?.maximum) return undefined;
      const name = match.text('name')!;
      const siblings = (field.parent?.namedChildren ?? []).map((c) => c.childForFieldName('name')?.text ?? '');
      if (!pagesBeside(name, siblings)) return undefined;
      const max = ctx.config.thresholds.maxPageSize;
      return [{ name: 'page-size-field', node: match.node('name')!, data: { class: match.text('class')!, field: name, text: short(field.text), fix: `\`@${declaredBy.bound.maximum[0]}(${max})\`` } }];
    }
    case 'page-size-dependency': {
      const param = match.node('param')!;
      const call = param.namedChildren.find((c) => c.type === 'decorator')?.namedChildren[0];
      if (call?.type !== 'call_expression' || !requestRow(ctx.file.resolveCallee(call))) return undefined;
      const method = param.parent?.parent;
      if (method?.type !== 'method_definition' || ctx.file.roleOf(method)?.role !== 'handler') return undefined;
      return [{ name: 'page-size-dependency', node: param, data: { class: match.text('type')!, route: method.childForFieldName('name')?.text ?? '', from: 'request' } }];
    }
    case 'page-size-base': {
      // `extends PaginationArgs`, or a mapped type's argument (`extends PartialType(ListQuery)`).
      const base = match.node('base')!;
      const name = base.type === 'identifier' ? base.text : base.type === 'call_expression' ? base.childForFieldName('arguments')?.namedChildren.find((a) => a.type === 'identifier')?.text : undefined;
      return name ? [{ name: 'page-size-base', node: match.node('declaration')!, data: { class: match.text('class')!, base: name } }] : undefined;
    }
  }
  return undefined;
}

function workspace(ws: WorkspaceView): WorkspaceFindingInit[] {
  const routes = new Map<string, ReturnType<WorkspaceView['exports']>[number][]>();
  const bases = new Map<string, string>();
  for (const b of ws.exports('page-size-base')) bases.set(`${ws.projectOf(b.file)}\0${b.data.class}`, String(b.data.base));
  for (const d of ws.exports('page-size-dependency')) {
    // A route that takes a class takes the fields of its bases too.
    const project = ws.projectOf(d.file);
    const seen = new Set<string>();
    for (let cls: string | undefined = String(d.data.class); cls !== undefined && !seen.has(cls) && seen.size < 8; cls = bases.get(`${project}\0${cls}`)) {
      seen.add(cls);
      const key = `${project}\0${cls}`;
      routes.set(key, [...(routes.get(key) ?? []), d]);
    }
  }
  const out: WorkspaceFindingInit[] = [];
  for (const f of ws.exports('page-size-field')) {
    const using = routes.get(`${ws.projectOf(f.file)}\0${f.data.class}`);
    if (!using) continue;
    const names = [...new Set(using.map((u) => `\`${u.data.route}\``))];
    const message = (meta as RuleMeta).message
      .replace('{expr}', String(f.data.text))
      .replace('{param}', `?${f.data.field}`)
      .replace('{advice}', `\`${f.data.class}\` is built from the ${using[0].data.from ?? 'query'} of ${names.length} route${names.length === 1 ? '' : 's'} (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}). Give the field a maximum: ${f.data.fix ?? '`Field(..., le=100)`'}.`);
    out.push({ at: f, message, related: using.slice(0, 5).map((u) => ({ at: u, message: `\`${u.data.route}\` takes \`${u.data.class}\` from its ${u.data.from ?? 'query'}` })) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The fix: a maximum where the value is declared.

function addMaximum(target: FixTarget): TextEditInit[] | undefined {
  const { node, data, text, config } = target;
  const max = config.thresholds.maxPageSize;
  switch (data.fix) {
    case 'keyword': {
      // `Query(50, ge=1)` → `Query(50, ge=1, le=100)`; the closing parenthesis is at `at`.
      const at = node.startIndex + Number(data.at);
      if (text[at] !== ')') return undefined;
      const inner = text.slice(text.lastIndexOf('(', at) + 1, at).trim();
      const sep = inner.length === 0 || text.slice(0, at).trimEnd().endsWith('(') ? '' : text.slice(0, at).trimEnd().endsWith(',') ? ' ' : ', ';
      return [{ start: at, end: at, newText: `${sep}${data.keyword}=${max}` }];
    }
    case 'method': {
      const at = node.startIndex + Number(data.at);
      return [{ start: at, end: at, newText: `.${data.method}(${max})` }];
    }
    case 'attribute': {
      // A line after the assignment, at its indentation.
      const stmt = node.parent?.type === 'expression_statement' ? node.parent : node;
      const ls = lineStart(text, stmt.startIndex);
      const end = text.indexOf('\n', stmt.endIndex);
      const at = end < 0 ? text.length : end;
      return [{ start: at, end: at, newText: `${eol(text)}${indentAt(text, ls)}${data.attribute} = ${max}` }];
    }
    case 'tag': {
      const field = node.parent;
      const tag = field?.childForFieldName('tag');
      if (!tag) return undefined;
      const m = new RegExp(`${data.tag}:"([^"]*)"`).exec(tag.text);
      if (!m) return undefined;
      const at = tag.startIndex + m.index + data.tag.toString().length + 2 + m[1].length;
      return [{ start: at, end: at, newText: `${m[1].length > 0 ? ',' : ''}max=${max}` }];
    }
  }
  return undefined;
}

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python, go, typescript },
  check(match, ctx) {
    switch (match.language) {
      case 'python':
        return checkPython(match, ctx);
      case 'typescript':
        return checkTypeScript(match, ctx);
      case 'go':
        return checkGo(match, ctx);
    }
  },
  fixes: { 'add-maximum': addMaximum },
  exports: exportsOf,
  workspace,
});
