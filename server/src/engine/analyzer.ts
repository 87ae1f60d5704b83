import type { Point, QueryMatch, SyntaxNode, Tree } from 'tree-sitter';
import type { IncludeRole, ResolvedConfig } from '../config/config';
import type { Catalogue, CompiledPatterns, GatedPatterns, PatternInfo } from './catalogue';
import { SUPPRESSION_CAPTURE } from './catalogue';
import { queryLanguageOf, type GrammarId, type QueryLanguage } from './languages';
import { log } from './log';
import { PREDICATES, enclosingFunction } from './predicates';
import type { CandidateInit, CheckContext, ExportData, FactRef, ModelFindingInit, RuleMatch, RuleMeta, RuleModule, Severity } from './rule-api';
import { bindUnit, mergeUnitModels, newMergeMemo, unitScope, WholeFileBinder, type MergeMemo } from '../model/bind';
import { FileContext } from '../model/file-context';
import type { ExprRef, FileModel } from '../model/file-model';
import { modelIndex } from '../model/model-index';
import { LineIndex } from '../cli/positions';
import { models, type Models } from '../model/library';
import type { FileRole } from '../model/roles';
import { summarise, targetOf, type CallTarget } from '../model/summary';
import { Program, type EffectPath, type FnRef } from '../model/program';
import type { Effect } from '../model/library';
import { parseSuppression, resolveSuppressions, type Suppression } from './suppressions';
import type { PackageManifest } from './package-manifest';
import type { GoPackageTypes } from '../model/go-package';

export interface Related {
  start: number;
  end: number;
  message: string;
}

/** A finding: plain data with UTF-16 offsets into the analysed text. */
export interface Finding {
  ruleId: string;
  start: number;
  end: number;
  message: string;
  severity: Severity;
  related: Related[];
  data: Record<string, string | number | boolean>;
  /** The syntax type of the reported node, to find it again for fixes. */
  nodeType: string;
}

interface Candidate {
  ruleId: string;
  start: number;
  end: number;
  nodeType: string;
  message: string;
  severity?: Severity;
  related: Related[];
  requires?: FactRef[];
  unless?: FactRef[];
  data: Record<string, string | number | boolean>;
  /** A finding through calls: where the call goes and what the callee must do (see ThroughInit); with `unless`, what it must not do (see CandidateInit.unlessThrough). */
  through?: Through;
  /** The function (its span) that must have one of the roles in the program (see CandidateInit.whenRole). */
  whenRole?: { start: number; end: number; roles: readonly string[] };
}

/** A call to follow: what the callee must do for the finding to hold, or with `unless`, what any of the calls (`also` the rest) must not. */
interface Through {
  target: CallTarget;
  needs: readonly Effect[] | 'blocking';
  inTransaction?: readonly Effect[];
  fallback?: string;
  unless?: true;
  also?: CallTarget[];
}

/** How far an `unless` follows: the callee, and what it calls (a handler's page size checked by the validator the service calls). */
const UNLESS_DEPTH = 3;

/**
 * A finding through calls that this file alone cannot confirm (the callee is in another file, or
 * reaches one): the workspace's program decides (see workspace/program-findings.ts).
 */
export interface DeferredFinding {
  ruleId: string;
  start: number;
  end: number;
  /** The message, with `{chain}` and `{what}` still to fill. */
  message: string;
  severity: Severity;
  /** Absent for a finding that waits only for a role (see `role`). */
  target?: CallTarget;
  needs?: readonly Effect[] | 'blocking';
  /** The function of this file (its index) that must have one of the roles in the program. */
  role?: { fn: number; roles: readonly string[] };
  /** What the callee must do instead of `needs` when the function the finding is in (its index) runs only inside transactions its callers open. */
  inTransaction?: { fn: number; needs: readonly Effect[] };
  /** The message when the workspace does not hold the function (see ThroughInit.fallback). */
  fallback?: string;
  /** The finding holds unless the target, or one of `also`, does what `needs` says (see CandidateInit.unlessThrough). */
  unless?: true;
  also?: CallTarget[];
  /** The finding's own related locations (the loop of a fan-out), kept before the chain's. */
  related?: Related[];
}

/**
 * Evidence that a concern is handled (a pool configured, a Redis-backed limiter): what lets the
 * readiness model call a category OK for a reason it can show. Patterns with `(#set! evidence "…")`.
 */
export interface Evidence {
  ruleId: string;
  message: string;
  start: number;
  end: number;
}

/** A fact for workspace rules (see RuleModule.exports), with UTF-16 offsets into the analysed text. */
export interface Export {
  ruleId: string;
  name: string;
  data: ExportData;
  start: number;
  end: number;
}

/** A suppression comment naming a workspace rule: applied when the workspace rules run. */
export interface DeferredSuppression {
  ruleIds: string[];
  /** Offset of the start of the line it covers. */
  line: number;
}

export interface Fact {
  name: string;
  key: string;
  start: number;
  end: number;
}

/** What one top-level unit (a module-level statement or declaration) yields; offsets relative to the unit. */
/**
 * A model hook's finding with where its call goes, resolved while its unit was analysed (so the
 * resolution's reads are the unit's): a function of this file by its qualified name, since its
 * index moves when a function is added above it.
 */
interface Hooked {
  ruleId: string;
  init: ModelFindingInit;
  /** The finding's message, filled in once when the unit is analysed (not on every keystroke). */
  message: string;
  target?: CallTarget | { kind: 'named'; qualifiedName: string };
}

interface UnitResult {
  candidates: Candidate[];
  /** What the rules' model hooks found in the unit (offsets relative to the unit, as the rest). */
  hooks?: Hooked[];
  facts: Fact[];
  suppressions: Suppression[];
  evidence: Evidence[];
  exports: Export[];
  /** The query engine's match limit cut this unit's matches short: a reused unit says so again. */
  tooDeep?: boolean;
}

