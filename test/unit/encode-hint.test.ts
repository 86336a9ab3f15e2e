/** The Encode hint tells new jobs from failed or canceled ones tried again (a finished batch with failures said "4 new jobs"). */
import { describe, expect, it } from 'vitest';
import { jobsToStart } from '../../src/ui/presets-panel';

describe('jobsToStart', () => {
  it('counts new jobs alone when nothing is tried again', () => {
    expect(jobsToStart(1, 0)).toBe('1 new job');
    expect(jobsToStart(3, 0)).toBe('3 new jobs');
  });

  it('says when every job Encode starts replaces a failed or canceled one', () => {
    expect(jobsToStart(4, 4)).toBe('4 failed or canceled jobs to try again');
    expect(jobsToStart(1, 1)).toBe('1 failed or canceled job to try again');
  });

  it('splits a mix of both', () => {
    expect(jobsToStart(3, 2)).toBe('1 new job, 2 to try again');
  });
});
