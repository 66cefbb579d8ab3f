/**
 * Jobs: runs of a config started over HTTP (`POST /v1/runs`). Without a config a job runs the
 * served kernel (same policy, tasks, search); with one, a kernel is built from that JSON config
 * (plugins by name or path, resolved against the served config's folder) and closed afterwards.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { kernelFromConfig, runPipeline, ReasonerError, type Kernel, type ReasonerConfig, type RunSummary, type TrajectoryRecord } from '@reasoner/core';

export type JobStatus = 'starting' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobState {
  id: string;
  status: JobStatus;
  runId: string | null;
  dir: string | null;
  done: number;
  total: number | null;
  correct: number;
  tokens: number;
  startedAt: string;
  finishedAt: string | null;
  summary: RunSummary | null;
  error: { code: string; message: string } | null;
}

export interface JobEvent {
  type: 'status' | 'progress' | 'end';
  job: JobState;
  record?: Pick<TrajectoryRecord, 'taskId' | 'correct' | 'ms'> & { reward: number | null; tokens: number };
}

export interface StartJob {
  config?: ReasonerConfig;
  limit?: number;
  concurrency?: number;
  runId?: string;
}

class Job extends EventEmitter {
  readonly controller = new AbortController();
  readonly state: JobState;
  promise: Promise<void> = Promise.resolve();
  constructor(id: string) {
    super();
    this.setMaxListeners(1000);
    this.state = { id, status: 'starting', runId: null, dir: null, done: 0, total: null, correct: 0, tokens: 0, startedAt: new Date().toISOString(), finishedAt: null, summary: null, error: null };
  }
  emitEvent(e: Omit<JobEvent, 'job'>): void {
    this.emit('event', { ...e, job: { ...this.state } });
  }
}

export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private seq = 0;
  constructor(private readonly kernel: Kernel, private readonly onRunning: (delta: number) => void = () => undefined) {}

  list(): JobState[] {
    return [...this.jobs.values()].map((j) => ({ ...j.state })).reverse();
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  require(id: string): Job {
    const j = this.jobs.get(id);
    if (!j) throw new ReasonerError('RSN_ERR_RUN_NOT_FOUND', `no job "${id}" on this server`, { hint: 'GET /v1/runs lists the jobs' });
    return j;
  }

  /** Validates and sets up the job's kernel (errors here are the request's 400), then runs it in the background. */
  async start(req: StartJob): Promise<JobState> {
    const id = `job-${Date.now().toString(36)}-${(++this.seq).toString(36)}`;
    const job = new Job(id);
    let kernel = this.kernel;
    let own = false;
    if (req.config) {
      kernel = await kernelFromConfig(req.config, this.kernel.dir, this.kernel.logger.child(id));
      own = true;
    }
    this.jobs.set(id, job);
    job.state.status = 'running';
    this.onRunning(1);
    job.promise = (async () => {
      try {
        const { summary, dir } = await runPipeline(kernel, {
          limit: req.limit, concurrency: req.concurrency, runId: req.runId, signal: job.controller.signal,
          onStart: (info, total) => {
            Object.assign(job.state, { runId: info.runId, dir: info.dir, total: total ?? null, done: info.done });
            job.emitEvent({ type: 'status' });
          },
          onProgress: (done, _total, rec) => {
            job.state.done = done;
            if (rec.correct) job.state.correct++;
            job.state.tokens += rec.usage.promptTokens + rec.usage.completionTokens;
            job.emitEvent({ type: 'progress', record: { taskId: rec.taskId, correct: rec.correct, ms: rec.ms, reward: rec.reward?.value ?? null, tokens: rec.usage.completionTokens } });
          },
        });
        job.state.summary = summary;
        job.state.dir = dir;
        job.state.status = job.controller.signal.aborted ? 'cancelled' : 'done';
      } catch (e) {
        job.state.status = job.controller.signal.aborted ? 'cancelled' : 'failed';
        const err = e as { code?: string; message?: string };
        job.state.error = { code: typeof err?.code === 'string' && err.code.startsWith('RSN_ERR_') ? err.code : 'RSN_ERR_TASK', message: String(err?.message ?? e) };
      } finally {
        job.state.finishedAt = new Date().toISOString();
        this.onRunning(-1);
        if (own) await kernel.close().catch(() => undefined);
        job.emitEvent({ type: 'end' });
      }
    })();
    return { ...job.state };
  }

  /** Cancels a job (in-flight tasks stop; recorded ones stay); resolves once it has stopped. */
  async cancel(id: string): Promise<JobState> {
    const job = this.require(id);
    if (job.state.status === 'running' || job.state.status === 'starting') {
      job.controller.abort(new ReasonerError('RSN_ERR_ABORTED', `job ${id} cancelled`));
      await job.promise;
    }
    return { ...job.state };
  }

  /** Folder of a job's run or of a run on disk (`<runsDir>/<id>`). */
  runDir(id: string, runsDir: string): string {
    const job = this.jobs.get(id);
    if (job?.state.dir) return job.state.dir;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id) || id.includes('..')) throw new ReasonerError('RSN_ERR_INPUT', `"${id}" is not a run id`, { hint: 'run ids are letters, digits, ".", "_" and "-"' });
    return path.join(runsDir, id);
  }

  async close(): Promise<void> {
    await Promise.all([...this.jobs.keys()].map((id) => this.cancel(id).catch(() => undefined)));
  }
}
