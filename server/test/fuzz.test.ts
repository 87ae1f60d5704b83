import * as assert from 'assert';
import * as path from 'path';
import type { Lang } from './fuzz/corpus';
import { defaultOptions, runFuzz, type FuzzOptions } from './fuzz/fuzz';
import { formatReport, writeReport } from './fuzz/report';
import { repoRoot } from './lsp-client';

// The seeded protocol fuzzer (issue 8) at CI size: the targeted scenarios (the reproductions
// and large inputs), the bad-input catalogue, and random edits with fixed seeds over the three
// languages. Any failure fails the test with its shrunk reproduction (also in test-output/fuzz/).
// `npm run fuzz -- --edits 10000 --seed N` runs longer.

async function fuzz(label: string, overrides: Partial<FuzzOptions>): Promise<void> {
  const report = await runFuzz({ ...defaultOptions(), shrinkMs: 10000, maxShrinks: 3, ...overrides });
  writeReport(path.join(repoRoot(), 'test-output', 'fuzz', 'ci'), report, label);
  if (report.failures.length > 0) assert.fail(`\n${formatReport(report)}`);
}

describe('protocol fuzz (issue 8): the server survives fuzzed edits, racing requests and bad input', function () {
  this.timeout(200000);
  this.slow(30000);

  it('targeted scenarios: stale race, repeated version, Go unit reuse, TSX incremental parse, reversed range, large inputs', async () => {
    await fuzz('targeted', { phases: ['targeted'] });
  });

  it('bad-input catalogue: malformed requests, impossible ranges and versions, hostile documents, workspaces and clients', async () => {
    await fuzz('bad-inputs', { phases: ['bad-inputs'] });
  });

  for (const [seed, langs] of [
    [1, ['py']],
    [2, ['go']],
    [3, ['ts', 'js']],
  ] as [number, Lang[]][]) {
    it(`random edits, races and code actions (seed ${seed}, ${langs.join('/')}), compared with a fresh server every 20 edits`, async () => {
      await fuzz(`random-seed-${seed}`, { phases: ['random'], seed, langs, edits: 1000 });
    });
  }
});
