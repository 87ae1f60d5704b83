import type { SyntaxNode, Tree } from 'tree-sitter';
import {
  defineRule,
  type CandidateInit,
  type FactInit,
  type FactRef,
  type FixTarget,
  type RuleMatch,
  type RuleMeta,
  type TextEditInit,
} from '../../server/src/engine/rule-api';
import { enclosingFunction, enclosingLoop, isAsyncFunction, isHandlerFunction } from '../../server/src/engine/predicates';
import { calleeName, isIife, isLiteralCollection, jsArguments, jsFunctionName, objectProperties, pythonNameBoundToLiteral, sameNode, stringLiteral } from '../../server/src/engine/syntax';
import { ensurePythonImport, eol, indentAt, lineStart, nextLineStart } from '../../server/src/engine/edit-helpers';
import type { FileContext } from '../../server/src/model/file-context';
import meta from './rule.json';
import python from './python.scm';
import go from './go.scm';
import typescript from './typescript.scm';

const SMTP_CLASSES = ['SMTP', 'SMTP_SSL'] as const;
const ROUND_TRIP = 'the whole SMTP exchange (connect, TLS, auth, send: 100 ms to several seconds)';

/** A loop header that repeats the same send on failure, not once per item: `for attempt in range(3)`. */
const RETRY = /[Aa]ttempt|[Rr]etr(?:y|ies)|(?:^|[^A-Za-z])tries|Tries|RETR|ATTEMPT|TRIES/;

/** `smtplib.SMTP(...)` for messages: the callee and an elided argument list. */
function shortCall(call: SyntaxNode): string {
  const callee = call.childForFieldName('function');
  return `${callee?.text ?? 'call'}(...)`;
}

// ---------------------------------------------------------------------------------------------
// Python

