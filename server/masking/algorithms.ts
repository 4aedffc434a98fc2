// Masking algorithms. (Written by the lead while wiring run/query/export; data-plane helper:
// extend these files rather than replacing them — the domain imports this API.)
import { createHash } from 'node:crypto';
import type { MaskingAlgorithm } from '../config/schema.js';
import type { Cell } from '../engines/engine.js';

export const FULL_MASK = '******';

/** Keeps a little at each end (about a fifth, at most 3 characters) and masks the middle. */
function partial(text: string): string {
  const chars = [...text];
  const keep = Math.min(3, Math.floor(chars.length / 5));
  if (keep === 0) return FULL_MASK;
  return `${chars.slice(0, keep).join('')}${FULL_MASK}${chars.slice(chars.length - keep).join('')}`;
}

/** Masks one value; null stays null (absence is not secret). Every other value becomes a string. */
export function maskValue(algorithm: MaskingAlgorithm, value: Cell): Cell {
  if (value === null) return null;
  const text = String(value);
  switch (algorithm) {
    case 'full':
      return FULL_MASK;
    case 'partial':
      return partial(text);
    case 'md5':
      return createHash('md5').update(text, 'utf8').digest('hex');
  }
}
