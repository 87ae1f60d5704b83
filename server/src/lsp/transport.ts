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
} from 'vscode-languageserver/node';
import type { Inbox } from './inbox';

/**
 * The transport chosen on the command line, as vscode-languageserver would choose it (`--stdio`,
 * `--node-ipc`, `--socket=N`, `--pipe=NAME`), with a reader that tells the inbox of every message
 * as soon as it is read, before the connection queues it.
 */
export function serverTransport(argv: readonly string[], inbox: Inbox): { reader: MessageReader; writer: MessageWriter; stdio: boolean } {
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
  return { reader: observed(reader, inbox), writer, stdio };
}

function observed(inner: MessageReader, inbox: Inbox): MessageReader {
  return {
    onError: inner.onError,
    onClose: inner.onClose,
    onPartialMessage: inner.onPartialMessage,
    listen(callback: DataCallback): Disposable {
      return inner.listen((message) => {
        inbox.received(message);
        callback(message);
      });
    },
    dispose: () => inner.dispose(),
  };
}
