import { API_BASE } from '../config';

export async function apiFetch<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(`${API_BASE}${path}`, { credentials: 'include', ...init });
  if (!response.ok) throw new Error(`${response.status}`);
  return response.json() as Promise<T>;
}
