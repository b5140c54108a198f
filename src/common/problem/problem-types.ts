import { STATUS_CODES } from 'node:http';

/**
 * Every kind of problem the API answers with, in one registry: the problem+json filter, the
 * error classes (their `type` is a ProblemTypeSlug) and the OpenAPI document (the `ProblemType`
 * enum and one schema per type) all read it. A problem's `type` is `urn:emporium:problem:<slug>`.
 */

const PROBLEM_TYPE_BASE = 'urn:emporium:problem:';

/** Members a problem document may carry besides `type`, `title`, `status`, `detail`, `instance` and `requestId`. */
export type ProblemMember =
  | 'errors'
  | 'omittedErrors'
  | 'skus'
  | 'orderStatus'
  | 'allowed'
  | 'paymentStartedAt'
  | 'failureCode'
  | 'providers'
  | 'limit'
  | 'maxBytes'
  | 'accepted'
  | 'maxPixels'
  | 'checks';

export interface ProblemTypeDefinition {
  readonly status: number;
  readonly title: string;
  /** When the API answers with it. */
  readonly description: string;
  /** The members it may carry (see ProblemMember); `required` ones are always there. */
  readonly members?: readonly ProblemMember[];
  readonly requiredMembers?: readonly ProblemMember[];
  /** The type of a problem known only by its status (HTTP exceptions, Fastify's client errors, connection errors). */
  readonly statusDefault?: true;
  /** Also the type of a problem whose status of the same class (4xx, 5xx) has no type of its own; it keeps that status. */
  readonly coversUnlistedStatuses?: true;
}

export const PROBLEM_TYPES = {
  validation: {
    status: 400,
    title: 'Bad Request',
    description:
      'A body field, query parameter or header is missing, malformed or not allowed. `errors` lists each field (the first 20); ' +
      '`omittedErrors` counts the rest.',
    members: ['errors', 'omittedErrors'],
    requiredMembers: ['errors'],
  },
  'bad-request': {
    status: 400,
    title: 'Bad Request',
    description:
      'The request cannot be read: the body is not valid JSON or does not match its Content-Length, or the URL is not validly ' +
      'percent-encoded. Also the type of any other client error without a type of its own, with that status.',
    statusDefault: true,
    coversUnlistedStatuses: true,
  },
  'invalid-signature': {
    status: 400,
    title: 'Bad Request',
    description: 'A payment provider webhook whose signature header is missing or malformed, does not match the body, or is too old.',
  },
  'invalid-webhook': {
    status: 400,
    title: 'Bad Request',
    description: 'A payment provider webhook, correctly signed, that is not an event this API understands.',
  },
  unauthorized: {
    status: 401,
    title: 'Unauthorized',
    description:
      'No valid access token (missing, malformed, expired, revoked or signed with another key), or wrong credentials or refresh token.',
    statusDefault: true,
  },
  'payment-failed': {
    status: 402,
    title: 'Payment Required',
    description: 'The payment provider refused the payment (declined card, insufficient funds...); `failureCode` says why. The order still awaits payment.',
    members: ['failureCode'],
    requiredMembers: ['failureCode'],
  },
  forbidden: {
    status: 403,
    title: 'Forbidden',
    description: 'The caller lacks the permission the operation needs.',
    statusDefault: true,
  },
  'not-found': {
    status: 404,
    title: 'Not Found',
    description: 'The resource does not exist or is not the caller\'s, or there is no such route.',
    statusDefault: true,
  },
  'method-not-allowed': {
    status: 405,
    title: 'Method Not Allowed',
    description: 'The path exists, but not with this method.',
    statusDefault: true,
  },
  'not-acceptable': {
    status: 406,
    title: 'Not Acceptable',
    description: 'A part of a multipart upload that is not in the form it declares.',
    statusDefault: true,
  },
  'request-timeout': {
    status: 408,
    title: 'Request Timeout',
    description: 'The request did not arrive in full within REQUEST_TIMEOUT_MS; the connection is closed.',
    statusDefault: true,
  },
  conflict: {
    status: 409,
    title: 'Conflict',
    description:
      'The request conflicts with the current state: a duplicate unique value, an order state that does not allow the action ' +
      '(`orderStatus`, `allowed`), stock that ran out (`skus`), or a request with the same Idempotency-Key still running.',
    members: ['skus', 'orderStatus', 'allowed'],
    statusDefault: true,
  },
  'payment-in-progress': {
    status: 409,
    title: 'Conflict',
    description: 'A payment of the order is being processed (since `paymentStartedAt`); read the order again for its outcome before paying or cancelling.',
    members: ['orderStatus', 'allowed', 'paymentStartedAt'],
    requiredMembers: ['orderStatus', 'allowed', 'paymentStartedAt'],
  },
  'precondition-failed': {
    status: 412,
    title: 'Precondition Failed',
    description: 'The If-Match header does not match the current version: the resource changed since it was read.',
    statusDefault: true,
  },
  'payload-too-large': {
    status: 413,
    title: 'Content Too Large',
    description: 'The request body is larger than the server accepts; for an image upload, `maxBytes` is the limit.',
    members: ['maxBytes'],
    statusDefault: true,
  },
  'uri-too-long': {
    status: 414,
    title: 'URI Too Long',
    description: 'A path parameter is longer than the server accepts.',
    statusDefault: true,
  },
  'unsupported-media-type': {
    status: 415,
    title: 'Unsupported Media Type',
    description: 'The body is not of a media type the operation takes (JSON, or for uploads a JPEG, PNG or WebP image: `accepted`).',
    members: ['accepted'],
    statusDefault: true,
  },
  'rule-violation': {
    status: 422,
    title: 'Unprocessable Content',
    description:
      'The request is well-formed but breaks a business rule; depending on the rule, `skus` names the variants, `providers` the ' +
      'enabled payment providers, `maxPixels` the largest image.',
    members: ['skus', 'providers', 'maxPixels'],
    statusDefault: true,
  },
  'precondition-required': {
    status: 428,
    title: 'Precondition Required',
    description: 'The operation needs an If-Match header with the ETag that was read.',
    statusDefault: true,
  },
  'too-many-requests': {
    status: 429,
    title: 'Too Many Requests',
    description: 'A rate limit was reached; retry after Retry-After seconds.',
    statusDefault: true,
  },
  'unpaid-order-limit': {
    status: 429,
    title: 'Too Many Requests',
    description:
      'The client already holds as many unpaid orders, or units in them, as one address, email or customer may (`limit` says which); ' +
      'pay for or cancel one, or retry after Retry-After seconds.',
    members: ['limit'],
    requiredMembers: ['limit'],
  },
  'request-header-fields-too-large': {
    status: 431,
    title: 'Request Header Fields Too Large',
    description: 'The request headers are larger than the server accepts; the connection is closed.',
    statusDefault: true,
  },
  internal: {
    status: 500,
    title: 'Internal Server Error',
    description: 'An unexpected error; quote the request id when reporting it. Also the type of any other server error without a type of its own.',
    statusDefault: true,
    coversUnlistedStatuses: true,
  },
  'payment-provider-error': {
    status: 502,
    title: 'Bad Gateway',
    description: 'The payment provider did not do what was asked (for example a refund failed); nothing was changed.',
  },
  unavailable: {
    status: 503,
    title: 'Service Unavailable',
    description: 'A dependency of the instance is down (readiness probe); `checks` says which, to callers holding metrics:read.',
    members: ['checks'],
    statusDefault: true,
  },
  timeout: {
    status: 503,
    title: 'Service Unavailable',
    description: 'The request took longer than REQUEST_TIMEOUT_MS; retry after Retry-After seconds.',
  },
  'shutting-down': {
    status: 503,
    title: 'Service Unavailable',
    description: 'This instance is shutting down; retry after Retry-After seconds (usually another instance answers).',
  },
  'database-lock-timeout': {
    status: 503,
    title: 'Service Unavailable',
    description: 'The data the request needs stayed locked by other work beyond DATABASE_LOCK_TIMEOUT_SECONDS; retry after Retry-After seconds.',
  },
  'database-deadlock': {
    status: 503,
    title: 'Service Unavailable',
    description: 'The request kept colliding with concurrent changes and was rolled back; retry it after Retry-After seconds.',
  },
  'database-unavailable': {
    status: 503,
    title: 'Service Unavailable',
    description: 'The database cannot be reached; retry after Retry-After seconds.',
  },
} as const satisfies Record<string, ProblemTypeDefinition>;

