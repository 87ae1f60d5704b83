// Starts code-server (provisioned by provision.sh) on a free port with a scratch profile, and opens
// its workbench in Debian's headless Chromium through playwright-core. Shared by the extension-host
// suite and the UI test.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const ENTRY = path.join(REPO, '.cache', 'editor', 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');

export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export function chromiumPath() {
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (fs.existsSync(p)) return p;
  throw new Error('Chromium is not installed: run scripts/editor/provision.sh');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `f` until it returns a truthy value: no fixed sleeps. */
export async function until(what, f, timeoutMs = 120_000, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A scratch copy of test-fixtures, so that fixes applied by the tests never touch the repository. */
export function scratchWorkspace() {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-editor-'));
  const ws = path.join(base, 'workspace');
  fs.cpSync(path.join(REPO, 'test-fixtures'), ws, { recursive: true });
  return { base, ws };
}

export async function startCodeServer({ base, ws, env = {}, extensionsDir }) {
  if (!fs.existsSync(ENTRY)) throw new Error(`code-server is not provisioned: run scripts/editor/provision.sh (looked for ${ENTRY})`);
  const userData = path.join(base, 'user-data');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify({
      'security.workspace.trust.enabled': false,
      'workbench.startupEditor': 'none',
      'telemetry.telemetryLevel': 'off',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'workbench.tips.enabled': false,
      'chat.disableAIFeatures': true,
    }),
  );
  const extDir = extensionsDir ?? path.join(base, 'extensions');
  fs.mkdirSync(extDir, { recursive: true });
  const port = await freePort();
  const log = fs.openSync(path.join(base, 'code-server.log'), 'a');
  const proc = spawn(
    process.execPath,
    [ENTRY, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--user-data-dir', userData, '--extensions-dir', extDir, ws],
    { env: { ...process.env, ...env }, stdio: ['ignore', log, log] },
  );
  const url = `http://127.0.0.1:${port}`;
  await until('code-server to answer', async () => {
    try {
      const res = await fetch(`${url}/healthz`);
      return res.ok;
    } catch {
      return false;
    }
  }, 60_000);
  return {
    url,
    port,
    extensionsDir: extDir,
    logFile: path.join(base, 'code-server.log'),
    stop: () => new Promise((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
    }),
  };
}

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_FLAGS });
}

/** Installs a .vsix into the code-server extensions folder (what a user does with "Install from VSIX"). */
export function installVsix(vsix, extensionsDir) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [ENTRY, '--extensions-dir', extensionsDir, '--install-extension', vsix], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (b) => (out += b));
    p.stderr.on('data', (b) => (out += b));
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`installing ${vsix} failed (${code}): ${out}`))));
  });
}
