import { cpus, loadavg, release, totalmem, type } from 'node:os';

/** The machine a run measured on. */
export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
  os: string;
  /** 1, 5 and 15 minute load averages when the run started. */
  loadAverageAtStart: number[];
}

/** Reads the machine's description for the report. */
export function describeMachine(): MachineInfo {
  const processors = cpus();
  return {
    cores: processors.length,
    cpuModel: processors[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
    os: `${type()} ${release()}`,
    loadAverageAtStart: loadavg(),
  };
}
