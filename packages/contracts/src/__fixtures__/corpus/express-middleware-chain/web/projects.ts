import ky from 'ky';

const api = ky.create({ prefixUrl: '/api' });

export const projects = () => api.get('projects').json();
export const archive = (id: string) => api.post(`projects/${id}/archive`);
