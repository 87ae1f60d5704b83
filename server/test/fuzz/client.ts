import { spawn, type ChildProcess } from 'child_process';
import * as path from 'path';
import { StreamMessageReader, type ClientCapabilities, type InitializeResult, type Message, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { URI } from 'vscode-uri';
import { repoRoot } from '../lsp-client';

/**
 * The fuzzer's LSP client. It speaks the same protocol as ../lsp-client.ts's LspClient, with the
 * same default capabilities, but owns its transport, because the fuzzer needs what LspClient
 * (private constructor, fixed capabilities) cannot give: several messages in one write (races),
 * malformed messages sent verbatim, a time budget per request, every log line from the first one,
 * and capability variants.
 */

export interface LogLine {
  /** 1 error, 2 warning, 3 info, 4 log (window/logMessage and window/showMessage). */
  type: number;
  message: string;
  method: string;
}

export type Answer =
  | { kind: 'result'; result: unknown; ms: number }
  | { kind: 'error'; error: { code: number; message: string; data?: unknown }; ms: number }
  | { kind: 'timeout'; ms: number }
  | { kind: 'closed'; ms: number };

export interface StartOptions {
  rootDir?: string;
  /** Send `workspaceFolders` along with `rootUri` (default true). */
  workspaceFolders?: boolean;
  capabilities?: ClientCapabilities;
  settings?: Record<string, unknown>;
  /** Budget for `initialize`. */
  timeoutMs?: number;
}

/** The server under test: HEADROOM_FUZZ_SERVER, or the built dist/server.js. */
export function serverPath(): string {
  return process.env.HEADROOM_FUZZ_SERVER ?? path.join(repoRoot(), 'dist', 'server.js');
}

/** What VS Code declares (as LspClient does): pull diagnostics, versioned edits, watched files, refresh. */
export function defaultCapabilities(): ClientCapabilities {
  return {
    textDocument: {
      synchronization: { dynamicRegistration: false },
      codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source.fixAll'] } }, isPreferredSupport: true },
      diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false },
      publishDiagnostics: { relatedInformation: true, versionSupport: true },
    },
    window: { workDoneProgress: false },
    workspace: {
      workspaceEdit: { documentChanges: true },
      didChangeWatchedFiles: { dynamicRegistration: true },
      diagnostics: { refreshSupport: true },
      workspaceFolders: true,
    },
  };
}

export class StartError extends Error {
  constructor(
    message: string,
    readonly client: FuzzClient,
  ) {
    super(message);
  }
}

