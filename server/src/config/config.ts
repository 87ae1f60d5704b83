import Ajv, { type ErrorObject } from 'ajv';
import * as jsonc from 'jsonc-parser';
import schema from '../../../schemas/headroom.schema.json';
import modelsSchema from '../../../schemas/models.schema.json';
import type { Scale, Severity } from '../engine/rule-api';
import type { ModelFile } from '../model/library';

export const CONFIG_FILE_NAME = '.headroom.json';

type FixValue = number | boolean | string;

/** `.headroom.json` after defaults are applied: what the engine, the fixes and the CLI read. */
/**
 * MongoDB has no server-side default to speak of: the limit is the host's or the plan's. Assumed
 * here: MongoDB Atlas M10's 1,500 connections, the smallest dedicated tier (the shared M0–M5 tiers
 * accept 500). `deployment.maxConnections.mongodb` says otherwise.
 */
export const MONGODB_ASSUMED_CONNECTIONS = 1500;

export interface ResolvedConfig {
  targetUsers: Scale;
  exclude: string[];
  /** Code that is not production code but should be analysed anyway: tests, migrations, scripts, frontend, generated. */
  include: IncludeRole[];
  /** Rows added to the library and framework models (the project's own wrappers: "app.db.fetch_all reads many rows"). */
  models: ModelFile[];
  rules: Record<string, Severity | 'off'>;
  thresholds: { fetchCap: number; maxFileSizeKB: number; maxPageSize: number };
  suppressions: { reportUnused: boolean };
  /** What the workspace rules assume about where the code runs. */
  deployment: {
    /** CPUs per host: resolves "one process per CPU" (`pm2 -i max`, cluster forks per `os.cpus()`). */
    cpus: number;
    /** Connections each database accepts; a database without a number here is not checked. */
    maxConnections: { postgresql?: number; mysql?: number; mongodb?: number };
  };
  fixDefaults: {
    motor: Record<string, FixValue>;
    sqlalchemy: Record<string, FixValue>;
    goSql: Record<'SetMaxOpenConns' | 'SetMaxIdleConns' | 'SetConnMaxLifetime' | 'SetConnMaxIdleTime', string>;
    nodePg: Record<string, FixValue>;
    mysql2: Record<string, FixValue>;
    mongodbNode: Record<string, FixValue>;
    pageLimit: { default: number; max: number };
  };
}

export type IncludeRole = 'tests' | 'migrations' | 'scripts' | 'frontend' | 'generated';

export function defaultConfig(): ResolvedConfig {
  return {
    targetUsers: '100k',
    exclude: [],
    include: [],
    models: [],
    rules: {},
    thresholds: { fetchCap: 100, maxFileSizeKB: 2048, maxPageSize: 100 },
    suppressions: { reportUnused: true },
    // PostgreSQL's and (conservatively) MySQL's stock max_connections; MongoDB's limit depends on
    // the deployment (Atlas tier, ulimit), so it is checked only when configured.
    deployment: { cpus: 4, maxConnections: { postgresql: 100, mysql: 100, mongodb: MONGODB_ASSUMED_CONNECTIONS } },
    fixDefaults: {
      motor: { maxPoolSize: 100, minPoolSize: 10, maxIdleTimeMS: 30000, waitQueueTimeoutMS: 5000 },
      sqlalchemy: { pool_size: 20, max_overflow: 30, pool_timeout: 30, pool_recycle: 3600, pool_pre_ping: true },
      goSql: {
        SetMaxOpenConns: '100',
        SetMaxIdleConns: '25',
        SetConnMaxLifetime: '5 * time.Minute',
        SetConnMaxIdleTime: '2 * time.Minute',
      },
      nodePg: { max: 20, idleTimeoutMillis: 30000, connectionTimeoutMillis: 5000 },
      mysql2: { connectionLimit: 20, waitForConnections: true, queueLimit: 0 },
      mongodbNode: { maxPoolSize: 100, minPoolSize: 10, maxIdleTimeMS: 30000, waitQueueTimeoutMS: 5000 },
      pageLimit: { default: 50, max: 500 },
    },
  };
}

