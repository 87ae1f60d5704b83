import type { SyntaxNode } from 'tree-sitter';
import type { ExportInit, LocatedExport, RuleMatch } from '../../server/src/engine/rule-api';
import type { FileContext } from '../../server/src/model/file-context';

/**
 * Generic repositories (TypeScript/JavaScript): a base class keeps a collection or model in a field
 * its constructor binds (`constructor(protected model: Model<T>)`, `this.model = model`), its
 * methods hand their parameter to that field as the filter (`findOne(q) { return this.model.findOne(q) }`),
 * and each subclass says which collection it is by what it passes to `super(User)`. A query
 * through one (`this.users.findOne({ email })`, `this.findOne({ email })` in the subclass,
 * `this.model.find({ org })` in it) queries the subclass's collection.
 *
 * Files export the three facts; the workspace pass follows a class's bases by name. A class name
 * the workspace declares twice with different facts is ambiguous and resolves to nothing.
 */

/** The class the code at a node belongs to: its method's, or that of the method a callback sits in. */
function classAt(file: FileContext, node: SyntaxNode): { cls: string; method: number } | undefined {
  // The innermost function around the node (`super(...)` is no call site of the model).
  let fn: number | undefined;
  file.model.functions.forEach((f, i) => {
    if (f.start <= node.startIndex && node.endIndex <= f.end && (fn === undefined || f.start >= file.fn(fn).start)) fn = i;
  });
  for (let i: number | undefined = fn; i !== undefined && i >= 0; i = file.fn(i).parent) {
    const f = file.fn(i);
    if (f.className !== undefined) return { cls: f.className, method: i };
  }
  return undefined;
}

/** Which constructor parameter binds a field of a class: a parameter property, or `this.f = param` in the constructor. */
function constructorParam(file: FileContext, cls: string, field: string): number | undefined {
  const ctor = file.model.functions.find((f) => f.name === 'constructor' && f.className === cls);
  const model = file.model.classes.find((c) => c.name === cls);
  if (!ctor || !model) return undefined;
  const declared = model.fields.find((f) => f.name === field);
  if (!declared) return undefined;
  const own = ctor.params.findIndex((p) => p.name === field);
  // A parameter property is declared inside the constructor's parameter list.
  if (own >= 0 && declared.start >= ctor.start && declared.end <= ctor.end && !declared.value) return own;
  const v = declared.value;
  return v?.kind === 'name' && v.path?.length === 1 ? nonNegative(ctor.params.findIndex((p) => p.name === v.path![0])) : undefined;
}

function nonNegative(i: number): number | undefined {
  return i >= 0 ? i : undefined;
}

/**
 * `this.model.findOne(q)` in a method of a class: the method hands its parameter `q` to the field
 * as the filter (a wrapper), and the constructor binds the field (both exported when known).
 */
export function wrapperExports(match: RuleMatch, call: SyntaxNode, field: string, argument: SyntaxNode | undefined): ExportInit[] | undefined {
  const owner = classAt(match.file, call);
  if (!owner) return undefined;
  const out: ExportInit[] = [];
  const param = constructorParam(match.file, owner.cls, field);
  if (param !== undefined) out.push({ name: 'repo-field', node: call, data: { cls: owner.cls, field, param } });
  const method = match.file.fn(owner.method);
  const filter = argument?.type === 'identifier' ? method.params.findIndex((p) => p.name === argument.text) : -1;
  if (filter >= 0 && method.name !== 'constructor') out.push({ name: 'repo-wrapper', node: call, data: { cls: owner.cls, method: method.name, param: filter, field } });
  return out.length > 0 ? out : undefined;
}

/** `super(User, UserEntity)` in a subclass's constructor: what it hands its base, each argument as a receiver (or '' when it is none). */
export function superExports(match: RuleMatch, call: SyntaxNode, receiverOf: (n: SyntaxNode) => string | undefined): ExportInit[] | undefined {
  const owner = classAt(match.file, call);
  const base = owner && match.file.model.classes.find((c) => c.name === owner.cls)?.bases[0];
  if (!owner || !base) return undefined;
  const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment');
  const recvs = args.map((a) => (a.type === 'identifier' || a.type === 'call_expression' || a.type === 'member_expression' ? receiverOf(a) ?? '' : ''));
  if (recvs.every((r) => r === '')) return undefined;
  return [{ name: 'repo-super', node: call, data: { cls: owner.cls, base: base[base.length - 1], args: recvs.join('\n') } }];
}

