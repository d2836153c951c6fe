import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ProblemError, type ProblemItem } from '../core/errors.ts';

/** An RFC 9457 problem details body. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: ProblemItem[];
}

const TYPE_BASE = 'https://gridflex.dev/problems/';

function slug(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/(^-|-$)/g, '');
}

export function problemOf(status: number, title: string, detail: string, errors?: ProblemItem[]): Problem {
  return { type: `${TYPE_BASE}${slug(title)}`, title, status, detail, ...(errors && errors.length ? { errors } : {}) };
}

/** Turns a zod issue path (['assets', 0, 'capacityKwh']) into `assets[0].capacityKwh`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}

interface ValidationEntry { keyword?: string; instancePath?: string; message?: string; params?: { keys?: string[] } }

/** `/assets/0/capacityKwh` (a JSON pointer) as `assets[0].capacityKwh`. */
export function pointerToField(pointer: string): string {
  const parts = pointer.split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return fieldPath(parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p)));
}

function validationItems(err: FastifyError): ProblemItem[] {
  const context = (err as { validationContext?: string }).validationContext ?? 'body';
  const items: ProblemItem[] = [];
  for (const v of (err.validation ?? []) as ValidationEntry[]) {
    const base = pointerToField(v.instancePath ?? '');
    if (v.keyword === 'unrecognized_keys' && v.params?.keys?.length) {
      for (const k of v.params.keys) items.push({ field: base ? `${base}.${k}` : k, message: `unknown field "${k}"` });
      continue;
    }
    items.push({ field: base || context, message: v.message ?? 'invalid' });
  }
  return items;
}

/** Maps every error to problem+json: our ProblemErrors, schema validation, malformed bodies, limits. */
export function sendProblem(err: FastifyError | ProblemError | Error, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  let problem: Problem;
  if (err instanceof ProblemError) {
    problem = problemOf(err.status, err.title, err.message, err.errors);
  } else if (hasZodFastifySchemaValidationErrors(err)) {
    const items = validationItems(err as FastifyError);
    const first = items[0];
    problem = problemOf(400, 'Invalid input', first ? `${first.field}: ${first.message}` : 'the request does not match its schema', items);
  } else {
    const fe = err as FastifyError;
    const status = fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 600 ? fe.statusCode : 500;
    problem = problemOf(status, titleFor(fe, status), status === 500 ? 'internal error' : detailFor(fe));
    if (status === 500) req.log.error({ err }, 'unhandled error');
  }
  problem.instance = req.url.split('?')[0];
  if (problem.status === 429 && !reply.getHeader('retry-after')) reply.header('retry-after', '1');
  return reply.code(problem.status).type('application/problem+json').send(problem);
}

function titleFor(err: FastifyError, status: number): string {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'Payload too large';
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'Unsupported media type';
  if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'Invalid JSON';
  if (status === 429) return 'Too many requests';
  if (status === 404) return 'Not found';
  return status >= 500 ? 'Internal error' : 'Bad request';
}

function detailFor(err: FastifyError): string {
  if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return `body: not valid JSON (${err.message.replace(/^Body is not valid JSON but content-type is set to 'application\/json'/, '').trim() || err.message})`;
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'body: larger than the limit of this endpoint';
  return err.message;
}