/** Celery, RQ, Dramatiq, Huey: a task runs in a worker process, off the request path. */
const PY_TASK_DECORATOR = /^@\s*(?:[\w.]+\.)?(?:task|shared_task|periodic_task|db_task|job|actor)\b/;
/** FastAPI's route decorators (Flask's `route` has no BackgroundTasks). */
const PY_FASTAPI_ROUTE = /^@\s*[\w.]+\.(?:get|post|put|patch|delete|api_route)\s*\(/;
/** Builtins and constructors that are never a mail helper: no candidates for them. */
const PY_NOT_HELPERS = new Set([
  'print', 'len', 'str', 'int', 'float', 'bool', 'dict', 'list', 'set', 'tuple', 'range', 'enumerate', 'zip',
  'isinstance', 'getattr', 'setattr', 'hasattr', 'min', 'max', 'sum', 'sorted', 'any', 'all', 'open', 'super',
  'map', 'filter', 'repr', 'type', 'format', 'round', 'abs', 'iter', 'next', 'id', 'hash', 'vars',
]);

function pyDecorators(fn: SyntaxNode): SyntaxNode[] {
  const d = fn.parent?.type === 'decorated_definition' ? fn.parent : undefined;
  return d ? d.namedChildren.filter((c) => c.type === 'decorator') : [];
}

function pyIsTask(fn: SyntaxNode): boolean {
  return pyDecorators(fn).some((d) => PY_TASK_DECORATOR.test(d.text));
}

function pyIsMethod(fn: SyntaxNode): boolean {
  const container = fn.parent?.type === 'decorated_definition' ? fn.parent.parent : fn.parent;
  return container?.type === 'block' && container.parent?.type === 'class_definition';
}

/** The class a node is inside of (the nearest), for `self.method(...)` calls. */
function pyEnclosingClass(node: SyntaxNode): string | undefined {
  for (let n = node.parent; n; n = n.parent) if (n.type === 'class_definition') return n.childForFieldName('name')?.text;
  return undefined;
}

/** The name a helper is called by: `send` for a function, `Mailer.send` for a method (`self.send(...)` in `Mailer`). */
function pyHelperKey(fn: SyntaxNode): string | undefined {
  const name = fn.childForFieldName('name')?.text;
  if (!name || !pyIsMethod(fn)) return name;
  const cls = pyEnclosingClass(fn);
  return cls && `${cls}.${name}`;
}

function pyParamName(p: SyntaxNode | undefined): string | undefined {
  if (!p) return undefined;
  if (p.type === 'identifier') return p.text;
  const named = p.childForFieldName('name') ?? p.namedChildren[0];
  return named?.type === 'identifier' ? named.text : undefined;
}

/** A route handler, or a class-based view method `def post(self, request, ...)` (Django, DRF). */
function pyIsHandler(fn: SyntaxNode, file: FileContext): boolean {
  if (isHandlerFunction(fn, 'python', file)) return true;
  if (!pyIsMethod(fn)) return false;
  const params = fn.childForFieldName('parameters')?.namedChildren ?? [];
  return pyParamName(params[1]) === 'request';
}

/**
 * The loop that makes a node run once per item, within its own function. Retry loops
 * (`for attempt in range(3)`, `for _ in range(3)`) and consumer loops (`while True:`) repeat the
 * same send, not one per item.
 */
function pyPerItemLoop(node: SyntaxNode): SyntaxNode | undefined {
  for (let l = enclosingLoop(node, 'python'); l; l = enclosingLoop(l, 'python')) {
    if (l.type === 'while_statement') {
      const cond = l.childForFieldName('condition');
      if (!cond || /^(True|1)$/.test(cond.text) || RETRY.test(cond.text)) continue;
      return l;
    }
    if (l.type === 'for_statement') {
      const left = l.childForFieldName('left');
      const right = l.childForFieldName('right');
      if (RETRY.test(left?.text ?? '') || RETRY.test(right?.text ?? '')) continue;
      if (left?.text === '_' && /^range\(\s*\d+\s*\)$/.test(right?.text ?? '')) continue;
      // A fixed set written in the code (`for mech in ("PLAIN", "LOGIN")`), not per user or record.
      if (isLiteralCollection(right)) continue;
      if (right?.type === 'identifier' && l.parent?.type === 'block' && pythonNameBoundToLiteral(right.text, l.parent, l)) continue;
      return l;
    }
    return l; // a comprehension
  }
  return undefined;
}

type PyPlace = { kind: 'async' | 'handler' | 'loop'; fn: SyntaxNode; name: string };

/** What the rule needs to know of a Python function; computed once per function and tree. */
interface PyFnInfo {
  /** Off the request path: a lambda or a task. */
  skip: boolean;
  async: boolean;
  handler: boolean;
  name: string;
}

const pyFnCache = new WeakMap<Tree, Map<number, PyFnInfo>>();

function pyFnInfo(fn: SyntaxNode, file: FileContext): PyFnInfo {
  let perTree = pyFnCache.get(fn.tree);
  if (!perTree) pyFnCache.set(fn.tree, (perTree = new Map()));
  const at = fn.startIndex;
  let info = perTree.get(at);
  if (!info) {
    // A lambda runs when someone calls it: typically handed to run_in_executor or a thread.
    const skip = fn.type !== 'function_definition' || pyIsTask(fn);
    const async = !skip && isAsyncFunction(fn);
    info = {
      skip,
      async,
      handler: !skip && !async && pyIsHandler(fn, file),
      name: skip ? '' : fn.childForFieldName('name')?.text ?? 'function',
    };
    perTree.set(at, info);
  }
  return info;
}

/** Where a Python call runs, if that is somewhere this rule cares about (a per-item loop only when asked). */
function pyPlace(call: SyntaxNode, includeLoop: boolean, file: FileContext): PyPlace | undefined {
  const fn = enclosingFunction(call, 'python');
  if (!fn) return undefined;
  const info = pyFnInfo(fn, file);
  if (info.skip) return undefined;
  if (info.async) return { kind: 'async', fn, name: info.name };
  if (includeLoop && pyPerItemLoop(call)) return { kind: 'loop', fn, name: info.name };
  if (info.handler) return { kind: 'handler', fn, name: info.name };
  return undefined;
}

function pyDirectMessage(call: string, place: PyPlace): string {
  switch (place.kind) {
    case 'async':
      return `\`${call}\` opens a blocking SMTP connection inside \`async def ${place.name}\`: the event loop stops for ${ROUND_TRIP}, so every other request on this worker stalls with it. Use aiosmtplib, move the sending into a helper run with \`await asyncio.to_thread(...)\`, or queue it.`;
    case 'handler':
      return `\`${call}\` sends mail synchronously in the request handler \`${place.name}\`: the request holds a worker thread for ${ROUND_TRIP}, so at a few dozen requests per second the worker pool saturates and unrelated requests queue. Send it from a background task or a queue.`;
    case 'loop':
      return `\`${call}\` opens a new SMTP connection (and TLS handshake) for every item of the loop: mailing 10k users takes hours and trips the mail provider's connection rate limits. Open one connection before the loop and send every message over it, or queue the messages.`;
  }
}

function pyHelperMessage(call: string, helper: string, place: PyPlace): string {
  if (place.kind === 'async') {
    return `\`${call}\` runs \`${helper}\`, which sends mail over a blocking SMTP connection, inside \`async def ${place.name}\`: the event loop stops for ${ROUND_TRIP}, so every other request on this worker stalls with it. Run it with \`await asyncio.to_thread(...)\` or queue it.`;
  }
  return `\`${call}\` runs \`${helper}\`, which sends mail over a blocking SMTP connection, in the request handler \`${place.name}\`: the request holds a worker thread for ${ROUND_TRIP}, so at a few dozen requests per second the worker pool saturates. Send it from a background task or a queue.`;
}

const HELPER_RELATED = 'the blocking SMTP connection is opened here';

/** Names a helper function or method may have (constructors and SMTP classes are not helpers). */
const PY_HELPER_NAME = /^[a-z_]/;

function checkPython(match: RuleMatch): CandidateInit | CandidateInit[] | undefined {
  const call = match.node('match')!;
  const ctor = match.text('ctor');
  const callee = match.text('callee');
  const self = match.text('self');

  // A direct use: smtplib.SMTP(...), mail.SMTP(...) after `import smtplib as mail`, or SMTP(...)
  // imported from smtplib (under any name). Otherwise possibly a call to a helper that sends mail.
  let requires: FactRef[] | undefined;
  let helperKey: string | undefined;
  if (ctor !== undefined) {
    const mod = match.text('mod');
    requires = mod === undefined ? [{ fact: 'py-smtp-import', key: ctor }] : mod === 'smtplib' ? [] : [{ fact: 'py-smtp-module', key: mod }];
  } else if (callee !== undefined && PY_HELPER_NAME.test(callee) && !PY_NOT_HELPERS.has(callee)) {
    if (self === undefined) helperKey = callee;
    else if (self === 'self') {
      const cls = pyEnclosingClass(call);
      helperKey = cls && `${cls}.${callee}`;
    }
  }
  if (!requires && !helperKey) return undefined;

  // A helper call matters on the request path; a direct use also once per item of a loop.
  const place = pyPlace(call, requires !== undefined, match.file);
  if (!place) return undefined;
  const severity = place.kind === 'async' ? 'error' : 'warning';
  if (requires) {
    const ownKey = place.kind === 'loop' ? pyHelperKey(place.fn) : undefined;
    return {
      message: pyDirectMessage(shortCall(call), place),
      severity,
      requires,
      // A function handed to a thread or a background task is off the request path.
      unless: place.kind === 'loop' && ownKey ? [{ fact: 'py-smtp-handoff', key: ownKey }] : undefined,
      data: { kind: 'direct' },
    };
  }
  const base = { message: pyHelperMessage(shortCall(call), callee!, place), severity, data: { kind: 'helper' } } as const;
  const helper = (fact: string): FactRef => ({ fact, key: helperKey!, related: HELPER_RELATED });
  return [
    // The helper opens `smtplib.SMTP(...)`.
    { ...base, requires: [helper('py-smtp-helper')] },
    // Or a bare `SMTP(...)`/`SMTP_SSL(...)`: smtplib's, unless the file imports that name from elsewhere (aiosmtplib).
    {
      ...base,
      requires: [helper('py-smtp-helper-bare')],
      unless: [{ fact: 'py-smtp-helper', key: helperKey! }, ...SMTP_CLASSES.map((key) => ({ fact: 'py-smtp-foreign', key }))],
    },
  ];
}

function pythonFacts(match: RuleMatch): FactInit[] {
  const name = match.props.fact!;
  switch (name) {
    case 'py-smtp-import':
    case 'py-smtp-module':
    case 'py-smtp-foreign': {
      const key = match.node('key')!;
      return [{ name, key: key.text, node: key }];
    }
    case 'py-smtp-helper':
    case 'py-smtp-helper-bare': {
      const use = match.node('use')!;
      const fn = enclosingFunction(use, 'python');
      if (!fn || fn.type !== 'function_definition' || isAsyncFunction(fn) || pyIsTask(fn)) return [];
      const key = pyHelperKey(fn);
      return key ? [{ name, key, node: use }] : [];
    }
    case 'py-smtp-handoff': {
      const target = match.node('key')!;
      if (target.type === 'identifier') return [{ name, key: target.text, node: target }];
      const obj = target.childForFieldName('object');
      const attr = target.childForFieldName('attribute');
      const cls = pyEnclosingClass(target);
      if (obj?.text === 'self' && attr && cls) return [{ name, key: `${cls}.${attr.text}`, node: target }];
      return [];
    }
    default:
      return [];
  }
}

/** A call standing as a statement, an assigned value or a returned value: where `await` can go in front of it. */
function pyStandaloneCall(call: SyntaxNode): boolean {
  const p = call.parent;
  if (p?.type === 'expression_statement' || p?.type === 'return_statement') return true;
  return p?.type === 'assignment' && sameNode(p.childForFieldName('right'), call) && p.parent?.type === 'expression_statement';
}

/** `f(a, b=1)` → `f, a, b=1`: the callee and its arguments as the arguments of a hand-off call. */
function pyHandOffArguments(call: SyntaxNode, text: string): string | undefined {
  const callee = call.childForFieldName('function');
  const args = call.childForFieldName('arguments');
  if (!callee || args?.type !== 'argument_list') return undefined; // `f(x for x in y)`
  const inner = text.slice(args.startIndex + 1, args.endIndex - 1);
  if (inner.trim() === '') return callee.text;
  return /^\s*\n/.test(inner) ? `${callee.text},${inner}` : `${callee.text}, ${inner.trimStart()}`;
}

function toThreadFix(t: FixTarget): TextEditInit[] | undefined {
  if (t.language !== 'python' || t.data.kind !== 'helper') return undefined;
  const call = t.node;
  const fn = enclosingFunction(call, 'python');
  if (!fn || fn.type !== 'function_definition' || !isAsyncFunction(fn) || !pyStandaloneCall(call)) return undefined;
  const args = pyHandOffArguments(call, t.text);
  if (!args) return undefined;
  const edits: TextEditInit[] = [{ start: call.startIndex, end: call.endIndex, newText: `await asyncio.to_thread(${args})` }];
  const imp = ensurePythonImport(t.root, t.text, 'asyncio');
  if (imp) edits.push(imp);
  return edits;
}

function importsFastapi(root: SyntaxNode): boolean {
  return root.namedChildren.some(
    (s) =>
      (s.type === 'import_from_statement' && /^fastapi(\.|$)/.test(s.childForFieldName('module_name')?.text ?? '')) ||
      (s.type === 'import_statement' && s.namedChildren.some((n) => /^fastapi(\.|$)/.test((n.childForFieldName('name') ?? n).text))),
  );
}

/** The kind of a parameter, looking through type annotations (`*args: Any` is a list splat). */
function pyParamKind(p: SyntaxNode): string {
  return p.type === 'typed_parameter' ? (p.namedChildren[0]?.type === 'identifier' ? 'identifier' : p.namedChildren[0]?.type ?? p.type) : p.type;
}

/** Adds a parameter without a default where Python allows one: after the last plain parameter, before `**kwargs`. */
function pyAddParameter(params: SyntaxNode, text: string, decl: string): TextEditInit {
  const list = params.namedChildren.filter((c) => c.type !== 'comment');
  let keywordOnly = false;
  let firstDefault: SyntaxNode | undefined;
  let kwargs: SyntaxNode | undefined;
  for (const p of list) {
    const kind = pyParamKind(p);
    if (kind === 'keyword_separator' || kind === 'list_splat_pattern') keywordOnly = true;
    else if (kind === 'dictionary_splat_pattern') kwargs = p;
    else if ((kind === 'default_parameter' || kind === 'typed_default_parameter') && !keywordOnly) firstDefault ??= p;
  }
  const nl = eol(text);
  const open = params.children[0];
  const before = (node: SyntaxNode): TextEditInit => {
    const multiline = text.slice(open.endIndex, node.startIndex).includes('\n');
    return { start: node.startIndex, end: node.startIndex, newText: multiline ? `${decl},${nl}${indentAt(text, node.startIndex)}` : `${decl}, ` };
  };
  // A parameter without a default may not follow positional parameters with one.
  if (firstDefault && !keywordOnly) return before(firstDefault);
  if (kwargs) return before(kwargs);
  const last = list[list.length - 1];
  if (!last) return { start: open.endIndex, end: open.endIndex, newText: decl };
  const after = last.nextSibling;
  const trailingComma = after?.type === ',' ? after : undefined;
  const multiline = text.slice(open.endIndex, last.startIndex).includes('\n');
  if (multiline) {
    const indent = indentAt(text, last.startIndex);
    return trailingComma
      ? { start: trailingComma.endIndex, end: trailingComma.endIndex, newText: `${nl}${indent}${decl},` }
      : { start: last.endIndex, end: last.endIndex, newText: `,${nl}${indent}${decl}` };
  }
  return trailingComma
    ? { start: trailingComma.endIndex, end: trailingComma.endIndex, newText: ` ${decl}` }
    : { start: last.endIndex, end: last.endIndex, newText: `, ${decl}` };
}

function backgroundTaskFix(t: FixTarget): TextEditInit[] | undefined {
  if (t.language !== 'python' || t.data.kind !== 'helper') return undefined;
  const call = t.node;
  if (call.parent?.type !== 'expression_statement') return undefined; // the result is used: it cannot wait for later
  const fn = enclosingFunction(call, 'python');
  if (!fn || fn.type !== 'function_definition') return undefined;
  if (!pyDecorators(fn).some((d) => PY_FASTAPI_ROUTE.test(d.text)) || !importsFastapi(t.root)) return undefined;
  const params = fn.childForFieldName('parameters');
  if (!params) return undefined;
  const args = pyHandOffArguments(call, t.text);
  if (!args) return undefined;
  const existing = params.namedChildren.find(
    (p) => (p.type === 'typed_parameter' || p.type === 'typed_default_parameter') && /^(fastapi\.)?BackgroundTasks$/.test(p.childForFieldName('type')?.text ?? ''),
  );
  const name = existing ? pyParamName(existing) : 'background_tasks';
  if (!name) return undefined;
  const edits: TextEditInit[] = [{ start: call.startIndex, end: call.endIndex, newText: `${name}.add_task(${args})` }];
  if (!existing) {
    if (params.namedChildren.some((p) => pyParamName(p) === name)) return undefined;
    edits.push(pyAddParameter(params, t.text, `${name}: BackgroundTasks`));
    const imp = ensurePythonImport(t.root, t.text, 'fastapi', 'BackgroundTasks');
    if (imp) edits.push(imp);
  }
  return edits;
}

// ---------------------------------------------------------------------------------------------
// Go

/** Calls that run a func literal later or elsewhere: errgroup's `g.Go`, a pool's `Submit`, `time.AfterFunc`. */
const GO_HANDOFF = new Set(['Go', 'Submit', 'AfterFunc']);
/** Names of channels and consumers ranged over by a worker loop. */
const GO_CHANNEL_NAME = /(?:^|[._])(?:ch|chan|channel|queue|jobs|deliveries|msgs|messages|events|tasks|inbox|outbox)$|(?:Ch|Chan|Channel|Queue|Jobs|Deliveries|Msgs|Messages|Events|Tasks)$/;

const GO_INDEX_NAME = /^(i|j|k|n|idx|index|pos|ix)$/;

function goHandedOff(fn: SyntaxNode): boolean {
  if (fn.type !== 'func_literal') return false;
  const p = fn.parent;
  if (p?.type === 'call_expression' && sameNode(p.childForFieldName('function'), fn)) return p.parent?.type === 'go_statement';
  if (p?.type === 'argument_list' && p.parent?.type === 'call_expression') return GO_HANDOFF.has(calleeName(p.parent) ?? '');
  return false;
}

/** The HTTP handler a Go call runs in, unless a goroutine or a worker pool takes it off the request. */
function goHandler(call: SyntaxNode, file: FileContext): SyntaxNode | undefined {
  for (let fn = enclosingFunction(call, 'go'); fn; fn = enclosingFunction(fn, 'go')) {
    if (goHandedOff(fn)) return undefined;
    if (isHandlerFunction(fn, 'go', file)) return fn;
  }
  return undefined;
}

/** Whether `for x := range <expr>` ranges over a channel: a parameter of channel type, or a channel's name. */
function goRangesChannel(right: SyntaxNode | null, loop: SyntaxNode): boolean {
  if (!right) return false;
  if (GO_CHANNEL_NAME.test(right.text)) return true;
  if (right.type !== 'identifier') return false;
  for (let fn = enclosingFunction(loop, 'go'); fn; fn = enclosingFunction(fn, 'go')) {
    for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
      if (p.childForFieldName('type')?.type === 'channel_type' && p.childrenForFieldName('name').some((n) => n.text === right.text)) return true;
    }
  }
  return false;
}

