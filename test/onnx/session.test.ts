import { describe, expect, it } from 'vitest';
import { createSession, tensor } from '../../src/onnx/session.js';
import { FLOAT, model, node, valueInfo } from '../onnx-builder.js';

describe('model host: ModelSession.run', () => {
  // The evaluation refills one array per input batch after batch as soon as `run` returns
  // (predict.ts, reused): a run must have copied its feeds by then, through a slot (large
  // tensors), in the message (small ones) or when every slot is taken.
  it('copies its feeds before it returns: arrays refilled at once do not change the outputs', async () => {
    const identity = model([node('Identity', ['x'], ['y'])], [valueInfo('x', FLOAT, ['N', 4])], [valueInfo('y', FLOAT, ['N', 4])]);
    const session = await createSession(identity, 'identity.onnx');
    const runs: Promise<unknown>[] = [];
    const want: number[] = [];
    // 40 runs in flight (more than the host's 24 slots), large and small, all from one array
    const big = new Float32Array(65_536);
    for (let r = 0; r < 40; r++) {
      const rows = r % 2 ? 16_384 : 3;
      const data = big.subarray(0, rows * 4).fill(r + 1);
      runs.push(session.run({ x: tensor('float32', data, [rows, 4]) }, ['y']).then((out) => out.y!.data));
      data.fill(-1);
      want.push(r + 1);
    }
    const outs = (await Promise.all(runs)) as Float32Array[];
    outs.forEach((y, r) => {
      expect(y.length).toBe((r % 2 ? 16_384 : 3) * 4);
      expect(y.every((v) => v === want[r])).toBe(true);
    });
    await session.release();
  });
});
