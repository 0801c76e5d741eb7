/**
 * A failure the user can act on: a stable code, what happened (with where), and what to do next.
 * The CLI prints these without a stack trace; anything else is a bug and is reported as one.
 */
export class RivuletError extends Error {
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RivuletError';
    this.code = code;
    this.hint = hint;
  }
}

export function isRivuletError(error: unknown): error is RivuletError {
  return error instanceof RivuletError;
}

/** One block of text for a terminal: `error[CODE]: message` then an indented hint. */
export function formatError(error: unknown): string {
  if (isRivuletError(error)) {
    const hint = error.hint ? `\n  hint: ${error.hint}` : '';
    return `error[${error.code}]: ${error.message}${hint}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `error[INTERNAL]: ${message}\n  hint: this is a bug in Rivulet; run again with RIVULET_DEBUG=1 for a stack trace and report it`;
}
