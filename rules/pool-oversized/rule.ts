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
import { PROCESS_COUNT } from '../../server/src/workspace/deployment';
import meta from './rule.json';
import python from './python.scm';
import go from './go.scm';
import typescript from './typescript.scm';

/**
 * Files export what each factor is (a pool's size, a process count); the workspace pass multiplies
 * them per project and compares with the database's limit from the configuration.
 */

type Db = 'postgresql' | 'mysql' | 'mongodb' | 'sql';
const DB_NAMES: Record<Db, string> = { postgresql: 'PostgreSQL', mysql: 'MySQL', mongodb: 'MongoDB', sql: 'the SQL database' };

/** SQLAlchemy's QueuePool defaults, used when only one of pool_size / max_overflow is given. */
const SA_POOL_SIZE = 5;
const SA_MAX_OVERFLOW = 10;

function dbOfUrl(url: string | undefined): Db | undefined {
  if (url === undefined) return 'sql';
  if (/^postgres/i.test(url)) return 'postgresql';
  if (/^(mysql|mariadb)/i.test(url)) return 'mysql';
  if (/^mongodb/i.test(url)) return 'mongodb';
  if (/^sqlite/i.test(url)) return undefined;
  return 'sql';
}

/** knex's `client` / Sequelize's `dialect`. */
function dbOfClient(name: string | undefined): Db | undefined {
  if (name === undefined) return undefined;
  if (/^(pg|postgres(ql)?|pg-native)$/i.test(name)) return 'postgresql';
  if (/^(mysql2?|mariadb)$/i.test(name)) return 'mysql';
  return undefined;
}

function pool(node: SyntaxNode, db: Db, size: number, detail: string, runtime: string, extra: Record<string, string> = {}): ExportInit {
  return { name: 'pool-size', node, data: { db, size, detail, runtime, ...extra } };
}

/** `<n>` in a URI query string (`maxPoolSize=50`, `pool_max_conns=50`, `connection_limit=50`). */
function uriParam(text: string, name: string): number | undefined {
  const m = new RegExp(`[?&]${name}=(\\d+)`).exec(text);
  return m ? Number(m[1]) : undefined;
}

