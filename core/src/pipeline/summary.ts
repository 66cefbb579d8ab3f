import type { Usage } from '../types/policy.js';
import type { RunSummary, TrajectoryRecord } from '../types/records.js';

/** Running totals over trajectory records (old ones on resume, then new ones). */
export class SummaryAccumulator {
  tasks = 0;
  correct = 0;
  errors = 0;
  rewardSum = 0;
  usage: Usage = { promptTokens: 0, completionTokens: 0, calls: 0 };
  private statSums: Record<string, number> = {};

  add(r: TrajectoryRecord): void {
    for (const [k, v] of Object.entries(r.search.stats ?? {})) if (Number.isFinite(v)) this.statSums[k] = (this.statSums[k] ?? 0) + v;
    this.tasks++;
    if (r.correct) this.correct++;
    if (r.error) this.errors++;
    this.rewardSum += r.reward?.value ?? 0;
    this.usage.promptTokens += r.usage.promptTokens;
    this.usage.completionTokens += r.usage.completionTokens;
    this.usage.calls += r.usage.calls;
  }

  summary(extra: { runId: string; wallMs: number; startedAt: string; stoppedBy?: RunSummary['stoppedBy'] }): RunSummary {
    return {
      runId: extra.runId,
      tasks: this.tasks,
      correct: this.correct,
      errors: this.errors,
      accuracy: this.tasks ? this.correct / this.tasks : 0,
      meanReward: this.tasks ? this.rewardSum / this.tasks : 0,
      usage: { ...this.usage },
      searchStats: Object.fromEntries(Object.entries(this.statSums).map(([k, v]) => [k, this.tasks ? v / this.tasks : 0])),
      wallMs: extra.wallMs,
      stoppedBy: extra.stoppedBy ?? null,
      startedAt: extra.startedAt,
      finishedAt: new Date().toISOString(),
    };
  }
}
