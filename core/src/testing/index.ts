export { memoryTasks, memoryPolicy, memorySearch } from './memory-plugins.js';
export { tempProject, REPO_ROOT, CLI } from './temp-project.js';
export type { TempProject } from './temp-project.js';
export { FakeTrainablePolicy } from './fake-trainable.js';
export type { FakeTrainableOptions } from './fake-trainable.js';
export { fakeLearnEnv, sumSource, sumTask, sumCompletions, sampleSearch } from './fake-learn-env.js';
export type { FakeEnvOptions } from './fake-learn-env.js';
