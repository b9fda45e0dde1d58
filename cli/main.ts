// `msinet`: thin CLI over io/ and model/. Each subcommand lives in cli/commands/<name>.ts and
// exports `register(program)`. Errors the user can fix (bad input or options, no WebGPU adapter)
// print one clear line and exit 1; anything else is a bug: stack trace, exit 2.
import { Command, CommanderError } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { UserError } from './errors.ts';
import { commands } from './commands/index.ts';

// ../package.json from the sources, ../../package.json from the build (dist/cli/main.js).
const pkgUrl = [new URL('../package.json', import.meta.url), new URL('../../package.json', import.meta.url)].find((u) => existsSync(u))!;
const pkg = JSON.parse(readFileSync(pkgUrl, 'utf8')) as { version: string };

const program = new Command('msinet')
  .description(
    'Label-free segmentation of mass spectrometry images (MSInet) on a WebGPU engine.\n' +
      'Reads imzML (continuous or processed) and .npy; writes labels.npy, PNG, JSON and CSV.',
  )
  .version(pkg.version, '-V, --version')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode;
  } else if (e instanceof UserError || ['UserError', 'ImzmlError', 'NpyError', 'NoAdapterError'].includes((e as Error)?.name)) {
    process.stderr.write(`msinet: ${(e as Error).message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`msinet: internal error: ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 2;
  }
}
