const API = '/api/v1';

export const sessions = () => fetch(`${API}/sessions`);
export const startSession = () => fetch(`${API}/sessions`, { method: 'POST' });
export const endSession = (id: string) => fetch(`${API}/sessions/${id}`, { method: 'DELETE' });
