// Everything the suite saw come out of the service — child stdout/stderr, error bodies, audit
// logs, state files — kept in memory so the secrets test (zz-secrets.test.ts, run last) can
// grep all of it for tokens, passwords, URL credentials and masked values.
export interface Output {
  source: string;
  text: string;
}

export const outputs: Output[] = [];
/** Secret strings that must never appear in an output, with what they are. */
export const secrets = new Map<string, string>();
/** Inputs tried by the property-based tests, per property, for the README figures. */
export const inputsTried = new Map<string, number>();
/** Figures for the README's reliability section. */
export const figures: Record<string, number> = {};

export function record(source: string, text: string): void {
  if (text) outputs.push({ source, text });
}

export function addSecret(value: string, what: string): void {
  secrets.set(value, what);
}

export function countInputs(property: string, n: number): void {
  inputsTried.set(property, (inputsTried.get(property) ?? 0) + n);
}
