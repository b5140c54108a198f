import { getSchemaPath, type OpenAPIObject, type ReferenceObject, type SchemaObject } from '@nestjs/swagger';
import { IMAGE_CONTENT_TYPES } from '../catalog/dto/product-image.dto';
import { problemStatusSchemaName, problemTypeSchemaName, ProblemDto } from '../common/problem/problem.openapi';
import {
  definitionOf,
  PROBLEM_TYPE_SLUGS,
  problemType,
  problemTypesOfStatus,
  type ProblemMember,
  type ProblemTypeSlug,
} from '../common/problem/problem-types';
import { HealthChecksDto } from '../health/health.dto';
import { UnpaidOrderLimitDto } from '../orders/dto/order.dto';

/** The models the problem schemas refer to, for SwaggerModule.createDocument's `extraModels`. */
export const PROBLEM_MODELS = [ProblemDto, UnpaidOrderLimitDto, HealthChecksDto];

const PROBLEM_TYPE_SCHEMA = 'ProblemType';

/** How each extension member is documented; `errors` and `omittedErrors` are ProblemDto's own. */
const EXTENSION_MEMBERS: Record<Exclude<ProblemMember, keyof ProblemDto>, SchemaObject> = {
  skus: {
    type: 'array',
    description: 'Every SKU the problem concerns (short of stock, over a limit, no longer for sale), sorted.',
    items: { type: 'string', minLength: 1, maxLength: 64 },
    maxItems: 1000,
    example: ['TSHIRT-RED-M'],
  },
  orderStatus: { description: 'The order\'s current state.', allOf: [{ $ref: getSchemaPath('OrderStatus') }] },
  allowed: {
    type: 'array',
    description: 'The actions the order\'s current state allows.',
    items: { $ref: getSchemaPath('OrderAction') },
    maxItems: 10,
    example: ['fulfil', 'cancel'],
  },
  paymentStartedAt: { type: 'string', format: 'date-time', maxLength: 30, description: 'When the payment being processed started.', example: '2026-11-28T12:00:00.000Z' },
  failureCode: { type: 'string', maxLength: 64, description: 'Why the provider refused the payment, as the provider says it.', example: 'card_declined' },
  providers: {
    type: 'array',
    description: 'The payment providers enabled on this server.',
    items: { type: 'string', maxLength: 32 },
    maxItems: 20,
    example: ['test'],
  },
  limit: { description: 'The cap this checkout would pass.', allOf: [{ $ref: getSchemaPath(UnpaidOrderLimitDto) }] },
  maxBytes: { type: 'integer', format: 'int64', minimum: 1, maximum: 1_000_000_000, description: 'The largest accepted upload, in bytes.', example: 5_242_880 },
  accepted: {
    type: 'array',
    description: 'The accepted image types.',
    items: { type: 'string', enum: [...IMAGE_CONTENT_TYPES] },
    maxItems: 10,
    example: [...IMAGE_CONTENT_TYPES],
  },
  maxPixels: { type: 'integer', format: 'int64', minimum: 1, maximum: 1_000_000_000, description: 'The largest accepted pixel count, width times height.', example: 40_000_000 },
  checks: {
    description: 'Every check with its outcome; shown to callers holding `metrics:read` only, and absent when the probe itself timed out.',
    allOf: [{ $ref: getSchemaPath(HealthChecksDto) }],
  },
};

function isExtensionMember(member: ProblemMember): member is keyof typeof EXTENSION_MEMBERS {
  return member in EXTENSION_MEMBERS;
}

/** `database-lock-timeout` → `DatabaseLockTimeout`, the name generators give the enum member. */
function pascalCase(slug: ProblemTypeSlug): string {
  return problemTypeSchemaName(slug).replace(/Problem$/, '');
}

/** A problem of one type: ProblemDto with `type` (and `status`) pinned, and the members the type carries. */
function problemTypeSchema(slug: ProblemTypeSlug): SchemaObject {
  const { status, title, description, members = [], requiredMembers = [], coversUnlistedStatuses } = definitionOf(slug);
  const statusClass = Math.floor(status / 100) * 100;
  const properties: Record<string, SchemaObject | ReferenceObject> = {
    type: { allOf: [{ $ref: getSchemaPath(PROBLEM_TYPE_SCHEMA) }], enum: [problemType(slug)] },
    status: coversUnlistedStatuses
      ? { type: 'integer', format: 'int32', minimum: statusClass, maximum: statusClass + 99, description: `${status}, or another ${statusClass / 100}xx status without a problem type of its own.` }
      : { type: 'integer', format: 'int32', minimum: status, maximum: status },
  };
  for (const member of members) if (isExtensionMember(member)) properties[member] = EXTENSION_MEMBERS[member];
  return {
    description: `\`${problemType(slug)}\` (${status} ${title}): ${description}`,
    allOf: [
      { $ref: getSchemaPath(ProblemDto) },
      { type: 'object', ...(requiredMembers.length > 0 ? { required: [...requiredMembers] } : {}), properties },
    ],
  };
}

/** The problems of one status, told apart by `type`. */
function problemUnionSchema(status: number, slugs: ProblemTypeSlug[]): SchemaObject {
  return {
    description: `A problem of one of the types a ${status} answer can carry: ${slugs.map((slug) => `\`${slug}\``).join(', ')}.`,
    oneOf: slugs.map((slug) => ({ $ref: getSchemaPath(problemTypeSchemaName(slug)) })),
    discriminator: {
      propertyName: 'type',
      mapping: Object.fromEntries(slugs.map((slug) => [problemType(slug), getSchemaPath(problemTypeSchemaName(slug))])),
    },
  };
}

/**
 * Publishes the problem type registry: `ProblemType` (every `type` URI, with generator hints for
 * the enum member names and descriptions) and, for each status the operations answer with, a
 * `<Type>Problem` schema per type and, where a status has several, a `Status<NNN>Problem` union,
 * which the problem responses refer to. Types of statuses no operation documents (408 and 431 for
 * requests refused before routing, 414...) are in `ProblemType` only.
 */
export function addProblemSchemas(document: OpenAPIObject, statuses: Iterable<number>): void {
  const schemas = (document.components ??= {}).schemas ??= {};
  const problemTypeEnum: SchemaObject & { 'x-enum-descriptions': string[] } = {
    type: 'string',
    description:
      'Every problem type the API answers with (the `type` of a problem document); `<Type>Problem` describes each. New types may ' +
      'be added: treat one you do not know by its `status`.',
    enum: PROBLEM_TYPE_SLUGS.map(problemType),
    example: problemType('validation'),
    'x-enumNames': PROBLEM_TYPE_SLUGS.map(pascalCase),
    'x-enum-descriptions': PROBLEM_TYPE_SLUGS.map((slug) => definitionOf(slug).description),
  };
  schemas[PROBLEM_TYPE_SCHEMA] = problemTypeEnum;
  for (const status of statuses) {
    const slugs = problemTypesOfStatus(status);
    for (const slug of slugs) schemas[problemTypeSchemaName(slug)] = problemTypeSchema(slug);
    if (slugs.length > 1) schemas[problemStatusSchemaName(status)] = problemUnionSchema(status, slugs);
  }
}
