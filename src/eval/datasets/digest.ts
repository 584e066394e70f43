import { fileDigest, type Digest } from '../../input/sha256.js';
import { modelHostStarted } from '../../onnx/session.js';

/**
 * The digest of a dataset file of `size` bytes, as every text reader takes it: a large file is
 * hashed on a thread of its own (src/input/sha256.ts) only while no model host runs. Beside a
 * host, a hash thread's gain was within the 2-core development machine's noise (1M rows: 2.77
 * against 2.83 s, medians of 10 alternated runs; 1.91 against 1.88 s at 19f706c), though the host
 * is idle most of the time: the machine's two vCPUs give two busy threads about 1.5 cores, so the
 * hash slows the parsing beside it nearly as much as it saves; and it added ~20 MB (a thread's heap
 * and its buffers) to the 10,000,000-row run's peak, where the target is 400 MB. Without a host,
 * reading the 1M-row benchmark file with its digest took 750 ms instead of 899 ms (medians of 12
 * alternated reads).
 */
export function datasetDigest(size: number): Digest {
  return fileDigest(size, !modelHostStarted());
}
