import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength, ValidateBy } from 'class-validator';
import { COMMON_PASSWORDS } from '../common-passwords';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

/** The password policy, stated once: length bounds and no well-known password. */
export function IsAcceptablePassword(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      description: `At least ${PASSWORD_MIN_LENGTH} characters and not a commonly used password.`,
      minLength: PASSWORD_MIN_LENGTH,
      maxLength: PASSWORD_MAX_LENGTH,
      example: 'correct-horse-battery-9',
      format: 'password',
    }),
    IsString(),
    MinLength(PASSWORD_MIN_LENGTH, { message: `password must be at least ${PASSWORD_MIN_LENGTH} characters` }),
    MaxLength(PASSWORD_MAX_LENGTH),
    ValidateBy({
      name: 'isNotCommonPassword',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !COMMON_PASSWORDS.has(value.toLowerCase()),
        defaultMessage: () => 'password is too common; choose another',
      },
    }),
  );
}
