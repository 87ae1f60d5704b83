import * as fs from 'fs';
import * as path from 'path';

/**
 * What the nearest package.json says about the package a file belongs to. Code roles read it: a
 * package that installs a command (`bin`) and depends on no server library is a command-line
 * tool, whose code runs once per invocation, not per request.
 */
export interface PackageManifest {
  name: string;
  /** The package installs a command (package.json `bin`). */
  bin: boolean;
  /** Names of its dependencies (runtime and peer, not dev). */
  dependencies: string[];
}

interface Cached {
  mtimeMs: number;
  manifest: PackageManifest | undefined;
}

/** package.json path → its reading, revalidated by mtime (the editor keeps running while it changes). */
const manifests = new Map<string, Cached>();
/** Directory → the package.json that governs it, or null (none up to the root). */
const owners = new Map<string, string | null>();

/** The manifest of the package holding a file: the nearest package.json up to `root` (inclusive), if any. */
export function packageManifestOf(absFile: string, root?: string): PackageManifest | undefined {
  const file = ownerOf(path.dirname(absFile), root && path.resolve(root));
  return file ? read(file) : undefined;
}

function ownerOf(dir: string, root: string | undefined): string | null {
  const known = owners.get(dir);
  if (known !== undefined) return known;
  const candidate = path.join(dir, 'package.json');
  let found: string | null;
  if (fs.existsSync(candidate)) found = candidate;
  else {
    const up = path.dirname(dir);
    found = up === dir || dir === root ? null : ownerOf(up, root);
  }
  owners.set(dir, found);
  return found;
}

function read(file: string): PackageManifest | undefined {
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
  const cached = manifests.get(file);
  if (cached && cached.mtimeMs === mtimeMs) return cached.manifest;
  let manifest: PackageManifest | undefined;
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as unknown;
    manifest = json && typeof json === 'object' && !Array.isArray(json) ? fromJson(json as Record<string, unknown>) : undefined;
  } catch {
    manifest = undefined; // unreadable or not JSON: the file says nothing
  }
  manifests.set(file, { mtimeMs, manifest });
  return manifest;
}

function fromJson(json: Record<string, unknown>): PackageManifest {
  const names = (v: unknown): string[] => (v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : []);
  const bin = json.bin;
  return {
    name: typeof json.name === 'string' ? json.name : '',
    bin: (typeof bin === 'string' && bin !== '') || names(bin).length > 0,
    dependencies: [...names(json.dependencies), ...names(json.peerDependencies), ...names(json.optionalDependencies)],
  };
}
