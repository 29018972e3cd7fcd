const BASE = 'http://localhost:8000/api';

export async function listItems() {
  const response = await fetch(BASE + '/items');
  return response.json();
}

export async function saveItem(item) {
  return fetch(`${BASE}/items/${item.id}`, { method: 'PUT', body: JSON.stringify(item) });
}

// Planted: the API has no DELETE.
export async function deleteItem(id) {
  return fetch(`${BASE}/items/${id}`, { method: 'DELETE' });
}

// Planted: "item" instead of "items".
export async function firstItem() {
  return fetch(`${BASE}/item/first`);
}

export async function dynamic(url) {
  return fetch(url);
}
