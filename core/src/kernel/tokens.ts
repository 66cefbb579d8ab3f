/** tsyringe tokens. The container never leaves the kernel: plugins get a typed context. */
export const TOKENS = {
  Config: Symbol.for('reasoner.config'),
  Hooks: Symbol.for('reasoner.hooks'),
  Logger: Symbol.for('reasoner.logger'),
  Rng: Symbol.for('reasoner.rng'),
  policy: Symbol.for('reasoner.service.policy'),
  reward: Symbol.for('reasoner.service.reward'),
  search: Symbol.for('reasoner.service.search'),
  task: Symbol.for('reasoner.service.task'),
  learn: Symbol.for('reasoner.service.learn'),
  grader: Symbol.for('reasoner.service.grader'),
} as const;
