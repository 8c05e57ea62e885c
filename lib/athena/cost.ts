/**
 * What an Athena query costs: SQL queries are billed by the bytes they scan, $5 per TB, rounded up
 * to the megabyte with a 10 MB minimum per query; failed queries are not billed, cancelled ones
 * are billed for what they scanned (https://aws.amazon.com/athena/pricing/). The region may price
 * differently; this is the us-east-1 list price, shown as an estimate.
 */

/** US dollars per terabyte scanned (https://aws.amazon.com/athena/pricing/). */
export const PRICE_PER_TB_SCANNED_USD = 5;
/** A terabyte as the pricing counts it, in bytes (the binary terabyte, 2^40). */
export const BYTES_PER_TB = 2 ** 40;
/** Scans are billed in whole megabytes (2^20 bytes) … */
export const BILLING_INCREMENT_BYTES = 2 ** 20;
/** … and at least 10 MB per query. */
export const MINIMUM_BILLED_BYTES = 10 * BILLING_INCREMENT_BYTES;

export interface ScanCost {
  /** DataScannedInBytes as Athena reported it. */
  readonly scannedBytes: number;
  /** What the price applies to: rounded up to the megabyte, at least the minimum. */
  readonly billedBytes: number;
  readonly usd: number;
}

/** The billed bytes and price of one query's scan. */
export function queryCost(scannedBytes: number): ScanCost {
  const rounded = Math.ceil(Math.max(0, scannedBytes) / BILLING_INCREMENT_BYTES) * BILLING_INCREMENT_BYTES;
  const billedBytes = Math.max(MINIMUM_BILLED_BYTES, rounded);
  return { scannedBytes, billedBytes, usd: (billedBytes / BYTES_PER_TB) * PRICE_PER_TB_SCANNED_USD };
}

/** Several queries' costs added up (each query billed on its own, minimum included). */
export function totalCost(costs: readonly ScanCost[]): ScanCost {
  return costs.reduce(
    (sum, cost) => ({
      scannedBytes: sum.scannedBytes + cost.scannedBytes,
      billedBytes: sum.billedBytes + cost.billedBytes,
      usd: sum.usd + cost.usd,
    }),
    { scannedBytes: 0, billedBytes: 0, usd: 0 },
  );
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** `1.5 GiB`: bytes in binary units, as the price counts them. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}

/** `scanned 1.50 GiB (billed 1.50 GiB), about $0.0073 at $5/TB`: the summary's cost line. */
export function formatCost(cost: ScanCost): string {
  const usd = cost.usd < 0.01 ? cost.usd.toFixed(4) : cost.usd.toFixed(2);
  return `scanned ${formatBytes(cost.scannedBytes)} (billed ${formatBytes(cost.billedBytes)}), about $${usd} at $${PRICE_PER_TB_SCANNED_USD}/TB`;
}
