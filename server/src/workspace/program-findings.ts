import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { ResolvedConfig } from '../config/config';
import { fillThrough, reached, unlessHit } from '../engine/analyzer';
import type { LocatedDeferred, ReportedFinding, ReportedRelated, WorkspaceContribution } from '../cli/report';
import { Program, type ProgramFile } from '../model/program';
import type { At, FunctionSummary } from '../model/summary';
import type { Catalogue } from '../engine/catalogue';
import type { Severity } from '../engine/rule-api';
import { pushTo } from '../engine/multimap';

/**
 * The findings through calls that need the whole workspace: a loop in one file calling a helper
 * in another that queries, an async route calling a sync helper that blocks. Each file handed its
 * unconfirmed findings to the program (see analyzer.ts followCalls); here they are confirmed
 * against what the called function does across the workspace, with the chain in the message.
 */
/** The workspace's program from every file's contribution (undefined when no file contributed one). */
export function buildProgram(contributions: ReadonlyMap<string, WorkspaceContribution>): Program | undefined {
  const files: ProgramFile[] = [];
  for (const [file, c] of contributions) {
    if (!c.program) continue;
    files.push({ path: file, language: c.program.language, summary: c.program.summary, imports: c.program.imports, reexports: c.program.reexports, goPackage: c.program.goPackage });
  }
  return files.length > 0 ? new Program(files, readText) : undefined;
}

export function programFindings(
  contributions: ReadonlyMap<string, WorkspaceContribution>,
  config: ResolvedConfig,
  display: (file: string) => string,
  program: Program | undefined = buildProgram(contributions),
): Map<string, ReportedFinding[]> {
  const out = new Map<string, ReportedFinding[]>();
  if (!program) return out;
  const files = [...contributions.keys()].filter((f) => (contributions.get(f)?.program?.deferred.length ?? 0) > 0).map((f) => program.file(f)!);
  for (const f of files) {
    const c = contributions.get(f.path)!;
    const suppressed = (d: { ruleId: string; at: { line: number } }) => c.suppressions.some((s) => s.line === d.at.line && (s.ruleIds.includes(d.ruleId) || s.ruleIds.includes('*')));
    const severityOf = (d: { ruleId: string; severity: ReportedFinding['severity'] }) => {
      const configured = config.rules[d.ruleId];
      return configured && configured !== 'off' ? configured : d.severity;
    };
    // A finding that stands as the file found it (its message fingerprinted), without a chain.
    const asFound = (d: LocatedDeferred, message: string) => {
      if (suppressed(d)) return;
      const fingerprint = `${createHash('sha256').update(d.ruleId).update('\0').update(message).digest('hex').slice(0, 32)}:1`;
      pushTo(out, f.path, { ruleId: d.ruleId, severity: severityOf(d), message, ...d.at, related: d.related ?? [], fingerprint });
    };
    for (const deferred of c.program!.deferred) {
      if (config.rules[deferred.ruleId] === 'off') continue;
      let d = deferred;
      if (d.role) {
        // Holds when another file gives the function the role (a route's `Depends(...)`, `app.use(...)`); `{role}` says which.
        const role = program.roleOf({ file: f.path, fn: d.role.fn });
        if (!role || !d.role.roles.includes(role.role)) continue;
        d = { ...d, message: d.message.replace(/\{role\}/g, role.why), ...(d.fallback ? { fallback: d.fallback.replace(/\{role\}/g, role.why) } : {}) };
        if (!d.target) {
          asFound(d, d.message);
          continue;
        }
      }
      // Queries of a function that runs only inside its callers' transactions share one connection.
      const needs = d.inTransaction && program.onlyInTransactions({ file: f.path, fn: d.inTransaction.fn }) ? d.inTransaction.needs : d.needs;
      if (!d.target || !needs) continue;
      if (d.unless) {
        // Dropped when any of the calls bounds it; a call the workspace cannot find bounds nothing.
        const bounded = [d.target, ...(d.also ?? [])].some((t) => {
          const r = program.resolve(f.path, t);
          return !!r && unlessHit(program, r, needs);
        });
        if (!bounded) asFound(d, d.message);
        continue;
      }
      const ref = program.resolve(f.path, d.target);
      const hit = ref && reached(program, ref, needs);
      if (!hit && (ref || !d.fallback)) continue;
      if (!hit) {
        // The workspace does not hold the function: the finding stands as found, without a chain.
        asFound(d, d.fallback!);
        continue;
      }
      if (suppressed(d)) continue;
      const severity = severityOf(d);
      const steps = hit.chain.map((s) => `\`${s.text}\` (${display(s.file)}:${s.at?.line ?? '?'})`);
      const message = fillThrough(d.message, steps.join(' → '), hit.site.text);
      const related: ReportedRelated[] = [
        ...(d.related ?? []),
        ...hit.chain
        .filter((s) => s.at)
        .map((s, i) => ({
          message: i === hit.chain.length - 1 ? `${hit.site.text}: ${hit.effect}` : `calls \`${s.text}\``,
          ...s.at!,
          ...(s.file !== f.path ? { path: display(s.file), absPath: s.file } : {}),
        })),
      ];
      const finding: ReportedFinding = {
        ruleId: d.ruleId,
        severity,
        message,
        ...d.at,
        related,
        // Position-free: the rule, the call as written and what it reaches.
        fingerprint: `${createHash('sha256').update(d.ruleId).update('\0').update(hit.chain.map((s) => s.text).join('>')).digest('hex').slice(0, 32)}:1`,
      };
      pushTo(out, f.path, finding);
    }
  }
  return out;
}

