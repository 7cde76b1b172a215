/**
 * Shape log offsets. The protocol's offsets are `<tx>_<op>`; ours point between transactions:
 * `<tx>_inf` means "everything up to and including transaction `tx` of the feed". A response never
 * ends inside a transaction, so no other form is ever handed out (`<tx>_0` comes back from SSE
 * clients, below); `-1` asks for a snapshot and `now` for the current position without data.
 */
export type RequestedOffset = { kind: 'snapshot' } | { kind: 'now' } | { kind: 'position'; tx: bigint };

const POSITION = /^(\d{1,19})_(\d{1,19}|inf)$/;

export function parseOffset(text: string): RequestedOffset | undefined {
  if (text === '-1') return { kind: 'snapshot' };
  if (text === 'now') return { kind: 'now' };
  const match = POSITION.exec(text);
  if (!match) return undefined;
  const tx = BigInt(match[1]!);
  // `<tx>_0` is what Electric's clients make of an up-to-date's `global_last_seen_lsn` in SSE mode
  // (live-stream.ts), and ours is always a whole position: everything through tx. Any other
  // `<tx>_<n>`, as other servers hand out, is read as "within tx": resume after the previous one.
  if (match[2] === 'inf' || match[2] === '0') return { kind: 'position', tx };
  return { kind: 'position', tx: tx > 0n ? tx - 1n : 0n };
}

export function formatPosition(tx: bigint): string {
  return `${tx}_inf`;
}