interface UnitEntry {
  start: number;
  end: number;
  type: string;
  result: UnitResult;
  /** The unit's semantic model, with the offsets it had when bound at `boundAt`. */
  model: FileModel;
  boundAt: number;
  /** What the unit's rules read of the rest of the file (see FileContext.track). */
  reads: string[];
  /**
   * What the reads saw, when the unit was last judged against a file whose scope has changed
   * since. Without them, the unit stands for the cache's last file (see UnitCache.lastFile).
   */
  sigs?: string[];
  /** Bit i: the words of the grammar's gate i occur in this unit's text. */
  gates: number;
  /** An edit touched this unit since it was analysed. */
  dirty: boolean;
}

/**
 * Results per top-level unit of one document. The document store reports every edit, which shifts
 * the entries after it and marks the ones it touches; a unit found again at its shifted position,
 * untouched, has the same text and is reused as is (its results are relative to its start). So the
 * query pass after a keystroke covers the edited units alone, and no unit text is hashed. Rule code
 * must therefore judge a match by its own unit, and see the rest of the file only through facts.
 */
export class UnitCache {
  private entries: UnitEntry[] = [];
  /** The last join of the units' models (see mergeUnitModels). */
  readonly merged: MergeMemo = newMergeMemo();
  private configRef: ResolvedConfig | undefined;
  private gatesRef = '';
  /**
   * The file of the last analysis and its units' models. An entry without `sigs` is right for it,
   * so while the units' scopes stay the same the entries' reads need no check; when they change, what
   * the reads saw is taken from this file before the new one is joined (see keepSignatures).
   * Computing what every read sees on every keystroke cost more than the rest of the keystroke.
   */
  lastFile: { file: FileContext; units: FileModel[] } | undefined;
  hits = 0;
  misses = 0;

  /** Text [start, oldEnd) was replaced by text ending at newEnd (offsets before the edit). */
  noteEdit(start: number, oldEnd: number, newEnd: number): void {
    const delta = newEnd - oldEnd;
    for (const e of this.entries) {
      if (e.end < start) continue;
      if (e.start > oldEnd) {
        e.start += delta;
        e.end += delta;
      } else e.dirty = true;
    }
  }

  /** Tree-sitter reports that the syntax of [start, end) (new-text offsets) changed: units there are stale, even where their span did not move. */
  noteChanged(start: number, end: number): void {
    for (const e of this.entries) if (e.start <= end && e.end >= start) e.dirty = true;
  }

  /** The whole text was replaced. */
  reset(): void {
    this.entries = [];
    this.lastFile = undefined;
  }

  /** `gates`: which gated pattern sets run in this file; when that changes, every unit is stale. */
  begin(config: ResolvedConfig, gates = ''): UnitEntry[] {
    if (config !== this.configRef || gates !== this.gatesRef) {
      this.entries = [];
      this.lastFile = undefined;
      this.configRef = config;
      this.gatesRef = gates;
    }
    return this.entries;
  }

  /** The entries as they stand (shifted by edits), without starting an analysis. */
  peek(): readonly UnitEntry[] {
    return this.entries;
  }

  replace(next: UnitEntry[]): void {
    this.entries = next;
  }

  /**
   * The models of the units about to be analysed. When their scopes differ from the last file's,
   * entries that stood for it keep what their reads saw there, taken now, while its model is still
   * whole (the next join moves its parts). Says whether the scopes are the same. A unit reused
   * as it was is the same model; only the units bound again are compared by scope.
   */
  keepSignatures(units: readonly FileModel[]): boolean {
    const last = this.lastFile;
    if (last && last.units.length === units.length && last.units.every((m, i) => m === units[i] || sameScope(m, units[i]))) return true;
    for (const e of this.entries) if (!e.sigs && !e.dirty) e.sigs = last ? e.reads.map((k) => last.file.signature(k)) : undefined;
    return false;
  }
}

export interface AnalysisResult {
  findings: Finding[];
  evidence: Evidence[];
  exports: Export[];
  deferredSuppressions: DeferredSuppression[];
  /** Rule ids whose code threw on this file: their other findings still stand. */
  failedRules: string[];
  /** Part of the file was not fully analysed (out of time, or too deeply nested): findings may be missing there. */
  incomplete?: Incomplete;
  /** The file's semantic model and role (see server/src/model); absent for a file that was not analysed. */
  file?: FileContext;
  /** Findings left out because of the file's role (test, migration, browser, generated code, a script). */
  roleFiltered?: number;
  /** Findings through calls that need the workspace to confirm. */
  deferred?: DeferredFinding[];
}

export interface Incomplete {
  /** Where findings may be missing: from the start of the first unit not fully analysed ... */
  offset: number;
  /** ... to here (one unit too deep for the query engine), or to the end of the file (out of time). */
  end?: number;
  /** Why, in words, for the notice. */
  reason: string;
}

/**
 * How long one analysis may take. A file that takes longer (a generated 50,000-character line, a
 * nesting depth no person writes) gets the findings found so far and a notice, never a hang.
 */
export interface Budget {
  /** performance.now() after which no further unit is analysed. */
  deadline: number;
  /** The budget in milliseconds, for the notice. */
  ms: number;
}

export function budgetOf(ms: number): Budget {
  return { deadline: performance.now() + ms, ms };
}

/**
 * In-progress matches one query cursor may hold. Without a bound, tree-sitter's cursor state grows
 * with nesting depth, and on a chain thousands of calls deep it crashed the process; real code
 * stays far below this (the analyzer reports when it is reached).
 */
const MATCH_LIMIT = 1024;
/**
 * How deep inside a unit a pattern may start. Real code nests under 150 levels (the deepest seen
 * in nine real repositories: 299, in generated protobuf code); a chain thousands of calls deep
 * made the query engine take seconds per unit.
 */
const MAX_START_DEPTH = 256;

function tooDeep(offset: number, end: number): Incomplete {
  return { offset, end, reason: 'it nests more deeply than the query engine follows' };
}

/** Why a unit's analysis stopped short: the query engine's match limit, or the time budget. */
type Cut = 'matches' | 'time';

export interface AnalysisInput {
  tree: Tree;
  text: string;
  grammar: GrammarId;
  /** The file's path relative to its project, `/`-separated: conventions read roles from it (tests/, migrations/). */
  path?: string;
  /** The package.json of the file's package: a command-line package's code is a script. */
  manifest?: PackageManifest;
  /** Go: the struct types of the file's package declared in its other files (see go-package.ts). */
  goPackage?: GoPackageTypes;
}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };

