import type { SyntaxNode } from 'tree-sitter';
import type { CheckContext, ExportInit, RuleMatch } from '../../server/src/engine/rule-api';
import { stringLiteral } from '../../server/src/engine/syntax';
import type { FileContext } from '../../server/src/model/file-context';
import { effectsOf } from '../../server/src/model/library';
import { ORM_RELATION, ORM_TABLE, ORM_USER, USER_TABLES } from '../../server/src/workspace/orm-schema';

/**
 * TypeORM entities as the growth join (orm-tables.ts) reads tables: a class the models' `orm-table`
 * decorator marks (`@Entity()`) is a table; a property the models' `relation` decorator marks
 * (`@ManyToOne(() => Customer)`) references the entity its first argument returns. TypeORM tables
 * are keyed by the ORM, not the project: a monorepo's packages share one set of entities.
 */

export const TYPEORM = 'typeorm';

/** What a decorator node applies, resolved: the library row's effects, and its call. */
function decoratorCall(decorator: SyntaxNode, file: FileContext, effect: string): SyntaxNode | undefined {
  const call = decorator.namedChildren[0];
  if (call?.type !== 'call_expression') return undefined;
  const r = file.resolveCallee(call);
  return r.kind === 'library' && effectsOf(r.row).includes(effect) ? call : undefined;
}

/** The decorators of a class (on the declaration, or on the `export` around it). */
function classDecorators(cls: SyntaxNode): SyntaxNode[] {
  const own = cls.namedChildren.filter((c) => c.type === 'decorator');
  const outer = cls.parent?.type === 'export_statement' ? cls.parent.namedChildren.filter((c) => c.type === 'decorator') : [];
  return [...outer, ...own];
}

/** `@Entity()` classes: a table, and the users table when named so. */
export function entityExports(match: RuleMatch, ctx: CheckContext): ExportInit[] | undefined {
  const cls = match.node('class')!;
  const name = cls.childForFieldName('name');
  if (!name || !classDecorators(cls).some((d) => decoratorCall(d, ctx.file, 'orm-table'))) return undefined;
  const out: ExportInit[] = [{ name: ORM_TABLE, node: name, data: { class: name.text, table: name.text, orm: TYPEORM } }];
  if (USER_TABLES.includes(name.text)) out.push({ name: ORM_USER, node: name, data: { class: name.text, byName: true, orm: TYPEORM } });
  return out;
}

/** `@ManyToOne(() => Customer) customer: Customer` in an entity: its class references `Customer`. */
export function relationExports(match: RuleMatch, ctx: CheckContext): ExportInit[] | undefined {
  const field = match.node('field')!;
  const call = decoratorCall(match.node('decorator')!, ctx.file, 'relation');
  const target = call ? relationTarget(call) : undefined;
  let cls: SyntaxNode | null = field.parent;
  while (cls && cls.type !== 'class_declaration') cls = cls.parent;
  const className = cls?.childForFieldName('name')?.text;
  const fieldName = field.childForFieldName('name')?.text;
  if (!target || !className || !fieldName) return undefined;
  return [{ name: ORM_RELATION, node: field, data: { class: className, field: fieldName, target, user: USER_TABLES.includes(target), orm: TYPEORM } }];
}

/** `() => User`, `type => User`, `'User'`: the entity a relation decorator names. */
function relationTarget(call: SyntaxNode): string | undefined {
  const first = call.childForFieldName('arguments')?.namedChildren[0];
  if (!first) return undefined;
  if (first.type === 'arrow_function') {
    const body = first.childForFieldName('body');
    return body?.type === 'identifier' ? body.text : undefined;
  }
  return stringLiteral(first);
}

/**
 * The entity a TypeORM read reads, where the code names it: `getRepository(User)` (the last
 * capitalised argument: a project's wrapper may take a context first), `manager.find(User, …)`, or a
 * repository field typed `Repository<User>`.
 */
export function readEntity(call: SyntaxNode, managerArgs: number, file: FileContext): string | undefined {
  const fn = call.childForFieldName('function');
  if (managerArgs > 0) {
    const first = call.childForFieldName('arguments')?.namedChildren[0];
    return first?.type === 'identifier' && /^[A-Z]/.test(first.text) ? first.text : undefined;
  }
  const owner = fn?.childForFieldName('object');
  if (owner?.type === 'call_expression') {
    const args = owner.childForFieldName('arguments')?.namedChildren ?? [];
    const last = args[args.length - 1];
    return last?.type === 'identifier' && /^[A-Z]/.test(last.text) ? last.text : undefined;
  }
  const name = owner?.type === 'member_expression' ? owner.childForFieldName('property')?.text : owner?.type === 'identifier' ? owner.text : undefined;
  return name ? repositoryFieldEntity(call, name, file) : undefined;
}

const REPOSITORY_TYPE = /^(?:Repository|MongoRepository|TreeRepository)<([A-Z]\w*)>$/;

/**
 * `constructor(@InjectRepository(User) private users: Repository<User>)` or a field of that type: the
 * model's fields of the class the call is in (constructor parameter properties are fields there).
 */
function repositoryFieldEntity(call: SyntaxNode, name: string, file: FileContext): string | undefined {
  const site = file.callAt(call);
  let className: string | undefined;
  for (let f = site && site.fn >= 0 ? file.model.functions[site.fn] : undefined; f && !className; f = f.parent === undefined ? undefined : file.model.functions[f.parent]) className = f.className;
  const field = file.model.classes.find((c) => c.name === className)?.fields.find((f) => f.name === name);
  return field?.type ? REPOSITORY_TYPE.exec(field.type)?.[1] : undefined;
}
