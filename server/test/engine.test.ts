import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { defaultConfig, parseConfig } from '../src/config/config';
import { fileContextOf } from '../src/model/file-context';
import { Analyzer, UnitCache } from '../src/engine/analyzer';
import { Catalogue } from '../src/engine/catalogue';
import { engine, parse } from '../src/engine/index';
import { grammarForPath } from '../src/engine/languages';
import { setLogger } from '../src/engine/log';
import { isHandlerFunction } from '../src/engine/predicates';
import { defineRule, type RuleModule } from '../src/engine/rule-api';
import { OpenDocument } from '../src/lsp/documents';
import { code, hits, analyze, config } from './harness';

const OVER = 'over-fetch-multiplier';

function bogusRule(id: string, query: string, check: RuleModule['check']): RuleModule {
  return defineRule({
    meta: { id, title: id, category: 'query-bounds', severity: 'warning', message: 'bogus', languages: ['python'], fixes: [] },
    queries: { python: query },
    check,
  });
}

describe('engine', () => {
  describe('a broken rule', () => {
    let logged: string[];
    beforeEach(() => {
      logged = [];
      setLogger({ error: (m) => logged.push(m), warn: () => undefined, info: () => undefined });
    });
    afterEach(() => setLogger({ error: () => undefined, warn: () => undefined, info: () => undefined }));

    it('that throws is logged once, loses only its own findings, and is named in failedRules', () => {
      const over = engine().catalogue.rule(OVER)!;
      const thrower = bogusRule('always-throws', '((call function: (identifier) @f) @match (#eq? @f "boom"))', () => {
        throw new Error('kaboom');
      });
      const analyzer = new Analyzer(new Catalogue([thrower, over]));
      const text = 'boom()\nrows = q.limit(limit * 2)\nboom()\n';
      for (let i = 0; i < 3; i++) {
        const r = analyzer.analyze({ tree: parse('python', text), text, grammar: 'python' }, defaultConfig());
        assert.deepStrictEqual(r.findings.map((f) => f.ruleId), [OVER]);
        assert.deepStrictEqual(r.failedRules, ['always-throws']);
      }
      assert.strictEqual(logged.filter((m) => m.includes('kaboom')).length, 1, 'logged once for all those runs');
    });

    it('whose query does not compile is left out, and the other rules still run', () => {
      const over = engine().catalogue.rule(OVER)!;
      const broken = bogusRule('bad-query', '((no_such_node) @match', undefined);
      const catalogue = new Catalogue([broken, over]);
      const analyzer = new Analyzer(catalogue);
      const text = 'rows = q.limit(limit * 2)\n';
      const r = analyzer.analyze({ tree: parse('python', text), text, grammar: 'python' }, defaultConfig());
      assert.deepStrictEqual(r.findings.map((f) => f.ruleId), [OVER]);
      assert.strictEqual(catalogue.compileErrors.length, 1);
      assert.match(catalogue.compileErrors[0], /bad-query: the python query does not compile/);
    });
  });

  describe('suppressions', () => {
    it('cover their own line after code, or the next line when alone on theirs', () => {
      const src = code`
        a = q.limit(limit * 2)  # headroom-ignore[${OVER}]: measured, fine
        # headroom-ignore[${OVER}]
        b = q.limit(limit * 2)
        c = q.limit(limit * 2)
      `;
      assert.deepStrictEqual(hits('python', src, OVER), ['limit * 2']);
      assert.deepStrictEqual(analyze('python', src).map((f) => f.ruleId), [OVER]);
    });

    it('name several rules; an unknown or stale one is reported, a rule that is off is not', () => {
      const src = code`
        // headroom-ignore[${OVER}, no-such-rule]
        const a = q.limit(limit * 2);
        // headroom-ignore[${OVER}]
        const b = q.limit(limit);
      `;
      const found = analyze('typescript', src).map((f) => [f.ruleId, f.message]);
      assert.deepStrictEqual(found, [
        ['unused-suppression', 'Unknown rule "no-such-rule" in headroom-ignore.'],
        ['unused-suppression', `This headroom-ignore comment no longer suppresses ${OVER}: the finding is gone.`],
      ]);
      const off = config({ rules: { [OVER]: 'off' } });
      assert.deepStrictEqual(analyze('typescript', '// headroom-ignore[' + OVER + ']\nconst b = q.limit(limit);\n', off), []);
      assert.deepStrictEqual(analyze('typescript', src, config({ suppressions: { reportUnused: false } })), []);
    });
  });

  describe('configuration', () => {
    it('applies valid settings and reports invalid ones at their location, keeping defaults for them', () => {
      const text = '{\n  "targetUsers": "1k",\n  "rules": { "over-fetch-multiplier": "loud" },\n  "bogus": 1\n}';
      const { config: c, problems } = parseConfig(text);
      assert.strictEqual(c.targetUsers, '1k');
      assert.deepStrictEqual(c.rules, {});
      assert.deepStrictEqual(
        problems.map((p) => [p.message, text.slice(p.start, p.start + p.length)]),
        [
          ['Unknown setting "bogus".', '"bogus"'],
          ['/rules/over-fetch-multiplier must be one of "error", "warning", "info", "hint", "off".', '"loud"'],
        ],
      );
    });

    it('reports broken JSON and an empty file instead of falling back silently', () => {
      assert.deepStrictEqual(parseConfig('{ "targetUsers": ').problems.map((p) => p.message), ['Invalid JSON: expected a value.']);
      assert.deepStrictEqual(parseConfig('{ targetUsers: "1k" }').problems.map((p) => [p.message, p.start]), [['Invalid JSON: unexpected character.', 2]]);
      assert.match(parseConfig('').problems[0].message, /empty/);
    });

    it('severity: the configuration wins, then the instance, then the target scale', () => {
      const src = 'rows = q.limit(limit * 2)\n';
      assert.strictEqual(analyze('python', src)[0].severity, 'warning');
      assert.strictEqual(analyze('python', src, config({ targetUsers: '1k' }))[0].severity, 'info');
      assert.strictEqual(analyze('python', src, config({ rules: { [OVER]: 'error' } }))[0].severity, 'error');
      assert.deepStrictEqual(analyze('python', src, config({ rules: { [OVER]: 'off' } })), []);
    });
  });

  describe('incremental analysis', () => {
    it('after random edits, incremental re-parse + unit cache give exactly the findings of a fresh analysis', () => {
      const root = path.resolve(__dirname, '..', '..', 'test-fixtures');
      const files = (fs.readdirSync(root, { recursive: true }) as string[])
        .map((f) => path.join(root, f))
        .filter((f) => grammarForPath(f) && fs.statSync(f).isFile())
        .slice(0, 12);
      assert.ok(files.length >= 4);
      let seed = 42;
      const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
      const alphabet = ['x', ' ', '\n', '(', ')', '2', '*', '"', 'é', '😀', '\r\n', ''];
      const { analyzer } = engine();
      const cfg = defaultConfig(); // the cache is invalidated by a new configuration object
      for (const file of files) {
        const grammar = grammarForPath(file)!;
        const doc = new OpenDocument(`file://${file}`, 'plaintext', 1, fs.readFileSync(file, 'utf8'));
        for (let e = 0; e < 25; e++) {
          const text = doc.text;
          const start = rand(text.length + 1);
          const end = Math.min(text.length, start + rand(4));
          const startPos = doc.doc.positionAt(start);
          const endPos = doc.doc.positionAt(end);
          doc.applyChanges([{ range: { start: startPos, end: endPos }, text: alphabet[rand(alphabet.length)] }], doc.version + 1);
          const { findings: cached, evidence: cachedEvidence } = analyzer.analyze({ tree: doc.currentTree(), text: doc.text, grammar }, cfg, doc.units);
          const { findings: fresh, evidence: freshEvidence } = analyzer.analyze({ tree: parse(grammar, doc.text), text: doc.text, grammar }, cfg);
          assert.deepStrictEqual(cachedEvidence, freshEvidence, `${path.basename(file)} evidence after edit ${e}`);
          assert.deepStrictEqual(cached, fresh, `${path.basename(file)} after edit ${e}`);
        }
        assert.ok(doc.units.hits > 0, 'the cache was used');
      }
    });

    it("a cached unit without pattern matches keeps its own findings through calls, not the last such unit's", () => {
      // Both loops' units match no pattern: their findings come from the rules' model hooks alone.
      const src = [
        'from sqlalchemy import select',
        'from sqlalchemy.orm import Session',
        '',
        'def owner_of(session: Session, order):',
        '    return session.execute(select(User).where(User.id == order.user_id)).scalar_one()',
        '',
        'def first(session, repo):',
        '    for o in repo.all_orders():',
        '        owner_of(session, o)',
        '',
        'def second(session, items):',
        '    for i in items:',
        '        print(i)',
        '',
      ].join('\n');
      const { analyzer } = engine();
      const cfg = defaultConfig();
      const doc = new OpenDocument('file:///app/report.py', 'python', 1, src);
      const run = () => analyzer.analyze({ tree: doc.currentTree(), text: doc.text, grammar: 'python' }, cfg, doc.units).findings.map((f) => `${f.ruleId}:${doc.doc.positionAt(f.start).line}`);
      assert.deepStrictEqual(run(), ['n-plus-one:8']);
      // An edit in `second` analyses its unit again; `first` comes from the cache with its own finding.
      doc.applyChanges([{ range: { start: { line: 12, character: 15 }, end: { line: 12, character: 15 } }, text: ', 1' }], doc.version + 1);
      assert.deepStrictEqual(run(), ['n-plus-one:8']);
      doc.applyChanges([{ range: { start: { line: 8, character: 25 }, end: { line: 8, character: 25 } }, text: ' ' }], doc.version + 1);
      assert.deepStrictEqual(run(), ['n-plus-one:8']);
    });

    /**
     * A view in its own unit and the registration that makes it a handler in another: a comment
     * edit in the registration's unit re-analyses that unit alone, and renaming what it registers
     * re-judges the view's untouched unit. `filler` lines go in front of the registration, in its
     * unit (600 calls make it too large to compare by scope).
     */
    function rejudgeScenario(filler: string[]): void {
      const src = [
        'import smtplib',
        'from flask import Flask',
        'app = Flask(__name__)',
        '',
        'def signup():',
        '    with smtplib.SMTP("mail") as s:',
        '        s.send_message(m)',
        '',
        'def routes():',
        '    # the routes',
        ...filler,
        "    app.add_url_rule('/signup', view_func=signup)",
        '',
      ].join('\n');
      const registration = 10 + filler.length;
      const { analyzer } = engine();
      const cfg = defaultConfig();
      const doc = new OpenDocument('file:///app/views.py', 'python', 1, src);
      const run = () => analyzer.analyze({ tree: doc.currentTree(), text: doc.text, grammar: 'python' }, cfg, doc.units).findings.map((f) => f.ruleId);
      const edit = (line: number, character: number, length: number, text: string) =>
        doc.applyChanges([{ range: { start: { line, character }, end: { line, character: character + length } }, text }], doc.version + 1);
      assert.deepStrictEqual(run(), ['sync-smtp-in-request']);
      const misses = doc.units.misses;
      edit(9, 16, 0, 's');
      assert.deepStrictEqual(run(), ['sync-smtp-in-request']);
      assert.strictEqual(doc.units.misses - misses, 1, 'only the edited unit was analysed');
      // The registration now names another function: signup is no handler, though its unit is untouched.
      edit(registration, 42, 6, 'other');
      assert.deepStrictEqual(run(), []);
      edit(registration, 42, 5, 'signup');
      assert.deepStrictEqual(run(), ['sync-smtp-in-request']);
    }

    it('an edit elsewhere in the file re-judges a cached unit only when what it read changed', () => {
      rejudgeScenario([]);
    });

    it('the same holds where the edited unit is too large to compare by scope (what cached units read is checked instead)', () => {
      rejudgeScenario(Array.from({ length: 600 }, () => '    noop()'));
    });
  });
});

