import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import packageJson from '../../package.json';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

/** The OpenAPI document, generated from the controllers and DTOs. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Emporium API')
    .setDescription(
      'Commerce back end: catalog, inventory, carts, checkout, orders and payments.\n\n' +
        'Errors are RFC 9457 `application/problem+json`. Every response carries `X-Request-Id`. ' +
        'Sign in with `POST /v1/auth/login` and send the access token as `Authorization: Bearer <token>`.',
    )
    .setVersion(packageJson.version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from /v1/auth/login or /v1/auth/refresh' })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey) => `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  for (const pathItem of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      // Public operations say so explicitly instead of leaving the requirement undefined.
      if (operation && !operation.security) operation.security = [];
    }
  }
  return document;
}

export function setupSwaggerUi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
    customSiteTitle: 'Emporium API',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
}
