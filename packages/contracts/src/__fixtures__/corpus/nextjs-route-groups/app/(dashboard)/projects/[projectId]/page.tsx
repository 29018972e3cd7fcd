'use client';
import { useEffect, useState } from 'react';

export default function ProjectPage({ params }: { params: { projectId: string } }) {
  const [project, setProject] = useState<unknown>();
  useEffect(() => {
    fetch(`/api/projects/${params.projectId}`).then((r) => r.json()).then(setProject);
  }, [params.projectId]);
  const remove = () => fetch(`/api/projects/${params.projectId}`, { method: 'DELETE' });
  return <button onClick={remove}>{JSON.stringify(project)}</button>;
}
