import { ApiHeader, ApiNotModifiedResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';

export const ETAG_HEADER = {
  description: 'Version of the resource, as a strong ETag.',
  required: true,
  schema: { type: 'string' as const, maxLength: 64, pattern: '^"[0-9]+"$', example: '"3"' },
};

export const LOCATION_HEADER = {
  description: 'Path of the created resource.',
  required: true,
  schema: { type: 'string' as const, maxLength: 200, example: '/v1/products/0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e' },
};

export const idParam = (name: string, what: string) =>
  ApiParam({
    name,
    description: `Public id of the ${what} (UUID); any other string is answered 404.`,
    schema: { type: 'string', format: 'uuid', minLength: 36, maxLength: 36, example: '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e' },
  });

export const IfNoneMatch = () =>
  applyDecorators(
    ApiHeader({
      name: 'If-None-Match',
      required: false,
      description: 'An ETag from an earlier read (or a list of them, or `*`); 304 when unchanged.',
      schema: { type: 'string', maxLength: 1024, example: '"3"' },
    }),
    ApiNotModifiedResponse({ description: 'Unchanged since the ETag in If-None-Match; no body.', headers: { ETag: ETAG_HEADER } }),
  );

export const IfMatch = (required: boolean, what = 'resource') =>
  ApiHeader({
    name: 'If-Match',
    required,
    description: required
      ? `The ETag of the ${what} you read; 428 when missing, 412 when the ${what} changed since.`
      : `The ETag of the ${what} you read; 412 when the ${what} changed since.`,
    schema: { type: 'string', maxLength: 64, example: '"3"' },
  });

/**
 * A public read that also identifies callers who send a token: documented with optional bearer
 * security (`{}` or bearer), so generated clients send the token when they have one.
 */
export const PublicRead = (operation: Parameters<typeof ApiOperation>[0]) =>
  ApiOperation({ ...operation, security: [{}, { bearer: [] }] });
