import * as path from 'node:path';

/**
 * SQL files (`schema.sql`, a migration tool's `0003_add_index.up.sql`) are no code the rules read:
 * what the readiness model needs of them is whether they create indexes, the way an ORM's index
 * declarations or a Prisma schema's `@@index` say it.
 */

export function isSqlFile(file: string): boolean {
  return path.extname(file).toLowerCase() === '.sql';
}

/** `CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] name ON table`, up to the statement's end. */
const CREATE_INDEX = /\bcreate\s+(?:unique\s+)?index\b[^;]*?\son\s/gi;
/** MySQL's index inside a `CREATE TABLE`: a line `KEY idx_user (user_id)`, `UNIQUE KEY …`, `INDEX …` (not `PRIMARY KEY`). */
const INLINE_INDEX = /^[ \t]*(?:unique\s+)?(?:key|index)\s+[`"]?\w+[`"]?\s*\(/gim;

/** The index declarations of a SQL file, at UTF-16 offsets; comments (`-- …`, `/* … *\/`) hold none. */
export function sqlIndexes(text: string): { message: string; start: number; end: number }[] {
  // Blank comments out with spaces of the same length, so offsets stay the file's.
  const code = text.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
  const out: { message: string; start: number; end: number }[] = [];
  for (const m of code.matchAll(CREATE_INDEX)) out.push({ message: 'SQL indexes declared (`CREATE INDEX` in a SQL file)', start: m.index!, end: m.index! + m[0].trimEnd().length });
  for (const m of code.matchAll(INLINE_INDEX)) {
    const start = m.index! + m[0].length - m[0].trimStart().length;
    out.push({ message: 'SQL indexes declared (an index of a `CREATE TABLE` in a SQL file)', start, end: m.index! + m[0].length });
  }
  return out.sort((a, b) => a.start - b.start);
}
