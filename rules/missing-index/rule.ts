import type { SyntaxNode } from 'tree-sitter';
import {
  defineRule,
  type ExportInit,
  type LocatedExport,
  type RuleMatch,
  type RuleMeta,
  type WorkspaceFindingInit,
  type WorkspaceView,
} from '../../server/src/engine/rule-api';
import { objectProperties, pythonArguments, stringLiteral } from '../../server/src/engine/syntax';
import { models, type DocumentClasses, type LanguageModels } from '../../server/src/model/library';
import type { FileContext } from '../../server/src/model/file-context';
import { effectsOf } from '../unbounded-fan-out/model';
import meta from './rule.json';
import python from './python.scm';
import typescript from './typescript.scm';
import go from './go.scm';
import { pushTo } from '../../server/src/engine/multimap';
import { fieldReceiver, receiverRepository, repositoryFacts, superExports, wrapperExports, wrapperOf } from './repositories';

/**
 * Files export their MongoDB queries (collection and filter fields), their index declarations and
 * what names stand for which collection; the workspace pass joins them. A receiver is encoded as
 * `coll:<collection>` (known from the code at the call), `alias:<name>` (a variable or attribute
 * resolved with the same file's aliases) or `model:<Model>` (a mongoose model).
 */

/**
 * What the models say of MongoDB: which libraries talk to it (a client whose service is
 * `mongodb`), which calls take a filter document first (`find`, `update_one`: `arguments.filter`),
 * which look a collection up by name (`get_collection`, `collection`, `__getitem__`:
 * `arguments.name` returning a collection type), which calls declare indexes, and which receiver
 * names stand for a collection or a model (conventions).
 */
interface Mongo {
  libraries: Set<string>;
  /** Member names that take a filter document, with where it stands (first in Python and TS/JS, after the context in Go). */
  filtered: Map<string, Set<number>>;
  /** Member names that return a collection named by their first argument. */
  lookups: Set<string>;
  /** Names that make an index model (`IndexModel`): their first argument holds the keys. */
  indexModels: Set<string>;
  /** Receiver names that hold a collection, not name one: `users_collection`, `coll` (conventions). */
  collectionNames: RegExp[];
  /** Receiver names that are a model made by name (mongoose `User`). */
  modelNames: RegExp[];
  /** ODMs whose classes are collections (Beanie), from the models' `documentClasses`. */
  documents: DocumentClasses[];
}

const mongoCache = new WeakMap<LanguageModels, Mongo>();

function mongoOf(lang: LanguageModels): Mongo {
  let m = mongoCache.get(lang);
  if (m) return m;
  m = { libraries: new Set(), filtered: new Map(), lookups: new Set(), indexModels: new Set(), collectionNames: [], modelNames: [], documents: [] };
  const collectionTypes = new Set<string>();
  const libs = lang.libraries.filter((l) => (l.file.symbols ?? []).some((x) => x.client?.service === 'mongodb') || l.file.documentClasses !== undefined);
  for (const l of libs) if (l.file.documentClasses) m.documents.push(l.file.documentClasses);
  for (const l of libs) {
    m.libraries.add(l.name);
    for (const t of l.file.types ?? []) {
      for (const mem of t.members ?? []) {
        const filter = (mem as { arguments?: { filter?: unknown } }).arguments?.filter;
        const index = typeof filter === 'number' ? filter : (filter as { argument?: number } | undefined)?.argument;
        if (index !== undefined) {
          m.filtered.set(mem.name, (m.filtered.get(mem.name) ?? new Set()).add(index));
          collectionTypes.add(t.name);
        }
      }
    }
    for (const x of l.file.symbols ?? []) if ((x as { arguments?: { keys?: unknown } }).arguments?.keys === 0 && x.kind === 'class') m.indexModels.add(x.name.split('.').pop()!);
  }
  for (const l of libs) {
    for (const t of l.file.types ?? []) {
      for (const mem of t.members ?? []) {
        if ((mem as { arguments?: { name?: unknown } }).arguments?.name === 0 && mem.returns && collectionTypes.has(mem.returns)) m.lookups.add(mem.name);
      }
    }
  }
  // A model made by name: the type a symbol returns from its `arguments.name` (mongoose.model('User', …)).
  const modelTypes = new Set(libs.flatMap((l) => (l.file.symbols ?? []).filter((x) => (x as { arguments?: { name?: unknown } }).arguments?.name === 0 && x.returns && collectionTypes.has(x.returns)).map((x) => x.returns!)));
  for (const c of lang.conventions) {
    if (!c.type || !collectionTypes.has(c.type)) continue;
    (modelTypes.has(c.type) ? m.modelNames : m.collectionNames).push(c.pattern);
  }
  mongoCache.set(lang, m);
  return m;
}

