export const users = () => fetch('/api/users');
export const addUser = (u) => fetch('/api/users', { method: 'POST', body: JSON.stringify(u) });
export const teams = () => fetch('/api/teams');
