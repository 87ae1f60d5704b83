import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { defaultConfig } from '../config/config';
import type { Severity } from '../engine/rule-api';
import { engine } from '../engine/index';
import { runWorkspaceRules } from '../workspace/run';
import { annotateRoles, buildProgram, placed, ProgramRoles } from '../workspace/program-findings';
import { projectPath } from '../engine/paths';
import { ConfigLookup } from './config-lookup';
import { discover, type DiscoveredFile } from './discover';
import type { FileOutcome, ScanError, ScanResult, SkippedFile } from './report';
import { runTask, type WorkerInit, type WorkerReply, type WorkerTask } from './worker-protocol';

export interface ScanOptions {
  /** Paths are resolved against, and shown relative to, this directory. Default: process.cwd(). */
  cwd?: string;
  /** Worker threads. Default: os.availableParallelism(). */
  jobs?: number;
  /** Overrides `thresholds.maxFileSizeKB` of the configuration (default 2048). */
  maxFileSizeKB?: number;
  /** Keep source lines around each finding for code frames. */
  frames?: boolean;
  /** Called after each file, from the calling thread. */
  onProgress?: (done: number, total: number) => void;
  /** The worker entry (dist/scan-worker.js). Default: next to this bundle; without it, the scan runs in the calling thread. */
  workerScript?: string;
  /** More exclude globs (gitignore syntax, relative to each configuration's folder). */
  extraExcludes?: readonly string[];
  /** Apply ignore files to paths named explicitly too. */
  forceExclude?: boolean;
  /** Stops handing out files; the files in flight finish and the result says `cancelled`. */
  signal?: AbortSignal;
  /** Run the workspace rules over the files scanned (default true; an index that joins scans runs them itself). */
  workspaceRules?: boolean;
}

/** Below this many files the scan runs in the calling thread: starting workers would cost more than it saves. */
const IN_THREAD_BELOW = 8;
/** Files handed to a worker before it answers: enough to keep it busy, few enough to keep memory flat. */
const IN_FLIGHT_PER_WORKER = 3;

/**
 * Scans files and folders: the calling thread walks the tree and hands paths to worker threads
 * (one per core), which read, parse and analyse each file and send back plain findings.
 */
export async function scan(paths: readonly string[], options: ScanOptions = {}): Promise<ScanResult> {
  const t0 = performance.now();
  const root = path.resolve(options.cwd ?? process.cwd());
  const display = (abs: string): string => displayPath(root, abs);
  const found = discover(paths.length > 0 ? paths : ['.'], root, new ConfigLookup(display), display, { extraExcludes: options.extraExcludes, forceExclude: options.forceExclude });

  const skipped: SkippedFile[] = found.skipped.map((s) => ({ path: display(s.absPath), reason: s.reason, note: s.note }));
  const errors: ScanError[] = [...found.errors];
  const bySeverity: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  const result: ScanResult = {
    root,
    targetUsers: found.configs[0]?.config.targetUsers ?? defaultConfig().targetUsers,
    config: found.configs[0]?.config ?? defaultConfig(),
    files: [],
    evidence: [],
    scanned: [],
    contributions: new Map(),
    skipped,
    errors,
    notes: found.notes,
    stats: { filesScanned: 0, bytesScanned: 0, findings: 0, bySeverity, durationMs: 0, workers: 0 },
  };
  const configs = found.configs.map((c) => c.config);
  const tasks: WorkerTask[] = found.files.map((f: DiscoveredFile, id) => ({
    id,
    path: f.absPath,
    config: f.config,
    maxBytes: Math.round((options.maxFileSizeKB ?? configs[f.config].thresholds.maxFileSizeKB) * 1024),
    projectPath: projectPath(f.projectRoot, f.absPath),
    projectRoot: f.projectRoot,
  }));
  const outcomes: FileOutcome[] = new Array(tasks.length);
  let done = 0;
  const onOutcome = (id: number, outcome: FileOutcome): void => {
    outcomes[id] = outcome;
    options.onProgress?.(++done, tasks.length);
  };
  options.onProgress?.(0, tasks.length);
  const init: WorkerInit = { configs, frames: options.frames ?? false };
  const jobs = Math.max(1, Math.min(options.jobs ?? os.availableParallelism(), tasks.length));
  const script = options.workerScript ?? path.join(__dirname, 'scan-worker.js');
  if (tasks.length < IN_THREAD_BELOW || jobs === 1 || !fs.existsSync(script)) {
    await scanInThread(tasks, init, onOutcome, options.signal);
  } else {
    result.stats.workers = jobs;
    await scanInWorkers(tasks, init, jobs, script, onOutcome, options.signal);
  }

  if (options.signal?.aborted) result.cancelled = true;
  tasks.forEach((task, i) => {
    const outcome = outcomes[i];
    const shown = display(task.path);
    if (!outcome) return; // not reached: the scan was cancelled
    if (outcome.kind === 'ok') {
      result.stats.filesScanned++;
      result.scanned.push(task.path);
      result.stats.bytesScanned += outcome.bytes;
      if (outcome.findings.length > 0) result.files.push({ path: shown, absPath: task.path, findings: outcome.findings });
      if (outcome.incomplete) skipped.push({ path: shown, reason: 'incomplete', note: outcome.incomplete });
      for (const e of outcome.evidence) result.evidence.push({ path: shown, absPath: task.path, ...e });
      if (outcome.exports.length + outcome.suppressions.length > 0 || outcome.program) {
        result.contributions.set(task.path, { exports: outcome.exports, suppressions: outcome.suppressions, ...(outcome.program ? { program: outcome.program } : {}) });
      }
    } else if (outcome.kind === 'skipped') {
      skipped.push({ path: shown, reason: outcome.reason, note: outcome.note });
    } else {
      errors.push({ path: shown, kind: 'read', message: `cannot read ${shown}: ${outcome.message}` });
    }
  });
  // A cancelled scan saw part of the workspace: joining what it saw would report wrong things.
  if (!result.cancelled && options.workspaceRules !== false) addWorkspaceFindings(result);
  return finish(result, t0);
}