const EMPTY_UNIT: Readonly<UnitResult> = Object.freeze({ candidates: [], facts: [], suppressions: [], evidence: [], exports: [] });

export interface AnalyzerOptions {
  /** Run anchored patterns only around their literals (on by default; tests compare both ways). */
  anchorRanges?: boolean;
}

/** Anchor occurrences closer than this are matched in one range. */
const CLUSTER_GAP = 512;

export class Analyzer {
  private readonly anchorRanges: boolean;

  constructor(
    readonly catalogue: Catalogue,
    options: AnalyzerOptions = {},
  ) {
    this.anchorRanges = options.anchorRanges ?? true;
  }

  /** Analyses a whole tree at once (the CLI, the tests). */
  analyze(input: AnalysisInput, config: ResolvedConfig, cache?: UnitCache, budget?: Budget): AnalysisResult {
    const steps = this.steps(input, config, cache, budget);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  }

  /**
   * Analyses in slices of about `sliceMs`, yielding to the event loop between them, so that one
   * slow document never holds up the answers for others. Resolves to undefined when `stale()`
   * says, after a yield, that the input changed meanwhile (the result would describe old text).
   */
  async analyzeSliced(
    input: AnalysisInput,
    config: ResolvedConfig,
    cache: UnitCache | undefined,
    budget: Budget | undefined,
    slice: { ms: number; pause: () => Promise<void>; stale: () => boolean },
  ): Promise<AnalysisResult | undefined> {
    const steps = this.steps(input, config, cache, budget);
    let sliceEnd = performance.now() + slice.ms;
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      if (performance.now() < sliceEnd) continue;
      // Keep the units done so far: if the text changes during the pause, the next analysis starts from them.
      r.value?.();
      const paused = performance.now();
      await slice.pause();
      if (slice.stale()) return undefined;
      // The budget counts this document's own work, not the others' served meanwhile.
      if (budget) budget.deadline += performance.now() - paused;
      sliceEnd = performance.now() + slice.ms;
    }
  }

  /**
   * The analysis as steps: it yields within a unit (between anchor ranges) and after each unit it
   * had to query, handing out then a checkpoint that stores the units analysed so far in the cache.
   */
  private *steps(input: AnalysisInput, config: ResolvedConfig, cache: UnitCache | undefined, budget: Budget | undefined): Generator<(() => void) | undefined, AnalysisResult, void> {
    const compiled = this.catalogue.forGrammar(input.grammar);
    const language = queryLanguageOf(input.grammar);
    const failed = new Set<string>();
    // Pass 1, per top-level unit: which gates' words it holds and its semantic model, both reused
    // from the cache for units an edit did not touch. Rules then see the whole file's model.
    const { units, whole } = this.units(input, compiled.gated, language, cache);
    const unitModels = units.map((u) => u.model);
    const scopeSame = cache?.keepSignatures(unitModels) ?? false;
    const fileModel = whole ?? mergeUnitModels(language, units.map((u) => ({ model: u.model, delta: u.start - u.boundAt })), cache?.merged);
    const file = new FileContext(language, fileModel, input.text, input.path, this.models(config), input.manifest, input.goPackage);
    const fileGates = units.reduce((a, u) => a | u.gates, 0);
    const parts: CompiledPatterns[] = [compiled, ...compiled.gated.filter((_, i) => fileGates & (1 << i))];
    // A unit's findings may depend on the rest of the file only through its scope (imports, module
    // bindings, classes, function signatures and roles): when that changes, every unit is stale.
    const previous = cache?.begin(config, `${fileGates}:${file.role.role}`);
    if (cache) cache.lastFile = { file, units: unitModels };
    // An entry stands for this file when the scope is unchanged and it has no signatures of an
    // older one, or when what its reads see here is what they saw there.
    const stands = (e: UnitEntry): boolean => (e.sigs ? e.reads.every((k, i) => file.signature(k) === e.sigs![i]) : scopeSame || e.reads.length === 0);
    const ctx = makeContext(config, language, file);
    const next: UnitEntry[] = [];
    let pi = 0;

    const candidates: Candidate[] = [];
    const facts = new Map<string, Fact[]>();
    const suppressions: Suppression[] = [];
    const evidence: Evidence[] = [];
    const exports: Export[] = [];
    const hooks: { h: Hooked; base: number }[] = [];
    let incomplete: Incomplete | undefined;
    let fresh = false;
    let unitStart = 0;
    const mergeUnit = (unit: UnitResult): void => {
      const start = unitStart;
      for (const c of unit.candidates) candidates.push(shift(c, start));
      for (const f of unit.facts) {
        const list = facts.get(f.name) ?? [];
        list.push({ ...f, start: f.start + start, end: f.end + start });
        facts.set(f.name, list);
      }
      for (const s of unit.suppressions) suppressions.push({ ...s, start: s.start + start, end: s.end + start });
      for (const e of unit.evidence) evidence.push({ ...e, start: e.start + start, end: e.end + start });
      for (const x of unit.exports) exports.push({ ...x, start: x.start + start, end: x.end + start });
      for (const h of unit.hooks ?? []) hooks.push({ h, base: start });
    };

    for (const u of units) {
      const { start, end, type } = u;
      if (budget && performance.now() > budget.deadline) {
        incomplete = { offset: start, reason: `its analysis took longer than ${budget.ms} ms` };
        break;
      }
      unitStart = start;
      let unit: UnitResult;
      // Entries and units are both in document order: walk them together.
      while (previous && pi < previous.length && previous[pi].start < start) pi++;
      const hit = previous?.[pi];
      let reads: string[] = [];
      if (hit && !hit.dirty && hit.start === start && hit.end === end && hit.type === type && stands(hit)) {
        unit = hit.result;
        reads = hit.reads;
        cache!.hits++;
        if (unit.tooDeep && !incomplete) incomplete = tooDeep(start, end);
      } else {
        const tracked = new Set<string>();
        file.track(tracked);
        let analysed: { result: UnitResult; cut?: Cut };
        try {
          const node = u.node();
          analysed = yield* this.analyzeUnit(node, input.text.slice(start, end), node.startPosition, parts, input, language, ctx, failed, budget?.deadline ?? Infinity);
          // A copy: a unit without matches shares EMPTY_UNIT, which must not carry one unit's hooks to the others.
          analysed.result = { ...analysed.result, hooks: this.modelHooks(file, ctx, config, language, { start, end }, node, failed) };
        } finally {
          file.track(undefined);
        }
        reads = [...tracked];
        if (cache) cache.misses++;
        if (analysed.cut === 'time' || (budget && performance.now() > budget.deadline)) {
          // Cut short by the time budget: the unit's results are partial, so they are not kept.
          incomplete = { offset: start, reason: `its analysis took longer than ${budget!.ms} ms` };
          break;
        }
        // The match limit is deterministic: the unit's results stand, with a notice.
        if (analysed.cut && !incomplete) incomplete = tooDeep(start, end);
        unit = analysed.result;
        fresh = true;
      }
      if (cache) next.push({ start, end, type, result: unit, gates: u.gates, model: u.model, boundAt: u.boundAt, reads, dirty: false });
      mergeUnit(unit);
      if (fresh) {
        fresh = false;
        yield () => cache?.replace(next.concat(previous?.filter((e) => e.start >= end && !e.dirty) ?? []));
      }
    }
    // An incomplete analysis keeps the entries it has: the units it did not reach are analysed next time.
    cache?.replace(incomplete && incomplete.end === undefined ? next.concat(previous?.filter((e) => e.start >= incomplete!.offset && !e.dirty) ?? []) : next);

    // Rules' model hooks: findings from the file's calls and loops, most of them through calls.
    for (const { h, base } of hooks) {
      const { ruleId, init, message, target: hooked } = h;
      const local = hooked?.kind === 'named' ? modelIndex(file.model).byQualifiedName.get(hooked.qualifiedName)?.[0] : undefined;
      const target: CallTarget | undefined = hooked?.kind === 'named' ? (local === undefined ? undefined : { kind: 'local', fn: local }) : hooked;
      if (init.through && !target) continue;
      candidates.push({
        ruleId,
        start: init.start + base,
        end: init.end + base,
        nodeType: '',
        message,
        severity: init.severity,
        related: [],
        data: init.data ?? {},
        ...(init.through && target ? { through: { target, needs: init.through.needs } } : {}),
      });
    }

    const findings: Finding[] = [];
    let roleFiltered = 0;
    const throughs: { c: Candidate; f: Finding }[] = [];
    const byRole: DeferredFinding[] = [];
    for (const c of candidates) {
      const f = this.resolve(c, facts, config);
      if (f && c.whenRole) {
        // Its role comes from another file: the workspace decides.
        const fn = modelIndex(file.model).functionBySpan.get(`${c.whenRole.start}:${c.whenRole.end}`);
        if (fn === undefined) continue;
        if (!appliesTo(this.catalogue.meta(f.ruleId)!, file.role.role, config)) roleFiltered++;
        else byRole.push({ ...(c.through ? deferredOf(f, c.through, file) : { ruleId: f.ruleId, start: f.start, end: f.end, message: f.message, severity: f.severity, ...(f.related.length > 0 ? { related: f.related } : {}) }), role: { fn, roles: c.whenRole.roles } });
        continue;
      }
      if (f && c.through) {
        if (appliesTo(this.catalogue.meta(f.ruleId)!, file.role.role, config)) throughs.push({ c, f });
        else roleFiltered++;
        continue;
      }
      if (!f) continue;
      if (!appliesTo(this.catalogue.meta(f.ruleId)!, file.role.role, config)) {
        roleFiltered++;
        continue;
      }
      findings.push(f);
    }
    const deferredFindings: ({ finding: Finding; site: number } | { deferred: DeferredFinding })[] = [
      ...(throughs.length > 0 ? followCalls(throughs, file, input) : []),
      ...byRole.map((deferred) => ({ deferred })),
    ];
    // A call a rule flags directly is not flagged again through the function it calls, nor is a
    // call whose chain ends at something the rule already flags where it is.
    const direct = new Set(findings.map((f) => `${f.ruleId}:${f.start}:${f.end}`));
    const covered = (ruleId: string, at: number) => findings.some((f) => f.ruleId === ruleId && f.start <= at && at < f.end);
    for (const d of deferredFindings) {
      if (!('finding' in d) || direct.has(`${d.finding.ruleId}:${d.finding.start}:${d.finding.end}`) || covered(d.finding.ruleId, d.site)) continue;
      findings.push(d.finding);
    }
    const pending = new Map<number, Set<string>>();
    for (const d of deferredFindings) {
      if (!('deferred' in d)) continue;
      const ls = input.text.lastIndexOf('\n', d.deferred.start - 1) + 1;
      pending.set(ls, new Set([...(pending.get(ls) ?? []), d.deferred.ruleId]));
    }
    const { kept, deferred } = resolveSuppressions(findings, suppressions, input.text, config, this.catalogue, pending);
    kept.sort((a, b) => a.start - b.start || ORDER[a.severity] - ORDER[b.severity] || a.ruleId.localeCompare(b.ruleId));
    // Evidence from code that does not serve traffic (a test's sized pool) says nothing about the
    // service, but for the roles a rule names (a migration's index is the schema's).
    const production = file.role.role === 'production' || config.include.includes(INCLUDE_OF[file.role.role] as IncludeRole);
    return {
      findings: kept,
      evidence: production ? evidence : evidence.filter((e) => evidenceCounts(this.catalogue.meta(e.ruleId), file.role.role)),
      exports: production ? exports : [],
      deferredSuppressions: deferred,
      failedRules: [...failed],
      ...(incomplete ? { incomplete } : {}),
      file,
      roleFiltered,
      deferred: deferredFindings.flatMap((d) => ('deferred' in d ? [d.deferred] : [])),
    };
  }

  private *analyzeUnit(
    unit: SyntaxNode,
    unitText: string,
    unitStart: Point,
    parts: CompiledPatterns[],
    input: AnalysisInput,
    language: QueryLanguage,
    ctx: CheckContext,
    failed: Set<string>,
    deadline: number,
  ): Generator<undefined, { result: UnitResult; cut?: Cut }, void> {
    const result: UnitResult = { candidates: [], facts: [], suppressions: [], evidence: [], exports: [] };
    const take = (m: QueryMatch, info: PatternInfo) => this.takeMatch(m, info, unit.startIndex, result, input, language, ctx, failed);
    let cut: Cut | undefined;
    for (const compiled of parts) {
      const c = yield* this.runPatterns(compiled, unit, unitText, unitStart, take, deadline);
      if (c) cut = c;
      if (cut === 'time') break;
    }
    const size = result.candidates.length + result.facts.length + result.suppressions.length + result.evidence.length + result.exports.length;
    if (cut === 'matches') result.tooDeep = true;
    return { result: size === 0 && !cut ? EMPTY_UNIT : result, cut };
  }

  /**
   * The top-level units of the tree, each with which gates' words its text holds and its semantic
   * model: from the cache for units an edit did not touch, computed for the others.
   */
  /** The rules' model hooks over one unit, with offsets relative to it (cached with the unit). */
  private modelHooks(file: FileContext, ctx: CheckContext, config: ResolvedConfig, language: QueryLanguage, span: { start: number; end: number }, unit: SyntaxNode, failed: Set<string>): Hooked[] {
    const out: Hooked[] = [];
    for (const rule of this.catalogue.rules) {
      if (!rule.model || !rule.meta.languages.includes(language) || config.rules[rule.meta.id] === 'off') continue;
      try {
        for (const init of rule.model(file, ctx, span, unit)) {
          const t = init.through ? targetOf(file.resolver.resolve(init.through.callee, init.through.at)) : undefined;
          if (init.through && !t) continue;
          const target = t?.kind === 'local' ? { kind: 'named' as const, qualifiedName: file.model.functions[t.fn].qualifiedName } : t;
          out.push({ ruleId: rule.meta.id, init: shiftedBy(init, -span.start), message: fill(init.message ?? rule.meta.message, init.args ?? {}), target });
        }
      } catch (e) {
        failed.add(rule.meta.id);
        log.once(`${rule.meta.id}:model:${(e as Error).message}`, `rule ${rule.meta.id} failed: ${(e as Error).stack ?? String(e)}`);
      }
    }
    return out;
  }

  private units(input: AnalysisInput, gated: readonly GatedPatterns[], language: QueryLanguage, cache: UnitCache | undefined): { units: UnitInfo[]; whole?: FileModel } {
    const previous = cache?.peek() ?? [];
    const out: UnitInfo[] = [];
    let pi = 0;
    let hints: FileModel['hints'] | undefined;
    // Nothing cached (a scan): one binder makes the file's model directly.
    const whole = cache ? undefined : new WholeFileBinder(language);
    const root = input.tree.rootNode;
    const cursor = root.walk();
    if (!cursor.gotoFirstChild()) return { units: out, whole: whole?.model };
    let index = -1;
    do {
      index++;
      const start = cursor.startIndex;
      const end = cursor.endIndex;
      const type = cursor.nodeType;
      const at = index;
      const node = () => root.child(at)!;
      while (pi < previous.length && previous[pi].start < start) pi++;
      const hit = previous[pi];
      if (hit && !hit.dirty && hit.start === start && hit.end === end && hit.type === type) {
        out.push({ start, end, type, node, gates: hit.gates, model: hit.model, boundAt: hit.boundAt });
      } else {
        const gates = gated.length > 0 ? gatesIn(input.text.slice(start, end), gated) : 0;
        const made = cursor.currentNode;
        if (whole) {
          whole.bind(made);
          out.push({ start, end, type, node: () => made, gates, model: whole.model, boundAt: start });
          continue;
        }
        const model = bindUnit(made, language, hints);
        out.push({ start, end, type, node: () => made, gates, model, boundAt: start });
      }
      hints ??= out[out.length - 1].model.hints.goPackage ? out[out.length - 1].model.hints : undefined;
    } while (cursor.gotoNextSibling());
    return { units: out, whole: whole?.model };
  }

  /** The models a configuration sees: Headroom's, with the configuration's own rows. */
  private models(config: ResolvedConfig): Models {
    if (config.models.length === 0) return models();
    let m = this.userModels.get(config.models);
    if (!m) {
      m = models().withUser(config.models);
      this.userModels.set(config.models, m);
    }
    return m;
  }

  private readonly userModels = new WeakMap<object, Models>();

  /**
   * Runs one pattern set over a unit, as steps (one per anchor range). Says when it was cut short: by the query engine's match limit
   * (results may be missing, deterministically) or by the deadline (a bundle is one giant unit:
   * the time goes to the rules' checks of its matches as much as to the query).
   */
  private *runPatterns(
    compiled: CompiledPatterns,
    unit: SyntaxNode,
    unitText: string,
    unitStart: Point,
    take: (m: QueryMatch, info: PatternInfo) => void,
    deadline: number,
  ): Generator<undefined, Cut | undefined, void> {
    const options = () => ({
      matchLimit: MATCH_LIMIT,
      maxStartDepth: MAX_START_DEPTH,
      ...(deadline < Infinity ? { timeoutMicros: Math.max(1, Math.round((deadline - performance.now()) * 1000)) } : {}),
    });
    let exceeded = false;
    let n = 0;
    const late = () => (++n & 31) === 0 && performance.now() > deadline;
    const over = () => deadline < Infinity && performance.now() > deadline;
    if (compiled.free) {
      for (const m of compiled.free.query.matches(unit, options())) {
        if (late()) return 'time';
        take(m, compiled.free.patterns[m.pattern]);
      }
      exceeded ||= compiled.free.query.didExceedMatchLimit();
      if (over()) return 'time';
    }
    const anchored = compiled.anchored;
    if (!anchored || !compiled.anchors) return exceeded ? 'matches' : undefined;
    const ranges = this.anchorRanges ? anchorRanges(unitText, compiled.anchors, unitStart) : [undefined];
    const seen = ranges.length > 1 ? new Set<string>() : undefined;
    for (const r of ranges) {
      for (const m of anchored.query.matches(unit, r ? { ...options(), startPosition: r.start, endPosition: r.end } : options())) {
        if (late()) return 'time';
        if (seen) {
          const key = `${m.pattern}:${m.captures.map((c) => `${c.name}@${c.node.startIndex}-${c.node.endIndex}`).join(',')}`;
          if (seen.has(key)) continue;
          seen.add(key);
        }
        take(m, anchored.patterns[m.pattern]);
      }
      exceeded ||= anchored.query.didExceedMatchLimit();
      if (over()) return 'time';
      // A bundle is one unit with thousands of ranges: a sliced analysis may pause between them.
      yield undefined;
    }
    return exceeded ? 'matches' : undefined;
  }

  private takeMatch(
    m: QueryMatch,
    info: PatternInfo,
    base: number,
    result: UnitResult,
    input: AnalysisInput,
    language: QueryLanguage,
    ctx: CheckContext,
    failed: Set<string>,
  ): void {
    if (info.kind === 'suppression') {
      const node = m.captures.find((c) => c.name === SUPPRESSION_CAPTURE)?.node;
      const s = node && parseSuppression(node.text, node.startIndex - base, node.endIndex - base);
      if (s) result.suppressions.push(s);
      return;
    }
    const rule = info.rule!;
    if (ctx.config.rules[rule.meta.id] === 'off') return;
    const match = toRuleMatch(m.captures, info, language, input.grammar, ctx.file);
    if (!passesPredicates(match, info, language, ctx.file)) return;
    try {
      if (info.kind === 'evidence') {
        const node = match.node('evidence') ?? m.captures[0].node;
        const e = { ruleId: rule.meta.id, message: info.props.evidence ?? '', start: node.startIndex - base, end: node.endIndex - base };
        // Two patterns may see the same evidence (by name and by resolution): it is one. A pattern
        // that says more of the same code (`…, with an in-memory fallback`) replaces the shorter message.
        const same = result.evidence.find((x) => x.ruleId === e.ruleId && x.start === e.start && x.end === e.end && (e.message.startsWith(x.message) || x.message.startsWith(e.message)));
        if (!same) result.evidence.push(e);
        else if (e.message.length > same.message.length) same.message = e.message;
      } else if (info.kind === 'export') {
        const made = rule.exports
          ? rule.exports(match, ctx) ?? []
          : [{ name: info.props.export!, node: match.node('key') ?? m.captures[0].node, data: { key: (match.node('key') ?? m.captures[0].node).text } }];
        for (const x of made) result.exports.push({ ruleId: rule.meta.id, name: x.name, data: x.data, start: x.node.startIndex - base, end: x.node.endIndex - base });
      } else if (info.kind === 'fact') {
        const made = rule.facts
          ? rule.facts(match, ctx) ?? []
          : [{ name: info.props.fact!, key: match.text('key') ?? '', node: match.node('key') ?? m.captures[0].node }];
        for (const f of made) result.facts.push({ name: f.name, key: f.key, start: f.node.startIndex - base, end: f.node.endIndex - base });
      } else {
        const made = rule.check ? rule.check(match, ctx) : {};
        for (const c of made === undefined ? [] : Array.isArray(made) ? made : [made]) {
          const cand = toCandidate(rule, c, match, base);
          if (cand) result.candidates.push(cand);
        }
      }
    } catch (e) {
      failed.add(rule.meta.id);
      log.once(`${rule.meta.id}:${(e as Error).message}`, `rule ${rule.meta.id} failed: ${(e as Error).stack ?? String(e)}`);
    }
  }

  private resolve(c: Candidate, facts: Map<string, Fact[]>, config: ResolvedConfig): Finding | undefined {
    const related = [...c.related];
    for (const req of c.requires ?? []) {
      const found = findFact(facts, req);
      if (!found) return undefined;
      if (req.related) related.push({ start: found.start, end: found.end, message: req.related });
    }
    for (const un of c.unless ?? []) if (findFact(facts, un)) return undefined;
    const meta = this.catalogue.meta(c.ruleId)!;
    const configured = config.rules[c.ruleId];
    if (configured === 'off') return undefined;
    const severity = configured ?? c.severity ?? meta.severityAtScale?.[config.targetUsers] ?? meta.severity;
    return { ruleId: c.ruleId, start: c.start, end: c.end, message: c.message, severity, related, data: c.data, nodeType: c.nodeType };
  }
}

