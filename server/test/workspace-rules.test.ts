// The workspace-rule machinery: exports from files, process counts from deployment files, the join,
// suppressions and configuration, independent of any real rule.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { defaultConfig } from '../src/config/config';
import { Analyzer } from '../src/engine/analyzer';
import { Catalogue } from '../src/engine/catalogue';
import { parse } from '../src/engine/index';
import { setLogger } from '../src/engine/log';
import { defineRule, type RuleModule } from '../src/engine/rule-api';
import { deploymentContribution } from '../src/cli/analyze-file';
import { LineIndex } from '../src/cli/positions';
import type { WorkspaceContribution } from '../src/cli/report';
import { isDeploymentFile, readDeployment } from '../src/workspace/deployment';
import { runWorkspaceRules } from '../src/workspace/run';

/** `LIMIT = <n>` at module level exports `limit`; the workspace rule reports each limit above the process counts' sum. */
const joiner: RuleModule = defineRule({
  meta: { id: 'test-joiner', title: 'joiner', category: 'connection-pooling', severity: 'warning', message: '', languages: ['python'], fixes: [] },
  queries: {
    python: '((expression_statement (assignment left: (identifier) @name right: (integer) @key)) (#eq? @name "LIMIT") (#set! export "limit"))',
  },
  workspace(ws) {
    const counts = ws.exports('process-count');
    const processes = counts.reduce((a, x) => a + Number(x.data.count), 0);
    return ws.exports('limit').map((x) => ({
      at: x,
      message: `${x.data.key} × ${processes} processes in ${ws.display(ws.projectOf(x.file)) || '.'}`,
      related: counts.map((c) => ({ at: c, message: String(c.data.source) })),
    }));
  },
});

const catalogue = new Catalogue([joiner]);
const analyzer = new Analyzer(catalogue);

function contribution(text: string): WorkspaceContribution {
  const r = analyzer.analyze({ tree: parse('python', text), text, grammar: 'python' }, defaultConfig());
  const index = new LineIndex(text);
  return {
    exports: r.exports.map((x) => ({ ruleId: x.ruleId, name: x.name, data: x.data, ...index.span(x.start, x.end) })),
    suppressions: r.deferredSuppressions.map((s) => ({ ruleIds: s.ruleIds, line: index.lineOf(s.line) + 1 })),
  };
}

function tempTree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-ws-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

