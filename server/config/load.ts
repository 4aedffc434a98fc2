// Reads and validates a config file. A bad file stops the start with the JSON path of the
// first bad field: the service never starts half-configured.
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';

/**
 * The issues, one per bad field. zod reports unknown keys on their parent object; they are
 * named by their own path here, since that is the field a person has to fix or remove.
 */
export function fieldIssues(error: z.ZodError): { path: PropertyKey[]; message: string }[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path, key], message: 'unknown field' }))
      : [{ path: issue.path, message: issue.message }],
  );
}

export function formatZodError(error: z.ZodError): string {
  return fieldIssues(error)
    .map((issue) => {
      const path = issue.path.reduce<string>(
        (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`),
        '$',
      );
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

export class ConfigError extends Error {}

export function parseConfig(raw: unknown, source: string): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`invalid config ${source}: ${formatZodError(result.error)}`);
  return result.data;
}

export async function loadConfigFile(file: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config ${file}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config ${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseConfig(raw, file);
}
