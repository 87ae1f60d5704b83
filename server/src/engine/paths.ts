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