function collectionName(mongo: Mongo, name: string): boolean {
  return mongo.collectionNames.some((p) => p.test(name));
}

function pyReceiver(node: SyntaxNode, mongo: Mongo): string | undefined {
  switch (node.type) {
    case 'subscript': {
      const name = stringLiteral(node.childForFieldName('subscript'));
      return name ? `coll:${name}` : undefined;
    }
    case 'call': {
      const fn = node.childForFieldName('function');
      const arg = node.childForFieldName('arguments')?.namedChildren[0];
      const name = stringLiteral(arg);
      return fn?.type === 'attribute' && mongo.lookups.has(fn.childForFieldName('attribute')?.text ?? '') && name ? `coll:${name}` : undefined;
    }
    case 'attribute': {
      const attr = node.childForFieldName('attribute')!.text;
      return collectionName(mongo, attr) ? `alias:${attr}` : `coll:${attr}`;
    }
    case 'identifier':
      return collectionName(mongo, node.text) ? `alias:${node.text}` : undefined;
    default:
      return undefined;
  }
}

function tsReceiver(node: SyntaxNode, mongo: Mongo): string | undefined {
  switch (node.type) {
    case 'call_expression': {
      const fn = node.childForFieldName('function');
      const arg = node.childForFieldName('arguments')?.namedChildren[0];
      const name = stringLiteral(arg);
      return fn?.type === 'member_expression' && mongo.lookups.has(fn.childForFieldName('property')?.text ?? '') && name ? `coll:${name}` : undefined;
    }
    case 'identifier':
      // `User.find` is a mongoose model (resolved against the workspace's models), `users.find` an alias.
      return mongo.modelNames.some((p) => p.test(node.text)) ? `model:${node.text}` : `alias:${node.text}`;
    case 'member_expression':
      return `alias:${node.childForFieldName('property')!.text}`;
    default:
      return undefined;
  }
}

function goReceiver(node: SyntaxNode, mongo: Mongo): string | undefined {
  switch (node.type) {
    case 'call_expression': {
      const fn = node.childForFieldName('function');
      const method = fn?.type === 'selector_expression' ? fn.childForFieldName('field')?.text ?? '' : '';
      // coll.Indexes().CreateOne(...): the index view's collection.
      if (method === 'Indexes' && (node.childForFieldName('arguments')?.namedChildren.length ?? 0) === 0) return goReceiver(fn!.childForFieldName('operand')!, mongo);
      const name = stringLiteral(node.childForFieldName('arguments')?.namedChildren[0]);
      return mongo.lookups.has(method) && name ? `coll:${name}` : undefined;
    }
    case 'selector_expression':
      return `alias:${node.childForFieldName('field')!.text}`;
    case 'identifier':
      return `alias:${node.text}`;
    default:
      return undefined;
  }
}

/** `bson.M{"email": e}`, `bson.D{{"org", id}}`, `bson.D{{Key: "team", Value: t}}`: the filter's keys; undefined when one is computed or an operator. */
function goFilterFields(lit: SyntaxNode): string[] | undefined {
  const body = lit.childForFieldName('body');
  if (!body) return undefined;
  const fields: string[] = [];
  for (const el of body.namedChildren) {
    if (el.type === 'comment') continue;
    let key: string | undefined;
    if (el.type === 'keyed_element') key = stringLiteral(el.childForFieldName('key')?.namedChildren[0]);
    else if (el.type === 'literal_element' && el.namedChildren[0]?.type === 'literal_value') {
      // One element of a bson.D: {"org", id} or {Key: "org", Value: id}.
      const parts = el.namedChildren[0].namedChildren.filter((c) => c.type !== 'comment');
      const keyed = parts.find((p) => p.type === 'keyed_element' && p.childForFieldName('key')?.text === 'Key');
      key = stringLiteral((keyed ? keyed.childForFieldName('value') : parts[0])?.namedChildren[0]);
    }
    if (key === undefined || key.startsWith('$')) return undefined;
    fields.push(key);
  }
  return fields;
}

