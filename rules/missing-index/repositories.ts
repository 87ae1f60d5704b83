import type { SyntaxNode } from 'tree-sitter';
import type { ExportInit, LocatedExport, RuleMatch } from '../../server/src/engine/rule-api';
import type { FileContext } from '../../server/src/model/file-context';
import { stringLiteral } from '../../server/src/engine/syntax';

/**
 * Generic repositories (TypeScript/JavaScript and Python): a base class keeps a collection or model in a field
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
  for (let i = file.resolver.functionAt(node.startIndex); i !== undefined && i >= 0; i = file.fn(i).parent) {
    const f = file.fn(i);
    if (f.className !== undefined) return { cls: f.className, method: i };
  }
  return undefined;
}

/** How a constructor binds a field: from its parameter i (the collection or model itself), or from a collection named by its parameter i. */
export type FieldBinding = { param: number } | { nameParam: number };

const CONSTRUCTORS = new Set(['constructor', '__init__']);

/**
 * How the constructor of a class binds a field: a parameter property (`constructor(protected model: Model<T>)`),
 * `this.model = model` / `self.collection = collection`, or a lookup by a name it is given
 * (`self.collection = db[collection_name]`, `this.coll = db.collection(name)`). Python's `self` is
 * no argument of `super().__init__(...)`: parameters are counted without it.
 */
function constructorBinding(file: FileContext, root: SyntaxNode, cls: string, field: string, isLookup: (method: string) => boolean): FieldBinding | undefined {
  // One answer per class and field of a file: a base class's methods query the same field many times.
  const memo = bindings.get(file) ?? new Map<string, FieldBinding | undefined>();
  bindings.set(file, memo);
  const key = `${cls}\0${field}`;
  if (!memo.has(key)) memo.set(key, readBinding(file, root, cls, field, isLookup));
  return memo.get(key);
}

const bindings = new WeakMap<FileContext, Map<string, FieldBinding | undefined>>();

function readBinding(file: FileContext, root: SyntaxNode, cls: string, field: string, isLookup: (method: string) => boolean): FieldBinding | undefined {
  const ctor = file.model.functions.find((f) => CONSTRUCTORS.has(f.name) && f.className === cls);
  const model = file.model.classes.find((c) => c.name === cls);
  const declared = model?.fields.find((f) => f.name === field);
  if (!ctor || !declared) return undefined;
  const params = ctor.params.map((p) => p.name).filter((n, i) => !(i === 0 && (n === 'self' || n === 'cls')));
  const index = (name: string | undefined) => nonNegative(name === undefined ? -1 : params.indexOf(name));
  const inParams = declared.start >= ctor.start && declared.end <= ctor.end;
  // A parameter property is declared in the constructor's parameter list.
  if (inParams && !declared.value && params.includes(field)) {
    const at = root.descendantForIndex(declared.start, declared.end);
    if (at.type !== 'assignment' && at.parent?.type !== 'assignment' && at.parent?.type !== 'assignment_expression') return { param: params.indexOf(field) };
  }
  // The constructor's assignment to the field (`this.f = …`, `self.f = …`): its right side says how.
  const ctorNode = root.descendantForIndex(ctor.start, ctor.end);
  const assignment = ctorNode.descendantsOfType(['assignment', 'assignment_expression']).find((a) => {
    const left = a.childForFieldName('left');
    const object = left?.childForFieldName('object');
    const name = left?.childForFieldName('property') ?? left?.childForFieldName('attribute');
    return name?.text === field && (object?.type === 'this' || (object?.type === 'identifier' && object.text === 'self'));
  });
  const value = assignment?.childForFieldName('right');
  if (!value) return undefined;
  if (value.type === 'identifier') {
    const i = index(value.text);
    return i === undefined ? undefined : { param: i };
  }
  let name: SyntaxNode | undefined | null;
  if (value.type === 'subscript') name = value.childForFieldName('subscript');
  else if (value.type === 'call' || value.type === 'call_expression') {
    const fn = value.childForFieldName('function');
    const method = fn?.childForFieldName('attribute') ?? fn?.childForFieldName('property');
    if (method && isLookup(method.text)) name = value.childForFieldName('arguments')?.namedChildren[0];
  }
  const i = name?.type === 'identifier' ? index(name.text) : undefined;
  return i === undefined ? undefined : { nameParam: i };
}

