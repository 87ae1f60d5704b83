import { CONFIG_FILE_NAME } from '../config/config';
import { budgetOf, type AnalysisResult } from '../engine/analyzer';
import { engine, ParseBudgetExceeded } from '../engine/index';
import type { ConfigStore } from './config-store';
import { toPath } from './config-store';
import type { DocumentAnalysis, OpenDocument } from './documents';
import type { Excludes } from './excludes';
import { projectPath } from '../engine/paths';
import { packageManifestOf } from '../engine/package-manifest';
import { goPackageTypesOf } from '../model/go-package';

/**
 * Budgets of one document's work in the editor. Real files parse in milliseconds and analyse in
 * well under a second; these bound pathological input (a grammar that is quadratic on some text,
 * a 50,000-character generated line) without touching real files.
 */
export const PARSE_BUDGET_MS = 1_000;
export const ANALYSIS_BUDGET_MS = 3_000;
/** How soon an analysis cut short by its budget is continued. */
const RESUME_AFTER_MS = 100;
/** Analysis runs in slices of this length, so other documents' requests are answered in between. */
export const SLICE_MS = 15;
/** After a parse ran out of its budget, the next attempt waits until typing has paused this long. */
export const PARSE_RETRY_AFTER_MS = 1_500;

/** Why an open document is not analysed (too large, binary, too slow to parse): reported once, as information. */
export interface Skip {
  reason: string;
}

const EMPTY: AnalysisResult = { findings: [], evidence: [], exports: [], deferredSuppressions: [], failedRules: [] };

/**
 * The analyses of open documents: at most one per revision and configuration, shared by every
 * request that needs it, computed in slices and within budgets.
 */
export class DocumentAnalyses {
  private readonly running = new Map<OpenDocument, { key: string; done: Promise<DocumentAnalysis | undefined> }>();
  /** When a document's parse last ran out of budget, and at which revision. */
  private readonly slowParse = new WeakMap<OpenDocument, { revision: number }>();
  /** When each document last changed: a slow document is retried only once typing pauses. */
  private readonly lastChange = new WeakMap<OpenDocument, number>();

  constructor(
    private readonly configs: ConfigStore,
    private readonly excludes: Excludes,
    /**
     * Told of every analysis stored, while the document still holds the analysed text, and whether
     * what it hands the workspace rules changed (see contributionKey).
     */
    private readonly stored: (d: OpenDocument, a: DocumentAnalysis, contributionChanged: boolean) => void,
    private readonly isOpen: (d: OpenDocument) => boolean,
    /** Asks the client to pull (or pushes) the document's diagnostics again: a paused document is being retried. */
    private readonly retry: (d: OpenDocument) => void,
  ) {}

  private readonly retryTimers = new WeakMap<OpenDocument, NodeJS.Timeout>();

  changed(d: OpenDocument): void {
    this.lastChange.set(d, performance.now());
  }

  /** The analysis of the document's current text and configuration, if it has been computed. */
  current(d: OpenDocument): DocumentAnalysis | undefined {
    const a = d.analysis;
    return a && a.revision === d.revision && a.configGen === this.configs.generation && !a.resumable ? a : undefined;
  }

  /**
   * The analysis of the document's current text; undefined when the text or the configuration
   * changed while it ran (the caller answers for the new text instead).
   */
  analyse(d: OpenDocument): Promise<DocumentAnalysis | undefined> {
    const ready = this.current(d);
    if (ready) return Promise.resolve(ready);
    const key = `${d.revision}:${this.configs.generation}`;
    const run = this.running.get(d);
    if (run?.key === key) return run.done;
    const done = this.run(d).finally(() => {
      if (this.running.get(d)?.done === done) this.running.delete(d);
    });
    this.running.set(d, { key, done });
    return done;
  }

