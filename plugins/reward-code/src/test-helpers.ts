import { processesOfUids, sandboxUid } from './sandbox.js';

/** Live processes whose real uid is one of this test process's sandbox uids. */
export function sandboxProcesses(slots = 64): number[] {
  return processesOfUids(new Set(Array.from({ length: slots }, (_, i) => sandboxUid(i))));
}
