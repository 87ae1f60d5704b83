import * as path from 'path';
import * as jsonc from 'jsonc-parser';
import type { QueryLanguage } from '../engine/languages';
import { pushTo } from '../engine/multimap';

/**
 * Which workspace files an import names: Python modules and packages (absolute, by any suffix of
 * the file's path, and relative), Go import paths against each go.mod's module path (and the
 * files of the same package), TypeScript/JavaScript relative imports (extensions, index files),
 * tsconfig `paths`/`baseUrl`, and the packages of package.json workspaces.
 */

const NO_FILES: readonly string[] = [];

const TS_EXTENSIONS = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts'];

export class ModuleIndex {
  /** Python: dotted suffix → files (`db`, `app.db`, `src.app.db`; a package's `__init__.py` under the package's name). */
  private readonly pyBySuffix = new Map<string, string[]>();
  private readonly pyFiles = new Set<string>();
  /** Go: directory → files of that package. */
  private readonly goByDir = new Map<string, string[]>();
  /** TypeScript: every file, for extension and index lookups. */
  private readonly tsFiles = new Set<string>();
  private readonly goModules = new Map<string, { module: string; dir: string } | null>();
  private readonly tsConfigs = new Map<string, TsConfig | null>();
  private workspacePackages: Map<string, string> | undefined;

  constructor(
    files: readonly { path: string; language: QueryLanguage; goPackage?: string }[],
    private readonly readFile: (p: string) => string | undefined,
  ) {
    for (const f of files) {
      if (f.language === 'python') {
        this.pyFiles.add(f.path);
        const noExt = f.path.replace(/\.pyi?$/, '');
        const parts = noExt.split(path.sep).filter(Boolean);
        if (parts[parts.length - 1] === '__init__') parts.pop();
        for (let i = parts.length - 1; i >= 0; i--) {
          const key = parts.slice(i).join('.');
          pushTo(this.pyBySuffix, key, f.path);
        }
      } else if (f.language === 'go') {
        if (f.path.endsWith('_test.go')) continue;
        const dir = path.dirname(f.path);
        pushTo(this.goByDir, dir, f.path);
      } else {
        this.tsFiles.add(f.path);
      }
    }
  }

  /** Resolutions already made: a workspace asks the same few thousand import paths again and again. */
  private readonly resolved = new Map<string, string[]>();

  resolve(fromFile: string, language: QueryLanguage, module: string): string[] {
    // TS and Go resolve from the importing folder; Python orders several hits by the importing file.
    const from = language === 'python' || module === '.' ? fromFile : path.dirname(fromFile);
    const key = `${language}\0${from}\0${module}`;
    let hit = this.resolved.get(key);
    if (hit) return hit;
    switch (language) {
      case 'python':
        hit = this.resolvePython(fromFile, module);
        break;
      case 'go':
        hit = this.resolveGo(fromFile, module);
        break;
      case 'typescript':
        hit = this.resolveTs(fromFile, module);
        break;
    }
    this.resolved.set(key, hit);
    return hit;
  }

  /** The files of a Go file's package (without its tests), in a stable order. */
  packageFiles(file: string): readonly string[] {
    return this.goByDir.get(path.dirname(file)) ?? NO_FILES;
  }

  /** The other files of a Go file's package. */
  samePackage(file: string): string[] {
    return (this.goByDir.get(path.dirname(file)) ?? []).filter((f) => f !== file);
  }

  private resolvePython(fromFile: string, module: string): string[] {
    const dots = /^\.*/.exec(module)![0].length;
    const rest = module.slice(dots);
    if (dots > 0) {
      let dir = path.dirname(fromFile);
      for (let i = 1; i < dots; i++) dir = path.dirname(dir);
      const base = rest ? path.join(dir, ...rest.split('.')) : dir;
      return [`${base}.py`, path.join(base, '__init__.py')].filter((p) => this.pyFiles.has(p));
    }
    const hits = this.pyBySuffix.get(rest) ?? [];
    if (hits.length <= 1) return hits;
    // Several files end with this module path: the one nearest the importing file first.
    return [...hits].sort((a, b) => commonPrefix(b, fromFile) - commonPrefix(a, fromFile));
  }

  private goModuleOf(dir: string): { module: string; dir: string } | undefined {
    const seen: string[] = [];
    for (let d = dir; ; d = path.dirname(d)) {
      const known = this.goModules.get(d);
      if (known !== undefined) {
        for (const s of seen) this.goModules.set(s, known);
        return known ?? undefined;
      }
      seen.push(d);
      const text = this.readFile(path.join(d, 'go.mod'));
      const m = text && /^module\s+(\S+)/m.exec(text);
      if (m) {
        const found = { module: m[1], dir: d };
        for (const s of seen) this.goModules.set(s, found);
        return found;
      }
      if (path.dirname(d) === d) {
        for (const s of seen) this.goModules.set(s, null);
        return undefined;
      }
    }
  }

  private resolveGo(fromFile: string, module: string): string[] {
    if (module === '.') return this.samePackage(fromFile);
    const mod = this.goModuleOf(path.dirname(fromFile));
    if (!mod || (module !== mod.module && !module.startsWith(`${mod.module}/`))) return [];
    const dir = path.join(mod.dir, module.slice(mod.module.length));
    return this.goByDir.get(dir) ?? [];
  }

