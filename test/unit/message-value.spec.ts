import {
  Binary,
  Code,
  DBRef,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
} from 'mongodb';
import { InvalidMessageError } from '../../lib/core';
import { buildMessageDocument } from '../../lib/core/producer/message-document';
import { RoundRobinPartitioner } from '../../lib/core/producer/partitioner';
import { MAX_DOCUMENT_NESTING } from '../../lib/core/producer/value-check';

function buildWithValue(value: unknown) {
  return buildMessageDocument(
    {
      topic: 'orders',
      partitions: 1,
      maxMessageBytes: 16 * 1024 * 1024,
      roundRobin: new RoundRobinPartitioner(),
    },
    { value },
    new Date(),
  );
}

/** Builds a message with `value` and returns the error it throws. */
function rejectionOf(value: unknown): Error {
  try {
    buildWithValue(value);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the value to be rejected, but it was accepted');
}

/** Objects nested `levels` deep: `{ a: { a: ... 1 } }`. */
function nestedObjects(levels: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < levels; level++) {
    value = { a: value };
  }
  return value;
}

/** Arrays nested `levels` deep: `[[... 1]]`. */
function nestedArrays(levels: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < levels; level++) {
    value = [value];
  }
  return value;
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

class EmptyMarker {}

class CodedError extends Error {
  readonly code = 'E_ORDER';
}

