/** A PostgreSQL WAL position (pg_lsn) as PostgreSQL writes it: two hex halves, `0/16B3748`. */
export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}
