import { NextResponse } from 'next/server';

export async function POST(request: Request) {
  const { email } = await request.json();
  return NextResponse.json({ email }, { status: 201 });
}
