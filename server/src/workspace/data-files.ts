import { isDeploymentFile } from './deployment';
import { isPrismaSchema } from './prisma-schema';
import { isSqlFile } from './sql-schema';

/**
 * Files that are no code the rules read but that the workspace reads for what they declare: the
 * deployment files that say how many server processes run, Prisma schemas (models and indexes) and
 * SQL files (indexes). The scan finds them, and the editor watches them, as it does source files.
 */
export function isWorkspaceDataFile(file: string): boolean {
  return isDeploymentFile(file) || isPrismaSchema(file) || isSqlFile(file);
}
