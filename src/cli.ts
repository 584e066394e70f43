#!/usr/bin/env node
import { mayRunModel } from './checklist/may-run-model.js';
import { runProgram } from './load-program.js';
import { startModelHost } from './onnx/session.js';

// The model host (a child process that loads onnxruntime) starts first, for the commands that may
// run a model, so that it is ready by the time this process has loaded its modules and the
// checklist. If the checklist runs no model after all, it ends with this process.
const command = process.argv[2];
const QUIET = new Set(['validate', 'schema', 'diff', 'score', 'help', '--help', '-h', '--version', '-V']);
if (command === undefined || (!QUIET.has(command) && mayRunModel(process.argv.slice(2)))) startModelHost();
runProgram();
