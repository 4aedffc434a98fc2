// Finds where a statement names a table, for refusals that come from an engine: the engine
// names what it could not resolve, but not where it is in the text.
import type { EngineKind } from '../engines/engine.js';
import { LEX_MODES, lex, LexError } from '../../lang/sql/lexer.js';
import { position } from './statement-gate.js';

/**
 * Line and column (1-based) of the first identifier spelling `name` (compared without case:
 * engines report a name folded or as written), or undefined when the text does not spell it.
 */
export function locateName(sql: string, kind: EngineKind, name: string): { line: number; column: number } | undefined {
  let tokens;
  try {
    tokens = lex(sql, LEX_MODES[kind][0]);
  } catch (err) {
    if (err instanceof LexError) return undefined;
    throw err;
  }
  const wanted = name.toLowerCase();
  const token = tokens.find((t) => (t.kind === 'word' || t.kind === 'quoted') && t.text.toLowerCase() === wanted);
  return token && position(sql, token.offset);
}
