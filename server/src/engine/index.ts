import type { Tree } from 'tree-sitter';
import rules from 'headroom:rules';
import type { ResolvedConfig } from '../config/config';
import { Analyzer, type AnalysisResult, type UnitCache } from './analyzer';
import { Catalogue } from './catalogue';
import { parserFor, type GrammarId } from './languages';

let shared: { catalogue: Catalogue; analyzer: Analyzer } | undefined;

/** The one engine of a process (or worker thread): the catalogue's queries are compiled once. */
export function engine(): { catalogue: Catalogue; analyzer: Analyzer } {
  if (!shared) {
    const catalogue = new Catalogue(rules);
    shared = { catalogue, analyzer: new Analyzer(catalogue) };
  }
  return shared;
}

export function parse(grammar: GrammarId, text: string, oldTree?: Tree): Tree {
  return parserFor(grammar).parse(text, oldTree);
}

/** Parses and analyses a whole text: the CLI's and the tests' entry point. */
export function analyzeText(text: string, grammar: GrammarId, config: ResolvedConfig, cache?: UnitCache): AnalysisResult & { tree: Tree } {
  const tree = parse(grammar, text);
  return { ...engine().analyzer.analyze({ tree, text, grammar }, config, cache), tree };
}
