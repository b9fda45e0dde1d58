// One GPU runtime shared by every test file in the process (creating a Dawn device per test
// would dominate run time on lavapipe). test/run.ts releases it at the end.
import { createEngine, type Runtime } from '../engine/index.ts';

let shared: Promise<Runtime> | null = null;

export function testEngine(): Promise<Runtime> {
  shared ??= createEngine();
  return shared;
}

export async function releaseTestEngine(): Promise<void> {
  if (!shared) return;
  const rt = await shared;
  shared = null;
  await rt.destroy();
}
