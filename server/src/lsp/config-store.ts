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

  setSettings(settings: Partial<ClientSettings>): void {
    this.settings = { ...DEFAULT_SETTINGS, ...settings };
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
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      text = undefined; // no config file: defaults
    }
    const loaded = text === undefined ? { config: defaultConfig(), problems: [] } : parseConfig(text);
    return { root, text, config: this.applySettings(loaded.config, text !== undefined && /"targetUsers"/.test(text)), problems: loaded.problems };
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
