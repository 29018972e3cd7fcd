import { z } from 'zod';

export const INTERFACE_KINDS = ['model', 'endpoint', 'event', 'module', 'config', 'component'] as const;
export type InterfaceKind = (typeof INTERFACE_KINDS)[number];

const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .nullish()
    .transform((value) => value ?? undefined);

/** `{ name: 'id', type: 'number' }` → `id: number`; other objects as JSON. */
const fieldText = z.union([
  z.string().max(1000),
  z.looseObject({ name: z.string(), type: z.string().optional() }).transform((field) => (field.type ? `${field.name}: ${field.type}` : field.name)),
  z.unknown().transform((value) => JSON.stringify(value).slice(0, 1000)),
]);

/** A shared interface as an agent reports it (see `AgentReportSchema.interfaces`); read leniently. */
export const SharedInterfaceSchema = z.object({
  name: z.string().trim().min(1).max(300),
  /** Unknown kinds are guessed from the rest (`GET /x` → endpoint, fields → model, else module). */
  kind: optionalText(100),
  file: optionalText(1000),
  fields: z
    .array(fieldText)
    .max(200)
    .nullish()
    .transform((value) => value ?? undefined),
  signature: optionalText(4000),
});
export type SharedInterfaceInput = z.input<typeof SharedInterfaceSchema>;

export const RegistryEntrySchema = z.object({
  name: z.string().min(1),
  kind: z.enum(INTERFACE_KINDS),
  /** The task that defined it (its latest report wins). */
  taskId: z.string().min(1),
  file: z.string().optional(),
  fields: z.array(z.string()).optional(),
  signature: z.string().optional(),
  /** ISO timestamp. */
  recordedAt: z.string(),
});
export type RegistryEntry = z.infer<typeof RegistryEntrySchema>;

const EndpointRecordSchema = z.object({
  method: z.string(),
  path: z.string(),
  file: z.string().optional(),
  line: z.number().int().optional(),
  origin: z.string(),
});

export const RegistryFileSchema = z.object({
  version: z.literal(1).default(1),
  entries: z.array(RegistryEntrySchema).default([]),
  /** The last contract report's endpoints: the contract and what the backend serves. */
  contract: z
    .object({
      source: z.string().optional(),
      endpoints: z.array(EndpointRecordSchema).default([]),
      served: z.array(EndpointRecordSchema).default([]),
      recordedAt: z.string(),
    })
    .optional(),
});
export type RegistryFile = z.infer<typeof RegistryFileSchema>;
