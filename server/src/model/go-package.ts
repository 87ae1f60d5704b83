import * as fs from 'fs';
import * as path from 'path';
import type { ClassModel, FileModel } from './file-model';
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

interface Sibling {
  mtimeMs: number;
  text: string;
  pkg: string | undefined;
  /** Parsed when a struct is first looked for in it; null when it could not be. */
  model?: FileModel | null;
}

/** Sibling files larger than this (generated code) are not parsed for their types. */
const MAX_SIBLING_BYTES = 1 << 20;
const PARSE_BUDGET_MICROS = 2_000_000;

function modelOf(text: string): FileModel | null {
  if (text.length > MAX_SIBLING_BYTES) return null;
  const parser = parserFor('go');
  parser.setTimeoutMicros(PARSE_BUDGET_MICROS);
  const tree = parser.parse(text);
  parser.setTimeoutMicros(0);
  if (!tree) {
    parser.reset(); // a halted parse would resume on the parser's next text
    return null;
  }
  return bindTree(tree.rootNode, 'go');
}

/** Sibling file path → its text (and model, once parsed), revalidated by mtime. */
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
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const s: Sibling = { mtimeMs, text, pkg: PACKAGE.exec(text)?.[1] };
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
      const declares = new RegExp(`(^|\\n)[ \\t]*(type[ \\t]+)?${name}[ \\t]+struct[ \\t]*\\{`);
      for (const n of names) {
        const s = sibling(path.join(dir, n));
        if (!s || s.pkg !== pkg || !declares.test(s.text)) continue;
        if (s.model === undefined) s.model = modelOf(s.text);
        const model = s.model;
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
