import type { FieldError } from '../problem/problem';

/** Limits on the shape of a JSON body, checked on its text before it is parsed. */
export interface JsonLimits {
  /** Objects and arrays inside one another; the body's own counts as 1. */
  maxDepth: number;
  /** Members of one object. */
  maxMembers: number;
  /** Items of one array. */
  maxItems: number;
  /** Object members and array items in the whole body, at any depth. */
  maxValues: number;
}

/**
 * Far above any valid request (the DTOs' own limits: `grep -rn "ArrayMaxSize\|IsStringMap" src`),
 * so a body that meets one is hostile or broken, and one just under them still gets validation's
 * field-by-field answer.
 */
export const JSON_LIMITS: JsonLimits = {
  // The deepest valid body is 4 (a new product: body, variants[], a variant, its options{}). Depth
  // costs nothing until it overflows a stack (class-transformer recurses); 32 leaves room for
  // payment providers' webhook events.
  maxDepth: 32,
  // The widest object is a product's `attributes` (IsStringMap: 50 keys). V8 builds an object of
  // thousands of members slowly: JSON.parse alone took 70-150 ms over 50,000 of them.
  maxMembers: 200,
  // The longest array is a product's `variants` (ArrayMaxSize: 100); arrays are cheap to build.
  maxItems: 1000,
  // A new product with 100 variants of 10 options, 50 attributes and 50 categories holds about
  // 2,000. This bounds the work after parsing: class-transformer copies every value, unknown
  // members and all, at 1-3 µs each (10,000: 25 ms at worst), and the limits per object and per
  // array alone would still let 1 MiB of values through.
  maxValues: 10_000,
};

const ROOT_FIELD = 'body';

// JSON's whitespace (tab, line feed, carriage return, space) is at or below SPACE; no token is.
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const LEFT_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const RIGHT_BRACKET = 0x5d;
const LOWER_U = 0x75;
const LEFT_BRACE = 0x7b;
const RIGHT_BRACE = 0x7d;

/**
 * The first way a JSON text breaks `limits`, or holds a string (value or member name) that is
 * not well-formed Unicode, as a validation error naming the field; undefined when there is none.
 *
 * One pass over the text with a stack of the open objects and arrays, stopping at the first
 * violation: a hostile body costs the distance to its first violation, never the time V8 would
 * take to build it. The text must be decoded UTF-8, which cannot hold a lone surrogate, so only a
 * `\u` escape can make one. Invalid JSON is not reported here; JSON.parse refuses it next.
 */
export function screenJson(text: string, limits: JsonLimits = JSON_LIMITS): FieldError | undefined {
  const open = new OpenContainers(text, limits);
  // The innermost container has shown no value yet: its first one is counted when it starts.
  let awaitingFirstValue = false;
  // The next string in the innermost container is a member name (it is an object, after `{` or `,`).
  let awaitingName = false;
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code <= SPACE) continue;
    if (awaitingFirstValue) {
      awaitingFirstValue = false;
      const violation = code === RIGHT_BRACE || code === RIGHT_BRACKET ? undefined : open.countValue();
      if (violation) return violation;
    }
    switch (code) {
      case QUOTE: {
        const isName = awaitingName;
        awaitingName = false;
        const end = closingQuote(text, at);
        if (end === LONE_SURROGATE) {
          return isName
            ? { field: open.path(open.depth - 1), message: 'has a member name that is not well-formed Unicode text' }
            : { field: open.path(open.depth), message: 'must be well-formed Unicode text' };
        }
        if (isName) open.nameIs(at, end);
        at = end;
        break;
      }
      case LEFT_BRACE:
      case LEFT_BRACKET:
        if (open.depth === limits.maxDepth) {
          return { field: open.path(open.depth), message: `is nested more than ${limits.maxDepth} levels deep` };
        }
        open.push(code === LEFT_BRACKET);
        awaitingFirstValue = true;
        awaitingName = code === LEFT_BRACE;
        break;
      case RIGHT_BRACE:
      case RIGHT_BRACKET:
        open.pop();
        awaitingName = false;
        break;
      case COMMA: {
        if (open.depth === 0) break;
        const violation = open.countValue();
        if (violation) return violation;
        awaitingName = !open.innermostIsArray();
        break;
      }
    }
  }
  return undefined;
}

