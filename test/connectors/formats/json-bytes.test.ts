import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonBytes } from '../../../src/connectors/formats/json-bytes.ts';
import { jacksonString } from '../../../src/expr/json/json-text.ts';

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const TRICKY = [
  '',
  'plain ascii',
  'quote " and backslash \\',
  Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)).join(''),
  '\u007f\u0080\u07ff\u0800',
  '电子产品 一线城市 已完成',
  '\u2028\u2029\uffff',
  'pair \ud83d\ude00 emoji',
  'lone high at the end \ud83d',
  'lone low \ude00 in the middle',
  'high then no low \ud83dx',
  'two highs \ud83d\ud83d\ude00',
  'x'.repeat(10_000),
  '中'.repeat(3_000),
];

function randomText(next: () => number): string {
  const length = Math.floor(next() * 40);
  let text = '';
  for (let i = 0; i < length; i++) {
    const pick = next();
    // Mostly ASCII and control characters, some of every UTF-8 width and some surrogates.
    const code =
      pick < 0.5
        ? Math.floor(next() * 0x80)
        : pick < 0.7
          ? 0x80 + Math.floor(next() * 0x780)
          : pick < 0.85
            ? 0x800 + Math.floor(next() * 0xf800)
            : 0xd800 + Math.floor(next() * 0x800);
    text += String.fromCharCode(code);
  }
  return text;
}

describe('JSON written into bytes', () => {
  // jacksonString is held to the bytes of Flink's json format in json-flink-bytes.test.ts.
  it("writes a string literal byte for byte as jacksonString (Flink's Jackson) and UTF-8 encoding do", () => {
    const out = new JsonBytes();
    const next = random(7);
    const texts = [...TRICKY, ...Array.from({ length: 3_000 }, () => randomText(next))];
    for (const text of texts) {
      out.quoted(text);
      assert.deepEqual(out.take(), Buffer.from(jacksonString(text, true), 'utf8'), JSON.stringify(text));
    }
  });

  it('writes raw text as Buffer.from does, lone surrogates included', () => {
    const out = new JsonBytes();
    const next = random(11);
    for (const text of [...TRICKY, ...Array.from({ length: 3_000 }, () => randomText(next))]) {
      out.raw(text);
      assert.deepEqual(out.take(), Buffer.from(text, 'utf8'), JSON.stringify(text));
    }
  });

  it('writes integers, padded to a width when asked', () => {
    const out = new JsonBytes();
    const values = [
      0,
      7,
      9,
      10,
      99,
      100,
      12345,
      -1,
      -10,
      -987654321,
      2 ** 31,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
    ];
    for (const value of values) {
      out.integer(value);
      assert.equal(out.takeText(), String(value));
    }
    out.integer(5, 2);
    out.byte(0x2c);
    out.integer(123, 6);
    out.byte(0x2c);
    out.integer(123456, 3);
    assert.equal(out.takeText(), '05,000123,123456');
  });

  it('leaves every value it handed out as it was, however much is written after it', () => {
    const out = new JsonBytes();
    const taken: [Buffer, string][] = [];
    for (let i = 0; i < 2_000; i++) {
      const text = `${i} ${'值'.repeat(i % 97)}`;
      out.quoted(text);
      taken.push([out.take(), text]);
      out.raw('dropped');
      out.clear();
    }
    for (const [bytes, text] of taken) assert.equal(bytes.toString(), JSON.stringify(text));
  });

  it('keeps what was written before it grows, and forgets what clear drops', () => {
    const out = new JsonBytes();
    out.raw('start:');
    out.quoted('é'.repeat(5_000));
    out.bytes(Buffer.from(':end'));
    assert.equal(out.takeText(), `start:"${'é'.repeat(5_000)}":end`);
    out.raw('half written');
    out.clear();
    out.raw('fresh');
    assert.equal(out.take().toString(), 'fresh');
  });
});
