import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { excludeMatcher, IGNORE_CASE } from '../config/excludes';
import { grammarForPath } from '../engine/languages';
import { isDeploymentFile } from '../workspace/deployment';
import { UNSUPPORTED_NOTE, describeFsError } from './analyze-file';
import type { ConfigLookup, FoundConfig } from './config-lookup';
import type { ScanError, SkippedFile } from './report';

/** Directories never descended into: VCS data, dependencies, virtualenvs, build output, caches. */
export const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set([
  '.git',
  'node_modules',
  '.venv',
  'venv',
  'vendor',
  'dist',
  'build',
  '__pycache__',
]);
/** A directory holding this file is a Python virtualenv, whatever its name. */
const VIRTUALENV_MARKER = 'pyvenv.cfg';


export interface DiscoveredFile {
  absPath: string;
  /** Index into Discovery.configs. */
  config: number;
}

export interface Discovery {
  files: DiscoveredFile[];
  configs: FoundConfig[];
  skipped: (Omit<SkippedFile, 'path'> & { absPath: string })[];
  errors: ScanError[];
}

/** Rules of one ignore file, matched against paths relative to `base`. */
interface Layer {
  base: string;
  rules: Ignore;
}

/**
 * Finds the files to scan under the given paths. Directories are walked in name order, skipping
 * SKIPPED_DIRECTORIES, virtualenvs, what `.gitignore` files ignore (each relative to its folder,
 * the deepest deciding, together with those of the enclosing repository above the scanned folder
 * and `.git/info/exclude`) and the `exclude` globs of the applicable `.headroom.json`. A file named
 * on the command line is scanned even if ignored by git, but not when the configuration excludes it.
 */
export function discover(
  paths: readonly string[],
  cwd: string,
  configs: ConfigLookup,
  display: (abs: string) => string,
  /** More exclude globs, like the configuration's (the editor's `files.exclude`). */
  extraExcludes: readonly string[] = [],
): Discovery {
  const out: Discovery = { files: [], configs: [], skipped: [], errors: [] };
  const seen = new Set<string>();
  const configIndex = new Map<FoundConfig, number>();
  const excludes = new Map<number, Layer>();

  for (const given of paths) {
    const abs = path.resolve(cwd, given);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch (e) {
      out.errors.push({ path: given, kind: 'path', message: `cannot scan ${given}: ${describeFsError(e)}` });
      continue;
    }
    if (!st.isDirectory() && !st.isFile()) {
      out.errors.push({ path: given, kind: 'path', message: `cannot scan ${given}: not a file or directory` });
      continue;
    }
    const { found, errors } = configs.forDirectory(st.isDirectory() ? abs : path.dirname(abs));
    if (errors.length > 0) {
      for (const e of errors) if (!out.errors.some((x) => x.path === e.path && x.message === e.message && x.line === e.line)) out.errors.push(e);
      continue;
    }
    let ci = configIndex.get(found);
    if (ci === undefined) {
      ci = out.configs.push(found) - 1;
      configIndex.set(found, ci);
      excludes.set(ci, { base: found.base, rules: excludeMatcher([...found.config.exclude, ...extraExcludes]) });
    }
    const exclude = excludes.get(ci)!;
    const add = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      out.files.push({ absPath: file, config: ci });
    };

    if (st.isFile()) {
      if (!scannable(abs)) out.skipped.push({ absPath: abs, reason: 'unsupported-language', note: UNSUPPORTED_NOTE });
      else if (decides([exclude], abs, false)) out.skipped.push({ absPath: abs, reason: 'excluded', note: `excluded by ${found.file ? display(found.file) : 'the configuration'}` });
      else add(abs);
      continue;
    }
    walk(abs, true, enclosingGitLayers(abs), exclude, add, (dir, e) =>
      out.errors.push({ path: display(dir), kind: 'read', message: `cannot read directory ${display(dir)}: ${describeFsError(e)}` }),
    );
  }
  return out;
}

function walk(
  dir: string,
  named: boolean,
  layers: Layer[],
  exclude: Layer,
  add: (file: string) => void,
  onError: (dir: string, e: unknown) => void,
): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    onError(dir, e);
    return;
  }
  // A virtualenv is skipped unless it is the folder named on the command line.
  if (!named && entries.some((e) => e.name === VIRTUALENV_MARKER)) return;
  if (entries.some((e) => e.name === '.gitignore' && !e.isDirectory())) {
    const rules = readIgnoreFile(path.join(dir, '.gitignore'));
    if (rules) layers = [...layers, { base: dir, rules }];
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const abs = path.join(dir, entry.name);
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      // Linked files are scanned; linked directories are not followed (no cycles, no scanning outside the tree).
      try {
        isFile = fs.statSync(abs).isFile();
      } catch {
        isFile = false; // a dangling link: nothing to read
      }
      isDir = false;
    }
    if (isDir) {
      if (SKIPPED_DIRECTORIES.has(entry.name) || decides(layers, abs, true) || decides([exclude], abs, true)) continue;
      walk(abs, false, layers, exclude, add, onError);
    } else if (isFile && scannable(entry.name) && !decides(layers, abs, false) && !decides([exclude], abs, false)) {
      add(abs);
    }
  }
}

/** Source files, and the deployment files that say how many server processes run (see workspace/deployment.ts). */
function scannable(file: string): boolean {
  return grammarForPath(file) !== undefined || isDeploymentFile(file);
}

/** Whether the ignore layers ignore a path: the deepest layer with a rule for it decides (a `!` rule re-includes). */
function decides(layers: readonly Layer[], abs: string, isDir: boolean): boolean {
  for (let i = layers.length - 1; i >= 0; i--) {
    const rel = path.relative(layers[i].base, abs);
    if (!rel || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) continue;
    const result = layers[i].rules.test(rel.split(path.sep).join('/') + (isDir ? '/' : ''));
    if (result.ignored) return true;
    if (result.unignored) return false;
  }
  return false;
}

/**
 * The ignore rules that apply to a scanned folder from above it: `.git/info/exclude` and each
 * `.gitignore` from the root of the enclosing git repository down to the folder's parent.
 */
function enclosingGitLayers(dir: string): Layer[] {
  const chain: string[] = [];
  let gitRoot: string | undefined;
  for (let d = dir; ; ) {
    if (fs.existsSync(path.join(d, '.git'))) {
      gitRoot = d;
      break;
    }
    const parent = path.dirname(d);
    if (parent === d) break;
    chain.unshift(parent);
    d = parent;
  }
  if (!gitRoot) return [];
  const layers: Layer[] = [];
  const info = readIgnoreFile(path.join(gitRoot, '.git', 'info', 'exclude'));
  if (info) layers.push({ base: gitRoot, rules: info });
  for (const d of chain) {
    const rules = readIgnoreFile(path.join(d, '.gitignore'));
    if (rules) layers.push({ base: d, rules });
  }
  return layers;
}

function readIgnoreFile(file: string): Ignore | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined; // absent or unreadable: git ignores it too
  }
  return ignore({ ignorecase: IGNORE_CASE }).add(text);
}
