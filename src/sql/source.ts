/** One `${NAME}` replaced in the script: where it stood in the original and in the substituted text. */
export interface Replacement {
  readonly originalStart: number;
  readonly originalEnd: number;
  readonly start: number;
  readonly end: number;
}

/**
 * A SQL script as parsed (after `${NAME}` substitution) together with where it came from, so that an
 * offset in the parsed text is reported as `file:line:col` of the file the user wrote.
 */
export class SqlSource {
  readonly name: string;
  readonly text: string;
  readonly originalText: string;
  private readonly replacements: readonly Replacement[];
  private lineStarts: number[] | undefined;

  constructor(name: string, text: string, original?: { text: string; replacements: readonly Replacement[] }) {
    this.name = name;
    this.text = text;
    this.originalText = original?.text ?? text;
    this.replacements = original?.replacements ?? [];
  }

  /** The offset in the original text of an offset in the parsed text. */
  originalOffset(offset: number): number {
    let shift = 0;
    for (const r of this.replacements) {
      if (offset < r.start) break;
      if (offset < r.end) return r.originalStart;
      shift = r.originalEnd - r.end;
    }
    return offset + shift;
  }

  /** 1-based line and column, in the original text, of an offset in the parsed text. */
  position(offset: number): { line: number; col: number } {
    const original = this.originalOffset(offset);
    const starts = this.starts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= original) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: original - (starts[lo] ?? 0) + 1 };
  }

  /** `file:line:col` of an offset in the parsed text. */
  where(offset: number): string {
    const { line, col } = this.position(offset);
    return `${this.name}:${line}:${col}`;
  }

  private starts(): number[] {
    if (!this.lineStarts) {
      const text = this.originalText;
      this.lineStarts = [0];
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
    return this.lineStarts;
  }
}