  private async run(d: OpenDocument): Promise<DocumentAnalysis | undefined> {
    const revision = d.revision;
    const gen = this.configs.generation;
    const stale = () => d.revision !== revision || this.configs.generation !== gen || !this.isOpen(d);
    const skipped = (reason: string | undefined): DocumentAnalysis => this.store(d, revision, gen, EMPTY, reason);
    // Not kept: the same text is tried again once typing pauses.
    const deferred = (reason: string): DocumentAnalysis => ({ revision, configGen: gen, result: EMPTY, contributed: d.analysis?.contributed ?? '', skip: { reason } });
    const config = this.configs.configFor(d.uri);
    if (!this.configs.clientSettings.enable || !d.grammar) return skipped(undefined);
    const folder = this.configs.folderOf(d.uri);
    const file = toPath(d.uri);
    if (folder && file && this.excludes.isExcluded(folder.root, config.exclude, file)) return skipped(undefined);
    const text = d.text;
    const limit = config.thresholds.maxFileSizeKB * 1024;
    if (text.length > limit) {
      return skipped(`Headroom skipped this file: ${(text.length / 1024 / 1024).toFixed(1)} MB is above the ${config.thresholds.maxFileSizeKB} KB limit (thresholds.maxFileSizeKB in ${CONFIG_FILE_NAME}).`);
    }
    if (text.includes('\u0000')) return skipped('Headroom skipped this file: it contains NUL bytes, so it looks binary.');

    const slow = this.slowParse.get(d);
    if (slow) {
      if (slow.revision === revision) return skipped(slowParseReason());
      const wait = PARSE_RETRY_AFTER_MS - (performance.now() - (this.lastChange.get(d) ?? 0));
      if (wait > 0) {
        this.retryAfter(d, wait);
        return deferred(slowParseReason());
      }
    }
    const started = performance.now();
    let tree;
    try {
      tree = d.currentTree(PARSE_BUDGET_MS);
    } catch (e) {
      if (!(e instanceof ParseBudgetExceeded)) throw e;
      this.slowParse.set(d, { revision });
      return skipped(slowParseReason());
    }
    this.slowParse.delete(d);
    const budget = budgetOf(Math.max(1, ANALYSIS_BUDGET_MS - (performance.now() - started)));
    const result = await engine().analyzer.analyzeSliced({ tree, text, grammar: d.grammar, path: folder && file ? projectPath(folder.root, file) : undefined, manifest: file ? packageManifestOf(file, folder?.root) : undefined, goPackage: file && d.grammar === 'go' ? goPackageTypesOf(file, text) : undefined }, config, d.units, budget, {
      ms: SLICE_MS,
      pause: nextTurn,
      stale,
    });
    if (!result || stale()) return undefined;
    // Out of time (a cold start, a busy machine): the units done are cached, so the next analysis
    // of the same text continues from there. It is asked for soon, while each try gets further.
    const cut = result.incomplete && result.incomplete.end === undefined ? result.incomplete.offset : undefined;
    const before = d.analysis?.revision === revision && d.analysis.configGen === gen ? d.analysis.result.incomplete : undefined;
    const resumable = cut !== undefined && (before === undefined || before.end !== undefined || cut > before.offset);
    const stored = this.store(d, revision, gen, result, undefined, resumable);
    if (resumable) this.retryAfter(d, RESUME_AFTER_MS);
    return stored;
  }

  private retryAfter(d: OpenDocument, ms: number): void {
    clearTimeout(this.retryTimers.get(d));
    this.retryTimers.set(
      d,
      setTimeout(() => {
        if (this.isOpen(d)) this.retry(d);
      }, ms + 50),
    );
  }

  private store(d: OpenDocument, revision: number, configGen: number, result: AnalysisResult, skip: string | undefined, resumable = false): DocumentAnalysis {
    const contributed = contributionKey(d, result);
    const before = d.analysis?.contributed;
    d.analysis = { revision, configGen, result, contributed, ...(skip ? { skip: { reason: skip } } : {}), ...(resumable ? { resumable } : {}) };
    this.stored(d, d.analysis, contributed !== before);
    return d.analysis;
  }
}

function slowParseReason(): string {
  return `Headroom paused on this file: parsing it took longer than ${PARSE_BUDGET_MS / 1000} s (the grammar is slow on this text). It tries again when typing pauses.`;
}

/**
 * What the workspace rules' verdicts depend on in a document: its exports' data (not their
 * positions: findings are re-anchored to the current exports when reported, so typing that only
 * moves them needs no new join) and which export each workspace suppression covers.
 */
function contributionKey(d: OpenDocument, result: AnalysisResult): string {
  if (result.exports.length + result.deferredSuppressions.length === 0) return '';
  const lineOf = (offset: number) => d.doc.positionAt(offset).line;
  const covered = result.deferredSuppressions.map((s) => [s.ruleIds, result.exports.findIndex((x) => lineOf(x.start) === lineOf(s.line))]);
  return JSON.stringify([result.exports.map((x) => [x.ruleId, x.name, x.data]), covered]);
}

/**
 * A pause long enough for requests that arrived meanwhile to be read and dispatched: the
 * connection reads in the poll phase and dispatches from its own `setImmediate`, so a single
 * `setImmediate` would resume before it; the second one comes after.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
