// Asks a yes/no question on the terminal (for changes to several rows).
import { createInterface } from 'node:readline/promises';

/** `onCtrlC`: told when the answer was Ctrl-C (readline's own abort), which counts as no. */
export async function confirmOnTerminal(message: string, onCtrlC?: () => void): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${message}\nProceed? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } catch (err) {
    if ((err as { code?: string })?.code !== 'ABORT_ERR') throw err;
    process.stderr.write('\n');
    onCtrlC?.();
    return false;
  } finally {
    rl.close();
  }
}
