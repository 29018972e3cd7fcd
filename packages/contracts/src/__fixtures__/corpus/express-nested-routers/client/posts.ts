export async function userPosts(userId: string) {
  return (await fetch(`/api/users/${userId}/posts`)).json();
}
export async function createPost(userId: string, title: string) {
  return fetch(`/api/users/${userId}/posts`, { method: 'POST', body: JSON.stringify({ title }) });
}
export async function onePost(userId: string, postId: string) {
  return (await fetch(`/api/users/${userId}/posts/${postId}`)).json();
}
export const ping = () => fetch('/api/ping');
