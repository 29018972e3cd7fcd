export const user = (id: string) => fetch(`/api/users/${id}`);
export const posts = (id: string) => fetch(`/api/users/${id}/posts`);
export const comments = (id: string) => fetch(`/api/users/${id}/comments`);
