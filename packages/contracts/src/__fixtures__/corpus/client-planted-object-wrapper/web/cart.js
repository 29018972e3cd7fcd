import { http } from './http.js';

export const cart = () => http.get('/cart');
export const addItem = (item) => http.post('/cart/items', item);
export const removeItem = (id) => http.del(`/cart/items/${id}`);
