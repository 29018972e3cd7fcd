import type { PortRange } from './provision-types';

export const DEFAULT_PORT_BASE = 41_000;
export const DEFAULT_PORTS_PER_TASK = 10;
const HIGHEST_PORT = 65_535;

/**
 * The ports of a slot: `portsPerTask` of them from `portBase + slot * portsPerTask`. Slots are
 * distinct among the tasks running at once, so their ranges never overlap; past the last port
 * the ranges start again from `portBase` (only reached with more slots than fit).
 */
export function slotPorts(slot: number, portBase = DEFAULT_PORT_BASE, portsPerTask = DEFAULT_PORTS_PER_TASK): PortRange {
  const capacity = Math.max(1, Math.floor((HIGHEST_PORT + 1 - portBase) / portsPerTask));
  const first = portBase + (Math.max(0, Math.trunc(slot)) % capacity) * portsPerTask;
  return { first, last: Math.min(HIGHEST_PORT, first + portsPerTask - 1) };
}

/** What a task's agent and checks see of their slot: `PORT`, `QODER_ORCH_PORT_RANGE=<first>-<last>`, `QODER_ORCH_SLOT`. */
export function slotEnvironment(slot: number, ports: PortRange): Record<string, string> {
  return { PORT: String(ports.first), QODER_ORCH_PORT_RANGE: `${ports.first}-${ports.last}`, QODER_ORCH_SLOT: String(slot) };
}
