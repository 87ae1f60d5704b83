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
import { intLiteral, jsArguments, objectProperties, pythonArguments, stringLiteral } from '../../server/src/engine/syntax';
import type { FileContext } from '../../server/src/model/file-context';
import { models, type LanguageModels } from '../../server/src/model/library';
import { PROCESS_COUNT } from '../../server/src/workspace/deployment';
import { MONGODB_ASSUMED_CONNECTIONS } from '../../server/src/config/config';
import {
  argumentNode,
  calledSymbol,
  constructedBy,
  isEmbeddedValue,
  poolOptions,
  processSettings,
  withModelNames,
  type ClientModel,
  type Constructed,
  type PoolModel,
} from '../pool-unconfigured/clients';
import meta from './rule.json';
import python from './python.scm';
import go from './go.scm';
import typescript from './typescript.scm';

/**
 * Files export what each factor is (a pool's size, a process count); the workspace pass multiplies
 * them per project and compares with the database's limit from the configuration. Which calls
 * build a pool, which options, URL parameters, setters and positions size it, its defaults, the
 * database it connects to, and which calls and configuration settings start worker processes all
 * come from the library models; the rule keeps the arithmetic, URL schemes and the wording.
 */

type Db = 'postgresql' | 'mysql' | 'mongodb' | 'sql';
const DB_NAMES: Record<Db, string> = { postgresql: 'PostgreSQL', mysql: 'MySQL', mongodb: 'MongoDB', sql: 'the SQL database' };

function dbOfUrl(url: string | undefined): Db | undefined {
  if (url === undefined) return 'sql';
  if (/^postgres/i.test(url)) return 'postgresql';
  if (/^(mysql|mariadb)/i.test(url)) return 'mysql';
  if (/^mongodb/i.test(url)) return 'mongodb';
  if (/^sqlite/i.test(url)) return undefined;
  return 'sql';
}

function poolExport(node: SyntaxNode, db: Db, size: number, detail: string, runtime: string, extra: Record<string, string> = {}): ExportInit {
  return { name: 'pool-size', node, data: { db, size, detail, runtime, ...extra } };
}

/** `<n>` in a URI query string (`maxPoolSize=50`, `pool_max_conns=50`, `connection_limit=50`). */
function uriParam(text: string, name: string): number | undefined {
  const m = new RegExp(`[?&]${name}=(\\d+)`).exec(text);
  return m ? Number(m[1]) : undefined;
}

/** A call the models say gives the number of CPUs (`multiprocessing.cpu_count()`, `os.availableParallelism()`), or its `.length` (`os.cpus().length`). */
function isCpuCount(file: FileContext, node: SyntaxNode): boolean {
  const call = node.type === 'member_expression' && node.childForFieldName('property')?.text === 'length' ? node.childForFieldName('object') : node;
  if (!call || (call.type !== 'call' && call.type !== 'call_expression')) return false;
  return calledSymbol(file, call, (row) => (row.effect as string) === 'cpu-count') !== undefined;
}

/** `cpu_count() * 2 + 1`, `os.cpus().length`, `4`: a linear count of processes, or undefined. */
function processCount(file: FileContext, node: SyntaxNode | null | undefined): { count: number; perCpu: number } | undefined {
  if (!node) return undefined;
  const n = intLiteral(node);
  if (n !== undefined) return { count: n, perCpu: 0 };
  if (node.type === 'parenthesized_expression') return processCount(file, node.namedChildren[0]);
  if (isCpuCount(file, node)) return { count: 0, perCpu: 1 };
  if (node.type === 'binary_operator' || node.type === 'binary_expression') {
    const a = processCount(file, node.childForFieldName('left'));
    const b = processCount(file, node.childForFieldName('right'));
    const op = node.childForFieldName('operator')?.text;
    if (!a || !b) return undefined;
    if (op === '+') return { count: a.count + b.count, perCpu: a.perCpu + b.perCpu };
    if (op === '*' && (a.perCpu === 0 || b.perCpu === 0)) {
      const [k, x] = a.perCpu === 0 ? [a.count, b] : [b.count, a];
      return { count: k * x.count, perCpu: k * x.perCpu };
    }
  }
  return undefined;
}

function processes(node: SyntaxNode, runtime: string, source: string, value: { count: number; perCpu: number }, extra: Record<string, string> = {}): ExportInit {
  return { name: PROCESS_COUNT, node, data: { runtime, count: value.count, perCpu: value.perCpu, source, ...extra } };
}