/** A problem in a config file, located by UTF-16 offsets into its text. */
export interface ConfigProblem {
  message: string;
  start: number;
  length: number;
}

export interface LoadedConfig {
  config: ResolvedConfig;
  problems: ConfigProblem[];
}

let validate: ReturnType<Ajv['compile']> | undefined;

function validator(): ReturnType<Ajv['compile']> {
  validate ??= new Ajv({ allErrors: true, strict: false }).addSchema(modelsSchema).compile(schema);
  return validate;
}

/**
 * Parses and validates the text of a `.headroom.json`. An invalid file yields problems to report
 * on the file itself; the settings that are valid still apply, the invalid ones fall back to defaults.
 */
export function parseConfig(text: string): LoadedConfig {
  // Editors on Windows save JSON with a byte-order mark; it is not part of the JSON.
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  try {
    const loaded = parseBody(bom ? text.slice(1) : text);
    for (const p of loaded.problems) p.start += bom;
    return loaded;
  } catch (e) {
    // The checks below keep the parser and the validator within bounds; this is the last line.
    return { config: defaultConfig(), problems: [{ message: `The configuration could not be read (${(e as Error).message}).`, start: 0, length: 1 }] };
  }
}

/** Deeper than any real configuration: the parser and the validator recurse once per level. */
export const MAX_CONFIG_DEPTH = 64;

function parseBody(text: string): LoadedConfig {
  const problems: ConfigProblem[] = [];
  if (text.trim() === '') {
    return { config: defaultConfig(), problems: [{ message: 'The file is empty: expected a JSON object.', start: 0, length: 1 }] };
  }
  const tooDeep = offsetBeyondDepth(text, MAX_CONFIG_DEPTH);
  if (tooDeep !== undefined) {
    return { config: defaultConfig(), problems: [{ message: `The JSON is nested more than ${MAX_CONFIG_DEPTH} levels deep.`, start: tooDeep, length: 1 }] };
  }
  const parseErrors: jsonc.ParseError[] = [];
  const tree = jsonc.parseTree(text, parseErrors, { allowTrailingComma: false, disallowComments: false });
  // After the first syntax error the parser's later complaints are mostly echoes of it.
  const first = parseErrors[0];
  if (first) problems.push({ message: `Invalid JSON: ${describeParseError(first.error)}.`, start: first.offset, length: Math.max(1, first.length) });
  const raw: unknown = tree ? jsonc.getNodeValue(tree) : undefined;
  const config = defaultConfig();
  if (raw === undefined || parseErrors.length > 0) return { config, problems };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    const what = raw === null ? 'null' : Array.isArray(raw) ? 'an array' : `a ${typeof raw}`;
    problems.push({ message: `Expected a JSON object with Headroom's settings, found ${what}.`, start: tree!.offset, length: Math.max(1, tree!.length) });
    return { config, problems };
  }
  const validateFn = validator();
  if (!validateFn(raw)) {
    for (const err of validateFn.errors ?? []) problems.push(locate(err, tree!));
    // Apply only the top-level sections that are valid on their own.
    const invalidSections = new Set((validateFn.errors ?? []).map((e) => topSection(e)));
    merge(config, raw as Record<string, unknown>, invalidSections);
  } else {
    merge(config, raw as Record<string, unknown>, new Set());
  }
  return { config, problems };
}

/** The offset where brackets first nest deeper than `max` (strings and comments skipped), if they do. */
function offsetBeyondDepth(text: string, max: number): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === '{' || c === '[') {
      if (++depth > max) return i;
    } else if (c === '}' || c === ']') {
      depth--;
    }
  }
  return undefined;
}

