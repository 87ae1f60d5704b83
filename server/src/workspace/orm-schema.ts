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

/** The source the Prisma schema reader's exports carry (as a rule's id). */
export const PRISMA_SOURCE = 'prisma-schema';