/**
 * Point ranges around the anchor literals found in a unit's text (tree-sitter points: rows split on
 * `\n`, columns in UTF-16 units), nearby occurrences merged. Point ranges, because this binding
 * mishandles index ranges (the start is taken in bytes and the end is ignored).
 */
function anchorRanges(text: string, anchors: RegExp, unitStart: Point): { start: Point; end: Point }[] {
  const spans: [number, number][] = [];
  anchors.lastIndex = 0;
  for (let m = anchors.exec(text); m; m = anchors.exec(text)) {
    const s = m.index;
    const e = s + m[0].length;
    const last = spans[spans.length - 1];
    if (last && s - last[1] < CLUSTER_GAP) last[1] = e;
    else spans.push([s, e]);
  }
  const out: { start: Point; end: Point }[] = [];
  let row = 0;
  let lineStart = 0;
  let scanned = 0;
  const pointAt = (offset: number): Point => {
    for (let nl = text.indexOf('\n', scanned); nl >= 0 && nl < offset; nl = text.indexOf('\n', nl + 1)) {
      row++;
      lineStart = nl + 1;
    }
    scanned = Math.max(scanned, lineStart);
    return row === 0 ? { row: unitStart.row, column: unitStart.column + offset } : { row: unitStart.row + row, column: offset - lineStart };
  };
  for (const [s, e] of spans) out.push({ start: pointAt(s), end: pointAt(e) });
  return out;
}

