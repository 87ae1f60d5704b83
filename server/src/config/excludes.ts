import ignore, { type Ignore } from 'ignore';
import * as path from 'path';

/** `.headroom.json` `exclude` globs (gitignore syntax, relative to the folder that holds the file). */
export function excludeMatcher(patterns: readonly string[]): Ignore {
  return ignore().add([...patterns]);
}

/** Whether a file under `root` is excluded by the patterns; files outside `root` never are. */
export function isExcludedBy(matcher: Ignore, root: string, file: string): boolean {
  const rel = path.relative(root, file);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return false;
  return matcher.ignores(rel.split(path.sep).join('/'));
}
