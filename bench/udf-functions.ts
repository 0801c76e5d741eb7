// The user-defined functions of `npm run bench -- udf`: the same work as built-in functions.

/** UPPER(s). */
export const shout = {
  args: ['STRING'],
  result: 'STRING',
  eval: (s: string | null) => (s === null ? null : s.toUpperCase()),
};

/** a + b of INTs, wrapping on overflow as Java's int does (Flink's INT + INT). */
export const plus = {
  args: ['INT', 'INT'],
  result: 'INT',
  eval: (a: number | null, b: number | null) => (a === null || b === null ? null : (a + b) | 0),
};
