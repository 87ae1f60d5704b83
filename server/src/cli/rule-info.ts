import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import pkg from '../../../package.json';
import { engine } from '../engine/index';
import { ruleDocPath } from '../engine/paths';
import { CATEGORY_TITLES, type Category, type RuleMeta } from '../engine/rule-api';
import { UNUSED_SUPPRESSION } from '../engine/suppressions';

export const TOOL_NAME = 'Headroom';
export const TOOL_VERSION: string = pkg.version;

/** Every rule a finding can come from, in catalogue order, then the engine's own unused-suppression check. */
export function allRules(): RuleMeta[] {
  return [...engine().catalogue.rules.map((r) => r.meta), UNUSED_SUPPRESSION];
}

export function ruleMeta(id: string): RuleMeta | undefined {
  return id === UNUSED_SUPPRESSION.id ? UNUSED_SUPPRESSION : engine().catalogue.meta(id);
}

/** `connection-pooling` → `Connection pooling`. */
export function categoryTitle(category: string): string {
  return CATEGORY_TITLES[category as Category] ?? category;
}

/** The rule's Markdown doc (rules/<id>/doc.md), when it ships. */
export function docFile(id: string): string | undefined {
  const file = ruleDocPath(id);
  return fs.existsSync(file) ? file : undefined;
}

export function docText(id: string): string | undefined {
  const file = docFile(id);
  return file ? fs.readFileSync(file, 'utf8') : undefined;
}

/** The rule's doc in the public repository at this version, when package.json names a repository. */
export function publicDocUri(id: string): string | undefined {
  const repo = repositoryUrl();
  return repo ? `${repo}/blob/v${TOOL_VERSION}/rules/${id}/doc.md` : undefined;
}

/** Where a rule's doc can be opened: publicDocUri, otherwise the doc file installed with the scanner. */
export function docUri(id: string): string | undefined {
  const file = docFile(id);
  return publicDocUri(id) ?? (file ? pathToFileURL(file).href : undefined);
}

function repositoryUrl(): string | undefined {
  const repo = (pkg as { repository?: string | { url?: string } }).repository;
  const url = typeof repo === 'string' ? repo : repo?.url;
  const m = url && /^(?:git\+)?(https:\/\/[^\s]+?)(?:\.git)?\/?$/.exec(url);
  return m ? m[1] : undefined;
}

/** The first paragraph of a doc's "What it finds" section, as plain text (SARIF fullDescription). */
export function docSummary(id: string): string | undefined {
  const doc = docText(id);
  if (!doc) return undefined;
  const section = /^##\s+What it finds\s*\n+([\s\S]*?)(?:\n\s*\n|\n##|(?![\s\S]))/m.exec(doc);
  const para = section?.[1];
  return para ? para.replace(/\s*\n\s*/g, ' ').trim() : undefined;
}
