// first: zod's setting for every schema built after it (src/input/zod-config.ts)
import './input/zod-config.js';
import { Argument, Command, CommanderError, Option } from 'commander';
import { diffCommand } from './commands/diff.js';
import { initCommand } from './commands/init.js';
import { mergeCommand } from './commands/merge.js';
import { inspectCommand } from './commands/inspect.js';
import type { Io } from './commands/io.js';
import { profileCommand } from './commands/profile.js';
import { interruptRun, runCommand, type InFlight } from './commands/run.js';
import { schemaCommand } from './commands/schema.js';
import { scoreCommand } from './commands/score.js';
import { validateCommand } from './commands/validate.js';
import { progressBar } from './commands/progress.js';
import { TOOL } from './input/version.js';
import { ciInertText } from './report/escape.js';
import { FORMATS } from './report/index.js';

/** The command line (commander only): parse argv, call main, set process.exitCode. */
const colorWanted = (noColorFlag: boolean) =>
  !noColorFlag && !process.env.NO_COLOR && (Boolean(process.env.FORCE_COLOR) || process.stdout.isTTY === true);

// A reader that went away (`deploy-check | head`) ends the output quietly, with the run's exit code;
// stdout that cannot be written (a full disk, /dev/full) is one line and exit 2, never a stack trace.
let stdoutGone = false;
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  stdoutGone = true;
  if (err.code === 'EPIPE') return;
  process.stderr.write(`deploy-check: cannot write the output to stdout: ${err.code === 'ENOSPC' ? 'no space left on the device' : err.message}\n`);
  process.exit(2);
});

const io = (color: boolean): Io => ({
  // No line of ours reads as a CI workflow command ("::…", "##[…"), whatever a file name holds
  // (report/escape.ts); the annotations deploy-check means to give are written by the GitHub reporter itself.
  stdout: (s) => {
    if (!stdoutGone) process.stdout.write(inert(s));
  },
  stderr: (s) => process.stderr.write(inert(s)),
  annotate: (s) => process.stderr.write(s),
  color,
  progress: process.stderr.isTTY ? progressBar((s) => process.stderr.write(s)) : undefined,
});

const inert = ciInertText;

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The run in progress, for the signal handlers below: the process's state lives here, at the entry. */
const inFlight: InFlight = {};

