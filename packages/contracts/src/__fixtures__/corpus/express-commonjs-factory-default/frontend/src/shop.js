import axios from 'axios';

export const fetchProducts = () => axios.get('/api/products');
export const fetchProduct = (sku) => axios.get(`/api/products/${sku}`);
export const addToCart = (sku, qty) => axios.post('/api/cart', { sku, qty });
