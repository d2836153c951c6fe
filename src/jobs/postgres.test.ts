import { createQueue } from './index.ts';
import { queueContract } from './testing/contract.ts';
import { DATABASE_URL, dropSchemas, uniqueSchema } from './testing/postgres.ts';

const schema = `${uniqueSchema('jobs_pg')}_pgboss`;

queueContract(
  'PostgreSQL (pg-boss)',
  async () => {
    const queue = createQueue({ kind: 'postgres', connectionString: DATABASE_URL, schema, pollingIntervalSeconds: 0.5, maintenanceIntervalSeconds: 1, cronIntervalSeconds: 1 });
    await queue.start();
    return queue;
  },
  async (queue) => {
    await queue.stop();
    await dropSchemas(schema);
  },
);
