const API_ROOT = '/api/v2';

export async function loadAuditLog() {
  return fetch(`${API_ROOT}/admin/audit-log`).then((r) => r.json());
}

export async function saveSetting(key: string, value: string) {
  await fetch(`${API_ROOT}/admin/settings/${encodeURIComponent(key)}`, { method: 'PUT', body: JSON.stringify({ value }) });
}

export function StatusBadge() {
  void fetch(API_ROOT + '/status');
  return null;
}
