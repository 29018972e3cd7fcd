import { useQuery, useMutation } from '@tanstack/react-query';

export const usePosts = () => useQuery({ queryKey: ['posts'], queryFn: () => fetch('/api/posts').then((r) => r.json()) });
export const usePost = (id: string) => useQuery({ queryKey: ['post', id], queryFn: () => fetch(`/api/posts/${id}`).then((r) => r.json()) });
export const useSavePost = (id: string) => useMutation({ mutationFn: (body: object) => fetch(`/api/posts/${id}`, { method: 'PUT', body: JSON.stringify(body) }) });
export const useCreatePost = () => useMutation({ mutationFn: (body: object) => fetch('/api/posts', { method: 'POST', body: JSON.stringify(body) }) });
