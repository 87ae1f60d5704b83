import type { SyntaxNode, Tree } from 'tree-sitter';
import {
  defineRule,
  type CandidateInit,
  type FactInit,
  type FixTarget,
  type RuleMatch,
  type RuleMeta,
  type TextEditInit,
} from '../../server/src/engine/rule-api';
import { enclosingFunction, enclosingLoop, isAsyncFunction, isHandlerFunction } from '../../server/src/engine/predicates';
import { calleeName, isIife, isLiteralCollection, jsArguments, jsFunctionName, objectProperties, pythonNameBoundToLiteral, sameNode, stringLiteral } from '../../server/src/engine/syntax';
import { ensurePythonImport, eol, indentAt, lineStart, nextLineStart } from '../../server/src/engine/edit-helpers';
import type { FileContext } from '../../server/src/model/file-context';
import type { Resolved } from '../../server/src/model/resolve';
import { effectsOf, resolveCallee, resolveSite } from '../unbounded-fan-out/model';
import { smtpThroughCalls } from './through';
import meta from './rule.json';
import python from './python.scm';
import go from './go.scm';
import typescript from './typescript.scm';

/** What opens a mail server connection or sends over one, by the models. */
const SMTP_EFFECTS: readonly string[] = ['smtp-connect', 'smtp-send'];
/** Calls that run a function they are handed elsewhere: a thread, a background task, a goroutine group, a timer. */
const HANDOFF_EFFECTS: readonly string[] = ['to-thread', 'enqueue', 'defer', 'spawn', 'bounded-concurrency'];

/** A sync library call that talks SMTP (smtplib.SMTP, net/smtp.SendMail, gomail's DialAndSend), not the project's own of that name. */
function isSyncSmtp(file: FileContext, call: SyntaxNode): boolean {
  const site = file.model.calls.find((c) => c.start === call.startIndex && c.end === call.endIndex);
  const r = site ? resolveSite(file, site) : resolveCallee(file, call);
  if (r.kind === 'library') {
    // What opens a connection: a client constructor (`smtplib.SMTP`) or a call that dials and sends (`SendMail`, `DialAndSend`), not a method of an open one (`smtp.starttls()`).
    const opens = effectsOf(r.row).includes('smtp-connect') && (file.lang.symbol(r.qname) !== undefined || effectsOf(r.row).includes('smtp-send'));
    return opens && r.row.async !== true && file.lang.isAsyncType(r.qname.slice(0, r.qname.lastIndexOf('.'))) !== true && !asyncLibrary(file, r);
  }
  if (r.kind === 'function' || r.kind === 'class' || (r.kind === 'import' && r.module !== '.')) return false;
  // Nothing resolves the receiver (a Go dialer from elsewhere): a name the models give only to calls
  // that both connect to a mail server and send (`DialAndSend`, `SendMail`).
  const callee = call.childForFieldName('function');
  const last = (callee?.type === 'selector_expression' ? callee.childForFieldName('field') : callee?.type === 'attribute' ? callee.childForFieldName('attribute') : callee)?.text ?? '';
  return connectAndSendNames(file).has(last);
}

function connectAndSendNames(file: FileContext): Set<string> {
  const out = new Set<string>();
  const both = (c: { effect?: string; effects?: string[] }) => SMTP_EFFECTS.every((e) => effectsOf(c as never).includes(e));
  for (const lib of file.lang.libraries) {
    if (lib.file.async === true) continue;
    for (const x of lib.file.symbols ?? []) if (both(x)) out.add(x.name.slice(Math.max(x.name.lastIndexOf('.'), x.name.lastIndexOf('/')) + 1));
    for (const t of lib.file.types ?? []) for (const m of t.members ?? []) if (both(m)) out.add(m.name);
  }
  return out;
}

function asyncLibrary(file: FileContext, r: Extract<Resolved, { kind: 'library' }>): boolean {
  return file.lang.symbol(r.qname)?.lib.file.async === true;
}