function readText(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The code role of a place in a file, from the program: the function's own role (a route, a
 * middleware, a job, start-up code), `request-path` when a handler reaches it, `job` when a job
 * does, `startup` when only start-up code does, `module` for code that runs at import, `unreached`
 * when nothing the models know calls it; undefined for a file the program does not hold.
 */
export class ProgramRoles {
  private readonly trees = new Map<string, FunctionTree | null>();

  // The program computes each path once, when first asked (the editor builds this per workspace change).
  constructor(private readonly program: Program) {}

  /** The place a finding is at: the code role, and whether the file's database is embedded. */
  place(absPath: string, line: number, column: number): Place | undefined {
    const role = this.at(absPath, line, column);
    return role === undefined ? undefined : { role, embeddedDatabase: this.program.embeddedDatabase(absPath), entryPoints: this.entryPoints() };
  }

  /** Whether the program knows any route, middleware or job to start from. */
  entryPoints(): boolean {
    this.hasEntries ??= this.program.requestPath().size > 0 || this.program.jobPath().size > 0;
    return this.hasEntries;
  }

  private hasEntries: boolean | undefined;

  at(absPath: string, line: number, column: number): string | undefined {
    let tree = this.trees.get(absPath);
    if (tree === undefined) {
      const p = this.program.file(absPath);
      tree = p ? new FunctionTree(p.summary.functions) : null;
      this.trees.set(absPath, tree);
    }
    if (!tree) return undefined;
    const fn = tree.innermost(line, column);
    if (fn === undefined) return 'module';
    // A nested function (a callback) has its enclosing function's role when it has none of its own.
    for (let i: number | undefined = fn; i !== undefined; i = tree.parent.get(i)) {
      const key = `${absPath}#${i}`;
      const p = this.program;
      const role = p.roleOf({ file: absPath, fn: i })?.role ?? (p.requestPath().has(key) ? 'request-path' : p.jobPath().has(key) ? 'job' : p.startupPath().has(key) ? 'startup' : undefined);
      if (role) return role;
    }
    return 'unreached';
  }
}

/** Findings' code roles (see ProgramRoles), where the program holds their file. */
export function annotateRoles(files: { absPath: string; findings: ReportedFinding[] }[], program: Program | undefined): void {
  if (!program) return;
  const roles = new ProgramRoles(program);
  for (const file of files) {
    for (const f of file.findings) f.role ??= roles.at(file.absPath, f.line, f.column);
  }
}

/** What the program says about a place that can quiet a rule there: its code role, and whether its database is embedded. */
export interface Place {
  role?: string;
  embeddedDatabase?: boolean;
  /** The program knows some entry point (a route, a job): only then does "nothing reaches it" say something. */
  entryPoints?: boolean;
}

/** Appended to a finding said as information because nothing reaches its code (see demotedAt). */
export const UNREACHED_NOTE =
  ' (Reported as information: no route, job or start-up code that Headroom can see reaches this code, so whether it runs at scale is not known.)';

