import { types } from 'node:util';
import type { Code, DBRef } from 'mongodb';
import { InvalidMessageError } from '../errors';

/**
 * Maximum nesting of a stored document, counting the document itself.
 * MongoDB documents this limit ("Nested Depth for BSON Documents" in its
 * Limits and Thresholds page); each object or array is one level.
 */
export const MAX_DOCUMENT_NESTING = 100;

/**
 * Highest depth, in path segments below the message value, at which an
 * object or array may start. The message document is level 1 and an object
 * value is level 2, so a container at depth `d` is level `d + 2`.
 */
const MAX_CONTAINER_DEPTH = MAX_DOCUMENT_NESTING - 2;

/** Signed 64-bit range of a BSON int64. */
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const REGEXP_FLAGS_OTHER_THAN_GIM = /[^gim]/;

const hasOwnProperty = Object.prototype.hasOwnProperty;

/** A built-in object type that BSON stores changed, and the fix. */
interface RejectedObjectType {
  matches(value: object): boolean;
  problem: string;
  fix: string;
}

const REJECTED_OBJECT_TYPES: readonly RejectedObjectType[] = [
  {
    matches: types.isSet,
    problem: 'is a Set, which BSON stores as an empty document',
    fix: 'Convert it to an array with Array.from().',
  },
  {
    matches: types.isMap,
    problem:
      'is a Map, which BSON stores as a document of its entries that is ' +
      'read back as a plain object (keys that are not strings fail)',
    fix: 'Convert it with Object.fromEntries() or Array.from().',
  },
  {
    matches: types.isWeakMap,
    problem: 'is a WeakMap, which BSON stores as an empty document',
    fix: 'Send the data it refers to as an object or an array.',
  },
  {
    matches: types.isWeakSet,
    problem: 'is a WeakSet, which BSON stores as an empty document',
    fix: 'Send the data it refers to as an array.',
  },
  {
    matches: types.isPromise,
    problem: 'is a Promise, which BSON stores as an empty document',
    fix: 'Await it and send the result.',
  },
  {
    matches: types.isNativeError,
    problem:
      'is an Error, which BSON stores without its message and stack ' +
      '(only its own enumerable fields remain)',
    fix: 'Send the fields you need, such as { name, message }.',
  },
  {
    matches: types.isBoxedPrimitive,
    problem:
      'is a boxed primitive (such as new String()), which BSON stores as ' +
      'a document',
    fix: 'Send the primitive that valueOf() returns.',
  },
  {
    matches: types.isAnyArrayBuffer,
    problem: 'is an ArrayBuffer, which BSON stores as an empty document',
    fix: 'Wrap it with Buffer.from(arrayBuffer).',
  },
  {
    // Runs after Uint8Array (and so Buffer) has been accepted.
    matches: types.isArrayBufferView,
    problem:
      'is a typed array other than Uint8Array, or a DataView, which BSON ' +
      'stores as a document of its elements',
    fix:
      'Send its bytes as Buffer.from(view.buffer, view.byteOffset, ' +
      'view.byteLength), or its numbers as Array.from(view).',
  },
];

/** Per-call state of {@link validateMessageValue}. */
interface ValueWalk {
  topic: string;
  /** Keys and indexes from the value down to the current position. */
  path: Array<string | number>;
  /** Objects and arrays on the path; `containers[d]` sits at depth `d`. */
  containers: object[];
}

/**
 * Throws {@link InvalidMessageError} when BSON cannot store `value`, or
 * would store it changed or with parts silently dropped. The error names
 * the path inside the value (such as `value.items[2]`) and what to send
 * instead.
 *
 * Rejected anywhere in the value:
 * - functions, symbols and bigints
 * - Set, Map, WeakMap, WeakSet, Promise and Error objects, boxed primitives,
 *   ArrayBuffer, DataView and typed arrays other than Uint8Array
 * - URL and URLSearchParams objects, whose data BSON cannot see
 * - invalid Dates, and RegExps with flags other than g, i and m or with a
 *   null character
 * - strings and field names with an unpaired UTF-16 surrogate, and field
 *   names with a null character
 * - cycles, and nesting deeper than {@link MAX_DOCUMENT_NESTING} levels
 *   counting the message document
 *
 * Bigints are rejected even inside the int64 range. The MongoDB driver
 * (mongodb 7.9.1 with bson 7.3.4) stores them as int64, but by default it
 * reads an int64 back as a number, or as a Long beyond ±2^53, not a bigint.
 * NOTE: they are rejected also when `clientOptions.useBigInt64` is set,
 * although that client would read them back as bigints.
 *
 * Accepted: plain objects, arrays, class instances, strings, numbers,
 * booleans, null, undefined (the driver stores it as null), Date, RegExp,
 * Uint8Array and Buffer, and BSON types (objects with `_bsontype`, such as
 * ObjectId, Long or Decimal128). An object with a `toBSON()` method is
 * checked as what that method returns, as the driver stores it. A class
 * instance without own enumerable fields, such as a DTO whose optional
 * fields are unset, is stored as an empty document. Symbol-keyed,
 * non-enumerable and inherited properties, and non-index properties of
 * arrays, are not stored and not checked.
 */
