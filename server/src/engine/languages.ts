import * as path from 'path';
import type Parser from 'tree-sitter';
import { treeSitter } from './native';

/** The grammar a file is parsed with. JavaScript is parsed with the TSX grammar (a superset for our purposes). */
export type GrammarId = 'python' | 'go' | 'typescript' | 'tsx';

/** The query family a rule writes one `.scm` file for: TS, TSX and JS share `typescript.scm`. */
export type QueryLanguage = 'python' | 'go' | 'typescript';

const EXTENSION_GRAMMAR: Record<string, GrammarId> = {
  '.py': 'python',
  '.pyi': 'python',
  '.go': 'go',
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'tsx',
  '.js': 'tsx',
  '.mjs': 'tsx',
  '.cjs': 'tsx',
  '.jsx': 'tsx',
};

/** LSP language ids (as VS Code sends them) to grammars. */
const LANGUAGE_ID_GRAMMAR: Record<string, GrammarId> = {
  python: 'python',
  go: 'go',
  typescript: 'typescript',
  typescriptreact: 'tsx',
  javascript: 'tsx',
  javascriptreact: 'tsx',
};

export function grammarForPath(filePath: string): GrammarId | undefined {
  const ext = path.extname(filePath).toLowerCase();
  if (ext === '.ts' && filePath.toLowerCase().endsWith('.d.ts')) return undefined; // declarations hold no runtime code
  return EXTENSION_GRAMMAR[ext];
}

export function grammarForDocument(languageId: string, uri: string): GrammarId | undefined {
  return grammarForPath(uri) ?? LANGUAGE_ID_GRAMMAR[languageId];
}

export function queryLanguageOf(grammar: GrammarId): QueryLanguage {
  return grammar === 'tsx' ? 'typescript' : grammar;
}

export const SUPPORTED_EXTENSIONS = Object.keys(EXTENSION_GRAMMAR);

const languages = new Map<GrammarId, Parser.Language>();

/**
 * Loads a grammar's native binding on first use. The grammar packages ship N-API prebuilds for
 * linux/darwin/win32 on x64 and arm64, found by node-gyp-build next to the package, so they are
 * kept outside the bundle (see scripts/build.mjs) and required from node_modules.
 */
export function grammar(id: GrammarId): Parser.Language {
  let lang = languages.get(id);
  if (!lang) {
    switch (id) {
      case 'python':
        lang = require('tree-sitter-python') as Parser.Language;
        break;
      case 'go':
        lang = require('tree-sitter-go') as Parser.Language;
        break;
      case 'typescript':
        lang = (require('tree-sitter-typescript') as { typescript: Parser.Language }).typescript;
        break;
      case 'tsx':
        lang = (require('tree-sitter-typescript') as { tsx: Parser.Language }).tsx;
        break;
    }
    languages.set(id, lang);
  }
  return lang;
}

const parsers = new Map<GrammarId, Parser>();

/** One parser per grammar and thread: parsers are cheap to reuse and not safe to share across threads. */
export function parserFor(id: GrammarId): Parser {
  let parser = parsers.get(id);
  if (!parser) {
    parser = new (treeSitter())();
    parser.setLanguage(grammar(id));
    parsers.set(id, parser);
  }
  return parser;
}
