import { Command } from 'commander';
import { adminCommands } from './commands/admin.ts';
import { dataCommands } from './commands/data.ts';
import { feedCommands } from './commands/feeds.ts';
import { forecastCommands } from './commands/forecast.ts';
import { edgeCommands } from './commands/edge.ts';
import { marketCommands } from './commands/market.ts';
import { serveCommands } from './commands/serve.ts';
import { scheduleCommands } from './commands/schedule.ts';
import { type GlobalOptions, reportError } from './context.ts';

/** The `gridflex` command. Every sub-command has --help; --json gives machine-readable output. */
export function buildProgram(): Command {
  const program = new Command('gridflex')
    .description('gridflex: open energy-flexibility platform')
    .option('--json', 'machine-readable output')
    .option('--database-url <url>', 'PostgreSQL URL (default: DATABASE_URL, else the embedded database)')
    .option('--data-dir <dir>', 'embedded database folder (default: GRIDFLEX_DATA_DIR or ./.gridflex)')
    .showHelpAfterError()
    .exitOverride();
  const g = () => program.opts<GlobalOptions>();
  serveCommands(program, g);
  adminCommands(program, g);
  dataCommands(program, g);
  scheduleCommands(program, g);
  feedCommands(program, g);
  forecastCommands(program, g);
  edgeCommands(program, g);
  marketCommands(program, g);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return;
    if (code?.startsWith('commander.')) {
      process.exitCode = 2;
      return;
    }
    reportError(err, program.opts<GlobalOptions>().json);
  }
}

await main(process.argv);
