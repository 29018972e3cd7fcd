import axios from 'axios';

const API_BASE_URL = process.env.REACT_APP_API_URL || 'http://localhost:8000';
const client = axios.create({ baseURL: `${API_BASE_URL}/api` });

export const products = () => client.get('/products');
export const product = (id: number) => client.get(`/products/${id}`);
export const createProduct = (p: object) => client.post('/products', p);
