import {
  createServerPipeTransport,
  createServerSocketTransport,
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  type DataCallback,
  type Disposable,
  type MessageReader,
  type MessageWriter,
  type Message,
} from 'vscode-languageserver/node';
import type { Inbox } from './inbox';

/**
 * The transport chosen on the command line, as vscode-languageserver would choose it (`--stdio`,
 * `--node-ipc`, `--socket=N`, `--pipe=NAME`), with a reader that tells the inbox of every message
 * as soon as it is read, before the connection queues it.
 */
export function serverTransport(
  argv: readonly string[],
  inbox: Inbox,
  /** Where a message that is no JSON-RPC message is said, in one line (the connection would print it whole). */
  invalid: (line: string) => void,
): { reader: MessageReader; writer: MessageWriter; stdio: boolean } {
  const value = (flag: string): string | undefined => {
    const i = argv.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
    if (i < 0) return undefined;
    return argv[i].includes('=') ? argv[i].slice(flag.length + 1) : argv[i + 1];
  };
  let reader: MessageReader;
  let writer: MessageWriter;
  let stdio = false;
  if (argv.includes('--node-ipc')) {
    reader = new IPCMessageReader(process);
    writer = new IPCMessageWriter(process);
  } else if (value('--socket')) {
    [reader, writer] = createServerSocketTransport(Number(value('--socket')));
  } else if (value('--pipe')) {
    [reader, writer] = createServerPipeTransport(value('--pipe')!);
  } else {
    // stdio is the default: it is what every editor's generic LSP client uses.
    stdio = true;
    reader = new StreamMessageReader(process.stdin);
    writer = new StreamMessageWriter(process.stdout);
  }
  return { reader: observed(reader, inbox, invalid), writer, stdio };
}

function observed(inner: MessageReader, inbox: Inbox, invalid: (line: string) => void): MessageReader {
  return {
    onError: inner.onError,
    onClose: inner.onClose,
    onPartialMessage: inner.onPartialMessage,
    listen(callback: DataCallback): Disposable {
      return inner.listen((message) => {
        const why = whyInvalid(message);
        if (why) {
          invalid(`ignored a message that is not valid JSON-RPC (${why}): ${JSON.stringify(message).slice(0, 200)}`);
          return;
        }
        inbox.received(message);
        callback(message);
      });
    },
    dispose: () => inner.dispose(),
  };
}

/** Why a message is neither a request, a notification nor a response (undefined when it is one). */
function whyInvalid(message: Message): string | undefined {
  const m = message as unknown as Record<string, unknown>;
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return 'not an object';
  const id = m.id;
  const idOk = id === undefined || id === null || typeof id === 'string' || typeof id === 'number';
  if (!idOk) return 'its id is neither a number nor a string';
  if (typeof m.method === 'string') return undefined;
  if (m.method !== undefined) return 'its method is not a string';
  if (id !== undefined && ('result' in m || 'error' in m)) return undefined;
  return 'no method, and not a response';
}
