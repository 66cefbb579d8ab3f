export { default } from './plugin.js';
export { createCodeReward, optionsSchema } from './plugin.js';
export type { RewardCodeOptions } from './plugin.js';
export { runTests, createCodeRunner, DEFAULT_TIMEOUT_MS, DEFAULT_MEMORY_MB } from './run-tests.js';
export type { CodeRunner, CodeRunnerOptions } from './run-tests.js';
export { extractCode, buildProgram, fencedBlocks, definesFunction } from './extract-code.js';
export { SlotPool } from './pool.js';
export { assertSandboxAvailable, findSandboxTools, DEFAULT_SANDBOX } from './sandbox.js';
export type { CodeLanguage, RunStatus, RunTestsOptions, RunResult, SandboxConfig } from './types.js';
