import { ValidateBy } from 'class-validator';

// Control characters are refused: they have no place in a label, and JSON escapes each one as six bytes.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * A flat JSON object of string values: at most `maxKeys` keys of 1..`maxKeyLength` characters,
 * each value a string of at most `maxValueLength` characters (code points, as MySQL counts).
 */
export function IsStringMap(maxKeys: number, maxKeyLength: number, maxValueLength: number): PropertyDecorator {
  return ValidateBy({
    name: 'isStringMap',
    constraints: [maxKeys, maxKeyLength, maxValueLength],
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
        const entries = Object.entries(value as Record<string, unknown>);
        return (
          entries.length <= maxKeys &&
          entries.every(
            ([key, item]) =>
              [...key].length >= 1 &&
              [...key].length <= maxKeyLength &&
              typeof item === 'string' &&
              [...item].length <= maxValueLength &&
              !CONTROL_CHARACTERS.test(key + item),
          )
        );
      },
      defaultMessage: (args) =>
        `${args?.property} must be an object of at most ${maxKeys} keys (1-${maxKeyLength} characters) with string values of at most ${maxValueLength} characters, without control characters`,
    },
  });
}

/** The OpenAPI schema of such a map (OpenAPI 3.0 has no propertyNames: the key limit is in the description). */
export function stringMapSchema(maxKeys: number, maxKeyLength: number, maxValueLength: number, example: Record<string, string>) {
  return {
    type: 'object' as const,
    maxProperties: maxKeys,
    additionalProperties: { type: 'string' as const, maxLength: maxValueLength, description: `A value of at most ${maxValueLength} characters.` },
    example,
  };
}
