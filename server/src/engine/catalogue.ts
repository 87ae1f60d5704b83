import Parser = require('tree-sitter');
import { grammar, queryLanguageOf, type GrammarId } from './languages';
import type { RuleMeta, RuleModule } from './rule-api';
import { PREDICATES } from './predicates';
import { log } from './log';
import { buildPrefilter } from './prefilter';

/** The capture and fact names the engine itself uses. */
export const SUPPRESSION_CAPTURE = 'headroom.suppression';
const SUPPRESSION_PATTERN = `((comment) @${SUPPRESSION_CAPTURE} (#match? @${SUPPRESSION_CAPTURE} "headroom-ignore"))`;

export interface PatternInfo {
  /** undefined for the engine's own suppression-comment pattern. */
  rule: RuleModule | undefined;
  kind: 'finding' | 'fact' | 'suppression';
  props: Readonly<Record<string, string | null>>;
  /** Named predicates from `#is?` / `#is-not?`: [predicate, capture name]. */
  asserted: readonly [string, string][];
  refuted: readonly [string, string][];
}

export interface CompiledGrammar {
  query: Parser.Query;
  patterns: PatternInfo[];
  /** Units whose text does not match it cannot match any pattern (see prefilter.ts); undefined: query every unit. */
  prefilter: RegExp | undefined;
}

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
    const sources: string[] = [];
    const owners: (RuleModule | undefined)[] = [];
    const counts: number[] = [];
    const add = (rule: RuleModule | undefined, source: string): void => {
      // Compile alone first: to count its patterns, and so one broken query only disables its rule.
      let q: Parser.Query;
      try {
        q = new Parser.Query(lang, source);
      } catch (e) {
        const msg = `rule ${rule?.meta.id ?? '(engine)'}: the ${id} query does not compile: ${(e as Error).message}`;
        this.compileErrors.push(msg);
        log.error(msg);
        return;
      }
      const qi = internals(q);
      const unknown = [...Object.keys(flatten(qi.assertedProperties)), ...Object.keys(flatten(qi.refutedProperties))].filter(
        (p) => !(p in PREDICATES),
      );
      if (unknown.length > 0) {
        const msg = `rule ${rule?.meta.id}: unknown predicate(s) ${unknown.join(', ')} in the ${id} query`;
        this.compileErrors.push(msg);
        log.error(msg);
        return;
      }
      sources.push(source);
      owners.push(rule);
      counts.push(qi.predicates.length);
    };
    add(undefined, SUPPRESSION_PATTERN);
    for (const rule of this.rules) {
      const src = rule.queries[qlang];
      if (src && rule.meta.languages.includes(qlang)) add(rule, src);
    }
    const query = new Parser.Query(lang, sources.join('\n'));
    const qi = internals(query);
    const patterns: PatternInfo[] = [];
    let p = 0;
    owners.forEach((rule, i) => {
      for (let k = 0; k < counts[i]; k++, p++) {
        const props = qi.setProperties[p] ?? {};
        const asserted = Object.entries(qi.assertedProperties[p] ?? {}).map(([n, c]) => [n, c ?? 'match'] as [string, string]);
        const refuted = Object.entries(qi.refutedProperties[p] ?? {}).map(([n, c]) => [n, c ?? 'match'] as [string, string]);
        const kind = rule === undefined ? 'suppression' : props.fact !== undefined ? 'fact' : 'finding';
        patterns.push({ rule, kind, props, asserted, refuted });
      }
    });
    return { query, patterns, prefilter: buildPrefilter(sources) };
  }
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
