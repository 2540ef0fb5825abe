import { buildDeps } from './bootstrap.ts';
import { parseConfig } from './config.ts';
import { createLogger } from './log.ts';
import { startServer } from './server.ts';
import { exitOnOperatorError as exitWithOneLine } from './startup-error.ts';

function exitOnOperatorError(error: unknown): never {
  return exitWithOneLine(error, 'latchkey cannot start: ');
}

/** The composition root: configuration → dependencies → HTTP server, and a graceful stop on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    exitOnOperatorError(error);
  }
  const log = createLogger(config.logLevel);
  const built = await buildDeps(config, log).catch(exitOnOperatorError);
  const server = await startServer(built).catch(async (error: unknown) => {
    await built.storage.close();
    return exitOnOperatorError(error);
  });
  // created only once listening, so a start that fails leaves no key that nobody saw
  const createdApiKey = await built.createFirstApiKey();
  if (createdApiKey) {
    // Printed once, outside the structured log, because it is a secret: only its hash is stored.
    process.stderr.write(
      `\n  A project API key was created. It is shown only this once:\n\n    ${createdApiKey}\n\n` +
        `  Send it as the x-api-key header. Set LATCHKEY_API_KEY to choose your own.\n\n`,
    );
  }
  // before the line that says we listen: a supervisor may send SIGTERM the moment it reads it
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      server.shutdown().then(
        () => process.exit(0),
        (error: Error) => {
          log.error({ err: { name: error.name, stack: error.stack } }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
  log.info(
    { url: server.url, public_url: server.publicUrl, data_dir: config.dataDir, tools: built.deps.catalogue.toolCount },
    'latchkey listening',
  );
}

await main();
