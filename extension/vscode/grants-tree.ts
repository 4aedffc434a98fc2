// The "Just-In-Time Access" tree: maps the plain tree model onto TreeItems and redraws
// whenever the shared countdown does (state changes and time-left changes).
import * as vscode from 'vscode';
import type { AccessState } from '../core/access-state.js';
import type { Countdown } from '../core/countdown.js';
import { treeRoots, type NodeAction, type TreeNode } from '../core/tree-model.js';
import { COMMANDS } from './command-ids.js';
import { nextStepCommand } from './errors.js';

export class GrantsTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly redraws: { dispose(): void };

  constructor(private readonly state: AccessState, private readonly countdown: Countdown, private readonly serverUrl: () => string) {
    this.redraws = countdown.onRedraw(() => this.changed.fire(undefined));
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const collapsible = node.children
      ? node.expanded === false ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded
      : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(node.label, collapsible);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.contextValue = node.contextValue;
    if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon);
    if (node.action) item.command = this.commandFor(node.action);
    return item;
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (node) return node.children ?? [];
    return treeRoots(this.state.snapshot, this.serverUrl(), this.countdown.now);
  }

  dispose(): void {
    this.redraws.dispose();
    this.changed.dispose();
  }

  private commandFor(action: NodeAction): vscode.Command {
    if (action.command === 'openRequest') return { title: 'Open request', command: COMMANDS.openRequest, arguments: [action.requestId] };
    return { title: action.command, command: nextStepCommand(action.command) };
  }
}
