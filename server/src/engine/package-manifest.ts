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
  /**
   * The other packages of its workspace (package.json `workspaces`, pnpm-workspace.yaml) that
   * depend on it: a library package is run where its consumers run. Undefined outside a workspace.
   */
  consumers?: PackageManifest[];
  /**
   * The packages it can reach at run time: its dependencies and, through the workspace packages it
   * depends on, theirs. Undefined when a dependency is a local path we do not follow (`file:`,
   * `link:`): then anything may be reachable.
   */
  reachable?: string[];
  /**
   * The names of the packages of its workspace, itself included: their source is here, so an
   * import of one is read as the project's code, never as a library the models describe.
   */
  workspace?: string[];
}

/** Whether a module (`@acme/core`, `@acme/core/sub`) is a package whose source is in the manifest's workspace. */
export function isWorkspacePackage(module: string, manifest: PackageManifest | undefined): boolean {
  if (!manifest?.workspace || module.startsWith('.')) return false;
  // Asked for every import a name resolves through: a set per workspace, not a scan of its list.
  let names = workspaceNames.get(manifest.workspace);
  if (!names) workspaceNames.set(manifest.workspace, (names = new Set(manifest.workspace)));
  const slash = module.indexOf('/');
  const second = module.startsWith('@') && slash >= 0 ? module.indexOf('/', slash + 1) : slash;
  return names.has(second < 0 ? module : module.slice(0, second));
}

const workspaceNames = new WeakMap<readonly string[], Set<string>>();

interface Cached {
  mtimeMs: number;
  manifest: PackageManifest | undefined;
}

/** package.json path → its reading, revalidated by mtime (the editor keeps running while it changes). */
const manifests = new Map<string, Cached>();
/** Directory → the package.json that governs it, or null (none up to the root). */
const owners = new Map<string, string | null>();

/** The manifest of the package holding a file: the nearest package.json up to `root` (inclusive), if any, with its workspace consumers. */
export function packageManifestOf(absFile: string, root?: string): PackageManifest | undefined {
  const file = ownerOf(path.dirname(absFile), root && path.resolve(root));
  const manifest = file ? read(file) : undefined;
  if (!file || !manifest?.name) return manifest;
  const ws = workspacePackages(path.dirname(path.dirname(file)));
  if (!ws) return manifest;
  // Worked out once per package and workspace declaration: the editor sees a new consumer after a restart.
  const known = withConsumers.get(file);
  if (known && known.base === manifest && known.stamp === ws.stamp) return known.manifest;
  const others = ws.packages.filter((p) => p !== file).map(read).filter((m): m is PackageManifest => !!m);
  const consumers = others.filter((m) => m.dependencies.includes(manifest.name));
  const out = { ...manifest, consumers, reachable: reachableFrom(manifest, others), workspace: [manifest.name, ...others.map((m) => m.name)] };
  withConsumers.set(file, { base: manifest, stamp: ws.stamp, manifest: out });
  return out;
}

/** Its dependencies and those of the workspace packages it depends on, transitively; undefined when a local path dependency hides some. */
function reachableFrom(manifest: PackageManifest, workspace: PackageManifest[]): string[] | undefined {
  if (!manifest.reachable) return undefined;
  const byName = new Map(workspace.map((m) => [m.name, m]));
  const out = new Set(manifest.reachable);
  const queue = [...out];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    const local = byName.get(name);
    if (!local) continue;
    if (!local.reachable) return undefined;
    for (const d of local.reachable) if (!out.has(d)) (out.add(d), queue.push(d));
  }
  return [...out];
}

const withConsumers = new Map<string, { base: PackageManifest; stamp: string; manifest: PackageManifest }>();

/** Workspace root → the package.json files of its packages, kept while the root's declaration is unchanged. */
const workspaces = new Map<string, { stamp: string; packages: string[] }>();
/** Directory → the workspace root above it, or null. */
const roots = new Map<string, string | null>();

