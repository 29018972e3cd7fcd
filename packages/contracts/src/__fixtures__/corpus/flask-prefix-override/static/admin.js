async function loadStats() {
  const response = await fetch('/api/admin/stats');
  return response.json();
}
