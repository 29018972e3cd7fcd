const API_URL = 'http://localhost:8000/api';

async function http(path, init) {
  const res = await fetch(API_URL + path, init);
  return res.json();
}

export const orders = () => http('/orders');
export const cancel = (id) => http(`/orders/${id}/cancel`, { method: 'POST' });
export const customer = (id) => http(`/customers/${id}`);
export const renameCustomer = (id, name) => http(`/customers/${id}`, { method: 'PATCH', body: JSON.stringify({ name }) });
