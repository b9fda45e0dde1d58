import { oneLine } from '../io/one-line.ts';

/** An error caused by the user's input or options: printed as one line, exit code 1. */
export class UserError extends Error {
  constructor(message: string) {
    super(oneLine(message));
    this.name = 'UserError';
  }
}