/**
 * The argument a hand-off call runs (`to_thread(send, …)` → send, `run_in_executor(None, send)` →
 * send): its model row's `callbackArgument`; where nothing resolves the call, the rows of that name.
 */
function handedOffArgument(file: FileContext, call: SyntaxNode, args: SyntaxNode[]): SyntaxNode | undefined {
  const r = resolveCallee(file, call);
  let index: number | undefined;
  if (r.kind === 'library') index = effectsOf(r.row).some((e) => HANDOFF_EFFECTS.includes(e)) ? r.row.callbackArgument : undefined;
  else if (r.kind === 'unknown' || r.kind === 'value' || (r.kind === 'import' && r.module === '.')) {
    const callee = call.childForFieldName('function');
    const last = (callee?.type === 'attribute' ? callee.childForFieldName('attribute') : callee?.type === 'selector_expression' ? callee.childForFieldName('field') : callee)?.text ?? '';
    index = callbackIndexByName(file, last);
  }
  return index === undefined ? undefined : args[index];
}

/** The callback argument of the models' hand-off rows with this last name (one index they agree on). */
function callbackIndexByName(file: FileContext, name: string): number | undefined {
  const found = new Set<number>();
  for (const lib of file.lang.libraries) {
    for (const s of lib.file.symbols ?? []) if (s.name.split('.').pop() === name && s.callbackArgument !== undefined && effectsOf(s).some((e) => HANDOFF_EFFECTS.includes(e))) found.add(s.callbackArgument);
    for (const t of lib.file.types ?? []) for (const m of t.members ?? []) if (m.name === name && m.callbackArgument !== undefined && effectsOf(m).some((e) => HANDOFF_EFFECTS.includes(e))) found.add(m.callbackArgument);
  }
  return found.size === 1 ? [...found][0] : undefined;
}
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

/**
 * A background job (Celery, RQ, Dramatiq, Huey: the models' job roles): it runs in a worker process,
 * off the request path. Where the library is not imported, the role markers' decorator names as written.
 */
function pyIsTask(fn: SyntaxNode, file: FileContext): boolean {
  // A job of a worker process (Celery, RQ, Dramatiq, Huey: `runsOn: process`); a scheduler's job may run on the server's own loop.
  const role = file.roleOf(fn);
  if (role?.role === 'job' && file.lang.roles.some((m) => m.library === role.library && m.role === 'job' && m.runsOn === 'process')) return true;
  const names = file.lang.roles.filter((m) => m.role === 'job' && m.runsOn === 'process' && m.decorator?.namePattern).map((m) => new RegExp(m.decorator!.namePattern!));
  return pyDecorators(fn).some((d) => {
    const expr = d.namedChildren[0];
    const callee = expr?.type === 'call' ? expr.childForFieldName('function') : expr;
    const last = callee?.text.split('.').pop() ?? '';
    return names.some((p) => p.test(last));
  });
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
    const skip = fn.type !== 'function_definition' || pyIsTask(fn, file);
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
  // imported from smtplib (under any name): resolved, so aiosmtplib's SMTP or the project's own is
  // not. Otherwise possibly a call to a helper that sends mail.
  let direct = false;
  let helperKey: string | undefined;
  if (ctor !== undefined) {
    direct = isSyncSmtp(match.file, call);
  } else if (callee !== undefined && PY_HELPER_NAME.test(callee) && !PY_NOT_HELPERS.has(callee)) {
    if (self === undefined) helperKey = callee;
    else if (self === 'self') {
      const cls = pyEnclosingClass(call);
      helperKey = cls && `${cls}.${callee}`;
    }
  }
  if (!direct && !helperKey) return undefined;

  // A helper call matters on the request path; a direct use also once per item of a loop.
  const place = pyPlace(call, direct, match.file);
  if (!place) return undefined;
  const severity = place.kind === 'async' ? 'error' : 'warning';
  if (direct) {
    const ownKey = place.kind === 'loop' ? pyHelperKey(place.fn) : undefined;
    return {
      message: pyDirectMessage(shortCall(call), place),
      severity,
      // A function handed to a thread or a background task is off the request path.
      unless: place.kind === 'loop' && ownKey ? [{ fact: 'py-smtp-handoff', key: ownKey }] : undefined,
      data: { kind: 'direct' },
    };
  }
  // The helper opens a sync SMTP connection (a fact of this file).
  return {
    message: pyHelperMessage(shortCall(call), callee!, place),
    severity,
    requires: [{ fact: 'py-smtp-helper', key: helperKey!, related: HELPER_RELATED }],
    data: { kind: 'helper' },
  };
}

