export const cats = () => fetch('/api/v1/cats');
export const cat = (id: string) => fetch(`/api/v1/cats/${id}`);
export const photos = (id: string) => fetch(`/api/v2/cats/${id}/photos`);
