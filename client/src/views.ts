import * as vscode from 'vscode';
import type { Located, ReadinessFinding } from '../../server/src/readiness/model';
import type { ReadinessReply, RuleInfo } from '../../server/src/protocol';

/** Theme icons per status, so the views look native in light, dark and high-contrast themes. */
const STATUS_ICON: Record<string, vscode.ThemeIcon> = {
  blocker: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  'at-risk': new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  ok: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  'not-detected': new vscode.ThemeIcon('circle-outline', new vscode.ThemeColor('disabledForeground')),
};
const STATUS_WORDS: Record<string, string> = { blocker: 'Blocker', 'at-risk': 'At risk', ok: 'OK', 'not-detected': 'Not detected' };

/** Opens a located item at its exact range. */
export function openCommand(l: Located): vscode.Command | undefined {
  if (!l.uri) return undefined;
  const range = new vscode.Range(l.line - 1, l.column - 1, (l.endLine ?? l.line) - 1, (l.endColumn ?? l.column) - 1);
  return { title: 'Open', command: 'vscode.open', arguments: [vscode.Uri.parse(l.uri), { selection: range } satisfies vscode.TextDocumentShowOptions] };
}

class Item extends vscode.TreeItem {
  constructor(
    label: string,
    collapsible: vscode.TreeItemCollapsibleState,
    readonly children: Item[] = [],
  ) {
    super(label, collapsible);
  }
}

/** "Readiness": the verdict, when the last scan ran, and each category with its status and why. */
export class ReadinessView implements vscode.TreeDataProvider<Item> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private reply: ReadinessReply | undefined;

  update(reply: ReadinessReply | undefined): void {
    this.reply = reply;
    this.changed.fire();
  }

  getTreeItem(item: Item): vscode.TreeItem {
    return item;
  }

  getChildren(item?: Item): Item[] {
    if (item) return item.children;
    const reply = this.reply;
    if (!reply) return [];
    const r = reply.readiness;
    const verdict = new Item(r.verdict, vscode.TreeItemCollapsibleState.None);
    verdict.iconPath = STATUS_ICON[!r.scanned ? 'not-detected' : r.ready ? (r.categories.some((c) => c.status === 'at-risk') ? 'at-risk' : 'ok') : 'blocker'];
    verdict.tooltip = [r.verdict, ...r.notes].join('\n');
    verdict.contextValue = 'verdict';
    const when = new Item(
      reply.scanning ? 'Scanning the workspace…' : reply.lastScan ? `Last scan ${new Date(reply.lastScan).toLocaleTimeString()} · ${r.filesScanned} files` : 'Not scanned yet',
      vscode.TreeItemCollapsibleState.None,
    );
    when.iconPath = new vscode.ThemeIcon(reply.scanning ? 'sync~spin' : 'history');
    const categories = r.categories.map((c) => {
      const evidence = c.evidence.map((e) => {
        const ev = new Item(e.message, vscode.TreeItemCollapsibleState.None);
        ev.description = `${e.path}:${e.line}`;
        ev.iconPath = new vscode.ThemeIcon('check');
        ev.command = openCommand(e);
        return ev;
      });
      const node = new Item(c.title, evidence.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None, evidence);
      node.description = `${STATUS_WORDS[c.status]} · ${c.reason}`;
      node.tooltip = `${c.title}: ${STATUS_WORDS[c.status]} (${c.reason})`;
      node.iconPath = STATUS_ICON[c.status];
      node.id = `category:${c.category}`;
      return node;
    });
    const notes = r.notes.map((n) => {
      const note = new Item(n, vscode.TreeItemCollapsibleState.None);
      note.iconPath = new vscode.ThemeIcon('warning');
      note.tooltip = n;
      return note;
    });
    return [verdict, when, ...notes, ...categories];
  }
}

export type FindingsFilter = 'all' | 'fixable' | 'open' | 'errors';
export const FILTER_LABELS: Record<FindingsFilter, string> = { all: 'All findings', fixable: 'Fix available', open: 'In open files', errors: 'Errors only' };

/** A finding as a tree item: its data ride along for the inline actions. */
export class FindingItem extends Item {
  constructor(
    readonly finding: ReadinessFinding,
    readonly rule: RuleInfo | undefined,
  ) {
    super(`${finding.path}:${finding.line}`, vscode.TreeItemCollapsibleState.None);
    this.description = finding.message;
    this.tooltip = new vscode.MarkdownString(`**${finding.ruleId}** (${finding.severity})\n\n${finding.message}`);
    this.iconPath = new vscode.ThemeIcon(finding.severity === 'error' ? 'error' : finding.severity === 'warning' ? 'warning' : 'info');
    this.command = openCommand(finding);
    this.contextValue = rule?.hasSafeFix ? 'finding.fixable' : 'finding';
  }
}

/** "Findings": category → rule → location, with filters. */
export class FindingsView implements vscode.TreeDataProvider<Item> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private reply: ReadinessReply | undefined;
  filter: FindingsFilter = 'all';

  update(reply: ReadinessReply | undefined): void {
    this.reply = reply;
    this.changed.fire();
  }

  setFilter(filter: FindingsFilter): void {
    this.filter = filter;
    this.changed.fire();
  }

  getTreeItem(item: Item): vscode.TreeItem {
    return item;
  }

  /** The findings that pass the filter. */
  visible(): ReadinessFinding[] {
    const reply = this.reply;
    if (!reply) return [];
    const rules = new Map(reply.rules.map((r) => [r.id, r]));
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    return reply.readiness.categories
      .flatMap((c) => c.findings)
      .filter((f) =>
        this.filter === 'fixable' ? rules.get(f.ruleId)?.hasSafeFix === true : this.filter === 'open' ? f.uri !== undefined && open.has(f.uri) : this.filter === 'errors' ? f.severity === 'error' : true,
      );
  }

  getChildren(item?: Item): Item[] {
    if (item) return item.children;
    const reply = this.reply;
    if (!reply) return [];
    const rules = new Map(reply.rules.map((r) => [r.id, r]));
    const visible = new Set(this.visible());
    const out: Item[] = [];
    for (const c of reply.readiness.categories) {
      const byRule = new Map<string, ReadinessFinding[]>();
      for (const f of c.findings) if (visible.has(f)) byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), f]);
      if (byRule.size === 0) continue;
      const ruleItems = [...byRule].map(([id, findings]) => {
        const rule = rules.get(id);
        const node = new Item(id, vscode.TreeItemCollapsibleState.Expanded, findings.map((f) => new FindingItem(f, rule)));
        node.description = `${rule?.title ?? ''} (${findings.length})`;
        node.iconPath = new vscode.ThemeIcon('law');
        node.contextValue = 'rule';
        node.id = `rule:${id}`;
        return node;
      });
      const node = new Item(c.title, vscode.TreeItemCollapsibleState.Expanded, ruleItems);
      node.iconPath = STATUS_ICON[c.status];
      node.description = `${ruleItems.reduce((n, r) => n + r.children.length, 0)}`;
      node.id = `findings:${c.category}`;
      out.push(node);
    }
    return out;
  }
}
