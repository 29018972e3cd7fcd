import { EventEmitter } from 'eventemitter3';

/** One payload per event name, e.g. `{ 'task-start': { taskId: string; slot: number } }` (an interface works too). */
export type EventPayloads<Events> = { [K in keyof Events]: object };

/** eventemitter3's listener map for a payload map: every listener takes the one payload. */
export type ListenersOf<Events extends EventPayloads<Events>> = { [K in keyof Events]: [payload: Events[K]] };

/**
 * The base of every primitive that reports what it does (Planner, Scheduler, ...): an
 * eventemitter3 emitter typed by a map of event name → payload, so `on` and `emit` check
 * names and payloads. A listener that throws propagates to the emitter, as with any
 * EventEmitter; the Orchestrator's recorder is the listener that must never throw.
 *
 * ```ts
 * class Scheduler extends TypedEmitter<SchedulerEvents> { ... }
 * scheduler.on('task-start', ({ taskId, slot }) => console.log(taskId, slot));
 * ```
 */
export class TypedEmitter<Events extends EventPayloads<Events>> extends EventEmitter<ListenersOf<Events>> {}
