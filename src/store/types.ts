/**
 * The store's contract: what the API, the jobs, the CLI and the later capabilities may rely on.
 * Implementations: PGlite (embedded default) and PostgreSQL (`DATABASE_URL`), one set of migrations.
 *
 * Tenancy: every read or write of an account's object takes a `Scope`. A user's scope is their account;
 * an `admin` has the scope `'all'`. An object of another account is reported as missing (`null` / a 404
 * ProblemError), never as forbidden.
 *
 * Times are epoch milliseconds (UTC) inside the process; resolutions are milliseconds.
 */
export type Id = number;
export type Scope = { accountId: Id } | 'all';

export const ROLES = ['admin', 'account-admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const SOURCE_KINDS = ['meter', 'user', 'feed', 'forecaster', 'scheduler', 'market'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const ASSET_TYPES = ['battery', 'ev-charger', 'heat-pump', 'shiftable-load', 'pv', 'inflexible-load'] as const;
export type AssetType = (typeof ASSET_TYPES)[number];

export interface Account { id: Id; name: string; createdAt: number }
export interface User { id: Id; accountId: Id; email: string; role: Role; createdAt: number }
export interface ApiToken {
  id: Id; userId: Id; name: string; kind: 'api' | 'session';
  createdAt: number; expiresAt: number | null; revokedAt: number | null; lastUsedAt: number | null;
}
export interface Site {
  id: Id; accountId: Id; name: string; timezone: string;
  latitude: number | null; longitude: number | null; priceZone: string | null;
  importCapacityKw: number | null; exportCapacityKw: number | null; createdAt: number;
}
export interface Asset {
  id: Id; accountId: Id; siteId: Id; name: string; type: AssetType;
  flexModel: Record<string, unknown>; createdAt: number;
}
export interface Sensor {
  id: Id; accountId: Id; name: string;
  quantity: import('../core/units.ts').Quantity; unit: string; resolutionMs: number;
  siteId: Id | null; assetId: Id | null; priceZone: string | null;
  /** Beliefs older than this (by slot start) are purged; null = keep (or the source kind's retention). */
  retentionMs: number | null; createdAt: number;
  /** The time zone of its site (UTC without one): slots of a day or an hour align to its wall clock. */
  timezone: string;
}
export interface Source { id: Id; kind: SourceKind; name: string; version: string }

export type NewSite = Omit<Site, 'id' | 'createdAt' | 'latitude' | 'longitude' | 'priceZone' | 'importCapacityKw' | 'exportCapacityKw'> &
  Partial<Pick<Site, 'latitude' | 'longitude' | 'priceZone' | 'importCapacityKw' | 'exportCapacityKw'>>;
export type NewAsset = Omit<Asset, 'id' | 'createdAt' | 'accountId'>;
export type NewSensor = Omit<Sensor, 'id' | 'createdAt' | 'timezone' | 'siteId' | 'assetId' | 'priceZone' | 'retentionMs' | 'accountId'> &
  Partial<Pick<Sensor, 'siteId' | 'assetId' | 'priceZone' | 'retentionMs'>> & { accountId?: Id };

/** A regular run of beliefs of one sensor, in the sensor's own unit and resolution. */
export interface BeliefBatch {
  sensorId: Id;
  sourceId: Id;
  /** Belief time (epoch ms) shared by the batch. */
  beliefTime: number;
  /** Slot start of values[0]; values[i] is the slot start + i * resolutionMs. null/NaN entries are skipped. */
  start: number;
  resolutionMs: number;
  values: ArrayLike<number | null>;
}

/** One belief row, for bulk loads that mix sensors, sources or belief times. */
export interface BeliefRow { sensorId: Id; slotStart: number; beliefTime: number; sourceId: Id; value: number }

export interface BeliefQuery {
  sensorId: Id;
  /** [start, end) in epoch ms, on the sensor's grid. */
  start: number;
  end: number;
  /** Only beliefs with belief time <= asOf. */
  asOf?: number;
  sourceIds?: Id[];
  sourceKinds?: SourceKind[];
  /** The sensor's resolution, when the caller holds the sensor already: saves looking it up. */
  sensorResolutionMs?: number;
}

/** A read of one sensor found by id within a scope, in one round trip (see beliefs.latestOfSensor). */
export interface SensorWindowQuery {
  sensorId: Id;
  start: number;
  /** end - start in ms; the window ends at the next whole slot of `resolutionMs` (default: the sensor's). */
  spanMs: number;
  resolutionMs?: number;
  /** Read nothing when the window holds more slots than this (at the finer of the two resolutions). */
  maxSlots: number;
  asOf?: number;
  sourceIds?: Id[];
  sourceKinds?: SourceKind[];
}

/** A read of one sensor on its own grid: values[i] belongs to start + i * resolutionMs; null = no belief. */
export interface BeliefSeries { start: number; resolutionMs: number; values: (number | null)[] }

/** Full belief rows with their provenance, for export and audit. */
export interface BeliefRecord { slotStart: number; beliefTime: number; sourceId: Id; value: number }

export interface CrudRepo<T, New, Patch> {
  create(scope: Scope, input: New): Promise<T>;
  /** null when missing or outside the scope. */
  get(scope: Scope, id: Id): Promise<T | null>;
  list(scope: Scope, filter?: Record<string, unknown>): Promise<T[]>;
  /** null when missing or outside the scope. */
  update(scope: Scope, id: Id, patch: Patch): Promise<T | null>;
  /** false when missing or outside the scope. */
  delete(scope: Scope, id: Id): Promise<boolean>;
}

export interface Store {
  readonly kind: 'pglite' | 'postgres';
  /** The embedded database instance (PGlite only), for parts that need the raw connection (the job queue). */
  readonly pglite?: import('@electric-sql/pglite').PGliteInterface;
  /** The PostgreSQL URL and schema (PostgreSQL only), for parts that open their own connections (the job queue). */
  readonly databaseUrl?: string;
  readonly schema?: string;
  /** Raw SQL for the parts that own their own tables (jobs, markets, ...); $1-style parameters; `prepared` for hot statements. */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[], opts?: { prepared?: boolean }): Promise<R[]>;
  /** Runs fn in one transaction: everything or nothing. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;

  accounts: {
    create(name: string): Promise<Account>;
    get(scope: Scope, id: Id): Promise<Account | null>;
    list(scope: Scope): Promise<Account[]>;
    update(scope: Scope, id: Id, patch: { name?: string }): Promise<Account | null>;
    delete(scope: Scope, id: Id): Promise<boolean>;
    getByName(name: string): Promise<Account | null>;
  };
  users: CrudRepo<User, { accountId: Id; email: string; password: string; role: Role }, { email?: string; password?: string; role?: Role }> & {
    /** The user when the password matches (argon2id), else null. */
    verifyPassword(email: string, password: string): Promise<User | null>;
    getByEmail(email: string): Promise<User | null>;
  };
  tokens: {
    /** Creates a random token; the secret is returned once and stored only as a hash. */
    create(userId: Id, input: { name: string; expiresAt?: number | null; kind?: 'api' | 'session' }, now: number): Promise<{ token: string; record: ApiToken }>;
    /** The user and token for a secret that is not revoked or expired at `now`; else null. */
    authenticate(secret: string, now: number): Promise<{ user: User; token: ApiToken } | null>;
    list(userId: Id): Promise<ApiToken[]>;
    revoke(userId: Id, tokenId: Id, now: number): Promise<boolean>;
  };
  sites: CrudRepo<Site, NewSite, Partial<Omit<Site, 'id' | 'accountId' | 'createdAt'>>>;
  assets: CrudRepo<Asset, NewAsset, Partial<Pick<Asset, 'name' | 'flexModel'>>>;
  sensors: CrudRepo<Sensor, NewSensor, Partial<Pick<Sensor, 'name' | 'unit' | 'retentionMs'>>>;
  sources: {
    /** Finds or creates the source (kind, name, version). */
    ensure(input: { kind: SourceKind; name: string; version?: string }): Promise<Source>;
    get(id: Id): Promise<Source | null>;
    list(): Promise<Source[]>;
  };
  beliefs: {
    /** Writes batches in one transaction; writing the same belief again is idempotent (last value wins). Returns rows written. */
    write(batches: BeliefBatch[]): Promise<number>;
    /** Bulk path for many rows (COPY on PostgreSQL). Idempotent like write. */
    writeRows(rows: BeliefRow[]): Promise<number>;
    /** The most recent belief per slot (optionally as of a belief time and from given sources). */
    latest(q: BeliefQuery): Promise<BeliefSeries>;
    /**
     * The sensor (null outside the scope) and its latest beliefs per slot in the window, in one statement;
     * series is null when the window holds more than maxSlots slots.
     */
    latestOfSensor(scope: Scope, q: SensorWindowQuery): Promise<{ sensor: Sensor; series: BeliefSeries | null } | null>;
    /** Every belief row in the range, oldest belief first, for export and audit. */
    history(q: BeliefQuery): Promise<BeliefRecord[]>;
  };
  retention: {
    /** Default retention per source kind (ms); null = keep. */
    setForSourceKind(kind: SourceKind, retentionMs: number | null): Promise<void>;
    getForSourceKinds(): Promise<Partial<Record<SourceKind, number | null>>>;
    /** Deletes beliefs whose slot start is older than now - retention (sensor's, else its source kind's). Returns rows deleted. */
    purge(now: number): Promise<number>;
  };
  close(): Promise<void>;
}