describe('message value check', () => {
  const shared = { id: 1 };
  const accepted: Array<[string, unknown]> = [
    ['a plain object', { id: 1, name: 'order', nested: { ok: true } }],
    ['an array', [1, 'two', [3], { four: 4 }]],
    ['a class instance with fields', new Point(1, 2)],
    ['a class instance inside an object', { at: new Point(3, 4) }],
    ['a class instance whose fields are unset', { marker: new EmptyMarker() }],
    ['a null-prototype object', Object.assign(Object.create(null), { a: 1 })],
    ['an empty plain object', {}],
    ['a string', 'text'],
    ['a string with a surrogate pair', 'emoji \u{1F600}'],
    ['a number', 42.5],
    ['NaN', NaN],
    ['a boolean', false],
    ['null', null],
    ['undefined inside an object', { missing: undefined }],
    ['undefined inside an array', [undefined]],
    ['a Date', new Date('2026-01-02T03:04:05Z')],
    ['a RegExp with flags g, i and m', /order-\d+/gim],
    ['a Buffer', Buffer.from('bytes')],
    ['a Uint8Array', new Uint8Array([1, 2, 3])],
    ['an ObjectId', new ObjectId()],
    ['a Decimal128', Decimal128.fromString('12.50')],
    ['a Long', Long.fromString('9223372036854775807')],
    ['a Binary', new Binary(Buffer.from('x'))],
    ['a Timestamp', new Timestamp({ t: 1, i: 2 })],
    ['an Int32', new Int32(7)],
    ['a Double', new Double(1)],
    ['MinKey and MaxKey', [new MinKey(), new MaxKey()]],
    ['a DBRef with plain fields', new DBRef('users', new ObjectId())],
    ['Code without scope', new Code('return 1')],
    ['an object whose toBSON returns data', { toBSON: () => ({ id: 1 }) }],
    ['the same object twice', { first: shared, second: shared }],
    [
      `objects nested ${MAX_DOCUMENT_NESTING - 1} levels`,
      nestedObjects(MAX_DOCUMENT_NESTING - 1),
    ],
    [
      `arrays nested ${MAX_DOCUMENT_NESTING - 1} levels`,
      nestedArrays(MAX_DOCUMENT_NESTING - 1),
    ],
  ];

  it.each(accepted)('accepts %s', (_name, value) => {
    const document = buildWithValue(value);
    expect(document.value).toBe(value);
  });

  it.each<[string, unknown, string, string]>([
    [
      'a bigint above int64',
      { amount: 2n ** 70n },
      'value.amount is the bigint 1180591620717411303424n',
      'outside the signed 64-bit range',
    ],
    [
      'a bigint below int64',
      { amount: -(2n ** 63n) - 1n },
      'value.amount is the bigint -9223372036854775809n',
      'outside the signed 64-bit range',
    ],
    [
      'a bigint of many digits',
      [10n ** 60n],
      'value[0] is a bigint of 61 digits',
      'outside the signed 64-bit range',
    ],
    [
      'a bigint inside int64',
      [1, 5n],
      'value[1] is a bigint',
      'reads back as a number, or as a Long',
    ],
    [
      'the largest int64 as a bigint',
      { max: 2n ** 63n - 1n },
      'value.max is a bigint',
      'Long.fromBigInt(value)',
    ],
    [
      'a nested Set',
      { order: { tags: new Set(['a']) } },
      'value.order.tags is a Set',
      'stores as an empty document',
    ],
    ['a Map', new Map([['a', 1]]), 'value is a Map', 'Object.fromEntries()'],
    [
      'a WeakMap in an array',
      [new WeakMap()],
      'value[0] is a WeakMap',
      'empty document',
    ],
    ['a WeakSet', { seen: new WeakSet() }, 'value.seen is a WeakSet', 'array'],
    [
      'a Promise',
      { result: Promise.resolve(1) },
      'value.result is a Promise',
      'Await it',
    ],
    [
      'an Error',
      { failure: new Error('boom') },
      'value.failure is an Error',
      'without its message and stack',
    ],
    [
      'an Error subclass with fields',
      { failure: new CodedError('boom') },
      'value.failure is an Error',
      '{ name, message }',
    ],
    [
      'a function at the top',
      () => 1,
      'value is a function',
      'drops when it writes BSON',
    ],
    [
      'a nested function',
      { order: { total: () => 1 } },
      'value.order.total is a function',
      'drops when it writes BSON',
    ],
    [
      'a function in an array',
      [1, () => 1],
      'value[1] is a function',
      'Remove it',
    ],
    [
      'a nested symbol',
      { kind: { tag: Symbol('x') } },
      'value.kind.tag is a symbol',
      'symbol.description',
    ],
    [
      'objects nested too deep',
      nestedObjects(MAX_DOCUMENT_NESTING),
      `nests deeper than the ${MAX_DOCUMENT_NESTING} levels`,
      'counting the message document',
    ],
    [
      'arrays nested too deep',
      nestedArrays(MAX_DOCUMENT_NESTING),
      'value[0][0][0][0][0]…(89 more)…[0][0][0][0][0]',
      `nests deeper than the ${MAX_DOCUMENT_NESTING} levels`,
    ],
    [
      'objects nested 100,000 levels',
      nestedObjects(100_000),
      'value.a.a.a.a.a…(89 more)….a.a.a.a.a',
      'Flatten the value',
    ],
    [
      'URLSearchParams',
      { query: new URLSearchParams('a=1') },
      'value.query is an instance of URLSearchParams',
      'no own enumerable fields',
    ],
    [
      'a URL',
      { link: new URL('https://example.com/') },
      'value.link is an instance of URL',
      'Convert it to a string',
    ],
    [
      'a boxed string',
      { name: new String('x') },
      'value.name is a boxed primitive',
      'valueOf()',
    ],
    [
      'an ArrayBuffer',
      { bytes: new ArrayBuffer(4) },
      'value.bytes is an ArrayBuffer',
      'Buffer.from(arrayBuffer)',
    ],
    [
      'an Int32Array',
      { numbers: new Int32Array([1]) },
      'value.numbers is a typed array other than Uint8Array',
      'Array.from(view)',
    ],
    [
      'a DataView',
      { view: new DataView(new ArrayBuffer(2)) },
      'value.view is a typed array other than Uint8Array, or a DataView',
      'Buffer.from(view.buffer',
    ],
    [
      'an invalid Date',
      { at: new Date(Number.NaN) },
      'value.at is an invalid Date',
      '1970-01-01T00:00:00.000Z',
    ],
    [
      'a RegExp with the u flag',
      { pattern: /x/u },
      'value.pattern is the RegExp /x/u',
      'flags other than g, i and m',
    ],
    [
      'a RegExp with the s flag',
      [/x/s],
      'value[0] is the RegExp /x/s',
      'flags other than g, i and m',
    ],
    [
      'a RegExp with a null character',
      { pattern: new RegExp(`a${String.fromCharCode(0)}b`) },
      'value.pattern is a RegExp whose pattern contains a null character',
      'Remove the null character',
    ],
    [
      'a string with a lone surrogate',
      { text: 'a\uD800b' },
      'value.text is a string with an unpaired UTF-16 surrogate',
      'toWellFormed()',
    ],
    [
      'a field name with a lone surrogate',
      { 'k\uDC00': 1 },
      'value["k\\udc00"] is a field whose name contains an unpaired',
      'Rename the field',
    ],
    [
      'a field name with a null character',
      { outer: { 'a\u0000b': 1 } },
      'value.outer["a\\u0000b"] is a field whose name contains a null',
      'Rename the field',
    ],
    [
      'a Set returned by toBSON',
      { data: { toBSON: () => new Set() } },
      'value.data is a Set',
      'Array.from()',
    ],
    [
      'a Set in DBRef fields',
      new DBRef('users', new ObjectId(), undefined, { extra: new Set() }),
      'value.extra is a Set',
      'empty document',
    ],
    [
      'a function in a Code scope',
      new Code('return f()', { f: () => 1 }),
      'value.scope.f is a function',
      'drops when it writes BSON',
    ],
  ])('rejects %s', (_name, value, pathAndType, reasonOrFix) => {
    const error = rejectionOf(value);
    expect(error).toBeInstanceOf(InvalidMessageError);
    expect(error.message).toContain('Invalid value for topic "orders": ');
    expect(error.message).toContain(pathAndType);
    expect(error.message).toContain(reasonOrFix);
  });

  it('rejects an object that contains itself', () => {
    const order: Record<string, unknown> = { id: 1 };
    order.self = order;
    const error = rejectionOf(order);
    expect(error).toBeInstanceOf(InvalidMessageError);
    expect(error.message).toContain(
      'value.self cannot be stored as BSON because it refers back to value ' +
        '(a cycle)',
    );
  });

  it('rejects a cycle through an array', () => {
    const order: { lines: unknown[] } = { lines: [] };
    const line = { order };
    order.lines.push({ line });
    const error = rejectionOf({ orders: [order] });
    expect(error).toBeInstanceOf(InvalidMessageError);
    expect(error.message).toContain(
      'value.orders[0].lines[0].line.order cannot be stored as BSON',
    );
    expect(error.message).toContain('refers back to value.orders[0] (a cycle)');
  });

  it('rejects a deep cycle without a stack overflow', () => {
    const root = { a: undefined as unknown };
    let tail = root;
    for (let level = 0; level < 50; level++) {
      const next = { a: undefined as unknown };
      tail.a = next;
      tail = next;
    }
    tail.a = root;
    const error = rejectionOf(root);
    expect(error).toBeInstanceOf(InvalidMessageError);
    expect(error.message).toContain('refers back to value (a cycle)');
  });
});
