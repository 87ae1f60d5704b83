import { spawn, type ChildProcess } from 'child_process';
import * as path from 'path';
import {
  ApplyWorkspaceEditRequest,
  CodeActionRequest,
  createProtocolConnection,
  DocumentDiagnosticRequest,
  ExecuteCommandRequest,
  ExitNotification,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  Emitter,
  StreamMessageReader,
  type Message,
  type MessageWriter,
  DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  type ApplyWorkspaceEditParams,
  type ClientCapabilities,
  type CodeAction,
  type Command,
  type Diagnostic,
  type DocumentDiagnosticReport,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Range,
  type TextDocumentContentChangeEvent,
  type FileEvent,
} from 'vscode-languageserver-protocol/node';
import { URI } from 'vscode-uri';

/** Where the built bundles are, from the test bundle (out/test/tests.js) or from scripts/. */
export function repoRoot(): string {
  return path.resolve(__dirname, '..', '..');
}

export interface ClientOptions {
  rootDir?: string;
  /** Declare pull-diagnostics support (as VS Code does); without it the server pushes. */
  pull?: boolean;
  settings?: Record<string, unknown>;
  /** Declare work-done progress support (as VS Code does). */
  progress?: boolean;
  /** Replaces the capabilities declared (a minimal client, say). */
  capabilities?: ClientCapabilities;
}

/**
 * Writes framed JSON-RPC messages to the server's stdin; while corked, it gathers them and
 * `uncork` sends them in one write, so the server reads them in one chunk (a burst of messages).
 */
class CorkableWriter implements MessageWriter {
  private readonly errorEmitter = new Emitter<[Error, Message | undefined, number | undefined]>();
  private readonly closeEmitter = new Emitter<void>();
  private corked: Buffer[] | undefined;
  readonly onError = this.errorEmitter.event;
  readonly onClose = this.closeEmitter.event;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  write(msg: Message): Promise<void> {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    const frame = Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
    if (this.corked) this.corked.push(frame);
    else this.stream.write(frame);
    return Promise.resolve();
  }

  cork(): void {
    this.corked ??= [];
  }

  uncork(): void {
    const frames = this.corked;
    this.corked = undefined;
    if (frames && frames.length > 0) this.stream.write(Buffer.concat(frames));
  }

  end(): void {}

  dispose(): void {
    this.errorEmitter.dispose();
    this.closeEmitter.dispose();
  }
}

/** A minimal LSP client that drives dist/server.js over stdio through the real protocol. */
export class LspClient {
  readonly published: PublishDiagnosticsParams[] = [];
  readonly appliedEdits: ApplyWorkspaceEditParams[] = [];
  readonly registrations: string[] = [];
  /** `$/progress` notifications, in order. */
  readonly progress: { token: string | number; value: { kind: string; message?: string; percentage?: number; cancellable?: boolean } }[] = [];
  /** Notifications of Headroom's own (`headroom/...`), in order. */
  readonly custom: { method: string; params: unknown }[] = [];
  stderr = '';
  private publishWaiters: (() => void)[] = [];
  init!: InitializeResult;
  /** workspace/diagnostic/refresh requests received. */
  refreshes = 0;
  /** window/logMessage notifications (type 1 error, 2 warning, 3 info, 4 log). */
  readonly logs: { type: number; message: string }[] = [];
  /** window/showMessage notifications and requests. */
  readonly shown: { type: number; message: string }[] = [];

  private constructor(
    readonly conn: ProtocolConnection,
    readonly proc: ChildProcess,
    private readonly writer: CorkableWriter,
  ) {}

  /** Gathers the messages sent from now until `uncork`, to be sent in one write. */
  cork(): void {
    this.writer.cork();
  }

  uncork(): void {
    this.writer.uncork();
  }

