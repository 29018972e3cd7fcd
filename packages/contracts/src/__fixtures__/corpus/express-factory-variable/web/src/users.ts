export async function listUsers() {
  const response = await fetch('/api/v2/users');
  return response.json();
}

export async function createUser(name: string) {
  const response = await fetch('/api/v2/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
  return response.json();
}

export async function getUser(id: string) {
  return (await fetch(`/api/v2/users/${id}`)).json();
}
