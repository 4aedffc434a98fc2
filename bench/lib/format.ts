// How numbers read in the summary table.

export const ms = (v: number) => (v >= 100 ? `${v.toFixed(0)} ms` : v >= 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} ms`);
export const ratio = (v: number) => `${v.toFixed(2)}×`;
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
export const count = (v: number) => Math.round(v).toLocaleString('en-US');
export const p50p99 = (s: { p50: number; p99: number }) => `p50 ${ms(s.p50)} · p99 ${ms(s.p99)}`;
