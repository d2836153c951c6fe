/**
 * Errors that carry enough to answer as RFC 9457 problem details: an HTTP status, a title,
 * and the offending field (a JSON path such as `assets[0].capacityKwh`) or line of an upload.
 */
export interface ProblemItem {
  field?: string;
  line?: number;
  message: string;
}

export class ProblemError extends Error {
  readonly status: number;
  readonly title: string;
  readonly field?: string;
  readonly line?: number;
  readonly errors: ProblemItem[];

  constructor(status: number, title: string, detail: string, opts: { field?: string; line?: number; errors?: ProblemItem[] } = {}) {
    super(detail);
    this.name = 'ProblemError';
    this.status = status;
    this.title = title;
    this.field = opts.field;
    this.line = opts.line;
    this.errors = opts.errors ?? (opts.field !== undefined || opts.line !== undefined ? [{ field: opts.field, line: opts.line, message: detail }] : []);
  }
}

/** 400: the input is wrong; name the field (or line) so a person can fix it. */
export function invalid(field: string, message: string): ProblemError {
  return new ProblemError(400, 'Invalid input', `${field}: ${message}`, { field });
}

/** 400 for an upload: name the line (1-based, as an editor shows it). */
export function invalidLine(line: number, message: string): ProblemError {
  return new ProblemError(400, 'Invalid input', `line ${line}: ${message}`, { line });
}

/** 400 with many problems at once (e.g. every rejected row of a CSV). */
export function invalidMany(items: ProblemItem[], summary?: string): ProblemError {
  const first = items[0];
  const where = first?.line !== undefined ? `line ${first.line}` : first?.field ?? '';
  const detail = summary ?? `${items.length} problem(s); first: ${where}${where ? ': ' : ''}${first?.message ?? ''}`;
  return new ProblemError(400, 'Invalid input', detail, { errors: items, field: first?.field, line: first?.line });
}

export function notFound(what: string): ProblemError {
  return new ProblemError(404, 'Not found', `${what} not found`);
}

export function conflict(message: string): ProblemError {
  return new ProblemError(409, 'Conflict', message);
}

export function forbidden(message = 'not allowed for this role'): ProblemError {
  return new ProblemError(403, 'Forbidden', message);
}

export function unauthorized(message = 'missing or invalid credentials'): ProblemError {
  return new ProblemError(401, 'Unauthorized', message);
}

/** 422: well-formed but cannot be done (e.g. an infeasible hard problem), with an actionable reason. */
export function unprocessable(message: string, field?: string): ProblemError {
  return new ProblemError(422, 'Unprocessable', message, { field });
}
