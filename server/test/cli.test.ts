// The command-line scanner, run as a child process (node bin/headroom.js) on small temp trees.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyzeFile } from '../src/cli/analyze-file';
import { defaultConfig } from '../src/config/config';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'headroom.js');
const RULE = 'over-fetch-multiplier';
/** One over-fetch finding on line 2, columns 12..21 (1-based, end exclusive). */
const PY = 'def page(q, limit):\n    return q.limit(limit * 2)\n';
const PACKAGE_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function headroom(cwd: string, ...args: string[]): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface JsonFinding {
  path: string;
  ruleId: string;
  severity: string;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  fingerprint: string;
}
interface JsonReport {
  findings: JsonFinding[];
  skipped: { path: string; reason: string; note: string }[];
  errors: { path: string; kind: string; message: string }[];
  summary: Record<string, number>;
}

function json(cwd: string, ...args: string[]): JsonReport & { run: Run } {
  const run = headroom(cwd, '--format', 'json', ...args);
  assert.ok(run.stdout.startsWith('{'), `no JSON report (exit ${run.code}): ${run.stderr}`);
  return { ...(JSON.parse(run.stdout) as JsonReport), run };
}

/** `path line:col-endLine:endCol` per finding: the readable form of where the findings are. */
function where(report: JsonReport): string[] {
  return report.findings.map((f) => `${f.path} ${f.line}:${f.column}-${f.endLine}:${f.endColumn}`);
}

const temps: string[] = [];

/** A temp directory with these files (text or bytes); `null` makes a directory. */
function tree(files: Record<string, string | Buffer | null>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-cli-')));
  temps.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    if (content === null) {
      fs.mkdirSync(p, { recursive: true });
      continue;
    }
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
  return dir;
}

