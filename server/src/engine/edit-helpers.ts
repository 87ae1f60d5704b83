import type { SyntaxNode } from 'tree-sitter';
import type { TextEditInit } from './rule-api';

/** Helpers that quick fixes share: line layout and import insertion in each language. */

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The whitespace that starts the line holding `offset`. */
export function indentAt(text: string, offset: number): string {
  const ls = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(ls, ls + 256))![0];
}

/** The file's line ending, so inserted lines match CRLF files. */
export function eol(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** One level of indentation as the file writes it (the first indented line), defaulting to 4 spaces (tab for Go). */
export function indentUnit(text: string, fallback = '    '): string {
  const m = /\n([ \t]+)\S/.exec(text);
  if (!m) return fallback;
  return m[1].startsWith('\t') ? '\t' : m[1].length >= 2 && m[1].length <= 8 ? m[1] : fallback;
}

/** The offset just past the end of the line holding `offset` (after its newline). */
export function nextLineStart(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

/**
 * `from module import name` (or `import module` when name is omitted) unless the file already has it.
 * Adds to an existing `from module import ...` line; otherwise inserts after the last top-level import.
 */
export function ensurePythonImport(root: SyntaxNode, text: string, module: string, name?: string): TextEditInit | undefined {
  let lastImport: SyntaxNode | undefined;
  for (const stmt of root.namedChildren) {
    if (stmt.type === 'import_statement') {
      lastImport = stmt;
      if (!name && stmt.namedChildren.some((c) => c.text === module || (c.type === 'aliased_import' && c.childForFieldName('name')?.text === module))) return undefined;
    } else if (stmt.type === 'import_from_statement') {
      lastImport = stmt;
      const mod = stmt.childForFieldName('module_name')?.text;
      if (name && mod === module) {
        const names = stmt.childrenForFieldName('name');
        if (names.some((n) => n.text === name || n.childForFieldName('name')?.text === name)) return undefined;
        if (stmt.children.some((c) => c.type === 'wildcard_import')) return undefined;
        const last = names[names.length - 1];
        if (last) return { start: last.endIndex, end: last.endIndex, newText: `, ${name}` };
      }
    } else if (stmt.type === 'expression_statement' && stmt.namedChildren[0]?.type === 'string' && !lastImport) {
      continue; // module docstring
    } else if (stmt.type !== 'comment' && stmt.type !== 'future_import_statement') {
      if (lastImport) break;
    }
  }
  const line = name ? `from ${module} import ${name}` : `import ${module}`;
  const nl = eol(text);
  if (lastImport) return { start: lastImport.endIndex, end: lastImport.endIndex, newText: `${nl}${line}` };
  return { start: 0, end: 0, newText: `${line}${nl}` };
}

/** Adds `"path"` to a Go file's imports unless present. */
export function ensureGoImport(root: SyntaxNode, text: string, path: string): TextEditInit | undefined {
  const decls = root.namedChildren.filter((c) => c.type === 'import_declaration');
  for (const d of decls) {
    for (const spec of d.descendantsOfType('import_spec')) {
      if (spec.childForFieldName('path')?.text === `"${path}"`) return undefined;
    }
  }
  const nl = eol(text);
  const grouped = decls.find((d) => d.namedChildren.some((c) => c.type === 'import_spec_list'));
  if (grouped) {
    const list = grouped.namedChildren.find((c) => c.type === 'import_spec_list')!;
    const first = list.namedChildren.find((c) => c.type === 'import_spec');
    const indent = first ? indentAt(text, first.startIndex) : '\t';
    const open = list.children[0]; // "("
    return { start: open.endIndex, end: open.endIndex, newText: `${nl}${indent}"${path}"` };
  }
  if (decls.length > 0) {
    const last = decls[decls.length - 1];
    return { start: last.endIndex, end: last.endIndex, newText: `${nl}import "${path}"` };
  }
  const pkg = root.namedChildren.find((c) => c.type === 'package_clause');
  const at = pkg ? pkg.endIndex : 0;
  return { start: at, end: at, newText: `${nl}${nl}import "${path}"` };
}
