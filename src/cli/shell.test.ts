// The shell's parts without a terminal: when a buffer is complete, completion, dot commands, history,
// and the read-run-print loop over plain streams.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildMissing, tempDoqlHome } from '../../test/cli/doql-home.js';
import type { Catalog, Resource } from '../catalog/types.js';
import type { RunOptions } from './options.js';
import { bufferState } from './shell-buffer.js';
import { completeLine } from './shell-completer.js';
import { loadHistory, saveHistory } from './shell-history.js';
import { runShell } from './shell.js';

const backups: Resource = {
  id: 'digitalocean.databases.backups',
  service: 'databases',
  name: 'backups',
  description: '',
  columns: [
    { name: 'created_at', sqlType: 'TEXT', schemaType: 'string', description: '' },
    { name: 'size_gigabytes', sqlType: 'REAL', schemaType: 'number', description: '' },
  ],
  methods: [
    {
      name: 'databases_list_backups',
      operationId: 'databases_list_backups',
      verb: 'select',
      httpMethod: 'get',
      path: '/v2/databases/{database_cluster_uuid}/backups',
      summary: '',
      description: '',
      params: [{ name: 'database_cluster_uuid', in: 'path', required: true, schemaType: 'string', sqlType: 'TEXT', description: '' }],
      requiredParams: ['database_cluster_uuid'],
      returnsList: true,
      paginated: false,
      successStatus: 200,
      tags: [],
    },
  ],
};

const catalog: Catalog = {
  provider: 'digitalocean',
  source: 'test',
  specVersion: '1',
  specHash: 'x',
  serverUrl: 'https://api.digitalocean.com',
  operationCount: 1,
  services: {
    databases: { name: 'databases', title: 'Databases', description: '', resources: { backups } },
    compute: { name: 'compute', title: 'Compute', description: '', resources: {} },
  },
};

describe('bufferState', () => {
  it.each([
    ['', 'empty'],
    ['  -- just a comment', 'empty'],
    ['SELECT 1', 'incomplete'],
    ['SELECT 1;', 'complete'],
    ['SELECT 1; -- done', 'complete'],
    ["SELECT ';", 'incomplete'],
    ["SELECT ';'", 'incomplete'],
    ["SELECT ';';", 'complete'],
    ['SELECT 1 /* ; */', 'incomplete'],
    ['SELECT 1 /* unterminated ;', 'incomplete'],
    ['SELECT\n1\n;', 'complete'],
  ])('%j is %s', (text, state) => {
    expect(bufferState(text)).toBe(state);
  });
});

describe('completeLine', () => {
  it.each([
    ['SHOW RESOURCES IN digitalocean.datab', '', [['digitalocean.databases'], 'digitalocean.datab']],
    ['SHOW SERVICES IN digi', '', [['digitalocean'], 'digi']],
    ['SELECT * FROM digitalocean.databases.', '', [['digitalocean.databases.backups'], 'digitalocean.databases.']],
    ['EXEC digitalocean.databases.backups.data', '', [['digitalocean.databases.backups.databases_list_backups'], 'digitalocean.databases.backups.data']],
    ['sel', '', [['select'], 'sel']],
    ['SEL', '', [['SELECT'], 'SEL']],
    ['WHERE database_cl', 'SELECT * FROM digitalocean.databases.backups', [['database_cluster_uuid'], 'database_cl']],
    ['SELECT b.siz', 'FROM digitalocean.databases.backups b', [['b.size_gigabytes'], 'b.siz']],
    ['SELECT crea', '', [[], 'crea']],
    ['.desc', '', [['.describe'], '.desc']],
    ['.describe digitalocean.databases.b', '', [['digitalocean.databases.backups'], 'digitalocean.databases.b']],
    ['.output cs', '', [['csv'], 'cs']],
    ['.timing o', '', [['on', 'off'], 'o']],
  ])('%j (earlier lines %j)', (line, buffer, expected) => {
    expect(completeLine(line, buffer, catalog)).toEqual(expected);
  });

  it('offers the columns of the statement for an empty word', () => {
    expect(completeLine('SELECT ', 'FROM digitalocean.databases.backups', catalog)[0]).toEqual(['created_at', 'database_cluster_uuid', 'size_gigabytes']);
  });
});

describe('history file', () => {
  it('round-trips newest first and keeps the file oldest first', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'doql-hist-')), 'state', 'history');
    expect(loadHistory(file)).toEqual([]);
    expect(saveHistory(file, ['third;', 'second', 'first'])).toBeUndefined();
    expect(readFileSync(file, 'utf8')).toBe('first\nsecond\nthird;\n');
    expect(loadHistory(file)).toEqual(['third;', 'second', 'first']);
  });
});

const OPTIONS: RunOptions = {
  output: 'csv',
  header: true,
  color: false,
  expanded: false,
  var: [],
  sandbox: false,
  verbose: false,
  stats: false,
  debug: false,
  dryRun: false,
  yes: false,
};

