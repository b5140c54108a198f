import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, Length, MaxLength, MinLength } from 'class-validator';
import { MaxCodePoints } from '../../common/validation/max-code-points';
import { normalizeEmail } from '../../users/users.service';
import { IsAcceptablePassword, PASSWORD_MAX_LENGTH } from './password.validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

@ApiSchema({ description: 'A new customer account.' })
export class RegisterDto {
  /** Email address; unique regardless of letter case. */
  @ApiProperty({ format: 'idn-email', minLength: 3, maxLength: 254, example: 'ada@example.com' })
  @Transform(trim)
  @IsString()
  // The lower-cased copy is stored too, and lower-casing can lengthen a string ('İ' becomes 'i̇').
  @MaxCodePoints(254, normalizeEmail)
  @IsEmail()
  email: string;

  @IsAcceptablePassword()
  password: string;

  /** Display name. */
  @ApiPropertyOptional({ minLength: 1, maxLength: 100, example: 'Ada Lovelace' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxCodePoints(100)
  name?: string;
}

@ApiSchema({ description: 'Credentials for signing in.' })
export class LoginDto {
  /** The email address the account was registered with. */
  @ApiProperty({ format: 'idn-email', minLength: 3, maxLength: 254, example: 'ada@example.com' })
  @Transform(trim)
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email: string;

  /** The account's password. */
  @ApiProperty({ format: 'password', minLength: 1, maxLength: PASSWORD_MAX_LENGTH, example: 'correct-horse-battery-9' })
  @IsString()
  @MinLength(1)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password: string;

  /** A guest cart's token: after signing in, that cart's lines move into the customer's cart. An unknown or used token is ignored. */
  @ApiPropertyOptional({ minLength: 1, maxLength: 200, example: 'ct_8Jx2mQ0vR4tYc7bN1pLd9sWe3uHk6aZf5gTn0oVi2yE' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  cartToken?: string;
}

@ApiSchema({ description: 'A refresh token, to spend (refresh) or revoke (logout).' })
export class RefreshTokenDto {
  /** The refresh token from the last sign-in or refresh. Each one works once. */
  @ApiProperty({ minLength: 20, maxLength: 200, example: 'bG9uZy1yYW5kb20tb3BhcXVlLXJlZnJlc2gtdG9rZW4' })
  @IsString()
  @Length(20, 200)
  refreshToken: string;
}

/** A fresh pair of tokens. */
@ApiSchema({ description: 'A fresh pair of tokens: a short-lived access token and a single-use refresh token.' })
export class TokenPairDto {
  /** JWT to send as `Authorization: Bearer <accessToken>`. */
  @ApiProperty({
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMTkzIn0.c2lnbmF0dXJl',
    minLength: 5,
    maxLength: 4096,
    pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
  })
  accessToken: string;

  /** Always `Bearer`. */
  @ApiProperty({ enum: ['Bearer'], enumName: 'TokenType', example: 'Bearer' })
  tokenType: 'Bearer';

  /** Seconds until the access token expires. */
  @ApiProperty({ type: 'integer', format: 'int32', example: 900, minimum: 30, maximum: 86_400 })
  expiresIn: number;

  /** Opaque token for `POST /v1/auth/refresh`; single use, rotates every time. */
  @ApiProperty({ example: 'bG9uZy1yYW5kb20tb3BhcXVlLXJlZnJlc2gtdG9rZW4', minLength: 20, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })
  refreshToken: string;
}
