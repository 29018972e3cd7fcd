/** GET /api/todos and POST /api/todos. A route file in the Next.js App Router style (see src/app.js). */

export async function GET({ store }) {
  return { status: 200, body: store.list() };
}

export async function POST({ store, body }) {
  return { status: 201, body: store.create(body) };
}
