import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { readModelInfo } from '../../src/onnx/model-info.js';
import { SESSION_OPTIONS } from '../../src/onnx/host-protocol.js';
import { identityModel } from '../../src/onnx/warm-up.js';

describe("the model host's warm-up model", () => {
  it('is a valid ONNX model onnxruntime runs: y = x for one float', async () => {
    const bytes = identityModel();
    const info = readModelInfo(bytes);
    expect(info.inputs.map((i) => i.name)).toEqual(['x']);
    expect(info.outputs.map((o) => o.name)).toEqual(['y']);
    const session = await ort.InferenceSession.create(bytes, { ...SESSION_OPTIONS, executionProviders: [...SESSION_OPTIONS.executionProviders] });
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(0.25), [1]) });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([0.25]);
    await session.release();
  });
});
