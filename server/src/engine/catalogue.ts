import type Parser from 'tree-sitter';
import { treeSitter } from './native';
import { grammar, queryLanguageOf, type GrammarId } from './languages';
import type { RuleMeta, RuleModule } from './rule-api';
import { PREDICATES } from './predicates';
import { log } from './log';
import { anchorRegex, patternAnchors, splitPatterns, type PatternLiteral } from './query-literals';
import { lastName, models, type LanguageModels } from '../model/library';
import { pushTo } from './multimap';

/** The capture and fact names the engine itself uses. */
export const SUPPRESSION_CAPTURE = 'headroom.suppression';
const SUPPRESSION_PATTERN = `((comment) @${SUPPRESSION_CAPTURE} (#match? @${SUPPRESSION_CAPTURE} "headroom-ignore"))`;

export interface PatternInfo {
  /** undefined for the engine's own suppression-comment pattern. */
  rule: RuleModule | undefined;
  kind: 'finding' | 'fact' | 'export' | 'evidence' | 'suppression';
  props: Readonly<Record<string, string | null>>;
  /** Named predicates from `#is?` / `#is-not?`: [predicate, capture name]. */
  asserted: readonly [string, string][];
  refuted: readonly [string, string][];
}

export interface QueryPart {
  query: Parser.Query;
  patterns: PatternInfo[];
}

/** One set of patterns compiled together. */
export interface CompiledPatterns {
  /**
   * Patterns with a required literal (an identifier an `#eq?`/`#any-of?`/`#match?` needs): a match
   * must contain an occurrence of one, so they run only around those occurrences (see analyzer).
   */
  anchored: QueryPart | undefined;
  /** Finds the literals of the anchored patterns in a unit's text. */
  anchors: RegExp | undefined;
  /** Patterns that could match anywhere: they run over whole units. */
  free: QueryPart | undefined;
}

/**
 * Patterns with `(#set! gate "word other")` only mean something in a file that mentions one of
 * those words (a library's name): they run only in such files, so the others never pay for them.
 */
export interface GatedPatterns extends CompiledPatterns {
  /** The gate's words, as written. */
  words: string;
  /** Tests a file's whole text for the words. */
  test: RegExp;
}

export interface CompiledGrammar extends CompiledPatterns {
  gated: GatedPatterns[];
}

