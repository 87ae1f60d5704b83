import type { SyntaxNode } from 'tree-sitter';
import type { CheckContext, ExportInit, RuleMatch } from '../../server/src/engine/rule-api';
import { effectsOf, type LanguageModels, type MemberRow } from '../../server/src/model/library';
import { chainOf } from './chain';
import { ORM_READ, ORM_RELATION, ORM_TABLE, ORM_USER, USER_TABLES } from '../../server/src/workspace/orm-schema';

/**
 * Go ORMs whose reads fill a slice (gorm's `db.Find(&orders)`): the same growth join as the Python
 * ORMs (orm-tables.ts). A read exports the element type of the slice it fills when nothing in its
 * chain filters, limits or groups it; a mapped struct (a `gorm:"…"` tag, an embedded `gorm.Model`)
 * exports what it references (`UserID uint`, `User *User`), and the join follows those to the users
 * table.
 */

type Row = MemberRow & { arguments?: { filter?: unknown; destination?: unknown } };

const ADVICE = 'Page it (`.Where("id > ?", last).Order("id").Limit(n)`), or walk it in batches (`FindInBatches`).';

/** `db.Model(&Order{}).Order("id").Find(&orders)`: exported when the chain loads every row into a slice of a named struct. */
export function goReadExport(match: RuleMatch, ctx: CheckContext): ExportInit[] | undefined {
  const call = match.node('read')!;
  const fn = ctx.enclosingFunction(call);
  if (!fn) return undefined;
  const role = ctx.file.roleOf(fn)?.role;
  if (role === 'startup' || role === 'once' || role === 'test') return undefined;
  const r = ctx.file.resolveCallee(call);
  if (r.kind !== 'library' || (r.row as Row).arguments?.destination !== 0 || !effectsOf(r.row).includes('db-read-many')) return undefined;
  const type = r.qname.slice(0, r.qname.lastIndexOf('.'));
  if (!wholeChain(ctx.file.lang, type, call, fn, 1)) return undefined;
  const dest = match.node('dest')!.childForFieldName('operand');
  const cls = dest?.type === 'identifier' ? sliceElement(fn, dest.text) : undefined;
  if (!cls) return undefined;
  return [{ name: ORM_READ, node: call, data: { class: cls, searched: false, expr: short(call.text), user: false, advice: ADVICE } }];
}

/**
 * Whether a chain keeps every row, through the local variable it may start from (`q := db.Where(…)`
 * then `q.Find(&xs)`: every value assigned to `q` must keep them too). A chain on a parameter is
 * not judged: the caller built it, and may have filtered it.
 */
function wholeChain(models: LanguageModels, type: string, chain: SyntaxNode, fn: SyntaxNode, skip: number, depth = 0): boolean {
  const { links, root } = chainOf(chain);
  if (!keepsEveryRow(models, type, links.slice(skip))) return false;
  if (root.type !== 'identifier') return true;
  if (isParameter(fn, root.text)) return false;
  const values = assignedValues(fn, root.text);
  return values.length === 0 || (depth < 3 && values.every((v) => wholeChain(models, type, v, fn, 0, depth + 1)));
}

function isParameter(fn: SyntaxNode, name: string): boolean {
  const params = [fn.childForFieldName('parameters'), fn.childForFieldName('receiver')];
  return params.some((p) => p?.namedChildren.some((d) => d.childrenForFieldName('name').some((n) => n.text === name)));
}

/** The values a function assigns to a local name (`q := …`, `q = …`). */
function assignedValues(fn: SyntaxNode, name: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const visit = (n: SyntaxNode): void => {
    if (n.type === 'short_var_declaration' || n.type === 'assignment_statement') {
      const left = n.childForFieldName('left')?.namedChildren ?? [];
      const i = left.findIndex((x) => x.text === name);
      const value = i >= 0 ? n.childForFieldName('right')?.namedChildren[i] : undefined;
      if (value) out.push(value);
    }
    for (const c of n.namedChildren) visit(c);
  };
  visit(fn);
  return out;
}

