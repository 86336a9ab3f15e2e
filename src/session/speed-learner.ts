import { presetById } from '../presets/presets';
import { learnSpeed, speedOf, type SpeedSample } from '../report/estimate';
import type { SpeedStore } from '../storage/speed-store';
import type { Batch } from './batch';
import { DEFAULT_SPLIT_POLICY } from '../jobs/segment-plan';

/**
 * Learns this device's speed per preset from the jobs that finish in this session, keeps it
 * in IndexedDB, and answers the estimate's question: how fast is a preset here?
 */
export class SpeedLearner {
  private speeds = new Map<string, SpeedSample>();
  private readonly learnt = new Set<string>();
  private readonly sessionStart = Date.now();

  constructor(
    private readonly batch: Batch,
    private readonly store: SpeedStore,
    private readonly splitAboveSec = DEFAULT_SPLIT_POLICY.splitAboveSec,
  ) {}

  /** Loads the stored records, then learns from every job that ends from now on. */
  async start(): Promise<void> {
    try {
      const stored = await this.store.all();
      for (const [id, sample] of this.speeds) stored.set(id, sample);
      this.speeds = stored;
    } catch {
      // Without storage the estimate uses the defaults and this session's jobs.
    }
    this.batch.subscribe((event) => {
      if (event.type === 'changed') this.learnFromFinished();
    });
    this.learnFromFinished();
    this.batch.changed();
  }

  /** Media seconds per worker second measured here for a preset, or null when it has not run here. */
  learntSpeed(presetId: string): number | null {
    const sample = this.speeds.get(presetId);
    return sample && sample.encodeSeconds > 0 && sample.mediaSeconds > 0 ? sample.mediaSeconds / sample.encodeSeconds : null;
  }

  /** Media seconds per worker second for a preset, and whether it was measured here. */
  speedOf(presetId: string): { speed: number; learnt: boolean } {
    let cost = 1;
    try {
      cost = presetById(presetId).relativeCost;
    } catch {
      // An unknown preset (e.g. a custom one not yet run) takes the cost of the cheapest.
    }
    return speedOf(this.speeds.get(presetId), cost);
  }

  private learnFromFinished(): void {
    const sources = new Map(this.batch.listSources().map((s) => [s.id, s]));
    for (const job of this.batch.listJobs()) {
      if (job.state !== 'done' || this.learnt.has(job.id) || job.startedAt === null || job.endedAt === null) continue;
      this.learnt.add(job.id);
      if (job.startedAt < this.sessionStart) continue;
      const seconds = sources.get(job.sourceId)?.info?.durationSec ?? 0;
      // A long source may have been split over several workers: its wall time is not one worker's.
      if (seconds > this.splitAboveSec && presetById(job.presetId).parts) continue;
      const encodeSeconds = (job.endedAt - job.startedAt) / 1000;
      const next = learnSpeed(this.speeds.get(job.presetId), seconds, encodeSeconds);
      if (!next) continue;
      this.speeds.set(job.presetId, next);
      void this.store.update(job.presetId, (previous) => learnSpeed(previous, seconds, encodeSeconds)).catch(() => undefined);
    }
  }
}