describe('shared predicates', () => {
  it('a class-based view method taking the request is a request handler', () => {
    const src = code`
      class SignupView(View):
          def post(self, request):
              with smtplib.SMTP("mail") as s:
                  s.send_message(m)
      class Report:
          def build(self, rows):
              with smtplib.SMTP("mail") as s:
                  s.send_message(m)
    `;
    assert.deepStrictEqual(hits('python', src, 'sync-smtp-in-request'), ['smtplib.SMTP("mail")']);
  });
});

describe('request-handler predicate (TypeScript callbacks)', () => {
  const handlerCallbacks = (src: string): string[] => {
    const tree = parse('typescript', src);
    const file = fileContextOf(tree.rootNode, 'typescript', src);
    const out: string[] = [];
    const visit = (n: import('tree-sitter').SyntaxNode): void => {
      if (n.type === 'arrow_function' && isHandlerFunction(n, 'typescript', file)) out.push(n.parent!.parent!.text.split('(')[0]);
      for (const c of n.namedChildren) visit(c);
    };
    visit(tree.rootNode);
    return out;
  };

  it('route callbacks: a path or pattern before them, .route(path).get(cb), use(req, res, next)', () => {
    const src = code`
      app.get('/users/:id', async (req, res) => {});
      router.post(\`/x/\${v}\`, (ctx) => {});
      app.get(/^\\/files\\/.*/, (q, s) => {});
      router.route('/orders').put((a, b) => {});
      app.use((req, res, next) => {});
      app.use('*', (r) => {});
      router.get('list', '/list', async (ctx) => {});
      app.get(ROUTES.users, (rq, rs) => {});
    `;
    assert.deepStrictEqual(handlerCallbacks(src), ['app.get', 'router.post', 'app.get', 'router.route', 'app.use', 'app.use', 'router.get', 'app.get']);
  });

  it('look-alikes: cache and client callbacks with an error first, a name instead of a path, use with one parameter', () => {
    const src = code`
      cache.get(key, (err, value) => {});
      redis.get('session:' + id, (err, reply) => {});
      session.post('Profiler.stop', (error, result) => {});
      map.get(k, (v) => {});
      plugins.use((p) => {});
    `;
    assert.deepStrictEqual(handlerCallbacks(src), []);
  });
});

