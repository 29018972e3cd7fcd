import { z } from 'zod';

export const INTERFACE_KINDS = ['model', 'endpoint', 'event', 'module', 'config', 'component'] as const;
export type InterfaceKind = (typeof INTERFACE_KINDS)[number];

/** A shared interface as an agent reports it (see `AgentReportSchema.interfaces`). */
export const SharedInterfaceSchema = z.object({
  name: z.string().trim().min(1).max(300),
  /** Unknown kinds are guessed from the rest (`GET /x` → endpoint, fields → model, else module). */
  kind: z.string().optional(),
  file: z.string().max(1000).optional(),
  fields: z.array(z.string().max(1000)).max(200).optional(),
  signature: z.string().max(4000).optional(),
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
