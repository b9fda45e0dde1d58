// The subcommands, in the order --help lists them. Add one line per command.
import type { Command } from 'commander';
import { register as coloc } from './coloc.ts';
import { register as demo } from './demo.ts';
import { register as info } from './info.ts';
import { register as segment } from './segment.ts';
import { register as simulate } from './simulate.ts';

export const commands: Array<(program: Command) => void> = [segment, coloc, simulate, info, demo];
