import type { SyntaxNode } from 'tree-sitter';
import type { GrammarId, QueryLanguage } from './languages';
import type { ResolvedConfig } from '../config/config';
import type { FileContext } from '../model/file-context';
import type { Effect } from '../model/library';
import type { ExprRef } from '../model/file-model';

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info', 'hint'];

export type Scale = '1k' | '10k' | '100k' | '1m';

/** Readiness categories; the readiness model groups findings by these. */
export type Category =
  | 'connection-pooling'
  | 'query-bounds'
  | 'database-load'
  | 'concurrency'
  | 'background-work'
  | 'rate-limiting'
  | 'shared-state'
  | 'blocking-io';

/** Every category, in the order reports list them, with its title. */
export const CATEGORY_TITLES: Readonly<Record<Category, string>> = {
  'connection-pooling': 'Connection pooling',
  'query-bounds': 'Query bounds',
  'database-load': 'Database load',
  'concurrency': 'Concurrency limits',
  'background-work': 'Background work',
  'rate-limiting': 'Rate limiting',
  'shared-state': 'Shared state and caching',
  'blocking-io': 'Blocking I/O',
};

export interface FixMeta {
  id: string;
  title: string;
  /** Unsafe fixes change behaviour: never preferred, never part of fix-all. */
  safe: boolean;
}

/** The data half of a rule: `rules/<id>/rule.json`. */
export interface RuleMeta {
  id: string;
  title: string;
  category: Category;
  severity: Severity;
  /** Severity at a given target scale, where it differs from `severity`. */
  severityAtScale?: Partial<Record<Scale, Severity>>;
  /** Default message; `{name}` placeholders are filled from a candidate's `args`. */
  message: string;
  languages: QueryLanguage[];
  fixes: FixMeta[];
  /**
   * Code roles besides production code that the rule judges (`script`: a one-off script that
   * silently drops rows matters too). Tests, migrations, browser and generated code get nothing
   * unless listed here or in the configuration's `include`.
   */
  roles?: ('test' | 'migration' | 'script' | 'frontend' | 'generated')[];
  /**
   * Code roles besides production code whose readiness evidence the rule's patterns report
   * (`migration`: a migration that creates an index declares the schema the service runs on).
   * Its findings there stay governed by `roles`.
   */
  evidenceRoles?: 'migration'[];
  /**
   * The rule judges work done per request or per job: start-up code (and what only start-up code
   * reaches, as the workspace's program says) gets none of its findings.
   */
  perRequest?: boolean;
  /** The rule's findings say the code runs on every request: a route hook (an interceptor named by some routes) gets none. */
  everyRequest?: boolean;
  /**
   * The rule's cost is database round trips: code whose database is embedded in the process
   * (SQLite; by the models' `database`, in the Go package or else the workspace) gets none.
   */
  roundTrips?: boolean;
}

/** One match of one of a rule's patterns, with captures grouped by name. */
export interface RuleMatch {
  readonly language: QueryLanguage;
  readonly grammar: GrammarId;
  /** The file the match is in: its model, resolved names, roles (the same as CheckContext.file). */
  readonly file: FileContext;
  /** `#set!` properties of the pattern that matched. */
  readonly props: Readonly<Record<string, string | null>>;
  node(capture: string): SyntaxNode | undefined;
  nodes(capture: string): SyntaxNode[];
  text(capture: string): string | undefined;
}

/** A condition on the file: a fact with this name (and key, when given) exists somewhere in it. */
export interface FactRef {
  fact: string;
  key?: string;
  /** When the fact satisfies a `requires`, add its location as related information with this message. */
  related?: string;
}

export interface RelatedInit {
  node: SyntaxNode;
  message: string;
}

/** What a rule's `check` returns: a finding that still has to pass its file-level conditions. */
export interface CandidateInit {
  /** The range of the diagnostic: defaults to the `@match` capture. */
  node?: SyntaxNode;
  /** Overrides the rule's message template. */
  message?: string;
  args?: Record<string, string | number>;
  /** A severity for this instance (e.g. raised to error when a loop depends on it). */
  severity?: Severity;
  related?: RelatedInit[];
  /** Every one of these facts must exist in the file. */
  requires?: FactRef[];
  /** None of these facts may exist in the file. */
  unless?: FactRef[];
  /** Handed to the rule's fixes. */
  data?: Record<string, string | number | boolean>;
  /**
   * The finding holds only if the function this call reaches does something, itself or through
   * what it calls, in this file or another: the program follows the call (see model/program.ts).
   * The message may say where with `{chain}` (the calls, with their files and lines) and `{what}`
   * (the library call at the end).
   */
  through?: ThroughInit;
  /**
   * The finding holds unless one of these calls reaches, in the project's code and within two
   * calls, a function that does one of `needs`: a page size from the request passed to a function
   * that clamps it. A library call among them is no such function; with no project call, the
   * finding stands as found.
   */
  unlessThrough?: { calls: readonly SyntaxNode[]; needs: readonly Effect[] };
  /**
   * The finding holds only if the function `fn` has one of `roles` in the workspace's program: a
   * role another file gives it (`Depends(current_key)` in a router, `app.use(audit)` in the app
   * module), which this file alone cannot see. Checked by the workspace scan (see program-findings.ts).
   */
  whenRole?: { fn: SyntaxNode; roles: readonly string[] };
}

/**
 * A finding found from the file's model rather than from a query match: a rule's `model` hook
 * looks at the calls and loops the model already holds (see RuleModule.model). Offsets are the
 * file's; `through` names the call to follow into the program.
 */
