import type { FileContext } from './file-context';
import { decoratorCallee } from './file-model';
import { effectsOf } from './library';

/**
 * Whether a decorator runs the function in one database transaction (`@Transaction()` of
 * Vendure, `@Transactional()` of typeorm-transactional and @nestjs-cls/transactional): every query
 * its code makes through the request's context then goes to that transaction's one connection,
 * one statement at a time. By the decorator's model row; a project's own decorator (or one of a
 * module no model knows) counts by the models' names for transactions.
 */
export function transactionScoped(file: FileContext, fn: number): boolean {
  for (const d of file.model.functions[fn].decorators) {
    const callee = decoratorCallee(d.expr);
    const r = file.resolver.resolve(callee, d.start);
    if (r.kind === 'library') {
      if (effectsOf(r.row).includes('transaction')) return true;
      continue;
    }
    const last = callee.path?.[callee.path.length - 1];
    if (r.kind !== 'function' && last !== undefined && file.lang.namesWith(['transaction']).includes(last)) return true;
  }
  return false;
}
