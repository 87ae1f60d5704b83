import type { SyntaxNode } from 'tree-sitter';
import type { QueryLanguage } from './languages';
import type { FileContext } from '../model/file-context';

/**
 * The named, shared predicates: what a tree-sitter query cannot express. Queries use them as
 * `(#is? inside-async call)` / `(#is-not? inside-loop match)`, rule code as `ctx.is(name, node)`.
 * Each walks only the ancestors of one node, so the cost per match is the nesting depth.
 */
export type Predicate = (node: SyntaxNode, language: QueryLanguage, file?: FileContext) => boolean;

const FUNCTION_TYPES: Record<QueryLanguage, ReadonlySet<string>> = {
  python: new Set(['function_definition', 'lambda']),
  go: new Set(['function_declaration', 'method_declaration', 'func_literal']),
  typescript: new Set([
    'function_declaration',
    'function_expression',
    'function',
    'arrow_function',
    'method_definition',
    'generator_function_declaration',
    'generator_function',
  ]),
};

const LOOP_TYPES: Record<QueryLanguage, ReadonlySet<string>> = {
  python: new Set([
    'for_statement',
    'while_statement',
    'list_comprehension',
    'set_comprehension',
    'dictionary_comprehension',
    'generator_expression',
  ]),
  go: new Set(['for_statement']),
  typescript: new Set(['for_statement', 'for_in_statement', 'while_statement', 'do_statement']),
};

/** Array methods whose callback runs once per item: their callbacks are loop bodies. */
const ITERATING_METHODS = new Set(['forEach', 'map', 'flatMap', 'filter', 'reduce', 'some', 'every', 'find']);

export function isFunctionNode(node: SyntaxNode, language: QueryLanguage): boolean {
  return FUNCTION_TYPES[language].has(node.type);
}

export function enclosingFunction(node: SyntaxNode, language: QueryLanguage): SyntaxNode | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (FUNCTION_TYPES[language].has(n.type)) return n;
  }
  return undefined;
}

export function isAsyncFunction(fn: SyntaxNode): boolean {
  // `async` is an anonymous token child in the Python and TypeScript grammars.
  for (let i = 0; i < fn.childCount; i++) {
    const c = fn.child(i)!;
    if (c.type === 'async') return true;
    if (c.type === 'def' || c.type === 'function' || c.type === '(' || c.type === 'formal_parameters') break;
  }
  return false;
}

/** `arr.forEach(cb)`, `arr.map(cb)`: the callback of an iterating array method. */
export function isIterationCallback(fn: SyntaxNode): boolean {
  const args = fn.parent;
  if (args?.type !== 'arguments') return false;
  const call = args.parent;
  const callee = call?.childForFieldName('function');
  if (callee?.type !== 'member_expression') return false;
  const prop = callee.childForFieldName('property');
  return prop !== null && ITERATING_METHODS.has(prop.text);
}

/** The loop enclosing a node within its own function (callbacks of array iteration count as loops). */
export function enclosingLoop(node: SyntaxNode, language: QueryLanguage): SyntaxNode | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (LOOP_TYPES[language].has(n.type)) {
      // A Python comprehension's iterable is evaluated once, not per item.
      if (language === 'python' && n.type !== 'for_statement' && n.type !== 'while_statement') {
        const firstFor = n.namedChildren.find((c) => c.type === 'for_in_clause');
        if (firstFor && isWithin(node, firstFor.childForFieldName('right'))) continue;
      }
      if (n.type === 'for_statement' || n.type === 'for_in_statement') {
        // The iterable / condition of a loop runs once; only the body repeats.
        const body = n.childForFieldName('body');
        if (body && !isWithin(node, body)) continue;
      }
      return n;
    }
    if (FUNCTION_TYPES[language].has(n.type)) {
      if (language === 'typescript' && isIterationCallback(n)) return n.parent!.parent!;
      return undefined;
    }
  }
  return undefined;
}

function isWithin(node: SyntaxNode, container: SyntaxNode | null): boolean {
  return container !== null && node.startIndex >= container.startIndex && node.endIndex <= container.endIndex;
}