function pythonFacts(match: RuleMatch): FactInit[] {
  const name = match.props.fact!;
  switch (name) {
    case 'py-smtp-helper': {
      const use = match.node('use')!;
      if (!isSyncSmtp(match.file, use)) return [];
      const fn = enclosingFunction(use, 'python');
      if (!fn || fn.type !== 'function_definition' || isAsyncFunction(fn) || pyIsTask(fn, match.file)) return [];
      const key = pyHelperKey(fn);
      return key ? [{ name, key, node: use }] : [];
    }
    case 'py-smtp-handoff': {
      const args = (match.node('args')?.namedChildren ?? []).filter((a) => a.type !== 'comment');
      const target = handedOffArgument(match.file, match.node('args')!.parent!, args);
      if (!target) return [];
      if (target.type === 'identifier') return [{ name, key: target.text, node: target }];
      if (target.type !== 'attribute') return [];
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

/**
 * The framework's background-task type, when the function is a route of a framework whose models
 * give one (FastAPI's `BackgroundTasks`, with `add_task`): what the add_task fix writes.
 */
function backgroundTasksType(fn: SyntaxNode, file: FileContext): { module: string; name: string; qname: string; method: string } | undefined {
  if (!isHandlerFunction(fn, 'python', file)) return undefined;
  for (const i of file.imports()) {
    const lib = file.lang.libraryOfModule(i.module);
    for (const sym of lib?.file.symbols ?? []) {
      if (sym.kind !== 'class') continue;
      const method = file.lang.type(sym.returns ?? sym.name)?.row.members?.find((m) => effectsOf(m).includes('enqueue') && m.callbackArgument === 0);
      if (!method) continue;
      const dot = sym.name.lastIndexOf('.');
      return { module: sym.name.slice(0, dot), name: sym.name.slice(dot + 1), qname: sym.name, method: method.name };
    }
  }
  return undefined;
}

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

function backgroundTaskFix(t: FixTarget, file: FileContext): TextEditInit[] | undefined {
  if (t.language !== 'python' || t.data.kind !== 'helper') return undefined;
  const call = t.node;
  if (call.parent?.type !== 'expression_statement') return undefined; // the result is used: it cannot wait for later
  const fn = enclosingFunction(call, 'python');
  if (!fn || fn.type !== 'function_definition') return undefined;
  const tasks = backgroundTasksType(fn, file);
  if (!tasks) return undefined;
  const params = fn.childForFieldName('parameters');
  if (!params) return undefined;
  const args = pyHandOffArguments(call, t.text);
  if (!args) return undefined;
  const existing = params.namedChildren.find(
    (p) => (p.type === 'typed_parameter' || p.type === 'typed_default_parameter') && [tasks.name, tasks.qname].includes(p.childForFieldName('type')?.text ?? ''),
  );
  const name = existing ? pyParamName(existing) : 'background_tasks';
  if (!name) return undefined;
  const edits: TextEditInit[] = [{ start: call.startIndex, end: call.endIndex, newText: `${name}.${tasks.method}(${args})` }];
  if (!existing) {
    if (params.namedChildren.some((p) => pyParamName(p) === name)) return undefined;
    edits.push(pyAddParameter(params, t.text, `${name}: ${tasks.name}`));
    const imp = ensurePythonImport(t.root, t.text, tasks.module, tasks.name);
    if (imp) edits.push(imp);
  }
  return edits;
}

// ---------------------------------------------------------------------------------------------
// Go

/** Names of channels and consumers ranged over by a worker loop. */
const GO_CHANNEL_NAME = /(?:^|[._])(?:ch|chan|channel|queue|jobs|deliveries|msgs|messages|events|tasks|inbox|outbox)$|(?:Ch|Chan|Channel|Queue|Jobs|Deliveries|Msgs|Messages|Events|Tasks)$/;

const GO_INDEX_NAME = /^(i|j|k|n|idx|index|pos|ix)$/;

/** A func literal run later or elsewhere: by `go`, or handed to a call the models say runs it (errgroup's `g.Go`, a pool's `Submit`, `time.AfterFunc`). */
function goHandedOff(fn: SyntaxNode, file: FileContext): boolean {
  if (fn.type !== 'func_literal') return false;
  const p = fn.parent;
  if (p?.type === 'call_expression' && sameNode(p.childForFieldName('function'), fn)) return p.parent?.type === 'go_statement';
  if (p?.type !== 'argument_list' || p.parent?.type !== 'call_expression') return false;
  const args = p.namedChildren.filter((a) => a.type !== 'comment');
  return sameNode(handedOffArgument(file, p.parent, args), fn);
}

/** The HTTP handler a Go call runs in, unless a goroutine or a worker pool takes it off the request. */
function goHandler(call: SyntaxNode, file: FileContext): SyntaxNode | undefined {
  for (let fn = enclosingFunction(call, 'go'); fn; fn = enclosingFunction(fn, 'go')) {
    if (goHandedOff(fn, file)) return undefined;
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
  if (!isSyncSmtp(match.file, call)) return undefined;
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
/**
 * Functions that run once (start-up code, a mailer factory: the models' `startup` and `once` roles,
 * read by name where the framework is not imported): a transport created there is created once.
 */
function tsRunsOnce(fn: SyntaxNode, file: FileContext): boolean {
  const role = file.roleOf(fn)?.role;
  if (role === 'startup' || role === 'once') return true;
  const name = jsFunctionName(fn);
  if (!name) return false;
  return file.lang.roles.some((m) => (m.role === 'startup' || m.role === 'once') && !m.classNames && m.names?.some((p) => new RegExp(p, 'i').test(name)));
}

/** A client constructor for an SMTP service (by its model row), not the project's own `createTransport`. */
function smtpTransport(file: FileContext, call: SyntaxNode): boolean {
  let r = resolveCallee(file, call);
  const callee = call.childForFieldName('function');
  const obj = callee?.type === 'member_expression' ? callee.childForFieldName('object') : undefined;
  // require('nodemailer').createTransport(...)
  if (r.kind !== 'library' && obj?.type === 'call_expression' && obj.childForFieldName('function')?.text === 'require') {
    const module = stringLiteral(jsArguments(obj).args[0]);
    const sym = module && file.lang.libraryOfModule(module) ? file.lang.symbol(`${module}.${callee!.childForFieldName('property')!.text}`) : undefined;
    if (sym) r = { kind: 'library', qname: sym.row.name, row: sym.row, via: 'import' };
  }
  return r.kind === 'library' && (r.row.client?.service === 'smtp' || effectsOf(r.row).includes('smtp-connect')) && !!r.row.client;
}

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
  if (!smtpTransport(match.file, call)) return undefined;
  const fn = enclosingFunction(call, 'typescript');
  if (!fn) return undefined;
  if (fn.type === 'method_definition' && fn.childForFieldName('name')?.text === 'constructor') return undefined; // one per instance
  if (isIife(fn) && !enclosingFunction(fn, 'typescript')) return undefined; // a top-level script body
  const name = jsFunctionName(fn);
  if (tsRunsOnce(fn, match.file)) return undefined;
  // Kept for reuse (`this.transport = ...`, `cached ??= ...`) or returned by a factory: the caller decides how often.
  let use = call.parent;
  while (use?.type === 'parenthesized_expression' || use?.type === 'as_expression' || use?.type === 'satisfies_expression') use = use.parent;
  if (!use || ['assignment_expression', 'augmented_assignment_expression', 'return_statement', 'arrow_function'].includes(use.type)) return undefined;
  if (!tsSmtpOptions(call)) return undefined;
  const where = name ? `\`${name}\`` : 'this function';
  return {
    message: `\`${shortCall(call)}\` creates a new SMTP transport on every call of ${where}: each message pays a fresh TCP connection, TLS handshake and login (hundreds of ms), and under load the mail server's connection limit is hit. Create one pooled transport (\`pool: true\`) at module scope and reuse it.`,
    data: { kind: 'transport' },
  };
}

/** An iterating `xs.map(callback)` (as enclosingLoop gives it) whose array of promises `Promise.all`/`Promise.allSettled` awaits (language built-ins). */
function concurrentMapCallback(call: SyntaxNode): boolean {
  const callee = call.childForFieldName('function');
  if (call.type !== 'call_expression' || callee?.type !== 'member_expression' || callee.childForFieldName('property')?.text !== 'map') return false;
  const outer = call.parent?.type === 'arguments' ? call.parent.parent : undefined;
  return outer?.type === 'call_expression' && /^Promise\.(all|allSettled)$/.test(outer.childForFieldName('function')?.text ?? '');
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
    // `Promise.all(users.map(async (u) => sendMail(...)))`: the sends run at once, not one round-trip
    // after another; a fan-out over data is unbounded-fan-out's finding.
    if (concurrentMapCallback(l)) return undefined;
    return l; // for...of / for...in, or an iterating callback (`users.forEach(...)`)
  }
  return undefined;
}

/** A send over a mail client the models give (nodemailer's `sendMail`), or a receiver nothing resolves calling a name only such clients have. */
function mailSend(file: FileContext, call: SyntaxNode): boolean {
  const r = resolveCallee(file, call);
  if (r.kind === 'library') return effectsOf(r.row).includes('mail-send');
  // The project's own function, or a method of a class of this file: not a mail client's. A value
  // the project exports (`const { transporter } = require('../mailer')`) is judged by the name called on it.
  if (r.kind === 'function' || r.kind === 'class' || (r.kind === 'import' && r.rest.length === 0)) return false;
  const name = call.childForFieldName('function')?.childForFieldName('property')?.text ?? '';
  // Members of the types SMTP clients return.
  return file.lang.libraries.some((l) => (l.file.symbols ?? []).some((x) => x.client?.service === 'smtp' && x.returns && file.lang.member(x.returns, name) && effectsOf(file.lang.member(x.returns, name)!.row).includes('mail-send')));
}

function checkSendMail(match: RuleMatch): CandidateInit | undefined {
  const call = match.node('match')!;
  if (!mailSend(match.file, call)) return undefined;
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
  // Through calls: what a function of the project does when this code calls it (see through.ts).
  model: (file, _ctx, span) => smtpThroughCalls(file, span),
  check(match) {
    switch (match.language) {
      case 'python':
        return checkPython(match);
      case 'go':
        return checkGo(match);
      case 'typescript':
        return match.node('match')!.parent?.type === 'await_expression' ? checkSendMail(match) : checkTransport(match);
    }
  },
  facts(match) {
    return match.language === 'python' ? pythonFacts(match) : undefined;
  },
  fixes: {
    'to-thread': (t) => toThreadFix(t),
    'background-task': (t, ctx) => backgroundTaskFix(t, ctx.file),
    'hoist-transport': (t) => hoistTransportFix(t),
  },
});
