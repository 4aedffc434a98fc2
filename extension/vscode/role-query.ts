// Run Query and the "Run with role" lens: a statement run read-only with a project role the
// user holds (POST /projects/{p}/query), in the results grid, with Export where a role allows
// it. The database is picked once per file and remembered in the workspace state.
import * as vscode from 'vscode';
import { ApiError } from '../core/api-errors.js';
import { EXPORT_FORMATS } from '../core/api-types.js';
import { chosenTarget, roleTargets, targetKey, type RoleTarget } from '../core/role-targets.js';
import { COMMANDS } from './command-ids.js';
import { statementFromEditor } from './editor-statement.js';
import { saveExport } from './export-download.js';
import { registerGuarded } from './guarded-command.js';
import { showResults, type ResultSource } from './results-panel.js';
import type { Services } from './services.js';

/** What the lens passes; the palette and the editor title pass nothing. */
export interface RunQueryArgs {
  statement: string;
  /** The document's URI, as a string: the key of its remembered database. */
  uri: string;
}

/** The database each file runs on, kept across sessions in the workspace state. */
export class RoleChoices implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly memento: vscode.Memento) {}

  get(uri: string): string | undefined {
    return this.memento.get<string>(`jitAccess.roleTarget:${uri}`);
  }

  async set(uri: string, target: Pick<RoleTarget, 'project' | 'database'>): Promise<void> {
    if (this.get(uri) === targetKey(target)) return;
    await this.memento.update(`jitAccess.roleTarget:${uri}`, targetKey(target));
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function registerRoleQuery(services: Services, choices: RoleChoices): vscode.Disposable {
  // The editor title passes the file's Uri; only the lens passes RunQueryArgs.
  return registerGuarded(services.session, COMMANDS.runQuery, async (fromLens?: RunQueryArgs | vscode.Uri) => {
    const arg = fromLens && 'statement' in fromLens ? fromLens : undefined;
    const editor = vscode.window.activeTextEditor;
    const statement = arg?.statement ?? statementFromEditor(editor);
    if (!statement) {
      void vscode.window.showWarningMessage('Select a statement, or put the cursor in one in a SQL file, then Run Query.');
      return;
    }
    const uri = arg?.uri ?? editor?.document.uri.toString() ?? 'untitled';
    const targets = roleTargets(await services.state.ready(), Date.now());
    if (targets.length === 0) {
      await offerAccess('You hold no role that allows querying a database', statement);
      return;
    }
    const target = chosenTarget(targets, choices.get(uri)) ?? (await pickTarget(targets));
    if (!target) return;
    await choices.set(uri, target);
    await showResults(services, roleSource(services, choices, { statement, uri }, targets.filter((t) => t.project === target.project), target), target.database);
  });
}

async function pickTarget(targets: readonly RoleTarget[]): Promise<RoleTarget | undefined> {
  const items = targets.map((target) => ({ label: target.database, description: `${target.project} · ${target.role}`, target }));
  return (await vscode.window.showQuickPick(items, { placeHolder: 'Run on which database? (remembered for this file)' }))?.target;
}

/** The results page of a file: re-running on another database there changes the file's choice. */
function roleSource(services: Services, choices: RoleChoices, args: RunQueryArgs, targets: readonly RoleTarget[], first: RoleTarget): ResultSource {
  const { project } = first;
  const targetOn = (database: string) => targets.find((t) => t.database === database);
  return {
    key: `results:role:${args.uri}`,
    name: `role ${first.role}`,
    title: `Results: ${vscode.Uri.parse(args.uri).path.split('/').pop() || 'query'}`,
    databases: targets.map((t) => t.database),
    statement: args.statement,
    async run(database, signal) {
      await choices.set(args.uri, { project, database });
      try {
        return await services.session.client().query(project, database, args.statement, signal);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'PERMISSION_DENIED') void offerAccess(error.message, args.statement, project);
        throw error;
      }
    },
    exportFormats: (database) => (targetOn(database)?.canExport ? [...EXPORT_FORMATS] : []),
    export: (format, database = first.database) =>
      saveExport(services, {
        name: `${project} query on ${database}`,
        baseName: `${project}-export`,
        format,
        download: (signal) => services.session.client().exportQuery(project, database, args.statement, format, signal),
      }),
  };
}

/** Refused: the way forward is a role that allows querying, or a grant for this one statement. */
async function offerAccess(why: string, statement: string, project?: string): Promise<void> {
  const picked = await vscode.window.showWarningMessage(
    `${why.replace(/\.$/, '')}. Request a role that allows querying (sqlEditorUser), or data access for this statement.`,
    'Request Role',
    'Request Data Access',
  );
  if (picked === 'Request Role') await vscode.commands.executeCommand(COMMANDS.requestRole, { project, role: 'sqlEditorUser' });
  if (picked === 'Request Data Access') await vscode.commands.executeCommand(COMMANDS.requestDataAccess, { statement, project });
}