describe('cli', function () {
  this.timeout(60000);

  before(() => {
    // `npm test` builds dist/ in pretest; a bare `mocha` run after --only-tests may not have it.
    if (!fs.existsSync(path.join(ROOT, 'dist', 'cli.js')) || !fs.existsSync(path.join(ROOT, 'dist', 'scan-worker.js'))) {
      const b = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
      assert.strictEqual(b.status, 0, `build failed: ${b.stderr}`);
    }
  });

  after(() => {
    for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
  });

  describe('formats', () => {
    it('text: findings grouped by file, each with a code frame, and a summary', () => {
      const dir = tree({ 'b/app.py': PY, 'a.py': 'x = 1\n', 'c.ts': 'const rows = await q.limit(limit * 3);\n' });
      const { findings } = json(dir);
      const r = headroom(dir);
      assert.strictEqual(r.code, 0);
      assert.strictEqual(r.stderr, '');
      assert.ok(!r.stdout.includes('\x1b['), 'no colours when stdout is not a terminal');
      assert.deepStrictEqual(r.stdout.split('\n'), [
        'b/app.py',
        `  2:20  warning  ${findings[0].message}  ${RULE}`,
        '    1 | def page(q, limit):',
        '  > 2 |     return q.limit(limit * 2)',
        '      |                    ^^^^^^^^^',
        '',
        'c.ts',
        `  1:28  warning  ${findings[1].message}  ${RULE}`,
        '  > 1 | const rows = await q.limit(limit * 3);',
        '      |                            ^^^^^^^^^',
        '',
        '✖ 2 findings (2 warnings) in 2 files · 3 files scanned',
        '',
      ]);
    });

    it('text --quiet prints the findings only', () => {
      const dir = tree({ 'app.py': PY, 'blob.py': Buffer.from([0x61, 0, 0x62]) });
      const r = headroom(dir, '--quiet');
      assert.strictEqual(r.code, 0);
      assert.strictEqual(r.stdout.split('\n')[0], 'app.py');
      assert.ok(!r.stdout.includes('Skipped') && !r.stdout.includes('scanned'), r.stdout);
      assert.strictEqual(headroom(tree({ 'ok.py': 'x = 1\n' }), '-q').stdout, '');
    });

    it('json: every finding with 1-based positions, skipped files and a summary', () => {
      const dir = tree({ 'src/app.py': PY, 'src/other.go': 'package x\n\nfunc f() { db.Query(q, limit*2) }\n' });
      const report = json(dir);
      assert.strictEqual(report.run.code, 0);
      assert.deepStrictEqual(
        report.findings.map((f) => [f.path, f.ruleId, f.severity, f.line, f.column, f.endLine, f.endColumn]),
        [
          ['src/app.py', RULE, 'warning', 2, 20, 2, 29],
          ['src/other.go', RULE, 'warning', 3, 24, 3, 31],
        ],
      );
      assert.match(report.findings[0].message, /^`limit \* 2` fetches 2× the rows/);
      assert.deepStrictEqual(report.skipped, []);
      assert.deepStrictEqual(report.errors, []);
      assert.deepStrictEqual(
        { files: report.summary.filesScanned, findings: report.summary.findings, warning: report.summary.warning, error: report.summary.error },
        { files: 2, findings: 2, warning: 2, error: 0 },
      );
    });

    it('sarif: a 2.1.0 log with rule descriptors, relative URIs, UTF-16 columns and stable fingerprints', () => {
      const dir = tree({ 'src/app.py': PY });
      const r = headroom(dir, '--format', 'sarif');
      assert.strictEqual(r.code, 0, r.stderr);
      const log = JSON.parse(r.stdout);
      assert.strictEqual(log.version, '2.1.0');
      assert.strictEqual(log.$schema, 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json');
      assert.strictEqual(log.runs.length, 1);
      const run = log.runs[0];
      assert.strictEqual(run.columnKind, 'utf16CodeUnits');
      assert.strictEqual(run.tool.driver.name, 'Headroom');
      assert.strictEqual(run.tool.driver.version, PACKAGE_VERSION);
      assert.deepStrictEqual(run.originalUriBaseIds, { '%SRCROOT%': { uri: `${new URL(`file://${dir}`).href}/` } });

      const rules = run.tool.driver.rules as { id: string }[];
      const index = rules.findIndex((d) => d.id === RULE);
      const rule = run.tool.driver.rules[index];
      assert.strictEqual(rule.name, 'OverFetchMultiplier');
      assert.strictEqual(rule.shortDescription.text, 'Query limit multiplied to over-fetch');
      assert.match(rule.fullDescription.text, /^A query whose limit is the requested page size multiplied by a constant/);
      assert.strictEqual(rule.defaultConfiguration.level, 'warning');
      assert.deepStrictEqual(rule.properties, { tags: ['scalability', 'query-bounds'], category: 'Query bounds' });
      assert.strictEqual(rule.helpUri, new URL(`file://${path.join(ROOT, 'rules', RULE, 'doc.md')}`).href);
      assert.strictEqual(rule.help.markdown, fs.readFileSync(path.join(ROOT, 'rules', RULE, 'doc.md'), 'utf8'));
      assert.ok(rules.some((d) => d.id === 'unused-suppression'), 'the engine’s own check is described too');

      assert.strictEqual(run.results.length, 1);
      const [res] = run.results;
      assert.strictEqual(res.ruleId, RULE);
      assert.strictEqual(res.ruleIndex, index);
      assert.strictEqual(res.level, 'warning');
      assert.match(res.message.text, /^`limit \* 2` fetches 2×/);
      assert.deepStrictEqual(res.locations, [
        {
          physicalLocation: {
            artifactLocation: { uri: 'src/app.py', uriBaseId: '%SRCROOT%' },
            region: { startLine: 2, startColumn: 20, endLine: 2, endColumn: 29 },
          },
        },
      ]);
      assert.deepStrictEqual(Object.keys(res.partialFingerprints), ['headroomFindingHash/v1']);
      assert.deepStrictEqual(run.invocations, [{ executionSuccessful: true, toolExecutionNotifications: [] }]);

      // Stable across runs, and when the code moves down the file.
      assert.deepStrictEqual(JSON.parse(headroom(dir, '-f', 'sarif').stdout).runs[0].results[0].partialFingerprints, res.partialFingerprints);
      fs.writeFileSync(path.join(dir, 'src', 'app.py'), `import os\n\n\n${PY}`);
      const moved = JSON.parse(headroom(dir, '-f', 'sarif').stdout).runs[0].results[0];
      assert.strictEqual(moved.locations[0].physicalLocation.region.startLine, 5);
      assert.deepStrictEqual(moved.partialFingerprints, res.partialFingerprints);
    });

    it('sarif: URIs are percent-encoded and skipped files are tool notifications', () => {
      const dir = tree({ 'my app/ü.py': PY, 'bin.py': Buffer.from([0, 1, 2]) });
      const run = JSON.parse(headroom(dir, '-f', 'sarif').stdout).runs[0];
      assert.deepStrictEqual(run.results[0].locations[0].physicalLocation.artifactLocation, { uri: 'my%20app/%C3%BC.py', uriBaseId: '%SRCROOT%' });
      assert.deepStrictEqual(run.invocations[0].toolExecutionNotifications, [
        {
          level: 'note',
          message: { text: 'Skipped: binary file (a NUL byte in the first 8 KB).' },
          locations: [{ physicalLocation: { artifactLocation: { uri: 'bin.py', uriBaseId: '%SRCROOT%' } } }],
        },
      ]);
    });

    it('markdown: the readiness report (verdict, categories, evidence, findings with their fix)', () => {
      const dir = tree({
        'b.py': PY,
        'a.ts': 'const r = await q.limit(limit * 3);\n',
        'db.py': 'from motor.motor_asyncio import AsyncIOMotorClient\nclient = AsyncIOMotorClient(URL, maxPoolSize=50)\n',
        '.headroom.json': '{ "targetUsers": "10k" }',
      });
      const { findings } = json(dir);
      const r = headroom(dir, '--format', 'markdown');
      assert.strictEqual(r.code, 0);
      const msg = (i: number): string => findings[i].message;
      assert.strictEqual(
        r.stdout,
        [
          '## Headroom readiness report',
          '',
          '**At risk at 10K users: 2 warnings in query bounds.**',
          '',
          '2 findings (2 warnings) · 3 files scanned.',
          '',
          '| Category | Status | Errors | Warnings | Why |',
          '| --- | --- | ---: | ---: | --- |',
          '| Connection pooling | ✅ OK | 0 | 0 | connection pool sized in db.py:2 |',
          '| Query bounds | ⚠️ at risk | 0 | 2 | 2 warnings |',
          '| Database load | — not detected | 0 | 0 | nothing found, for or against |',
          '| Concurrency limits | — not detected | 0 | 0 | nothing found, for or against |',
          '| Background work | — not detected | 0 | 0 | nothing found, for or against |',
          '| Rate limiting | — not detected | 0 | 0 | nothing found, for or against |',
          '| Shared state and caching | — not detected | 0 | 0 | nothing found, for or against |',
          '| Blocking I/O | — not detected | 0 | 0 | nothing found, for or against |',
          '',
          '### Connection pooling',
          '',
          'Handled in the code:',
          '- connection pool sized: `db.py:2`',
          '',
          '### Query bounds',
          '',
          `#### \`${RULE}\` — Query limit multiplied to over-fetch (2)`,
          '',
          `Fix: Fetch exactly the requested limit (changes behaviour). See \`rules/${RULE}/doc.md\`.`,
          '',
          `- \`a.ts:1:25\` warning — ${msg(0)}`,
          `- \`b.py:2:20\` warning — ${msg(1)}`,
          '',
        ].join('\n'),
      );
    });

    it('--output writes the report to a file and nothing to stdout', () => {
      const dir = tree({ 'app.py': PY });
      const r = headroom(dir, '-f', 'json', '--output', 'reports/out.json');
      assert.strictEqual(r.code, 0);
      assert.strictEqual(r.stdout, '');
      const report = JSON.parse(fs.readFileSync(path.join(dir, 'reports', 'out.json'), 'utf8')) as JsonReport;
      assert.deepStrictEqual(where(report), ['app.py 2:20-2:29']);
    });
  });

  describe('exit codes', () => {
    it('--fail-on error (the default), warning and never, with warning findings', () => {
      const dir = tree({ 'app.py': PY });
      assert.strictEqual(headroom(dir).code, 0);
      assert.strictEqual(headroom(dir, '--fail-on', 'error').code, 0);
      assert.strictEqual(headroom(dir, '--fail-on', 'warning').code, 1);
      assert.strictEqual(headroom(dir, '--fail-on', 'never').code, 0);
    });

    it('--fail-on with an error finding (severity raised in .headroom.json)', () => {
      const dir = tree({ 'app.py': PY, '.headroom.json': JSON.stringify({ rules: { [RULE]: 'error' } }) });
      assert.strictEqual(headroom(dir).code, 1);
      assert.strictEqual(headroom(dir, '--fail-on', 'warning').code, 1);
      assert.strictEqual(headroom(dir, '--fail-on', 'never').code, 0);
      assert.match(headroom(dir).stdout, /✖ 1 finding \(1 error\) in 1 file/);
    });

    it('info findings never fail; a clean tree exits 0', () => {
      const dir = tree({ 'app.py': PY, '.headroom.json': JSON.stringify({ targetUsers: '1k' }) });
      const report = json(dir, '--fail-on', 'warning');
      assert.deepStrictEqual(report.findings.map((f) => f.severity), ['info']);
      assert.strictEqual(report.run.code, 0);
      const clean = headroom(tree({ 'ok.py': 'x = 1\n' }), '--fail-on', 'warning');
      assert.deepStrictEqual([clean.code, clean.stdout], [0, '✔ No findings · 1 file scanned\n']);
    });

    it('usage errors exit 2', () => {
      const dir = tree({ 'app.py': PY });
      for (const args of [['--format', 'xml'], ['--fail-on', 'info'], ['--jobs', '0'], ['--max-file-size', 'big'], ['--nope']]) {
        const r = headroom(dir, ...args);
        assert.strictEqual(r.code, 2, args.join(' '));
        assert.strictEqual(r.stdout, '');
        assert.match(r.stderr, /^headroom: .+\nRun "headroom --help" for usage\.\n$/);
      }
      const bad = headroom(dir, '--format', 'xml');
      assert.strictEqual(bad.stderr.split('\n')[0], 'headroom: --format must be one of text, json, sarif, markdown (got "xml")');
    });

    it('--help and --version', () => {
      const dir = tree({});
      const help = headroom(dir, '--help');
      assert.strictEqual(help.code, 0);
      assert.match(help.stdout, /^Usage: headroom \[options\] \[paths\.\.\.\]/);
      assert.match(help.stdout, /--fail-on <error\|warning\|never>/);
      assert.deepStrictEqual(headroom(dir, '--version'), { code: 0, stdout: `${PACKAGE_VERSION}\n`, stderr: '' });
    });
  });

  describe('what is scanned', () => {
    it('skips dependencies, virtualenvs, build output, caches, .gitignored and excluded files', () => {
      const dir = tree({
        '.git': null,
        'app.py': PY,
        'node_modules/lib/index.js': 'q.limit(limit * 2)\n',
        '.venv/lib/site.py': PY,
        'venv/lib/site.py': PY,
        'env3/pyvenv.cfg': 'home = /usr/bin\n',
        'env3/lib/site.py': PY,
        'vendor/github.com/x/y.go': 'package y\nfunc f() { db.Query(q, limit*2) }\n',
        'dist/bundle.js': 'q.limit(limit * 2)\n',
        'build/lib/app.py': PY,
        'pkg/__pycache__/app.py': PY,
        '.gitignore': 'generated/\n*.gen.ts\n',
        'generated/client.ts': 'q.limit(limit * 2)\n',
        'api/client.gen.ts': 'q.limit(limit * 2)\n',
        'api/client.ts': 'q.limit(limit * 2)\n',
        'api/.gitignore': 'local_*.py\n!local_keep.py\n',
        'api/local_one.py': PY,
        'api/local_keep.py': PY,
        'local_two.py': PY,
        'legacy/old.py': PY,
        'tests/test_app.py': PY,
        '.headroom.json': JSON.stringify({ exclude: ['legacy/', '**/test_*.py'] }),
        'README.md': '# not code\n',
        'types.d.ts': 'declare const x: number;\n',
      });
      const report = json(dir);
      assert.deepStrictEqual(
        report.findings.map((f) => f.path),
        ['api/client.ts', 'api/local_keep.py', 'app.py', 'local_two.py'],
      );
      assert.deepStrictEqual(report.skipped, []);
      // Scanning a sub-folder still applies the repository's .gitignore and .headroom.json above it.
      assert.deepStrictEqual(json(path.join(dir, 'api'), '.').findings.map((f) => f.path), ['client.ts', 'local_keep.py']);
      assert.deepStrictEqual(json(dir, 'legacy', 'tests').findings.map((f) => f.path), []);
    });

    it('a file named on the command line is scanned even if git ignores it, but not when the configuration excludes it', () => {
      const dir = tree({
        '.gitignore': 'scratch.py\n',
        'scratch.py': PY,
        'old.py': PY,
        'notes.txt': 'hello\n',
        '.headroom.json': JSON.stringify({ exclude: ['old.py'] }),
      });
      const report = json(dir, 'scratch.py', 'old.py', 'notes.txt');
      assert.deepStrictEqual(where(report), ['scratch.py 2:20-2:29']);
      assert.deepStrictEqual(
        report.skipped.map((s) => [s.path, s.reason]),
        [
          ['notes.txt', 'unsupported-language'],
          ['old.py', 'excluded'],
        ],
      );
      assert.strictEqual(report.skipped[1].note, 'excluded by .headroom.json');
    });

    it('--force-exclude applies ignore files to named files too', () => {
      const dir = tree({ '.gitignore': 'scratch.py\n', 'scratch.py': PY });
      const report = json(dir, 'scratch.py', '--force-exclude');
      assert.deepStrictEqual(where(report), []);
      assert.deepStrictEqual(report.skipped, [{ path: 'scratch.py', reason: 'excluded', note: 'ignored by .gitignore (scratch.py)' }]);
    });

    it('a named folder an enclosing .gitignore hides is scanned, and the note says which file and rule hide it', () => {
      const dir = tree({ 'repo/.git': null, 'repo/.gitignore': '# local\ntmp/\n', 'repo/tmp/svc/app.py': PY });
      const repo = path.join(dir, 'repo');
      const r = headroom(repo, 'tmp/svc', '--format', 'json');
      assert.deepStrictEqual((JSON.parse(r.stdout) as JsonReport).findings.map((f) => f.path), ['tmp/svc/app.py']);
      assert.strictEqual(r.stderr, 'headroom: note: .gitignore ignores tmp/svc (tmp/): scanned because it was named (--force-exclude skips it).\n');
      const forced = headroom(repo, 'tmp/svc', '--force-exclude');
      assert.match(forced.stdout, /0 files scanned/);
      assert.strictEqual(forced.stderr, 'headroom: note: .gitignore ignores tmp/svc (tmp/): not scanned (--force-exclude).\n');
    });

    it('a folder with nothing to scan says why', () => {
      const dir = tree({ 'svc/.gitignore': '*.py\n', 'svc/a.py': PY, 'svc/b.py': PY, 'docs/readme.md': 'x\n' });
      assert.strictEqual(headroom(dir, 'svc').stderr, 'headroom: note: nothing to scan in svc: all 2 source files and folders are ignored or excluded (svc/a.py: svc/.gitignore, *.py).\n');
      assert.strictEqual(headroom(dir, 'docs').stderr, 'headroom: note: nothing to scan in docs: it holds no Python, Go, TypeScript or JavaScript files.\n');
    });

    it('the .headroom.json of a parent folder applies, but not one above the git repository', () => {
      const dir = tree({
        '.headroom.json': JSON.stringify({ rules: { [RULE]: 'off' } }),
        'repo/.git': null,
        'repo/svc/app.py': PY,
        'other/svc/app.py': PY,
      });
      assert.deepStrictEqual(json(dir, 'repo/svc', 'other/svc').findings.map((f) => f.path), ['repo/svc/app.py']);
    });

    it('does not read a test file by its path while no rule judges tests; `include` reads and judges it', () => {
      const files = (include: boolean) => ({
        'app.py': PY,
        'tests/test_app.py': PY,
        // Not UTF-8: a file that is read says so.
        'tests/fixture_latin1.py': Buffer.from([0x23, 0x20, 0x63, 0x61, 0x66, 0xe9, 0x0a]),
        ...(include ? { '.headroom.json': JSON.stringify({ include: ['tests'] }) } : {}),
      });
      const quiet = json(tree(files(false)));
      assert.deepStrictEqual(quiet.findings.map((f) => f.path), ['app.py']);
      assert.deepStrictEqual(quiet.skipped, []);
      assert.strictEqual(quiet.summary.filesScanned, 3);
      const judged = json(tree(files(true)));
      assert.deepStrictEqual(judged.findings.map((f) => f.path), ['app.py', 'tests/test_app.py']);
      assert.deepStrictEqual(judged.skipped.map((x) => x.path), ['tests/fixture_latin1.py']);
    });

    it('a per-request finding in code no route, job or start-up code reaches is said as information, once the program knows an entry point', () => {
      const loop = (name: string) => `def ${name}(session, orders):\n    for o in orders:\n        session.query(User).filter(User.id == o.user_id).first()\n`;
      const routes = `from fastapi import APIRouter\nfrom sqlalchemy.orm import Session\n\nrouter = APIRouter()\n\n@router.get("/orders")\n${loop('orders')}`;
      const helpers = `from sqlalchemy.orm import Session\n\n${loop('unused_helper')}`;
      const severities = (dir: string) => json(dir).findings.filter((f) => f.ruleId === 'n-plus-one').map((f) => `${f.path} ${f.severity}${f.message.includes('Reported as information') ? ' (unreached)' : ''}`);
      assert.deepStrictEqual(severities(tree({ 'app/__init__.py': '', 'app/routes.py': routes, 'app/helpers.py': helpers })), ['app/helpers.py info (unreached)', 'app/routes.py warning']);
      // A program with no entry point the models know says nothing about what is reached.
      assert.deepStrictEqual(severities(tree({ 'app/__init__.py': '', 'app/helpers.py': helpers })), ['app/helpers.py warning']);
    });

    it('a JSX component in a frontend folder is browser code even when it imports a server package\'s enums; a seed script is a script; server code beside them is judged', () => {
      const read = 'export async function everyone(prisma) {\n  return prisma.user.findMany();\n}\n';
      const dir = tree({
        'package.json': JSON.stringify({ name: 'web', dependencies: { '@prisma/client': '5', react: '18' } }),
        // A component that shares the database's enums: it renders JSX, so it runs in the browser.
        'app/components/signing/auto-sign.tsx': `import { FieldType } from '@prisma/client';\nimport { useState } from 'react';\n${read}export function AutoSign() {\n  const [on] = useState(FieldType.SIGNATURE);\n  return <div>{on}</div>;\n}\n`,
        // The same import in a module without JSX, in the same folder: server code.
        'app/components/data/load.ts': `import { PrismaClient } from '@prisma/client';\n${read}`,
        // Seed data for development databases: a script, wherever it sits.
        'prisma/seed/initial-seed.ts': `import { PrismaClient } from '@prisma/client';\n${read}`,
        'prisma/seed.ts': `import { PrismaClient } from '@prisma/client';\n${read}`,
        // A service named for seeding that runs in the product (a new workspace's sample data): production.
        'app/jobs/workspace-seed-task.ts': `import { PrismaClient } from '@prisma/client';\n${read}`,
      });
      assert.deepStrictEqual(json(dir).findings.filter((f) => f.ruleId === 'unbounded-fetch').map((f) => f.path), ['app/components/data/load.ts', 'app/jobs/workspace-seed-task.ts']);
    });

    it('build tooling (a file using a bundler\'s or compiler\'s API) is a script wherever it sits; a load test is test code; a server file beside them is judged', () => {
      const readSync = "import * as fs from 'fs';\n\nexport async function load(file: string) {\n  return fs.readFileSync(file, 'utf8');\n}\n";
      const dir = tree({
        'package.json': JSON.stringify({ name: 'shop', dependencies: { express: '4' } }),
        // A Vite plugin inside the package's source: it runs when the dashboard is built.
        'src/dashboard/vite-plugin-translations.ts': `import type { Plugin } from 'vite';\n${readSync}export function translations(): Plugin { return { name: 't' }; }\n`,
        // A compiler of UI extensions that drives the TypeScript compiler.
        'src/devkit/compile.ts': `import * as ts from 'typescript';\n${readSync}`,
        // A load test of the shop.
        'src/load-testing/run-load-test.ts': readSync,
        // The same read in a module of the service: judged.
        'src/service/files.ts': readSync,
      });
      assert.deepStrictEqual(json(dir).findings.filter((f) => f.ruleId === 'blocking-call-in-async').map((f) => f.path), ['src/service/files.ts']);
    });

    it('a workspace package that only browser apps depend on is browser code; one a server app also uses is judged', () => {
      const sdk = "import axios from 'axios';\n\nexport async function addModules(data: { modules: string[] }) {\n  return Promise.all(data.modules.map((id) => axios.post(`/api/modules/${id}`)));\n}\n";
      const files = (root: Record<string, string>, apiUsesSdk: boolean) => ({
        ...root,
        'packages/sdk/package.json': JSON.stringify({ name: '@acme/sdk', dependencies: { axios: '1' } }),
        'packages/sdk/src/modules.ts': sdk,
        'apps/web/package.json': JSON.stringify({ name: 'web', dependencies: { '@acme/sdk': 'workspace:*', react: '18' } }),
        'apps/admin/package.json': JSON.stringify({ name: 'admin', dependencies: { '@acme/sdk': 'workspace:*', vue: '3' } }),
        'apps/api/package.json': JSON.stringify({ name: 'api', dependencies: { express: '4', ...(apiUsesSdk ? { '@acme/sdk': '1' } : {}) } }),
      });
      const fanOut = (dir: string) => json(dir).findings.filter((f) => f.ruleId === 'unbounded-fan-out').map((f) => f.path);
      // pnpm declares its packages in pnpm-workspace.yaml (quoted or not, with exclusions); npm and yarn in package.json.
      const pnpm = { 'package.json': '{ "name": "root", "private": true }', 'pnpm-workspace.yaml': 'packages:\n  - apps/*\n  - "packages/*"\n  - "!apps/proxy"\n\ncatalog:\n  react: 18\n' };
      const npm = { 'package.json': JSON.stringify({ name: 'root', private: true, workspaces: ['apps/*', 'packages/*'] }) };
      assert.deepStrictEqual(fanOut(tree(files(pnpm, false))), []);
      assert.deepStrictEqual(fanOut(tree(files(npm, false))), []);
      assert.deepStrictEqual(fanOut(tree(files(npm, true))), ['packages/sdk/src/modules.ts']);
      // Outside a workspace nothing is known of its consumers: judged.
      assert.deepStrictEqual(fanOut(tree({ 'package.json': JSON.stringify({ name: '@acme/sdk', dependencies: { axios: '1' } }), 'src/modules.ts': sdk })), ['src/modules.ts']);
    });

    it('skips binary, non-UTF-8 and too large files with a note', () => {
      const big = `${PY}${'# padding padding padding padding padding padding padding\n'.repeat(40)}`; // > 2 KB
      const dir = tree({
        'app.py': PY,
        'blob.py': Buffer.concat([Buffer.from('x = 1\n'), Buffer.from([0, 0, 1, 2])]),
        'latin1.py': Buffer.from([0x23, 0x20, 0x63, 0x61, 0x66, 0xe9, 0x0a]), // "# café" in Latin-1
        'utf16.py': Buffer.from('\ufeffx = 1\n', 'utf16le'),
        'big.py': big,
      });
      const report = json(dir, '--max-file-size', '2');
      assert.deepStrictEqual(where(report), ['app.py 2:20-2:29']);
      assert.deepStrictEqual(report.skipped, [
        { path: 'big.py', reason: 'too-large', note: `${(Buffer.byteLength(big) / 1024).toFixed(1)} KB is above the size limit of 2.0 KB` },
        { path: 'blob.py', reason: 'binary', note: 'binary file (a NUL byte in the first 8 KB)' },
        { path: 'latin1.py', reason: 'non-utf8', note: 'not valid UTF-8' },
        { path: 'utf16.py', reason: 'non-utf8', note: 'UTF-16 text: only UTF-8 is read' },
      ]);
      assert.strictEqual(report.summary.filesScanned, 1);
      assert.strictEqual(report.run.code, 0);

      const text = headroom(dir, '--max-file-size', '2').stdout;
      assert.ok(
        text.includes(
          [
            'Skipped 4 files:',
            `  big.py: ${report.skipped[0].note}`,
            '  blob.py: binary file (a NUL byte in the first 8 KB)',
            '  latin1.py: not valid UTF-8',
            '  utf16.py: UTF-16 text: only UTF-8 is read',
            '',
            '✖ 1 finding (1 warning) in 1 file · 1 file scanned, 4 skipped',
          ].join('\n'),
        ),
        text,
      );
      // The limit also comes from .headroom.json, and defaults to 2 MB.
      fs.writeFileSync(path.join(dir, '.headroom.json'), JSON.stringify({ thresholds: { maxFileSizeKB: 2 } }));
      assert.deepStrictEqual(json(dir, 'big.py').skipped.map((s) => s.reason), ['too-large']);
      fs.rmSync(path.join(dir, '.headroom.json'));
      assert.deepStrictEqual(where(json(dir, 'big.py')), ['big.py 2:20-2:29']);
    });

    it('reports in path order, the same with worker threads as in one thread', () => {
      const files: Record<string, string> = {};
      for (let i = 0; i < 24; i++) files[`m${String(23 - i).padStart(2, '0')}/f.${['py', 'ts', 'js', 'go'][i % 4]}`] = i % 4 === 3 ? `package m\n\nfunc f() { db.Query(q, limit*${i + 2}) }\n` : `\n${i % 4 === 0 ? '' : 'const x = '}q.limit(limit * ${i + 2})\n`;
      const dir = tree(files);
      const parallel = json(dir, '--jobs', '2');
      const serial = json(dir, '--jobs', '1');
      assert.strictEqual(parallel.findings.length, 24);
      assert.deepStrictEqual(parallel.findings.map((f) => f.path), Object.keys(files).sort());
      assert.deepStrictEqual(parallel.findings, serial.findings);
    });
  });

  describe('bad input', () => {
    it('a missing path exits 2 naming it, after reporting the rest', () => {
      const dir = tree({ 'app.py': PY });
      const r = json(dir, 'app.py', 'nope/missing.py');
      assert.strictEqual(r.run.code, 2);
      assert.strictEqual(r.run.stderr, 'headroom: cannot scan nope/missing.py: no such file or directory\n');
      assert.deepStrictEqual(where(r), ['app.py 2:20-2:29']);
      assert.deepStrictEqual(r.errors, [{ path: 'nope/missing.py', kind: 'path', message: 'cannot scan nope/missing.py: no such file or directory' }]);
    });

    it('a dangling symlink named on the command line exits 2; inside a folder it is ignored', () => {
      const dir = tree({ 'app.py': PY });
      fs.symlinkSync(path.join(dir, 'gone.py'), path.join(dir, 'link.py'));
      const named = headroom(dir, 'link.py');
      assert.strictEqual(named.code, 2);
      assert.strictEqual(named.stderr, 'headroom: cannot scan link.py: no such file or directory\n');
      assert.strictEqual(headroom(dir).code, 0);
    });

    it('an invalid .headroom.json exits 2 with the file, line and column, and scans with the defaults for what is invalid', () => {
      const dir = tree({ 'app.py': PY, '.headroom.json': '{\n  "targetUsers": "100k",\n  "excludes": ["x"],\n  "rules": { "over-fetch-multiplier": "error" }\n}\n' });
      const r = headroom(dir, '--fail-on', 'never');
      assert.strictEqual(r.code, 2);
      // The valid section still applies: the finding is an error.
      assert.match(r.stdout, /^ {2}2:20 {2}error /m);
      assert.strictEqual(
        r.stderr,
        '.headroom.json:3:3: error: Unknown setting "excludes".\nheadroom: the configuration has errors: the scan used the defaults for the invalid settings.\n',
      );
      fs.writeFileSync(path.join(dir, '.headroom.json'), '{\n  "targetUsers": "10m"\n}\n');
      assert.strictEqual(headroom(dir).stderr.split('\n')[0], '.headroom.json:2:18: error: /targetUsers must be one of "1k", "10k", "100k", "1m".');
      fs.writeFileSync(path.join(dir, '.headroom.json'), '{\n  "targetUsers": "1k",,\n}\n');
      const syntax = headroom(path.join(dir), 'app.py');
      assert.strictEqual(syntax.code, 2);
      assert.match(syntax.stderr, /^\.headroom\.json:2:23: error: Invalid JSON: /);
    });

    it('a .headroom.json that is not an object, nested without end, or a directory is reported; the scan runs on defaults', () => {
      const deep = `{"exclude": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      for (const [text, message] of [
        ['null', /Expected a JSON object .* found null/],
        ['42', /found a number/],
        ['"x"', /found a string/],
        ['[1]', /found an array/],
        [deep, /nested more than 64 levels/],
      ] as const) {
        const dir = tree({ 'app.py': PY, '.headroom.json': text });
        const r = json(dir, '--fail-on', 'never');
        assert.strictEqual(r.run.code, 2, text.slice(0, 20));
        assert.deepStrictEqual(where(r), ['app.py 2:20-2:29']);
        assert.match(r.run.stderr, message);
        assert.doesNotMatch(r.run.stderr, /internal error/);
      }
      const dir = tree({ 'app.py': PY, '.headroom.json': null });
      const r = json(dir);
      assert.strictEqual(r.run.code, 2);
      assert.deepStrictEqual(where(r), ['app.py 2:20-2:29']);
      assert.match(r.run.stderr, /^\.headroom\.json: error: cannot read the configuration: it is a directory\n/);
    });

    it('a .headroom.json saved with a byte-order mark is read as JSON', () => {
      const dir = tree({ 'app.py': PY, '.headroom.json': Buffer.from('\ufeff{ "rules": { "over-fetch-multiplier": "off" } }', 'utf8') });
      const r = json(dir);
      assert.strictEqual(r.run.code, 0, r.run.stderr);
      assert.deepStrictEqual(r.findings, []);
    });

    it('emoji and CJK text before a finding: columns in UTF-16 code units, caret under the range', () => {
      const src = 'def f(q, limit):\n    s = "😀 日本語"; return q.limit(limit * 2)\n';
      const dir = tree({ 'app.py': src });
      const [f] = json(dir).findings;
      const expected = src.split('\n')[1].indexOf('limit * 2') + 1; // JS strings index UTF-16 code units
      assert.strictEqual(expected, 34);
      assert.deepStrictEqual([f.line, f.column, f.endLine, f.endColumn], [2, 34, 2, 43]);
      const sarif = JSON.parse(headroom(dir, '-f', 'sarif').stdout).runs[0];
      assert.deepStrictEqual(sarif.results[0].locations[0].physicalLocation.region, { startLine: 2, startColumn: 34, endLine: 2, endColumn: 43 });
      const lines = headroom(dir).stdout.split('\n');
      // The emoji and the three ideographs take two terminal columns each: 4 more than their 5 characters.
      assert.strictEqual(lines[3], '  > 2 |     s = "😀 日本語"; return q.limit(limit * 2)');
      assert.strictEqual(lines[4], `      | ${' '.repeat(4 + 's = "'.length + 2 + 1 + 6 + '"; return q.limit('.length)}^^^^^^^^^`);
    });

    it('CRLF line endings and a BOM: exact lines and columns', () => {
      const dir = tree({ 'app.py': Buffer.from(`\ufeff${PY.replace(/\n/g, '\r\n')}`, 'utf8') });
      const report = json(dir);
      assert.deepStrictEqual(where(report), ['app.py 2:20-2:29']);
      const lines = headroom(dir).stdout.split('\n');
      assert.strictEqual(lines[3], '  > 2 |     return q.limit(limit * 2)');
    });

    it('a call chain thousands of links deep is analysed in part, with a note, never a crash', () => {
      const dir = tree({ 'deep.py': `x = db.users.find()${'.to_list(1000)'.repeat(4000)}\n`, 'app.py': PY });
      const report = json(dir);
      assert.strictEqual(report.run.code, 0, report.run.stderr);
      assert.deepStrictEqual(where(report), ['app.py 2:20-2:29']);
      assert.deepStrictEqual(report.skipped, [{ path: 'deep.py', reason: 'incomplete', note: 'findings in line 1 may be missing: it nests more deeply than the query engine follows' }]);
      assert.match(headroom(dir).stdout, /Analysed in part \(1 file\):\n {2}deep\.py: findings in line 1 may be missing/);
    });

    it('a file deleted between the walk and its analysis is skipped, not an error', () => {
      const outcome = analyzeFile(path.join(tree({}), 'gone.py'), defaultConfig(), { maxBytes: 1 << 20, frames: false });
      assert.deepStrictEqual(outcome, { kind: 'skipped', reason: 'vanished', note: 'deleted during the scan' });
    });

    it('a file with syntax errors is still scanned', () => {
      const dir = tree({ 'app.py': `def broken(:\n${PY}` });
      const report = json(dir);
      assert.deepStrictEqual(where(report), ['app.py 3:20-3:29']);
    });
  });
});
