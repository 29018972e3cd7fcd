const API = '/api';

export interface User {
  id: string;
  name: string;
}

export async function listUsers(): Promise<User[]> {
  const response = await fetch(`${API}/users`);
  return response.json();
}

export async function getUser(id: string): Promise<User> {
  return (await fetch(`${API}/users/${id}`)).json();
}

export async function createUser(user: Omit<User, 'id'>): Promise<User> {
  const response = await fetch(API + '/users', { method: 'POST', body: JSON.stringify(user) });
  return response.json();
}

// Planted: the backend only reads users, it never deletes them.
export async function deleteUser(id: string): Promise<void> {
  await fetch(`${API}/users/${id}`, { method: 'DELETE' });
}

// Planted: nothing serves orders.
export async function listOrders(): Promise<unknown[]> {
  return (await window.fetch('http://localhost:3000/api/orders?limit=10')).json();
}

export async function me(): Promise<User> {
  return (await fetch('/api/users/me')).json();
}

export const logo = () => fetch('/logo.svg');
