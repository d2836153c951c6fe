/** The dashboard's client of the gridflex HTTP API (same origin, session cookie + CSRF token). */

export interface User { id: string; email: string; role: string; accountId: string }
export interface Account { id: string; name: string }
export interface Site {
  id: string; name: string; timezone: string; latitude?: number | null; longitude?: number | null;
  priceZone?: string | null; importCapacityKw?: number | null; exportCapacityKw?: number | null; createdAt?: string;
}
export interface Sensor {
  id: string; name: string; quantity: string; unit: string; resolution: string;
  siteId?: string | null; assetId?: string | null; priceZone?: string | null;
}
export interface SeriesData { start: string; resolution: string; unit: string; values: (number | null)[] }
export interface ProblemItem { field?: string; line?: number; message: string }
export interface Problem { type?: string; title: string; status: number; detail?: string; errors?: ProblemItem[] }
export interface UploadResult { written: number; start: string | null; end: string | null }

/** A failed call, carrying the server's problem details. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
  }
  get status(): number { return this.problem.status; }
}

/** Called when the server answers 401: the page shows the log-in form. */
let onUnauthorized: () => void = () => {};
let csrfToken: string | null = null;

export function whenUnauthorized(handler: () => void): void { onUnauthorized = handler; }

type Query = Record<string, string | undefined>;

async function call<T>(method: string, path: string, opts: { query?: Query; json?: unknown; text?: string; contentType?: string } = {}): Promise<T> {
  const url = new URL(`/api/v1${path}`, window.location.origin);
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, v);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let body: string | undefined;
  if (opts.json !== undefined) { headers['content-type'] = 'application/json'; body = JSON.stringify(opts.json); }
  if (opts.text !== undefined) { headers['content-type'] = opts.contentType ?? 'text/plain'; body = opts.text; }
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body, credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError({ title: 'Network error', status: 0, detail: `could not reach the server (${(e as Error).message})` });
  }
  if (res.status === 204) return undefined as T;
  const payload = await readBody(res);
  if (res.ok) return payload as T;
  const problem = toProblem(res, payload);
  if (res.status === 401 && !path.startsWith('/auth/')) onUnauthorized();
  throw new ApiError(problem);
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return null;
  try { return JSON.parse(text); } catch { return text; }
}

function toProblem(res: Response, payload: unknown): Problem {
  if (payload && typeof payload === 'object' && 'title' in payload) {
    const p = payload as Problem;
    return { ...p, status: p.status ?? res.status };
  }
  const detail = typeof payload === 'string' && payload ? payload.slice(0, 300) : res.statusText;
  return { title: res.statusText || 'Request failed', status: res.status, detail };
}

export async function login(email: string, password: string): Promise<User> {
  const r = await call<{ user: User; csrfToken: string }>('POST', '/auth/login', { json: { email, password } });
  csrfToken = r.csrfToken;
  return r.user;
}

export async function logout(): Promise<void> {
  try { await call<void>('POST', '/auth/logout', { json: {} }); } finally { csrfToken = null; }
}

/** Who is logged in; also recovers the CSRF token after a reload. */
export async function me(): Promise<{ user: User; account?: Account | null }> {
  const r = await call<{ user: User; account?: Account | null; csrfToken?: string }>('GET', '/me');
  if (r.csrfToken) csrfToken = r.csrfToken;
  return r;
}

export interface ApiToken { id: number; name: string; kind: 'api' | 'session'; createdAt: string; expiresAt: string | null; revokedAt: string | null; lastUsedAt: string | null }
export const listTokens = async (): Promise<ApiToken[]> => (await call<{ items: ApiToken[] }>('GET', '/tokens')).items;
export const createToken = (name: string, expiresAt: string | null): Promise<ApiToken & { token: string }> => call('POST', '/tokens', { json: { name, expiresAt } });
export const revokeToken = (id: number): Promise<void> => call('DELETE', `/tokens/${id}`);
export const listSites = async (): Promise<Site[]> => (await call<{ items: Site[] }>('GET', '/sites')).items;
export const getSite = (id: string): Promise<Site> => call<Site>('GET', `/sites/${encodeURIComponent(id)}`);
export const listSensors = async (siteId: string): Promise<Sensor[]> =>
  (await call<{ items: Sensor[] }>('GET', '/sensors', { query: { siteId } })).items;
