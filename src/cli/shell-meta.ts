// The shell's dot commands (.help, .tables, .describe, …): one handler each, dispatched through one map.
import { DoqlError } from '../errors.js';
import type { CellValue, StatementResult } from '../engine/types.js';
import type { RunContext } from './context.js';
import { FORMAT_NAMES, type FormatName } from './format/index.js';
import type { RunOptions } from './options.js';
import { resourceIds } from './shell-completer.js';

/** What a dot command may read and change. */
export interface ShellState {
  ctx: RunContext;
  opts: RunOptions;
  format: FormatName;
  timing: boolean;
  print(result: StatementResult): void;
  notice(line: string): void;
  /** Runs statements through the session, printing their results. */
  run(sql: string): Promise<void>;
  switchContext(name: string): Promise<void>;
  quit(): void;
}

interface MetaCommand {
  usage: string;
  help: string;
  /** `args` split on spaces; `argText` the text after the command name, as typed. */
  run(state: ShellState, args: string[], argText: string): void | Promise<void>;
}

function rows(columns: string[], data: CellValue[][], command = 'SHOW'): StatementResult {
  return { kind: 'rows', columns: columns.map((name) => ({ name, type: 'TEXT' })), rows: data, command: `${command} ${data.length}` };
}

function usage(name: string): never {
  throw new DoqlError('usage', `usage: ${name} ${META[name].usage}`.trim());
}

/** `%` and `*` are wildcards; a pattern without them matches anywhere in the id. */
function matcher(pattern: string | undefined): (id: string) => boolean {
  if (!pattern) return () => true;
  const body = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/[%*]/g, '.*').replace(/_/g, '.');
  const re = /[%*]/.test(pattern) ? new RegExp(`^${body}$`, 'i') : new RegExp(body, 'i');
  return (id) => re.test(id);
}

/** `backups`, `databases.backups` or the full id: the shell accepts the short forms when they are unambiguous. */
function resourceId(state: ShellState, name: string): string {
  if (name.split('.').length >= 3) return name;
  const ids = resourceIds(state.ctx.catalog.catalog).filter((id) => id.endsWith(`.${name.toLowerCase()}`));
  return ids.length === 1 ? ids[0] : name;
}

export const META: Record<string, MetaCommand> = {
  '.help': {
    usage: '',
    help: 'this list',
    run: (state) => {
      const lines = Object.entries(META).map(([name, c]) => `  ${`${name} ${c.usage}`.padEnd(28)} ${c.help}`);
      state.notice(
        [
          'Statements end with ; and may span lines (SHOW, DESCRIBE, SELECT, INSERT, UPDATE, REPLACE, DELETE, EXEC).',
          'Tab completes keywords, digitalocean.<service>.<resource> names and the columns of the resources in the statement.',
          'Ctrl-C cancels a running statement or clears the line; Ctrl-D exits. {{ name }} takes a value from .set.',
          ...lines,
        ].join('\n'),
      );
    },
  },
  '.tables': {
    usage: '[pattern]',
    help: 'list resources (pattern: part of the id, or % and * wildcards)',
    run: (state, [pattern]) => {
      const match = matcher(pattern);
      const data: CellValue[][] = [];
      for (const s of Object.values(state.ctx.catalog.catalog.services)) {
        for (const r of Object.values(s.resources)) if (match(r.id)) data.push([r.id, [...new Set(r.methods.map((m) => m.verb.toUpperCase()))].join(', ')]);
      }
      data.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      state.print(rows(['id', 'verbs'], data));
    },
  },
  '.describe': {
    usage: 'RESOURCE',
    help: "a resource's fields and methods (as its docs page lists them)",
    run: async (state, [name]) => {
      if (!name) usage('.describe');
      const id = resourceId(state, name);
      const session = state.ctx.session;
      const [fields] = await session.execute(`DESCRIBE ${id}`);
      const [methods] = await session.execute(`SHOW EXTENDED METHODS IN ${id}`);
      state.print(fields);
      // The docs page's Methods table: name, SQL verb, required params, description.
      const keep = ['name', 'sql_verb', 'required_params', 'description'].map((c) => methods.columns.findIndex((col) => col.name === c));
      state.print({ ...methods, columns: keep.map((i) => methods.columns[i]), rows: methods.rows.map((r) => keep.map((i) => r[i])) });
    },
  },
  '.output': {
    usage: 'FORMAT',
    help: `output format: ${FORMAT_NAMES.join(', ')}`,
    run: (state, [format]) => {
      if (!format) return state.notice(`output: ${state.format}`);
      if (!(FORMAT_NAMES as readonly string[]).includes(format)) throw new DoqlError('usage', `unknown output format "${format}"; one of ${FORMAT_NAMES.join(', ')}`);
      state.format = format as FormatName;
    },
  },
  '.timing': {
    usage: 'on|off',
    help: 'print time and request count after each statement',
    run: (state, [value]) => {
      if (value !== 'on' && value !== 'off') usage('.timing');
      state.timing = value === 'on';
    },
  },
  '.vars': {
    usage: '',
    help: 'the {{ name }} template variables',
    run: (state) => {
      const vars = state.ctx.session.vars;
      state.print(rows(['name', 'value'], Object.keys(vars).sort().map((k) => [k, String(vars[k])])));
    },
  },
  '.set': {
    usage: 'NAME VALUE',
    help: 'set a template variable (the rest of the line is the value)',
    run: (state, _args, argText) => {
      const m = /^([A-Za-z_][A-Za-z0-9_.-]*)(?:\s+(.*))?$/s.exec(argText);
      if (!m) usage('.set');
      state.ctx.session.vars[m![1]] = (m![2] ?? '').trim();
    },
  },
  '.unset': {
    usage: 'NAME',
    help: 'forget a template variable',
    run: (state, [name]) => {
      if (!name) usage('.unset');
      delete state.ctx.session.vars[name];
    },
  },
  '.context': {
    usage: 'NAME',
    help: 'switch to a doctl auth context (its token)',
    run: async (state, [name]) => {
      if (!name) return state.notice(`context: ${state.opts.context ?? '(default)'}`);
      await state.switchContext(name);
    },
  },
  '.cache': {
    usage: 'clear',
    help: 'forget the API results kept for the cache TTL',
    run: (state, [what]) => {
      if (what !== 'clear') usage('.cache');
      state.ctx.session.cache.clear();
    },
  },
  '.quit': { usage: '', help: 'leave the shell (also .exit, Ctrl-D)', run: (state) => state.quit() },
  '.exit': { usage: '', help: 'leave the shell', run: (state) => state.quit() },
};

/** Runs one dot-command line. */
export async function runMeta(state: ShellState, line: string): Promise<void> {
  const text = line.trim();
  const name = /^\S+/.exec(text)![0];
  const argText = text.slice(name.length).trim();
  const command = META[name.toLowerCase()];
  if (!command) throw new DoqlError('usage', `unknown command ${name}; .help lists them`);
  await command.run(state, argText ? argText.split(/\s+/) : [], argText);
}
