import { fields, ProtoError, signed, text, type Field } from './protobuf.js';

/** What deploy-check needs to know about an ONNX file before (or without) running it. */
export interface OnnxModelInfo {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  opsetImports: { domain: string; version: number }[];
  metadata: Record<string, string>;
  graphName: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** Operator types used in the main graph, in first-use order ("ai.onnx.ml:ZipMap" for other domains). */
  operators: string[];
  /** Nodes of the main graph, with the class-label attributes classifiers and ZipMap carry. */
  nodes: NodeInfo[];
  /** Files that initializers keep their data in (external data), as the model names them. */
  externalData: string[];
}

/** The default domain, under either of its names. */
const isDefaultDomain = (domain: string) => domain === '' || domain === 'ai.onnx';

/** The default-domain (ai.onnx) opset the runtime uses: the highest it imports; null when it imports none. */
export function defaultOpset(info: Pick<OnnxModelInfo, 'opsetImports'>): number | null {
  const versions = info.opsetImports.filter((o) => isDefaultDomain(o.domain)).map((o) => o.version);
  return versions.length ? Math.max(...versions) : null;
}

/** A domain imported more than once (the default domain under both names counts once): a malformed model. */
export function duplicateOpsetImport(info: Pick<OnnxModelInfo, 'opsetImports'>): string | undefined {
  const seen = new Map<string, number>();
  for (const o of info.opsetImports) {
    const key = isDefaultDomain(o.domain) ? 'ai.onnx' : o.domain;
    const before = seen.get(key);
    if (before !== undefined) return `imports the ${key === 'ai.onnx' ? 'default domain (ai.onnx)' : `domain "${key}"`} twice (opsets ${before} and ${o.version})`;
    seen.set(key, o.version);
  }
  return undefined;
}

export interface NodeInfo {
  /** the node's name ('' when it has none) */
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  /** classlabels_strings, or classlabels_int64s / classlabels_ints as numbers */
  classLabels?: (string | number)[];
  /** the post_transform attribute of the ai.onnx.ml classifiers and regressors (NONE, LOGISTIC, SOFTMAX …) */
  postTransform?: string;
}

export interface ValueInfo {
  name: string;
  type: ValueType;
}

export type ValueType =
  | { kind: 'tensor'; elemType: string; shape: (number | string | null)[] | null }
  | { kind: 'sequence'; elem: ValueType | null }
  | { kind: 'map'; keyType: string; value: ValueType | null }
  | { kind: 'unknown' };

/** TensorProto.DataType, named as onnxruntime-node names tensor types. */
const ELEM_TYPES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128',
  16: 'bfloat16', 17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz',
  21: 'uint4', 22: 'int4', 23: 'float4e2m1',
};

export function elemTypeName(code: number): string {
  return ELEM_TYPES[code] ?? `type#${code}`;
}

