import type { LocalSession } from '../../session/local-session.ts';

/** Placeholder until the parts screen lands. */
export function PartsScreen(_props: { session: LocalSession }) {
  return <section className="screen">Parts</section>;
}
