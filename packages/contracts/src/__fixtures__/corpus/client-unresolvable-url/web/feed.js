import { endpoints } from './endpoints.js';

export async function load(resource) {
  const response = await fetch(endpoints[resource]);
  return response.json();
}

export const feed = () => fetch('/api/feed');
export const next = (cursorUrl) => fetch(cursorUrl);