export function validateMessageValue(topic: string, value: unknown): void {
  checkValue(value, 0, { topic, path: [], containers: [] });
}

function checkValue(value: unknown, depth: number, walk: ValueWalk): void {
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { toBSON?: unknown }).toBSON === 'function'
  ) {
    value = (value as { toBSON(): unknown }).toBSON();
  }

  switch (typeof value) {
    case 'string':
      if (!isWellFormed(value)) {
        reject(
          walk,
          depth,
          'is a string with an unpaired UTF-16 surrogate, which BSON ' +
            'stores as U+FFFD',
          'Repair it with toWellFormed() or send the raw data as a Buffer.',
        );
      }
      return;
    case 'number':
    case 'boolean':
    case 'undefined':
      return;
    case 'bigint':
      rejectBigInt(value, depth, walk);
      return;
    case 'function':
      reject(
        walk,
        depth,
        'is a function, which the MongoDB driver drops when it writes BSON',
        'Remove it or send the data it computes.',
      );
      return;
    case 'symbol':
      reject(
        walk,
        depth,
        'is a symbol, which the MongoDB driver drops when it writes BSON',
        'Send a string instead, such as symbol.description.',
      );
      return;
    case 'object':
      if (value !== null) {
        checkObject(value, depth, walk);
      }
      return;
  }
}

function checkObject(object: object, depth: number, walk: ValueWalk): void {
  const bsonType: unknown = (object as { _bsontype?: unknown })._bsontype;
  if (bsonType !== undefined && bsonType !== null) {
    checkBsonValue(object, bsonType, depth, walk);
    return;
  }

  if (Array.isArray(object)) {
    enterContainer(object, depth, walk);
    for (let index = 0; index < object.length; index++) {
      walk.path[depth] = index;
      checkValue(object[index], depth + 1, walk);
    }
    return;
  }

  const prototype: unknown = Object.getPrototypeOf(object);
  const isPlain =
    prototype === Object.prototype ||
    prototype === null ||
    // A plain object of another realm, such as a vm context.
    Object.getPrototypeOf(prototype as object) === null;
  if (!isPlain && checkBuiltInObject(object, depth, walk)) {
    return;
  }

  enterContainer(object, depth, walk);
  const fieldCount = checkFields(object, depth, walk);
  // A class instance without fields is usually a DTO whose optional fields
  // are unset, and `{}` is what it means. URL and URLSearchParams keep
  // their data out of reach of enumeration, so `{}` would lose it.
  if (fieldCount === 0 && isOpaqueBuiltIn(object)) {
    reject(
      walk,
      depth,
      `is an instance of ${constructorName(object)} with no own ` +
        'enumerable fields, which BSON stores as an empty document',
      'Convert it to a string or a plain object first.',
    );
  }
}

function isOpaqueBuiltIn(object: object): boolean {
  return object instanceof URL || object instanceof URLSearchParams;
}

/** Checks each own enumerable field and returns how many there are. */
function checkFields(object: object, depth: number, walk: ValueWalk): number {
  let fieldCount = 0;
  // for...in with an own-property test avoids the array Object.keys builds.
  for (const key in object) {
    if (!hasOwnProperty.call(object, key)) {
      continue;
    }
    fieldCount++;
    walk.path[depth] = key;
    checkFieldName(key, depth + 1, walk);
    checkValue((object as Record<string, unknown>)[key], depth + 1, walk);
  }
  return fieldCount;
}

function checkFieldName(key: string, depth: number, walk: ValueWalk): void {
  if (key.includes('\u0000')) {
    reject(
      walk,
      depth,
      'is a field whose name contains a null character, which BSON field ' +
        'names cannot contain',
      'Rename the field.',
    );
  }
  if (!isWellFormed(key)) {
    reject(
      walk,
      depth,
      'is a field whose name contains an unpaired UTF-16 surrogate, which ' +
        'BSON stores as U+FFFD',
      'Rename the field.',
    );
  }
}

/**
 * Checks a Date, RegExp or Uint8Array and returns true, throws for a
 * built-in type BSON stores changed, and returns false for other objects.
 */
function checkBuiltInObject(
  object: object,
  depth: number,
  walk: ValueWalk,
): boolean {
  if (types.isDate(object)) {
    if (Number.isNaN(object.getTime())) {
      reject(
        walk,
        depth,
        'is an invalid Date, which BSON stores as 1970-01-01T00:00:00.000Z',
        'Send a valid Date or null.',
      );
    }
    return true;
  }
  if (types.isRegExp(object)) {
    checkRegExp(object, depth, walk);
    return true;
  }
  if (types.isUint8Array(object)) {
    return true;
  }
  for (const rejected of REJECTED_OBJECT_TYPES) {
    if (rejected.matches(object)) {
      reject(walk, depth, rejected.problem, rejected.fix);
    }
  }
  return false;
}

