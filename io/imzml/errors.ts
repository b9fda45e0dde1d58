// One error type for everything wrong with an imzML pair, so callers (the CLI, the web app) can
// tell a bad file from a bug. The message always starts with the file at fault and, when one
// spectrum is at fault, its document-order index: "<file>: spectrum <i>: <problem>".

import { oneLine } from '../one-line.ts';

export class ImzmlError extends Error {
  /** The file at fault (.imzML header or .ibd), as named by its ByteSource. */
  readonly file: string;
  /** Document-order spectrum index, when one spectrum is at fault. */
  readonly spectrum: number | undefined;
  readonly problem: string;

  constructor(file: string, problem: string, spectrum?: number) {
    super(oneLine(spectrum === undefined ? `${file}: ${problem}` : `${file}: spectrum ${spectrum}: ${problem}`));
    this.name = 'ImzmlError';
    this.file = file;
    this.spectrum = spectrum;
    this.problem = problem;
  }
}

export function isImzmlError(e: unknown): e is ImzmlError {
  return e instanceof Error && e.name === 'ImzmlError';
}
