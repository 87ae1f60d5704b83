/**
 * `npm run bench`: prints
 *  1. per language, didChange → diagnostics latency through the real LSP protocol (p50, p95) over
 *     200 one-character edits of a generated 5,000-line file (no debounce: the client pulls at once);
 *  2. the CLI scan's throughput on a generated tree of 2,000 files next to bare tree-sitter parsing
 *     of the same files (read + parse, the floor no scan can beat), both with 1 thread and with one
 *     worker per core, and each run's peak memory (VmHWM of a fresh process).
 * Options: --edits-only (part 1 only), --lang=python|go|typescript (part 1 for one language).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { URI } from 'vscode-uri';
import { scan } from '../../server/src/cli/scan';
import { LspClient, repoRoot } from '../../server/test/lsp-client';
import { EXTENSION, generateFile, LANGUAGE_ID, type BenchLanguage } from './generate';

const LANGS: BenchLanguage[] = ['python', 'go', 'typescript'];
const EDITS = 200;
const FILE_LINES = 5000;
const TREE_FILES = 2000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function editLatency(lang: BenchLanguage, dir: string): Promise<{ p50: number; p95: number; max: number; findings: number; lines: number; unchanged: number; fixAllMs: number }> {
  const text = generateFile(lang, FILE_LINES);
  const client = await LspClient.start({ rootDir: dir });
  try {
    const uri = URI.file(path.join(dir, `bench${EXTENSION[lang]}`)).toString();
    client.open(uri, LANGUAGE_ID[lang], text);
    const initial = await client.diagnostics(uri);
    const findings = initial.length;
    const lines = text.split('\n');
    // Edits spread over the file, each a character inserted then deleted: half at the end of comment
    // lines (no finding moves), half in front of a finding on its line (the finding moves: a full report).
    const comments = lines.map((l, i) => (/^\s*(#|\/\/)/.test(l) ? i : -1)).filter((i) => i >= 0);
    // A space in front of a finding that is not the first thing on its line changes no meaning.
    const findingStarts = initial.map((d) => d.range.start).filter((p) => lines[p.line].slice(0, p.character).trim() !== '');
    const times: number[] = [];
    let version = 1;
    let unchanged = 0;
    // As VS Code does, each pull names the previous result, so an unmoved result comes back "unchanged".
    let resultId: string | undefined;
    for (let e = 0; e < EDITS; e++) {
      const k = Math.floor(e / 2);
      const [line, col] = k % 2 === 0
        ? [comments[(k * 37) % comments.length], lines[comments[(k * 37) % comments.length]].length]
        : [findingStarts[(k * 7) % findingStarts.length].line, findingStarts[(k * 7) % findingStarts.length].character];
      const change = e % 2 === 0
        ? { range: { start: { line, character: col }, end: { line, character: col } }, text: k % 2 === 0 ? 'x' : ' ' }
        : { range: { start: { line, character: col }, end: { line, character: col + 1 } }, text: '' };
      const t0 = performance.now();
      client.change(uri, ++version, [change]);
      const report = await client.pull(uri, resultId);
      times.push(performance.now() - t0);
      resultId = report.resultId;
      if (report.kind === 'unchanged') unchanged++;
      else if (report.items.length !== findings) throw new Error(`edit ${e}: expected ${findings} findings, got ${report.items.length}`);
    }
    times.sort((a, b) => a - b);
    // On save, VS Code asks for source.fixAll.headroom and gives it 750 ms.
    const fixAll: number[] = [];
    for (let k = 0; k < 5; k++) {
      const t0 = performance.now();
      await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], ['source.fixAll.headroom']);
      fixAll.push(performance.now() - t0);
    }
    fixAll.sort((a, b) => a - b);
    return { p50: percentile(times, 50), p95: percentile(times, 95), max: times[times.length - 1], findings, lines: lines.length, unchanged, fixAllMs: fixAll[2] };
  } finally {
    await client.stop();
  }
}

function generateTree(dir: string): { files: number; bytes: number } {
  let bytes = 0;
  for (let i = 0; i < TREE_FILES; i++) {
    const lang = LANGS[i % 3];
    const sub = path.join(dir, `svc${i % 20}`, lang);
    fs.mkdirSync(sub, { recursive: true });
    const text = generateFile(lang, 120 + ((i * 37) % 360), i * 50);
    fs.writeFileSync(path.join(sub, `mod${i}${EXTENSION[lang]}`), text);
    bytes += Buffer.byteLength(text);
  }
  return { files: TREE_FILES, bytes };
}

interface Measured {
  ms: number;
  files: number;
  bytes: number;
  peakMB: number;
  findings?: number;
}

/** Runs one measurement in a fresh process, so its peak memory is its own. */
function measure(kind: 'scan' | 'parse', dir: string, jobs: number): Measured {
  const out = execFileSync(process.execPath, ['--expose-gc', __filename, `--measure-${kind}`, dir, String(jobs)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as Measured;
}

function peakMB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 1048576;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.join(e.parentPath, e.name));
  }
  return out.sort();
}

