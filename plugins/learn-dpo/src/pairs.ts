/** Preference pairs live in core (data export's trl-dpo format builds the same pairs). */
export { buildPairs } from '@reasoner/core';
export type { PreferencePair, PairOptions, PairStats } from '@reasoner/core';