const PARSE_ERRORS: Partial<Record<jsonc.ParseErrorCode, string>> = {
  [jsonc.ParseErrorCode.InvalidSymbol]: 'unexpected character',
  [jsonc.ParseErrorCode.InvalidNumberFormat]: 'invalid number',
  [jsonc.ParseErrorCode.PropertyNameExpected]: 'expected a property name in double quotes',
  [jsonc.ParseErrorCode.ValueExpected]: 'expected a value',
  [jsonc.ParseErrorCode.ColonExpected]: 'expected a colon after the property name',
  [jsonc.ParseErrorCode.CommaExpected]: 'expected a comma',
  [jsonc.ParseErrorCode.CloseBraceExpected]: 'expected a closing brace',
  [jsonc.ParseErrorCode.CloseBracketExpected]: 'expected a closing bracket',
  [jsonc.ParseErrorCode.EndOfFileExpected]: 'unexpected content after the end',
  [jsonc.ParseErrorCode.UnexpectedEndOfString]: 'unterminated string',
  [jsonc.ParseErrorCode.UnexpectedEndOfComment]: 'unterminated comment',
};

function describeParseError(code: jsonc.ParseErrorCode): string {
  return PARSE_ERRORS[code] ?? jsonc.printParseErrorCode(code);
}

function topSection(err: ErrorObject): string {
  const path = err.instancePath.split('/').filter(Boolean);
  if (err.keyword === 'additionalProperties' && path.length === 0) return `#${String(err.params.additionalProperty)}`;
  return path[0] ?? '#root';
}

function merge(config: ResolvedConfig, raw: Record<string, unknown>, invalid: Set<string>): void {
  const ok = (k: string): boolean => k in raw && !invalid.has(k);
  if (ok('targetUsers')) config.targetUsers = raw.targetUsers as Scale;
  if (ok('exclude')) config.exclude = raw.exclude as string[];
  if (ok('include')) config.include = raw.include as IncludeRole[];
  if (ok('models')) config.models = raw.models as ModelFile[];
  if (ok('rules')) config.rules = raw.rules as ResolvedConfig['rules'];
  if (ok('thresholds')) Object.assign(config.thresholds, raw.thresholds);
  if (ok('suppressions')) Object.assign(config.suppressions, raw.suppressions);
  if (ok('deployment')) {
    const d = raw.deployment as { cpus?: number; maxConnections?: ResolvedConfig['deployment']['maxConnections'] };
    if (d.cpus !== undefined) config.deployment.cpus = d.cpus;
    if (d.maxConnections) Object.assign(config.deployment.maxConnections, d.maxConnections);
  }
  if (ok('fixDefaults')) {
    const fd = raw.fixDefaults as Record<string, Record<string, never>>;
    for (const key of Object.keys(fd) as (keyof ResolvedConfig['fixDefaults'])[]) {
      // A section given in the file replaces the defaults of that section: these are literal settings.
      (config.fixDefaults as unknown as Record<string, unknown>)[key] =
        key === 'pageLimit' || key === 'goSql' ? { ...config.fixDefaults[key], ...fd[key] } : { ...fd[key] };
    }
  }
}

function locate(err: ErrorObject, root: jsonc.Node): ConfigProblem {
  const path = err.instancePath
    .split('/')
    .filter(Boolean)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  let node = jsonc.findNodeAtLocation(root, path) ?? root;
  let message = `${err.instancePath || 'The configuration'} ${err.message ?? 'is invalid'}`;
  if (err.keyword === 'additionalProperties') {
    const prop = String(err.params.additionalProperty);
    const propNode = node.children?.find((c) => c.children?.[0]?.value === prop)?.children?.[0];
    if (propNode) node = propNode;
    message = `Unknown setting "${prop}"${err.instancePath ? ` in ${err.instancePath}` : ''}.`;
  } else if (err.keyword === 'enum') {
    message = `${err.instancePath} must be one of ${(err.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`;
  } else if (err.keyword === 'propertyNames') {
    message = `${err.instancePath} has an invalid rule id.`;
  }
  return { message, start: node.offset, length: Math.max(1, node.length) };
}
