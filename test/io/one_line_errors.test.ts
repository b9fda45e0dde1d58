// Found by `npm run fuzz`: an error message that quotes a piece of the input (here a .npy header
// key holding a newline) printed as two lines. Quoted control characters are now escaped.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseNpy } from '../../io/npy.ts';
import { ImzmlError } from '../../io/imzml/errors.ts';
import { UserError } from '../../cli/errors.ts';
import { parseInteger } from '../../cli/options.ts';

function npyWithHeader(header: string): Uint8Array {
  const body = header + ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  return new Uint8Array(Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY\x01\x00', 'latin1'), Buffer.from([body.length & 255, body.length >> 8]), Buffer.from(body, 'latin1')]));
}

test('a .npy header key with a newline gives a one-line NpyError', () => {
  const bytes = npyWithHeader("{'descr': '<f4', '\nortran_order': False, 'shape': (0,), }");
  assert.throws(
    () => parseNpy(bytes, 'f.npy'),
    (e: Error) => e.name === 'NpyError' && !/[\n\r]/.test(e.message) && e.message.includes('\\x0aortran_order'),
  );
});

test('ImzmlError and UserError escape control characters they quote', () => {
  assert.is(new ImzmlError('f.imzML', 'malformed UUID "a\nb"', 3).message, 'f.imzML: spectrum 3: malformed UUID "a\\x0ab"');
  assert.is(new UserError('bad "\x1b[31m"').message, 'bad "\\x1b[31m"');
  assert.throws(() => parseInteger('seed', '1\n2'), (e: Error) => e.message === '--seed must be an integer, got "1\\x0a2"');
});

test.run();
