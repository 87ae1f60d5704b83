import * as assert from 'assert';
import * as vscode from 'vscode';
import type { HeadroomApi } from '../../src/extension';

/** Polls until `f` yields a value: tests wait for the state they need, never for a fixed time. */
async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

function headroomDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'headroom');
}

async function open(uri: vscode.Uri): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  return doc;
}

describe('Headroom in a real VS Code', function () {
  const ws = vscode.workspace.workspaceFolders![0].uri;
  let api: HeadroomApi;

  before(async () => {
    const ext = vscode.extensions.getExtension<HeadroomApi>('headroom.headroom');
    assert.ok(ext, 'the extension is installed');
    api = await ext.activate();
  });

  it('shows each fixture language\'s findings as diagnostics, at the marked lines', async () => {
    const cases: [string, string, number][] = [
      ['fastapi-motor/app/db.py', 'pool-unconfigured', 8],
      ['go-service/jobs.go', 'pool-unconfigured', 21],
      ['express-service/src/db.ts', 'pool-unconfigured', 8],
      ['express-service/src/legacy/billing.js', 'pool-unconfigured', 10],
      // Workspace rules: reported once the startup scan has joined the files.
      ['sqlalchemy-service/billing/warehouse.py', 'pool-oversized', 9],
      ['fastapi-motor/app/routers/users.py', 'missing-index', 59],
    ];
    for (const [file, rule, line] of cases) {
      const uri = vscode.Uri.joinPath(ws, file);
      await open(uri);
      const diags = await until(`${rule} in ${file}`, () => {
        const d = headroomDiagnostics(uri).filter((x) => codeOf(x) === rule);
        return d.length > 0 ? d : undefined;
      });
      assert.ok(diags.some((d) => d.range.start.line === line - 1), `${file}: ${rule} on line ${line}, got ${diags.map((d) => d.range.start.line + 1).join(', ')}`);
    }
  });

  it('applies the preferred quick fix through the VS Code API, and the finding goes away', async () => {
    const uri = vscode.Uri.joinPath(ws, 'scratch_fix.py');
    await vscode.workspace.fs.writeFile(uri, Buffer.from('from motor.motor_asyncio import AsyncIOMotorClient\n\nclient = AsyncIOMotorClient(URL)\n'));
    const doc = await open(uri);
    const diag = await until('pool-unconfigured in scratch_fix.py', () => headroomDiagnostics(uri).find((d) => codeOf(d) === 'pool-unconfigured'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diag.range, vscode.CodeActionKind.QuickFix.value);
    const titles = actions.map((a) => a.title);
    assert.ok(titles.some((t) => t.startsWith('Ignore this finding')), `ignore offered: ${titles.join(' | ')}`);
    const preferred = actions.find((a) => a.isPreferred);
    assert.ok(preferred?.edit, `a preferred fix: ${titles.join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(preferred.edit));
    assert.strictEqual(
      doc.getText(),
      'from motor.motor_asyncio import AsyncIOMotorClient\n\nclient = AsyncIOMotorClient(URL, maxPoolSize=100, minPoolSize=10, maxIdleTimeMS=30000, waitQueueTimeoutMS=5000)\n',
    );
    await until('the finding to go away', () => headroomDiagnostics(uri).every((d) => codeOf(d) !== 'pool-unconfigured') || undefined);
  });

  it('"Headroom: Fix All" applies only the safe fixes', async () => {
    const uri = vscode.Uri.joinPath(ws, 'scratch_fixall.py');
    await vscode.workspace.fs.writeFile(uri, Buffer.from('# headroom-ignore[over-fetch-multiplier]: old\nrows = q.limit(limit)\nmore = q.limit(n * 2)\n'));
    const doc = await open(uri);
    await until('findings in scratch_fixall.py', () => headroomDiagnostics(uri).length >= 2 || undefined);
    await vscode.commands.executeCommand('headroom.fixAll');
    await until('the unused suppression to be removed', () => !doc.getText().includes('headroom-ignore') || undefined);
    assert.strictEqual(doc.getText(), 'rows = q.limit(limit)\nmore = q.limit(n * 2)\n', 'the unsafe over-fetch fix is not applied');
  });

  it('fetches the readiness data: a verdict and every category', async () => {
    const reply = await until('the workspace scan', async () => {
      const r = await api.readiness();
      return r && r.lastScan ? r : undefined;
    });
    assert.match(reply.readiness.verdict, /^Not ready for 100K users: \d+ blockers in /);
    assert.deepStrictEqual(reply.readiness.categories.map((c) => c.category), ['connection-pooling', 'query-bounds', 'database-load', 'concurrency', 'background-work', 'rate-limiting', 'shared-state', 'blocking-io']);
    const pooling = reply.readiness.categories.find((c) => c.category === 'connection-pooling')!;
    // Pools per request and pools larger than the database accepts (a workspace rule: the pool in
    // one file, the gunicorn workers in another) are blockers; sized pools are still shown.
    assert.strictEqual(pooling.status, 'blocker');
    assert.ok(pooling.findings.some((f) => f.ruleId === 'pool-oversized' && f.severity === 'error'), 'the workspace rule reports');
    assert.ok(pooling.evidence.length > 0, 'configured pools are shown as evidence');
  });

  it('exports the readiness report and opens it', async () => {
    const file = await vscode.commands.executeCommand<vscode.Uri>('headroom.exportReport');
    const text = Buffer.from(await vscode.workspace.fs.readFile(file)).toString('utf8');
    assert.ok(text.startsWith('## Headroom readiness report\n\n**Not ready for 100K users'), text.slice(0, 200));
    await until('the report to be shown', () => vscode.window.activeTextEditor?.document.uri.toString() === file.toString() || undefined);
  });

  it('restarts the server, which then analyses again', async () => {
    await vscode.commands.executeCommand('headroom.restartServer');
    await until('the client to run again', () => api.client()?.isRunning() || undefined);
    const uri = vscode.Uri.joinPath(ws, 'scratch_after_restart.py');
    await vscode.workspace.fs.writeFile(uri, Buffer.from('rows = q.limit(limit * 2)\n'));
    await open(uri);
    await until('diagnostics after the restart', () => headroomDiagnostics(uri).some((d) => codeOf(d) === 'over-fetch-multiplier') || undefined);
  });
});