/** A Go loop that runs once per item: not `for {}`, not a retry loop, not a worker ranging over a channel. */
function goPerItemLoop(node: SyntaxNode): SyntaxNode | undefined {
  for (let l = enclosingLoop(node, 'go'); l; l = enclosingLoop(l, 'go')) {
    const body = l.childForFieldName('body');
    const header = l.namedChildren.find((c) => !sameNode(c, body) && c.type !== 'comment');
    if (!header) continue; // `for { ... }`: a worker or a poller
    if (header.type === 'range_clause') {
      if (isLiteralCollection(header.childForFieldName('right'))) continue; // `range []string{"a", "b"}`
      const left = header.childForFieldName('left');
      if (!left) continue; // `for range ticker.C`, `for range 3`
      if (left.namedChildren.length >= 2) return l; // `for _, u := range users`
      // One variable: the index of a slice (`for i := range users`) or the element of a channel
      // (`for job := range jobs`, `for m := range s.mail`): only an index says it is per item.
      if (!GO_INDEX_NAME.test(left.text) || goRangesChannel(header.childForFieldName('right'), l)) continue;
      return l;
    }
    if (RETRY.test(header.text)) continue;
    return l;
  }
  return undefined;
}

function checkGo(match: RuleMatch): CandidateInit | undefined {
  const call = match.node('match')!;
  const loop = goPerItemLoop(call);
  const handler = goHandler(call, match.file);
  if (!loop && !handler) return undefined;
  const what = shortCall(call);
  if (loop) {
    return {
      message: `\`${what}\` opens a new SMTP connection (and TLS handshake) for every item of the loop: mailing 10k users takes hours and trips the mail provider's connection rate limits${handler ? ', while the HTTP request waits for all of it' : ''}. Send over one connection, or put the messages on a queue.`,
    };
  }
  const name = handler!.childForFieldName('name')?.text;
  return {
    message: `\`${what}\` sends mail synchronously inside the HTTP handler${name ? ` \`${name}\`` : ''}: every request waits for ${ROUND_TRIP}, and when the mail server is slow or down requests pile up until clients time out. Hand the message to a queue or a background worker.`,
  };
}

// ---------------------------------------------------------------------------------------------
// TypeScript / JavaScript

/** Transports that open no SMTP connection: they are not what this rule is about. */
const TS_NON_SMTP_OPTIONS = ['jsonTransport', 'streamTransport', 'sendmail', 'SES'];
/** Functions that run once at start-up: a transport created there is created once. */
const TS_STARTUP_NAME = /^(main|init\w*|initialize\w*|setup\w*|bootstrap\w*|start\w*)$/i;
/** Factories of a mailer: the caller decides how often they run (typically once). */
const TS_FACTORY_NAME = /^(create|make|build|new|get)\w*(mail|transport|smtp)/i;

/** Whether the transport options name an SMTP transport (or something that may be one). */
function tsSmtpOptions(call: SyntaxNode): boolean {
  const [first] = jsArguments(call).args;
  if (!first) return true;
  if (first.type === 'object') {
    const { props } = objectProperties(first);
    return !TS_NON_SMTP_OPTIONS.some((k) => props.has(k));
  }
  // A transport plugin: `createTransport(sgTransport({...}))` sends over HTTP, `smtpTransport(...)` over SMTP.
  if (first.type === 'call_expression') return /smtp/i.test(calleeName(first) ?? '');
  return true;
}

function checkTransport(match: RuleMatch): CandidateInit | undefined {
  const call = match.node('match')!;
  const requires: FactRef[] = [];
  const mod = match.node('mod');
  if (mod?.type === 'call_expression') {
    const req = mod.childForFieldName('function');
    const [path] = jsArguments(mod).args;
    if (req?.text !== 'require' || stringLiteral(path) !== 'nodemailer') return undefined;
  } else if (mod) {
    if (mod.text !== 'nodemailer') requires.push({ fact: 'ts-nodemailer-module', key: mod.text });
  } else {
    requires.push({ fact: 'ts-nodemailer-import', key: 'createTransport' });
  }
  const fn = enclosingFunction(call, 'typescript');
  if (!fn) return undefined;
  if (fn.type === 'method_definition' && fn.childForFieldName('name')?.text === 'constructor') return undefined; // one per instance
  if (isIife(fn) && !enclosingFunction(fn, 'typescript')) return undefined; // a top-level script body
  const name = jsFunctionName(fn);
  if (name && (TS_STARTUP_NAME.test(name) || TS_FACTORY_NAME.test(name))) return undefined;
  // Kept for reuse (`this.transport = ...`, `cached ??= ...`) or returned by a factory: the caller decides how often.
  let use = call.parent;
  while (use?.type === 'parenthesized_expression' || use?.type === 'as_expression' || use?.type === 'satisfies_expression') use = use.parent;
  if (!use || ['assignment_expression', 'augmented_assignment_expression', 'return_statement', 'arrow_function'].includes(use.type)) return undefined;
  if (!tsSmtpOptions(call)) return undefined;
  const where = name ? `\`${name}\`` : 'this function';
  return {
    message: `\`${shortCall(call)}\` creates a new SMTP transport on every call of ${where}: each message pays a fresh TCP connection, TLS handshake and login (hundreds of ms), and under load the mail server's connection limit is hit. Create one pooled transport (\`pool: true\`) at module scope and reuse it.`,
    requires,
    data: { kind: 'transport' },
  };
}