/**
 * Whether a per-request rule's finding is said as information at a place: code no route, job or
 * start-up code the program knows reaches (an unregistered helper, a path through an interface or a
 * framework the models do not describe). The pattern is there; whether it runs per request is not
 * known. Only when the program knows some entry point: without any, nothing is known either way.
 */
export function demotedAt(catalogue: Catalogue, ruleId: string, place: Place | undefined): boolean {
  return place?.role === 'unreached' && place.entryPoints === true && catalogue.meta(ruleId)?.perRequest === true;
}

/** Findings as their places leave them, as the CLI and the editor report them: the quiet ones dropped, the unreached said as information. */
export function placed<T extends { ruleId: string; severity: Severity; message: string }>(catalogue: Catalogue, findings: readonly T[], placeOf: (f: T) => Place | undefined): T[] {
  const out: T[] = [];
  for (const f of findings) {
    const place = placeOf(f);
    if (quietAt(catalogue, f.ruleId, place)) continue;
    out.push(demotedAt(catalogue, f.ruleId, place) ? demoted(f) : f);
  }
  return out;
}

/** A finding said as information where demotedAt holds: its severity and message, as reported. */
export function demoted<T extends { severity: Severity; message: string }>(f: T): T {
  return { ...f, severity: 'info', message: f.message.endsWith(UNREACHED_NOTE) ? f.message : f.message + UNREACHED_NOTE };
}

/**
 * Whether a rule says nothing at a place, as the program sees it: a rule about per-request or
 * per-job cost in start-up code (and what only start-up code reaches), which runs once; a rule
 * about what every request does in a route hook, which runs on the routes that name it; a rule
 * about database round trips where the database is embedded in the process (SQLite).
 */
export function quietAt(catalogue: Catalogue, ruleId: string, place: Place | undefined): boolean {
  const meta = catalogue.meta(ruleId);
  if (!place || !meta) return false;
  return (place.role === 'startup' && meta.perRequest === true) || (place.role === 'route-hook' && meta.everyRequest === true) || (place.embeddedDatabase === true && meta.roundTrips === true);
}

/** Whether some place quiets the rule (see quietAt): only then is a finding's place worth looking up. */
export function quietable(catalogue: Catalogue, ruleId: string): boolean {
  const meta = catalogue.meta(ruleId);
  return meta?.perRequest === true || meta?.everyRequest === true || meta?.roundTrips === true;
}

function contains(a: At, line: number, column: number): boolean {
  return (line > a.line || (line === a.line && column >= a.column)) && (line < a.endLine || (line === a.endLine && column < a.endColumn));
}

function before(a: At, b: At): number {
  return a.line - b.line || a.column - b.column;
}

/**
 * A file's functions as a nesting tree: each one's enclosing function, and the order of their
 * starts to find the innermost function at a point by binary search (a file of thousands of
 * functions with thousands of findings made the scan over all functions per finding quadratic).
 */
class FunctionTree {
  private readonly order: number[];
  readonly parent = new Map<number, number>();

  constructor(private readonly fns: readonly FunctionSummary[]) {
    // Outer first on equal starts, so a function never encloses one starting where it starts.
    this.order = fns.map((_, i) => i).filter((i) => fns[i].extent).sort((a, b) => before(fns[a].extent!, fns[b].extent!) || fns[b].extent!.endLine - fns[a].extent!.endLine || fns[b].extent!.endColumn - fns[a].extent!.endColumn);
    const stack: number[] = [];
    for (const i of this.order) {
      const me = fns[i].extent!;
      while (stack.length > 0 && !contains(fns[stack[stack.length - 1]].extent!, me.line, me.column)) stack.pop();
      const outer = [...stack].reverse().find((j) => before(fns[j].extent!, me) !== 0);
      if (outer !== undefined) this.parent.set(i, outer);
      stack.push(i);
    }
  }

  innermost(line: number, column: number): number | undefined {
    let lo = 0;
    let hi = this.order.length - 1;
    let last = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const e = this.fns[this.order[mid]].extent!;
      if (e.line < line || (e.line === line && e.column <= column)) {
        last = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i: number | undefined = last >= 0 ? this.order[last] : undefined; i !== undefined; i = this.parent.get(i)) {
      if (contains(this.fns[i].extent!, line, column)) return i;
    }
    return undefined;
  }
}
