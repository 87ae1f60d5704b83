#!/usr/bin/env node
// Precision on whole real repositories: scans each pinned repository of repos.json with a
// build of the CLI, joins its findings with the verdicts a reader gave them (verdicts/*.tsv)
// and prints TRUE/FALSE/DEBATABLE per rule and per language. Findings nobody judged yet are
// listed, so a change that adds findings cannot hide behind the old table.
//
//   node scripts/precision/judge.mjs <folder of checkouts> [--cli dist/cli.js] [--set core|extra]
//        [--repo name] [--show] [--from <folder of earlier JSON reports>] [--keep <folder>]
//
// The checkouts are not part of this project: fetch each repository at its commit into
// <folder>/<name> (see README.md here).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const cli = path.resolve(flag('--cli') ?? path.join(here, '../../dist/cli.js'));
const onlySet = flag('--set');
const onlyRepo = flag('--repo');
const from = flag('--from');
const keep = flag('--keep');
const show = args.includes('--show') ? (args.splice(args.indexOf('--show'), 1), true) : false;
const root = args[0];
if (!root) {
  console.error('usage: judge.mjs <folder of checkouts> [--cli dist/cli.js] [--set core|extra] [--repo name] [--show] [--from dir] [--keep dir]');
  process.exit(2);
}

const { repos } = JSON.parse(readFileSync(path.join(here, 'repos.json'), 'utf8'));
const VERDICTS = ['TRUE', 'FALSE', 'DEBATABLE'];

/** Verdict rows: fingerprint, rule, path, line, verdict, reason (tab-separated, # comments); a finding is found by its path and fingerprint (which survive line moves), else by its line. */
function readVerdicts(name) {
  const file = path.join(here, 'verdicts', `${name}.tsv`);
  const byPrint = new Map();
  const byPlace = new Map();
  if (!existsSync(file)) return { byPrint, byPlace };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [fingerprint, rule, file_, ln, verdict, reason = ''] = line.split('\t');
    if (!VERDICTS.includes(verdict)) throw new Error(`${name}.tsv: unknown verdict "${verdict}" in: ${line}`);
    const row = { verdict, reason };
    const key = `${rule}\t${file_}\t${fingerprint}`;
    byPrint.set(key, byPrint.has(key) ? null : row); // a fingerprint two findings of a file share says nothing: their lines do
    byPlace.set(`${rule}\t${file_}\t${ln}`, row);
  }
  return { byPrint, byPlace };
}

function language(file) {
  if (file.endsWith('.py')) return 'Python';
  if (file.endsWith('.go')) return 'Go';
  return 'TS/JS';
}

function scan(repo) {
  const dir = path.join(root, repo.name);
  if (from) return JSON.parse(readFileSync(path.join(from, `${repo.name}.json`), 'utf8'));
  if (!existsSync(dir)) return undefined;
  const out = execFileSync(process.execPath, [cli, '-f', 'json', '--fail-on', 'never', '-q', repo.name], {
    cwd: root,
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  if (keep) {
    mkdirSync(keep, { recursive: true });
    writeFileSync(path.join(keep, `${repo.name}.json`), out);
  }
  return JSON.parse(out);
}

const byRule = new Map();
const byLang = new Map();
/** The same, for the findings at warning or error: what the readiness verdict counts and `--fail-on` sees. */
const bySeverity = new Map();
const perRepo = [];
const unjudged = [];
const tally = (map, key, verdict) => {
  const t = map.get(key) ?? { n: 0, TRUE: 0, FALSE: 0, DEBATABLE: 0, unjudged: 0 };
  t.n++;
  t[verdict ?? 'unjudged']++;
  map.set(key, t);
};

for (const repo of repos) {
  if (onlySet && repo.set !== onlySet) continue;
  if (onlyRepo && repo.name !== onlyRepo) continue;
  const report = scan(repo);
  if (!report) {
    console.error(`skipped ${repo.name}: no checkout at ${path.join(root, repo.name)}`);
    continue;
  }
  const { byPrint, byPlace } = readVerdicts(repo.name);
  const t = { name: repo.name, n: 0, TRUE: 0, FALSE: 0, DEBATABLE: 0, unjudged: 0 };
  for (const f of report.findings) {
    const file = f.path.replace(/\\/g, '/');
    const row = byPrint.get(`${f.ruleId}\t${file}\t${f.fingerprint}`) || byPlace.get(`${f.ruleId}\t${file}\t${f.line}`);
    const verdict = row?.verdict;
    tally(byRule, f.ruleId, verdict);
    tally(byLang, language(file), verdict);
    tally(bySeverity, f.severity === 'error' || f.severity === 'warning' ? 'warning or error' : 'info or hint', verdict);
    t.n++;
    t[verdict ?? 'unjudged']++;
    if (!verdict) unjudged.push({ repo: repo.name, f, file });
  }
  perRepo.push(t);
}

const pct = (t) => (t.n ? `${Math.round((100 * t.TRUE) / t.n)}%` : '—');
const table = (title, rows) => {
  console.log(`\n| ${title} | n | TRUE | FALSE | DEBATABLE | unjudged | TRUE share |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  const all = { n: 0, TRUE: 0, FALSE: 0, DEBATABLE: 0, unjudged: 0 };
  for (const [key, t] of rows) {
    console.log(`| ${key} | ${t.n} | ${t.TRUE} | ${t.FALSE} | ${t.DEBATABLE} | ${t.unjudged} | ${pct(t)} |`);
    for (const k of Object.keys(all)) all[k] += t[k];
  }
  console.log(`| **all** | ${all.n} | ${all.TRUE} | ${all.FALSE} | ${all.DEBATABLE} | ${all.unjudged} | ${pct(all)} |`);
};
table('repository', perRepo.map((t) => [t.name, t]));
table('rule', [...byRule].sort(([a], [b]) => a.localeCompare(b)));
table('language', [...byLang].sort(([a], [b]) => a.localeCompare(b)));
table('severity', [...bySeverity].sort(([a], [b]) => b.localeCompare(a)));

if (unjudged.length) {
  console.log(`\n${unjudged.length} finding(s) without a verdict${show ? ':' : ' (--show lists them)'}`);
  if (show) {
    for (const { repo, f, file } of unjudged) {
      console.log(`${f.fingerprint}\t${f.ruleId}\t${file}\t${f.line}\t[${repo}] ${f.message.slice(0, 240)}`);
    }
  }
}