describe('workspace rules', () => {
  describe('deployment files', () => {
    const counts = (text: string) => readDeployment(text).map((d) => [d.runtime, d.perCpu ? `${d.count}+${d.perCpu}/cpu` : d.count, d.source, text.slice(d.start, d.end)]);

    it('reads worker counts from server command lines, exec-form or shell-form, across line continuations', () => {
      assert.deepStrictEqual(counts('CMD ["gunicorn", "-w", "4", "app:app"]\n'), [['python', 4, 'gunicorn -w', '4']]);
      assert.deepStrictEqual(counts('CMD gunicorn app.main:app --workers=8 -k uvicorn.workers.UvicornWorker\n'), [['python', 8, 'gunicorn --workers', '8']]);
      assert.deepStrictEqual(counts('CMD gunicorn app:app \\\n    --bind 0.0.0.0:8000 \\\n    -w 12\n'), [['python', 12, 'gunicorn -w', '12']]);
      assert.deepStrictEqual(counts('web: uvicorn main:app --host 0.0.0.0 --workers 4\n'), [['python', 4, 'uvicorn --workers', '4']]);
      assert.deepStrictEqual(counts('web: gunicorn app:app -w ${WEB_CONCURRENCY:-3}\n'), [['python', 3, 'gunicorn -w', '3']]);
      assert.deepStrictEqual(counts('CMD ["pm2-runtime", "start", "dist/app.js", "-i", "max"]\n'), [['node', '0+1/cpu', 'pm2-runtime -i', 'max']]);
      assert.deepStrictEqual(counts('pm2 start app.js --instances 6\n'), [['node', 6, 'pm2 --instances', '6']]);
    });

    it('reads WEB_CONCURRENCY from Dockerfiles, compose files and .env files', () => {
      assert.deepStrictEqual(counts('ENV WEB_CONCURRENCY=6\n'), [['python', 6, 'WEB_CONCURRENCY', '6']]);
      assert.deepStrictEqual(counts('ENV WEB_CONCURRENCY 5\n'), [['python', 5, 'WEB_CONCURRENCY', '5']]);
      assert.deepStrictEqual(counts('    environment:\n      WEB_CONCURRENCY: "9"\n'), [['python', 9, 'WEB_CONCURRENCY', '9']]);
      assert.deepStrictEqual(counts('    environment:\n      - WEB_CONCURRENCY=2\n'), [['python', 2, 'WEB_CONCURRENCY', '2']]);
    });

    it('leaves alone commands without a count, flags of other commands, and look-alike flags', () => {
      assert.deepStrictEqual(counts('CMD gunicorn app:app --bind 0.0.0.0:8000\n'), []);
      assert.deepStrictEqual(counts('RUN pip install gunicorn && tool -w 3\n'), []);
      assert.deepStrictEqual(counts('web: gunicorn app:app --worker-connections 1000 --workers $WORKERS\n'), []);
      assert.deepStrictEqual(counts('CMD uvicorn main:app --reload\n'), []);
      assert.deepStrictEqual(counts('# MY_WEB_CONCURRENCY_NOTE\nFOO=1\n'), []);
    });

    it('knows deployment files by name', () => {
      const yes = ['Dockerfile', 'Dockerfile.prod', 'api.dockerfile', 'Procfile', 'docker-compose.yml', 'compose.prod.yaml', '.env', '.env.production', 'entrypoint.sh'];
      const no = ['app.py', 'config.yml', 'README.md', 'env.py', 'package.json', 'Dockerfile.md', 'Procfile.txt', 'environment.ts'];
      assert.deepStrictEqual(yes.filter((n) => !isDeploymentFile(n)), []);
      assert.deepStrictEqual(no.filter((n) => isDeploymentFile(n)), []);
    });
  });

  describe('the join', () => {
    it('sees exports of every file with their locations, and reports in the file of the export with related locations elsewhere', () => {
      const root = tempTree({ 'svc/pyproject.toml': '', 'svc/app/db.py': '', 'svc/Dockerfile': '' });
      const db = path.join(root, 'svc/app/db.py');
      const dockerfile = path.join(root, 'svc/Dockerfile');
      const contributions = new Map([
        [db, contribution('import x\nLIMIT = 50\n')],
        [dockerfile, deploymentContribution('FROM python:3.12\nCMD ["gunicorn", "-w", "4", "app:app"]\n')],
      ]);
      const found = runWorkspaceRules(catalogue, { root, config: defaultConfig(), contributions, display: (f) => path.relative(root, f) });
      assert.deepStrictEqual([...found.keys()], [db]);
      const [f] = found.get(db)!;
      assert.deepStrictEqual(
        { rule: f.ruleId, severity: f.severity, message: f.message, at: [f.line, f.column, f.endLine, f.endColumn] },
        { rule: 'test-joiner', severity: 'warning', message: '50 × 4 processes in svc', at: [2, 9, 2, 11] },
      );
      assert.deepStrictEqual(f.related, [{ message: 'gunicorn -w', line: 2, column: 25, endLine: 2, endColumn: 26, exportIndex: 0, path: 'svc/Dockerfile', absPath: dockerfile }]);
    });

    it('applies headroom-ignore comments naming a workspace rule, which the file analysis does not call unused', () => {
      const root = tempTree({});
      const text = '# headroom-ignore[test-joiner]: sized for the replica\nLIMIT = 50\nLIMIT = 60\n';
      const r = analyzer.analyze({ tree: parse('python', text), text, grammar: 'python' }, defaultConfig());
      assert.deepStrictEqual(r.findings, [], 'no unused-suppression report');
      const file = path.join(root, 'db.py');
      const found = runWorkspaceRules(catalogue, { root, config: defaultConfig(), contributions: new Map([[file, contribution(text)]]), display: (f) => f });
      assert.deepStrictEqual(found.get(file)!.map((f) => f.line), [3]);
    });

    it('follows the configuration: severity override, or off', () => {
      const root = tempTree({});
      const file = path.join(root, 'db.py');
      const contributions = new Map([[file, contribution('LIMIT = 5\n')]]);
      const run = (rules: Record<string, 'off' | 'error'>) =>
        runWorkspaceRules(catalogue, { root, config: { ...defaultConfig(), rules }, contributions, display: (f) => f }).get(file)?.map((f) => f.severity);
      assert.deepStrictEqual(run({ 'test-joiner': 'error' }), ['error']);
      assert.strictEqual(run({ 'test-joiner': 'off' }), undefined);
    });

    it('a rule that throws is logged and the others still report', () => {
      const logged: string[] = [];
      setLogger({ error: (m) => logged.push(m), warn: () => undefined, info: () => undefined });
      const thrower = defineRule({ ...joiner, meta: { ...joiner.meta, id: 'test-thrower' }, workspace: () => { throw new Error('boom'); } });
      const both = new Catalogue([thrower, joiner]);
      const root = tempTree({});
      const file = path.join(root, 'db.py');
      const found = runWorkspaceRules(both, { root, config: defaultConfig(), contributions: new Map([[file, contribution('LIMIT = 5\n')]]), display: (f) => f });
      setLogger({ error: () => undefined, warn: () => undefined, info: () => undefined });
      assert.deepStrictEqual(found.get(file)!.map((f) => f.ruleId), ['test-joiner']);
      assert.deepStrictEqual(logged.map((m) => m.split('\n')[0]), ['workspace rule test-thrower failed: Error: boom']);
    });
  });
});
