import type { SyntaxNode } from 'tree-sitter';
import type { QueryLanguage } from '../../server/src/engine/languages';
import { isFunctionNode } from '../../server/src/engine/predicates';
import { sameNode, stringLiteral } from '../../server/src/engine/syntax';
import { exprOf, type FileContext } from '../../server/src/model/file-context';
import { decoratorCallee, type ExprRef, type FunctionModel } from '../../server/src/model/file-model';
import { models, type CallableRef, type RoleMarker } from '../../server/src/model/library';

/*
 * Which functions the framework models make middleware or per-request hooks: the `middleware` role
 * markers of models/ (decorators, signatures, class names and bases with their methods, calls such
 * as gin's `c.Next()`, registrations such as `app.use(fn)`, factories whose returned function runs
 * per request), evaluated here on one function.
 *
 * Engine API that would replace this file: FileContext.roleOf ranking middleware markers over
 * handler ones (today the first marker wins, so a gin middleware that calls `c.Next()` is a handler
 * by gin's signature marker and a Nest middleware `use(req, res, next)` a handler by Express's
 * parameter names), checking `methods`, `calls` and `events` with signatures, applying
 * `appliesTo: returned` to named nested functions (Django's `def middleware(request)`), registering
 * zero-parameter hooks by name (`app.before_request(track)`), and reading markers in a snippet that
 * does not import the framework.
 */

type Marker = RoleMarker & { library: string; registration?: RoleMarker['registration'] & { events?: string[] }; signature?: RoleMarker['signature'] & { anyParamName?: string[] } };

export interface MiddlewareOf {
  /** How the marker names the role: "the request hook", "the Nest interceptor". */
  why: string;
  /** How the middleware was told: its own marker, a factory returning it, the call registering it. */
  how: 'own' | 'returned' | 'registered';
  /** For `returned`: the factory's function node; for `registered`: the registration call. */
  via?: SyntaxNode;
  /** For `registered`: the event it is registered for (Fastify `onResponse`). */
  event?: string;
  /** For `own` decorator markers: the decorator's last name (`before_request`). */
  decorator?: string;
}

/** What a function is for the rule: middleware, another role given by a registration (a route), or nothing known. */
export type Verdict = MiddlewareOf | 'other' | undefined;

/** The function nodes `match.file` models, for the model's index of a node. */
export function functionIndex(file: FileContext, fnNode: SyntaxNode): number | undefined {
  return file.functionOf(fnNode);
}

/** The middleware markers of a language. */
function markers(file: FileContext): Marker[] {
  return file.lang.roles.filter((m) => m.role === 'middleware') as Marker[];
}

/** Registration call names of the middleware markers: what a query's fact pattern anchors on. */
export function registrationNames(language: QueryLanguage): string[] {
  const out = new Set<string>();
  for (const m of models().of(language).roles) {
    if (m.role !== 'middleware' || !m.registration?.callee) continue;
    const c = m.registration.callee;
    for (const x of c.members ?? []) out.add(x);
    for (const s of c.symbols ?? []) out.add(s.slice(Math.max(s.lastIndexOf('.'), s.lastIndexOf('/')) + 1));
    const alternatives = /^\^\(?([\w|]+)\)?\$$/.exec(c.namePattern ?? '')?.[1];
    for (const a of alternatives?.split('|') ?? []) out.add(a);
  }
  return [...out].sort();
}