/** The database a pool connects to: the model's service, or, for a generic SQL client, its URL's scheme or the driver its options name. */
function dbOf(file: FileContext, c: Constructed, url: string | undefined, serviceValue: string | undefined): Db | undefined {
  const service = c.client.service;
  if (service === 'postgresql' || service === 'mysql' || service === 'mongodb') return service;
  if (service !== 'sql') return undefined;
  if (c.client.serviceOption) return dbOfDriver(file.lang, serviceValue);
  return dbOfUrl(url);
}

/** knex's `client: 'pg'`, Sequelize's `dialect: 'postgres'`: the database of the library that name stands for, as the models say. */
function dbOfDriver(lang: LanguageModels, name: string | undefined): Db | undefined {
  if (name === undefined) return undefined;
  const lib = lang.libraryOfModule(name);
  for (const s of lib?.file.symbols ?? []) {
    const service = (s.client as ClientModel | undefined)?.service;
    if (service === 'postgresql' || service === 'mysql' || service === 'mongodb') return service;
  }
  return undefined;
}

/** Whether a name gives a pool option, case-insensitively where the model says so. */
function optionNamed(pool: PoolModel, name: string, option: string): boolean {
  return pool.caseInsensitive ? name.toLowerCase() === option.toLowerCase() : name === option;
}

function pythonExports(match: RuleMatch): ExportInit[] | undefined {
  const call = match.node('call')!;
  const file = match.file;
  if (match.props.export === PROCESS_COUNT) {
    if (call.type === 'expression_statement') {
      // Module level only: a `workers` attribute of a class or a local is something else.
      if (call.parent?.type !== 'module') return undefined;
      const setting = processSettings(file.lang).find((s) => s.name === match.text('name'));
      const value = match.node('value')!;
      const n = processCount(file, value);
      return setting && n ? [processes(value, 'python', `${setting.library} ${setting.name}`, n, { configFiles: setting.files.join(' ') })] : undefined;
    }
    const called = calledSymbol(file, call, (row) => (row.effect as string) === 'process-count');
    const keyword = called?.row.bound?.keyword;
    const workers = keyword ? pythonArguments(call).keywords.get(keyword) : undefined;
    const n = processCount(file, workers);
    return workers && n ? [processes(workers, 'python', `${call.childForFieldName('function')!.text}(${keyword}=…)`, n)] : undefined;
  }
  const c = constructedBy(file, call).find((x) => x.client.pool !== undefined);
  const pool = c?.client.pool;
  if (!c || !pool) return undefined;
  const { positional, keywords } = pythonArguments(call);
  const urlNode = argumentNode(c.client.url, positional, keywords);
  const url = stringLiteral(urlNode);
  if (c.client.embedded && isEmbeddedValue(urlNode, c.client.embedded)) return undefined;
  const db = dbOf(file, c, url, undefined);
  if (!db) return undefined;
  // poolclass=NullPool: no fixed set of connections for the size to bound.
  const impl = pool.implementation && keywords.get(pool.implementation.option);
  if (impl && !pool.implementation!.sized.some((s) => s.slice(s.lastIndexOf('.') + 1) === impl.text.slice(impl.text.lastIndexOf('.') + 1))) return undefined;
  const kw = (options: readonly string[] | undefined): [string, SyntaxNode] | undefined => {
    for (const [k, v] of keywords) if (options?.some((o) => optionNamed(pool, k, o))) return [k, v];
    return undefined;
  };
  const sized = kw(pool.options);
  const overflow = kw(pool.overflow);
  if (pool.overflow && (sized || overflow)) {
    // pool_size + max_overflow, with the default of the half not given.
    const size = intLiteral(sized?.[1]);
    const extra = intLiteral(overflow?.[1]);
    if (size === undefined && extra === undefined) return undefined;
    const sizeName = sized?.[0] ?? pool.options![0];
    const overflowName = overflow?.[0] ?? pool.overflow[0];
    const total = (size ?? pool.default ?? 0) + (extra ?? pool.defaultOverflow ?? 0);
    const detail = `${sizeName} ${size ?? `${pool.default} (default)`} + ${overflowName} ${extra ?? `${pool.defaultOverflow} (default)`}`;
    return [poolExport(sized?.[1] ?? overflow![1], db, total, detail, 'python')];
  }
  if (sized) {
    const size = intLiteral(sized[1]);
    return size === undefined ? undefined : [poolExport(sized[1], db, size, `${sized[0]} ${size}`, 'python')];
  }
  for (const o of pool.options ?? []) {
    const inUri = url === undefined ? undefined : uriParam(url, o);
    if (inUri !== undefined) return [poolExport(urlNode!, db, inUri, `${o}=${inUri} in the URI`, 'python')];
  }
  // psycopg2.pool.ThreadedConnectionPool(minconn, maxconn, ...)
  const at = pool.argument !== undefined ? positional[pool.argument] : undefined;
  const size = intLiteral(at);
  if (at) return size !== undefined ? [poolExport(at, db, size, `${pool.options?.[0] ?? 'size'} ${size}`, 'python')] : undefined;
  // Nothing sizes it here (and nothing could, unseen: no `**options`, no sizing keyword from a variable).
  const { splat } = pythonArguments(call);
  return splat || sized || overflow ? undefined : defaultPool(call, db, pool, 'python');
}

