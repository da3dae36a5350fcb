import { cpus, freemem, loadavg, totalmem, platform, release, arch } from 'node:os';

/**
 * The machine a figure was measured on. Every timing in the bench output carries one of these, so a
 * number is never read apart from the cores, memory and load it ran under.
 */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  freeMemoryGiB: number;
  node: string;
  os: string;
  /** 1-minute load average when the snapshot was taken (above `cores` = contended). */
  loadAverage1m: number;
  at: string;
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  const gib = (b: number) => Math.round((b / 2 ** 30) * 10) / 10;
  return {
    cpuModel: c[0]?.model.trim() ?? 'unknown', cores: c.length, memoryGiB: gib(totalmem()), freeMemoryGiB: gib(freemem()),
    node: process.version, os: `${platform()} ${release()} ${arch()}`,
    loadAverage1m: Math.round(loadavg()[0] * 100) / 100, at: new Date().toISOString(),
  };
}

/** One line for a table caption: "Intel Xeon … · 2 cores · 24 GiB · node v20 · load 11.2". */
export function machineLine(m: MachineInfo): string {
  return `${m.cpuModel} · ${m.cores} cores · ${m.memoryGiB} GiB · node ${m.node} · load ${m.loadAverage1m.toFixed(1)}`;
}
