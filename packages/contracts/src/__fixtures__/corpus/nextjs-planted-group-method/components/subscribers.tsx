import useSWR from 'swr';

const fetcher = (url: string) => fetch(url).then((r) => r.json());

export function Subscribers() {
  const { data } = useSWR('/api/newsletter', fetcher);
  return <pre>{JSON.stringify(data)}</pre>;
}
