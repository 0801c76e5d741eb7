/** The alerts of docs/alerts/rivulet-rules.yml that the engine evaluates itself. */
export type AlertName =
  | 'RivuletJobFailed'
  | 'RivuletJobRestarting'
  | 'RivuletCheckpointFailures'
  | 'RivuletSourceToCommitLatencyHigh'
  | 'RivuletBackPressure'
  | 'RivuletCdcSlotRetainsWal';

export type Severity = 'critical' | 'warning';

/** An alert as GET /alerts answers it (and the dashboard reads it): times in epoch ms. */
export interface AlertRecord {
  readonly name: AlertName;
  readonly severity: Severity;
  readonly labels: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly description: string;
  readonly status: 'firing' | 'resolved';
  readonly startsAt: number;
  readonly endsAt: number | null;
}
