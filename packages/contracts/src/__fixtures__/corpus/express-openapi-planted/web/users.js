export const users = () => fetch('/api/v2/users').then((r) => r.json());
