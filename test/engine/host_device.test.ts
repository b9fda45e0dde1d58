// createEngine({ device }): an app hands the engine its own GPUDevice. The engine must work on
// it, leave the app's error handler alone, and on destroy() free its own buffers while the
// device stays alive for the app.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine, matmul } from '../../engine/index.ts';
import { testEngine } from '../gpu.ts';

test('an engine on a host device computes, and destroy() leaves the device alive', async () => {
  const device = (await testEngine()).device;
  const appHandler = () => {};
  const before = device.onuncapturederror;
  device.onuncapturederror = appHandler;
  try {
    const rt = await createEngine({ device });
    assert.is(rt.device, device);
    assert.is(rt.ctx.report.backend, 'host');
    assert.is(rt.ctx.ownsDevice, false);
    assert.is(device.onuncapturederror, appHandler, "the engine replaced the app's error handler");
    const a = rt.fromData([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = rt.fromData([1, 0, 0, 1, 1, 1], [3, 2]);
    assert.equal(Array.from(await matmul(a, b).read()), [4, 5, 10, 11]);
    const owned = a.buffer;
    await rt.destroy();
    // The engine's buffers are destroyed: binding one now is a validation error.
    device.pushErrorScope('validation');
    const enc = device.createCommandEncoder();
    enc.clearBuffer(owned);
    device.queue.submit([enc.finish()]);
    assert.ok(await device.popErrorScope(), 'a buffer of the destroyed engine is still usable');
    // The device itself still works for the app.
    const buf = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(buf, 0, new Float32Array([1, 2, 3, 4]));
    await buf.mapAsync(GPUMapMode.READ);
    assert.equal(Array.from(new Float32Array(buf.getMappedRange())), [1, 2, 3, 4]);
    buf.destroy();
  } finally {
    device.onuncapturederror = before;
  }
});

test.run();
