// Saves an export (a grant's, or a statement's run with a role) to a file the user picks,
// streaming with progress and cancellation.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as vscode from 'vscode';
import type { ExportDownload } from '../core/api-client.js';
import type { ExportFormat, Grant } from '../core/api-types.js';
import { exportStopReason } from '../core/export-cut.js';
import { grantName, shortId } from '../core/grant-labels.js';
import { withProgressThenReport } from '../core/progress.js';
import { showError } from './errors.js';
import type { Services } from './services.js';

/** What an export downloads, and how to tell why it stopped early. */
export interface ExportJob {
  /** "grant #a1b2c3", "role sqlEditorUser on demo/hr" */
  name: string;
  /** Suggested file name, without the extension. */
  baseName: string;
  format: ExportFormat;
  download(signal: AbortSignal): Promise<ExportDownload>;
  /** Why the service cut the export short (the grant expired mid-export…), if it says. */
  stoppedBecause?(): Promise<string | undefined>;
}

/** Returns the "Exported … to …" message, or undefined when cancelled or failed. */
export function exportGrantResult(services: Services, grant: Grant, format: ExportFormat, database?: string): Promise<string | undefined> {
  return saveExport(services, {
    name: grantName(grant),
    baseName: `grant-${shortId(grant.id)}`,
    format,
    download: (signal) => services.session.client().exportGrant(grant.id, format, database, signal),
    stoppedBecause: async () => {
      const current = await services.session.client().grant(grant.id).catch(() => undefined);
      return current && exportStopReason(current, Date.now());
    },
  });
}

/** Streams the job's download to a file the user picks; no half-written file is left behind. */
export async function saveExport(services: Services, job: ExportJob): Promise<string | undefined> {
  const { format, name } = job;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const fileName = `${job.baseName}.${format}`;
  const target = await vscode.window.showSaveDialog({
    title: `Export ${name} as ${format.toUpperCase()}`,
    defaultUri: folder ? vscode.Uri.joinPath(folder, fileName) : undefined,
    filters: { [format.toUpperCase()]: [format] },
    saveLabel: 'Export',
  });
  if (!target) return undefined;
  return withProgressThenReport(
    (task) => vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Exporting ${name}`, cancellable: true }, task),
    async (progress: vscode.Progress<{ message?: string; increment?: number }>, signal: AbortSignal) => {
      try {
        const download = await job.download(signal);
        let bytes = 0;
        const counted = Readable.fromWeb(download.body as import('node:stream/web').ReadableStream<Uint8Array>, { signal });
        counted.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          const increment = download.size ? (chunk.length / download.size) * 100 : undefined;
          progress.report({ message: `${formatBytes(bytes)}`, increment });
        });
        await pipeline(counted, await sink(target), { signal });
        const message = `Exported ${name} to ${vscode.workspace.asRelativePath(target)} (${formatBytes(bytes)}).`;
        void vscode.window.showInformationMessage(message);
        return message;
      } catch (error) {
        if (target.scheme === 'file') await rm(target.fsPath, { force: true });
        if (signal.aborted) throw error;
        const stopped = await job.stoppedBecause?.();
        throw stopped ? new Error(stopped) : error;
      }
    },
    // showError says nothing about a cancelled export.
    (error) => showError(error, services.session.serverUrl),
  );
}

/** Local files stream to disk; other file systems (remote) get the bytes at the end. */
async function sink(target: vscode.Uri): Promise<Writable> {
  if (target.scheme === 'file') return createWriteStream(target.fsPath);
  const chunks: Buffer[] = [];
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
    final(done) {
      vscode.workspace.fs.writeFile(target, Buffer.concat(chunks)).then(() => done(), done);
    },
  });
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
