import type { AnalysisResult } from '../engine/analyzer';
import type { ProgramContribution } from '../cli/report';
import { locateSummary, summarise, type At } from './summary';

/**
 * A file's contribution to the workspace's program, from its analysis: the summary of its
 * functions and its findings through calls that only the workspace can confirm. Code that is not
 * production code (tests, migrations, scripts, browser and generated code) contributes nothing.
 */
export function programContribution(result: AnalysisResult, at: (start: number, end: number) => At): ProgramContribution | undefined {
  const file = result.file;
  if (!file || file.role.role !== 'production') return undefined;
  const summary = summarise(file);
  return {
    language: file.language,
    summary: locateSummary(summary, at),
    // Copies: the file's model is moved in place by the document's next analysis.
    imports: file.model.imports.map((i) => ({ ...i })),
    reexports: file.model.reexports,
    goPackage: file.model.hints.goPackage,
    deferred: (result.deferred ?? []).map(({ start, end, related, ...d }) => ({
      ...d,
      at: at(start, end),
      ...(related ? { related: related.map((r) => ({ ...at(r.start, r.end), message: r.message })) } : {}),
    })),
  };
}
