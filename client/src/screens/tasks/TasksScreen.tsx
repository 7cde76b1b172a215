import type { LocalSession } from '../../session/local-session.ts';

/** Placeholder until the tasks screen lands. */
export function TasksScreen(_props: { session: LocalSession }) {
  return <section className="screen">Tasks</section>;
}
