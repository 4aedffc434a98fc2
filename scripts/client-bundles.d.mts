import type { BuildOptions, Metafile } from 'esbuild';

export const extensionBundle: BuildOptions;
export const webviewBundle: BuildOptions;
export function forbiddenInputs(metafile: Metafile): string[];
export function assertClientBundle(name: string, metafile: Metafile): void;
