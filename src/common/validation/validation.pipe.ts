import { ArgumentMetadata, Type, ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { FieldError, ValidationFailedException } from '../problem/problem';

/** class-validator's constraint name for a property the whitelist does not know. */
const NOT_WHITELISTED = 'whitelistValidation';

interface Flattened extends FieldError {
  /** A top-level property the DTO does not declare (whitelist). */
  unknown: boolean;
}

function flatten(errors: ValidationError[], parent = ''): Flattened[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([name, message]) => ({ field, message, unknown: !parent && name === NOT_WHITELISTED }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Thrown by the pipe's exception factory; remembers which errors are unknown property names. */
class InvalidInputException extends ValidationFailedException {
  constructor(readonly flattened: Flattened[]) {
    super(flattened.map(({ field, message }) => ({ field, message })));
  }
}

const allowedNamesCache = new WeakMap<Type, string[]>();

/** The properties a DTO declares (every one carries a class-validator decorator, which is what the whitelist goes by). */
function allowedNames(metatype: Type): string[] {
  let names = allowedNamesCache.get(metatype);
  if (!names) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(metatype, '', true, false);
    names = [...new Set(metadata.map((entry) => entry.propertyName))].sort();
    allowedNamesCache.set(metatype, names);
  }
  return names;
}

/**
 * Strict validation at the edge: unknown fields are rejected rather than silently dropped, and
 * no implicit type coercion (a number is not quietly turned into a password string). An unknown
 * query parameter's error lists the parameters the operation knows, so a typo is easy to fix.
 */
class AppValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new InvalidInputException(flatten(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    try {
      return (await super.transform(value, metadata)) as unknown;
    } catch (error) {
      if (!(error instanceof InvalidInputException) || metadata.type !== 'query' || !metadata.metatype) throw error;
      if (!error.flattened.some((entry) => entry.unknown)) throw error;
      const allowed = allowedNames(metadata.metatype).join(', ');
      throw new ValidationFailedException(
        error.flattened.map(({ field, message, unknown }) =>
          unknown ? { field, message: `unknown query parameter ${field}; allowed: ${allowed}` } : { field, message },
        ),
      );
    }
  }
}

export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe();
}
