'use client';

export default function Edit({ params }: { params: { id: string } }) {
  const save = (name: string) => fetch(`/api/projects/${params.id}`, { method: 'PATCH', body: JSON.stringify({ name }) });
  return <button onClick={() => save('x')}>Save</button>;
}
