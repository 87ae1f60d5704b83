import type { Tree } from 'tree-sitter';
import rules from 'headroom:rules';
import type { ResolvedConfig } from '../config/config';
import { Analyzer, type AnalysisResult, type Budget, type UnitCache } from './analyzer';
import { Catalogue } from './catalogue';
import { parserFor, type GrammarId } from './languages';
import type { PackageManifest } from './package-manifest';
import type { GoPackageTypes } from '../model/go-package';

let shared: { catalogue: Catalogue; analyzer: Analyzer } | undefined;

/** The one engine of a process (or worker thread): the catalogue's queries are compiled once. */
export function engine(): { catalogue: Catalogue; analyzer: Analyzer } {
  if (!shared) {
    const catalogue = new Catalogue(rules);
    shared = { catalogue, analyzer: new Analyzer(catalogue) };
  }
  return shared;
}

/** A parse that ran out of its time budget: some grammars are quadratic on some input (50,000 quotes in Go). */
export class ParseBudgetExceeded extends Error {
  constructor(readonly ms: number) {
    super(`parsing took longer than ${ms} ms`);
  }
}

/** Parses with an optional time budget (milliseconds; throws ParseBudgetExceeded when it runs out). */
export function parse(grammar: GrammarId, text: string, oldTree?: Tree, budgetMs?: number): Tree {
  const parser = parserFor(grammar);
  parser.setTimeoutMicros(budgetMs ? Math.round(budgetMs * 1000) : 0);
  const tree = parser.parse(text, oldTree) as Tree | null;
  if (!tree) {
    // A halted parse would otherwise resume on this parser's next call, which may be another text.
    parser.reset();
    throw new ParseBudgetExceeded(budgetMs ?? 0);
  }
  return tree;
}

/** Parses and analyses a whole text: the CLI's and the tests' entry point. */
export function analyzeText(text: string, grammar: GrammarId, config: ResolvedConfig, cache?: UnitCache, budget?: Budget, path?: string, manifest?: PackageManifest, goPackage?: GoPackageTypes): AnalysisResult & { tree: Tree } {
  const tree = parse(grammar, text, undefined, budget && Math.max(1, budget.deadline - performance.now()));
  return { ...engine().analyzer.analyze({ tree, text, grammar, path, manifest, goPackage }, config, cache, budget), tree };
}