function nonNegative(i: number): number | undefined {
  return i >= 0 ? i : undefined;
}

/**
 * `this.model.findOne(q)` in a method of a class: the method hands its parameter `q` to the field
 * as the filter (a wrapper), and the constructor binds the field (both exported when known).
 */
export function wrapperExports(match: RuleMatch, call: SyntaxNode, field: string, argument: SyntaxNode | undefined, isLookup: (method: string) => boolean): ExportInit[] | undefined {
  const owner = classAt(match.file, call);
  if (!owner) return undefined;
  const out: ExportInit[] = [];
  const binding = constructorBinding(match.file, call.tree.rootNode, owner.cls, field, isLookup);
  if (binding) out.push({ name: 'repo-field', node: call, data: { cls: owner.cls, field, ...binding } });
  const method = match.file.fn(owner.method);
  const params = method.params.map((p) => p.name).filter((n, i) => !(i === 0 && (n === 'self' || n === 'cls')));
  const filter = argument?.type === 'identifier' ? params.indexOf(argument.text) : -1;
  if (filter >= 0 && !CONSTRUCTORS.has(method.name)) out.push({ name: 'repo-wrapper', node: call, data: { cls: owner.cls, method: method.name, param: filter, field } });
  return out.length > 0 ? out : undefined;
}

/**
 * `super(User, UserEntity)` in a subclass's constructor (Python: `super().__init__(db.users)`,
 * `super().__init__(db, "users")`): what it hands its base, each argument as a receiver, a
 * collection's name (`str:users`) or '' when it is neither.
 */
export function superExports(match: RuleMatch, call: SyntaxNode, receiverOf: (n: SyntaxNode) => string | undefined): ExportInit[] | undefined {
  const owner = classAt(match.file, call);
  const bases = owner && match.file.model.classes.find((c) => c.name === owner.cls)?.bases[0]?.filter((b) => b !== '[]');
  if (!owner || !bases || bases.length === 0) return undefined;
  const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment');
  // A spread or a keyword moves the arguments from their places: nothing is known by position.
  if (args.some((a) => !POSITIONAL.has(a.type) && !RECEIVERS.has(a.type) && stringLiteral(a) === undefined)) return undefined;
  // The subclass's own constructor parameters, which it passes on (`constructor(model) { super(model) }`).
  const ctor = match.file.fn(owner.method);
  const params = CONSTRUCTORS.has(ctor.name) ? ctor.params.map((p) => p.name).filter((n, i) => !(i === 0 && (n === 'self' || n === 'cls'))) : [];
  const recvs = args.map((a) => {
    const name = stringLiteral(a);
    if (name !== undefined) return `str:${name}`;
    if (a.type === 'identifier' && params.includes(a.text)) return `param:${params.indexOf(a.text)}`;
    return RECEIVERS.has(a.type) ? receiverOf(a) ?? '' : '';
  });
  if (recvs.every((r) => r === '')) return undefined;
  return [{ name: 'repo-super', node: call, data: { cls: owner.cls, base: bases[bases.length - 1], args: recvs.join('\n') } }];
}

/** Arguments that can be a collection or a model: a name, a member (`db.users`), a lookup (`db.collection('users')`, `db["users"]`). */
const RECEIVERS = new Set(['identifier', 'call_expression', 'member_expression', 'call', 'attribute', 'subscript']);
/** Other arguments that keep their place (a value passed along: `UserEntity`, `{ timestamps: true }`, a number). */
const POSITIONAL = new Set(['object', 'dictionary', 'array', 'list', 'number', 'integer', 'float', 'true', 'false', 'null', 'none', 'arrow_function', 'lambda', 'new_expression', 'template_string', 'string', 'concatenated_string', 'binary_expression', 'binary_operator', 'as_expression', 'non_null_expression']);

/**
 * What a query's receiver says of a repository: `this` in a method (an instance of its class),
 * `this.f` (the field `f` of the method's class, and an instance of the field's declared type),
 * or a value the model types as an instance of a project class.
 */
