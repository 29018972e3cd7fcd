import axios from 'axios';

const http = axios.create({ baseURL: '/api/v2' });

export const orders = () => http.get('/orders');
export const setStatus = (id: string, status: string) => http.patch(`/orders/${id}/status`, { status });
export const latestInvoice = () => http.get('/billing/invoices/latest');
