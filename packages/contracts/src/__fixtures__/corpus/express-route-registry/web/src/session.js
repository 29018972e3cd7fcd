export async function login(email, password) {
  const res = await fetch('/api/auth/login', { method: 'POST', body: JSON.stringify({ email, password }) });
  return res.json();
}
export const logout = () => fetch('/api/auth/logout', { method: 'POST' });
export const me = (id) => fetch(`/api/users/${id}`);
