import { afterEach } from 'vitest';

// Tests that run the CLI with spawnSync block this worker's event loop; vitest's runner goes from
// one test to the next without a full turn of the loop, so the replies to the worker's progress
// messages would sit unread, and after 60 s in all vitest reports "Timeout calling onTaskUpdate"
// (vitest-dev/vitest#8164) although every test passed. One turn of the loop after each test reads them.
afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