/** A JS loop that runs once per item: not `while (true)` (a worker) and not a retry loop. */
function tsPerItemLoop(node: SyntaxNode): SyntaxNode | undefined {
  for (let l = enclosingLoop(node, 'typescript'); l; l = enclosingLoop(l, 'typescript')) {
    if (l.type === 'while_statement' || l.type === 'do_statement') {
      const cond = l.childForFieldName('condition')?.text.replace(/^\(\s*|\s*\)$/g, '') ?? '';
      if (cond === 'true' || cond === '1' || cond === '' || RETRY.test(cond)) continue;
      return l;
    }
    if (l.type === 'for_statement') {
      const body = l.childForFieldName('body');
      const header = body ? l.text.slice(0, body.startIndex - l.startIndex) : l.text;
      if (RETRY.test(header) || /^for\s*\(\s*;\s*;\s*\)/.test(header)) continue;
      return l;
    }
    if (l.type === 'for_in_statement' && isLiteralCollection(l.childForFieldName('right'))) continue; // `for (const m of ['a', 'b'])`
    return l; // for...of / for...in, or an iterating callback (`users.forEach(...)`)
  }
  return undefined;
}

function checkSendMail(match: RuleMatch): CandidateInit | undefined {
  const call = match.node('match')!;
  const loop = tsPerItemLoop(call);
  if (!loop || !enclosingFunction(loop, 'typescript')) return undefined; // module-level scripts run once
  return {
    message: `\`await ${shortCall(call)}\` in a loop sends one message per SMTP round-trip (100 ms to several seconds each): 10k recipients take hours, a request doing this times out long before, and a non-pooled transport opens a connection per message. Put one job per message on a queue, or send in bounded parallel batches over a pooled transport.`,
  };
}

