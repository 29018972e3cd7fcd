export const items = () => fetch('/api/items');
export const addItem = (item) => fetch('/api/items', { method: 'POST', body: JSON.stringify(item) });
export const removeItem = (id) => fetch(`/api/items/${id}`, { method: 'DELETE' });
export const version = () => fetch('/api/version');