  static async start(options: ClientOptions = {}): Promise<LspClient> {
    // HEADROOM_SERVER_NODE_ARGS lets a benchmark profile the server (e.g. "--cpu-prof --cpu-prof-dir=DIR").
    const nodeArgs = process.env.HEADROOM_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const proc = spawn(process.execPath, [...nodeArgs, path.join(repoRoot(), 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const writer = new CorkableWriter(proc.stdin!);
    const conn = createProtocolConnection(new StreamMessageReader(proc.stdout!), writer);
    const client = new LspClient(conn, proc, writer);
    conn.onNotification('window/logMessage', (p: { type: number; message: string }) => {
      client.logs.push(p);
    });
    conn.onNotification('window/showMessage', (p: { type: number; message: string }) => {
      client.shown.push(p);
    });
    conn.onRequest('window/showMessageRequest', (p: { type: number; message: string }) => {
      client.shown.push(p);
      return null;
    });
    proc.stderr!.on('data', (b: Buffer) => (client.stderr += b.toString()));
    conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      client.published.push(p);
      client.notifyPublish();
    });
    conn.onRequest(ApplyWorkspaceEditRequest.type, (p) => {
      client.appliedEdits.push(p);
      return { applied: true };
    });
    conn.onRequest(RegistrationRequest.type, (p) => {
      client.registrations.push(...p.registrations.map((r) => r.method));
    });
    conn.onRequest('workspace/diagnostic/refresh', () => {
      client.refreshes++;
      client.notifyPublish();
      return null;
    });
    conn.onRequest('window/workDoneProgress/create', () => null);
    conn.onNotification('$/progress', (p: LspClient['progress'][number]) => {
      client.progress.push(p);
      client.notifyPublish();
    });
    conn.onNotification('headroom/readinessChanged', (params: unknown) => {
      client.custom.push({ method: 'headroom/readinessChanged', params });
      client.notifyPublish();
    });
    conn.listen();
    const capabilities: ClientCapabilities = options.capabilities ?? {
      textDocument: {
        synchronization: { dynamicRegistration: false },
        codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source.fixAll'] } }, isPreferredSupport: true },
        ...(options.pull !== false ? { diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } } : {}),
        publishDiagnostics: { relatedInformation: true, versionSupport: true },
      },
      window: { workDoneProgress: options.progress ?? false },
      workspace: {
        workspaceEdit: { documentChanges: true },
        didChangeWatchedFiles: { dynamicRegistration: true },
        diagnostics: { refreshSupport: true },
        workspaceFolders: true,
      },
    };
    const rootUri = options.rootDir ? URI.file(options.rootDir).toString() : null;
    client.init = await conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri,
      workspaceFolders: rootUri ? [{ uri: rootUri, name: 'root' }] : null,
      capabilities,
      initializationOptions: options.settings ? { settings: options.settings } : undefined,
    });
    conn.sendNotification(InitializedNotification.type, {});
    return client;
  }

  /** Waits (by polling what has arrived) until `pred` holds. */
  async waitFor(pred: () => boolean, what: string, timeoutMs = 15000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.publishWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  private notifyPublish(): void {
    const waiters = this.publishWaiters;
    this.publishWaiters = [];
    for (const w of waiters) w();
  }

  /** Waits (by polling the notifications received) until a publish for `uri` satisfies `pred`. */
  async waitForPublish(uri: string, pred: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 5000): Promise<PublishDiagnosticsParams> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = [...this.published].reverse().find((p) => p.uri === uri && pred(p));
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no matching publishDiagnostics for ${uri} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.publishWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  open(uri: string, languageId: string, text: string, version = 1): void {
    this.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version, text } });
  }

  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): void {
    this.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
  }

  close(uri: string): void {
    this.conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  watchedFilesChanged(changes: FileEvent[]): void {
    this.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes });
  }

  pull(uri: string, previousResultId?: string): Promise<DocumentDiagnosticReport> {
    return this.conn.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri }, previousResultId });
  }

  async diagnostics(uri: string): Promise<Diagnostic[]> {
    const r = await this.pull(uri);
    if (r.kind !== 'full') throw new Error('expected a full report');
    return r.items;
  }

  async codeActions(uri: string, range: Range, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
    const res = (await this.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context: { diagnostics, only } })) ?? [];
    return res.filter((a): a is CodeAction => !isCommand(a));
  }

  executeCommand(command: string, args: unknown[]): Promise<unknown> {
    return this.conn.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  /** shutdown + exit; resolves with the server's exit code. */
  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.proc.once('exit', (code) => resolve(code)));
    await this.conn.sendRequest(ShutdownRequest.type);
    this.conn.sendNotification(ExitNotification.type);
    const code = await exited;
    this.conn.dispose();
    return code;
  }

  kill(): void {
    this.conn.dispose();
    this.proc.kill();
  }
}

function isCommand(a: CodeAction | Command): a is Command {
  return typeof (a as Command).command === 'string' && (a as CodeAction).edit === undefined && (a as CodeAction).kind === undefined;
}

/** Applies LSP text edits (non-overlapping, any order) to a text. */
export function applyTextEdits(text: string, edits: { range: Range; newText: string }[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\r' && text[i + 1] === '\n') {
      lineStarts.push(i + 2);
      i++;
    } else if (text[i] === '\n' || text[i] === '\r') lineStarts.push(i + 1);
  }
  const off = (p: { line: number; character: number }) => Math.min(text.length, (lineStarts[p.line] ?? text.length) + p.character);
  const sorted = edits.map((e) => ({ s: off(e.range.start), e: off(e.range.end), t: e.newText })).sort((a, b) => b.s - a.s);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.s) + e.t + out.slice(e.e);
  return out;
}
