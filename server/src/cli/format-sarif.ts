import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { Severity } from '../engine/rule-api';
import type { FileFindings, ScanResult } from './report';
import { TOOL_NAME, TOOL_VERSION, allRules, categoryTitle, docSummary, docText, docUri } from './rule-info';

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
/** The key of our own partial fingerprint (see ReportedFinding.fingerprint). */
export const FINGERPRINT_KEY = 'headroomFindingHash/v1';
const SRCROOT = '%SRCROOT%';

const LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF viewers: one run, every rule described in
 * tool.driver.rules (with its doc), paths relative to %SRCROOT% (the scan root), columns in UTF-16
 * code units, and a partial fingerprint that survives code moving within the file.
 */
export function formatSarif(result: ScanResult): string {
  const rules = allRules();
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const descriptors: Sarif.ReportingDescriptor[] = rules.map((meta) => {
    const doc = docText(meta.id);
    const uri = docUri(meta.id);
    const descriptor: Sarif.ReportingDescriptor = {
      id: meta.id,
      name: pascalCase(meta.id),
      shortDescription: { text: meta.title },
      fullDescription: { text: docSummary(meta.id) ?? meta.title },
      defaultConfiguration: { level: LEVEL[meta.severity] },
      properties: { tags: ['scalability', meta.category], category: categoryTitle(meta.category) },
    };
    if (uri) descriptor.helpUri = uri;
    if (doc) descriptor.help = { text: doc, markdown: doc };
    return descriptor;
  });

  const results: Sarif.Result[] = result.files.flatMap((file) =>
    file.findings.map((f) => {
      const out: Sarif.Result = {
        ruleId: f.ruleId,
        level: LEVEL[f.severity],
        message: { text: f.message },
        locations: [{ physicalLocation: { artifactLocation: artifact(file), region: region(f) } }],
        partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
        ...(f.role ? { properties: { role: f.role } } : {}),
      };
      const index = ruleIndex.get(f.ruleId);
      if (index !== undefined) out.ruleIndex = index;
      if (f.related.length > 0) {
        out.relatedLocations = f.related.map((r, i) => ({
          id: i + 1,
          message: { text: r.message },
          physicalLocation: { artifactLocation: r.path && r.absPath ? artifactFor(r.path, r.absPath) : artifact(file), region: region(r) },
        }));
      }
      return out;
    }),
  );

  const notifications: Sarif.Notification[] = [
    ...result.errors.map((e) => ({ level: 'error' as const, message: { text: e.message }, ...(e.kind === 'path' ? {} : notificationLocation(result.root, e.path)) })),
    ...result.skipped.map((s) => ({ level: 'note' as const, message: { text: `${s.reason === 'incomplete' ? 'Analysed in part' : 'Skipped'}: ${s.note}.` }, ...notificationLocation(result.root, s.path) })),
  ];

  const log: Sarif.Log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: TOOL_VERSION,
            semanticVersion: TOOL_VERSION,
            rules: descriptors,
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: directoryUri(result.root) } },
        columnKind: 'utf16CodeUnits',
        results,
        invocations: [{ executionSuccessful: result.errors.length === 0, toolExecutionNotifications: notifications }],
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function region(span: { line: number; column: number; endLine: number; endColumn: number }): Sarif.Region {
  return { startLine: span.line, startColumn: span.column, endLine: span.endLine, endColumn: span.endColumn };
}

function artifact(file: FileFindings): Sarif.ArtifactLocation {
  return artifactFor(file.path, file.absPath);
}

/** Relative display paths become URI references against %SRCROOT%; paths outside the root, file URIs. */
function artifactFor(displayPath: string, absPath: string): Sarif.ArtifactLocation {
  if (displayPath.startsWith('/') || /^[A-Za-z]:/.test(displayPath)) return { uri: pathToFileURL(absPath).href };
  return { uri: displayPath.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

function notificationLocation(root: string, displayPath: string): { locations: Sarif.Location[] } {
  const abs = displayPath.startsWith('/') || /^[A-Za-z]:/.test(displayPath) ? displayPath : `${root}/${displayPath}`;
  return { locations: [{ physicalLocation: { artifactLocation: artifactFor(displayPath, abs) } }] };
}

function directoryUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : `${href}/`;
}

function pascalCase(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_m, _dash: string, c: string) => c.toUpperCase());
}