/** Names declared in a function's own scope: parameters, variables, functions and classes (not inside nested functions). */
function tsDeclaredNames(fn: SyntaxNode, into: Set<string>): void {
  const params = fn.childForFieldName('parameters') ?? fn.childForFieldName('parameter');
  if (params) collectIdentifiers(params, into);
  const body = fn.childForFieldName('body');
  if (!body) return;
  const visit = (n: SyntaxNode): void => {
    for (const c of n.namedChildren) {
      if (c.type === 'variable_declarator') {
        const name = c.childForFieldName('name');
        if (name) collectIdentifiers(name, into);
        const value = c.childForFieldName('value');
        if (value) visit(value);
        continue;
      }
      if (c.type === 'function_declaration' || c.type === 'class_declaration' || c.type === 'generator_function_declaration') {
        const name = c.childForFieldName('name');
        if (name) into.add(name.text);
        continue;
      }
      if (c.type === 'catch_clause') {
        const p = c.childForFieldName('parameter');
        if (p) collectIdentifiers(p, into);
      }
      if (c.type === 'for_in_statement') {
        const left = c.childForFieldName('left');
        if (left) collectIdentifiers(left, into);
      }
      if (isTsFunction(c)) continue;
      visit(c);
    }
  };
  visit(body);
}

function isTsFunction(n: SyntaxNode): boolean {
  return ['function_expression', 'function', 'arrow_function', 'method_definition', 'generator_function', 'class'].includes(n.type);
}

