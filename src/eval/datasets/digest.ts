import { statSync } from 'node:fs';
import { hashFileNow } from '../../input/hash-file.js';
import { InputError } from '../../input/errors.js';
import { fileDigest, type ThreadDigest } from '../../input/sha256.js';
import { modelHostStarted } from '../../onnx/session.js';
import type { ParseThread } from './csv-thread.js';

/** The digest of a dataset file as a reader takes it: fed the chunks read, ended once the file is read to its end. */
export interface DatasetDigest {
  update(chunk: Uint8Array): void;
  /** The file was read to its end: a function that gives its sha256 (it may wait for a thread, or throw why it could not). */
  end(): () => string;
  /** The read was given up before its end (no digest will be asked for): a thread hashing the file stops. */
  abandon(): void;
}

/**
 * The digest of a dataset file of `size` bytes, as every text reader takes it. A file read with a
 * parsing thread (csv-thread.ts) is hashed by that thread, reading it again (from the page cache),
 * from the start of the read, in the time it has no region to parse (the regions that come
 * meanwhile are parsed first), and whatever is left after the read while this thread goes on: the
 * metrics of a model, the distributions of a drift check. (Hashed after the read only, the rest of
 * the hash outlasted a 1M-row run's metrics by 30–50 ms in two runs of three; hashed from the start
 * in every turn of the thread, regions or not, it slowed the read as much as it saved: 1.024 of the
 * time; in the thread's idle turns, 0.975 of the time, 18 of 24 alternated pairs.) On this thread,
 * it made a drift check and a data check of repeated rows slower (1.04, 1.06), their own work
 * being this thread's. The file must not change meanwhile: its size, modification and change times
 * and inode, taken when the pass begins, are compared when the digest is asked for, and a file that
 * moved is an error (its digest would not be of the rows evaluated). A read given up before its end
 * (a check that needs a few rows) abandons the hash.
 *
 * Unless the caller is `light` (a data check's column expectations, BatchOptions): the file is then
 * hashed on this thread as it is read, the parsing thread parses more of the regions, and no hash is
 * left alone on one core after the read (a 1M-row data check: 0.94 of the time, with the thread
 * started early, parse-worker.ts). A file read without the thread (a CSV under PARSE_THREAD_FROM,
 * JSON Lines) is hashed as it is read: without a host, one of THREAD_FROM or more on a thread of its
 * own (sha256.ts), else on this thread.
 */
export function datasetDigest(file: string, display: string, size: number, thread: ParseThread | undefined, light: boolean): DatasetDigest {
  if (thread && !light) {
    const before = statSync(file, { bigint: true });
    let onThread: ThreadDigest | undefined;
    try {
      onThread = thread.hash(file);
    } catch {
      // the thread has ended: hashed here once read, when asked for
    }
    return {
      update: () => undefined,
      abandon: () => onThread?.abandon(),
      end() {
        const later = onThread ? () => onThread.digest() : () => hashFileNow(file);
        let value: string | undefined;
        return () => {
          if (value !== undefined) return value;
          let sha256: string;
          try {
            sha256 = later();
          } catch (e) {
            throw new InputError(display, `could not be read again for its sha256: ${(e as Error).message}`);
          }
          const after = statSync(file, { bigint: true, throwIfNoEntry: false });
          const same = after && (['dev', 'ino', 'size', 'mtimeNs', 'ctimeNs'] as const).every((k) => after[k] === before[k]);
          if (!same) throw new InputError(display, 'changed while it was read (its size, times or inode moved): its sha256 would not be of the rows evaluated', undefined, 'run again once the file is written');
          return (value = sha256);
        };
      },
    };
  }
  const digest = fileDigest(size, !thread && !modelHostStarted());
  return {
    update: (chunk) => digest.update(chunk),
    // a stream on the sha256 thread is left as it is (a stream not ended keeps that thread, unreferenced)
    abandon: () => undefined,
    end() {
      const sha256 = digest.digest();
      return () => sha256;
    },
  };
}

/**
 * A pass's evidence whose `sha256` is a getter: asked for (read, or the object spread), it may wait
 * for the digest's thread. Keep the object and read it when the digest is needed (the report).
 */
export function passEvidence(sha256: () => string, bytes: number, rows: number): { readonly sha256: string; bytes: number; rows: number } {
  return {
    get sha256() {
      return sha256();
    },
    bytes,
    rows,
  };
}
