import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('demo')
    .description('Run a small end-to-end demo on data the project makes itself')
    .option('--seed <n>', 'random seed', '0')
    .action(async (opts: { seed: string }) => {
      const { parseSeed } = await import('../options.ts');
      const seed = parseSeed(opts.seed);
      const { runDemo } = await import('../demo.ts');
      await runDemo(seed);
    });
}
