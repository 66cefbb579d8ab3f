export { memoryTasks, memoryPolicy, memorySearch } from './memory-plugins.js';
