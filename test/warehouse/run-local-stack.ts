// `npm run local-stack`: moto and the local Databricks warehouse in the foreground, with the
// `export` lines that point the CLI at them. Runs until interrupted, then stops what it started.
import { exportLines, startLocalStack } from './local-stack.js';

process.stderr.write('starting moto and the local Databricks warehouse (Spark + Delta Lake)...\n');
const { info, stop } = await startLocalStack();
console.log(exportLines(info).join('\n'));
process.stderr.write(
  `# ready: Spark started in ${info.sparkStartupSeconds}s; OAuth M2M ${info.warehouse.oauthAvailable ? `at https://${info.warehouse.workspaceHost}` : 'unavailable (port 443 could not be bound)'}; logs in ${info.logDir}\n# press Ctrl-C to stop\n`,
);
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    process.stderr.write('stopping...\n');
    await stop();
    process.exit(0);
  });
}
setInterval(() => undefined, 1 << 30);