const GATE = /\(#set!\s+gate\s+"([^"]*)"\s*\)/;

/**
 * The rule catalogue: every rule's metadata and its queries, compiled once per grammar into one
 * combined query, so a file is matched against all rules in a single pass of tree-sitter's engine.
 */
export class Catalogue {
  readonly rules: readonly RuleModule[];
  private readonly byId = new Map<string, RuleModule>();
  private readonly compiled = new Map<GrammarId, CompiledGrammar>();
  /** Rules whose query failed to compile, per grammar: logged and left out, the others still run. */
  readonly compileErrors: string[] = [];

  constructor(rules: readonly RuleModule[]) {
    this.rules = rules;
    for (const r of rules) {
      if (this.byId.has(r.meta.id)) throw new Error(`Duplicate rule id ${r.meta.id}`);
      this.byId.set(r.meta.id, r);
    }
  }

  rule(id: string): RuleModule | undefined {
    return this.byId.get(id);
  }

  meta(id: string): RuleMeta | undefined {
    return this.byId.get(id)?.meta;
  }

  forGrammar(id: GrammarId): CompiledGrammar {
    let c = this.compiled.get(id);
    if (!c) {
      c = this.compile(id);
      this.compiled.set(id, c);
    }
    return c;
  }

  private compile(id: GrammarId): CompiledGrammar {
    const lang = grammar(id);
    const qlang = queryLanguageOf(id);
    const sources: { rule: RuleModule | undefined; source: string }[] = [{ rule: undefined, source: SUPPRESSION_PATTERN }];
    for (const rule of this.rules) {
      const src = rule.queries[qlang];
      if (src && rule.meta.languages.includes(qlang)) sources.push({ rule, source: expandModelPredicates(src, models().of(qlang)) });
    }
    // Compiling costs more than analysing a file, and every scan worker pays it: compile the two
    // combined queries only, and go rule by rule just to find the culprit when that fails.
    try {
      return this.buildAll(lang, id, sources);
    } catch {
      const valid = sources.filter(({ rule, source }) => this.validate(lang, id, rule, source));
      return this.buildAll(lang, id, valid);
    }
  }

  /** The ungated patterns, and one set per distinct gate. */
  private buildAll(lang: Parser.Language, id: GrammarId, sources: { rule: RuleModule | undefined; source: string }[]): CompiledGrammar {
    const byGate = new Map<string, { rule: RuleModule | undefined; source: string }[]>();
    for (const { rule, source } of sources) {
      for (const text of splitPatterns(source)) {
        const gate = GATE.exec(text)?.[1] ?? '';
        pushTo(byGate, gate, { rule, source: text });
      }
    }
    const main = this.build(lang, id, this.split(byGate.get('') ?? []));
    const gated: GatedPatterns[] = [];
    for (const [words, list] of byGate) {
      if (words === '') continue;
      const alternatives = words.split(/\s+/).filter(Boolean).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      gated.push({ words, test: new RegExp(alternatives.join('|')), ...this.build(lang, id, this.split(list)) });
    }
    // The analyzer keeps which gates a unit opens as a bit mask.
    if (gated.length > 30) throw new Error(`${gated.length} distinct gates in the ${id} queries: at most 30`);
    return { ...main, gated };
  }

  /** Splits every query into its patterns, sorted into anchored (with their literals) and free ones. */
  private split(sources: { rule: RuleModule | undefined; source: string }[]): { anchored: Piece[]; free: Piece[]; literals: PatternLiteral[] } {
    const anchored: Piece[] = [];
    const free: Piece[] = [];
    const literals: PatternLiteral[] = [];
    for (const { rule, source } of sources) {
      for (const text of splitPatterns(source)) {
        const lits = patternAnchors(text);
        if (lits) {
          anchored.push({ rule, text });
          literals.push(...lits);
        } else free.push({ rule, text });
      }
    }
    return { anchored, free, literals };
  }

  private build(lang: Parser.Language, id: GrammarId, parts: { anchored: Piece[]; free: Piece[]; literals: PatternLiteral[] }): CompiledPatterns {
    const anchored = combine(lang, parts.anchored);
    const free = combine(lang, parts.free);
    for (const part of [anchored, free]) {
      const unknown = part?.patterns.flatMap((p) => [...p.asserted, ...p.refuted].map(([name]) => name).filter((n) => !(n in PREDICATES)));
      if (unknown && unknown.length > 0) throw new Error(`unknown predicate(s) ${unknown.join(', ')} in the ${id} queries`);
    }
    return { anchored, anchors: parts.literals.length > 0 ? anchorRegex(parts.literals) : undefined, free };
  }

  /** Compiles one rule's query alone; a broken one is logged and left out, so the others still run. */
  private validate(lang: Parser.Language, id: GrammarId, rule: RuleModule | undefined, source: string): boolean {
    try {
      const q = new (treeSitter().Query)(lang, source);
      const qi = internals(q);
      const unknown = [...Object.keys(flatten(qi.assertedProperties)), ...Object.keys(flatten(qi.refutedProperties))].filter((p) => !(p in PREDICATES));
      if (unknown.length > 0) throw new Error(`unknown predicate(s) ${unknown.join(', ')}`);
      if (splitPatterns(source).length !== qi.predicates.length) throw new Error('the query could not be split into its patterns');
      return true;
    } catch (e) {
      const msg = `rule ${rule?.meta.id ?? '(engine)'}: the ${id} query does not compile: ${(e as Error).message}`;
      this.compileErrors.push(msg);
      log.error(msg);
      return false;
    }
  }
}

interface Piece {
  rule: RuleModule | undefined;
  /** Exactly one pattern. */
  text: string;
}

function combine(lang: Parser.Language, pieces: Piece[]): QueryPart | undefined {
  if (pieces.length === 0) return undefined;
  const query = new (treeSitter().Query)(lang, pieces.map((p) => p.text).join('\n'));
  const qi = internals(query);
  // Pattern i of the combined query is piece i: the splitter must agree with tree-sitter.
  if (qi.predicates.length !== pieces.length) throw new Error(`split into ${pieces.length} patterns, compiled ${qi.predicates.length}`);
  const patterns = pieces.map(({ rule }, p): PatternInfo => {
    const props = qi.setProperties[p] ?? {};
    const asserted = Object.entries(qi.assertedProperties[p] ?? {}).map(([n, c]) => [n, c ?? 'match'] as [string, string]);
    const refuted = Object.entries(qi.refutedProperties[p] ?? {}).map(([n, c]) => [n, c ?? 'match'] as [string, string]);
    const kind =
      rule === undefined
        ? 'suppression'
        : props.fact !== undefined
          ? 'fact'
          : props.export !== undefined
            ? 'export'
            : props.evidence !== undefined
              ? 'evidence'
              : 'finding';
    return { rule, kind, props, asserted, refuted };
  });
  return { query, patterns };
}

/**
 * `(#model? @name "effect:client type:sqlalchemy.orm.Session symbol:smtplib.SMTP")` stands for the
 * names the library models give: the last names of the symbols and members with an effect, the
 * members of a type (inherited ones too), the last names of symbols, the rows that give a property
 * (`property:bulkTwin`). It becomes an `#any-of?`, so
 * a pattern written with it is anchored on those names like any other, and the knowledge of which
 * names they are stays in models/.
 */
export function expandModelPredicates(source: string, lang: LanguageModels): string {
  return source.replace(/\(#model\?\s+(@[\w.-]+)\s+"([^"]*)"\s*\)/g, (_all, capture: string, selectors: string) => {
    const names = modelNames(lang, selectors.split(/\s+/).filter(Boolean));
    // An empty set matches nothing: a name no code has.
    const list = names.length > 0 ? names : ['\u0000no-model-name'];
    return `(#any-of? ${capture} ${list.map((n) => JSON.stringify(n)).join(' ')})`;
  });
}

function modelNames(lang: LanguageModels, selectors: string[]): string[] {
  const out = new Set<string>();
  for (const sel of selectors) {
    const [kind, value] = [sel.slice(0, sel.indexOf(':')), sel.slice(sel.indexOf(':') + 1)];
    if (kind === 'effect') for (const n of lang.namesWith([value])) out.add(n);
    else if (kind === 'type') for (const n of lang.memberNames(value)) out.add(n);
    else if (kind === 'symbol') out.add(lastName(value));
    else if (kind === 'library') for (const n of lang.symbolNames(value)) out.add(n);
    else if (kind === 'property') for (const n of lang.namesWithProperty(value)) out.add(n);
    else throw new Error(`unknown model selector ${sel} (effect:, type:, symbol:, library:, property:)`);
  }
  return [...out].sort();
}

/** Per-pattern data the binding computes but its typings do not declare. */
interface QueryInternals {
  predicates: readonly unknown[];
  setProperties: readonly (Record<string, string | null> | undefined)[];
  assertedProperties: readonly (Record<string, string | null> | undefined)[];
  refutedProperties: readonly (Record<string, string | null> | undefined)[];
}

function internals(q: Parser.Query): QueryInternals {
  return q as unknown as QueryInternals;
}

function flatten(perPattern: readonly (Record<string, unknown> | undefined)[]): Record<string, unknown> {
  return Object.assign({}, ...perPattern.filter(Boolean));
}
