import type { FastifySchema } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];

function isZod(s: unknown): s is z.ZodType {
  return !!s && typeof s === 'object' && '_zod' in (s as object);
}

/**
 * The OpenAPI transform: the zod schemas that validate each route become its documentation. Bodies that
 * differ by content type (JSON or CSV) are converted per content type, which the stock transform does not do.
 */
export function openApiTransform(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const body = (input.schema as FastifySchema | undefined)?.body as { content?: Record<string, { schema: unknown }> } | undefined;
  if (!body?.content) return jsonSchemaTransform(input);
  const content: Record<string, { schema: unknown }> = {};
  for (const [type, { schema }] of Object.entries(body.content)) {
    content[type] = { schema: isZod(schema) ? z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) : schema };
  }
  const out = jsonSchemaTransform({ ...input, schema: { ...input.schema, body: undefined } as typeof input.schema });
  return { ...out, schema: { ...out.schema, body: { content } } };
}
