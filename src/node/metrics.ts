/** Prometheus text exposition of a few gauges and counters (no client library needed for this size). */
export interface MetricSample {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  value: number;
  labels?: Record<string, string>;
}

export function renderMetrics(samples: MetricSample[]): string {
  const seen = new Set<string>();
  let out = '';
  for (const s of samples) {
    if (!seen.has(s.name)) {
      out += `# HELP ${s.name} ${s.help}\n# TYPE ${s.name} ${s.type}\n`;
      seen.add(s.name);
    }
    const labels = s.labels
      ? `{${Object.entries(s.labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`).join(',')}}`
      : '';
    out += `${s.name}${labels} ${Number.isFinite(s.value) ? s.value : 0}\n`;
  }
  return out;
}
