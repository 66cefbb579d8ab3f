export { createProject, packageName, CreateError, STARTER_PACKAGES } from './create.js';
export type { CreateOptions, CreateResult } from './create.js';
export { main } from './cli.js';
