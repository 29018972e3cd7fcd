import type { Task, TaskStatus } from '@qoder-orch/core';
import { escapeHtml } from './escape-html';
import { STATUS_COLORS } from './status-colors';

const NODE_WIDTH = 190;
const NODE_HEIGHT = 50;
const GAP_X = 70;
const GAP_Y = 22;
const MARGIN = 16;

/** Depth of each task: the longest chain of dependencies before it (unknown ids and cycles ignored). */
export function dependencyDepths(tasks: readonly Pick<Task, 'id' | 'dependsOn'>[]): Map<string, number> {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const depths = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (id: string): number => {
    const known = depths.get(id);
    if (known !== undefined) return known;
    const task = byId.get(id);
    if (!task || visiting.has(id)) return -1;
    visiting.add(id);
    const depth = Math.max(-1, ...task.dependsOn.map(depthOf)) + 1;
    visiting.delete(id);
    depths.set(id, depth);
    return depth;
  };
  for (const task of tasks) depthOf(task.id);
  return depths;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The task graph as inline SVG, layered left to right by dependency depth; nodes coloured by
 * status, edges from each dependency to its dependent.
 */
export function renderTaskGraphSvg(tasks: readonly Task[], statusOf: (taskId: string) => TaskStatus | 'planned'): string {
  if (tasks.length === 0) return '<p class="muted">No plan.</p>';
  const depths = dependencyDepths(tasks);
  const layers: Task[][] = [];
  for (const task of tasks) (layers[depths.get(task.id) ?? 0] ??= []).push(task);
  const positions = new Map<string, { x: number; y: number }>();
  layers.forEach((layer, depth) => {
    layer.forEach((task, row) => positions.set(task.id, { x: MARGIN + depth * (NODE_WIDTH + GAP_X), y: MARGIN + row * (NODE_HEIGHT + GAP_Y) }));
  });
  const width = MARGIN * 2 + layers.length * NODE_WIDTH + Math.max(0, layers.length - 1) * GAP_X;

  /** Whether no node of the layers strictly between two depths sits on the row at `y`. */
  const isRowFree = (fromDepth: number, toDepth: number, y: number) => {
    for (let depth = fromDepth + 1; depth < toDepth; depth += 1) {
      if ((layers[depth] ?? []).some((node) => Math.abs(positions.get(node.id)!.y + NODE_HEIGHT / 2 - y) < NODE_HEIGHT / 2 + GAP_Y / 2)) return false;
    }
    return true;
  };
  const nodesBottom = MARGIN + Math.max(...layers.map((layer) => layer?.length ?? 0)) * (NODE_HEIGHT + GAP_Y) - GAP_Y;
  let lanes = 0;
  const edges: string[] = [];
  for (const task of tasks) {
    const to = positions.get(task.id)!;
    for (const dependency of task.dependsOn) {
      const from = positions.get(dependency);
      if (!from) continue;
      const x1 = from.x + NODE_WIDTH;
      const y1 = from.y + NODE_HEIGHT / 2;
      const x2 = to.x - 4;
      const y2 = to.y + NODE_HEIGHT / 2;
      const fromDepth = depths.get(dependency) ?? 0;
      const toDepth = depths.get(task.id) ?? 0;
      const bend = Math.max(24, (GAP_X - 4) / 2);
      let d: string;
      if (toDepth - fromDepth > 1 && isRowFree(fromDepth, toDepth, y1)) {
        // Skip the layers in between along the source's row, then bend into the target.
        const turn = to.x - GAP_X;
        d = `M${x1},${y1} L${turn},${y1} C${turn + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
      } else if (toDepth - fromDepth > 1 && isRowFree(fromDepth, toDepth, y2)) {
        // Bend to the target's row in the first gap, then run along it.
        const turn = x1 + GAP_X - 4;
        d = `M${x1},${y1} C${x1 + bend},${y1} ${turn - bend},${y2} ${turn},${y2} L${x2},${y2}`;
      } else if (toDepth - fromDepth > 1) {
        // Both rows are taken: go round below every node, in a lane of its own.
        const laneY = nodesBottom + GAP_Y / 2 + lanes * 8;
        lanes += 1;
        const firstTurn = x1 + GAP_X / 2;
        const lastTurn = to.x - GAP_X / 2;
        d = `M${x1},${y1} C${firstTurn},${y1} ${firstTurn},${laneY} ${firstTurn + 12},${laneY} L${lastTurn - 12},${laneY} C${lastTurn},${laneY} ${lastTurn},${y2} ${x2},${y2}`;
      } else {
        const span = Math.max(24, (x2 - x1) / 2);
        d = `M${x1},${y1} C${x1 + span},${y1} ${x2 - span},${y2} ${x2},${y2}`;
      }
      edges.push(`<path class="edge" d="${d}" marker-end="url(#arrow)"><title>${escapeHtml(`${dependency} → ${task.id}`)}</title></path>`);
    }
  }
  const nodes = tasks.map((task) => {
    const { x, y } = positions.get(task.id)!;
    const status = statusOf(task.id);
    const color = STATUS_COLORS[status];
    return [
      `<g class="node" transform="translate(${x},${y})">`,
      `<title>${escapeHtml(`${task.id} [${task.agent}] ${status}: ${task.title}`)}</title>`,
      `<rect width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="7" fill="#fff" stroke="${color}" stroke-width="2"/>`,
      `<rect width="7" height="${NODE_HEIGHT}" rx="3" fill="${color}"/>`,
      `<text x="16" y="21" class="node-id">${escapeHtml(clip(task.id, 22))}</text>`,
      `<text x="16" y="39" class="node-agent">${escapeHtml(clip(`${task.agent} · ${status}`, 28))}</text>`,
      '</g>',
    ].join('');
  });
  const height = nodesBottom + MARGIN + (lanes > 0 ? GAP_Y / 2 + lanes * 8 : 0);
  return [
    `<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Task graph">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#78909c"/></marker></defs>',
    ...edges,
    ...nodes,
    '</svg>',
  ].join('\n');
}
