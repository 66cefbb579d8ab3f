export type * from './task.js';
export type * from './policy.js';
export type * from './reward.js';
export type * from './search.js';
export type * from './learn.js';
export type * from './records.js';
export type * from './plugin.js';
export { PLUGIN_API_VERSION, PLUGIN_KINDS } from './plugin.js';
