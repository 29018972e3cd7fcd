import axios from 'axios';

const client = axios.create({ baseURL: '/api' });

export const orders = () => client.get('/orders');
export const order = (id) => client.get(`/orders/${id}`);
export const orderItems = (id) => client.get(`/orders/${id}/items`);
