import * as fs from 'fs';
import * as path from 'path';

let root: string | undefined;

/**
 * The installed package's root (where package.json, rules/ and schemas/ are): the bundles live in
 * dist/ (or out/test/ for the test bundle), so it is found by walking up from this file.
 */
export function installRoot(): string {
  if (root) return root;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'rules'))) {
    const up = path.dirname(dir);
    if (up === dir) return (root = path.resolve(__dirname, '..'));
    dir = up;
  }
  return (root = dir);
}

/** Whether a path lies strictly inside a directory (both absolute). */
export function isWithin(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export function ruleDocPath(ruleId: string): string {
  return path.join(installRoot(), 'rules', ruleId, 'doc.md');
}

/**
 * A file's path relative to its project's root, `/`-separated, for the conventions that read a
 * role from folders (tests/, migrations/). Outside the root, only its name is kept: no folder of
 * the machine's own (a home directory named test) may say anything about the file.
 */
export function projectPath(root: string, file: string): string {
  return isWithin(root, file) ? path.relative(root, file).split(path.sep).join('/') : path.basename(file);
}
