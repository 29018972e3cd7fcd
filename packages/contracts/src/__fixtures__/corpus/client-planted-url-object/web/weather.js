export async function weather(city) {
  const url = new URL(`/api/wether/${encodeURIComponent(city)}`, window.location.origin);
  url.searchParams.set('units', 'metric');
  return (await fetch(url)).json();
}