describe('gated patterns', () => {
  const gated = bogusRule('gated', '((call function: (identifier) @f) @match (#eq? @f "fetch_all") (#set! gate "dblib"))', undefined);
  const analyzer = new Analyzer(new Catalogue([gated]));
  const run = (text: string, cache?: UnitCache) => analyzer.analyze({ tree: parse('python', text), text, grammar: 'python' }, defaultConfig(), cache).findings.map((f) => text.slice(f.start, f.end));

  it('run only in files that mention a gate word', () => {
    assert.deepStrictEqual(run('def f():\n    return fetch_all()\n'), []);
    assert.deepStrictEqual(run('import dblib\n\ndef f():\n    return fetch_all()\n'), ['fetch_all()']);
  });

  it('a gate opening or closing makes every cached unit stale, so untouched units are matched again', () => {
    const cache = new UnitCache();
    const body = 'def f():\n    return fetch_all()\n';
    assert.deepStrictEqual(run(body, cache), []);
    // The edit inserts an import at the top: the function's unit is untouched but must now match.
    cache.noteEdit(0, 0, 'import dblib\n'.length);
    assert.deepStrictEqual(run(`import dblib\n${body}`, cache), ['fetch_all()']);
    cache.noteEdit(0, 'import dblib\n'.length, 0);
    assert.deepStrictEqual(run(body, cache), []);
  });
});
