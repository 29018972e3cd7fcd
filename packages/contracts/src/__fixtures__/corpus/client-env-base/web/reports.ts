import api from './lib/api';

export const report = (year: number) => api.get(`/v1/reports/${year}`);
export const createReport = (body: object) => api.post('/v1/reports', body);