/**
 * What a query's receiver says of a repository: `this` in a method (an instance of its class),
 * `this.f` (the field `f` of the method's class, and an instance of the field's declared type),
 * or a value the model types as an instance of a project class.
 */
export function receiverRepository(file: FileContext, call: SyntaxNode, receiver: SyntaxNode): Record<string, string> {
  const owner = classAt(file, call);
  if (receiver.type === 'this') return owner ? { instance: owner.cls } : {};
  const out: Record<string, string> = {};
  if (receiver.type === 'member_expression' && receiver.childForFieldName('object')?.type === 'this' && owner) {
    const field = receiver.childForFieldName('property')!.text;
    out.owner = owner.cls;
    out.field = field;
  }
  const r = file.resolve(receiver);
  if ((r.kind === 'class' && r.instance) || (r.kind === 'import' && r.instance && r.name !== undefined && r.rest.length === 0)) out.instance = r.kind === 'class' ? r.name : r.name!;
  return out;
}

interface Facts {
  wrappers: Map<string, { method: string; param: number; field: string }[]>;
  fields: Map<string, Map<string, number>>;
  supers: Map<string, LocatedExport | null>;
}

/** The workspace's repository facts, by class name. */
export function repositoryFacts(wrappers: readonly LocatedExport[], fields: readonly LocatedExport[], supers: readonly LocatedExport[]): Facts {
  const facts: Facts = { wrappers: new Map(), fields: new Map(), supers: new Map() };
  for (const w of wrappers) {
    const list = facts.wrappers.get(String(w.data.cls)) ?? [];
    list.push({ method: String(w.data.method), param: Number(w.data.param), field: String(w.data.field) });
    facts.wrappers.set(String(w.data.cls), list);
  }
  for (const f of fields) {
    const m = facts.fields.get(String(f.data.cls)) ?? new Map<string, number>();
    m.set(String(f.data.field), Number(f.data.param));
    facts.fields.set(String(f.data.cls), m);
  }
  for (const s of supers) {
    const cls = String(s.data.cls);
    const seen = facts.supers.get(cls);
    // Two classes of one name that hand their bases different things: which one a query meets is unknown.
    facts.supers.set(cls, seen === undefined ? s : seen !== null && seen.data.base === s.data.base && seen.data.args === s.data.args ? seen : null);
  }
  return facts;
}

const MAX_BASES = 8;

/** A class and its bases, nearest first, as far as the workspace's `super(...)` calls say. */
function chain(facts: Facts, cls: string): string[] {
  const out = [cls];
  for (let c = cls; out.length < MAX_BASES; ) {
    const s = facts.supers.get(c);
    if (!s) break;
    c = String(s.data.base);
    if (out.includes(c)) break;
    out.push(c);
  }
  return out;
}

/**
 * The receiver a field of an instance of `cls` holds: the class that binds the field from its
 * constructor's parameter i, and the subclass below it that passes its i-th `super` argument.
 */
export function fieldReceiver(facts: Facts, cls: string, field: string): { recv: string; at: LocatedExport } | undefined {
  const classes = chain(facts, cls);
  for (let k = 1; k < classes.length; k++) {
    const param = facts.fields.get(classes[k])?.get(field);
    if (param === undefined) continue;
    const passed = facts.supers.get(classes[k - 1]);
    const recv = passed ? String(passed.data.args).split('\n')[param] : undefined;
    return recv ? { recv, at: passed! } : undefined;
  }
  return undefined;
}

/** A wrapper method of `cls` or its bases that takes the filter at `position`: the field it queries and where it is. */
export function wrapperOf(facts: Facts, cls: string, method: string, position: number): { field: string; cls: string } | undefined {
  for (const c of chain(facts, cls)) {
    const w = facts.wrappers.get(c)?.find((x) => x.method === method);
    // A method of that name that is no wrapper (or takes the filter elsewhere) hides the bases' one.
    if (w) return w.param === position ? { field: w.field, cls: c } : undefined;
  }
  return undefined;
}