/** The package.json files of the workspace that holds `dir` (searched upwards), or undefined outside one. */
function workspacePackages(dir: string): { stamp: string; packages: string[] } | undefined {
  const root = workspaceRoot(dir);
  if (!root) return undefined;
  const declared = workspacePatterns(root);
  if (!declared) return undefined;
  const known = workspaces.get(root);
  if (known && known.stamp === declared.stamp) return known;
  const packages: string[] = [];
  const excluded = declared.patterns.filter((p) => p.startsWith('!')).map((p) => path.join(root, p.slice(1)));
  for (const pattern of declared.patterns) {
    if (pattern.startsWith('!')) continue;
    // `apps/*` and `packages/**` name the folders one level down; anything else is one folder.
    const star = /\/\*{1,2}$/.exec(pattern);
    const base = path.join(root, star ? pattern.slice(0, star.index) : pattern);
    let dirs: string[] = [base];
    if (star) {
      try {
        dirs = fs.readdirSync(base, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(base, d.name));
      } catch {
        dirs = [];
      }
    }
    for (const d of dirs) if (!excluded.includes(d) && fs.existsSync(path.join(d, 'package.json'))) packages.push(path.join(d, 'package.json'));
  }
  const out = { stamp: declared.stamp, packages };
  workspaces.set(root, out);
  return out;
}

function workspaceRoot(dir: string): string | null {
  const known = roots.get(dir);
  if (known !== undefined) return known;
  let found: string | null = null;
  if (fs.existsSync(path.join(dir, 'pnpm-workspace.yaml')) || workspacePatterns(dir)) found = dir;
  else {
    const up = path.dirname(dir);
    found = up === dir ? null : workspaceRoot(up);
  }
  roots.set(dir, found);
  return found;
}

/** The package folders a workspace root declares: package.json `workspaces` (or `workspaces.packages`), else pnpm-workspace.yaml's `packages` list. */
function workspacePatterns(root: string): { stamp: string; patterns: string[] } | undefined {
  const mtime = (f: string) => {
    try {
      return fs.statSync(path.join(root, f)).mtimeMs;
    } catch {
      return -1;
    }
  };
  const key = `${mtime('package.json')}:${mtime('pnpm-workspace.yaml')}`;
  const cached = declarations.get(root);
  if (cached && cached.key === key) return cached.value;
  const value = readPatterns(root);
  declarations.set(root, { key, value });
  return value;
}

/** Root → its workspace declaration, by the mtimes of the two files that make it. */
const declarations = new Map<string, { key: string; value: { stamp: string; patterns: string[] } | undefined }>();

function readPatterns(root: string): { stamp: string; patterns: string[] } | undefined {
  const text = (f: string) => {
    try {
      return fs.readFileSync(path.join(root, f), 'utf8');
    } catch {
      return undefined;
    }
  };
  const pkg = text('package.json');
  if (pkg !== undefined) {
    try {
      const ws = (JSON.parse(pkg.replace(/^\uFEFF/, '')) as { workspaces?: unknown }).workspaces;
      const list = Array.isArray(ws) ? ws : (ws as { packages?: unknown } | undefined)?.packages;
      if (Array.isArray(list)) return { stamp: pkg, patterns: list.filter((x): x is string => typeof x === 'string') };
    } catch {
      // not JSON: no workspace declared here
    }
  }
  const yaml = text('pnpm-workspace.yaml');
  if (yaml === undefined) return undefined;
  // The `packages:` list: `- apps/*` items up to the next top-level key.
  const block = /^packages:\s*\n((?:[ \t]*-.*\n?|[ \t]*#.*\n?|\s*\n)*)/m.exec(yaml)?.[1] ?? '';
  const patterns = [...block.matchAll(/^[ \t]*-\s*['"]?([^'"#\n]+?)['"]?\s*(?:#.*)?$/gm)].map((m) => m[1]);
  return { stamp: yaml, patterns };
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
  const dependencies = [...names(json.dependencies), ...names(json.peerDependencies), ...names(json.optionalDependencies)];
  // A dependency on a folder outside the workspace (`file:../lib`) may bring in anything.
  const specs = [json.dependencies, json.peerDependencies, json.optionalDependencies].flatMap((v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.values(v) : []));
  const opaque = specs.some((v) => typeof v === 'string' && /^(file|link|portal):/.test(v));
  return {
    name: typeof json.name === 'string' ? json.name : '',
    bin: (typeof bin === 'string' && bin !== '') || names(bin).length > 0,
    dependencies,
    ...(opaque ? {} : { reachable: dependencies }),
  };
}
