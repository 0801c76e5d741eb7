import type { SqlSource } from '../sql/source.ts';
import { SqlError } from '../sql/sql-error.ts';
import type { DataType } from '../types/data-type.ts';

/** One column visible to expressions: its position in the input row, name, and table aliases. */
export interface ScopeField {
  readonly name: string;
  readonly type: DataType;
  /** The names it can be qualified by (table name, alias); empty for a derived column. */
  readonly qualifiers: readonly string[];
}

/** The columns an expression may reference, in input-row order. */
export class Scope {
  readonly fields: readonly ScopeField[];

  constructor(fields: readonly ScopeField[]) {
    this.fields = fields;
  }

  /** The indices of the fields `parts` names: one when it resolves, none or several when it does not. */
  matches(parts: readonly string[]): number[] {
    const name = parts[parts.length - 1] as string;
    const qualifier = parts.length >= 2 ? (parts[parts.length - 2] as string) : undefined;
    const found: number[] = [];
    this.fields.forEach((field, index) => {
      if (field.name === name && (qualifier === undefined || field.qualifiers.includes(qualifier))) found.push(index);
    });
    return found;
  }

  /** The index of the field `parts` names (`col`, `alias.col`, `db.table.col`), or a located error. */
  resolve(parts: readonly string[], source: SqlSource, at: number): number {
    const name = parts[parts.length - 1] as string;
    const qualifier = parts.length >= 2 ? (parts[parts.length - 2] as string) : undefined;
    const matches: number[] = [];
    this.fields.forEach((field, index) => {
      if (field.name === name && (qualifier === undefined || field.qualifiers.includes(qualifier))) matches.push(index);
    });
    if (matches.length === 1) return matches[0] as number;
    const written = parts.join('.');
    if (matches.length > 1) {
      const options = matches.map((i) => `${this.fields[i]?.qualifiers[0] ?? '?'}.${name}`);
      throw new SqlError(
        'SQL_AMBIGUOUS_COLUMN',
        source,
        at,
        `column '${written}' is ambiguous`,
        `qualify it: ${options.join(' or ')}`,
      );
    }
    const visible = this.fields.map((field) =>
      field.qualifiers[0] ? `${field.qualifiers[0]}.${field.name}` : field.name,
    );
    const sameCase = this.fields.find(
      (field) => field.name !== name && field.name.toLowerCase() === name.toLowerCase(),
    );
    let hint = `columns in scope: ${visible.join(', ')}`;
    if (qualifier !== undefined && !this.fields.some((field) => field.qualifiers.includes(qualifier))) {
      hint = `no table or alias '${qualifier}' here; ${hint}`;
    } else if (sameCase) {
      hint = `names are case-sensitive: did you mean '${sameCase.name}'?`;
    }
    throw new SqlError('SQL_UNKNOWN_COLUMN', source, at, `column '${written}' not found`, hint);
  }
}
