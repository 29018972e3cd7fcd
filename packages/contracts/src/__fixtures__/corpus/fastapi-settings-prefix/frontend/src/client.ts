const BASE = import.meta.env.VITE_API_URL;

export const items = () => fetch(`${BASE}/api/v1/items/`);
export const deleteItem = (id: string) => fetch(`${BASE}/api/v1/items/${id}`, { method: 'DELETE' });
export const login = (form: FormData) => fetch(`${BASE}/api/v1/login/access-token`, { method: 'POST', body: form });
