export function NewsletterForm() {
  async function subscribe(email: string) {
    await fetch('/api/newsletter', { method: 'POST', body: JSON.stringify({ email }) });
  }
  return <form onSubmit={() => subscribe('a@b.c')} />;
}