const LONE_SURROGATE = -1;
/** A run of string characters that are neither a quote nor a backslash: a sticky regex skips it 8 times faster than a loop. */
const PLAIN_CHARACTERS = /[^"\\]*/y;

/**
 * The index of the quote that closes the string opening at `start` (the text's length when
 * nothing does), or LONE_SURROGATE when one of its `\u` escapes is half of a surrogate pair only.
 */
function closingQuote(text: string, start: number): number {
  let at = start + 1;
  while (at < text.length) {
    PLAIN_CHARACTERS.lastIndex = at;
    PLAIN_CHARACTERS.test(text);
    at = PLAIN_CHARACTERS.lastIndex;
    if (at === text.length) break;
    if (text.charCodeAt(at) === QUOTE) return at;
    // A backslash: skip its escape.
    if (text.charCodeAt(at + 1) !== LOWER_U) {
      at += 2;
      continue;
    }
    const unit = escapedCodeUnit(text, at + 2);
    at += 6;
    if (unit < 0xd800 || unit > 0xdfff) continue;
    const pairedWithLow =
      unit <= 0xdbff && text.charCodeAt(at) === BACKSLASH && text.charCodeAt(at + 1) === LOWER_U && isLowSurrogate(escapedCodeUnit(text, at + 2));
    if (!pairedWithLow) return LONE_SURROGATE;
    at += 6;
  }
  return text.length;
}

const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/** The code unit of the four hex digits at `at`, or -1 when they are not four hex digits. */
function escapedCodeUnit(text: string, at: number): number {
  let unit = 0;
  for (let digit = at; digit < at + 4; digit++) {
    const value = hexDigitValue(text.charCodeAt(digit));
    if (value < 0) return -1;
    unit = unit * 16 + value;
  }
  return unit;
}

function hexDigitValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  // An ASCII capital differs from its small letter by the 0x20 bit only.
  const lowerCase = code | 0x20;
  return lowerCase >= 0x61 && lowerCase <= 0x66 ? lowerCase - 0x57 : -1;
}

/**
 * The objects and arrays the scan is inside, outermost first: what each is, how many values it
 * has shown, and for an object where its current member's name is (to name a field only when
 * there is a violation to report); and the values shown in all.
 */
class OpenContainers {
  private readonly isArray: boolean[] = [];
  private readonly counts: number[] = [];
  private readonly nameStarts: number[] = [];
  private readonly nameEnds: number[] = [];
  private values = 0;

  constructor(
    private readonly text: string,
    private readonly limits: JsonLimits,
  ) {}

  get depth(): number {
    return this.isArray.length;
  }

  push(isArray: boolean): void {
    this.isArray.push(isArray);
    this.counts.push(0);
    this.nameStarts.push(0);
    this.nameEnds.push(0);
  }

  pop(): void {
    this.isArray.pop();
    this.counts.pop();
    this.nameStarts.pop();
    this.nameEnds.pop();
  }

  innermostIsArray(): boolean {
    return this.isArray[this.depth - 1];
  }

  /** Counts a value of the innermost container: the violation when that is one too many for it or for the body. */
  countValue(): FieldError | undefined {
    const count = ++this.counts[this.depth - 1];
    const isArray = this.innermostIsArray();
    const limit = isArray ? this.limits.maxItems : this.limits.maxMembers;
    if (count > limit) return { field: this.path(this.depth - 1), message: `must have at most ${limit} ${isArray ? 'items' : 'members'}` };
    if (++this.values > this.limits.maxValues) {
      return { field: ROOT_FIELD, message: `must have at most ${this.limits.maxValues} members and items in all` };
    }
    return undefined;
  }

  /** The innermost object's current member is named by the string literal from `start` to `end` (its quotes). */
  nameIs(start: number, end: number): void {
    this.nameStarts[this.depth - 1] = start;
    this.nameEnds[this.depth - 1] = end;
  }

  /** The dotted path (as validation errors name fields) of the current value `levels` containers deep. */
  path(levels: number): string {
    const segments: string[] = [];
    for (let level = 0; level < levels; level++) {
      segments.push(this.isArray[level] ? String(this.counts[level] - 1) : this.memberName(level));
    }
    return segments.join('.') || ROOT_FIELD;
  }

  private memberName(level: number): string {
    const literal = this.text.slice(this.nameStarts[level], this.nameEnds[level] + 1);
    try {
      return JSON.parse(literal) as string;
    } catch {
      // Not a valid string literal, so the body is not valid JSON either; name it as written.
      return literal.slice(1, -1);
    }
  }
}