/** Runs the workspace rules over what the files contributed and files their findings with the others'. */
function addWorkspaceFindings(result: ScanResult): void {
  const program = buildProgram(result.contributions);
  const found = runWorkspaceRules(engine().catalogue, {
    root: result.root,
    config: result.config,
    contributions: result.contributions,
    display: (abs) => displayPath(result.root, abs),
    program,
  });
  for (const [absPath, findings] of found) {
    let entry = result.files.find((f) => f.absPath === absPath);
    if (!entry) {
      entry = { path: displayPath(result.root, absPath), absPath, findings: [] };
      result.files.push(entry);
    }
    entry.findings.push(...findings);
  }
  annotateRoles(result.files, program);
  // Rules about per-request cost say nothing in code only start-up runs, nor rules about round
  // trips where the database is embedded: only the program knows either.
  const catalogue = engine().catalogue;
  const entryPoints = program ? new ProgramRoles(program).entryPoints() : false;
  for (const entry of result.files) {
    const embeddedDatabase = program?.embeddedDatabase(entry.absPath) ?? false;
    entry.findings = placed(catalogue, entry.findings, (f) => ({ role: f.role, embeddedDatabase, entryPoints }));
  }
  result.files = result.files.filter((entry) => entry.findings.length > 0);
}

function finish(result: ScanResult, t0: number): ScanResult {
  const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  result.files.sort(byPath);
  result.skipped.sort(byPath);
  result.evidence.sort((a, b) => byPath(a, b) || a.line - b.line || a.column - b.column);
  for (const file of result.files) {
    file.findings.sort(
      (a, b) => a.line - b.line || a.column - b.column || a.endLine - b.endLine || a.endColumn - b.endColumn || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0),
    );
    for (const f of file.findings) {
      result.stats.findings++;
      result.stats.bySeverity[f.severity]++;
    }
  }
  result.stats.durationMs = performance.now() - t0;
  return result;
}

/** `/`-separated and relative to the root when the file is inside it; absolute otherwise. */
export function displayPath(root: string, abs: string): string {
  const rel = path.relative(root, abs);
  const inside = rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
  return (inside ? rel : abs).split(path.sep).join('/');
}

/** For a handful of files. Yields to the event loop between files so that each parse tree is freed. */
async function scanInThread(tasks: WorkerTask[], init: WorkerInit, onOutcome: (id: number, o: FileOutcome) => void, signal?: AbortSignal): Promise<void> {
  for (const task of tasks) {
    if (signal?.aborted) return;
    onOutcome(task.id, runTask(task, init));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

async function scanInWorkers(
  tasks: WorkerTask[],
  init: WorkerInit,
  jobs: number,
  script: string,
  onOutcome: (id: number, o: FileOutcome) => void,
  signal?: AbortSignal,
): Promise<void> {
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let done = 0;
      const feed = (w: Worker, inFlight: { n: number }): void => {
        while (inFlight.n < IN_FLIGHT_PER_WORKER && next < tasks.length && !signal?.aborted) {
          w.postMessage(tasks[next++]);
          inFlight.n++;
        }
      };
      for (let i = 0; i < jobs; i++) {
        const w = new Worker(script, { workerData: init });
        const inFlight = { n: 0 };
        workers.push(w);
        w.on('message', (reply: WorkerReply) => {
          inFlight.n--;
          onOutcome(reply.id, reply.outcome);
          // Cancelled: no more files are handed out, and the scan ends when those in flight are back.
          if (++done === tasks.length || (signal?.aborted && done === next)) resolve();
          else feed(w, inFlight);
        });
        w.on('error', reject);
        w.on('exit', (code) => {
          if (done < tasks.length) reject(new Error(`a scan worker stopped (exit code ${code}) before the scan was done`));
        });
        feed(w, inFlight);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
