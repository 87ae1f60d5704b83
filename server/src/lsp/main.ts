import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { Inbox } from './inbox';
import { startServer } from './server';
import { serverTransport } from './transport';

// The transport (--stdio, --node-ipc, --socket=N, --pipe=NAME) comes from the command line.
const inbox = new Inbox();
const { reader, writer, stdio } = serverTransport(process.argv.slice(2), inbox, (line) => connection.console.warn(line));
const connection = createConnection(ProposedFeatures.all, reader, writer);

if (stdio) {
  // stdout carries the protocol: anything printed there would corrupt it.
  for (const level of ['log', 'info', 'debug'] as const) console[level] = (...args: unknown[]) => connection.console.log(args.map(String).join(' '));
  console.warn = (...args: unknown[]) => connection.console.warn(args.map(String).join(' '));
  console.error = (...args: unknown[]) => connection.console.error(args.map(String).join(' '));
  // The client went away without `exit`: end too (code 1 unless it asked for a shutdown first).
  let shutdown = false;
  connection.onShutdown(() => {
    shutdown = true;
  });
  for (const event of ['end', 'close'] as const) process.stdin.on(event, () => process.exit(shutdown ? 0 : 1));
}

// A bug in one handler must never take the server down: log it, keep serving.
process.on('uncaughtException', (e) => connection.console.error(`uncaught: ${e.stack ?? String(e)}`));
process.on('unhandledRejection', (e) => connection.console.error(`unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));

startServer(connection, inbox);
connection.listen();
