// The shell's dot commands (.help, .tables, .describe, …): one handler each, dispatched through one map.
import { DoqlError } from '../errors.js';
import type { CellValue, StatementResult } from '../engine/types.js';
import type { RunContext } from './context.js';
import { FORMAT_NAMES, type FormatName } from './format/index.js';
import { formatNamed, type RunOptions } from './options.js';
import { resourceIds } from './shell-completer.js';

/** What a dot command may read and change. */
export interface ShellState {
  ctx: RunContext;
  /** The options results print with; meta commands (\\x, .headers, .nullvalue) replace it. */
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
  // `databases.*` as psql users type it matches without the provider's name too.
  return (id) => re.test(id) || re.test(id.replace(/^[^.]+\./, ''));
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
          'Ctrl-C cancels a running statement or clears the line; Ctrl-D, exit or quit exits. {{ name }} takes a value from .set.',
          "psql's \\? \\q \\dt [pattern] \\d [NAME] \\x \\timing and sqlite3's .schema [NAME] .mode .headers .timer work too.",
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
      const named = formatNamed(format);
      if (!named) throw new DoqlError('usage', `unknown output format "${format}"; one of ${FORMAT_NAMES.join(', ')}`);
      state.format = named;
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
    usage: 'NAME | A,B | all',
    help: 'switch to a doctl auth context (its token), or to several: statements then run over each account',
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
  '.expanded': {
    usage: '[on|off|auto]',
    help: 'one field a line (psql \\x); off = a table, or records when a row cannot fit',
    run: (state, [value]) => {
      if (value !== undefined && value !== 'on' && value !== 'off' && value !== 'auto') usage('.expanded');
      const on = value === undefined ? !state.opts.expanded : value === 'on';
      state.opts = { ...state.opts, expanded: on };
      state.notice(`Expanded display is ${on ? 'on' : value === 'auto' ? 'used automatically' : 'off'}.`);
    },
  },
  '.headers': {
    usage: 'on|off',
    help: 'header lines in table, csv, tsv and text output',
    run: (state, [value]) => {
      if (value !== 'on' && value !== 'off') usage('.headers');
      state.opts = { ...state.opts, header: value === 'on' };
    },
  },
  '.nullvalue': {
    usage: 'TEXT',
    help: 'how NULL prints (--null; psql \\pset null)',
    run: (state, _args, argText) => {
      state.opts = { ...state.opts, null: argText.replace(/^(['"])(.*)\1$/, '$2') || undefined };
    },
  },
  '.quit': { usage: '', help: 'leave the shell (also .exit, Ctrl-D)', run: (state) => state.quit() },
  '.exit': { usage: '', help: 'leave the shell', run: (state) => state.quit() },
};

/**
 * psql's backslash commands and sqlite3's dot commands that users type from habit, as the dot command doing the
 * same (`\\d` with a name describes it; alone it lists, as in psql). The value is the command, or a function of
 * the arguments; `args` maps sqlite3's words to ours where they differ.
 */
const ALIASES: Record<string, string | ((args: string[]) => string)> = {
  '\\?': '.help',
  '\\h': '.help',
  '\\q': '.quit',
  '\\dt': '.tables',
  '\\dt+': '.tables',
  '\\d': (args) => (args.length ? '.describe' : '.tables'),
  '\\d+': (args) => (args.length ? '.describe' : '.tables'),
  '\\x': '.expanded',
  '\\timing': '.timing',
  '\\set': '.set',
  '\\unset': '.unset',
  '.schema': (args) => (args.length ? '.describe' : '.tables'),
  '.mode': '.output',
  '.header': '.headers',
  '.timer': '.timing',
};

/** sqlite3's `.mode` names as doql's formats. */
const SQLITE_MODES: Record<string, FormatName> = { box: 'table', column: 'table', list: 'text', tabs: 'tsv' };

/** Runs one dot-command (or psql backslash-command) line. */
export async function runMeta(state: ShellState, line: string): Promise<void> {
  // `\q;` and `.tables;`: a habit from statements, not part of the command.
  const text = line.trim().replace(/\s*;+$/, '');
  const typed = /^\S+/.exec(text)![0];
  let argText = text.slice(typed.length).trim();
  let args = argText ? argText.split(/\s+/) : [];
  const alias = ALIASES[typed.toLowerCase()];
  const name = typeof alias === 'function' ? alias(args) : (alias ?? typed.toLowerCase());
  // psql's \timing alone toggles; doql's .timing wants on|off.
  if (typed.toLowerCase() === '\\timing' && !args.length) args = [state.timing ? 'off' : 'on'];
  if (typed.toLowerCase() === '.mode' && args[0] && SQLITE_MODES[args[0]]) args = [SQLITE_MODES[args[0]]];
  if (args.join(' ') !== argText.split(/\s+/).filter(Boolean).join(' ')) argText = args.join(' ');
  const command = META[name];
  if (!command) throw new DoqlError('usage', `unknown command ${typed}; ${typed.startsWith('\\') ? '\\? or ' : ''}.help lists them`);
  await command.run(state, args, argText);
}
