/**
 * The exports that describe an ORM's tables to the workspace: which tables there are, which
 * references which, and which is the users table. Rules export them from code (Python ORM classes,
 * gorm structs); the Prisma schema reader from `.prisma` files. unbounded-fetch joins them.
 */
export const ORM_READ = 'orm-read';
export const ORM_TABLE = 'orm-table';
export const ORM_RELATION = 'orm-relation';
export const ORM_USER = 'orm-user';

/** Tables that are the users table by their name (judgement: no library says so). */
export const USER_TABLES = ['User', 'Users', 'Account', 'Accounts', 'Customer', 'Customers'];

/**
 * Tables that grow with use by their name: a row per action or event (an audit trail, a log, a
 * history), whatever they reference (judgement, like USER_TABLES).
 */
export const LOG_TABLE = /(Log|Logs|Audit|AuditEntry|AuditEntries|AuditEvent|AuditEvents|History|Histories|Activity|Activities)$/;

/** The source the Prisma schema reader's exports carry (as a rule's id). */
export const PRISMA_SOURCE = 'prisma-schema';
