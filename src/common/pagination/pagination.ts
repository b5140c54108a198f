import { applyDecorators, CallHandler, ExecutionContext, Injectable, NestInterceptor, Type, UseInterceptors } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Type as TransformType } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, Observable } from 'rxjs';
import { ValidationFailedException } from '../problem/problem';

export const MAX_PAGE_SIZE = 100;

export class PageQueryDto {
  /** How many items to return. */
  @ApiPropertyOptional({ description: 'How many items to return.', type: 'integer', format: 'int32', minimum: 1, maximum: MAX_PAGE_SIZE, default: 20, example: 20 })
  @IsOptional()
  @TransformType(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = 20;

  /**
   * The `nextCursor` of the previous page; omit it for the first page. No example: a cursor only
   * means something to the list that issued it, and Swagger UI would send one on every first call.
   */
  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page; omit it for the first page.', minLength: 1, maxLength: 512 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Cursors are opaque to clients: base64url JSON of the sort key of the last item. */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<K extends Record<string, string | number>>(
  cursor: string,
  isValid: (key: Record<string, unknown>) => key is K,
): K {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (typeof key !== 'object' || key === null || !isValid(key as Record<string, unknown>)) {
    throw new ValidationFailedException([{ field: 'cursor', message: 'cursor is not one this API issued' }]);
  }
  return key as K;
}

/** Adds an RFC 8288 `Link: <...>; rel="next"` header to paginated answers. */
@Injectable()
class NextLinkInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    return next.handle().pipe(
      map((page: Page<unknown>) => {
        if (page.nextCursor) {
          const url = new URL(request.url, 'http://placeholder');
          url.searchParams.set('cursor', page.nextCursor);
          void reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
        }
        return page;
      }),
    );
  }
}

/** A paginated list answer: documents `{ data, nextCursor }` and sets the Link header. */
export function Paginated(itemType: Type<unknown>) {
  return applyDecorators(
    UseInterceptors(NextLinkInterceptor),
    ApiExtraModels(itemType),
    ApiOkResponse({
      description: 'One page of results, in a stable order. A `Link: <...>; rel="next"` header points at the next page.',
      headers: {
        Link: {
          description: 'RFC 8288 link to the next page, sent while there is one.',
          schema: { type: 'string', maxLength: 4096, example: '</v1/users?limit=20&cursor=eyJpZCI6IjAxOTMifQ>; rel="next"' },
        },
      },
      schema: {
        type: 'object',
        description: `One page of ${itemType.name.replace(/Dto$/, '')} items.`,
        required: ['data', 'nextCursor'],
        properties: {
          data: { type: 'array', maxItems: MAX_PAGE_SIZE, description: 'The items of this page, at most `limit`.', items: { $ref: getSchemaPath(itemType) } },
          nextCursor: {
            type: 'string',
            nullable: true,
            minLength: 1,
            maxLength: 512,
            pattern: '^[A-Za-z0-9_-]+$',
            description: 'Pass as `cursor` to get the next page; null on the last page.',
            example: null,
          },
        },
      },
    }),
  );
}
