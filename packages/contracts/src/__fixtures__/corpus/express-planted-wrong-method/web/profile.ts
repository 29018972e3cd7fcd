export async function loadProfile(id: string) {
  return (await fetch(`/api/users/${id}`)).json();
}

export async function saveProfile(id: string, profile: unknown) {
  await fetch(`/api/users/${id}`, { method: 'PUT', body: JSON.stringify(profile) });
}