export interface ModelFindingInit {
  start: number;
  end: number;
  message?: string;
  args?: Record<string, string | number>;
  severity?: Severity;
  data?: Record<string, string | number | boolean>;
  through?: { callee: ExprRef; at: number; needs: readonly Effect[] | 'blocking' };
}

export interface ThroughInit {
  /** The call to follow (a call node). */
  call: SyntaxNode;
  /** What the reached function must do (one of these effects), or `blocking`: block its caller's thread (a sync function doing I/O, sleeping, hashing). */
  needs: readonly Effect[] | 'blocking';
  /** What it must do instead when the function the finding is in runs only inside transactions its callers open (a query there runs on the transaction's one connection). */
  inTransaction?: readonly Effect[];
  /**
   * The message (a template, filled with the same args) when the program cannot find the function
   * at all (its module is not in the workspace): the finding stands as found, without a chain. Without
   * it such a finding is dropped. A function that is found and does none of `needs` drops it either way.
   */
  fallback?: string;
}

export interface FactInit {
  name: string;
  key: string;
  node: SyntaxNode;
}

export type ExportData = Record<string, string | number | boolean>;

/** A fact for the workspace: what a workspace rule joins across files (an index declared, a pool size). */
export interface ExportInit {
  name: string;
  node: SyntaxNode;
  data: ExportData;
}

/** What rule code gets besides the match: the named, shared predicates and the configuration. */
export interface CheckContext {
  readonly config: ResolvedConfig;
  /** The file's semantic model: names resolved, the library models, its role and its functions' roles. */
  readonly file: FileContext;
  /** Evaluates a named shared predicate (see engine/predicates.ts) on a node. */
  is(predicate: string, node: SyntaxNode): boolean;
  /** The nearest enclosing function of a node (not the node itself), if any. */
  enclosingFunction(node: SyntaxNode): SyntaxNode | undefined;
}

export interface TextEditInit {
  start: number;
  end: number;
  newText: string;
}

export interface FixTarget {
  /** The node the finding was reported on, in the tree of the version the fix is computed for. */
  node: SyntaxNode;
  root: SyntaxNode;
  text: string;
  grammar: GrammarId;
  language: QueryLanguage;
  data: Readonly<Record<string, string | number | boolean>>;
  config: ResolvedConfig;
}

/** Returns the edits of the fix, or undefined when the fix does not apply to this finding. */
export type FixProvider = (target: FixTarget, ctx: CheckContext) => TextEditInit[] | undefined;

/** A rule: `rules/<id>/rule.ts` default-exports one of these. */
export interface RuleModule {
  meta: RuleMeta;
  queries: Partial<Record<QueryLanguage, string>>;
  /**
   * Turns a match of a finding pattern (one with an `@match` capture) into candidates. Without it,
   * every match is one candidate at `@match` with the rule's message.
   */
  check?(match: RuleMatch, ctx: CheckContext): CandidateInit | CandidateInit[] | undefined;
  /**
   * Turns a match of a fact pattern (one with `(#set! fact NAME)`) into facts. Without it, the fact
   * is keyed by the text of the `@key` capture (or the empty string).
   */
  facts?(match: RuleMatch, ctx: CheckContext): FactInit[] | undefined;
  /**
   * Turns a match of an export pattern (one with `(#set! export NAME)`) into exports. Without it,
   * the export is at `@key` (or the first capture) with data `{ key: <its text> }`.
   */
  exports?(match: RuleMatch, ctx: CheckContext): ExportInit[] | undefined;
  /**
   * Findings from the file's model (calls, loops, functions' roles), without a query: what the
   * rule finds through calls (a loop handing its item to a function that queries) is found here.
   * Asked per top-level unit (`span`), whose answer is cached with the unit like its matches: the
   * hook reports only calls that start in the span, and reads the rest of the file through
   * `file` (resolution, roles), which records what it read; `unit` is the span's syntax tree.
   */
  model?(file: FileContext, ctx: CheckContext, span: { start: number; end: number }, unit: SyntaxNode): ModelFindingInit[];
  /**
   * A workspace rule: judges the exports of every file of a workspace together (and the process
   * counts read from deployment files). Runs after a workspace scan, never on a lone file.
   */
  workspace?(ws: WorkspaceView): WorkspaceFindingInit[];
  fixes?: Record<string, FixProvider>;
}

/** An export, located in the workspace (1-based lines, UTF-16 columns, end exclusive). */
export interface LocatedExport {
  ruleId: string;
  name: string;
  data: ExportData;
  /** Absolute path of the file. */
  file: string;
  /** Its place among that file's exports: an editor re-anchors a finding there as the text moves. */
  index: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface WorkspaceView {
  readonly config: ResolvedConfig;
  /** Every export of that name, from any rule or from the deployment-file reader, in path then position order. */
  exports(name: string): readonly LocatedExport[];
  /** The directory of the project (package.json, pyproject.toml, go.mod …) a file belongs to; the workspace root when none. */
  projectOf(file: string): string;
  /** Workspace-relative `/`-separated path, for messages. */
  display(file: string): string;
  /** Whether a file lies inside a directory (a project's, say). */
  within(dir: string, file: string): boolean;
}

export interface WorkspaceFindingInit {
  at: LocatedExport;
  message: string;
  severity?: Severity;
  related?: { at: LocatedExport; message: string }[];
}

export function defineRule(rule: RuleModule): RuleModule {
  return rule;
}