/** `mongo.IndexModel{Keys: bson.D{{"email", 1}}}`, or a slice of them (CreateMany): each index's keys. */
function goIndexKeys(lit: SyntaxNode): string[][] {
  const type = lit.childForFieldName('type');
  const elements = lit.childForFieldName('body')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
  const models = type?.type === 'slice_type' ? elements.map((e) => e.namedChildren[0]).filter((e): e is SyntaxNode => !!e) : [lit];
  const out: string[][] = [];
  for (const m of models) {
    // An element of []mongo.IndexModel is a bare literal_value; the model itself a composite literal.
    const body = m.type === 'composite_literal' ? m.childForFieldName('body') : m.type === 'literal_value' ? m : undefined;
    const keys = body?.namedChildren.find((k) => k.type === 'keyed_element' && k.childForFieldName('key')?.text === 'Keys')?.childForFieldName('value')?.namedChildren[0];
    const text = keys?.type === 'composite_literal' ? keys.text : '';
    // A text index serves $text searches, not equality on its fields.
    const fields = keys?.type === 'composite_literal' && !/"text"/.test(text) ? goFilterFields(keys) : undefined;
    if (fields && fields.length > 0) out.push(fields);
  }
  return out;
}

/** The name a Go value is kept under: `users := …`, `s.users = …`, `users: …` in a struct literal, `var users = …`. */
function goAliasName(value: SyntaxNode): string | undefined {
  const p = value.parent;
  if (p?.type === 'literal_element' && p.parent?.type === 'keyed_element') return p.parent.childForFieldName('key')?.text;
  if (p?.type !== 'expression_list') return undefined;
  const stmt = p.parent;
  if (!stmt || !['short_var_declaration', 'assignment_statement', 'var_spec'].includes(stmt.type)) return undefined;
  const i = p.namedChildren.findIndex((c) => c.startIndex === value.startIndex);
  const left = stmt.type === 'var_spec' ? stmt.childrenForFieldName('name') : stmt.childForFieldName('left')?.namedChildren ?? [];
  const target = left[i];
  return target?.type === 'selector_expression' ? target.childForFieldName('field')?.text : target?.text;
}

/** The keys of a literal filter document; undefined when one is computed or an operator (`$or`, `$text`). */
function filterFields(filter: SyntaxNode, language: string): string[] | undefined {
  const fields: string[] = [];
  for (const c of filter.namedChildren) {
    if (c.type === 'comment') continue;
    let key: string | undefined;
    if (language === 'python') {
      if (c.type !== 'pair') return undefined;
      key = stringLiteral(c.childForFieldName('key'));
    } else if (c.type === 'pair') {
      const k = c.childForFieldName('key')!;
      key = k.type === 'property_identifier' ? k.text : stringLiteral(k);
    } else if (c.type === 'shorthand_property_identifier') {
      key = c.text;
    } else return undefined;
    if (key === undefined || key.startsWith('$')) return undefined;
    fields.push(key);
  }
  return fields;
}

/** Index key lists from the argument of create_index / createIndex / createIndexes / schema.index. */
function indexKeys(node: SyntaxNode, language: string, mongo: Mongo): string[][] {
  const single = (n: SyntaxNode): string[] | undefined => {
    const s = stringLiteral(n);
    if (s !== undefined) return [s];
    if (n.type === 'list' || n.type === 'array') {
      // [("a", 1), ("b", -1)]
      const keys = n.namedChildren.map((t) => (t.type === 'tuple' || t.type === 'array' ? stringLiteral(t.namedChildren[0]) : undefined));
      return keys.every((k) => k !== undefined) && keys.length > 0 ? (keys as string[]) : undefined;
    }
    if (n.type === 'dictionary' || n.type === 'object') {
      const keys = filterFields(n, language);
      // A text index serves $text searches, not equality on its fields.
      if (!keys || n.text.includes("'text'") || n.text.includes('"text"')) return undefined;
      return keys.length > 0 ? keys : undefined;
    }
    if (n.type === 'call' && mongo.indexModels.has(n.childForFieldName('function')?.text.split('.').pop() ?? '')) {
      const first = n.childForFieldName('arguments')?.namedChildren[0];
      return first ? single(first) : undefined;
    }
    return undefined;
  };
  // Several index models (`[IndexModel(...)]`, `[{ key: {...} }]`), or one index (a name, `[("a", 1)]`, `{ a: 1 }`): by the argument's shape.
  const many = (node.type === 'list' || node.type === 'array') && node.namedChildren.length > 0 && node.namedChildren.every((i) => i.type === 'object' || i.type === 'call');
  if (!many) {
    const k = single(node);
    return k ? [k] : [];
  }
  const out: string[][] = [];
  for (const item of node.namedChildren) {
    // createIndexes([{ key: { a: 1 } }]) in the Node driver; IndexModel(...) in PyMongo.
    const key = item.type === 'object' ? objectProperties(item).props.get('key') : item;
    const k = key ? single(key) : undefined;
    if (k) out.push(k);
  }
  return out;
}

