export const users = () => fetch('/api/users');
export const user = (id: string) => fetch(`/api/users/${id}`);