const PY_ROUTE_DECORATOR = /^@\s*[\w.]*\b(get|post|put|patch|delete|head|options|route|api_route|websocket|api_view|require_http_methods|require_GET|require_POST)\b/;
const GO_HANDLER_PARAM = /(^|[\s*])(http\.ResponseWriter|http\.Request|gin\.Context|echo\.Context|fiber\.Ctx)\b/;
const TS_ROUTE_METHOD = new Set(['get', 'post', 'put', 'patch', 'delete', 'all', 'use', 'head', 'options', 'route']);
const TS_HANDLER_TYPE = /\b(Request|Response|FastifyRequest|FastifyReply|NextRequest|NextApiRequest|NextApiResponse|Context)\b/;
const TS_NEST_DECORATOR = /^@(Get|Post|Put|Patch|Delete|All|Head|Options)\b/;
const TS_NEXT_EXPORT = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** Whether a function node is a request handler, by the conventions of the common web frameworks. */
export function isHandlerFunction(fn: SyntaxNode, language: QueryLanguage): boolean {
  switch (language) {
    case 'python': {
      if (fn.type !== 'function_definition') return false;
      const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : undefined;
      if (decorated) {
        for (const d of decorated.namedChildren) {
          if (d.type === 'decorator' && PY_ROUTE_DECORATOR.test(d.text)) return true;
        }
      }
      // Django and Starlette function views take the request first (after self in class-based views).
      const params = fn.childForFieldName('parameters');
      const named = params?.namedChildren ?? [];
      const first = named[0]?.text === 'self' || named[0]?.text === 'cls' ? named[1] : named[0];
      const firstName = first?.type === 'identifier' ? first.text : first?.childForFieldName('name')?.text ?? first?.namedChildren[0]?.text;
      return firstName === 'request';
    }
    case 'go': {
      const params = fn.childForFieldName('parameters');
      return params !== null && GO_HANDLER_PARAM.test(params.text);
    }
    case 'typescript': {
      const params = fn.childForFieldName('parameters') ?? fn.childForFieldName('parameter');
      // `app.get('/x', async (req, res) => ...)`, `router.post(...)`, `app.use((req, res, next) => ...)`.
      const args = fn.parent;
      if (args?.type === 'arguments') {
        const callee = args.parent?.childForFieldName('function');
        if (callee?.type === 'member_expression') {
          const prop = callee.childForFieldName('property')?.text;
          if (prop && TS_ROUTE_METHOD.has(prop) && isRouteCallback(fn, args, callee, prop, params)) return true;
        }
      }
      if (params) {
        const names = params.namedChildren.map((p) => (p.childForFieldName('pattern') ?? p).text);
        if (names.length >= 2 && /^req(uest)?$/.test(names[0]) && /^(res|response|reply)$/.test(names[1])) return true;
        if (params.namedChildren.some((p) => TS_HANDLER_TYPE.test(p.childForFieldName('type')?.text ?? ''))) return true;
      }
      if (fn.type === 'method_definition') {
        for (let s = fn.previousNamedSibling; s?.type === 'decorator'; s = s.previousNamedSibling) {
          if (TS_NEST_DECORATOR.test(s.text)) return true;
        }
      }
      if (fn.type === 'function_declaration' && fn.parent?.type === 'export_statement') {
        const name = fn.childForFieldName('name')?.text;
        if (name && TS_NEXT_EXPORT.has(name)) return true;
      }
      return false;
    }
  }
}

/**
 * A callback of `.get/.post/.use/…` is a route handler when the call names a route (a path or
 * pattern argument before it, or `.route('/x').get(cb)`), or for `use`, when it takes a request and
 * a next; `cache.get(key, (err, v) => …)` and `session.post('Profiler.stop', cb)` are not routes.
 */
function isRouteCallback(fn: SyntaxNode, args: SyntaxNode, callee: SyntaxNode, prop: string, params: SyntaxNode | null): boolean {
  const names = (params?.namedChildren ?? []).map((p) => (p.childForFieldName('pattern') ?? p).text);
  if (names.length === 0 && fn.childForFieldName('parameter') === null) return false;
  if (/^(err|error|e)$/.test(names[0] ?? '') && !names.some((n) => /^req(uest)?$/.test(n))) return false;
  for (const a of args.namedChildren) {
    if (a.startIndex >= fn.startIndex) break;
    if (a.type === 'regex' || a.type === 'array') return true;
    if ((a.type === 'string' || a.type === 'template_string') && /^.[/*]/.test(a.text)) return true;
    // A path held in a constant (`app.get(ROUTES.users, (req, res) => …)`): only with a request and a response.
    if ((a.type === 'identifier' || a.type === 'member_expression') && names.length >= 2) return true;
  }
  const object = callee.childForFieldName('object');
  if (object?.type === 'call_expression' && object.childForFieldName('function')?.type === 'member_expression') {
    if (object.childForFieldName('function')!.childForFieldName('property')?.text === 'route') return true;
  }
  return prop === 'use' && names.length >= 2;
}

/** Whether any function enclosing the node (the nearest first) is a request handler. */
export function enclosingHandler(node: SyntaxNode, language: QueryLanguage): SyntaxNode | undefined {
  for (let fn = enclosingFunction(node, language); fn; fn = enclosingFunction(fn, language)) {
    if (isHandlerFunction(fn, language)) return fn;
  }
  return undefined;
}

export const PREDICATES: Readonly<Record<string, Predicate>> = {
  'inside-function': (node, lang) => enclosingFunction(node, lang) !== undefined,
  'module-level': (node, lang) => enclosingFunction(node, lang) === undefined,
  'inside-async': (node, lang) => {
    const fn = enclosingFunction(node, lang);
    return fn !== undefined && isAsyncFunction(fn);
  },
  'inside-loop': (node, lang) => enclosingLoop(node, lang) !== undefined,
  'inside-handler': (node, lang) => enclosingHandler(node, lang) !== undefined,
  /** Runs while a request is served: inside an async function or a request handler. */
  'on-request-path': (node, lang) => {
    const fn = enclosingFunction(node, lang);
    return fn !== undefined && (isAsyncFunction(fn) || enclosingHandler(node, lang) !== undefined);
  },
};