export const getSensor = (id: string): Promise<Sensor> => call<Sensor>('GET', `/sensors/${encodeURIComponent(id)}`);

export function readData(sensorId: string, q: { start: string; end: string; resolution?: string; unit?: string; asOf?: string }): Promise<SeriesData> {
  return call<SeriesData>('GET', `/sensors/${encodeURIComponent(sensorId)}/data`, { query: q });
}

/** Uploads `timestamp,value` CSV text; the unit and the time zone (for timestamps without offset) are optional. */
export function uploadCsv(sensorId: string, csv: string, q: { unit?: string; timezone?: string }): Promise<UploadResult> {
  return call<UploadResult>('POST', `/sensors/${encodeURIComponent(sensorId)}/data`, { query: q, text: csv, contentType: 'text/csv' });
}

// --- assets, schedules, jobs, forecasts, the edge agent ---

export interface Asset { id: number | string; siteId: number | string; name: string; type: string; flexModel: Record<string, unknown> }
export interface Job { id: string; name: string; state: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled'; error: string | null; result: unknown }
export interface ScheduleAssetResult { id: string; type: string; powerKw: number[]; socKwh?: number[]; temperatureC?: number[] }
export interface Unmet { assetId: string; kind: string; amount: number; unit: string; message: string }
export interface ScheduleResult {
  status: 'optimal' | 'unmet-wishes' | 'infeasible'; reason?: string; start: string; end: string; resolution: string; currency: string;
  assets: ScheduleAssetResult[]; site: { importKw: number[]; exportKw: number[] };
  cost: { total: number; energy: number; peak: number; cycle: number; penalty: number };
  baseline: { cost: number }; saving: number; unmet: Unmet[];
}
export interface ScheduleRun { id: number; status: 'queued' | 'running' | 'done' | 'failed'; job: string | null; error: string | null; result: ScheduleResult | null; createdAt?: string }
export interface Accepted { id: number; job: string | null; statusUrl: string; resultUrl: string }
export interface AgentStatus {
  siteId: number; status: 'never-seen' | 'online' | 'offline'; lastSeen: string | null; lastHeartbeat: string | null; control: string | null;
  messages: number; rejected: number; live: Record<string, number>;
  contract: { id: string; device: string; state: string; start: string; durationMs: number; powerKw: number[]; reason: string | null; updatedAt: string } | null;
}

export const listAssets = async (siteId: string): Promise<Asset[]> =>
  (await call<{ items: Asset[] }>('GET', '/assets', { query: { siteId } })).items;
export const createAsset = (body: { siteId: number; name: string; type: string; flexModel: Record<string, unknown> }): Promise<Asset> =>
  call<Asset>('POST', '/assets', { json: body });
export const listSchedules = async (siteId: string): Promise<ScheduleRun[]> =>
  (await call<{ items: ScheduleRun[] }>('GET', `/sites/${encodeURIComponent(siteId)}/schedules`)).items;
export const askSchedule = (siteId: string, body: { start: string; end: string }): Promise<Accepted> =>
  call<Accepted>('POST', `/sites/${encodeURIComponent(siteId)}/schedules`, { json: body });
export const getSchedule = (id: number | string): Promise<ScheduleRun> => call<ScheduleRun>('GET', `/schedules/${encodeURIComponent(String(id))}`);
export const getJob = (id: string): Promise<Job> => call<Job>('GET', `/jobs/${encodeURIComponent(id)}`);
export const getAgent = (siteId: string): Promise<AgentStatus> => call<AgentStatus>('GET', `/sites/${encodeURIComponent(siteId)}/agent`);
export const askForecast = (sensorId: string, body: { method?: string; horizon?: string }): Promise<{ job: string; statusUrl: string }> =>
  call<{ job: string; statusUrl: string }>('POST', `/sensors/${encodeURIComponent(sensorId)}/forecasts`, { json: body });

/** Reads a sensor's data from some sources only (`meter,user,feed` or `forecaster`). */
export function readDataFrom(sensorId: string, q: { start: string; end: string; source: string; resolution?: string }): Promise<SeriesData> {
  return call<SeriesData>('GET', `/sensors/${encodeURIComponent(sensorId)}/data`, { query: q });
}