function collectIdentifiers(n: SyntaxNode, into: Set<string>): void {
  if (n.type === 'identifier' || n.type === 'shorthand_property_identifier_pattern' || n.type === 'shorthand_property_identifier') into.add(n.text);
  for (const c of n.namedChildren) collectIdentifiers(c, into);
}

/** Whether a subtree uses `this`, `arguments` or `super`, which mean nothing at module scope. */
function usesFunctionContext(n: SyntaxNode): boolean {
  if (n.type === 'this' || n.type === 'super' || (n.type === 'identifier' && n.text === 'arguments')) return true;
  return n.namedChildren.some(usesFunctionContext);
}

/** Module-level names: top-level declarations and imports. */
function tsTopLevelDeclarations(root: SyntaxNode): Map<string, SyntaxNode> {
  const out = new Map<string, SyntaxNode>();
  for (const s0 of root.namedChildren) {
    const s = s0.type === 'export_statement' ? s0.childForFieldName('declaration') ?? s0 : s0;
    const names = new Set<string>();
    if (s.type === 'lexical_declaration' || s.type === 'variable_declaration') {
      for (const d of s.namedChildren) if (d.type === 'variable_declarator' && d.childForFieldName('name')) collectIdentifiers(d.childForFieldName('name')!, names);
    } else if (['function_declaration', 'class_declaration', 'generator_function_declaration', 'abstract_class_declaration'].includes(s.type)) {
      const name = s.childForFieldName('name');
      if (name) names.add(name.text);
    } else if (s.type === 'import_statement') {
      for (const c of s.namedChildren) if (c.type === 'import_clause' || c.type === 'import_require_clause') collectImportNames(c, names);
    }
    for (const n of names) out.set(n, s0);
  }
  return out;
}