/**
 * A pool nothing sizes holds the driver's default per process (the models' `pool.default`, plus
 * `defaultOverflow`): reported only where the workspace starts several processes (see workspace).
 */
function defaultPool(node: SyntaxNode, db: Db, pool: NonNullable<ClientModel['pool']>, runtime: string): ExportInit[] | undefined {
  if (pool.default === undefined || pool.defaultPerCpu !== undefined) return undefined;
  const size = pool.default + (pool.defaultOverflow ?? 0);
  const name = pool.options?.[0] ?? 'pool size';
  const detail = pool.defaultOverflow !== undefined ? `${name} ${pool.default} + ${pool.overflow?.[0] ?? 'overflow'} ${pool.defaultOverflow}, the driver's defaults` : `${name} ${size}, the driver's default`;
  return [poolExport(node, db, size, detail, runtime, { defaulted: 'yes' })];
}

/** The pool models that name this option or setter, and the databases they connect to. */
function rowsSizedBy(lang: LanguageModels, name: string): Db[] {
  const out = new Set<Db>();
  for (const lib of lang.libraries) {
    for (const s of lib.file.symbols ?? []) {
      const client = s.client as ClientModel | undefined;
      if (!client?.pool || !(client.pool.options?.includes(name) || client.pool.setters?.includes(name))) continue;
      const service = client.service;
      if (service === 'postgresql' || service === 'mysql' || service === 'mongodb' || service === 'sql') out.add(service);
    }
  }
  return [...out];
}

function goExports(match: RuleMatch): ExportInit[] | undefined {
  const call = match.node('call')!;
  const file = match.file;
  if (call.type === 'interpreted_string_literal') {
    const text = call.text.slice(1, -1);
    for (const o of poolOptions(file.lang)) {
      const size = uriParam(text, o);
      if (size === undefined) continue;
      const db = rowsSizedBy(file.lang, o).find((d) => d !== 'sql') ?? dbOfUrl(text);
      return db ? [poolExport(call, db, size, `${o}=${size} in the DSN`, 'go')] : undefined;
    }
    return undefined;
  }
  // A receiver of the project's own type (a method of that name on a struct of this file) is not the library's.
  const receiver = file.resolve(match.node('receiver')!);
  if (receiver.kind === 'class' || (receiver.kind === 'import' && receiver.module !== '.')) return undefined;
  const sizeNode = match.node('size')!;
  const size = intLiteral(sizeNode)!;
  const method = match.text('method');
  const name = method ?? match.text('field')!;
  const dbs = rowsSizedBy(file.lang, name);
  const db = dbs.length === 1 ? dbs[0] : dbs.includes('sql') ? 'sql' : dbs[0];
  if (!db) return undefined;
  return [poolExport(sizeNode, db, size, method ? `${name}(${size})` : `${name} = ${size}`, 'go')];
}

