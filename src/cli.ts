#!/usr/bin/env node
import { startAtEntry } from './checklist/may-run-model.js';
import { PARSE_THREAD_FROM, startParseWorkerEarly } from './eval/datasets/parse-worker.js';
import { runProgram } from './load-program.js';
import { startModelHost } from './onnx/session.js';

// The model host (a child process that loads onnxruntime) starts first, for the commands that may
// run a model, so that it is ready by the time this process has loaded its modules and the
// checklist. If the checklist runs no model after all, it ends with this process. A run without a
// model whose checklist names a large CSV starts the CSV parsing thread instead, on the core the
// host would have taken (parse-worker.ts).
const early = startAtEntry(process.argv.slice(2), PARSE_THREAD_FROM);
if (early === 'model host') startModelHost();
else if (early === 'parse thread') startParseWorkerEarly();
runProgram();
