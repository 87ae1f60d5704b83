import ignore, { type Ignore } from 'ignore';
import * as path from 'path';

/** Paths compare case-insensitively where the file system usually does. */
export const IGNORE_CASE = process.platform === 'win32' || process.platform === 'darwin';

/** `.headroom.json` `exclude` globs (gitignore syntax, relative to the folder that holds the file). */
export function excludeMatcher(patterns: readonly string[]): Ignore {
  return ignore({ ignorecase: IGNORE_CASE }).add([...patterns]);
}

/** Whether a file under `root` is excluded by the patterns; files outside `root` never are. */
export function isExcludedBy(matcher: Ignore, root: string, file: string): boolean {
  const rel = path.relative(root, file);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return false;
  return matcher.ignores(rel.split(path.sep).join('/'));
}