/** Bare parsing: each worker reads and parses its share of the files, yielding so trees are freed. */
async function bareParse(dir: string, jobs: number): Promise<Measured> {
  const files = listFiles(dir);
  const t0 = performance.now();
  const shares = Array.from({ length: jobs }, (_, j) => files.filter((_, i) => i % jobs === j));
  const results = await Promise.all(
    shares.map(
      (share) =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(path.join(__dirname, 'parse-worker.js'), { workerData: share });
          w.once('message', (bytes: number) => {
            resolve(bytes);
            void w.terminate();
          });
          w.once('error', reject);
        }),
    ),
  );
  return { ms: performance.now() - t0, files: files.length, bytes: results.reduce((a, b) => a + b, 0), peakMB: peakMB() };
}

async function scanTree(dir: string, jobs: number): Promise<Measured> {
  const t0 = performance.now();
  const result = await scan([dir], { cwd: dir, jobs, workerScript: path.join(repoRoot(), 'dist', 'scan-worker.js') });
  return { ms: performance.now() - t0, files: result.stats.filesScanned, bytes: result.stats.bytesScanned, peakMB: peakMB(), findings: result.stats.findings };
}

function row(label: string, m: Measured): string {
  const s = m.ms / 1000;
  return `${label.padEnd(34)} ${(m.files / s).toFixed(0).padStart(6)} files/s ${(m.bytes / 1048576 / s).toFixed(2).padStart(7)} MB/s  ${m.ms.toFixed(0).padStart(6)} ms  peak ${m.peakMB.toFixed(0)} MB`;
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode === '--measure-scan' || mode === '--measure-parse') {
    const [dir, jobs] = [process.argv[3], Number(process.argv[4])];
    const m = mode === '--measure-scan' ? await scanTree(dir, jobs) : await bareParse(dir, jobs);
    process.stdout.write(JSON.stringify(m) + '\n');
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-bench-'));
  try {
    console.log(`Headroom benchmark · node ${process.version} · ${os.cpus().length} cores · ${os.cpus()[0]?.model ?? ''}`);
    console.log(`\n1. didChange → diagnostics over LSP (stdio), ${EDITS} one-character edits of a ${FILE_LINES}-line file, no debounce`);
    const only = process.argv.find((a) => a.startsWith('--lang='))?.slice('--lang='.length);
    for (const lang of LANGS.filter((l) => !only || l === only)) {
      const r = await editLatency(lang, tmp);
      console.log(`   ${lang.padEnd(11)} p50 ${r.p50.toFixed(2)} ms   p95 ${r.p95.toFixed(2)} ms   max ${r.max.toFixed(2)} ms   (${r.lines} lines, ${r.findings} findings, ${r.unchanged}/${EDITS} answered "unchanged"); fix-all on save ${r.fixAllMs.toFixed(0)} ms (budget 750)`);
    }
    if (process.argv.includes('--edits-only')) return;
    const treeDir = path.join(tmp, 'tree');
    const tree = generateTree(treeDir);
    const cores = os.availableParallelism();
    console.log(`\n2. Scan of a generated tree: ${tree.files} files, ${(tree.bytes / 1048576).toFixed(1)} MB (Python, Go, TypeScript)`);
    const parse1 = measure('parse', treeDir, 1);
    const scan1 = measure('scan', treeDir, 1);
    const parseN = measure('parse', treeDir, cores);
    const scanN = measure('scan', treeDir, cores);
    console.log(`   ${row('bare parse, 1 thread', parse1)}`);
    console.log(`   ${row('headroom scan, 1 thread', scan1)}`);
    console.log(`   ${row(`bare parse, ${cores} threads`, parseN)}`);
    console.log(`   ${row(`headroom scan, ${cores} workers`, scanN)}`);
    const ratio1 = (scan1.files / scan1.ms) / (parse1.files / parse1.ms);
    const ratioN = (scanN.files / scanN.ms) / (parseN.files / parseN.ms);
    console.log(`   scan / bare parse: ${(ratio1 * 100).toFixed(0)}% with 1 thread, ${(ratioN * 100).toFixed(0)}% with ${cores} (${scanN.findings} findings)`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
