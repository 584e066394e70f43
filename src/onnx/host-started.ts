/**
 * The model host's first import (host-child.ts), run before onnxruntime is loaded: it tells
 * deploy-check that the host itself has started, so that a host that then fails before answering
 * (onnxruntime that cannot load) is told apart from a setpriv that refused its options (session.ts:
 * only the latter is started again without setpriv, and so no error is printed twice).
 */
import type { HostStarted } from './host-protocol.js';

process.send?.({ started: true } satisfies HostStarted);
