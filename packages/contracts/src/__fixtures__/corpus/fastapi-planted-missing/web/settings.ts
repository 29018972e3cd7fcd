const API = '/api/v1';

export const me = () => fetch(`${API}/users/me`);
export const mySettings = () => fetch(`${API}/users/me/settings`);
