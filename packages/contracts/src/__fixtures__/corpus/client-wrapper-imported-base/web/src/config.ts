export const API_BASE = 'http://localhost:4000/api';