/** Replaces `(#middleware-registration? @cap)` in a query with the names the models register middleware with. */
export function withRegistrationNames(source: string, language: QueryLanguage): string {
  const names = registrationNames(language);
  return source.replace(/\(#middleware-registration\?\s+(@[\w.-]+)\s*\)/g, (_all, cap: string) => `(#any-of? ${cap} ${names.map((n) => JSON.stringify(n)).join(' ')})`);
}

/** Whether a registration call registers middleware: the marker whose callee it is (and, for hooks, whose event it names). */
export function registrationMarker(file: FileContext, call: SyntaxNode, roles: 'middleware' | 'any' = 'any'): { marker: Marker; event?: string } | undefined {
  const callee = call.childForFieldName('function');
  const expr = callee && exprOf(file.language, callee);
  if (!expr) return undefined;
  const first = call.childForFieldName('arguments')?.namedChildren.find((c) => c.type !== 'comment');
  const event = stringLiteral(first);
  let named: { marker: Marker; event?: string } | undefined;
  for (const m of file.lang.roles as Marker[]) {
    if (roles === 'middleware' && m.role !== 'middleware') continue;
    const reg = m.registration;
    if (!reg?.callee || !refMatches(file, expr, reg.callee, call.startIndex)) continue;
    if (reg.events) {
      if (event !== undefined && reg.events.includes(event)) return { marker: m, event };
      named ??= { marker: { ...m, role: 'once' }, event };
      continue;
    }
    return { marker: m };
  }
  // Registered by name for an event no marker runs per request (Fastify `onClose`): not middleware.
  return named;
}

/**
 * Whether a function is middleware by the models' markers. `fnNode` is its node; `chain` its
 * ancestors (nearest first), for the call it may be passed to and the factory that may return it.
 */
export function middlewareOf(file: FileContext, fnNode: SyntaxNode, chain: SyntaxNode[], language: QueryLanguage): Verdict {
  // Passed to a registration: `app.use((req, res, next) => ...)`, `r.Use(func(c *gin.Context) {...})`.
  const call = callTakingFunction(fnNode, chain);
  if (call) {
    const reg = registrationMarker(file, call);
    if (reg) return reg.marker.role === 'middleware' ? { why: reg.marker.why ?? 'the middleware', how: 'registered', via: call, event: reg.event } : 'other';
  }
  const fi = file.functionOf(fnNode);
  if (fi === undefined) return undefined;
  const own = ownMarker(file, fi, fnNode, language);
  if (own) return own;
  // Returned by a factory the markers name (`func(next http.Handler) http.Handler`, Django's `def mw(get_response)`).
  const factory = returnedBy(fnNode, chain, language);
  if (factory) {
    const fo = file.functionOf(factory);
    if (fo !== undefined) {
      for (const m of markers(file)) {
        if (m.appliesTo !== 'returned') continue;
        if (matchesOwn(file, fo, factory, m, language, true)) return { why: m.why ?? 'the middleware', how: 'returned', via: factory };
      }
    }
  }
  return undefined;
}

function ownMarker(file: FileContext, fi: number, fnNode: SyntaxNode, language: QueryLanguage): MiddlewareOf | undefined {
  for (const m of markers(file)) {
    if (m.appliesTo === 'returned') continue;
    if (!matchesOwn(file, fi, fnNode, m, language, false)) continue;
    const fn = file.fn(fi);
    const deco = m.decorator ? fn.decorators.find((d) => refMatches(file, decoratorCallee(d.expr), m.decorator!, d.start)) : undefined;
    const last = deco?.expr.path?.[deco.expr.path.length - 1];
    return { why: m.why ?? 'the middleware', how: 'own', decorator: last };
  }
  return undefined;
}

/** Every condition a marker states holds for the function (registration aside). */
function matchesOwn(file: FileContext, fi: number, fnNode: SyntaxNode, m: Marker, language: QueryLanguage, asFactory: boolean): boolean {
  const fn = file.fn(fi);
  let said = false;
  if (m.decorator) {
    if (!fn.decorators.some((d) => refMatches(file, decoratorCallee(d.expr), m.decorator!, d.start))) return false;
    said = true;
  }
  if (m.methodDecorator && !m.classDecorator) {
    if (!fn.decorators.some((d) => refMatches(file, decoratorCallee(d.expr), m.methodDecorator!, d.start))) return false;
    said = true;
  }
  if (m.signature) {
    if (!matchesSignature(file, fn, m.signature, language)) return false;
    said = true;
  }
  if (m.classNames) {
    if (!fn.className || !m.classNames.some((c) => new RegExp(c).test(fn.className!))) return false;
    said = true;
  }
  if (m.baseClass) {
    const cls = fn.className ? file.model.classes.find((c) => c.name === fn.className) : undefined;
    if (!cls || !cls.bases.some((b) => m.baseClass!.some((want) => baseMatches(file, b, want, cls.start)))) return false;
    said = true;
  }
  if (m.methods && (!fn.className || !m.methods.includes(fn.name))) return false;
  if (m.names) {
    if (fn.anonymous || !m.names.some((p) => new RegExp(p).test(fn.name))) return false;
    said = true;
  }
  if (m.calls) {
    if (!statementCalls(fnNode, language).some((c) => refMatches(file, c.expr, m.calls!, c.at))) return false;
    said = true;
  }
  if (m.registration && !said) return false;
  return said && (asFactory || m.appliesTo === undefined);
}

/** Whether a callee is one of a marker's callables: by resolution, or by its name where nothing resolves. */
export function refMatches(file: FileContext, callee: ExprRef, ref: CallableRef, at: number): boolean {
  const path = callee.path ?? [];
  const last = path[path.length - 1];
  if (!last) return false;
  const r = file.resolver.resolve(callee, at);
  if (r.kind === 'library') {
    if (ref.symbols?.includes(r.qname)) return true;
    const owner = r.qname.slice(0, r.qname.length - last.length - 1);
    if (ref.types?.some((t) => file.lang.isA(owner, t)) && (ref.members?.includes(last) ?? true)) return true;
    if (r.row.effect || r.row.returns || file.lang.symbol(r.qname)) return false;
  }
  if ((r.kind === 'function' || r.kind === 'class') && path.length === 1) return false;
  if (path.length >= 2 && ref.members?.includes(last)) return true;
  if (ref.symbols?.some((s) => s.slice(Math.max(s.lastIndexOf('.'), s.lastIndexOf('/')) + 1) === last) && r.kind !== 'function') return true;
  return ref.namePattern !== undefined && new RegExp(ref.namePattern).test(last);
}

function matchesSignature(file: FileContext, fn: FunctionModel, sig: NonNullable<Marker['signature']>, language: QueryLanguage): boolean {
  const params = language === 'go' && fn.className ? fn.params.slice(1) : fn.params;
  if (sig.params) {
    if (params.length !== sig.params.length) return false;
    for (let i = 0; i < sig.params.length; i++) if (!typeIs(file, params[i].type, sig.params[i], fn.start)) return false;
  }
  if (sig.anyParam && !params.some((p) => sig.anyParam!.some((t) => typeIs(file, p.type, t, fn.start)))) return false;
  if (sig.paramNames) {
    if (params.length < sig.paramNames.length) return false;
    // `_res`: a parameter marked unused is still that parameter.
    for (let i = 0; i < sig.paramNames.length; i++) if (!new RegExp(sig.paramNames[i]).test(params[i].name.replace(/^_+(?=\w)/, ""))) return false;
  }
  if (sig.anyParamName && !params.some((p) => sig.anyParamName!.some((n) => new RegExp(n).test(p.name)))) return false;
  return sig.params !== undefined || sig.anyParam !== undefined || sig.paramNames !== undefined || sig.anyParamName !== undefined;
}

/** Whether a written type (`*http.Request`) is a qualified one (`*net/http.Request`); by `package.Name` where nothing resolves. */
function typeIs(file: FileContext, written: string | undefined, want: string, at: number): boolean {
  if (!written) return false;
  const pointer = want.startsWith('*');
  if (pointer !== written.startsWith('*')) return false;
  const r = file.resolver.resolveType(written, at);
  const target = want.replace(/^\*/, '');
  if (r.kind === 'value') return r.type === target || file.lang.isA(r.type, target);
  if (r.kind === 'class' || !written.includes('.')) return false;
  const [qualifier, name] = written.replace(/^\*/, '').split('.').slice(-2);
  const dot = target.lastIndexOf('.');
  const pkg = target.slice(0, dot).split('/').filter((p) => !/^v\d+$/.test(p)).pop();
  return name === target.slice(dot + 1) && qualifier === pkg?.replace(/^go-/, '');
}

function baseMatches(file: FileContext, base: string[], want: string, at: number): boolean {
  const r = file.resolver.resolve({ kind: 'name', path: base, start: at, end: at }, at);
  if (r.kind === 'library') return r.qname === want || file.lang.isA(r.qname, want);
  return !want.includes('.') && base[base.length - 1] === want;
}

/** The call a function is written as an argument of: `app.use(fn)`, `r.Use(func(...) {...})`. */
export function callTakingFunction(_fnNode: SyntaxNode, chain: SyntaxNode[]): SyntaxNode | undefined {
  let i = 0;
  while (chain[i]?.type === 'parenthesized_expression') i++;
  const args = chain[i];
  const call = chain[i + 1];
  if ((args?.type === 'arguments' || args?.type === 'argument_list') && (call?.type === 'call_expression' || call?.type === 'call')) return call;
  return undefined;
}

/** Calls among a function's statements (and those of a `try` block that is one of them): `next()`, `c.Next()`, `a.next.ServeHTTP(w, r)`. */
function statementCalls(fnNode: SyntaxNode, language: QueryLanguage): { expr: ExprRef; at: number }[] {
  const body = fnNode.childForFieldName('body');
  if (!body) return [];
  const list = body.namedChildren.find((c) => c.type === 'statement_list') ?? body;
  const out: { expr: ExprRef; at: number }[] = [];
  const visit = (stmts: SyntaxNode[]) => {
    for (const s of stmts) {
      if (s.type === 'try_statement') {
        const block = s.childForFieldName('body') ?? s.namedChildren.find((c) => c.type === 'block');
        visit((block?.namedChildren.find((c) => c.type === 'statement_list') ?? block)?.namedChildren ?? []);
        continue;
      }
      let e: SyntaxNode | undefined = s.type === 'expression_statement' || s.type === 'return_statement' ? s.namedChildren[0] : s.type === 'call_expression' ? s : undefined;
      while (e && ['await_expression', 'await', 'unary_expression', 'parenthesized_expression', 'expression_list'].includes(e.type)) e = e.namedChildren[e.namedChildren.length - 1];
      if (e?.type === 'call_expression' || e?.type === 'call') {
        const callee = e.childForFieldName('function');
        const expr = callee && exprOf(language, callee);
        if (expr) out.push({ expr, at: e.startIndex });
      }
    }
  };
  visit(list.namedChildren);
  return out;
}

/** Nodes between a returned function and the function returning it: `return http.HandlerFunc(func(...) {...})`, `=> (req, res) => ...`. */
const RETURN_PATH = new Set(['expression_list', 'return_statement', 'statement_list', 'block', 'statement_block', 'argument_list', 'arguments', 'call_expression', 'parenthesized_expression']);

/**
 * The function that returns this one: a literal returned (through a conversion call such as
 * `http.HandlerFunc(...)`), an arrow's body, or a nested `def` whose name the outer function returns.
 */
export function returnedBy(fnNode: SyntaxNode, chain: SyntaxNode[], language: QueryLanguage): SyntaxNode | undefined {
  let k = 0;
  while (k < chain.length && !isFunctionNode(chain[k], language)) k++;
  const outer = chain[k];
  if (!outer) return undefined;
  const between = chain.slice(0, k);
  if (language === 'python') {
    // def factory(get_response): def middleware(request): ...; return middleware
    if (fnNode.type !== 'function_definition') return undefined;
    const name = fnNode.childForFieldName('name')?.text;
    const body = outer.childForFieldName('body');
    if (!name || !between.every((n) => n.type === 'block' || n.type === 'decorated_definition') || between.length > 2) return undefined;
    return body?.namedChildren.some((s) => s.type === 'return_statement' && s.namedChildren[0]?.text === name) ? outer : undefined;
  }
  if (outer.type === 'arrow_function' && sameNode(outer.childForFieldName('body'), between[0] ?? fnNode)) return outer;
  if (!between.some((n) => n.type === 'return_statement')) return undefined;
  return between.every((n) => RETURN_PATH.has(n.type)) ? outer : undefined;
}
