import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DECORATORS } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { FieldError, ValidationFailedException } from '../problem/problem';

/** What @ApiHeader()/@ApiBody() record: `in: 'header'` and `in: 'body'` entries of the OpenAPI parameters. */
interface DocumentedInput {
  in?: string;
  name?: string;
  schema?: { minLength?: number; maxLength?: number; pattern?: string; enum?: unknown[] };
}

/** A header the handler documents, with the constraints its schema puts on a value that is sent. */
interface HeaderRule {
  name: string;
  minLength?: number;
  maxLength?: number;
  pattern?: RegExp;
  allowed?: string[];
}

/** What a handler declares about its request beyond its DTOs (which the validation pipe checks). */
interface RequestContract {
  headers: HeaderRule[];
  takesBody: boolean;
}

function headerRule({ name = '', schema = {} }: DocumentedInput): HeaderRule {
  return {
    name,
    minLength: schema.minLength,
    maxLength: schema.maxLength,
    pattern: schema.pattern === undefined ? undefined : new RegExp(schema.pattern, 'u'),
    allowed: schema.enum?.map(String),
  };
}

/** The first constraint `value` breaks; header values are Latin-1, one code unit per character. */
function headerViolation(rule: HeaderRule, value: string): string | undefined {
  if (rule.minLength !== undefined && value.length < rule.minLength) {
    return rule.minLength === 1 ? `${rule.name} must not be empty` : `${rule.name} must be at least ${rule.minLength} characters long`;
  }
  if (rule.maxLength !== undefined && value.length > rule.maxLength) return `${rule.name} must be at most ${rule.maxLength} characters long`;
  if (rule.pattern && !rule.pattern.test(value)) return `${rule.name} must match the pattern ${rule.pattern.source}`;
  if (rule.allowed && !rule.allowed.includes(value)) return `${rule.name} must be one of: ${rule.allowed.join(', ')}`;
  return undefined;
}

/** Whether the request carries content: a non-zero Content-Length, or a chunked body of unknown length. */
function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Holds requests to what their handler documents, so that the server is as strict as the OpenAPI
 * document generated from the same declarations:
 *
 * - a header the handler or its controller documents with @ApiHeader() is checked, when sent,
 *   against its schema (minLength, maxLength, pattern, enum); whether it must be sent stays the
 *   handler's call (a missing If-Match is 428, not 400);
 * - a request with a body is refused unless the handler reads one: a @Body() parameter, or a raw
 *   body it documents with @ApiBody() (multipart uploads, signed webhooks). A client that sends a
 *   partial list of lines to an operation taking none must not see it ignored.
 *
 * Either refusal is a 400 validation problem naming the header, or `body`. Global and so ahead of
 * the handlers' own interceptors: a cached read or an idempotent replay never skips the check.
 */
@Injectable()
export class RequestContractInterceptor implements NestInterceptor {
  private readonly contracts = new WeakMap<object, RequestContract>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const contract = this.contractOf(context);
    const errors: FieldError[] = [];
    for (const rule of contract.headers) {
      const value = request.headers[rule.name.toLowerCase()];
      const violation = value === undefined ? undefined : headerViolation(rule, String(value));
      if (violation) errors.push({ field: rule.name, message: violation });
    }
    if (!contract.takesBody && hasBody(request)) errors.push({ field: 'body', message: 'this operation takes no request body' });
    if (errors.length > 0) throw new ValidationFailedException(errors);
    return next.handle();
  }

  private contractOf(context: ExecutionContext): RequestContract {
    const handler = context.getHandler();
    let contract = this.contracts.get(handler);
    if (!contract) {
      const controller = context.getClass();
      const documented = (Reflect.getMetadata(DECORATORS.API_PARAMETERS, handler) ?? []) as DocumentedInput[];
      const controllerHeaders = (Reflect.getMetadata(DECORATORS.API_HEADERS, controller) ?? []) as DocumentedInput[];
      const handlerHeaders = documented.filter((input) => input.in === 'header');
      // A header the handler documents itself replaces the controller's of the same name.
      const headers = [
        ...controllerHeaders.filter((header) => !handlerHeaders.some((own) => own.name?.toLowerCase() === header.name?.toLowerCase())),
        ...handlerHeaders,
      ];
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler.name) ?? {}) as Record<string, unknown>;
      const bodyParameter = Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.BODY));
      contract = { headers: headers.map(headerRule), takesBody: bodyParameter || documented.some((input) => input.in === 'body') };
      this.contracts.set(handler, contract);
    }
    return contract;
  }
}
