/**
 * Shape log offsets. The protocol's offsets are `<tx>_<op>`; ours point between transactions:
 * `<tx>_inf` means "everything up to and including transaction `tx` of the feed". A response never
 * ends inside a transaction, so no other form is ever handed out; `-1` asks for a snapshot and
 * `now` for the current position without data.
 */
export type RequestedOffset = { kind: 'snapshot' } | { kind: 'now' } | { kind: 'position'; tx: bigint };

const POSITION = /^(\d{1,19})_(\d{1,19}|inf)$/;

export function parseOffset(text: string): RequestedOffset | undefined {
  if (text === '-1') return { kind: 'snapshot' };
  if (text === 'now') return { kind: 'now' };
  const match = POSITION.exec(text);
  if (!match) return undefined;
  const tx = BigInt(match[1]!);
  // `<tx>_<n>`, as other servers hand out, is read as "within tx": resume after the previous one.
  return { kind: 'position', tx: match[2] === 'inf' ? tx : tx > 0n ? tx - 1n : 0n };
}

export function formatPosition(tx: bigint): string {
  return `${tx}_inf`;
}
