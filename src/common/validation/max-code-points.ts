import { ValidateBy } from 'class-validator';

/**
 * A length limit counted the way MySQL counts a utf8mb4 VARCHAR, in code points, optionally of
 * the form that gets stored. MaxLength() counts '❤️' as one character where MySQL sees two, so a
 * value could pass validation and then fail the INSERT.
 */
export function MaxCodePoints(max: number, stored: (value: string) => string = (value) => value): PropertyDecorator {
  return ValidateBy({
    name: 'maxCodePoints',
    constraints: [max],
    validator: {
      validate: (value: unknown) => typeof value === 'string' && [...stored(value)].length <= max,
      defaultMessage: (args) => `${args?.property} must be at most ${max} characters`,
    },
  });
}