/** Bit i set when the words of gate i occur in the text. */
function gatesIn(text: string, gated: readonly GatedPatterns[]): number {
  let mask = 0;
  gated.forEach((g, i) => {
    if (g.test.test(text)) mask |= 1 << i;
  });
  return mask;
}

function findFact(facts: Map<string, Fact[]>, ref: FactRef): Fact | undefined {
  const list = facts.get(ref.fact);
  if (!list) return undefined;
  return ref.key === undefined ? list[0] : list.find((f) => f.key === ref.key);
}

function shift(c: Candidate, by: number): Candidate {
  return {
    ...c,
    start: c.start + by,
    end: c.end + by,
    related: c.related.map((r) => ({ ...r, start: r.start + by, end: r.end + by })),
    ...(c.whenRole ? { whenRole: { ...c.whenRole, start: c.whenRole.start + by, end: c.whenRole.end + by } } : {}),
  };
}

function makeContext(config: ResolvedConfig, language: QueryLanguage, file: FileContext): CheckContext {
  return {
    config,
    file,
    is(name, node) {
      const p = PREDICATES[name];
      if (!p) throw new Error(`unknown predicate ${name}`);
      return p(node, language, file);
    },
    enclosingFunction: (node) => enclosingFunction(node, language),
  };
}

/**
 * Findings through calls that this file can confirm: the callee is here and does what the rule
 * needs, itself or through other functions here. The others are handed to the workspace.
 */