function collectImportNames(n: SyntaxNode, into: Set<string>): void {
  if (n.type === 'import_specifier') {
    into.add((n.childForFieldName('alias') ?? n.childForFieldName('name'))!.text);
    return;
  }
  if (n.type === 'identifier') into.add(n.text);
  for (const c of n.namedChildren) if (c.type !== 'string') collectImportNames(c, into);
}

/** The options object with `pool: true` in it, as text. */
function withPool(obj: SyntaxNode, text: string): string {
  const base = obj.startIndex;
  const src = text.slice(obj.startIndex, obj.endIndex);
  const pool = obj.namedChildren.find((p) => p.type === 'pair' && (stringLiteral(p.childForFieldName('key')) ?? p.childForFieldName('key')?.text) === 'pool');
  if (pool) {
    const value = pool.childForFieldName('value')!;
    if (value.text === 'true') return src;
    return src.slice(0, value.startIndex - base) + 'true' + src.slice(value.endIndex - base);
  }
  const first = obj.namedChildren.find((c) => c.type !== 'comment');
  if (!first) return '{ pool: true }';
  const open = obj.children[0].endIndex - base;
  if (text.slice(obj.startIndex, first.startIndex).includes('\n')) {
    return `${src.slice(0, open)}${eol(text)}${indentAt(text, first.startIndex)}pool: true,${src.slice(open)}`;
  }
  return /^\s/.test(src.slice(open)) ? `${src.slice(0, open)} pool: true,${src.slice(open)}` : `${src.slice(0, open)}pool: true, ${src.slice(open)}`;
}

/** Removes `indent` from the start of every line but the first. */
function dedent(s: string, indent: string): string {
  if (!indent) return s;
  return s.split('\n').map((line, i) => (i > 0 && line.startsWith(indent) ? line.slice(indent.length) : line)).join('\n');
}

