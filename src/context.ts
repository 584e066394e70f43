import { readFile } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import type { LoadedChecklist } from './checklist/load.js';
import type { ModelSpec } from './checklist/schema.js';
import { InputError } from './errors.js';
import { readModelInfo, type OnnxModelInfo } from './onnx/model-info.js';
import { createSession } from './onnx/session.js';
import type { InputEvidence } from './report/types.js';
import { sha256Hex } from './hash.js';

export type ModelRole = 'model' | 'baseline';

export interface LoadedModel {
  role: ModelRole;
  spec: ModelSpec;
  /** path relative to the checklist's folder, as reports show it */
  path: string;
  bytes: Uint8Array;
  sha256: string;
  info: OnnxModelInfo;
}

/**
 * Everything a check may use, loaded lazily and at most once per run. Every file read goes
 * through `readInput`, which records its digest as evidence for the report.
 */
export class RunContext {
  private readonly files = new Map<string, Promise<{ data: Buffer; evidence: InputEvidence }>>();
  private readonly models = new Map<ModelRole, Promise<LoadedModel>>();
  private readonly sessions = new Map<ModelRole, Promise<InferenceSession>>();

  constructor(
    readonly checklist: LoadedChecklist,
    /** The date the run is judged at (approval ages, staleness); `--as-of` sets it. */
    readonly now: Date,
  ) {}

  resolve(path: string): string {
    return resolve(this.checklist.dir, path);
  }

  /** A path as reports show it: relative to the checklist's folder, with forward slashes. */
  display(path: string): string {
    return relative(this.checklist.dir, this.resolve(path)).split(sep).join('/');
  }

  readInput(path: string): Promise<Buffer> {
    const key = this.resolve(path);
    let entry = this.files.get(key);
    if (!entry) {
      entry = readFile(key).then(
        (data) => ({ data, evidence: { path: this.display(path), sha256: sha256Hex(data), bytes: data.length } }),
        (err: NodeJS.ErrnoException) => {
          throw new InputError(this.display(path), `cannot read: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
        },
      );
      this.files.set(key, entry);
    }
    return entry.then((e) => e.data);
  }

  /** Reads a UTF-8 text document (a leading byte-order mark is dropped). */
  async readText(path: string): Promise<string> {
    const data = await this.readInput(path);
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(data);
    } catch {
      throw new InputError(this.display(path), 'is not valid UTF-8 text');
    }
  }

  digest(path: string): Promise<string> {
    return this.readInput(path).then(() => this.files.get(this.resolve(path))!).then((e) => e.evidence.sha256);
  }

  modelSpec(role: ModelRole): ModelSpec {
    const { model, baseline } = this.checklist.checklist;
    if (role === 'model') return model;
    if (!baseline) throw new InputError(this.checklist.file, 'a check uses the baseline model, but the checklist has no "baseline"');
    // Exports often differ only in a few keys: the baseline inherits the rest from the candidate.
    return { ...model, sha256: undefined, ...baseline };
  }

  model(role: ModelRole = 'model'): Promise<LoadedModel> {
    let entry = this.models.get(role);
    if (!entry) {
      entry = this.loadModel(role);
      this.models.set(role, entry);
    }
    return entry;
  }

  session(role: ModelRole = 'model'): Promise<InferenceSession> {
    let entry = this.sessions.get(role);
    if (!entry) {
      entry = this.model(role).then((m) => createSession(m.bytes, m.path));
      this.sessions.set(role, entry);
    }
    return entry;
  }

  async evidence(): Promise<InputEvidence[]> {
    const settled = await Promise.allSettled(this.files.values());
    const list = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.evidence] : []));
    return list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  private async loadModel(role: ModelRole): Promise<LoadedModel> {
    const spec = this.modelSpec(role);
    const bytes = await this.readInput(spec.path);
    const sha256 = await this.digest(spec.path);
    const path = this.display(spec.path);
    if (spec.sha256 && spec.sha256 !== sha256) {
      throw new InputError(path, `sha256 is ${sha256}, but the checklist pins ${role}.sha256: ${spec.sha256}`, undefined, 'a different model file than the one pinned');
    }
    let info: OnnxModelInfo;
    try {
      info = readModelInfo(bytes);
    } catch (err) {
      throw new InputError(path, `is not a readable ONNX model: ${(err as Error).message}`);
    }
    return { role, spec, path, bytes, sha256, info };
  }
}
