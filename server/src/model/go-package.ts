import * as fs from 'fs';
import * as path from 'path';
import { emptyFileModel, type ClassModel, type FileModel } from './file-model';
import { bindTree } from './bind';
import { parserFor } from '../engine/languages';

/**
 * The struct types a Go file's package declares in its other files. Go compiles a package as one
 * unit, and projects declare a type in one file and its methods in others (`type Storage struct {
 * db *sql.DB }` in storage.go, `func (s *Storage) SetAPIKeyUsedTimestamp` in api_key.go): what
 * `s.db` is comes from the sibling. Siblings are read from disk when a name asks for them, and
 * only the file that declares the type is parsed; both are remembered by modification time.
 */
export interface GoPackageTypes {
  /** The struct type's declaration in another file of the package, with that file's model (its imports qualify the field types). */
  struct(name: string): { cls: ClassModel; model: FileModel } | undefined;
}

const PACKAGE = /^\s*package\s+(\w+)/m;
const DECLARES = /(?:^|\n)[ \t]*(?:type[ \t]+)?([A-Za-z_]\w*)[ \t]+struct[ \t]*\{/g;

interface Sibling {
  mtimeMs: number;
  pkg: string | undefined;
  /** The struct types it declares, read from its text once (`type X struct {`, or `X struct {` in a group). */
  structs: Set<string>;
  /** Struct declarations parsed so far, by name: a small model of the declaration and the file's imports (null: could not be read). */
  models: Map<string, FileModel | null>;
}

const PARSE_BUDGET_MICROS = 500_000;
/** How far a struct declaration is followed for its closing brace. */
const MAX_STRUCT_CHARS = 64 * 1024;

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * A model of one struct declaration of a file with the file's imports: the declaration's text (from
 * `type X struct {` to its closing brace) and the import declarations, parsed alone. Parsing the
 * whole sibling would double the parse cost of a Go repository, where most files declare a struct.
 */
function structModel(text: string | undefined, pkg: string, name: string): FileModel | null {
  if (text === undefined) return null;
  const at = new RegExp(`(?:^|\\n)[ \\t]*(?:type[ \\t]+)?${name}[ \\t]+struct[ \\t]*\\{`).exec(text);
  if (!at) return null;
  const open = at.index + at[0].length - 1;
  const close = closingBrace(text, open);
  if (close === undefined) return null;
  const imports = [...text.matchAll(IMPORTS)].map((m) => m[0]).join('\n');
  const snippet = `package ${pkg}\n${imports}\ntype ${name} struct ${text.slice(open, close + 1)}\n`;
  const parser = parserFor('go');
  parser.setTimeoutMicros(PARSE_BUDGET_MICROS);
  const tree = parser.parse(snippet);
  parser.setTimeoutMicros(0);
  if (!tree) {
    parser.reset(); // a halted parse would resume on the parser's next text
    return null;
  }
  const full = bindTree(tree.rootNode, 'go');
  return { ...emptyFileModel('go'), imports: full.imports, classes: full.classes, hints: full.hints };
}

/** Import declarations: `import "x"`, `import y "x"`, `import ( ... )`. */
const IMPORTS = /^import[ \t]*(?:\([^)]*\)|[^\n]*)/gm;

/** The offset of the brace that closes the one at `open`, skipping strings, struct tags and comments. */
function closingBrace(text: string, open: number): number | undefined {
  let depth = 0;
  const end = Math.min(text.length, open + MAX_STRUCT_CHARS);
  for (let i = open; i < end; i++) {
    const c = text[i];
    if (c === '"' || c === '`' || c === "'") {
      const quote = c;
      for (i++; i < end && text[i] !== quote; i++) if (quote !== '`' && text[i] === '\\') i++;
    } else if (c === '/' && text[i + 1] === '/') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? end : nl;
    } else if (c === '/' && text[i + 1] === '*') {
      const stop = text.indexOf('*/', i + 2);
      i = stop < 0 ? end : stop + 1;
    } else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return undefined;
}

/** Sibling file path → its package and the structs it declares (and their models, once parsed), revalidated by mtime. */
const siblings = new Map<string, Sibling>();

function sibling(file: string): Sibling | undefined {
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
  const known = siblings.get(file);
  if (known && known.mtimeMs === mtimeMs) return known;
  const text = readText(file);
  if (text === undefined) return undefined;
  const structs = new Set<string>();
  for (const m of text.matchAll(DECLARES)) structs.add(m[1]);
  // The text is not kept (a workspace's Go files would all stay in memory): the file a struct is
  // looked up in is read again for its declaration.
  const s: Sibling = { mtimeMs, pkg: PACKAGE.exec(text)?.[1], structs, models: new Map() };
  siblings.set(file, s);
  return s;
}

/** The package types of a Go file at `absFile` whose own text is `text`. */
export function goPackageTypesOf(absFile: string, text: string): GoPackageTypes | undefined {
  const pkg = PACKAGE.exec(text)?.[1];
  if (!pkg) return undefined;
  const dir = path.dirname(absFile);
  const self = path.basename(absFile);
  const test = self.endsWith('_test.go');
  let names: string[] | undefined;
  const found = new Map<string, { cls: ClassModel; model: FileModel } | null>();
  // Each sibling is looked at (stat, and read when it changed) once per analysis of this file.
  const seen = new Map<string, Sibling | undefined>();
  const look = (file: string): Sibling | undefined => {
    if (!seen.has(file)) seen.set(file, sibling(file));
    return seen.get(file);
  };
  return {
    struct(name) {
      if (!/^\w+$/.test(name)) return undefined;
      const known = found.get(name);
      if (known !== undefined) return known ?? undefined;
      let hit: { cls: ClassModel; model: FileModel } | null = null;
      try {
        names ??= fs.readdirSync(dir).filter((n) => n.endsWith('.go') && n !== self && (test || !n.endsWith('_test.go'))).sort();
      } catch {
        names = [];
      }
      for (const n of names) {
        const s = look(path.join(dir, n));
        if (!s || s.pkg !== pkg || !s.structs.has(name)) continue;
        if (!s.models.has(name)) s.models.set(name, structModel(readText(path.join(dir, n)), pkg, name));
        const model = s.models.get(name);
        const cls = model?.classes.find((c) => c.name === name);
        if (model && cls) {
          hit = { cls, model };
          break;
        }
      }
      found.set(name, hit);
      return hit ?? undefined;
    },
  };
}
