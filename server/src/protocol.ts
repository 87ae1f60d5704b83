import type { Readiness } from './readiness/model';

/** Headroom's own LSP requests and notifications, shared by the server and the VS Code client. */

export const READINESS_REQUEST = 'headroom/readiness';
export const EXPORT_REPORT_REQUEST = 'headroom/exportReport';
export const SCAN_WORKSPACE_REQUEST = 'headroom/scanWorkspace';
export const READINESS_CHANGED = 'headroom/readinessChanged';
/** The server's command id; the extension's "Headroom: Fix All" (headroom.fixAll) calls it. */
export const FIX_ALL_COMMAND = 'headroom.server.fixAll';

/** What the views need to know of each rule. */
export interface RuleInfo {
  id: string;
  title: string;
  category: string;
  /** A safe (preferred) fix exists for some shapes of this rule's findings. */
  hasSafeFix: boolean;
  /** The rule's doc, shipped with the extension (file: URI). */
  docUri: string;
}

export interface ReadinessReply {
  readiness: Readiness;
  rules: RuleInfo[];
  /** ISO time of the last complete workspace scan, or null before the first. */
  lastScan: string | null;
  scanning: boolean;
}

export interface ExportReportReply {
  markdown: string;
}

export interface ScanWorkspaceReply {
  files: number;
  cancelled: boolean;
}
