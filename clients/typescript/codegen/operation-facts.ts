import { $, definePluginConfig, type DefinePlugin, type Plugin } from '@hey-api/openapi-ts';

// A generator plugin that writes src/generated/operation-facts.gen.ts: what the hand-written
// wrapper (src/index.ts, src/not-modified.ts) needs to know of the operations and the generated
// SDK does not carry, read from the OpenAPI document itself rather than kept as a hand-written list.

type UserConfig = { name: 'operation-facts' } & Plugin.UserExports & {
  /** Tag of the operations that make up the public catalog (default `Catalog`). */
  catalogTag?: string;
};

type Config = { name: 'operation-facts' } & Plugin.Exports & { catalogTag: string };

export type OperationFactsPlugin = DefinePlugin<UserConfig, Config>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface OperationObject {
  operationId?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  responses?: Record<string, unknown>;
  'x-public'?: boolean;
}

interface Document {
  security?: Record<string, string[]>[];
  paths?: Record<string, Partial<Record<(typeof METHODS)[number], OperationObject>>>;
}

/** Anonymous callers may use it: marked `x-public` by the API, or its security is empty or lists an empty requirement. */
function allowsAnonymous(operation: OperationObject, document: Document): boolean {
  const security = operation.security ?? document.security ?? [];
  return operation['x-public'] === true || security.length === 0 || security.some((requirement) => Object.keys(requirement).length === 0);
}

const handler: OperationFactsPlugin['Handler'] = ({ plugin }) => {
  const document = plugin.context.spec as Document;
  const publicCatalogReads: string[] = [];
  const notModifiedOperations: string[] = [];

  for (const [path, pathItem] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!operation) continue;
      if (method === 'get' && operation.tags?.includes(plugin.config.catalogTag) && allowsAnonymous(operation, document)) {
        publicCatalogReads.push(`GET ${path}`);
      }
      if (operation.operationId && operation.responses?.['304'] !== undefined) notModifiedOperations.push(operation.operationId);
    }
  }

  plugin.node(
    $.const(plugin.symbol('publicCatalogReads'))
      .export()
      .doc([
        `Reads of the public catalog (GET operations tagged ${plugin.config.catalogTag} that anonymous callers may use),`,
        'as `METHOD url-template` keys. Without Authorization their answer is the same for every caller and may come',
        "from the API's catalog cache; with it, staff also see drafts.",
      ])
      .assign($($.fromValue(publicCatalogReads)).as('const')),
  );
  plugin.node(
    $.type
      .alias(plugin.symbol('NotModifiedOperation'))
      .export()
      .doc('Operations that answer 304 Not Modified to an If-None-Match naming the current ETag.')
      .type(notModifiedOperations.length ? $.type.or(...notModifiedOperations.sort().map((id) => $.type.literal(id))) : $.type('never')),
  );
};

export const operationFacts = definePluginConfig<OperationFactsPlugin['Types']>({
  // Facts for this package's own code, not part of its API: kept out of src/generated/index.ts.
  config: { catalogTag: 'Catalog', includeInEntry: false },
  handler,
  name: 'operation-facts',
});
