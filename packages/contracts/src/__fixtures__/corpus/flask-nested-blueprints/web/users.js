export const user = (id) => fetch(`/api/users/${id}`);
