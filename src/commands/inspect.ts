// `deploy-check inspect`: what an ONNX file declares, and whether onnxruntime-node loads it.
import { resolve } from 'node:path';
import { InputError } from '../input/errors.js';
import { sha256Hex } from '../input/hash.js';
import { describeType } from '../onnx/model-info.js';
import { readOnnx } from '../onnx/read-input.js';
import { createSession } from '../onnx/session.js';
import { EXIT } from '../report/exit-code.js';
import { terminalText } from '../report/escape.js';
import { guard, type Io } from './io.js';

export function inspectCommand(model: string, options: { json?: boolean }, io: Io): Promise<number> {
  return guard(io, async () => {
    const { bytes, info } = readOnnx(resolve(model), model);
    const loads = await createSession(bytes, model).then(
      async (s) => {
        await s.release();
        return { ok: true as const };
      },
      (err: InputError) => ({ ok: false as const, error: err.detail }),
    );
    const data = {
      path: model,
      bytes: bytes.length,
      sha256: sha256Hex(bytes),
      loads_in_onnxruntime: loads.ok,
      ...(loads.ok ? {} : { load_error: loads.error }),
      ir_version: info.irVersion,
      producer: { name: info.producerName, version: info.producerVersion },
      graph: info.graphName,
      opset_imports: info.opsetImports,
      inputs: info.inputs.map((i) => ({ name: i.name, type: describeType(i.type) })),
      outputs: info.outputs.map((o) => ({ name: o.name, type: describeType(o.type) })),
      operators: info.operators,
      metadata: info.metadata,
      doc_string: info.docString,
    };
    if (options.json) {
      io.stdout(`${JSON.stringify(data, null, 2)}\n`);
      return EXIT.ready;
    }
    const t = terminalText;
    const width = Math.max(0, ...[...data.inputs, ...data.outputs].map((v) => v.name.length), ...Object.keys(data.metadata).map((k) => k.length));
    const lines = [
      `${t(model)}  ${data.bytes} bytes  sha256 ${data.sha256}`,
      `loads in onnxruntime-node: ${loads.ok ? 'yes' : `no (${t(loads.error)})`}`,
      `producer: ${t([data.producer.name, data.producer.version].filter(Boolean).join(' ') || '(none)')}   IR version ${data.ir_version}`,
      `opsets: ${data.opset_imports.map((o) => `${t(o.domain || 'ai.onnx')} ${o.version}`).join(', ')}`,
      'inputs:',
      ...data.inputs.map((i) => `  ${t(i.name).padEnd(width)}  ${t(i.type)}`),
      'outputs:',
      ...data.outputs.map((o) => `  ${t(o.name).padEnd(width)}  ${t(o.type)}`),
      `operators: ${data.operators.map(t).join(', ')}`,
      ...(Object.keys(data.metadata).length ? ['metadata:', ...Object.entries(data.metadata).map(([k, v]) => `  ${t(k).padEnd(width)}  ${t(v)}`)] : ['metadata: (none)']),
    ];
    if (data.doc_string) lines.push(`description: ${t(data.doc_string)}`);
    io.stdout(`${lines.join('\n')}\n`);
    return EXIT.ready;
  });
}
