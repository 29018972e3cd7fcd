export const users = () => fetch('/api/users');
export const user = (id: string) => fetch(`/api/users/${id}`);
export const health = () => fetch('/healthz');
export const teams = () => fetch('/api/teams');
