const BASE_URL = '/api';

async function request(method, path, body) {
  const res = await fetch(`${BASE_URL}${path}`, { method, body: body && JSON.stringify(body) });
  return res.json();
}

export const http = {
  get: (path) => request('GET', path),
  post: (path, body) => request('POST', path, body),
  del: (path) => request('DELETE', path),
};
