import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import { DATABASE_URL } from '../../src/store/test-helpers.ts';
import { marketApiSuite } from './api-suite.ts';

const schema = `market_api_${randomBytes(5).toString('hex')}`;

marketApiSuite({ databaseUrl: DATABASE_URL, schema });

afterAll(async () => {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});
