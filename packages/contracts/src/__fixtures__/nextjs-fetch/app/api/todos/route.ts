import { NextResponse } from 'next/server';

export async function GET() {
  // Server code calling another service: not a frontend call.
  const upstream = await fetch('https://upstream.example.com/v1/todos');
  return NextResponse.json(await upstream.json());
}

export async function POST(request: Request) {
  return NextResponse.json(await request.json(), { status: 201 });
}
