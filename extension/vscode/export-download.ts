// Saves a grant's export to a file the user picks, streaming with progress and cancellation.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as vscode from 'vscode';
import type { ExportFormat, Grant } from '../core/api-types.js';
import { exportStopReason } from '../core/export-cut.js';
import { grantName, shortId } from '../core/grant-labels.js';
import { withProgressThenReport } from '../core/progress.js';
import { showError } from './errors.js';
import type { Services } from './services.js';

/** Returns the "Exported … to …" message, or undefined when cancelled or failed. */
export async function exportGrantResult(services: Services, grant: Grant, format: ExportFormat, database?: string): Promise<string | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const fileName = `grant-${shortId(grant.id)}.${format}`;
  const target = await vscode.window.showSaveDialog({
    title: `Export ${grantName(grant)} as ${format.toUpperCase()}`,
    defaultUri: folder ? vscode.Uri.joinPath(folder, fileName) : undefined,
    filters: { [format.toUpperCase()]: [format] },
    saveLabel: 'Export',
  });
  if (!target) return undefined;
  return withProgressThenReport(
    (task) => vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Exporting ${grantName(grant)}`, cancellable: true }, task),
    async (progress: vscode.Progress<{ message?: string; increment?: number }>, signal: AbortSignal) => {
      try {
        const download = await services.session.client().exportGrant(grant.id, format, database, signal);
        let bytes = 0;
        const counted = Readable.fromWeb(download.body as import('node:stream/web').ReadableStream<Uint8Array>, { signal });
        counted.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          const increment = download.size ? (chunk.length / download.size) * 100 : undefined;
          progress.report({ message: `${formatBytes(bytes)}`, increment });
        });
        await pipeline(counted, await sink(target), { signal });
        const message = `Exported ${grantName(grant)} to ${vscode.workspace.asRelativePath(target)} (${formatBytes(bytes)}).`;
        void vscode.window.showInformationMessage(message);
        return message;
      } catch (error) {
        // No half-written file is left behind.
        if (target.scheme === 'file') await rm(target.fsPath, { force: true });
        if (signal.aborted) throw error;
        const current = await services.session.client().grant(grant.id).catch(() => undefined);
        const stopped = current && exportStopReason(current, Date.now());
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