function hoistTransportFix(t: FixTarget): TextEditInit[] | undefined {
  if (t.language !== 'typescript' || t.data.kind !== 'transport') return undefined;
  const call = t.node;
  const declarator = call.parent;
  if (declarator?.type !== 'variable_declarator' || !sameNode(declarator.childForFieldName('value'), call)) return undefined;
  const nameNode = declarator.childForFieldName('name');
  const decl = declarator.parent;
  if (nameNode?.type !== 'identifier' || !decl || !['lexical_declaration', 'variable_declaration'].includes(decl.type)) return undefined;
  if (decl.namedChildren.filter((c) => c.type === 'variable_declarator').length !== 1) return undefined;
  const fn = enclosingFunction(call, 'typescript');
  if (!fn || !sameNode(decl.parent, fn.childForFieldName('body'))) return undefined; // only straight from the function body
  const { args, spread } = jsArguments(call);
  const options = args[0];
  if (spread || options?.type !== 'object') return undefined;

  // Everything the new module-level line refers to must exist at module scope.
  const locals = new Set<string>();
  const outer: SyntaxNode[] = [];
  for (let f: SyntaxNode | undefined = fn; f; f = enclosingFunction(f, 'typescript')) {
    tsDeclaredNames(f, locals);
    outer.push(f);
  }
  const used = new Set<string>();
  for (const a of args) collectIdentifiers(a, used);
  const callee = call.childForFieldName('function')!;
  collectIdentifiers(callee, used);
  if ([...used].some((n) => locals.has(n)) || args.some(usesFunctionContext)) return undefined;
  const typeAnn = declarator.childForFieldName('type');
  if (typeAnn) {
    const types = new Set<string>();
    collectTypeNames(typeAnn, types);
    if ([...types].some((n) => locals.has(n))) return undefined;
  }

  const root = t.root;
  const top = outer[outer.length - 1];
  let unit: SyntaxNode = top;
  while (unit.parent && !sameNode(unit.parent, root)) unit = unit.parent;
  const topLevel = tsTopLevelDeclarations(root);
  const name = nameNode.text;

  // The hoisted declaration: the same line, with `pool: true` and without the function's indentation.
  const indent = indentAt(t.text, decl.startIndex);
  const declText =
    t.text.slice(decl.startIndex, options.startIndex) + withPool(options, t.text) + t.text.slice(options.endIndex, decl.endIndex);
  const hoisted = dedent(declText, indent);
  const removal = removeStatement(t.text, decl);

  const existing = topLevel.get(name);
  if (existing) {
    // Already hoisted from another function with the same options: reuse it.
    return existing.text === hoisted && existing.startIndex < unit.startIndex ? [removal] : undefined;
  }
  // After the imports and after every module-level declaration the options use, before the function.
  let anchor: SyntaxNode | undefined;
  for (const s of root.namedChildren) {
    if (s.startIndex >= unit.startIndex) break;
    if (s.type === 'import_statement' || isRequireDeclaration(s)) anchor = s;
  }
  for (const n of used) {
    const d = topLevel.get(n);
    if (!d) continue;
    if (d.startIndex >= unit.startIndex) return undefined; // declared after the function: not there yet at load time
    if (!anchor || d.startIndex > anchor.startIndex) anchor = d;
  }
  const nl = eol(t.text);
  const insert: TextEditInit = anchor
    ? { start: anchor.endIndex, end: anchor.endIndex, newText: `${nl}${nl}${hoisted}` }
    : { start: leadingCommentsStart(unit), end: leadingCommentsStart(unit), newText: `${hoisted}${nl}${nl}` };
  return [insert, removal];
}

function collectTypeNames(n: SyntaxNode, into: Set<string>): void {
  if (n.type === 'type_identifier') into.add(n.text);
  for (const c of n.namedChildren) collectTypeNames(c, into);
}

function isRequireDeclaration(s: SyntaxNode): boolean {
  if (s.type !== 'lexical_declaration' && s.type !== 'variable_declaration') return false;
  return s.namedChildren.some((d) => {
    const v = d.type === 'variable_declarator' ? d.childForFieldName('value') : null;
    return v?.type === 'call_expression' && v.childForFieldName('function')?.text === 'require';
  });
}

/** Where a top-level statement starts, including the comments directly above it (its doc comment). */
function leadingCommentsStart(unit: SyntaxNode): number {
  let start = unit.startIndex;
  let row = unit.startPosition.row;
  for (let p = unit.previousNamedSibling; p?.type === 'comment' && p.endPosition.row + 1 >= row; p = p.previousNamedSibling) {
    start = p.startIndex;
    row = p.startPosition.row;
  }
  return start;
}

/** Deletes a statement, with its whole line when it is alone on it. */
function removeStatement(text: string, stmt: SyntaxNode): TextEditInit {
  const ls = lineStart(text, stmt.startIndex);
  const next = nextLineStart(text, stmt.endIndex);
  const lineEnd = text.slice(stmt.endIndex, next).replace(/\r?\n$/, '');
  if (text.slice(ls, stmt.startIndex).trim() === '' && lineEnd.trim() === '') return { start: ls, end: next, newText: '' };
  return { start: stmt.startIndex, end: stmt.endIndex, newText: '' };
}

// ---------------------------------------------------------------------------------------------

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python, go, typescript },
  check(match) {
    switch (match.language) {
      case 'python':
        return checkPython(match);
      case 'go':
        return checkGo(match);
      case 'typescript':
        return match.text('fn') === 'sendMail' ? checkSendMail(match) : checkTransport(match);
    }
  },
  facts(match) {
    if (match.language === 'python') return pythonFacts(match);
    const key = match.node('key');
    return key ? [{ name: match.props.fact!, key: key.text, node: key }] : [];
  },
  fixes: {
    'to-thread': (t) => toThreadFix(t),
    'background-task': (t) => backgroundTaskFix(t),
    'hoist-transport': (t) => hoistTransportFix(t),
  },
});
