import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';

const exec = promisify(execFile);
const bin = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));

/** A configuration as the template has it: the pipeline and its dataset share a name. */
const CONFIG = {
  pipelines: [
    {
      name: 'shop',
      dataset: 'shop',
      resources: [
        {
          name: 'orders',
          writeDisposition: 'merge',
          primaryKey: ['id'],
          columns: { amount: { data_type: 'decimal', precision: 10, scale: 2 } },
          drop: { prefix: 'inbox/orders/' },
        },
        {
          name: 'customers',
          onBadRecord: 'quarantine',
          drop: {
            prefix: 'inbox/customers/',
            csv: { delimiter: ';', nullValues: ['-'] },
            encoding: 'latin1',
          },
        },
        { name: 'feed', source: { kind: 'rest_api', baseUrl: 'http://127.0.0.1:9/', path: 'feed' } },
      ],
    },
  ],
};

describe('sluice drop', () => {
  it("loads local files as the inbox takes them, each with its drop prefix's resource configuration", async () => {
    const dir = await tempDir('sluice-drop-cli-');
    await writeFile(join(dir, 'pipelines.mjs'), `export default ${JSON.stringify(CONFIG)};\n`);
    await mkdir(join(dir, 'inbox', 'orders'), { recursive: true });
    await mkdir(join(dir, 'inbox', 'customers'), { recursive: true });
    await mkdir(join(dir, 'elsewhere'));
    await writeFile(
      join(dir, 'inbox', 'orders', 'a.jsonl'),
      '{"id":1,"amount":"10.50"}\n{"id":2,"amount":3}\n',
    );
    // a semicolon CSV in Latin-1 with a null marker and one unterminated quote, which the resource quarantines
    await writeFile(
      join(dir, 'inbox', 'customers', 'c.csv'),
      Buffer.from('id;name;city\n1;José;-\n3;Ann;Oslo\n2;"Bo\n', 'latin1'),
    );
    await writeFile(join(dir, 'elsewhere', 'x.jsonl'), '{"id":3,"amount":1}\n');
    const cli = (...args: string[]) =>
      exec(process.execPath, [bin, ...args, '--config', 'pipelines.mjs', '--workdir', 'w'], { cwd: dir });
    const query = async (sql: string) =>
      (
        await exec(process.execPath, [bin, 'query', '--pipeline', 'shop', '--workdir', 'w', sql], {
          cwd: dir,
        })
      ).stdout;

    const ran = await cli('drop', 'inbox', '--pipeline', 'shop');
    expect(ran.stdout).toMatch(/items extracted: 4\n/);
    expect(ran.stdout).toContain('SELECT * FROM shop.shop.orders LIMIT 10');
    expect(
      await query(
        "SELECT string_agg(id || '=' || amount::VARCHAR, ',' ORDER BY id) AS v FROM shop.shop.orders",
      ),
    ).toContain('1=10.50,2=3.00');
    // the resource's null marker `-` is null; José's city is not the text '-'
    expect(
      await query(
        "SELECT string_agg(name || '=' || coalesce(city, '?'), ',' ORDER BY id) AS v FROM shop.shop.customers",
      ),
    ).toContain('José=?,Ann=Oslo');
    const [loadId] = /load (\d+\.\d+): loaded/.exec(ran.stdout)!.slice(1);
    const quarantine = join(dir, 'w', 'shop', 'packages', loadId!, 'quarantine', 'extract.0.jsonl');
    expect(ran.stdout).toContain(`quarantined: 1 malformed record in ${quarantine}\n`);
    const quarantined = await readFile(quarantine, 'utf8');
    expect(JSON.parse(quarantined)).toMatchObject({ line: 4, raw: '2;"Bo\n' });

    // a file under no drop prefix is refused by name; --resource takes it, merging on the key
    const refused = await cli('drop', 'elsewhere/x.jsonl', '--pipeline', 'shop').catch(
      (e: { stderr: string }) => e,
    );
    expect((refused as { stderr: string }).stderr).toContain(
      `${join(dir, 'elsewhere', 'x.jsonl')}: not under a drop prefix of pipeline shop (inbox/orders/, inbox/customers/); name its resource with --resource`,
    );
    await cli('drop', 'elsewhere/x.jsonl', '--pipeline', 'shop', '--resource', 'orders');
    expect(await query('SELECT count(*) AS n FROM shop.shop.orders')).toMatch(/│ 3 +│/);
    const pulled = await cli('drop', 'elsewhere', '--pipeline', 'shop', '--resource', 'feed').catch(
      (e: { stderr: string }) => e,
    );
    expect((pulled as { stderr: string }).stderr).toContain(
      'resource feed of pipeline shop is pulled from its source: use sluice pull',
    );
  }, 60_000);

  it('reads a TypeScript configuration kept outside any package, importing defineConfig', async () => {
    // no package.json above it: Node loads the .ts file as CommonJS
    const dir = await tempDir('sluice-drop-ts-config-');
    const defineConfig = fileURLToPath(new URL('../../shared/config/pipelines.ts', import.meta.url));
    await writeFile(
      join(dir, 'sluice.config.ts'),
      [
        `import { defineConfig } from ${JSON.stringify(defineConfig)};`,
        'const zip: { data_type: "text" } = { data_type: "text" };',
        "export default defineConfig({ pipelines: [{ name: 'crm', dataset: 'crm', resources: [",
        "  { name: 'people', columns: { zip }, drop: { prefix: 'inbox/people/' } },",
        '] }] });',
      ].join('\n'),
    );
    await mkdir(join(dir, 'inbox', 'people'), { recursive: true });
    await writeFile(join(dir, 'inbox', 'people', 'p.csv'), 'id,zip\n1,01234\n2,98765\n');
    const run = (...args: string[]) => exec(process.execPath, [bin, ...args, '--workdir', 'w'], { cwd: dir });

    await run('drop', 'inbox', '--pipeline', 'crm', '--config', 'sluice.config.ts');
    const { stdout } = await run('query', '--pipeline', 'crm', 'SELECT zip FROM crm.crm.people ORDER BY id');

    // the column hint of the configuration typed the CSV field: its leading zero stays
    expect(stdout).toMatch(/│ 01234 │[\s\S]*│ 98765 │/);
  });
});