function followCalls(throughs: { c: Candidate; f: Finding }[], file: FileContext, input: AnalysisInput): ({ finding: Finding; site: number } | { deferred: DeferredFinding })[] {
  const roots = throughs.flatMap(({ c }) => (c.through!.target.kind === 'local' ? [c.through!.target.fn] : []));
  const summary = summarise(file, roots);
  const program = new Program([{ path: '<this file>', language: file.language, summary, imports: file.model.imports, reexports: file.model.reexports, goPackage: file.model.hints.goPackage }], () => undefined);
  // Lines are counted only for a chain to show: most keystrokes follow no call to a hit.
  let lines: LineIndex | undefined;
  const lineOf = (offset: number) => (lines ??= new LineIndex(input.text)).lineOf(offset) + 1;
  const out: ({ finding: Finding; site: number } | { deferred: DeferredFinding })[] = [];
  for (const { c, f } of throughs) {
    const through = c.through!;
    if (through.unless) {
      const targets = [through.target, ...(through.also ?? [])];
      const refs = targets.map((t) => (t.kind === 'local' ? program.resolve('<this file>', t) : undefined));
      if (refs.some((r) => r && unlessHit(program, r, through.needs))) continue;
      // A call into another file (or through one): the workspace decides; all here: the finding stands.
      if (refs.some((r) => !r || reachesOtherFiles(program, r))) out.push({ deferred: deferredOf(f, through, file) });
      else out.push({ finding: f, site: f.start });
      continue;
    }
    // An import names another file, which this one-file program does not have: the workspace follows it.
    const ref = through.target.kind === 'local' ? program.resolve('<this file>', through.target) : undefined;
    const hit = ref && reached(program, ref, through.needs);
    if (hit) {
      const chain = hit.chain.map((s) => `\`${s.text}\` (line ${lineOf(s.start)})`).join(' → ');
      const message = fillThrough(f.message, chain, hit.site.text);
      const related = [...f.related, ...hit.chain.map((s, i) => ({ start: s.start, end: s.end, message: i === hit.chain.length - 1 ? `${hit.site.text}: ${hit.effect}` : `calls \`${s.text}\`` }))];
      out.push({ finding: { ...f, message, related }, site: hit.site.start });
    } else if (!ref || ref.file !== '<this file>' || reachesOtherFiles(program, ref)) {
      out.push({ deferred: deferredOf(f, through, file) });
    }
  }
  return out;
}

