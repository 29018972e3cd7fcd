const BASE = '/api';

async function request(path, options = {}) {
  const response = await fetch(`${BASE}${path}`, { headers: { 'Content-Type': 'application/json' }, ...options });
  if (!response.ok) throw new Error(response.statusText);
  return response.json();
}

function loadUsers() { return request('/users'); }
function loadUser(id) { return request('/users/' + id); }
function placeOrder(order) { return request('/orders', { method: 'POST', body: JSON.stringify(order) }); }
function loadOrder(id) { return request(`/orders/${id}`); }
