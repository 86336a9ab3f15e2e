/**
 * The rented machine the report compares with: an hourly on-demand price the person can change.
 *
 * @example
 * ```ts
 * const price: CloudPrice = { ...CLOUD_PRICE, pricePerHour: 0.1 };
 * ```
 */
export interface CloudPrice {
  pricePerHour: number;
  vcpus: number;
  machine: string;
  /** Where the default price comes from. */
  source: string;
}

/**
 * AWS EC2 on-demand, Linux, us-east-1 (N. Virginia): c7i.large, 2 vCPU, 4 GiB, USD 0.08925
 * an hour (AWS's EC2 on-demand price list, https://aws.amazon.com/ec2/pricing/on-demand/).
 *
 * @example
 * ```ts
 * batchReport(jobs, { workers: 2, now: Date.now(), price: { ...CLOUD_PRICE, pricePerHour: 0.1 } });
 * ```
 */
export const CLOUD_PRICE: CloudPrice = {
  pricePerHour: 0.08925,
  vcpus: 2,
  machine: 'AWS EC2 c7i.large (2 vCPU, 4 GiB), on demand, Linux, us-east-1',
  source: 'https://aws.amazon.com/ec2/pricing/on-demand/',
};
