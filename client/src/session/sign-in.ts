import type { PGliteInterface } from '@electric-sql/pglite';
import type { TrainingAccount } from '@cimco/contract';
import { login, logout, trainingLogin, type ServerTarget } from '../api/server-api.ts';
import { clearSession, deviceCredentials, readSession, storeSession } from './local-session.ts';

/**
 * Signs a person in on this tablet: the server registers the tablet by its device id and secret
 * (the ones its database made; the secret proves the id is this tablet's) and the session is kept
 * in the local database, where the leader picks it up. Several people may sign in on one tablet
 * in turn.
 */
export async function signIn(pg: PGliteInterface, server: ServerTarget, username: string, password: string): Promise<void> {
  const device = { ...(await deviceCredentials(pg)), name: deviceName() };
  await storeSession(pg, await login(server, username, password, device));
}

/**
 * Enters the training yard (of the live yard `site`, or the server's only yard) as one of its
 * people. Runs in the training yard's own database (db/yard-choice.ts), like any sign-in.
 */
export async function signInTraining(pg: PGliteInterface, server: ServerTarget, account: TrainingAccount, site: string | undefined): Promise<void> {
  const device = { ...(await deviceCredentials(pg)), name: deviceName() };
  const before = await readSession(pg);
  const session = await trainingLogin(server, account, site, device);
  // A different training yard (the old one was reset): practice queued for the old one would wait
  // for people who can never sign in again. Only in the training yard's own database.
  if (before && before.siteId !== session.user.siteId) await pg.exec('delete from needs_attention; delete from outbox;');
  await storeSession(pg, session);
}

/**
 * Signs out on this tablet. Queued commands stay in the outbox (they are uploaded when their
 * author signs in again); the server is told when it can be reached, and the session ends here
 * either way.
 */
export async function signOut(pg: PGliteInterface, server: ServerTarget): Promise<void> {
  const session = await readSession(pg);
  await clearSession(pg);
  if (session) await logout(server, session).catch(() => {});
}

function deviceName(): string | undefined {
  const agent = globalThis.navigator?.userAgent;
  return agent ? `Tablet (${agent.slice(0, 80)})` : undefined;
}
