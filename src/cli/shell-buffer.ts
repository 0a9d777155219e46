// When the shell's statement buffer is ready to run: it ends with `;` outside strings and comments.
import { tokenize } from '../sql/lexer.js';

export type BufferState = 'empty' | 'incomplete' | 'complete';

export function bufferState(buffer: string): BufferState {
  let tokens;
  try {
    tokens = tokenize(buffer);
  } catch {
    // The lexer only throws for an unterminated string, identifier or comment: more lines will close it.
    return 'incomplete';
  }
  const meaningful = tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
  if (!meaningful.length) return 'empty';
  const last = meaningful[meaningful.length - 1];
  return last.kind === 'punct' && last.text === ';' ? 'complete' : 'incomplete';
}