export class FuzzClient {
  readonly logs: LogLine[] = [];
  readonly published: PublishDiagnosticsParams[] = [];
  /** Other notifications from the server (headroom/*, $/progress, telemetry). */
  readonly notifications: { method: string; params: unknown }[] = [];
  stderr = '';
  exit: { code: number | null; signal: string | null } | undefined;
  init: InitializeResult | undefined;
  private readonly pending = new Map<number | string, { resolve: (a: Answer) => void; t0: number; timer: NodeJS.Timeout }>();
  private nextId = 1;
  private held: Buffer[] | undefined;
  private readonly reader: StreamMessageReader;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly proc: ChildProcess) {
    proc.stdin!.on('error', () => undefined); // EPIPE after a crash: the exit handler reports it
    proc.stderr!.on('data', (b: Buffer) => (this.stderr += b.toString()));
    proc.on('exit', (code, signal) => {
      this.exit = { code, signal };
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        this.pending.delete(id);
        p.resolve({ kind: 'closed', ms: Date.now() - p.t0 });
      }
      this.wake();
    });
    this.reader = new StreamMessageReader(proc.stdout!);
    this.reader.onError(() => undefined);
    this.reader.listen((m) => this.receive(m));
  }

  static async start(options: StartOptions = {}): Promise<FuzzClient> {
    const nodeArgs = process.env.HEADROOM_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const proc = spawn(process.execPath, [...nodeArgs, serverPath(), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const client = new FuzzClient(proc);
    const rootUri = options.rootDir ? URI.file(options.rootDir).toString() : null;
    const answer = await client.request(
      'initialize',
      {
        processId: process.pid,
        rootUri,
        workspaceFolders: rootUri && options.workspaceFolders !== false ? [{ uri: rootUri, name: path.basename(options.rootDir!) }] : null,
        capabilities: options.capabilities ?? defaultCapabilities(),
        initializationOptions: options.settings ? { settings: options.settings } : undefined,
      },
      options.timeoutMs ?? 15000,
    );
    if (answer.kind !== 'result') {
      const why = answer.kind === 'error' ? `${answer.error.code} ${answer.error.message}` : answer.kind === 'timeout' ? `no answer within ${answer.ms} ms` : `the server exited (${JSON.stringify(client.exit)})`;
      throw new StartError(`initialize failed: ${why}`, client);
    }
    client.init = answer.result as InitializeResult;
    client.notify('initialized', {});
    return client;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  /** Sends a request; `answer` settles with the result, the error, a timeout or the server's exit. */
  send(method: string, params: unknown, timeoutMs: number): { id: number; answer: Promise<Answer> } {
    const id = this.nextId++;
    const answer = new Promise<Answer>((resolve) => {
      const t0 = Date.now();
      if (!this.alive) {
        resolve({ kind: 'closed', ms: 0 });
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ kind: 'timeout', ms: Date.now() - t0 });
      }, timeoutMs);
      this.pending.set(id, { resolve, t0, timer });
    });
    this.write({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
    return { id, answer };
  }

  request(method: string, params: unknown, timeoutMs: number): Promise<Answer> {
    return this.send(method, params, timeoutMs).answer;
  }

  notify(method: string, params: unknown): void {
    this.write({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) });
  }

  cancel(id: number): void {
    this.notify('$/cancelRequest', { id });
  }

  /** Any message, written as given (it may be no valid JSON-RPC at all). */
  write(message: unknown): void {
    this.frame(Buffer.from(JSON.stringify(message), 'utf8'));
  }

  /** A frame with this exact body (invalid JSON, wrong shapes). */
  frame(body: Buffer): void {
    const bytes = Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
    if (this.held) this.held.push(bytes);
    else if (this.alive && this.proc.stdin!.writable) this.proc.stdin!.write(bytes);
  }

  /** Everything `fn` sends goes out in one write, so the server reads it all at once (as when a user types during a pull). */
  batch(fn: () => void): void {
    this.held = [];
    try {
      fn();
    } finally {
      const bytes = Buffer.concat(this.held);
      this.held = undefined;
      if (this.alive && this.proc.stdin!.writable) this.proc.stdin!.write(bytes);
    }
  }

  /** Resolves when something arrives from the server, or after `ms`. */
  waitForMessage(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.waiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  async waitUntil(pred: () => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline || !this.alive) return pred();
      await this.waitForMessage(Math.max(1, deadline - Date.now()));
    }
    return true;
  }

  kill(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.reader.dispose();
    if (this.alive) this.proc.kill('SIGKILL');
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private receive(m: Message): void {
    const msg = m as { id?: number | string | null; method?: string; params?: unknown; result?: unknown; error?: { code: number; message: string; data?: unknown } };
    if (msg.method === undefined) {
      const p = msg.id === undefined || msg.id === null ? undefined : this.pending.get(msg.id);
      if (p) {
        clearTimeout(p.timer);
        this.pending.delete(msg.id!);
        const ms = Date.now() - p.t0;
        p.resolve(msg.error ? { kind: 'error', error: msg.error, ms } : { kind: 'result', result: msg.result ?? null, ms });
      }
    } else if (msg.id !== undefined && msg.id !== null) {
      this.write({ jsonrpc: '2.0', id: msg.id, result: this.answerServerRequest(msg.method, msg.params) });
    } else if (msg.method === 'window/logMessage' || msg.method === 'window/showMessage') {
      const p = msg.params as { type: number; message: string };
      this.logs.push({ type: p.type, message: String(p.message), method: msg.method });
    } else if (msg.method === 'textDocument/publishDiagnostics') {
      this.published.push(msg.params as PublishDiagnosticsParams);
    } else {
      this.notifications.push({ method: msg.method, params: msg.params });
    }
    this.wake();
  }

  private answerServerRequest(method: string, params: unknown): unknown {
    switch (method) {
      case 'workspace/applyEdit':
        return { applied: true };
      case 'workspace/configuration':
        return ((params as { items?: unknown[] })?.items ?? []).map(() => null);
      case 'window/showMessageRequest': {
        const p = params as { type: number; message: string };
        this.logs.push({ type: p.type, message: String(p.message), method });
        return null;
      }
      default:
        return null;
    }
  }
}
