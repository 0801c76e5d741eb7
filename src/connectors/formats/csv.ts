import { opt } from '../options.ts';
import type { ResolvedOptions } from '../table.ts';
import { type CsvOptions, csvDecoder, csvEncoder, csvTypeProblem, DEFAULT_CSV_OPTIONS } from './csv-format.ts';
import { type FormatFactory, orOnFormatError } from './format.ts';

const IDENTIFIER = 'csv';

/** Java's StringEscapeUtils.unescapeJava for a delimiter written as `\t`, `\u0001`… */
function unescapeJava(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|[tnrbf'"\\])/g, (_, code: string) => {
    if (code.startsWith('u')) return String.fromCharCode(Number.parseInt(code.slice(1), 16));
    return { t: '\t', n: '\n', r: '\r', b: '\b', f: '\f', "'": "'", '"': '"', '\\': '\\' }[code] ?? code;
  });
}

function csvOptions(options: ResolvedOptions, prefix: string): CsvOptions {
  const get = (key: string) => options.get(`${prefix}${IDENTIFIER}.${key}`);
  const text = (key: string) => {
    const value = get(key);
    return value === undefined ? undefined : String(value);
  };
  return {
    fieldDelimiter: unescapeJava(text('field-delimiter') ?? DEFAULT_CSV_OPTIONS.fieldDelimiter),
    quote: get('disable-quote-character') === true ? undefined : (text('quote-character') ?? '"'),
    allowComments: get('allow-comments') === true,
    ignoreParseErrors: get('ignore-parse-errors') === true,
    arrayElementDelimiter: text('array-element-delimiter') ?? DEFAULT_CSV_OPTIONS.arrayElementDelimiter,
    escape: text('escape-character'),
    nullLiteral: text('null-literal'),
    bigDecimalScientific: get('write-bigdecimal-in-scientific-notation') !== false,
  };
}

/** Flink's `csv` format: a row as one line of delimited fields, in the columns' order. */
export const csvFormat: FormatFactory = {
  identifier: IDENTIFIER,
  options: [
    opt.string('field-delimiter', "the field delimiter, one character (Java escapes such as '\\t' allowed)", {
      default: ',',
    }),
    opt.boolean('disable-quote-character', 'write and read fields without quoting', { default: 'false' }),
    // No declared default: Flink refuses a quote character given together with disable-quote-character.
    opt.string('quote-character', "the character that encloses a field ('\"' when not given)"),
    opt.boolean('allow-comments', "skip records that start with '#'", { default: 'false' }),
    opt.boolean('ignore-parse-errors', 'set fields that cannot be read to NULL, and skip records that cannot be', {
      default: 'false',
    }),
    opt.string('array-element-delimiter', 'what separates the elements of an ARRAY or the fields of a ROW', {
      default: ';',
    }),
    opt.string('escape-character', 'the character that takes the next one as it is (none by default)'),
    opt.string('null-literal', 'the text of a NULL (none by default: an empty field)'),
    opt.boolean('write-bigdecimal-in-scientific-notation', "write DECIMAL as Java's BigDecimal.toString (1E+2)", {
      default: 'true',
    }),
  ],
  validate(options, prefix, table) {
    const key = (name: string) => `${prefix}${IDENTIFIER}.${name}`;
    const written = (name: string) => {
      const value = options.get(key(name));
      return value === undefined ? undefined : String(value);
    };
    if (options.get(key('disable-quote-character')) === true && written('quote-character') !== undefined) {
      return {
        message: 'Format cannot define a quote character and disabled quote character at the same time.',
        option: key('quote-character'),
      };
    }
    for (const name of ['field-delimiter', 'array-element-delimiter', 'quote-character', 'escape-character']) {
      const value = written(name);
      if (value === undefined) continue;
      const actual = name === 'field-delimiter' ? unescapeJava(value) : value;
      if (actual.length !== 1) {
        return {
          message: `Option '${IDENTIFIER}.${name}' must be a string with single character, but was: ${value}`,
          option: key(name),
        };
      }
    }
    for (const [i, type] of (table?.columnTypes ?? []).entries()) {
      const problem = csvTypeProblem(table?.columns[i] ?? '', type);
      if (problem)
        return { message: problem, hint: 'declare the column with a type the csv format holds, or use json' };
    }
    return undefined;
  },
  codec(fields, tableOptions, prefix) {
    const options = csvOptions(tableOptions, prefix);
    const decode = csvDecoder(fields, options);
    return {
      encode: csvEncoder(fields, options),
      decode: options.ignoreParseErrors ? orOnFormatError(decode, undefined) : decode,
    };
  },
};
