import { concat, field, utf8, varintField } from './protobuf.js';

/**
 * The smallest model (y = Identity(x), one float), created once at the start: onnxruntime's first
 * session in a process sets up its environment (~60 ms on the development machine), which is then
 * done while deploy-check is still reading its checklist, not after it asks for the model
 * (host-child.ts).
 */
export function identityModel(): Uint8Array {
  const tensor = (name: string) => field(1, utf8(name));
  const valueInfo = (name: string) => concat([tensor(name), field(2, field(1, concat([varintField(1, 1), field(2, field(1, varintField(1, 1)))])))]);
  const node = concat([field(1, utf8('x')), field(2, utf8('y')), field(4, utf8('Identity'))]);
  const graph = concat([field(1, node), field(2, utf8('warm-up')), field(11, valueInfo('x')), field(12, valueInfo('y'))]);
  return concat([varintField(1, 8), field(7, graph), field(8, varintField(2, 13))]);
}
