import * as fs from 'fs';
import * as path from 'path';
import { URI } from 'vscode-uri';
import { CONFIG_FILE_NAME, defaultConfig, parseConfig, type ConfigProblem, type ResolvedConfig } from '../config/config';
import type { Scale } from '../engine/rule-api';

/** Client settings that shape the configuration (the `.headroom.json` file wins where it speaks). */
export interface ClientSettings {
  enable: boolean;
  targetUsers?: Scale;
  /** Offer "ignore this finding" quick fixes. */
  ignoreAction: boolean;
  /** Scan the whole workspace when the server starts. */
  scanOnStartup: boolean;
  /** More exclude globs for the workspace scan (the editor's files.exclude, extra excludes). */
  excludes: string[];
  /** Milliseconds after the last change before diagnostics are pushed (clients without pull). */
  debounce: number;
}

export const DEFAULT_SETTINGS: ClientSettings = { enable: true, ignoreAction: true, scanOnStartup: true, excludes: [], debounce: 150 };

interface FolderConfig {
  root: string;
  config: ResolvedConfig;
  problems: ConfigProblem[];
  text: string | undefined;
  /** Why `.headroom.json` exists but could not be read (a directory, no permission): defaults apply. */
  unreadable?: string;
}

/**
 * The configuration of each workspace folder, read from its `.headroom.json`. `generation` changes
 * whenever any configuration changes, so cached analyses know they are stale.
 */
export class ConfigStore {
  private folders: FolderConfig[] = [];
  private fallback: ResolvedConfig = defaultConfig();
  private settings: ClientSettings = DEFAULT_SETTINGS;
  generation = 0;

  setFolders(roots: string[]): void {
    this.folders = roots.map((root) => this.load(root));
    this.generation++;
  }

  /** Settings come from the client as untyped JSON: whatever is not of the right type keeps its default. */
  setSettings(settings: unknown): void {
    this.settings = sanitizeSettings(settings);
    this.fallback = this.applySettings(defaultConfig(), false);
    this.folders = this.folders.map((f) => this.load(f.root));
    this.generation++;
  }

  get clientSettings(): ClientSettings {
    return this.settings;
  }

  /** Re-reads the config of the folder whose `.headroom.json` changed; returns that folder's config path. */
  reload(configPath: string): FolderConfig | undefined {
    const i = this.folders.findIndex((f) => path.join(f.root, CONFIG_FILE_NAME) === configPath);
    if (i < 0) return undefined;
    this.folders[i] = this.load(this.folders[i].root);
    this.generation++;
    return this.folders[i];
  }

  configFor(uri: string): ResolvedConfig {
    return this.folderOf(uri)?.config ?? this.fallback;
  }

  folderOf(uri: string): FolderConfig | undefined {
    const file = toPath(uri);
    if (!file) return undefined;
    let best: FolderConfig | undefined;
    for (const f of this.folders) {
      if ((file === f.root || file.startsWith(f.root + path.sep)) && (!best || f.root.length > best.root.length)) best = f;
    }
    return best;
  }

  allFolders(): readonly FolderConfig[] {
    return this.folders;
  }

  private load(root: string): FolderConfig {
    const file = path.join(root, CONFIG_FILE_NAME);
    let text: string | undefined;
    let unreadable: string | undefined;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      // No file means defaults; a file that is there but cannot be read is said, then defaults.
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') unreadable = code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    }
    const loaded = text === undefined ? { config: defaultConfig(), problems: [] } : parseConfig(text);
    return { root, text, unreadable, config: this.applySettings(loaded.config, text !== undefined && /"targetUsers"/.test(text)), problems: loaded.problems };
  }

  private applySettings(config: ResolvedConfig, fileSetsScale: boolean): ResolvedConfig {
    if (this.settings.targetUsers && !fileSetsScale) config.targetUsers = this.settings.targetUsers;
    return config;
  }
}

export function toPath(uri: string): string | undefined {
  try {
    const u = URI.parse(uri);
    return u.scheme === 'file' ? path.resolve(u.fsPath) : undefined;
  } catch {
    return undefined;
  }
}

const SCALES: readonly Scale[] = ['1k', '10k', '100k', '1m'];

function sanitizeSettings(raw: unknown): ClientSettings {
  const s = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const bool = (v: unknown, d: boolean) => (typeof v === 'boolean' ? v : d);
  return {
    enable: bool(s.enable, DEFAULT_SETTINGS.enable),
    targetUsers: SCALES.includes(s.targetUsers as Scale) ? (s.targetUsers as Scale) : undefined,
    ignoreAction: bool(s.ignoreAction, DEFAULT_SETTINGS.ignoreAction),
    scanOnStartup: bool(s.scanOnStartup, DEFAULT_SETTINGS.scanOnStartup),
    excludes: Array.isArray(s.excludes) ? s.excludes.filter((x): x is string => typeof x === 'string') : DEFAULT_SETTINGS.excludes,
    debounce: typeof s.debounce === 'number' && Number.isFinite(s.debounce) ? Math.min(Math.max(0, s.debounce), 10_000) : DEFAULT_SETTINGS.debounce,
  };
}
