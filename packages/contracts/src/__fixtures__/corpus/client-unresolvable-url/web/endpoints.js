export const endpoints = { feed: '/api/feed' };