export function describeType(t: ValueType): string {
  switch (t.kind) {
    case 'tensor':
      return `tensor(${t.elemType})${t.shape ? `[${t.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : ''}`;
    case 'sequence':
      return `seq(${t.elem ? describeType(t.elem) : '?'})`;
    case 'map':
      return `map(${t.keyType}, ${t.value ? describeType(t.value) : '?'})`;
    case 'unknown':
      return 'unknown';
  }
}

/** Parses the ModelProto header and graph signature; initializer payloads are skipped, not copied. */
export function readModelInfo(buf: Uint8Array): OnnxModelInfo {
  if (buf.length === 0) throw new ProtoError('the file is empty');
  const info: OnnxModelInfo = {
    irVersion: 0, producerName: '', producerVersion: '', domain: '', modelVersion: 0, docString: '',
    opsetImports: [], metadata: {}, graphName: '', inputs: [], outputs: [], operators: [], nodes: [], externalData: [],
  };
  let graph: Field | undefined;
  for (const f of fields(buf)) {
    switch (f.num) {
      case 1: info.irVersion = f.int; break;
      case 2: info.producerName = text(buf, f); break;
      case 3: info.producerVersion = text(buf, f); break;
      case 4: info.domain = text(buf, f); break;
      case 5: info.modelVersion = f.int; break;
      case 6: info.docString = text(buf, f); break;
      case 7: graph = f; break;
      case 8: {
        let domain = '';
        let version = 0;
        for (const g of sub(buf, f)) {
          if (g.num === 1) domain = text(buf, g);
          else if (g.num === 2) version = signed(g);
        }
        info.opsetImports.push({ domain, version });
        break;
      }
      case 14: {
        let key = '';
        let value = '';
        for (const g of sub(buf, f)) {
          if (g.num === 1) key = text(buf, g);
          else if (g.num === 2) value = text(buf, g);
        }
        Object.defineProperty(info.metadata, key, { value, enumerable: true, writable: true, configurable: true });
        break;
      }
    }
  }
  if (!graph || info.irVersion === 0) throw new ProtoError('not an ONNX model (no graph or IR version found)');
  const initializers = new Set<string>();
  const inputs: ValueInfo[] = [];
  const operators = new Set<string>();
  for (const f of sub(buf, graph)) {
    if (f.num === 1) {
      const node = nodeInfo(buf, f);
      info.nodes.push(node);
      operators.add(node.domain && node.domain !== 'ai.onnx' ? `${node.domain}:${node.opType}` : node.opType);
    } else if (f.num === 2) info.graphName = text(buf, f);
    else if (f.num === 5) {
      initializers.add(tensorName(buf, f));
      const location = externalLocation(buf, f);
      if (location !== undefined) info.externalData.push(location);
    }
    else if (f.num === 11) inputs.push(valueInfo(buf, f));
    else if (f.num === 12) info.outputs.push(valueInfo(buf, f));
  }
  // Before IR 4, initializers were also listed as graph inputs; they are not inputs to feed.
  info.inputs = inputs.filter((i) => !initializers.has(i.name));
  info.operators = [...operators];
  return info;
}

function nodeInfo(buf: Uint8Array, f: Field): NodeInfo {
  const node: NodeInfo = { name: '', opType: '', domain: '', inputs: [], outputs: [] };
  for (const g of sub(buf, f)) {
    if (g.num === 1) node.inputs.push(text(buf, g));
    else if (g.num === 2) node.outputs.push(text(buf, g));
    else if (g.num === 3) node.name = text(buf, g);
    else if (g.num === 4) node.opType = text(buf, g);
    else if (g.num === 7) node.domain = text(buf, g);
    else if (g.num === 5) {
      let name = '';
      const strings: string[] = [];
      const ints: number[] = [];
      for (const h of sub(buf, g)) {
        if (h.num === 1) name = text(buf, h);
        else if (h.num === 4) strings.push(text(buf, h));
        else if (h.num === 9) strings.push(text(buf, h));
        else if (h.num === 8) {
          if (h.wire === 2) for (const v of packedVarints(buf, h)) ints.push(v);
          else ints.push(signed(h));
        }
      }
      if (name === 'post_transform') node.postTransform = strings[0];
      else if (name === 'classlabels_strings') node.classLabels = strings;
      else if (name === 'classlabels_int64s' || name === 'classlabels_ints') node.classLabels = ints;
    }
  }
  return node;
}

function* packedVarints(buf: Uint8Array, f: Field): Generator<number> {
  // a packed repeated int64: wrap the payload as a sequence of varint fields
  let pos = f.start;
  while (pos < f.end) {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (pos >= f.end) throw new ProtoError('truncated packed varint');
      const b = buf[pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 128;
    }
    yield result >= 2 ** 63 ? result - 2 ** 64 : result;
  }
}

function sub(buf: Uint8Array, f: Field) {
  if (f.wire !== 2) throw new ProtoError(`field ${f.num} should be a message`);
  return fields(buf, f.start, f.end);
}

/** TensorProto.external_data's "location", when the tensor's data lives in another file. */
function externalLocation(buf: Uint8Array, f: Field): string | undefined {
  for (const g of sub(buf, f)) {
    if (g.num !== 13) continue;
    let key = '';
    let value = '';
    for (const h of sub(buf, g)) {
      if (h.num === 1) key = text(buf, h);
      else if (h.num === 2) value = text(buf, h);
    }
    if (key === 'location') return value;
  }
  return undefined;
}

function tensorName(buf: Uint8Array, f: Field): string {
  for (const g of sub(buf, f)) if (g.num === 8) return text(buf, g);
  return '';
}

function valueInfo(buf: Uint8Array, f: Field): ValueInfo {
  let name = '';
  let type: ValueType = { kind: 'unknown' };
  for (const g of sub(buf, f)) {
    if (g.num === 1) name = text(buf, g);
    else if (g.num === 2) type = typeProto(buf, g);
  }
  return { name, type };
}

function typeProto(buf: Uint8Array, f: Field): ValueType {
  for (const g of sub(buf, f)) {
    if (g.num === 1) {
      let elemType = 'unknown';
      let shape: (number | string | null)[] | null = null;
      for (const h of sub(buf, g)) {
        if (h.num === 1) elemType = elemTypeName(h.int);
        else if (h.num === 2) {
          shape = [];
          for (const dim of sub(buf, h)) {
            if (dim.num !== 1) continue;
            let d: number | string | null = null;
            for (const x of sub(buf, dim)) {
              if (x.num === 1) d = signed(x);
              else if (x.num === 2) d = text(buf, x);
            }
            shape.push(d);
          }
        }
      }
      return { kind: 'tensor', elemType, shape };
    }
    if (g.num === 4) {
      let elem: ValueType | null = null;
      for (const h of sub(buf, g)) if (h.num === 1) elem = typeProto(buf, h);
      return { kind: 'sequence', elem };
    }
    if (g.num === 5) {
      let keyType = 'unknown';
      let value: ValueType | null = null;
      for (const h of sub(buf, g)) {
        if (h.num === 1) keyType = elemTypeName(h.int);
        else if (h.num === 2) value = typeProto(buf, h);
      }
      return { kind: 'map', keyType, value };
    }
  }
  return { kind: 'unknown' };
}

/** Operators whose output holds the values of their (first) input, moved or retyped: looked through to find where an output's values come from. */
const SAME_VALUES = new Set(['Identity', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten', 'Cast', 'Transpose', 'Slice', 'Gather', 'Split']);
/** Operators that end a network at raw scores: a linear layer (sigmoid or softmax would come after them). */
const LINEAR = new Set(['Gemm', 'MatMul', 'MatMulInteger', 'QLinearMatMul', 'Conv', 'ConvTranspose', 'Einsum']);
/** ai.onnx.ml models whose post_transform NONE gives margins, not probabilities (a tree ensemble's NONE gives averaged leaf values, which may be probabilities). */
const MARGINS = new Set(['LinearClassifier', 'SVMClassifier']);

/**
 * What, in the graph, makes an output's values raw scores rather than probabilities: the node they
 * come straight from (through reshapes and casts) when it is a linear layer, a bias added to one, or
 * a linear or SVM classifier with no post-transform; undefined when the graph does not say (a
 * sigmoid, a softmax, a tree ensemble, anything else).
 */
export function rawScoresFrom(info: Pick<OnnxModelInfo, 'nodes'>, output: string): string | undefined {
  const producer = new Map<string, NodeInfo>();
  for (const node of info.nodes) for (const o of node.outputs) producer.set(o, node);
  const source = (name: string): NodeInfo | undefined => {
    let node = producer.get(name);
    for (let hops = 0; node && SAME_VALUES.has(node.opType) && hops < 64; hops++) node = producer.get(node.inputs[0] ?? '');
    return node;
  };
  const node = source(output);
  if (!node) return undefined;
  const isLinear = (n: NodeInfo | undefined) => n !== undefined && isDefaultDomain(n.domain) && LINEAR.has(n.opType);
  if (isLinear(node)) return named(node);
  // a linear layer exported as MatMul then Add (the bias)
  const linear = node.opType === 'Add' || node.opType === 'Sub' ? node.inputs.map(source).find(isLinear) : undefined;
  if (linear) return `${named(node)} after ${named(linear)}`;
  if (node.domain === 'ai.onnx.ml' && MARGINS.has(node.opType) && (node.postTransform ?? 'NONE') === 'NONE') return `${named(node)} with post_transform NONE (margins)`;
  return undefined;
}

/** A node as a message names it: the Gemm node "/fc/Gemm", or the Gemm node when it has no name. */
const named = (node: NodeInfo) => `the ${node.opType} node${node.name ? ` ${JSON.stringify(node.name)}` : ''}`;