/** A call the project defines itself (a function or class of the file, an import no model knows that is not a value's member): not the driver's. */
function ownCall(match: RuleMatch, call: SyntaxNode): boolean {
  const r = match.file.resolveCallee(call);
  if (r.kind === 'library') return !effectsOf(r.row).some((e) => e.startsWith('db-') || e === 'index-declare') && r.row.name !== '*';
  return r.kind === 'function' || (r.kind === 'class' && !r.instance);
}

function exportsOf(match: RuleMatch): ExportInit[] | undefined {
  const call = match.node('call')!;
  const lang = match.language;
  const mongo = mongoOf(match.file.lang);
  const receiverOf = (n: SyntaxNode) => (lang === 'python' ? pyReceiver(n, mongo) : lang === 'go' ? goReceiver(n, mongo) : tsReceiver(n, mongo));
  switch (match.props.export) {
    case 'mongo-driver': {
      const module = match.text('module')!;
      const lib = match.file.lang.libraryOfModule(module);
      return lib && mongo.libraries.has(lib.name) ? [{ name: 'mongo-driver', node: call, data: { module } }] : undefined;
    }
    case 'mongo-query': {
      const filter = match.node('filter')!;
      const position = filter.parent!.namedChildren.filter((c) => c.type !== 'comment').findIndex((c) => c.startIndex === filter.startIndex);
      if (!mongo.filtered.get(match.text('method')!)?.has(position)) return undefined;
      const receiver = match.node('receiver')!;
      // A query through a project class (a generic repository) is the workspace's to resolve.
      const repo = lang === 'go' ? {} : receiverRepository(match.file, call, receiver);
      const own = ownCall(match, call);
      if (!repo.instance && own) return undefined;
      // A method of the project's own class is no driver call: only its wrappers say what it queries.
      const recv = repo.instance && own ? 'self:' : receiverOf(receiver) ?? (repo.instance ? 'self:' : undefined);
      const fields = filter.type === 'comparison_operator' ? comparedFields(filter, match.text('receiver')!) : lang === 'go' ? goFilterFields(filter) : filterFields(filter, lang);
      if (!recv || !fields || fields.length === 0) return undefined;
      return [{ name: 'mongo-query', node: filter, data: { recv, fields: fields.join(','), method: match.text('method')!, position, ...repo } }];
    }
    case 'repo-call': {
      // Calls of driver methods are mongo-query's; the rest count only on a project class's instance, through its wrappers.
      if (mongo.filtered.has(match.text('method')!)) return undefined;
      const { instance } = receiverRepository(match.file, call, match.node('receiver')!);
      const fields = filterFields(match.node('filter')!, lang);
      if (!instance || !fields || fields.length === 0) return undefined;
      return [{ name: 'mongo-query', node: match.node('filter')!, data: { recv: 'self:', fields: fields.join(','), method: match.text('method')!, position: 0, instance } }];
    }
    case 'repo-wrapper':
      return mongo.filtered.get(match.text('method')!)?.has(0) ? wrapperExports(match, call, match.text('field')!, match.node('filter'), (m) => mongo.lookups.has(m)) : undefined;
    case 'repo-super':
      return superExports(match, call, (n) => (lang === 'python' ? pyReceiver(n, mongo) : tsReceiver(n, mongo)));
    case 'mongo-index': {
      if (ownCall(match, call)) return undefined;
      const receiver = match.node('receiver')!;
      const keys = lang === 'go' ? goIndexKeys(match.node('keys')!) : indexKeys(match.node('keys')!, lang, mongo);
      if (keys.length === 0) return undefined;
      // schema.index({...}) belongs to a schema (a type whose declarations are joined with its model by name), not to a collection.
      const onSchema = schemaMember(match.file.lang, match.text('method')!);
      const recv = onSchema ? (receiver.type === 'identifier' ? `schema:${receiver.text}` : undefined) : receiverOf(receiver);
      if (!recv) return undefined;
      return keys.map((k) => ({ name: 'mongo-index', node: call, data: { recv, fields: k.join(',') } }));
    }
    case 'mongo-alias': {
      if (lang === 'python') {
        if (!collectionName(mongo, match.text('name')!)) return undefined;
        const recv = pyReceiver(match.node('value')!, mongo);
        return recv?.startsWith('coll:') ? [{ name: 'mongo-alias', node: call, data: { name: match.text('name')!, recv } }] : undefined;
      }
      if (!mongo.lookups.has(match.text('method')!)) return undefined;
      const name = lang === 'go' ? goAliasName(call) : aliasName(call);
      return name ? [{ name: 'mongo-alias', node: call, data: { name, recv: `coll:${match.text('collection')!}` } }] : undefined;
    }
    case 'mongoose-schema': {
      // A schema constructor the models say declares indexes (`new Schema({ f: { index: true } })`).
      const ctor = match.text('ctor')!;
      if (!match.file.lang.libraries.some((l) => (l.file.symbols ?? []).some((x) => x.kind === 'class' && x.name.split('.').pop() === ctor && effectsOf(x).includes('index-declare')))) return undefined;
      const name = aliasName(call) ?? `@${call.startIndex}`;
      const fields: string[] = [];
      for (const [field, def] of objectProperties(match.node('definition')!).props) {
        if (def.type !== 'object') continue;
        const opts = objectProperties(def).props;
        const on = (k: string) => opts.get(k)?.text === 'true';
        if (on('index') || on('unique')) fields.push(field);
      }
      // An inline schema (`model('User', new Schema(...))`) is named by its position for the model to find.
      return fields.map((f) => ({ name: 'mongo-index', node: call, data: { recv: `schema:${name}`, fields: f } }));
    }
    case 'odm-document':
      return documentExports(match.file, call, mongo);
    case 'odm-keyword-query':
      return keywordQuery(match, mongo);
    case 'mongoose-model': {
      const args = call.childForFieldName('arguments')!.namedChildren.filter((a) => a.type !== 'comment');
      const schema = args[1];
      if (!schema) return undefined; // model('User') looks a model up: no definition here
      const schemaName = schema.type === 'identifier' ? schema.text : schema.type === 'new_expression' ? `@${schema.startIndex}` : undefined;
      const collection = stringLiteral(args[2]) ?? pluralize(match.text('model')!);
      const data: Record<string, string> = { model: match.text('model')!, collection };
      if (schemaName) data.schema = schemaName;
      return [{ name: 'mongoose-model', node: call, data }];
    }
    default:
      return undefined;
  }
}