export function receiverRepository(file: FileContext, call: SyntaxNode, receiver: SyntaxNode): Record<string, string> {
  const owner = classAt(file, call);
  const isSelf = (n: SyntaxNode | null) => n?.type === 'this' || (n?.type === 'identifier' && n.text === 'self');
  // `this.findOne({ … })` means something only in a subclass: a class with no base binds no collection by `super`.
  if (isSelf(receiver)) return owner && file.model.classes.some((c) => c.name === owner.cls && c.bases.length > 0) ? { instance: owner.cls } : {};
  const out: Record<string, string> = {};
  if ((receiver.type === 'member_expression' || receiver.type === 'attribute') && isSelf(receiver.childForFieldName('object')) && owner) {
    const field = (receiver.childForFieldName('property') ?? receiver.childForFieldName('attribute'))!.text;
    out.owner = owner.cls;
    out.field = field;
  }
  const r = file.resolve(receiver);
  if ((r.kind === 'class' && r.instance) || (r.kind === 'import' && r.instance && r.name !== undefined && r.rest.length === 0)) out.instance = r.kind === 'class' ? r.name : r.name!;
  return out;
}

interface Facts {
  /** By class name across the workspace (a monorepo's services use the repositories of another package); null where two files declare a class of that name. */
  wrappers: Map<string, { method: string; param: number; field: string }[] | null>;
  fields: Map<string, Map<string, FieldBinding | null>>;
  supers: Map<string, LocatedExport | null>;
}

/** The workspace's repository facts, by class name. */
export function repositoryFacts(wrappers: readonly LocatedExport[], fields: readonly LocatedExport[], supers: readonly LocatedExport[]): Facts {
  const facts: Facts = { wrappers: new Map(), fields: new Map(), supers: new Map() };
  const files = new Map<string, string>();
  // Two files declaring a class of one name: which one an instance is, is unknown.
  const clash = (x: LocatedExport) => {
    const cls = String(x.data.cls);
    const seen = files.get(cls);
    files.set(cls, seen ?? x.file);
    return seen !== undefined && seen !== x.file;
  };
  for (const w of [...wrappers, ...fields]) if (clash(w)) facts.wrappers.set(String(w.data.cls), null);
  for (const w of wrappers) {
    const cls = String(w.data.cls);
    const list = facts.wrappers.get(cls);
    if (list === null) continue;
    facts.wrappers.set(cls, [...(list ?? []), { method: String(w.data.method), param: Number(w.data.param), field: String(w.data.field) }]);
  }
  for (const f of fields) {
    const cls = String(f.data.cls);
    const m = facts.fields.get(cls) ?? new Map<string, FieldBinding | null>();
    const binding: FieldBinding = f.data.nameParam !== undefined ? { nameParam: Number(f.data.nameParam) } : { param: Number(f.data.param) };
    const seen = m.get(String(f.data.field));
    m.set(String(f.data.field), facts.wrappers.get(cls) === null ? null : seen === undefined || (seen !== null && JSON.stringify(seen) === JSON.stringify(binding)) ? binding : null);
    facts.fields.set(cls, m);
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
    const binding = facts.fields.get(classes[k])?.get(field);
    if (binding === undefined) continue;
    if (binding === null) return undefined;
    let position = 'param' in binding ? binding.param : binding.nameParam;
    // Down the chain from the binding class: a class that passes its own parameter on leaves the
    // answer to its subclass's `super(...)`, ending at the instance's class.
    for (let j = k - 1; j >= 0; j--) {
      const passed = facts.supers.get(classes[j]);
      const arg = passed ? String(passed.data.args).split('\n')[position] : undefined;
      if (!arg) return undefined;
      if (arg.startsWith('param:')) {
        position = Number(arg.slice(6));
        continue;
      }
      // The collection itself, or its name for the base to look up.
      const recv = 'param' in binding ? (arg.startsWith('str:') ? undefined : arg) : arg.startsWith('str:') ? `coll:${arg.slice(4)}` : undefined;
      return recv ? { recv, at: passed! } : undefined;
    }
    return undefined;
  }
  return undefined;
}

/** A wrapper method of `cls` or its bases that takes the filter at `position`: the field it queries and where it is. */
export function wrapperOf(facts: Facts, cls: string, method: string, position: number): { field: string; cls: string } | undefined {
  for (const c of chain(facts, cls)) {
    const list = facts.wrappers.get(c);
    if (list === null) return undefined;
    // The nearest wrapper of that name; one that takes the filter elsewhere is no match.
    const w = list?.find((x) => x.method === method);
    if (w) return w.param === position ? { field: w.field, cls: c } : undefined;
  }
  return undefined;
}