export type ProblemTypeSlug = keyof typeof PROBLEM_TYPES;

export const PROBLEM_TYPE_SLUGS = Object.keys(PROBLEM_TYPES) as ProblemTypeSlug[];

export function definitionOf(slug: ProblemTypeSlug): ProblemTypeDefinition {
  return PROBLEM_TYPES[slug];
}

/** The `type` URI of a problem. */
export function problemType(slug: ProblemTypeSlug): string {
  return PROBLEM_TYPE_BASE + slug;
}

const STATUS_DEFAULTS = new Map<number, ProblemTypeSlug>(
  PROBLEM_TYPE_SLUGS.filter((slug) => definitionOf(slug).statusDefault).map((slug) => [definitionOf(slug).status, slug]),
);

/** The type of a problem known only by its status. */
export function problemTypeOfStatus(status: number): ProblemTypeSlug {
  const known = STATUS_DEFAULTS.get(status);
  if (known) return known;
  const statusClass = Math.floor(status / 100);
  const covering = PROBLEM_TYPE_SLUGS.find((slug) => {
    const definition = definitionOf(slug);
    return definition.coversUnlistedStatuses && Math.floor(definition.status / 100) === statusClass;
  });
  return covering ?? 'internal';
}

/** The title of a problem with this type and status: the type's own, unless the type stands in for another status. */
export function problemTitle(slug: ProblemTypeSlug, status: number): string {
  const definition = definitionOf(slug);
  return definition.status === status ? definition.title : (STATUS_CODES[status] ?? definition.title);
}

/** The problem types a status can carry, in registry order. */
export function problemTypesOfStatus(status: number): ProblemTypeSlug[] {
  return PROBLEM_TYPE_SLUGS.filter((slug) => definitionOf(slug).status === status);
}
