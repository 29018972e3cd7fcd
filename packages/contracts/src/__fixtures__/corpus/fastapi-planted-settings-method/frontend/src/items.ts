const API = `${import.meta.env.VITE_API_URL}/api/v1`;

export const items = () => fetch(`${API}/items/`);
export const createItem = (item: object) => fetch(`${API}/items/`, { method: 'POST', body: JSON.stringify(item) });