/**
 * Whether the calls before the read (outermost first) keep every row: each must be a member of the
 * same builder the models give no effect and no filter to (`Order`, `Preload`, `Model`, `Select`).
 * A filter (`Where`), a limit, a scope (which may page), a group or anything unknown stops it.
 */
function keepsEveryRow(models: LanguageModels, type: string, links: { name: string }[]): boolean {
  for (const { name } of links) {
    const m = models.member(type, name);
    if (!m) return false;
    const row = m.row as Row;
    if (effectsOf(row).length > 0 || row.arguments?.filter !== undefined || row.returns !== type) return false;
  }
  return true;
}

/** The struct a slice variable of the function holds: `var xs []T`, `xs := []*pkg.T{}`, `make([]T, 0)`, a named result. */
function sliceElement(fn: SyntaxNode, name: string): string | undefined {
  let found: SyntaxNode | undefined;
  const visit = (n: SyntaxNode): void => {
    if (found) return;
    if (n.type === 'var_spec' && n.childrenForFieldName('name').some((x) => x.text === name)) found = n.childForFieldName('type') ?? undefined;
    else if (n.type === 'parameter_declaration' && n.parent?.startIndex === fn.childForFieldName('result')?.startIndex && n.childrenForFieldName('name').some((x) => x.text === name)) found = n.childForFieldName('type') ?? undefined;
    else if (n.type === 'short_var_declaration') {
      const left = n.childForFieldName('left')?.namedChildren ?? [];
      const i = left.findIndex((x) => x.text === name);
      const value = i >= 0 ? n.childForFieldName('right')?.namedChildren[i] : undefined;
      if (value?.type === 'composite_literal') found = value.childForFieldName('type') ?? undefined;
      else if (value?.type === 'call_expression' && value.childForFieldName('function')?.text === 'make') found = value.childForFieldName('arguments')?.namedChildren[0];
    }
    for (const c of n.namedChildren) visit(c);
  };
  visit(fn);
  if (found?.type !== 'slice_type') return undefined;
  let el = found.childForFieldName('element');
  if (el?.type === 'pointer_type') el = el.namedChildren[0];
  if (el?.type === 'qualified_type') el = el.childForFieldName('name');
  return el?.type === 'type_identifier' ? el.text : undefined;
}

/** A struct mapped to a table (a `gorm:` tag or an embedded `gorm.Model`): its table, what it references, and whether it is the users table. */
export function goStructExports(match: RuleMatch): ExportInit[] | undefined {
  const name = match.node('class')!;
  const fields = match.node('key')!.childForFieldName('type')?.namedChildren.find((c) => c.type === 'field_declaration_list')?.namedChildren.filter((f) => f.type === 'field_declaration') ?? [];
  const mapped = fields.some((f) => /\bgorm:"/.test(f.childForFieldName('tag')?.text ?? '') || (!f.childForFieldName('name') && /^gorm\.Model$/.test(f.childForFieldName('type')?.text ?? '')));
  if (!mapped) return undefined;
  const cls = name.text;
  const out: ExportInit[] = [{ name: ORM_TABLE, node: name, data: { class: cls, table: cls } }];
  if (USER_TABLES.includes(cls)) out.push({ name: ORM_USER, node: name, data: { class: cls, byName: true } });
  for (const f of fields) {
    const field = f.childForFieldName('name')?.text;
    const type = f.childForFieldName('type');
    if (!field || !type) continue;
    // `UserID uint` / `OrderId *uuid.UUID`: a key of the table it names; `Owner *User`: belongs to `User`.
    const key = /^([A-Z]\w*?)I[Dd]$/.exec(field);
    let target = key && type.type !== 'slice_type' ? key[1] : undefined;
    if (!target) {
      let t: SyntaxNode | null = type.type === 'pointer_type' ? type.namedChildren[0] : type;
      if (t?.type === 'qualified_type') t = t.childForFieldName('name');
      if (t?.type === 'type_identifier' && t.text !== cls) target = t.text;
    }
    if (target) out.push({ name: ORM_RELATION, node: name, data: { class: cls, field, target, user: false } });
  }
  return out;
}

function short(text: string, max = 60): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}