function checkRegExp(regexp: RegExp, depth: number, walk: ValueWalk): void {
  // The bson package writes only i, g (as BSON "s") and m, and reads the
  // same three back.
  if (REGEXP_FLAGS_OTHER_THAN_GIM.test(regexp.flags)) {
    reject(
      walk,
      depth,
      `is the RegExp ${String(regexp)}, whose flags other than g, i and m ` +
        'BSON drops',
      'Remove those flags, or send the pattern and flags as strings.',
    );
  }
  if (regexp.source.includes('\u0000')) {
    reject(
      walk,
      depth,
      'is a RegExp whose pattern contains a null character, which BSON ' +
        'cannot store',
      'Remove the null character or send the pattern as a string.',
    );
  }
}

/** Checks the documents inside a DBRef or a Code with scope. */
function checkBsonValue(
  object: object,
  bsonType: unknown,
  depth: number,
  walk: ValueWalk,
): void {
  if (bsonType === 'DBRef') {
    const reference = object as DBRef;
    enterContainer(object, depth, walk);
    walk.path[depth] = '$id';
    checkValue(reference.oid, depth + 1, walk);
    if (reference.fields !== null && typeof reference.fields === 'object') {
      checkFields(reference.fields, depth, walk);
    }
  } else if (bsonType === 'Code') {
    const code = object as Code;
    if (code.scope !== null && typeof code.scope === 'object') {
      // A code-with-scope value adds a level, and its scope document another.
      enterContainer(object, depth, walk);
      walk.path[depth] = 'scope';
      checkValue(code.scope, depth + 1, walk);
    }
  }
  // Other BSON types hold no user documents. calculateObjectSize rejects
  // BSON values of another bson major version afterwards.
}

function rejectBigInt(value: bigint, depth: number, walk: ValueWalk): void {
  if (value < INT64_MIN || value > INT64_MAX) {
    reject(
      walk,
      depth,
      `is ${describeBigInt(value)}, outside the signed 64-bit ` +
        'range of BSON int64, which the MongoDB driver stores wrapped ' +
        '(2n ** 70n becomes 0)',
      'Send it as a string or a Decimal128.',
    );
  }
  reject(
    walk,
    depth,
    'is a bigint, which the MongoDB driver stores as int64 but by default ' +
      'reads back as a number, or as a Long beyond ±2^53, never as a bigint',
    'Send it as a string, or as Long.fromBigInt(value) to store an int64.',
  );
}

/**
 * Records `object` as the container at `depth`. Throws when it is one of
 * its own ancestors or when it would nest deeper than MongoDB allows.
 */
function enterContainer(object: object, depth: number, walk: ValueWalk): void {
  for (let ancestor = 0; ancestor < depth; ancestor++) {
    if (walk.containers[ancestor] === object) {
      reject(
        walk,
        depth,
        'cannot be stored as BSON because it refers back to ' +
          `${formatPath(walk.path, ancestor)} (a cycle)`,
        'Send a copy without the cycle.',
      );
    }
  }
  if (depth > MAX_CONTAINER_DEPTH) {
    reject(
      walk,
      depth,
      'cannot be stored as BSON because it nests deeper than the ' +
        `${MAX_DOCUMENT_NESTING} levels of objects and arrays that MongoDB ` +
        'allows in a document, counting the message document around ' +
        'the value',
      'Flatten the value or send the deep part as a JSON string.',
    );
  }
  walk.containers[depth] = object;
}

function reject(
  walk: ValueWalk,
  depth: number,
  problem: string,
  fix: string,
): never {
  throw new InvalidMessageError(
    `Invalid value for topic "${walk.topic}": ` +
      `${formatPath(walk.path, depth)} ${problem}. ${fix}`,
  );
}

/** Formats the first `length` path segments, such as `value.items[2]`. */
function formatPath(path: ReadonlyArray<string | number>, length: number) {
  // Deep paths keep only their first and last segments.
  const keptAtEachEnd = 5;
  let text = 'value';
  for (let index = 0; index < length; index++) {
    if (length > keptAtEachEnd * 2 && index === keptAtEachEnd) {
      text += `…(${length - keptAtEachEnd * 2} more)…`;
      index = length - keptAtEachEnd - 1;
      continue;
    }
    const segment = path[index];
    if (typeof segment === 'number') {
      text += `[${segment}]`;
    } else if (IDENTIFIER.test(segment)) {
      text += `.${segment}`;
    } else {
      text += `[${JSON.stringify(segment)}]`;
    }
  }
  return text;
}

function describeBigInt(value: bigint): string {
  const digits = value.toString();
  return digits.length <= 40
    ? `the bigint ${digits}n`
    : `a bigint of ${digits.length} digits`;
}

function constructorName(object: object): string {
  const name: unknown = (object as { constructor?: { name?: unknown } })
    .constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'an unnamed class';
}

/** `String.prototype.isWellFormed` (Node.js 20+), not in the ES2022 lib. */
function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}