/** `User.email == email` (Beanie): the document class's field compared for equality; undefined for anything else. */
function comparedFields(cmp: SyntaxNode, receiver: string): string[] | undefined {
  const ops = cmp.children.filter((c) => !c.isNamed).map((c) => c.type);
  const left = cmp.namedChildren[0];
  if (ops.length !== 1 || ops[0] !== '==' || left?.type !== 'attribute' || left.childForFieldName('object')?.text !== receiver) return undefined;
  return [left.childForFieldName('attribute')!.text];
}

/**
 * A document class of an ODM whose classes are collections (Beanie): the collection it queries
 * (its settings class's name, or its own), exported as a model by its class name, and the indexes
 * it declares: fields annotated `Indexed(...)`, and the settings class's index list.
 */
function documentExports(file: FileContext, cls: SyntaxNode, mongo: Mongo): ExportInit[] | undefined {
  const bases = (cls.childForFieldName('superclasses')?.namedChildren ?? []).filter((b) => b.type === 'identifier' || b.type === 'attribute');
  const odm = mongo.documents.find((d) => bases.some((b) => {
    const r = file.resolve(b);
    return r.kind === 'library' && d.bases.includes(r.qname);
  }));
  if (!odm) return undefined;
  const model = cls.childForFieldName('name')!.text;
  const body = cls.childForFieldName('body')?.namedChildren ?? [];
  const statements = (nodes: SyntaxNode[]) => nodes.map((s) => (s.type === 'expression_statement' ? s.namedChildren[0] : s)).filter((s): s is SyntaxNode => !!s);
  const assigned = (nodes: SyntaxNode[], attr: string) => statements(nodes).find((a) => a.type === 'assignment' && a.childForFieldName('left')?.text === attr)?.childForFieldName('right');
  // The settings: a nested class (Beanie's `class Settings`) or a dictionary attribute (mongoengine's `meta = {...}`).
  const settings = body.find((s) => s.type === 'class_definition' && s.childForFieldName('name')?.text === odm.settingsClass);
  const dict = odm.settingsDict ? assigned(body, odm.settingsDict) : undefined;
  const setting = (attr: string | undefined): SyntaxNode | undefined => {
    if (!attr) return undefined;
    if (settings) return assigned(settings.childForFieldName('body')?.namedChildren ?? [], attr) ?? undefined;
    if (dict?.type !== 'dictionary') return undefined;
    return dict.namedChildren.find((p) => p.type === 'pair' && stringLiteral(p.childForFieldName('key')) === attr)?.childForFieldName('value') ?? undefined;
  };
  const collection = stringLiteral(setting(odm.collectionAttribute)) ?? (odm.collectionNaming === 'snake_case' ? snakeCase(model) : model);
  const out: ExportInit[] = [{ name: 'mongoose-model', node: cls, data: { model, collection } }];
  const recv = `model:${model}`;
  for (const a of statements(body)) {
    if (a.type !== 'assignment') continue;
    const field = a.childForFieldName('left');
    if (field?.type !== 'identifier') continue;
    // email: Indexed(str, unique=True) / email: Annotated[str, Indexed()] (an annotation the models name)
    const type = a.childForFieldName('type');
    const annotated = !!type && type.descendantsOfType('call').some((c) => {
      const r = file.resolveCallee(c);
      return r.kind === 'library' && (odm.indexedAnnotations ?? []).includes(r.qname);
    });
    // email = StringField(unique=True) (a field option the models name)
    const value = a.childForFieldName('right');
    const option = value?.type === 'call' && (odm.indexedFieldOptions ?? []).some((o) => pythonArguments(value).keywords.get(o)?.text === 'True');
    if (annotated || option) out.push({ name: 'mongo-index', node: a, data: { recv, fields: field.text } });
  }
  const list = setting(odm.indexesAttribute);
  if (list?.type === 'list' || list?.type === 'tuple') {
    for (const item of list.namedChildren) {
      const keys = odm.indexFormat === 'field-specs' ? fieldSpecKeys(item) : indexKeys(item, 'python', mongo);
      for (const k of keys) out.push({ name: 'mongo-index', node: item, data: { recv, fields: k.join(',') } });
    }
  }
  return out;
}

