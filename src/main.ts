/** Reads the configuration, opens (and migrates) the store, bootstraps accounts, serves. */
import { bootstrapAccounts, buildApp } from './app.ts';
import { loggerOptions } from './logging.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openStore } from './store/database.ts';

function describeStore(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`gatehouse: bad configuration: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }

  // Until the app's logger exists, background failures go to stderr.
  let reportBackgroundError = (error: unknown): void => console.error(error);
  const store = await openStore(config.databaseUrl, { onBackgroundError: (error) => reportBackgroundError(error) });
  const deps = {
    config,
    store,
    logger: loggerOptions(config.logLevel),
  };
  const app = await buildApp(deps);
  reportBackgroundError = (error) => app.log.warn({ err: error }, 'store background work failed (see the error); the store carries on');
  const { generatedPassword } = await bootstrapAccounts(deps);
  if (generatedPassword) {
    // Printed once, to the console only (not through the log pipeline), when the admin is first created.
    process.stdout.write(
      `\nGatehouse created the admin account "${config.adminUsername}" with the generated password:\n\n    ${generatedPassword}\n\nKeep it now: it is stored hashed and will not be shown again.\n\n`,
    );
  }

  const shutdown = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  app.log.info({ store: store.kind, database: describeStore(config.databaseUrl) }, 'gatehouse ready');
}

main().catch((error: unknown) => {
  process.stderr.write(`gatehouse: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
