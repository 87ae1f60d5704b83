import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { excludeMatcher, IGNORE_CASE } from '../config/excludes';
import { grammarForPath } from '../engine/languages';
import { isWorkspaceDataFile } from '../workspace/data-files';
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
  /** The root of the project the file belongs to (its git repository, or the folder named): code roles read folders from there. */
  projectRoot: string;
}

export interface Discovery {
  files: DiscoveredFile[];
  configs: FoundConfig[];
  skipped: (Omit<SkippedFile, 'path'> & { absPath: string })[];
  errors: ScanError[];
  /** What people should know about what was (not) scanned: a named folder an ignore file hides, a folder with nothing to scan. */
  notes: string[];
}

export interface DiscoverOptions {
  /** More exclude globs, like the configuration's (the editor's `files.exclude`). */
  extraExcludes?: readonly string[];
  /** Apply ignore files to paths named on the command line too. */
  forceExclude?: boolean;
}

/** Rules of one ignore file, matched against paths relative to `base`. */
interface Layer {
  base: string;
  rules: Ignore;
  /** The ignore file (or the configuration) the rules come from, for messages. */
  source: string;
}

/** Why a path is not scanned: the file that says so and its rule. */
interface IgnoredBy {
  source: string;
  pattern: string;
}

/**
 * Finds the files to scan under the given paths. Directories are walked in name order, skipping
 * SKIPPED_DIRECTORIES, virtualenvs, what `.gitignore` files ignore (each relative to its folder,
 * the deepest deciding, together with those of the enclosing repository above the scanned folder
 * and `.git/info/exclude`) and the `exclude` globs of the applicable `.headroom.json`. A path named
 * on the command line is scanned even if git ignores it (as Ruff and ESLint do; a note says so),
 * unless `forceExclude`; a named file the configuration excludes is not.
 */
export function discover(paths: readonly string[], cwd: string, configs: ConfigLookup, display: (abs: string) => string, options: DiscoverOptions = {}): Discovery {
  const extraExcludes = options.extraExcludes ?? [];
  const out: Discovery = { files: [], configs: [], skipped: [], errors: [], notes: [] };
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
    // An invalid configuration is reported, and its valid parts still apply.
    for (const e of errors) if (!out.errors.some((x) => x.path === e.path && x.message === e.message && x.line === e.line)) out.errors.push(e);
    let ci = configIndex.get(found);
    if (ci === undefined) {
      ci = out.configs.push(found) - 1;
      configIndex.set(found, ci);
      excludes.set(ci, { base: found.base, rules: excludeMatcher([...found.config.exclude, ...extraExcludes]), source: found.file ? display(found.file) : 'the exclude settings' });
    }
    const exclude = excludes.get(ci)!;
    const projectRoot = gitRootOf(st.isDirectory() ? abs : path.dirname(abs)) ?? (st.isDirectory() ? abs : path.dirname(abs));
    const add = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      out.files.push({ absPath: file, config: ci, projectRoot });
    };

    const enclosing = enclosingGitLayers(st.isDirectory() ? abs : path.dirname(abs));
    if (st.isFile()) {
      const hidden = options.forceExclude ? ignoredBy([...enclosing, ...ownIgnoreLayer(path.dirname(abs))], abs, false) : undefined;
      if (!scannable(abs)) out.skipped.push({ absPath: abs, reason: 'unsupported-language', note: UNSUPPORTED_NOTE });
      else if (decides([exclude], abs, false)) out.skipped.push({ absPath: abs, reason: 'excluded', note: `excluded by ${exclude.source}` });
      else if (hidden) out.skipped.push({ absPath: abs, reason: 'excluded', note: `ignored by ${display(hidden.source)} (${hidden.pattern})` });
      else add(abs);
      continue;
    }
    const hidden = ignoredBy(enclosing, abs, true);
    if (hidden) {
      const why = `${display(hidden.source)} ignores ${given} (${hidden.pattern})`;
      if (options.forceExclude) {
        out.notes.push(`${why}: not scanned (--force-exclude).`);
        continue;
      }
      out.notes.push(`${why}: scanned because it was named (--force-exclude skips it).`);
    }
    const layers = hidden ? enclosing.filter((l) => !ignoredBy([l], abs, true)) : enclosing;
    const before = out.files.length;
    let ignored = 0;
    let example: { file: string; why: IgnoredBy } | undefined;
    walk(
      abs,
      true,
      layers,
      exclude,
      add,
      (dir, e) => out.errors.push({ path: display(dir), kind: 'read', message: `cannot read directory ${display(dir)}: ${describeFsError(e)}` }),
      (file, why) => {
        ignored++;
        example ??= { file, why };
      },
    );
    // A folder with nothing to scan is said, with the reason: "0 files scanned" alone explains nothing.
    if (out.files.length === before) {
      out.notes.push(
        example
          ? `nothing to scan in ${given}: ${ignored === 1 ? 'its one source file or folder is' : `all ${ignored} source files and folders are`} ignored or excluded (${display(example.file)}: ${display(example.why.source)}, ${example.why.pattern}).`
          : `nothing to scan in ${given}: it holds no Python, Go, TypeScript or JavaScript files.`,
      );
    }
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
  onIgnored: (path: string, why: IgnoredBy) => void,
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
    if (rules) layers = [...layers, { base: dir, rules, source: path.join(dir, '.gitignore') }];
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
      if (SKIPPED_DIRECTORIES.has(entry.name)) continue;
      const why = ignoredBy(layers, abs, true) ?? ignoredBy([exclude], abs, true);
      if (why) onIgnored(abs, why);
      else walk(abs, false, layers, exclude, add, onError, onIgnored);
    } else if (isFile && scannable(entry.name)) {
      const why = ignoredBy(layers, abs, false) ?? ignoredBy([exclude], abs, false);
      if (why) onIgnored(abs, why);
      else add(abs);
    }
  }
}