/** The options of a command that makes a run's report (run, merge). */
function withReportOptions(command: Command): Command {
  return command
    .addOption(new Option('-f, --format <format>', `output format: ${FORMATS.join(', ')}`).default('pretty'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('-r, --report <format=file>', 'also write a report in this format to this file (repeatable)', collect)
    .option('--fail-on <level>', 'error (default): only error-severity checks fail the gate; warn: warnings fail it too', 'error')
    .option('--as-of <date>', 'judge dates (approval ages) as of this day, YYYY-MM-DD (default: today)')
    .option('--timeout <seconds>', 'time limit of each check that sets none (default: none)')
    .option('--memory-limit <MB>', "memory the model host may use, for each check that sets none (default: 80% of this machine's)");
}

const program = new Command()
  .name('deploy-check')
  .description('Decide whether a machine-learning model is ready for production, from a YAML checklist.')
  .version(TOOL.version)
  .exitOverride()
  .showSuggestionAfterError(true);

withReportOptions(
  program
    .command('run', { isDefault: true })
    .description('run a checklist and gate on it (the default command)')
    .argument('[checklist]', 'the checklist file', 'deploy-check.yaml'),
)
  .option('--only <ids-or-tags>', 'run only these checks (ids or tags, comma-separated; repeatable)', collect)
  .option('--skip <ids-or-tags>', 'do not run these checks (ids or tags, comma-separated; repeatable)', collect)
  .option('--shard <i/n>', 'evaluate only shard i of n (0 ≤ i < n) and write a state instead of a report: `merge` makes the report')
  .option('--state <file>', 'where --shard writes its state')
  .option('--jobs <n>', 'split the evaluations into n shards run by n processes of this machine, merged into the same report')
  .option('--no-color', 'no colour, even on a terminal')
  .action(async (checklist: string, opts: { format: string; output?: string; report?: string[]; only?: string[]; skip?: string[]; failOn: string; asOf?: string; timeout?: string; memoryLimit?: string; shard?: string; state?: string; jobs?: string; color: boolean }) => {
    let abandoned = false;
    process.exitCode = await runCommand(checklist, opts, { ...io(colorWanted(!opts.color)), onAbandoned: () => (abandoned = true) }, inFlight);
    // a check abandoned on its time limit may still be running: end once the output is out
    if (abandoned) process.stdout.write('', () => process.exit());
  });

withReportOptions(
  program
    .command('merge')
    .description("the report of a run split into shards, from the shards' states: refuses states of different checklists, models or data, and a missing or repeated shard; same reports and exit codes as run")
    .argument('<states...>', 'the state files written by run --shard i/n --state FILE')
    .option('-c, --checklist <file>', 'the checklist, when it is not at the path the shards read it from'),
)
  .option('--no-color', 'no colour, even on a terminal')
  .action(async (states: string[], opts: { checklist?: string; format: string; output?: string; report?: string[]; failOn: string; asOf?: string; timeout?: string; memoryLimit?: string; color: boolean }) => {
    process.exitCode = await mergeCommand(states, opts, io(colorWanted(!opts.color)), inFlight);
  });

program
  .command('init')
  .description('write a starter checklist for a model: its checks, the documentation found next to it, and with a dataset, metric thresholds from a first measurement; never overwrites a file')
  .requiredOption('--model <file>', 'the ONNX model')
  .option('--dataset <file>', 'held-out data to measure it on (CSV, TSV, JSON Lines, Parquet)')
  .option('--label <column>', 'the column of the dataset that holds the true values')
  .option('--inputs <columns>', "the dataset's columns that feed the model's input, in order, comma-separated (default: every column but the label and --drop)")
  .option('--drop <columns>', 'columns of the dataset the model does not read (dates, ids), comma-separated')
  .option('--classes <labels>', "the classes in the order of the model's score columns, comma-separated, for a model whose graph has no class labels (a PyTorch export)")
  .option('--positive <label>', 'the positive class of a binary model')
  .option('--logits', 'the model ends at logits: a sigmoid (one score column) or a softmax is applied to its scores (model.outputs.kind: logits)')
  .option('-o, --output <file>', 'the checklist to write', 'deploy-check.yaml')
  .action(async (opts: { model: string; dataset?: string; label?: string; inputs?: string; drop?: string; classes?: string; positive?: string; logits?: boolean; output: string }) => {
    process.exitCode = await initCommand(opts, io(false));
  });

program
  .command('validate')
  .description('check a checklist without running it: exit 0 if valid, 2 with every problem otherwise')
  .argument('[checklist]', 'the checklist file', 'deploy-check.yaml')
  .action(async (checklist: string) => {
    process.exitCode = await validateCommand(checklist, io(false));
  });

program
  .command('diff')
  .description('what changed between two JSON reports: checks that changed status, metric deltas with their intervals, inputs whose digest changed; exit 1 when the new run is worse')
  .argument('<old>', 'the earlier report (deploy-check run --format json)')
  .argument('<new>', 'the later report')
  .addOption(new Option('-f, --format <format>', 'output format: pretty, json, markdown, junit, sarif, html').default('pretty'))
  .option('-o, --output <file>', 'write to a file instead of stdout')
  .option('--no-color', 'no colour, even on a terminal')
  .action(async (oldFile: string, newFile: string, opts: { format: string; output?: string; color: boolean }) => {
    process.exitCode = await diffCommand(oldFile, newFile, opts, io(colorWanted(!opts.color)));
  });

program
  .command('score')
  .description('the ML Test Score of a checklist (Breck et al., 2017): the 28 tests, which checks automate them, the section sums and the final score')
  .argument('[checklist]', 'the checklist file', 'deploy-check.yaml')
  .addOption(new Option('-f, --format <format>', 'output format: pretty, json').default('pretty'))
  .option('--no-color', 'no colour, even on a terminal')
  .action(async (checklist: string, opts: { format: string; color: boolean }) => {
    process.exitCode = await scoreCommand(checklist, opts, io(colorWanted(!opts.color)));
  });

program
  .command('schema')
  .description('print a JSON Schema: of the checklist format (for editor autocompletion), of the JSON report or of the JSON diff')
  .addArgument(new Argument('[contract]', 'checklist, report (deploy-check/report@1) or diff (deploy-check/diff@1)').choices(['checklist', 'report', 'diff']).default('checklist'))
  .action(async (contract: 'checklist' | 'report' | 'diff') => {
    process.exitCode = await schemaCommand(contract, io(false));
  });

program
  .command('profile')
  .description('write a reference profile of a dataset (statistics, histograms, samples, scores, gated metrics) for drift checks in production')
  .option('-c, --checklist <file>', 'the checklist', 'deploy-check.yaml')
  .option('-d, --dataset <name>', "the dataset to profile (default: the checklist's only dataset, or holdout)")
  .option('-o, --output <file>', 'write the profile to a file instead of stdout')
  .action(async (opts: { checklist: string; dataset?: string; output?: string }) => {
    process.exitCode = await profileCommand(opts.checklist, opts, io(false));
  });

program
  .command('inspect')
  .description("print an ONNX model's inputs, outputs, opsets, producer, metadata, size and sha256")
  .argument('<model>', 'the .onnx file')
  .option('--json', 'as JSON')
  .action(async (model: string, opts: { json?: boolean }) => {
    process.exitCode = await inspectCommand(model, opts, io(false));
  });

// A signal ends the run with 130 or 143 and whatever reports the checks so far allow, marked incomplete.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.exitCode = interruptRun(signal, io(false), inFlight);
    process.exit();
  });
}

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) {
    // help and --version end with code 0; every usage error is "could not run".
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else {
    process.stderr.write(`deploy-check: internal error: ${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = 2;
  }
});
