import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { defaultConfig } from '../src/config/config';
import { Analyzer } from '../src/engine/analyzer';
import { engine, parse } from '../src/engine/index';
import { expandModelPredicates } from '../src/engine/catalogue';
import { grammarForPath, queryLanguageOf } from '../src/engine/languages';
import { models } from '../src/model/library';
import type { QueryLanguage } from '../src/engine/languages';
import { captureIsRequired, patternLiterals, splitPatterns } from '../src/engine/query-literals';

describe('query literals and anchored ranges', () => {
  it('splits query source into top-level patterns, keeping trailing captures and predicates', () => {
    const src = [
      '; a comment (with parens)',
      '((call function: (identifier) @f) @match (#eq? @f "open"))',
      '(comment) @c (#match? @c "x(")',
      '[(a) (b)] @alt',
    ].join('\n');
    assert.deepStrictEqual(splitPatterns(src), [
      '((call function: (identifier) @f) @match (#eq? @f "open"))',
      '(comment) @c (#match? @c "x(")',
      '[(a) (b)] @alt',
    ]);
  });

  it('takes literals from #eq?, #any-of? and plain-word #match?, and nothing from other regexes', () => {
    assert.deepStrictEqual(patternLiterals('((call function: (identifier) @f) (#eq? @f "open"))'), ['open']);
    assert.deepStrictEqual(patternLiterals('((x) @m (#any-of? @m "limit" "take"))'), ['limit', 'take']);
    assert.deepStrictEqual(patternLiterals('((x) @m (#match? @m "^(get|post)$"))'), ['get', 'post']);
    assert.strictEqual(patternLiterals('((x) @m (#match? @m "^[Ss]elect"))'), undefined);
    assert.strictEqual(patternLiterals('((x) @m (#not-eq? @m "a"))'), undefined);
    assert.strictEqual(patternLiterals('((x) @a (y) @b (#eq? @a @b))'), undefined);
    // The most selective predicate wins.
    assert.deepStrictEqual(patternLiterals('((x) @a (y) @b (#any-of? @a "to" "in") (#eq? @b "SetMaxOpenConns"))'), ['SetMaxOpenConns']);
  });

  it('does not trust #eq? on an optional capture (the binding passes it when the capture is absent)', () => {
    assert.strictEqual(captureIsRequired('((call (identifier) @f) (#eq? @f "x"))', 'f'), true);
    assert.strictEqual(captureIsRequired('((call (identifier)? @f) (#eq? @f "x"))', 'f'), false);
    assert.strictEqual(captureIsRequired('((call (args (identifier) @f)*) (#eq? @f "x"))', 'f'), false);
    assert.strictEqual(captureIsRequired('((call [(identifier) @f (string)]) (#eq? @f "x"))', 'f'), false);
    assert.strictEqual(patternLiterals('((call (identifier)? @f) @match (#eq? @f "x"))'), undefined);
  });

  it('anchored ranges never change the findings: every fixture file analyses the same with and without them', () => {
    const root = path.resolve(__dirname, '..', '..', 'test-fixtures');
    const files = fs.existsSync(root) ? (fs.readdirSync(root, { recursive: true }) as string[]).map((f) => path.join(root, f)) : [];
    const { catalogue } = engine();
    const withIt = new Analyzer(catalogue);
    const without = new Analyzer(catalogue, { anchorRanges: false });
    let compared = 0;
    for (const file of files) {
      const grammar = grammarForPath(file);
      if (!grammar || !fs.statSync(file).isFile()) continue;
      const text = fs.readFileSync(file, 'utf8');
      const tree = parse(grammar, text);
      const pick = (r: { findings: unknown; evidence: unknown }) => ({ findings: r.findings, evidence: r.evidence });
      const a = pick(withIt.analyze({ tree, text, grammar }, defaultConfig()));
      const b = pick(without.analyze({ tree, text, grammar }, defaultConfig()));
      assert.deepStrictEqual(a, b, `${path.relative(root, file)} (${queryLanguageOf(grammar)})`);
      compared++;
    }
    assert.ok(compared >= 8, `compared ${compared} fixture files`);
  });
});

describe('#model? selectors', () => {
  it('property: names the rows that give a property, and only those (a narrow anchor)', () => {
    const expanded = expandModelPredicates('((x) @m (#model? @m "property:bulkTwin"))', models().of('python'));
    const names = JSON.parse(`[${/#any-of\? @m (.*)\)\)$/.exec(expanded)![1].split(' ').join(',')}]`) as string[];
    assert.ok(names.includes('insert_one'), names.join(' '));
    for (const n of ['create', 'save', 'update', 'add']) assert.ok(!names.includes(n), `${n} has no bulk form in the Python models`);
  });
});

describe('the cost budget of the catalogue', () => {
  // A pattern with neither an anchoring literal nor a gate is matched structurally on every unit of
  // every file, and each structural match is marshalled into JavaScript before its text predicates
  // run. Each one here is a reviewed exception; a new one must be added deliberately.
  const ALLOWED_UNANCHORED: Record<string, number> = {
    'in-memory-rate-limiter/python': 4,
    'in-memory-rate-limiter/go': 1,
    'in-memory-rate-limiter/typescript': 7,
    // Imports of a MongoDB driver (import nodes only) and collection aliases (a regex on the name);
    // TypeScript: calls with a literal filter on `this` or `this.x` (a generic repository's
    // methods can have any name; the file model says whether the receiver is a project class).
    'missing-index/python': 3,
    'missing-index/typescript': 2,
    // `new X()` with any identifier: an alias of a client class can have any name; the file's
    // imports resolve it.
    'per-request-client/typescript': 2,
    'pool-unconfigured/typescript': 1,
    // A class's first base (`class RecipeQuery(PaginationQuery)`): whatever it is named, a route
    // that takes the subclass takes the base's page size.
    'unbounded-page-size/python': 1,
    'unbounded-fan-out/go': 1,
    'unbounded-fetch/go': 4,
  };

  it('every pattern is anchored on a literal or gated on a file word, but for the reviewed exceptions', () => {
    const found: Record<string, number> = {};
    for (const rule of engine().catalogue.rules) {
      for (const [lang, source] of Object.entries(rule.queries)) {
        // A `#model?` predicate stands for the models' names, as the catalogue compiles it.
        const compiled = expandModelPredicates(source!, models().of(lang as QueryLanguage));
        for (const p of splitPatterns(compiled)) {
          if (patternLiterals(p) || /\(#set!\s+gate\s+"/.test(p)) continue;
          const key = `${rule.meta.id}/${lang}`;
          found[key] = (found[key] ?? 0) + 1;
        }
      }
    }
    assert.deepStrictEqual(found, ALLOWED_UNANCHORED);
  });
});
