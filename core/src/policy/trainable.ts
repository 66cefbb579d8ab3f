import { ReasonerError } from '../errors.js';
import type { Policy } from '../types/policy.js';
import type { TrainablePolicy } from '../types/learn.js';

/** True when `policy` has weights Reasoner can update (declares `trainable` and has the methods). */
export function isTrainable(policy: Policy | null | undefined): policy is TrainablePolicy {
  if (!policy || !policy.capabilities?.trainable) return false;
  const p = policy as Partial<TrainablePolicy>;
  return typeof p.trainStep === 'function' && typeof p.sequenceLogprobs === 'function' && typeof p.reference === 'function' && typeof p.save === 'function';
}

/** `policy` as a TrainablePolicy, or RSN_ERR_NOT_TRAINABLE saying what to do instead. */
export function requireTrainable(policy: Policy, learner = 'this learner'): TrainablePolicy {
  if (isTrainable(policy)) return policy;
  throw new ReasonerError('RSN_ERR_NOT_TRAINABLE', `${learner} needs a trainable policy; policy ${policy.id} is not (it has no weights Reasoner can update)`, {
    hint: 'use the embedded policy (@reasoner/plugin-policy-tiny), or export the data (`reasoner data export --format …`) and train the model where it runs',
  });
}
