// Asks a yes/no question on the terminal (for changes to several rows).
import { createInterface } from 'node:readline/promises';

export async function confirmOnTerminal(message: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${message}\nProceed? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