/** `cpu_count() * 2 + 1`, `os.cpus().length`, `4`: a linear count of processes, or undefined. */
function processCount(node: SyntaxNode | null | undefined): { count: number; perCpu: number } | undefined {
  if (!node) return undefined;
  const n = intLiteral(node);
  if (n !== undefined) return { count: n, perCpu: 0 };
  if (node.type === 'parenthesized_expression') return processCount(node.namedChildren[0]);
  if (/^(?:\w+\.)*(?:cpu_count\(\)|cpus\(\)\.length|availableParallelism\(\))$/.test(node.text.replace(/\s+/g, ''))) return { count: 0, perCpu: 1 };
  if (node.type === 'binary_operator' || node.type === 'binary_expression') {
    const a = processCount(node.childForFieldName('left'));
    const b = processCount(node.childForFieldName('right'));
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

function pythonExports(match: RuleMatch): ExportInit[] | undefined {
  const call = match.node('call')!;
  if (match.props.export === PROCESS_COUNT) {
    if (call.type === 'expression_statement') {
      // Module level only: a `workers` attribute of a class or a local is something else.
      if (call.parent?.type !== 'module') return undefined;
      const value = match.node('value')!;
      const n = processCount(value);
      return n ? [processes(value, 'python', 'gunicorn workers', n, { configModule: 'gunicorn' })] : undefined;
    }
    const workers = pythonArguments(call).keywords.get('workers');
    const n = processCount(workers);
    return workers && n ? [processes(workers, 'python', 'uvicorn.run(workers=…)', n)] : undefined;
  }
  const ctor = match.text('ctor')!;
  const { positional, keywords } = pythonArguments(call);
  const int = (name: string) => intLiteral(keywords.get(name));
  const module = call.childForFieldName('function')?.type === 'attribute' ? call.childForFieldName('function')!.childForFieldName('object')?.text : undefined;
  switch (ctor) {
    case 'create_engine':
    case 'create_async_engine': {
      const size = int('pool_size');
      const overflow = int('max_overflow');
      if (size === undefined && overflow === undefined) return undefined;
      const db = dbOfUrl(stringLiteral(positional[0]));
      if (!db) return undefined;
      const total = (size ?? SA_POOL_SIZE) + (overflow ?? SA_MAX_OVERFLOW);
      const detail = `pool_size ${size ?? `${SA_POOL_SIZE} (default)`} + max_overflow ${overflow ?? `${SA_MAX_OVERFLOW} (default)`}`;
      return [pool(keywords.get('pool_size') ?? keywords.get('max_overflow')!, db, total, detail, 'python')];
    }
    case 'AsyncIOMotorClient':
    case 'MongoClient':
    case 'AsyncMongoClient': {
      const kw = keywords.get('maxPoolSize');
      const size = intLiteral(kw);
      if (kw && size !== undefined) return [pool(kw, 'mongodb', size, `maxPoolSize ${size}`, 'python')];
      const uri = stringLiteral(positional[0]);
      const inUri = uri === undefined ? undefined : uriParam(uri, 'maxPoolSize');
      return inUri === undefined ? undefined : [pool(positional[0], 'mongodb', inUri, `maxPoolSize=${inUri} in the URI`, 'python')];
    }
    case 'create_pool': {
      const db: Db | undefined = module === 'asyncpg' ? 'postgresql' : module === 'aiomysql' ? 'mysql' : undefined;
      const key = db === 'postgresql' ? 'max_size' : 'maxsize';
      const size = int(key);
      return db && size !== undefined ? [pool(keywords.get(key)!, db, size, `${key} ${size}`, 'python')] : undefined;
    }
    case 'ConnectionPool':
    case 'AsyncConnectionPool': {
      const size = int('max_size');
      return size !== undefined ? [pool(keywords.get('max_size')!, 'postgresql', size, `max_size ${size}`, 'python')] : undefined;
    }
    default: {
      // psycopg2.pool.ThreadedConnectionPool(minconn, maxconn, ...)
      const node = keywords.get('maxconn') ?? positional[1];
      const size = intLiteral(node);
      return node && size !== undefined ? [pool(node, 'postgresql', size, `maxconn ${size}`, 'python')] : undefined;
    }
  }
}

function goExports(match: RuleMatch): ExportInit[] | undefined {
  const call = match.node('call')!;
  if (call.type === 'interpreted_string_literal') {
    const size = uriParam(call.text.slice(1, -1), 'pool_max_conns');
    return size === undefined ? undefined : [pool(call, 'postgresql', size, `pool_max_conns=${size} in the DSN`, 'go')];
  }
  const sizeNode = match.node('size')!;
  const size = intLiteral(sizeNode)!;
  const method = match.text('method') ?? match.text('field')!;
  const db: Db = method === 'SetMaxPoolSize' ? 'mongodb' : method === 'MaxConns' ? 'postgresql' : 'sql';
  return [pool(sizeNode, db, size, `${method}(${size})`.replace('MaxConns(', 'MaxConns = ').replace(/ = (\d+)\)$/, ' = $1'), 'go')];
}

function tsExports(match: RuleMatch): ExportInit[] | undefined {
  const call = match.node('call')!;
  switch (match.props.export) {
    case 'driver-import':
      return [{ name: 'driver-import', node: call, data: { module: match.text('module')! } }];
    case 'cpu-count-alias':
      return [{ name: 'cpu-count-alias', node: match.node('name')!, data: { name: match.text('name')! } }];
    case PROCESS_COUNT:
      return tsProcesses(match, call);
  }
  if (call.type === 'string' || call.type === 'template_string') {
    const text = stringLiteral(call) ?? call.text;
    const size = uriParam(text, 'connection_limit');
    const db = dbOfUrl(text.replace(/^["'`]/, ''));
    return size === undefined || !db ? undefined : [pool(call, db, size, `connection_limit=${size} in the URL`, 'node')];
  }
  const ctor = match.text('ctor')!;
  const { args } = jsArguments(call);
  const objects = args.filter((a) => a.type === 'object');
  const prop = (obj: SyntaxNode | undefined, name: string) => (obj ? objectProperties(obj).props.get(name) : undefined);
  switch (ctor) {
    case 'Pool': {
      const max = prop(objects[0], 'max');
      const size = intLiteral(max);
      // `Pool` is pg's only where the file imports pg: checked by the workspace pass.
      return max && size !== undefined ? [pool(max, 'postgresql', size, `max ${size}`, 'node', { requires: 'pg' })] : undefined;
    }
    case 'createPool': {
      const limit = prop(objects[0], 'connectionLimit');
      const size = intLiteral(limit);
      return limit && size !== undefined ? [pool(limit, 'mysql', size, `connectionLimit ${size}`, 'node', { requires: 'mysql' })] : undefined;
    }
    case 'MongoClient':
    case 'connect':
    case 'createConnection': {
      const max = prop(objects[objects.length - 1], 'maxPoolSize');
      const size = intLiteral(max);
      return max && size !== undefined ? [pool(max, 'mongodb', size, `maxPoolSize ${size}`, 'node', { requires: 'mongo' })] : undefined;
    }
    default: {
      // knex({ client: 'pg', pool: { max } }), new Sequelize(..., { dialect: 'postgres', pool: { max } })
      const options = objects[objects.length - 1];
      const poolObj = prop(options, 'pool');
      const max = poolObj?.type === 'object' ? prop(poolObj, 'max') : undefined;
      const size = intLiteral(max);
      const db = dbOfClient(stringLiteral(prop(options, ctor === 'knex' ? 'client' : 'dialect')));
      return max && size !== undefined && db ? [pool(max, db, size, `pool.max ${size}`, 'node')] : undefined;
    }
  }
}

function tsProcesses(match: RuleMatch, call: SyntaxNode): ExportInit[] | undefined {
  if (call.type === 'pair') {
    const value = match.node('value')!;
    const text = stringLiteral(value);
    const n = text === 'max' || intLiteral(value) === 0 || value.text === '-1' ? { count: 0, perCpu: 1 } : processCount(value);
    return n ? [processes(value, 'node', 'pm2 instances', n, { configModule: 'pm2' })] : undefined;
  }
  // cluster.fork() counts only in a `for (…; i < bound; …)` loop around it.
  let loop: SyntaxNode | null = call.parent;
  for (let depth = 0; loop && depth < 4 && loop.type !== 'for_statement'; depth++) loop = loop.parent;
  if (!loop || loop.type !== 'for_statement') return undefined;
  const condition = loop.childForFieldName('condition');
  const test = condition?.type === 'expression_statement' ? condition.namedChildren[0] : condition;
  if (test?.type !== 'binary_expression' || test.childForFieldName('operator')?.text !== '<') return undefined;
  const bound = test.childForFieldName('right')!;
  const n = processCount(bound);
  if (n) return [processes(call, 'node', 'cluster.fork()', n)];
  return bound.type === 'identifier' ? [processes(call, 'node', 'cluster.fork()', { count: 0, perCpu: 0 }, { cpuAlias: bound.text })] : undefined;
}

/** Code-declared counts that only mean something in their own kind of file. */
function declaresHere(x: LocatedExport): boolean {
  const name = x.file.split(/[\\/]/).pop()!.toLowerCase();
  if (x.data.configModule === 'gunicorn') return name.startsWith('gunicorn') || name.includes('gunicorn_conf') || name.includes('gunicorn.conf');
  if (x.data.configModule === 'pm2') return name.includes('ecosystem') || name.includes('pm2');
  return true;
}

function workspace(ws: WorkspaceView): WorkspaceFindingInit[] {
  const { cpus, maxConnections } = ws.config.deployment;
  const aliases = new Set(ws.exports('cpu-count-alias').map((a) => `${a.file}\0${a.data.name}`));
  const imports = new Map<string, Set<string>>();
  for (const i of ws.exports('driver-import')) {
    const family = String(i.data.module).startsWith('mysql') ? 'mysql' : String(i.data.module).startsWith('mongo') ? 'mongo' : 'pg';
    const set = imports.get(i.file) ?? new Set<string>();
    set.add(family);
    imports.set(i.file, set);
  }
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
    const requires = p.data.requires as string | undefined;
    if (requires && !imports.get(p.file)?.has(requires)) continue;
    const db = p.data.db as Db;
    const limit = db === 'sql' ? minDefined(maxConnections.postgresql, maxConnections.mysql) : maxConnections[db];
    if (limit === undefined) continue;
    const size = Number(p.data.size);
    const runtime = p.data.runtime;
    // Go serves every request from one process: its pool is the process's pool.
    const applicable = runtime === 'go' ? [] : counts.filter((c) => c.at.data.runtime === runtime && ws.within(c.project, p.file));
    const widest = applicable.reduce<(typeof counts)[number] | undefined>((best, c) => (!best || c.n > best.n ? c : best), undefined);
    const procs = widest?.n ?? 1;
    const total = size * procs;
    if (total <= limit) continue;
    const limitWhere = db === 'sql' ? 'deployment.maxConnections in .headroom.json' : `deployment.maxConnections.${db} in .headroom.json`;
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
  queries: { python, go, typescript },
  exports(match) {
    if (match.language === 'python') return pythonExports(match);
    if (match.language === 'go') return goExports(match);
    return tsExports(match);
  },
  workspace,
});