  private resolveTs(fromFile: string, module: string): string[] {
    if (module.startsWith('.')) return this.tsCandidates(path.resolve(path.dirname(fromFile), module));
    const cfg = this.tsConfigOf(path.dirname(fromFile));
    if (cfg) {
      for (const [pattern, targets] of cfg.paths) {
        const star = pattern.indexOf('*');
        const prefix = star < 0 ? pattern : pattern.slice(0, star);
        const suffix = star < 0 ? '' : pattern.slice(star + 1);
        if (star < 0 ? module !== pattern : !(module.startsWith(prefix) && module.endsWith(suffix))) continue;
        const middle = star < 0 ? '' : module.slice(prefix.length, module.length - suffix.length);
        for (const t of targets) {
          const hits = this.tsCandidates(path.resolve(cfg.base, t.replace('*', middle)));
          if (hits.length > 0) return hits;
        }
      }
      if (cfg.baseUrl) {
        const hits = this.tsCandidates(path.resolve(cfg.baseUrl, module));
        if (hits.length > 0) return hits;
      }
    }
    // A package of the workspace (package.json workspaces): its own source.
    const pkg = this.workspacePackage(module);
    return pkg ? pkg : [];
  }

  /** `./users.service` → users.service.ts, users.service/index.ts, … */
  private tsCandidates(base: string): string[] {
    if (this.tsFiles.has(base)) return [base];
    const stripped = base.replace(/\.(js|jsx|mjs|cjs)$/, '');
    for (const ext of TS_EXTENSIONS) if (this.tsFiles.has(stripped + ext)) return [stripped + ext];
    for (const ext of TS_EXTENSIONS) if (this.tsFiles.has(path.join(base, `index${ext}`))) return [path.join(base, `index${ext}`)];
    return [];
  }

  private tsConfigOf(dir: string): TsConfig | undefined {
    const seen: string[] = [];
    for (let d = dir; ; d = path.dirname(d)) {
      const known = this.tsConfigs.get(d);
      if (known !== undefined) {
        for (const s of seen) this.tsConfigs.set(s, known);
        return known ?? undefined;
      }
      seen.push(d);
      for (const name of ['tsconfig.json', 'jsconfig.json']) {
        const text = this.readFile(path.join(d, name));
        if (text === undefined) continue;
        const cfg = readTsConfig(text, d, this.readFile);
        for (const s of seen) this.tsConfigs.set(s, cfg);
        return cfg ?? undefined;
      }
      if (path.dirname(d) === d) {
        for (const s of seen) this.tsConfigs.set(s, null);
        return undefined;
      }
    }
  }

  /** Files of a workspace package by its name (`@acme/db` → packages/db/src/index.ts). */
  private workspacePackage(module: string): string[] | undefined {
    if (!this.workspacePackages) {
      this.workspacePackages = new Map();
      const dirs = new Set([...this.tsFiles].map((f) => path.dirname(f)));
      const pkgDirs = new Set<string>();
      for (const d of dirs) {
        for (let x = d; path.dirname(x) !== x; x = path.dirname(x)) {
          if (pkgDirs.has(x)) break;
          const text = this.readFile(path.join(x, 'package.json'));
          if (text === undefined) continue;
          pkgDirs.add(x);
          try {
            const name = (JSON.parse(text) as { name?: unknown }).name;
            if (typeof name === 'string') this.workspacePackages.set(name, x);
          } catch {
            // Not JSON: no package name to resolve by.
          }
          break;
        }
      }
    }
    const parts = module.split('/');
    const nameLen = module.startsWith('@') ? 2 : 1;
    const dir = this.workspacePackages.get(parts.slice(0, nameLen).join('/'));
    if (!dir) return undefined;
    const sub = parts.slice(nameLen).join('/');
    for (const base of sub ? [path.join(dir, 'src', sub), path.join(dir, sub)] : [path.join(dir, 'src', 'index'), path.join(dir, 'index'), path.join(dir, 'src')]) {
      const hits = this.tsCandidates(base);
      if (hits.length > 0) return hits;
    }
    return undefined;
  }
}

interface TsConfig {
  /** The folder `paths` are relative to (baseUrl, or the config's folder). */
  base: string;
  baseUrl: string | undefined;
  paths: [string, string[]][];
}

function readTsConfig(text: string, dir: string, readFile: (p: string) => string | undefined, depth = 0): TsConfig | null {
  const raw = jsonc.parse(text) as { extends?: unknown; compilerOptions?: { baseUrl?: unknown; paths?: unknown } } | undefined;
  if (!raw || typeof raw !== 'object') return null;
  let inherited: TsConfig | null = null;
  if (typeof raw.extends === 'string' && raw.extends.startsWith('.') && depth < 4) {
    const file = path.resolve(dir, raw.extends.endsWith('.json') ? raw.extends : `${raw.extends}.json`);
    const t = readFile(file);
    if (t !== undefined) inherited = readTsConfig(t, path.dirname(file), readFile, depth + 1);
  }
  const opts = raw.compilerOptions ?? {};
  const baseUrl = typeof opts.baseUrl === 'string' ? path.resolve(dir, opts.baseUrl) : inherited?.baseUrl;
  const paths =
    opts.paths && typeof opts.paths === 'object'
      ? Object.entries(opts.paths as Record<string, unknown>).map(([k, v]): [string, string[]] => [k, Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []])
      : inherited?.paths ?? [];
  return { base: baseUrl ?? (opts.paths ? dir : inherited?.base ?? dir), baseUrl, paths };
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