/** An index entry written as field specs: `'-date'`, `('org', '-date')`, `{'fields': ['a', 'b']}`; a text index (`$title`) serves no equality. */
function fieldSpecKeys(item: SyntaxNode): string[][] {
  const spec = (n: SyntaxNode | undefined): string | undefined => {
    const s = stringLiteral(n);
    if (s === undefined || s.startsWith('$')) return undefined;
    return s.replace(/^[-+#]/, '');
  };
  let fields: SyntaxNode[] = [item];
  if (item.type === 'list' || item.type === 'tuple') fields = item.namedChildren;
  else if (item.type === 'dictionary') {
    const f = item.namedChildren.find((p) => p.type === 'pair' && stringLiteral(p.childForFieldName('key')) === 'fields')?.childForFieldName('value');
    fields = f && (f.type === 'list' || f.type === 'tuple') ? f.namedChildren : [];
  }
  const keys = fields.map(spec);
  return keys.length > 0 && keys.every((k) => k !== undefined) ? [keys as string[]] : [];
}

/** The query-manager attributes the models' document classes name (`objects`), as the query's quoted alternatives. */
function queryManagers(lang: LanguageModels): string {
  const names = new Set(lang.libraries.map((l) => l.file.documentClasses?.queryManager?.attribute).filter((n): n is string => !!n));
  return [...names].sort().map((n) => JSON.stringify(n)).join(' ') || '"\\u0000"';
}

/** `UserProfile` → `user_profile`, `APIKey` → `a_p_i_key`: mongoengine's default collection name (an underscore before each capital). */
function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c}`).replace(/^_+|_+$/g, '').toLowerCase();
}

/**
 * `User.objects(email=e)`, `User.objects.get(email=e)`, `User.objects.filter(email=e)` (an ODM's
 * query manager, from the models' documentClasses): the keywords are the filter's fields, up to
 * their `__` operator (`age__gte`). The receiver is judged a document class by the workspace join.
 */
function keywordQuery(match: RuleMatch, mongo: Mongo): ExportInit[] | undefined {
  const manager = match.text('manager')!;
  const method = match.text('method');
  const odm = mongo.documents.find((d) => d.queryManager?.attribute === manager && (method === undefined || d.queryManager.filters.includes(method)));
  if (!odm) return undefined;
  const call = match.node('call')!;
  const { keywords } = pythonArguments(call);
  const fields = [...new Set([...keywords.keys()].map((k) => k.split('__')[0]).map((k) => (k === 'pk' || k === 'id' ? '_id' : k)))];
  if (fields.length === 0) return undefined;
  return [{ name: 'mongo-query', node: call, data: { recv: `model:${match.text('receiver')!}`, fields: fields.join(','), method: method ?? manager } }];
}

/** Whether an index-declaring member belongs to a schema type (declared on the symbol that makes it, `new Schema`), not to a collection. */
function schemaMember(lang: LanguageModels, method: string): boolean {
  return lang.libraries.some((l) => (l.file.symbols ?? []).some((x) => effectsOf(x).includes('index-declare') && x.returns && lang.type(x.returns)?.row.members?.some((m) => m.name === method && effectsOf(m).includes('index-declare'))));
}

/** The variable or property a value is assigned to: `const users = …`, `this.users = …`, `users: … = …`. */
function aliasName(value: SyntaxNode): string | undefined {
  let n = value.parent;
  while (n && (n.type === 'as_expression' || n.type === 'parenthesized_expression' || n.type === 'await_expression')) n = n.parent;
  if (!n) return undefined;
  if (n.type === 'variable_declarator') return n.childForFieldName('name')?.text;
  if (n.type === 'assignment_expression') {
    const left = n.childForFieldName('left');
    return left?.type === 'member_expression' ? left.childForFieldName('property')?.text : left?.text;
  }
  if (n.type === 'public_field_definition') return n.childForFieldName('name')?.text;
  return undefined;
}

/**
 * Mongoose's default collection name for a model: lower case, and plural by English rules, except
 * for the words English does not count (`status`, `media`, `news`, … stay as they are) and a name
 * that ends in something other than a letter (`UserV2`).
 */
const UNCOUNTABLE = new Set(['advice', 'energy', 'excretion', 'digestion', 'cooperation', 'health', 'justice', 'labour', 'machinery', 'equipment', 'information', 'pollution', 'sewage', 'paper', 'money', 'species', 'series', 'rain', 'rice', 'fish', 'sheep', 'moose', 'deer', 'news', 'expertise', 'status', 'media']);
const PLURALS: [RegExp, string][] = [
  [/(m)an$/, '$1en'],
  [/(pe)rson$/, '$1ople'],
  [/(child)$/, '$1ren'],
  [/^(ox)$/, '$1en'],
  [/(ax|test)is$/, '$1es'],
  [/(octop|vir)us$/, '$1i'],
  [/(alias|bus)$/, '$1es'],
  [/(buffal|tomat|potat)o$/, '$1oes'],
  [/([ti])um$/, '$1a'],
  [/sis$/, 'ses'],
  [/(?:([^f])fe|([lr])f)$/, '$1$2ves'],
  [/(hive)$/, '$1s'],
  [/([^aeiouy]|qu)y$/, '$1ies'],
  [/(x|ch|ss|sh)$/, '$1es'],
  [/(matr|vert|ind)(ix|ex)$/, '$1ices'],
  [/([ml])ouse$/, '$1ice'],
  [/(quiz)$/, '$1zes'],
  [/^goose$/, 'geese'],
  [/s$/, 's'],
  [/[^a-z]$/, '$&'],
  [/$/, 's'],
];

function pluralize(model: string): string {
  const m = model.toLowerCase();
  if (UNCOUNTABLE.has(m)) return m;
  const [pattern, to] = PLURALS.find(([p]) => p.test(m))!;
  return m.replace(pattern, to);
}

function workspace(ws: WorkspaceView): WorkspaceFindingInit[] {
  // Without a MongoDB driver in the workspace, `x.find({...})` is somebody else's API.
  if (ws.exports('mongo-driver').length === 0) return [];
  // Aliases by file and name, and by name alone for names imported from another file.
  const aliases = new Map<string, Set<string>>();
  for (const a of ws.exports('mongo-alias')) {
    for (const key of [`${a.file}\0${a.data.name}`, `*\0${a.data.name}`]) aliases.set(key, (aliases.get(key) ?? new Set()).add(String(a.data.recv)));
  }
  const models = new Map<string, string>();
  const schemas = new Map<string, string>();
  for (const m of ws.exports('mongoose-model')) {
    models.set(String(m.data.model), String(m.data.collection));
    if (m.data.schema !== undefined) schemas.set(`${m.file}\0${m.data.schema}`, String(m.data.collection));
  }
  const collectionOf = (x: LocatedExport): string | undefined => {
    const recv = String(x.data.recv);
    const [kind, name] = [recv.slice(0, recv.indexOf(':')), recv.slice(recv.indexOf(':') + 1)];
    if (kind === 'coll') return name;
    if (kind === 'model') return models.get(name);
    if (kind === 'schema') return schemas.get(`${x.file}\0${name}`);
    const targets = aliases.get(`${x.file}\0${name}`) ?? aliases.get(`*\0${name}`);
    // A document class used as its collection (Beanie's `User.find_one(...)`), named like a collection variable.
    if (!targets) return models.get(name);
    // One name bound to different collections in one file (two repository classes) is ambiguous.
    return targets.size === 1 ? collectionOf({ ...x, data: { recv: [...targets][0] } }) : undefined;
  };

  const indexes = new Map<string, LocatedExport[]>();
  for (const i of ws.exports('mongo-index')) {
    const c = collectionOf(i);
    if (c !== undefined) pushTo(indexes, c, i);
  }
  const anyIndex = [...indexes.values()][0]?.[0];

  const repos = repositoryFacts(ws.exports('repo-wrapper'), ws.exports('repo-field'), ws.exports('repo-super'));
  /** The collection a query reads, with the repository class that binds it when it goes through one. */
  const resolveQuery = (q: LocatedExport): { collection: string; through?: string; bound?: LocatedExport } | undefined => {
    const { instance, owner, field } = q.data;
    const bound = (cls: string, f: string) => {
      const r = fieldReceiver(repos, cls, f);
      const collection = r && collectionOf({ ...r.at, data: { recv: r.recv } });
      return collection === undefined ? undefined : { collection, bound: r!.at };
    };
    if (instance !== undefined) {
      // repo.findOne({ email }), this.findOne({ email }) in a subclass: the wrapper's field, bound by the instance's class.
      const w = wrapperOf(repos, String(instance), String(q.data.method), Number(q.data.position));
      if (w) {
        const b = bound(String(instance), w.field);
        return b && { ...b, through: `${w.cls}.${String(q.data.method)}` };
      }
    }
    if (owner !== undefined && field !== undefined) {
      // this.model.find({ org }) in a subclass: the field its base's constructor binds.
      const b = bound(String(owner), String(field));
      if (b) return b;
    }
    const collection = String(q.data.recv) === 'self:' ? undefined : collectionOf(q);
    return collection === undefined ? undefined : { collection };
  };

  const out: WorkspaceFindingInit[] = [];
  for (const q of ws.exports('mongo-query')) {
    const resolved = resolveQuery(q);
    if (resolved === undefined) continue;
    const { collection } = resolved;
    const fields = String(q.data.fields).split(',');
    if (fields.includes('_id')) continue;
    const declared = indexes.get(collection) ?? [];
    if (declared.some((i) => fields.includes(String(i.data.fields).split(',')[0]))) continue;
    const list = fields.map((f) => `\`${f}\``).join(', ');
    const where = declared.length > 0
      ? `Indexes on \`${collection}\` start with ${[...new Set(declared.map((i) => `\`${String(i.data.fields).split(',')[0]}\``))].join(', ')}.`
      : anyIndex
        ? `No index on \`${collection}\` is declared in the workspace.`
        : 'No index is declared anywhere in the workspace: if they are created elsewhere (a migration tool, the Atlas UI), declare them in code so that they exist in every environment.';
    out.push({
      at: q,
      message:
        `\`${collection}\` is queried by ${list} (${resolved.through ? `${q.data.method}, through \`${resolved.through}\`` : q.data.method}) and no declared index starts with ${fields.length === 1 ? 'it' : 'any of them'}: ` +
        `MongoDB scans the whole collection for each such query, which is milliseconds at 10k documents and seconds at millions. ${where} ` +
        `Declare an index on ${fields.length === 1 ? list : `the most selective of ${list}`}.`,
      related: [
        ...(resolved.bound ? [{ at: resolved.bound, message: `the repository's collection (\`${collection}\`) is bound here` }] : []),
        ...(declared.length > 0 ? declared.slice(0, 3) : anyIndex ? [anyIndex] : []).map((i) => ({
          at: i,
          message: `index declared here (${String(i.data.fields)})`,
        })),
      ],
    });
  }
  return out;
}

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python: python.replace(/@QUERY_MANAGERS@/g, queryManagers(models().of('python'))), typescript, go },
  exports: exportsOf,
  workspace,
});
