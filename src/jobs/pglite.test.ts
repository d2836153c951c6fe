import { PGlite } from '@electric-sql/pglite';
import { createQueue } from './index.ts';
import { queueContract } from './testing/contract.ts';

let db: PGlite;

queueContract(
  'PGlite (pg-boss through executeSql)',
  async () => {
    db = new PGlite();
    const queue = createQueue({ kind: 'pglite', pglite: db, pollingIntervalSeconds: 0.5, maintenanceIntervalSeconds: 1, cronIntervalSeconds: 1 });
    await queue.start();
    return queue;
  },
  async (queue) => {
    await queue.stop();
    await db.close();
  },
);
