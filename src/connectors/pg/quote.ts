/** An identifier as PostgreSQL reads it whatever its case or characters: `"name"`. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `schema.table` or `table`, each part quoted. */
export function quoteTable(name: string): string {
  return name.split('.').map(quoteIdentifier).join('.');
}
