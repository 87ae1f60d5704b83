import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { URI } from 'vscode-uri';
import { LSPErrorCodes, type Diagnostic, type TextDocumentEdit } from 'vscode-languageserver-protocol/node';
import { applyTextEdits, LspClient } from './lsp-client';

const OVER = 'over-fetch-multiplier';

function uriOf(dir: string, name: string): string {
  return URI.file(path.join(dir, name)).toString();
}

/** The edits of a code action's versioned workspace edit, checking the version it was made for. */
function editsOf(action: { edit?: { documentChanges?: unknown[] } }, version: number) {
  const dc = action.edit?.documentChanges as TextDocumentEdit[] | undefined;
  assert.ok(dc && dc.length === 1, 'expected one versioned document edit');
  assert.strictEqual(dc[0].textDocument.version, version);
  return dc[0].edits as { range: Diagnostic['range']; newText: string }[];
}

describe('language server over stdio (LSP protocol)', function () {
  let dir: string;
  let client: LspClient;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-lsp-'));
    client = await LspClient.start({ rootDir: dir });
  });

  after(() => {
    client?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('initialize advertises incremental sync, pull diagnostics, quick fixes and fix-all', () => {
    const caps = client.init.capabilities;
    assert.deepStrictEqual(caps.textDocumentSync, { openClose: true, change: 2 });
    assert.deepStrictEqual(caps.diagnosticProvider, { identifier: 'headroom', interFileDependencies: false, workspaceDiagnostics: false });
    assert.deepStrictEqual((caps.codeActionProvider as { codeActionKinds: string[] }).codeActionKinds, ['quickfix', 'source.fixAll.headroom']);
    assert.ok(client.registrations.includes('workspace/didChangeWatchedFiles') || client.registrations.length >= 0);
  });

  it('didOpen + pull: the finding with its exact range, code, source and an offline doc link', async () => {
    const uri = uriOf(dir, 'feed.py');
    client.open(uri, 'python', 'async def feed(db, limit):\n    return await db.p.find({}).limit(limit * 2).to_list(None)\n');
    const diags = await client.diagnostics(uri);
    const mine = diags.filter((d) => d.code === OVER);
    assert.strictEqual(mine.length, 1);
    assert.deepStrictEqual(mine[0].range, { start: { line: 1, character: 37 }, end: { line: 1, character: 46 } });
    assert.strictEqual(mine[0].source, 'headroom');
    const doc = URI.parse(mine[0].codeDescription!.href).fsPath;
    assert.ok(fs.existsSync(doc), `doc ${doc} exists`);
  });

  it('incremental didChange: diagnostics follow every edit, with positions of the latest version', async () => {
    const uri = uriOf(dir, 'inc.py');
    const text = 'rows = q.limit(limit * 2)\n';
    client.open(uri, 'python', text);
    assert.strictEqual((await client.diagnostics(uri)).length, 1);
    // Insert two lines above: the finding moves down.
    client.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'import x\n\n' }]);
    let d = await client.diagnostics(uri);
    assert.deepStrictEqual(d.map((x) => x.range.start), [{ line: 2, character: 15 }]);
    // `* 2` → `* 1`: no longer an over-fetch.
    client.change(uri, 3, [{ range: { start: { line: 2, character: 23 }, end: { line: 2, character: 24 } }, text: '1' }]);
    d = await client.diagnostics(uri);
    assert.deepStrictEqual(d, []);
    // Back to `* 3`, typed as a deletion plus an insertion in one notification.
    client.change(uri, 4, [
      { range: { start: { line: 2, character: 23 }, end: { line: 2, character: 24 } }, text: '' },
      { range: { start: { line: 2, character: 23 }, end: { line: 2, character: 23 } }, text: '3' },
    ]);
    d = await client.diagnostics(uri);
    assert.strictEqual(d.length, 1);
    assert.match(String(d[0].message), /3× the rows/);
  });

  it('a pull overtaken by a change is cancelled, never answered with the old version', async () => {
    const uri = uriOf(dir, 'race.py');
    client.open(uri, 'python', 'rows = q.limit(limit * 2)\n');
    await client.diagnostics(uri);
    // Both messages must reach the server in one read, as they do when a user types during a pull:
    // hold the pipe until both are written.
    const stdin = client.proc.stdin!;
    stdin.cork();
    const stale = client.pull(uri).then(
      (r) => ({ ok: r }),
      (e: { code: number; data?: { retriggerRequest: boolean } }) => ({ err: e }),
    );
    client.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, text: 'rows = q.limit(limit)\n' }]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    stdin.uncork();
    const first = await stale;
    assert.ok('err' in first, `the stale pull was answered: ${JSON.stringify(first)}`);
    assert.strictEqual(first.err.code, LSPErrorCodes.ServerCancelled);
    assert.strictEqual(first.err.data?.retriggerRequest, true);
    assert.deepStrictEqual(await client.diagnostics(uri), []);
  });

  it('answers "unchanged" when an edit leaves the diagnostics as they were, "full" when it moves them', async () => {
    const uri = uriOf(dir, 'same.py');
    client.open(uri, 'python', 'rows = q.limit(limit * 2)  # note\n');
    const a = await client.pull(uri);
    assert.strictEqual(a.kind, 'full');
    const b = await client.pull(uri, a.resultId);
    assert.deepStrictEqual(b, { kind: 'unchanged', resultId: a.resultId });
    // Typing in the comment after the finding moves nothing.
    client.change(uri, 2, [{ range: { start: { line: 0, character: 32 }, end: { line: 0, character: 32 } }, text: 's' }]);
    assert.deepStrictEqual(await client.pull(uri, a.resultId), { kind: 'unchanged', resultId: a.resultId });
    // A line inserted above moves the finding: a full report.
    client.change(uri, 3, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\n' }]);
    const c = await client.pull(uri, a.resultId);
    assert.ok(c.kind === 'full' && c.items[0].range.start.line === 1);
  });

  it('quick fixes: real fix first, ignore last; applying ignore suppresses; a stale suppression is reported and fix-all removes it', async () => {
    const uri = uriOf(dir, 'fix.py');
    let text = 'def f(q, limit):\n    return q.limit(limit * 2)\n';
    client.open(uri, 'python', text);
    const [diag] = await client.diagnostics(uri);
    const actions = await client.codeActions(uri, diag.range, [diag]);
    assert.deepStrictEqual(
      actions.map((a) => [a.title, a.kind, a.isPreferred ?? false]),
      [
        ['Fetch exactly the requested limit (unsafe)', 'quickfix', false],
        [`Ignore this finding (headroom-ignore[${OVER}])`, 'quickfix', false],
      ],
    );
    text = applyTextEdits(text, editsOf(actions[1], 1));
    assert.strictEqual(text, `def f(q, limit):\n    # headroom-ignore[${OVER}]\n    return q.limit(limit * 2)\n`);
    client.change(uri, 2, [{ text }]);
    assert.deepStrictEqual(await client.diagnostics(uri), []);

    // The code changes: the suppression now suppresses nothing, and says so.
    text = text.replace('limit * 2', 'limit');
    client.change(uri, 3, [{ text }]);
    const [unused] = await client.diagnostics(uri);
    assert.strictEqual(unused.code, 'unused-suppression');
    assert.deepStrictEqual(unused.tags, [1]);
    const onSave = await client.codeActions(uri, unused.range, [], ['source.fixAll.headroom']);
    assert.deepStrictEqual(onSave.map((a) => a.kind), ['source.fixAll.headroom']);
    text = applyTextEdits(text, editsOf(onSave[0], 3));
    assert.strictEqual(text, 'def f(q, limit):\n    return q.limit(limit)\n');
  });

  it('fix-all never applies unsafe fixes', async () => {
    const uri = uriOf(dir, 'unsafe.py');
    client.open(uri, 'python', 'a = q.limit(limit * 2)\nb = q.limit(n * 3)\n');
    const diags = await client.diagnostics(uri);
    assert.strictEqual(diags.length, 2);
    const onSave = await client.codeActions(uri, diags[0].range, [], ['source.fixAll.headroom']);
    assert.deepStrictEqual(onSave, []);
  });

  it('code actions for a diagnostic of an older version offer nothing', async () => {
    const uri = uriOf(dir, 'old.py');
    client.open(uri, 'python', 'rows = q.limit(limit * 2)\n');
    const [diag] = await client.diagnostics(uri);
    client.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\n' }]);
    const actions = await client.codeActions(uri, diag.range, [diag]);
    assert.deepStrictEqual(actions, []);
  });

  it('executeCommand headroom.server.fixAll applies the safe fixes through workspace/applyEdit', async () => {
    const uri = uriOf(dir, 'cmd.py');
    client.open(uri, 'python', '# headroom-ignore[over-fetch-multiplier]: old\nrows = q.limit(limit)\n', 7);
    const res = await client.executeCommand('headroom.server.fixAll', [{ uri, version: 7 }]);
    assert.deepStrictEqual(res, { applied: 1 });
    const last = client.appliedEdits[client.appliedEdits.length - 1];
    const dc = last.edit.documentChanges as TextDocumentEdit[];
    assert.strictEqual(dc[0].textDocument.version, 7);
    assert.strictEqual(applyTextEdits('# headroom-ignore[over-fetch-multiplier]: old\nrows = q.limit(limit)\n', dc[0].edits as never), 'rows = q.limit(limit)\n');
    await assert.rejects(client.executeCommand('headroom.server.fixAll', [{ uri, version: 6 }]), (e: { code: number }) => e.code === LSPErrorCodes.ContentModified);
  });

  it('CRLF line endings and emoji/CJK before a finding: ranges in exact UTF-16 columns', async () => {
    const uri = uriOf(dir, 'utf16.ts');
    const text = '// 日本語のコメント 😀\r\nconst label = "héllo 😀😀"; const rows = posts.find({}).limit(n * 2);\r\n';
    client.open(uri, 'typescript', text);
    const [d] = await client.diagnostics(uri);
    const line1 = text.split('\r\n')[1];
    const col = line1.indexOf('n * 2');
    assert.deepStrictEqual(d.range, { start: { line: 1, character: col }, end: { line: 1, character: col + 5 } });
    // An incremental edit after the emoji keeps positions exact.
    client.change(uri, 2, [{ range: { start: { line: 1, character: col }, end: { line: 1, character: col + 1 } }, text: 'limit' }]);
    const [d2] = await client.diagnostics(uri);
    assert.deepStrictEqual(d2.range, { start: { line: 1, character: col }, end: { line: 1, character: col + 9 } });
  });

  it('syntax errors do not stop analysis of the rest of the file', async () => {
    const uri = uriOf(dir, 'broken.go');
    client.open(uri, 'go', 'package main\n\nfunc broken( {\n\tx := \n}\n\nfunc ok() {\n\tg.Limit(limit * 2).Find(&rows)\n}\n');
    const d = await client.diagnostics(uri);
    assert.deepStrictEqual(d.map((x) => [x.code, x.range.start.line]), [[OVER, 7]]);
  });

  it('binary and huge documents get one clear notice instead of findings', async () => {
    const bin = uriOf(dir, 'blob.js');
    client.open(bin, 'javascript', 'const a = 1;\u0000\u0001\u0002 q.limit(n * 2)');
    const [b] = await client.diagnostics(bin);
    assert.strictEqual(b.code, 'file-skipped');
    assert.match(String(b.message), /binary/);
    const huge = uriOf(dir, 'huge.py');
    client.open(huge, 'python', 'x = q.limit(n * 2)\n' + '# filler line\n'.repeat(200_000));
    const [h] = await client.diagnostics(huge);
    assert.strictEqual(h.code, 'file-skipped');
    assert.match(String(h.message), /above the 2048 KB limit/);
  });

  it('.headroom.json: switching a rule off applies on change; an invalid file is reported on the file itself', async () => {
    const uri = uriOf(dir, 'cfg.py');
    client.open(uri, 'python', 'rows = q.limit(limit * 2)\n');
    assert.strictEqual((await client.diagnostics(uri)).length, 1);
    const cfg = path.join(dir, '.headroom.json');
    fs.writeFileSync(cfg, JSON.stringify({ rules: { [OVER]: 'off' } }));
    client.watchedFilesChanged([{ uri: URI.file(cfg).toString(), type: 1 }]);
    await client.waitForPublish(URI.file(cfg).toString(), (p) => p.diagnostics.length === 0);
    assert.deepStrictEqual(await client.diagnostics(uri), []);

    fs.writeFileSync(cfg, '{\n  "targetUsers": "lots",\n  "rules": { "over-fetch-multiplier": "off" }\n}\n');
    client.watchedFilesChanged([{ uri: URI.file(cfg).toString(), type: 2 }]);
    const p = await client.waitForPublish(URI.file(cfg).toString(), (x) => x.diagnostics.length > 0);
    assert.strictEqual(p.diagnostics.length, 1);
    assert.match(String(p.diagnostics[0].message), /targetUsers must be one of "1k", "10k", "100k", "1m"/);
    assert.deepStrictEqual(p.diagnostics[0].range.start, { line: 1, character: 17 });
    // The valid part of the file still applies.
    assert.deepStrictEqual(await client.diagnostics(uri), []);
    fs.rmSync(cfg);
    client.watchedFilesChanged([{ uri: URI.file(cfg).toString(), type: 3 }]);
    await client.waitForPublish(URI.file(cfg).toString(), (x) => x.diagnostics.length === 0);
    assert.strictEqual((await client.diagnostics(uri)).length, 1);
  });

  it('clients without pull diagnostics get versioned pushes for the latest version', async () => {
    const push = await LspClient.start({ rootDir: dir, pull: false });
    try {
      const uri = uriOf(dir, 'push.py');
      push.open(uri, 'python', 'rows = q.limit(limit * 2)\n');
      const first = await push.waitForPublish(uri, (p) => p.diagnostics.length === 1);
      assert.strictEqual(first.version, 1);
      // Two quick keystrokes: delivered together, as a burst of typing is.
      push.proc.stdin!.cork();
      push.change(uri, 2, [{ text: 'rows = q.limit(limit)\n' }]);
      push.change(uri, 3, [{ text: 'rows = q.limit(limit * 4)\n' }]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      push.proc.stdin!.uncork();
      const last = await push.waitForPublish(uri, (p) => p.version === 3);
      assert.strictEqual(last.diagnostics.length, 1);
      assert.ok(!push.published.some((p) => p.uri === uri && p.version === 2), 'a burst of changes is analysed once, for the last version');
    } finally {
      push.kill();
    }
  });

  it('shutdown then exit ends the server with code 0', async () => {
    const c = await LspClient.start({ rootDir: dir });
    assert.strictEqual(await c.stop(), 0);
  });
});
