import type { ResolvedConfig } from '../config/config';
import { analyzeFile } from './analyze-file';
import type { FileOutcome } from './report';

/** What a scan worker is started with. */
export interface WorkerInit {
  configs: ResolvedConfig[];
  frames: boolean;
}

/** One file for a worker. */
export interface WorkerTask {
  id: number;
  path: string;
  /** Index into WorkerInit.configs. */
  config: number;
  maxBytes: number;
  /** The file's path relative to its project (code roles read its folders). */
  projectPath: string;
  projectRoot: string;
}

export interface WorkerReply {
  id: number;
  outcome: FileOutcome;
}

/** Analyses one file; an unexpected exception becomes an error outcome for that file alone. */
export function runTask(task: WorkerTask, init: WorkerInit): FileOutcome {
  try {
    return analyzeFile(task.path, init.configs[task.config], { maxBytes: task.maxBytes, frames: init.frames, projectPath: task.projectPath, projectRoot: task.projectRoot });
  } catch (e) {
    return { kind: 'error', message: `internal error while analysing: ${(e as Error).stack ?? String(e)}` };
  }
}
