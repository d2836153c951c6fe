import type { Command } from 'commander';
import { invalid } from '../../core/errors.ts';
import { type GlobalOptions, output, withStore, readJsonFile } from '../context.ts';


/** `edge` (run the site agent) and `edge-token` (issue an agent's broker credentials). */
export function edgeCommands(program: Command, g: () => GlobalOptions): void {
  program.command('edge').description('run the edge agent of a site: simulated devices, telemetry over MQTT, dispatch contracts, local control')
    .requiredOption('--config <file>', 'the site configuration (JSON; see docs/edge.md)')
    .action(async (o: { config: string }) => {
      const { parseAgentConfig } = await import('../../edge/config.ts');
      const { Agent } = await import('../../edge/agent.ts');
      const cfg = parseAgentConfig(readJsonFile(o.config, '--config'));
      const agent = new Agent(cfg, { log: (l) => process.stderr.write(`${new Date().toISOString()} ${l}\n`) });
      agent.start();
      process.stdout.write(`edge agent for site ${cfg.siteId} running (${agent.spool.size} readings waiting in ${cfg.spool.dir}); stop with Ctrl-C\n`);
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void agent.stop().then(() => process.exit(0), () => process.exit(1)));
    });

  program.command('edge-token').description("make (or replace) a site agent's password for the embedded broker; user name = the site id")
    .requiredOption('--site <id>', 'site id')
    .action(async (o: { site: string }) => withStore(g(), async (store) => {
      const siteId = Number(o.site);
      if (!Number.isInteger(siteId) || siteId <= 0) throw invalid('--site', `"${o.site}" is not a site id`);
      if (!(await store.sites.get('all', siteId))) throw invalid('--site', `site ${siteId} not found`);
      const { issueAgentToken } = await import('../../edge/broker.ts');
      const token = await issueAgentToken(store, siteId);
      output(g(), { siteId, username: String(siteId), password: token }, (d) => `user name: ${d.username}\npassword:  ${d.password}\n(shown once; stored only as a hash)`);
    }));
}
