/**
 * The prompt followed by instructions under a `## heading`, for CLIs without a flag that adds to
 * their system prompt. The prompt stays first, so its first line keeps the orchestrator's marker.
 * Without instructions (undefined or empty) the prompt is returned as it is.
 */
export function promptWithInstructions(prompt: string, instructions: string | undefined, heading: string): string {
  return instructions ? `${prompt}\n\n## ${heading}\n${instructions}` : prompt;
}
