import { modelHostStarted } from '../../onnx/session.js';

/**
 * Whether a large file is hashed on a thread of its own: only while no model host runs. The host
 * keeps the second core busy with inference; beside it, a hash thread's gain was within the 2-core
 * development machine's noise (1M rows: 2.77 against 2.83 s, medians of 10 alternated runs) and
 * it added ~20 MB (a thread's heap and its buffers) to the 10,000,000-row run's peak, where the
 * target is 400 MB. Without a host the second core is free: reading the 1M-row benchmark file
 * with its digest took 750 ms instead of 899 ms (medians of 12 alternated reads).
 */
export function hashOnThread(): boolean {
  return !modelHostStarted();
}
