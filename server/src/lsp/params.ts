import type { Range } from 'vscode-languageserver';

/**
 * Checks of what a client sends, at the handlers' door. The protocol's types say what a request
 * holds; a buggy or hostile client may send anything, and the answer to that is one log line and
 * a clean reply, never a stack trace or a crash.
 */

export class MalformedParams extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `params.textDocument.uri`. */
export function documentUri(params: unknown): string {
  const td = isObject(params) ? params.textDocument : undefined;
  if (!isObject(td)) throw new MalformedParams('no textDocument');
  if (typeof td.uri !== 'string') throw new MalformedParams('textDocument has no uri');
  return td.uri;
}

export function isRange(v: unknown): v is Range {
  const pos = (p: unknown) => isObject(p) && isIndex(p.line) && isIndex(p.character);
  return isObject(v) && pos(v.start) && pos(v.end);
}

function clampRange(v: unknown): Range | undefined {
  const pos = (p: unknown) => (isObject(p) && Number.isInteger(p.line) && Number.isInteger(p.character) ? { line: Math.max(0, p.line as number), character: Math.max(0, p.character as number) } : undefined);
  const start = isObject(v) ? pos(v.start) : undefined;
  const end = isObject(v) ? pos(v.end) : undefined;
  return start && end ? { start, end } : undefined;
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

export interface OpenParams {
  uri: string;
  languageId: string;
  version: number;
  text: string;
}

export function openParams(params: unknown): OpenParams {
  const uri = documentUri(params);
  const td = (params as { textDocument: Record<string, unknown> }).textDocument;
  if (typeof td.text !== 'string') throw new MalformedParams('textDocument has no text');
  return {
    uri,
    languageId: typeof td.languageId === 'string' ? td.languageId : '',
    version: typeof td.version === 'number' && Number.isFinite(td.version) ? td.version : 0,
    text: td.text,
  };
}

export type Change = { range: Range; text: string } | { text: string };

export function changeParams(params: unknown): { uri: string; version: number | undefined; changes: Change[] } {
  const uri = documentUri(params);
  const td = (params as { textDocument: Record<string, unknown> }).textDocument;
  const raw = (params as { contentChanges?: unknown }).contentChanges;
  if (!Array.isArray(raw)) throw new MalformedParams('contentChanges is not a list');
  const changes = raw.map((c, i): Change => {
    if (!isObject(c) || typeof c.text !== 'string') throw new MalformedParams(`change ${i} has no text`);
    if (c.range === undefined) return { text: c.text };
    // A negative position is clamped to 0, as the client's text model clamps it: refusing the change
    // would leave the server's text different from the client's for every edit after it.
    const clamped = clampRange(c.range);
    if (!clamped) throw new MalformedParams(`change ${i} has an invalid range`);
    return { range: clamped, text: c.text };
  });
  return { uri, version: typeof td.version === 'number' && Number.isFinite(td.version) ? td.version : undefined, changes };
}

export interface CodeActionInput {
  uri: string;
  diagnostics: unknown[];
  only: string[] | undefined;
}

export function codeActionParams(params: unknown): CodeActionInput {
  const uri = documentUri(params);
  const p = params as { range?: unknown; context?: unknown };
  if (!isRange(p.range)) throw new MalformedParams('no valid range');
  const context = isObject(p.context) ? p.context : {};
  const diagnostics = Array.isArray(context.diagnostics) ? context.diagnostics : [];
  const only = Array.isArray(context.only) ? context.only.filter((k): k is string => typeof k === 'string') : undefined;
  return { uri, diagnostics, only };
}