function deferredOf(f: Finding, through: Through, file: FileContext): DeferredFinding {
  // Callbacks keep their function's place in the program: the outermost function is the one callers reach.
  let fn = through.inTransaction ? file.resolver.functionAt(f.start) : undefined;
  while (fn !== undefined && file.model.functions[fn].parent !== undefined) fn = file.model.functions[fn].parent;
  return {
    ruleId: f.ruleId,
    start: f.start,
    end: f.end,
    message: f.message,
    severity: f.severity,
    target: through.target,
    needs: through.needs,
    ...(through.inTransaction && fn !== undefined ? { inTransaction: { fn, needs: through.inTransaction } } : {}),
    ...(through.fallback ? { fallback: through.fallback } : {}),
    ...(through.unless ? { unless: true as const, ...(through.also?.length ? { also: through.also } : {}) } : {}),
    ...(f.related.length > 0 ? { related: f.related } : {}),
  };
}

/** Whether a function does what an `unless` names, itself or within UNLESS_DEPTH calls. */
export function unlessHit(program: Program, ref: FnRef, needs: readonly Effect[] | 'blocking'): boolean {
  const hit = reached(program, ref, needs);
  return !!hit && hit.chain.length <= UNLESS_DEPTH;
}

/** The effect path a function offers for what a rule needs. */
export function reached(program: Program, ref: FnRef, needs: readonly Effect[] | 'blocking'): EffectPath | undefined {
  if (needs === 'blocking') return program.fn(ref)?.isAsync ? undefined : program.blockingOf(ref);
  const effects = program.effectsOf(ref);
  let best: EffectPath | undefined;
  for (const e of needs) {
    const p = effects.get(e);
    if (p && (!best || p.chain.length < best.chain.length)) best = p;
  }
  return best;
}

/** Whether a local function calls into other files (then only the workspace can say what it does). */
function reachesOtherFiles(program: Program, ref: FnRef): boolean {
  const seen = new Set<number>();
  const visit = (fn: number): boolean => {
    if (seen.has(fn)) return false;
    seen.add(fn);
    const s = program.fn({ file: ref.file, fn });
    return (s?.calls ?? []).some((c) => c.target.kind === 'import' || visit(c.target.fn));
  };
  return visit(ref.fn);
}

export function fillThrough(message: string, chain: string, what: string): string {
  return message.replace(/\{chain\}/g, chain).replace(/\{what\}/g, `\`${what}\``);
}