/** Runs the shell over the given input lines (no terminal) and returns what it printed. */
async function shellSession(lines: string[], opts: Partial<RunOptions> = {}): Promise<{ stdout: string; stderr: string }> {
  const output = new PassThrough();
  let stdout = '';
  output.on('data', (d: Buffer) => (stdout += d.toString()));
  let stderr = '';
  await runShell(
    { ...OPTIONS, ...opts },
    { input: Readable.from(lines.map((l) => `${l}\n`)), output, terminal: false, stderr: (l) => (stderr += `${l}\n`), stderrIsTTY: false },
  );
  return { stdout, stderr };
}

const missing = buildMissing();
if (missing) console.warn(`skipping runShell tests: ${missing}`);

describe.skipIf(Boolean(missing))('runShell over plain streams', () => {
  beforeAll(() => {
    process.env.DOQL_HOME = tempDoqlHome({ withBuiltCatalog: true });
  });

  it('runs a statement typed over several lines once its ; arrives', async () => {
    const { stdout, stderr } = await shellSession(['SHOW RESOURCES', 'IN digitalocean.databases', "LIKE 'backups'", ';']);
    expect(stderr).toBe('');
    expect(stdout).toBe('name,id\nbackups,digitalocean.databases.backups\n');
  });

  it('prints an error as one doql: line and carries on', async () => {
    const { stdout, stderr } = await shellSession(['DESCRIBE digitalocean.databases.bakups;', "SHOW RESOURCES IN digitalocean.databases LIKE 'backups';"]);
    expect(stderr).toMatch(/^doql: unknown resource digitalocean\.databases\.bakups: did you mean digitalocean\.databases\.backups\?/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stdout).toContain('backups,digitalocean.databases.backups');
  });

  it('shows a parse error with its caret line', async () => {
    const { stderr } = await shellSession(['SHOW RESOURCES digitalocean;']);
    expect(stderr).toBe('doql: syntax error at line 1, column 16: expected IN after SHOW RESOURCES\nSHOW RESOURCES digitalocean;\n               ^\n');
  });

  it('.describe lists the fields and the methods as the docs page does', async () => {
    for (const name of ['digitalocean.databases.backups', 'databases.backups']) {
      const { stdout, stderr } = await shellSession([`.describe ${name}`]);
      expect(stderr).toBe('');
      expect(stdout).toContain('name,type,description\ncreated_at,string,');
      expect(stdout).toContain('name,sql_verb,required_params,description\ndatabases_list_backups,SELECT,database_cluster_uuid,');
    }
  });

  it('.set, .vars and .unset manage the {{ }} variables', async () => {
    const { stdout, stderr } = await shellSession([
      '.set pat b%',
      '.set svc digitalocean.databases',
      '.vars',
      "SHOW RESOURCES IN digitalocean.databases LIKE '{{ pat }}';",
      '.unset pat',
      "SHOW RESOURCES IN digitalocean.databases LIKE '{{ pat }}';",
    ]);
    expect(stdout).toContain('name,value\npat,b%\nsvc,digitalocean.databases\n');
    expect(stdout).toContain('backups,digitalocean.databases.backups');
    expect(stderr).toMatch(/^doql: unset template variable: \{\{ pat \}\} \(line 1\)/);
  });

  it('.output, .timing, .tables and .cache clear', async () => {
    const { stdout, stderr } = await shellSession(['.output jsonl', '.timing on', "SHOW RESOURCES IN digitalocean.databases LIKE 'backups';", '.tables databases.back', '.cache clear', '.output nope']);
    expect(stdout).toContain('{"name":"backups","id":"digitalocean.databases.backups"}');
    expect(stdout).toContain('{"id":"digitalocean.databases.backups","verbs":"SELECT"}');
    expect(stderr).toMatch(/^Time: \d+\.\d ms, requests: 0$/m);
    expect(stderr).toMatch(/^doql: unknown output format "nope"/m);
  });

  it('.context switches the doctl auth context, keeping the variables; an unknown one is one error line', async () => {
    const config = mkdtempSync(join(tmpdir(), 'doql-xdg-'));
    mkdirSync(join(config, 'doctl'));
    writeFileSync(join(config, 'doctl', 'config.yaml'), 'access-token: default-token\nauth-contexts:\n  staging: staging-token\n');
    const saved = process.env.XDG_CONFIG_HOME;
    process.env.XDG_CONFIG_HOME = config;
    try {
      const { stdout, stderr } = await shellSession(['.set a 1', '.context staging', '.context', '.vars', '.context nope']);
      const lines = stderr.trim().split('\n');
      expect(lines.slice(0, 2)).toEqual(['context staging', 'context: staging']);
      expect(lines[2]).toMatch(/^doql: .*nope/);
      expect(lines).toHaveLength(3);
      expect(stdout).toBe('name,value\na,1\n');
      expect(stderr).not.toMatch(/default-token|staging-token/);
    } finally {
      if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = saved;
    }
  });

  it('.quit stops reading; later lines do not run', async () => {
    const { stdout } = await shellSession(['.quit', 'SHOW PROVIDERS;']);
    expect(stdout).toBe('');
  });

  it('unknown dot commands are errors that name .help', async () => {
    const { stderr } = await shellSession(['.frob']);
    expect(stderr).toBe('doql: unknown command .frob; .help lists them\n');
  });
});
