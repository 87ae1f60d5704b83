import type { Message, NotificationMessage } from 'vscode-languageserver';

/** Notifications that change a document's text: a pull answered while one is queued would describe old text. */
const DOCUMENT_CHANGES = new Set(['textDocument/didOpen', 'textDocument/didChange', 'textDocument/didClose']);

/**
 * Document notifications the server has received but not yet applied. vscode-jsonrpc queues
 * incoming messages and dispatches them one per event-loop turn, so a pull can run while the edit
 * that overtook it is already read and waiting. The transport tells the inbox of every message as
 * it is read; the handlers tell it when they have applied one.
 */
export class Inbox {
  private readonly pending = new Map<string, number>();

  received(message: Message): void {
    const uri = documentUriOf(message);
    if (uri !== undefined) this.pending.set(uri, (this.pending.get(uri) ?? 0) + 1);
  }

  /** A handler is done with one notification for `uri` (applied, or dropped as malformed). */
  applied(uri: string | undefined): void {
    if (uri === undefined) return;
    const n = (this.pending.get(uri) ?? 0) - 1;
    if (n > 0) this.pending.set(uri, n);
    else this.pending.delete(uri);
  }

  /** Whether a change to this document has been read but not applied yet. */
  changePending(uri: string): boolean {
    return this.pending.has(uri);
  }
}

/** The document a text-changing notification is about; undefined for anything else (or malformed). */
export function documentUriOf(message: Message): string | undefined {
  const m = message as NotificationMessage;
  if (typeof m.method !== 'string' || !DOCUMENT_CHANGES.has(m.method) || 'id' in m) return undefined;
  const uri = (m.params as { textDocument?: { uri?: unknown } } | undefined)?.textDocument?.uri;
  return typeof uri === 'string' ? uri : undefined;
}
