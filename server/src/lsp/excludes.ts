import type { Ignore } from 'ignore';
import { excludeMatcher, isExcludedBy } from '../config/excludes';

/** Compiled exclude matchers per workspace folder, rebuilt when the configuration changes. */
export class Excludes {
  private readonly matchers = new Map<string, { patterns: readonly string[]; matcher: Ignore }>();

  isExcluded(root: string, patterns: readonly string[], file: string): boolean {
    if (patterns.length === 0) return false;
    let m = this.matchers.get(root);
    if (!m || m.patterns !== patterns) {
      m = { patterns, matcher: excludeMatcher(patterns) };
      this.matchers.set(root, m);
    }
    return isExcludedBy(m.matcher, root, file);
  }

  clear(): void {
    this.matchers.clear();
  }
}
