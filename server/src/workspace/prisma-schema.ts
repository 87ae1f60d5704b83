import * as path from 'node:path';
import { ORM_RELATION, ORM_TABLE, ORM_USER, USER_TABLES } from './orm-schema';

/**
 * Prisma schemas (`schema.prisma`, or the files of a `prisma/schema/` folder) are not code the rules'
 * queries read: what the workspace needs of them is which models there are and which model each
 * one references. That decides whether a read of a model reads a table that grows with the users
 * (unbounded-fetch), the way Python ORM classes and gorm structs decide it for theirs.
 */

export interface PrismaModel {
  name: string;
  /** The table, when `@@map("…")` names it. */
  table?: string;
  /** UTF-16 offsets of the model's name. */
  start: number;
  end: number;
  /** Fields that hold a reference to another model: `author User @relation(fields: [authorId], references: [id])`. */
  references: { field: string; target: string; start: number; end: number }[];
}

export function isPrismaSchema(file: string): boolean {
  return path.extname(file).toLowerCase() === '.prisma';
}

/** The models of a schema. Enums, views, types and generators are not models; comments are skipped. */
export function readPrismaSchema(text: string): PrismaModel[] {
  const out: PrismaModel[] = [];
  const block = /^[ \t]*model[ \t]+(\w+)[ \t]*\{/gm;
  for (let m = block.exec(text); m; m = block.exec(text)) {
    const bodyStart = m.index + m[0].length;
    const close = text.indexOf('\n}', bodyStart);
    const bodyEnd = close < 0 ? text.length : close;
    const nameStart = m.index + m[0].indexOf(m[1], m[0].indexOf('model') + 5);
    const model: PrismaModel = { name: m[1], start: nameStart, end: nameStart + m[1].length, references: [] };
    let offset = bodyStart;
    for (const raw of text.slice(bodyStart, bodyEnd).split('\n')) {
      const line = raw.replace(/\/\/.*$/, '');
      const map = /^\s*@@map\(\s*(?:name:\s*)?"([^"]+)"/.exec(line);
      if (map) model.table = map[1];
      // `field Type? @relation(fields: [...], references: [...])`: the side that holds the key.
      const field = /^\s*(\w+)\s+(\w+)(\?)?(?!\[)\s+.*@relation\(([^)]*)\)/.exec(line);
      if (field && /\bfields\s*:/.test(field[4])) {
        const at = offset + raw.indexOf(field[1]);
        model.references.push({ field: field[1], target: field[2], start: at, end: at + field[1].length });
      }
      offset += raw.length + 1;
    }
    out.push(model);
  }
  return out;
}

/**
 * The indexes a schema declares (`@@index([userId])`, `@@unique([a, b])`, a field's `@unique`), at
 * offsets, named for the database its datasource says: evidence for the readiness model.
 */
export function prismaIndexes(text: string): { message: string; start: number; end: number }[] {
  const provider = /datasource\s+\w+\s*\{[^}]*\bprovider\s*=\s*"(\w+)"/.exec(text)?.[1];
  const message = provider === 'mongodb' ? 'MongoDB indexes declared' : 'SQL indexes declared';
  const out: { message: string; start: number; end: number }[] = [];
  for (const m of text.matchAll(/^[^\n/]*?(@@index|@@unique|@unique)\b/gm)) {
    const start = m.index! + m[0].length - m[1].length;
    out.push({ message: `${message} (Prisma schema \`${m[1]}\`)`, start, end: start + m[1].length });
  }
  return out;
}

/** What a schema tells the workspace, as exports at offsets (positions are the caller's). */
export function prismaExports(text: string): { name: string; data: Record<string, string | boolean>; start: number; end: number }[] {
  const out: { name: string; data: Record<string, string | boolean>; start: number; end: number }[] = [];
  for (const m of readPrismaSchema(text)) {
    const at = { start: m.start, end: m.end };
    out.push({ name: ORM_TABLE, data: { class: m.name, table: m.table ?? m.name, orm: 'prisma' }, ...at });
    if (USER_TABLES.includes(m.name)) out.push({ name: ORM_USER, data: { class: m.name, byName: true, orm: 'prisma' }, ...at });
    for (const r of m.references) out.push({ name: ORM_RELATION, data: { class: m.name, field: r.field, target: r.target, user: false, orm: 'prisma' }, start: r.start, end: r.end });
  }
  return out;
}
