export { memoryTasks, memoryPolicy, memorySearch } from './memory-plugins.js';
export { tempProject, REPO_ROOT, CLI } from './temp-project.js';
export type { TempProject } from './temp-project.js';
