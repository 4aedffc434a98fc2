// Commands are invoked from the tree (with a node), from CodeLens (with an id) and from the
// palette (with nothing); these read the id out of whichever arrived.
import { isRecord } from './api-errors.js';

export function grantIdOf(arg: unknown): string | undefined {
  return idOf(arg, 'grantId');
}

export function requestIdOf(arg: unknown): string | undefined {
  return idOf(arg, 'requestId');
}

function idOf(arg: unknown, key: string): string | undefined {
  if (typeof arg === 'string' && arg) return arg;
  if (isRecord(arg) && typeof arg[key] === 'string') return arg[key] as string;
  return undefined;
}