/** The `include` setting that brings a non-production role's findings back. */
const INCLUDE_OF: Record<FileRole, IncludeRole | 'production'> = { test: 'tests', migration: 'migrations', script: 'scripts', frontend: 'frontend', generated: 'generated', production: 'production' };

/**
 * Whether only production code gets findings, evidence and exports under this configuration: no
 * rule lists another role and the configuration includes none. Then a file whose path alone makes
 * it a test, a migration, a script or generated code need not be read (see roleByPath).
 */
export function judgesOnlyProduction(catalogue: Catalogue, config: ResolvedConfig): boolean {
  return config.include.length === 0 && !catalogue.rules.some((r) => (r.meta.roles?.length ?? 0) > 0 && config.rules[r.meta.id] !== 'off');
}

/** Whether a rule's evidence counts from code of a non-production role (see RuleMeta.evidenceRoles). */
function evidenceCounts(meta: RuleMeta | undefined, role: FileRole): boolean {
  return (meta?.evidenceRoles as readonly string[] | undefined)?.includes(role) ?? false;
}

/** Whether a file of this role must be read though no rule judges it: some rule that is on takes its evidence from such code. */
export function readsEvidenceOf(catalogue: Catalogue, role: FileRole, config: ResolvedConfig): boolean {
  return catalogue.rules.some((r) => evidenceCounts(r.meta, role) && config.rules[r.meta.id] !== 'off');
}

/**
 * A unit's scope costs a walk of its whole model. A unit this large (a class of thousands of
 * lines) is compared by what cached units read instead, which costs what they read.
 */
const MAX_SCOPED_CALLS = 500;

function sameScope(a: FileModel, b: FileModel): boolean {
  if (a.calls.length > MAX_SCOPED_CALLS || b.calls.length > MAX_SCOPED_CALLS) return false;
  return unitScope(a) === unitScope(b);
}

/** Whether a rule judges code of a file role: production always; others when the rule lists them or the configuration includes them. */
function appliesTo(meta: RuleMeta, role: FileRole, config: ResolvedConfig): boolean {
  return role === 'production' || (meta.roles?.includes(role) ?? false) || config.include.includes(INCLUDE_OF[role] as IncludeRole);
}

interface UnitInfo {
  start: number;
  end: number;
  type: string;
  /** The unit's node, made only for units that are analysed (a node object per unit per keystroke cost more than the rest of the walk). */
  node: () => SyntaxNode;
  gates: number;
  model: FileModel;
  boundAt: number;
}

function toRuleMatch(
  captures: { name: string; node: SyntaxNode }[],
  info: PatternInfo,
  language: QueryLanguage,
  grammar: GrammarId,
  file: FileContext,
): RuleMatch {
  return {
    language,
    grammar,
    file,
    props: info.props,
    node: (name) => captures.find((c) => c.name === name)?.node,
    nodes: (name) => captures.filter((c) => c.name === name).map((c) => c.node),
    text: (name) => captures.find((c) => c.name === name)?.node.text,
  };
}

function passesPredicates(match: RuleMatch, info: PatternInfo, language: QueryLanguage, file: FileContext): boolean {
  for (const [name, capture] of info.asserted) {
    const node = match.node(capture);
    if (!node || !PREDICATES[name](node, language, file)) return false;
  }
  for (const [name, capture] of info.refuted) {
    const node = match.node(capture);
    if (node && PREDICATES[name](node, language, file)) return false;
  }
  return true;
}

function toCandidate(rule: RuleModule, init: CandidateInit, match: RuleMatch, base: number): Candidate | undefined {
  const node = init.node ?? match.node('match');
  if (!node) throw new Error(`pattern has no @match capture and check() gave no node`);
  let message = fill(init.message ?? rule.meta.message, init.args ?? {});
  let through: Candidate['through'];
  if (init.unlessThrough) {
    // Only the project's own calls can bound it; with none, the finding stands as found.
    const targets = init.unlessThrough.calls.flatMap((c) => {
      const t = targetOf(match.file.resolveCallee(c));
      return t ? [t] : [];
    });
    if (targets.length > 0) through = { target: targets[0], needs: init.unlessThrough.needs, unless: true, ...(targets.length > 1 ? { also: targets.slice(1) } : {}) };
  } else if (init.through) {
    // Only the project's own code is followed: a library call is judged where it is written.
    const target = targetOf(match.file.resolveCallee(init.through.call));
    const fallback = init.through.fallback === undefined ? undefined : fill(init.through.fallback, init.args ?? {});
    if (target) through = { target, needs: init.through.needs, ...(init.through.inTransaction ? { inTransaction: init.through.inTransaction } : {}), ...(fallback ? { fallback } : {}) };
    else if (fallback) message = fallback;
    else return undefined;
  }
  return {
    through,
    ruleId: rule.meta.id,
    start: node.startIndex - base,
    end: node.endIndex - base,
    nodeType: node.type,
    message,
    severity: init.severity,
    related: (init.related ?? []).map((r) => ({ start: r.node.startIndex - base, end: r.node.endIndex - base, message: r.message })),
    requires: init.requires,
    unless: init.unless,
    data: init.data ?? {},
    ...(init.whenRole ? { whenRole: { start: init.whenRole.fn.startIndex - base, end: init.whenRole.fn.endIndex - base, roles: init.whenRole.roles } } : {}),
  };
}

function fill(template: string, args: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in args ? String(args[name]) : whole));
}

/** A model hook's finding moved by `delta` (its call's expression with it). */
function shiftedBy(init: ModelFindingInit, delta: number): ModelFindingInit {
  if (delta === 0) return init;
  return {
    ...init,
    start: init.start + delta,
    end: init.end + delta,
    ...(init.through ? { through: { ...init.through, at: init.through.at + delta, callee: shiftedExpr(init.through.callee, delta) } } : {}),
  };
}

function shiftedExpr(e: ExprRef, delta: number): ExprRef {
  return {
    ...e,
    start: e.start + delta,
    end: e.end + delta,
    ...(e.receiver ? { receiver: shiftedExpr(e.receiver, delta) } : {}),
    ...(e.of ? { of: shiftedExpr(e.of, delta) } : {}),
  };
}
