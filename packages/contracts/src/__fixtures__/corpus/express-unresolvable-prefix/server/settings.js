export function loadSettings() {
  return { apiRoot: () => process.env.API_ROOT || '/api' };
}
