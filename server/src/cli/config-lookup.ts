import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE_NAME, defaultConfig, parseConfig, type ResolvedConfig } from '../config/config';
import { LineIndex } from './positions';
import type { ScanError } from './report';

/** The configuration that applies to one scanned path. */
export interface FoundConfig {
  /** The `.headroom.json` read, or undefined for the defaults. */
  file: string | undefined;
  /** The directory `exclude` globs are relative to. */
  base: string;
  config: ResolvedConfig;
}

/**
 * Finds the `.headroom.json` for a scanned path: in its directory, then in each parent up to the
 * root of the git repository holding it (the directory with `.git`) or the filesystem root.
 * Files are read once per run; an invalid file yields errors with their line and column, and the
 * configuration of its valid parts (the invalid ones keep their defaults, and the CLI says so).
 */
export class ConfigLookup {
  private readonly loaded = new Map<string, { found: FoundConfig; errors: ScanError[] }>();

  constructor(private readonly display: (absPath: string) => string) {}

  forDirectory(startDir: string): { found: FoundConfig; errors: ScanError[] } {
    for (let dir = startDir; ; ) {
      const file = path.join(dir, CONFIG_FILE_NAME);
      // Anything by that name is the configuration: one that cannot be read is said, not skipped.
      if (fs.existsSync(file)) return this.load(file);
      if (fs.existsSync(path.join(dir, '.git'))) break;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    return { found: { file: undefined, base: startDir, config: defaultConfig() }, errors: [] };
  }

  private load(file: string): { found: FoundConfig; errors: ScanError[] } {
    let entry = this.loaded.get(file);
    if (entry) return entry;
    const shown = this.display(file);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
      entry = { found: { file, base: path.dirname(file), config: defaultConfig() }, errors: [{ path: shown, kind: 'config', message: `cannot read the configuration: ${why}` }] };
      this.loaded.set(file, entry);
      return entry;
    }
    const { config, problems } = parseConfig(text);
    const index = new LineIndex(text);
    const errors: ScanError[] = problems.map((p) => {
      const span = index.span(p.start, p.start + p.length);
      return { path: shown, kind: 'config', message: p.message, line: span.line, column: span.column };
    });
    entry = { found: { file, base: path.dirname(file), config }, errors };
    this.loaded.set(file, entry);
    return entry;
  }
}
