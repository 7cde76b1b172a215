import type { LocalSession } from '../../session/local-session.ts';

/** Placeholder until the equipment screen lands. */
export function EquipmentScreen(_props: { session: LocalSession }) {
  return <section className="screen">Equipment</section>;
}
