// Runs the extension-host suite (out/ext-test/index.js) in a real VS Code. Where a desktop VS Code
// can be downloaded, set HEADROOM_EDITOR=electron to use @vscode/test-electron; otherwise (these
// machines have no route to Microsoft's servers) code-server from the npm registry, driven by
// Debian's Chromium: the workbench's `payload` loads the extension under development and the
// tests into the remote extension host, and the suite writes its results to a file we wait for.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, launchBrowser, scratchWorkspace, startCodeServer, until } from './code-server.mjs';

const { base, ws } = scratchWorkspace();
const results = path.join(base, 'results.json');
const outDir = path.join(REPO, 'test-output');
fs.mkdirSync(outDir, { recursive: true });

function report(r) {
  for (const t of r.tests) console.log(`  ${t.state === 'passed' ? '✔' : '✖'} ${t.title}${t.state === 'passed' ? ` (${t.ms} ms)` : `\n${t.error}`}`);
  console.log(`editor: ${r.passed} passed, ${r.failed} failed`);
  return r.failed === 0 && r.passed > 0 ? 0 : 1;
}

async function viaElectron() {
  const { runTests } = await import('@vscode/test-electron');
  process.env.HEADROOM_EDITOR_RESULTS = results;
  await runTests({ extensionDevelopmentPath: REPO, extensionTestsPath: path.join(REPO, 'out', 'ext-test', 'index.js'), launchArgs: [ws, '--disable-extensions'] });
  return report(JSON.parse(fs.readFileSync(results, 'utf8')));
}

async function viaCodeServer() {
  const server = await startCodeServer({ base, ws, env: { HEADROOM_EDITOR_RESULTS: results } });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(REPO)],
      ['extensionTestsPath', remote(path.join(REPO, 'out', 'ext-test', 'index.js'))],
    ]);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(payload)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
    const r = await until('the extension-host suite to write its results', () => fs.existsSync(results) && JSON.parse(fs.readFileSync(results, 'utf8')), 300_000, 500);
    await page.screenshot({ path: path.join(outDir, 'extension-host-suite.png') });
    return report(r);
  } catch (e) {
    console.error(`editor tests failed to run: ${e.message}\n--- code-server log (tail) ---\n${fs.readFileSync(server.logFile, 'utf8').split('\n').slice(-40).join('\n')}`);
    return 1;
  } finally {
    await browser.close();
    await server.stop();
  }
}

const code = process.env.HEADROOM_EDITOR === 'electron' ? await viaElectron() : await viaCodeServer();
fs.rmSync(base, { recursive: true, force: true });
process.exit(code);