/** Source files, and the files the workspace reads for what they declare (see workspace/data-files.ts). */
function scannable(file: string): boolean {
  return grammarForPath(file) !== undefined || isWorkspaceDataFile(file);
}

/** Whether the ignore layers ignore a path. */
function decides(layers: readonly Layer[], abs: string, isDir: boolean): boolean {
  return ignoredBy(layers, abs, isDir) !== undefined;
}

/** The file and rule that ignore a path: the deepest layer with a rule for it decides (a `!` rule re-includes). */
function ignoredBy(layers: readonly Layer[], abs: string, isDir: boolean): IgnoredBy | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const rel = path.relative(layers[i].base, abs);
    if (!rel || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) continue;
    const result = layers[i].rules.test(rel.split(path.sep).join('/') + (isDir ? '/' : ''));
    if (result.ignored) return { source: layers[i].source, pattern: result.rule?.pattern ?? '?' };
    if (result.unignored) return undefined;
  }
  return undefined;
}

/** The `.gitignore` of a folder itself, as a layer (for a file named on the command line). */
function ownIgnoreLayer(dir: string): Layer[] {
  const file = path.join(dir, '.gitignore');
  const rules = readIgnoreFile(file);
  return rules ? [{ base: dir, rules, source: file }] : [];
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
  const infoFile = path.join(gitRoot, '.git', 'info', 'exclude');
  const info = readIgnoreFile(infoFile);
  if (info) layers.push({ base: gitRoot, rules: info, source: infoFile });
  for (const d of chain) {
    const file = path.join(d, '.gitignore');
    const rules = readIgnoreFile(file);
    if (rules) layers.push({ base: d, rules, source: file });
  }
  return layers;
}

/** The root of the git repository holding a folder, if any. */
function gitRootOf(dir: string): string | undefined {
  for (let d = dir; ; ) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    const parent = path.dirname(d);
    if (parent === d) return undefined;
    d = parent;
  }
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
