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
import { objectProperties, stringLiteral } from '../../server/src/engine/syntax';
import meta from './rule.json';
import python from './python.scm';
import typescript from './typescript.scm';

/**
 * Files export their MongoDB queries (collection and filter fields), their index declarations and
 * what names stand for which collection; the workspace pass joins them. A receiver is encoded as
 * `coll:<collection>` (known from the code at the call), `alias:<name>` (a variable or attribute
 * resolved with the same file's aliases) or `model:<Model>` (a mongoose model).
 */

/** Names that hold a collection, not name one: `users_collection`, `self.collection`, `coll`. */
const ALIAS_NAME = /coll/i;

function pyReceiver(node: SyntaxNode): string | undefined {
  switch (node.type) {
    case 'subscript': {
      const name = stringLiteral(node.childForFieldName('subscript'));
      return name ? `coll:${name}` : undefined;
    }
    case 'call': {
      const fn = node.childForFieldName('function');
      const arg = node.childForFieldName('arguments')?.namedChildren[0];
      const name = stringLiteral(arg);
      return fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'get_collection' && name ? `coll:${name}` : undefined;
    }
    case 'attribute': {
      const attr = node.childForFieldName('attribute')!.text;
      return ALIAS_NAME.test(attr) ? `alias:${attr}` : `coll:${attr}`;
    }
    case 'identifier':
      return ALIAS_NAME.test(node.text) ? `alias:${node.text}` : undefined;
    default:
      return undefined;
  }
}

function tsReceiver(node: SyntaxNode): string | undefined {
  switch (node.type) {
    case 'call_expression': {
      const fn = node.childForFieldName('function');
      const arg = node.childForFieldName('arguments')?.namedChildren[0];
      const name = stringLiteral(arg);
      return fn?.type === 'member_expression' && fn.childForFieldName('property')?.text === 'collection' && name ? `coll:${name}` : undefined;
    }
    case 'identifier':
      // `User.find` is a mongoose model (resolved against the workspace's models), `users.find` an alias.
      return /^[A-Z]/.test(node.text) ? `model:${node.text}` : `alias:${node.text}`;
    case 'member_expression':
      return `alias:${node.childForFieldName('property')!.text}`;
    default:
      return undefined;
  }
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
function indexKeys(node: SyntaxNode, language: string, many: boolean): string[][] {
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
    if (n.type === 'call' && /IndexModel$/.test(n.childForFieldName('function')?.text ?? '')) {
      const first = n.childForFieldName('arguments')?.namedChildren[0];
      return first ? single(first) : undefined;
    }
    return undefined;
  };
  if (!many) {
    const k = single(node);
    return k ? [k] : [];
  }
  if (node.type !== 'list' && node.type !== 'array') return [];
  const out: string[][] = [];
  for (const item of node.namedChildren) {
    // createIndexes([{ key: { a: 1 } }]) in the Node driver; IndexModel(...) in PyMongo.
    const key = item.type === 'object' ? objectProperties(item).props.get('key') : item;
    const k = key ? single(key) : undefined;
    if (k) out.push(k);
  }
  return out;
}

function exportsOf(match: RuleMatch): ExportInit[] | undefined {
  const call = match.node('call')!;
  const lang = match.language;
  const receiverOf = (n: SyntaxNode) => (lang === 'python' ? pyReceiver(n) : tsReceiver(n));
  switch (match.props.export) {
    case 'mongo-driver':
      return [{ name: 'mongo-driver', node: call, data: { module: match.text('module')! } }];
    case 'mongo-query': {
      const recv = receiverOf(match.node('receiver')!);
      const filter = match.node('filter')!;
      const fields = filterFields(filter, lang);
      if (!recv || !fields || fields.length === 0) return undefined;
      return [{ name: 'mongo-query', node: filter, data: { recv, fields: fields.join(','), method: match.text('method')! } }];
    }
    case 'mongo-index': {
      const method = match.text('method')!;
      const receiver = match.node('receiver')!;
      const keys = indexKeys(match.node('keys')!, lang, method === 'create_indexes' || method === 'createIndexes');
      if (keys.length === 0) return undefined;
      // schema.index({...}) belongs to a mongoose schema, joined with its model by name.
      const recv = method === 'index' ? (receiver.type === 'identifier' ? `schema:${receiver.text}` : undefined) : receiverOf(receiver);
      if (!recv) return undefined;
      return keys.map((k) => ({ name: 'mongo-index', node: call, data: { recv, fields: k.join(',') } }));
    }
    case 'mongo-alias': {
      if (lang === 'python') {
        const recv = pyReceiver(match.node('value')!);
        return recv?.startsWith('coll:') ? [{ name: 'mongo-alias', node: call, data: { name: match.text('name')!, recv } }] : undefined;
      }
      const name = aliasName(call);
      return name ? [{ name: 'mongo-alias', node: call, data: { name, recv: `coll:${match.text('collection')!}` } }] : undefined;
    }
    case 'mongoose-schema': {
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

/** Mongoose's default collection name for a model: lower case, plural. */
function pluralize(model: string): string {
  const m = model.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(m)) return `${m}es`;
  if (/[^aeiou]y$/.test(m)) return `${m.slice(0, -1)}ies`;
  return `${m}s`;
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
    // One name bound to different collections in one file (two repository classes) is ambiguous.
    return targets?.size === 1 ? collectionOf({ ...x, data: { recv: [...targets][0] } }) : undefined;
  };

  const indexes = new Map<string, LocatedExport[]>();
  for (const i of ws.exports('mongo-index')) {
    const c = collectionOf(i);
    if (c !== undefined) indexes.set(c, [...(indexes.get(c) ?? []), i]);
  }
  const anyIndex = [...indexes.values()][0]?.[0];

  const out: WorkspaceFindingInit[] = [];
  for (const q of ws.exports('mongo-query')) {
    const collection = collectionOf(q);
    if (collection === undefined) continue;
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
        `\`${collection}\` is queried by ${list} (${q.data.method}) and no declared index starts with ${fields.length === 1 ? 'it' : 'any of them'}: ` +
        `MongoDB scans the whole collection for each such query, which is milliseconds at 10k documents and seconds at millions. ${where} ` +
        `Declare an index on ${fields.length === 1 ? list : `the most selective of ${list}`}.`,
      related: (declared.length > 0 ? declared.slice(0, 3) : anyIndex ? [anyIndex] : []).map((i) => ({
        at: i,
        message: `index declared here (${String(i.data.fields)})`,
      })),
    });
  }
  return out;
}

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python, typescript },
  exports: exportsOf,
  workspace,
});
