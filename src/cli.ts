#!/usr/bin/env node
import { mayRunModel, runsLargeCsv } from './checklist/may-run-model.js';
import { PARSE_THREAD_FROM, startParseWorkerEarly } from './eval/datasets/parse-worker.js';
import { runProgram } from './load-program.js';
import { startModelHost } from './onnx/session.js';

// The model host (a child process that loads onnxruntime) starts first, for the commands that may
// run a model, so that it is ready by the time this process has loaded its modules and the
// checklist. If the checklist runs no model after all, it ends with this process. A run without a
// model whose checklist names a large CSV starts the CSV parsing thread instead, on the core the
// host would have taken (parse-worker.ts).
const args = process.argv.slice(2);
const command = args[0];
const QUIET = new Set(['validate', 'schema', 'diff', 'score', 'help', '--help', '-h', '--version', '-V']);
if (command === undefined || (!QUIET.has(command) && mayRunModel(args))) startModelHost();
else if (runsLargeCsv(args, PARSE_THREAD_FROM)) startParseWorkerEarly();
runProgram();
