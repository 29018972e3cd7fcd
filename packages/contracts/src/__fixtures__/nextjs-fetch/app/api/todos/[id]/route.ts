import { NextResponse } from 'next/server';

type Context = { params: Promise<{ id: string }> };

export const GET = async (_request: Request, context: Context) => NextResponse.json({ id: (await context.params).id });

export async function DELETE() {
  return new NextResponse(null, { status: 204 });
}
