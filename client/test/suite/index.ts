import * as fs from 'fs';
import * as path from 'path';
// Mocha 12 is an ES module: required from CommonJS, its constructor is the default export.
import Mocha from 'mocha';

/**
 * The extension-host test entry: VS Code (desktop via @vscode/test-electron, or code-server)
 * loads this module in its extension host and calls run(). The results also go to a JSON file,
 * because under code-server nothing else reports them (see scripts/editor/).
 */
export function run(): Promise<void> {
  const out = process.env.HEADROOM_EDITOR_RESULTS ?? path.join(__dirname, 'results.json');
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false });
  // Give the suite mocha's globals, then load it (esbuild keeps this require lazy).
  mocha.suite.emit('pre-require', globalThis, 'extension.test', mocha);
  require('./extension.test');
  return new Promise((resolve, reject) => {
    const results: { title: string; state: string; error?: string; ms?: number }[] = [];
    const runner = mocha.run((failures) => {
      fs.writeFileSync(out, JSON.stringify({ passed: results.filter((r) => r.state === 'passed').length, failed: failures, tests: results }, null, 2));
      if (failures > 0) reject(new Error(`${failures} extension-host tests failed`));
      else resolve();
    });
    runner.on('pass', (t) => results.push({ title: t.fullTitle(), state: 'passed', ms: t.duration }));
    runner.on('fail', (t, err: Error) => results.push({ title: t.fullTitle(), state: 'failed', error: err.stack ?? err.message }));
  });
}