function tsExports(match: RuleMatch): ExportInit[] | undefined {
  const call = match.node('call')!;
  const file = match.file;
  switch (match.props.export) {
    case 'cpu-count-alias':
      return [{ name: 'cpu-count-alias', node: match.node('name')!, data: { name: match.text('name')! } }];
    case PROCESS_COUNT:
      return tsProcesses(match, call);
  }
  if (call.type === 'string' || call.type === 'template_string') {
    const text = stringLiteral(call) ?? call.text;
    const db = dbOfUrl(text.replace(/^["'`]/, ''));
    if (!db) return undefined;
    for (const o of poolOptions(file.lang)) {
      const size = uriParam(text, o);
      if (size !== undefined) return [poolExport(call, db, size, `${o}=${size} in the URL`, 'node')];
    }
    return undefined;
  }
  const c = constructedBy(file, call).find((x) => x.client.pool !== undefined);
  const pool = c?.client.pool;
  if (!c || !pool) return undefined;
  const { args } = jsArguments(call);
  const objects = args.filter((a) => a.type === 'object');
  const optIdx = typeof c.row.arguments?.options === 'number' ? c.row.arguments.options : undefined;
  // The options object: where the model says it is, or the last object given (`new Sequelize(url, { ... })`).
  const options = optIdx !== undefined && args[optIdx]?.type === 'object' ? args[optIdx] : objects[objects.length - 1];
  const serviceValue = c.client.serviceOption && options ? stringLiteral(optionNode(options, c.client.serviceOption)) : undefined;
  if (!options) {
    // `new MongoClient(url)`: the driver's default pool, unless options come from a variable (`new Pool(config)`).
    const hidden = args.some((a, i) => i === optIdx || (a.type !== 'string' && a.type !== 'template_string' && i > 0));
    const urlNode = args.find((a) => a.type === 'string' || a.type === 'template_string');
    const db = dbOf(file, c, urlNode ? stringLiteral(urlNode) : undefined, undefined);
    return hidden || spreadIn(args) || !db || (urlNode && [...poolOptions(file.lang)].some((o) => uriParam(urlNode.text, o) !== undefined)) ? undefined : defaultPool(call, db, pool, 'node');
  }
  for (const o of pool.options ?? []) {
    const node = optionNode(options, o);
    if (!node) continue;
    const size = intLiteral(node);
    if (size === undefined) return undefined; // sized from a variable
    const db = dbOf(file, c, undefined, serviceValue);
    return db ? [poolExport(node, db, size, `${o} ${size}`, 'node')] : undefined;
  }
  if (objectProperties(options).spread) return undefined;
  const db = dbOf(file, c, undefined, serviceValue);
  return db ? defaultPool(call, db, pool, 'node') : undefined;
}

function spreadIn(args: SyntaxNode[]): boolean {
  return args.some((a) => a.type === 'spread_element');
}

/** The value of an option in an options object, a dotted name (`pool.max`) going into nested objects. */
function optionNode(obj: SyntaxNode | undefined, option: string): SyntaxNode | undefined {
  const [head, ...rest] = option.split('.');
  const v = obj?.type === 'object' ? objectProperties(obj).props.get(head) : undefined;
  return rest.length === 0 ? v : optionNode(v, rest.join('.'));
}

function tsProcesses(match: RuleMatch, call: SyntaxNode): ExportInit[] | undefined {
  const file = match.file;
  if (call.type === 'pair') {
    const setting = processSettings(file.lang).find((s) => s.name === match.text('key'));
    if (!setting) return undefined;
    const value = match.node('value')!;
    const literal = stringLiteral(value) ?? intLiteral(value) ?? (value.text === '-1' ? -1 : undefined);
    const n = literal !== undefined && setting.perCpuValues?.includes(literal) ? { count: 0, perCpu: 1 } : processCount(file, value);
    return n ? [processes(value, 'node', `${setting.library} ${setting.name}`, n, { configFiles: setting.files.join(' ') })] : undefined;
  }
  if (!calledSymbol(file, call, (row) => (row.effect as string) === 'process-count')) return undefined;
  const label = `${call.childForFieldName('function')!.text}()`;
  // cluster.fork() counts only in a `for (…; i < bound; …)` loop around it.
  let loop: SyntaxNode | null = call.parent;
  for (let depth = 0; loop && depth < 4 && loop.type !== 'for_statement'; depth++) loop = loop.parent;
  if (!loop || loop.type !== 'for_statement') return undefined;
  const condition = loop.childForFieldName('condition');
  const test = condition?.type === 'expression_statement' ? condition.namedChildren[0] : condition;
  if (test?.type !== 'binary_expression' || test.childForFieldName('operator')?.text !== '<') return undefined;
  const bound = test.childForFieldName('right')!;
  const n = processCount(file, bound);
  if (n) return [processes(call, 'node', label, n)];
  return bound.type === 'identifier' ? [processes(call, 'node', label, { count: 0, perCpu: 0 }, { cpuAlias: bound.text })] : undefined;
}

/** A glob over a file's name (`gunicorn*.py`, `*ecosystem*`), case-insensitive. */
function globMatches(glob: string, name: string): boolean {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(name);
}

/** Code-declared counts that only mean something in their own kind of file (the files the models name for the setting). */
function declaresHere(x: LocatedExport): boolean {
  if (x.data.configFiles === undefined) return true;
  const name = x.file.split(/[\\/]/).pop()!;
  return String(x.data.configFiles).split(' ').some((g) => globMatches(g, name));
}

function workspace(ws: WorkspaceView): WorkspaceFindingInit[] {
  const { cpus, maxConnections } = ws.config.deployment;
  const aliases = new Set(ws.exports('cpu-count-alias').map((a) => `${a.file}\0${a.data.name}`));
  const counts = ws
    .exports(PROCESS_COUNT)
    .filter(declaresHere)
    .map((x) => {
      let perCpu = Number(x.data.perCpu ?? 0);
      if (x.data.cpuAlias !== undefined) perCpu = aliases.has(`${x.file}\0${x.data.cpuAlias}`) ? 1 : NaN;
      const n = Number(x.data.count) + perCpu * cpus;
      return { at: x, n, perCpu, project: ws.projectOf(x.file) };
    })
    .filter((c) => Number.isFinite(c.n) && c.n > 0);

  const out: WorkspaceFindingInit[] = [];
  for (const p of ws.exports('pool-size')) {
    const db = p.data.db as Db;
    const limit = db === 'sql' ? minDefined(maxConnections.postgresql, maxConnections.mysql) : maxConnections[db];
    if (limit === undefined) continue;
    const size = Number(p.data.size);
    const runtime = p.data.runtime;
    // Go serves every request from one process: its pool is the process's pool.
    const applicable = runtime === 'go' ? [] : counts.filter((c) => c.at.data.runtime === runtime && ws.within(c.project, p.file));
    const widest = applicable.reduce<(typeof counts)[number] | undefined>((best, c) => (!best || c.n > best.n ? c : best), undefined);
    // A default pool is what the driver chose for one process: it matters where the workspace starts several.
    if (p.data.defaulted === 'yes' && (!widest || widest.n <= 1)) continue;
    const procs = widest?.n ?? 1;
    const total = size * procs;
    if (total <= limit) continue;
    const limitWhere =
      db === 'sql'
        ? 'deployment.maxConnections in .headroom.json'
        : db === 'mongodb' && limit === MONGODB_ASSUMED_CONNECTIONS
          ? `assumed: MongoDB Atlas M10's ${limit}, the smallest dedicated tier; set deployment.maxConnections.mongodb in .headroom.json`
          : `deployment.maxConnections.${db} in .headroom.json`;
    const factor = widest
      ? ` × ${procs} processes (${widest.at.data.source}${widest.perCpu ? ` on ${cpus} CPUs, deployment.cpus` : ''}, ${ws.display(widest.at.file)}:${widest.at.line})`
      : '';
    const fits = Math.max(1, Math.floor(limit / procs));
    out.push({
      at: p,
      message:
        `Up to ${total} connections: a pool of ${size} (${p.data.detail})${factor}, above the ${limit} ${DB_NAMES[db]} accepts (${limitWhere}). ` +
        `Once every slot is taken, new connections are refused and requests fail; keep pool × processes under the limit (at most ${fits} per process here), or put a pooler such as PgBouncer in front.`,
      related: widest ? [{ at: widest.at, message: `${procs} processes: ${widest.at.data.source}` }] : [],
    });
  }
  return out;
}

function minDefined(...xs: (number | undefined)[]): number | undefined {
  const defined = xs.filter((x): x is number => x !== undefined);
  return defined.length > 0 ? Math.min(...defined) : undefined;
}

export default defineRule({
  meta: meta as RuleMeta,
  queries: { python: withModelNames(python, models().of('python')), go: withModelNames(go, models().of('go')), typescript: withModelNames(typescript, models().of('typescript')) },
  exports(match) {
    if (match.language === 'python') return pythonExports(match);
    if (match.language === 'go') return goExports(match);
    return tsExports(match);
  },
  workspace,
});
