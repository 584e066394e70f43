import { readModelInfo, type OnnxModelInfo } from './model-info.js';
import { concat, field, fields, text, utf8, varintField } from './protobuf.js';

/**
 * scikit-learn exports (skl2onnx) end classifiers with a ZipMap node that turns the probability
 * tensor into a sequence of maps, which onnxruntime-node cannot return. This rewrites the model in
 * memory: each ZipMap that feeds a graph output is removed and its input tensor becomes that
 * output (same name), so a default export runs as is. The class labels come from its attributes.
 */
export interface ZipMapRewrite {
  bytes: Uint8Array;
  /** output name -> class labels, in column order */
  classes: Map<string, (string | number)[]>;
}

export function unzipMap(bytes: Uint8Array, info: OnnxModelInfo): ZipMapRewrite | undefined {
  const graphOutputs = new Set(info.outputs.map((o) => o.name));
  const zipmaps = info.nodes.filter((n) => n.opType === 'ZipMap' && n.domain === 'ai.onnx.ml' && graphOutputs.has(n.outputs[0] ?? ''));
  if (zipmaps.length === 0) return undefined;
  // output name -> the tensor that feeds its ZipMap
  const feeds = new Map(zipmaps.map((z) => [z.outputs[0]!, z.inputs[0]!]));
  const classes = new Map(zipmaps.map((z) => [z.outputs[0]!, z.classLabels ?? []]));

  const model: Uint8Array[] = [];
  for (const f of fields(bytes)) {
    if (f.num !== 7) {
      model.push(bytes.subarray(f.head, f.end));
      continue;
    }
    const graph: Uint8Array[] = [];
    for (const g of fields(bytes, f.start, f.end)) {
      const raw = bytes.subarray(g.head, g.end);
      if (g.num === 1 && isZipMapNode(bytes, g.start, g.end, feeds)) continue;
      if (g.num === 12) {
        const name = valueInfoName(bytes, g.start, g.end);
        if (feeds.has(name)) {
          graph.push(renamingIdentity(feeds.get(name)!, name));
          graph.push(field(12, valueInfo(name)));
          continue;
        }
      }
      graph.push(raw);
    }
    model.push(field(7, concat(graph)));
  }
  const out = concat(model);
  readModelInfo(out); // the rewrite must still parse
  return { bytes: out, classes };
}

/** An Identity node keeps the output's name, so checklists can keep naming it as the export does. */
function renamingIdentity(from: string, to: string): Uint8Array {
  return field(1, concat([field(1, utf8(from)), field(2, utf8(to)), field(4, utf8('Identity'))]));
}

function valueInfo(name: string): Uint8Array {
  // ValueInfoProto { name, type: TypeProto { tensor_type: { elem_type: FLOAT } } }
  const tensorType = concat([varintField(1, 1)]);
  return concat([field(1, utf8(name)), field(2, field(1, tensorType))]);
}

function isZipMapNode(bytes: Uint8Array, start: number, end: number, feeds: Map<string, string>): boolean {
  let op = '';
  let output = '';
  for (const f of fields(bytes, start, end)) {
    if (f.num === 4) op = text(bytes, f);
    else if (f.num === 2 && !output) output = text(bytes, f);
  }
  return op === 'ZipMap' && feeds.has(output);
}

function valueInfoName(bytes: Uint8Array, start: number, end: number): string {
  for (const f of fields(bytes, start, end)) if (f.num === 1) return text(bytes, f);
  return '';
}
