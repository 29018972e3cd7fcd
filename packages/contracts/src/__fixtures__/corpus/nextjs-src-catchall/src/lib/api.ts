export const file = (path: string) => fetch(`/api/files/${path}`);
export const docsIndex = () => fetch('/api/docs');
export const doc = (slug: string) => fetch(`/api/docs/${slug}`);
export const search = (q: string) => fetch(`/api/search?q=${encodeURIComponent(q)}`);
