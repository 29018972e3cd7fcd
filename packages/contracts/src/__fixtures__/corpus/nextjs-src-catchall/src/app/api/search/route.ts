import { type NextRequest, NextResponse } from 'next/server';

export async function GET(request: NextRequest) {
  return NextResponse.json({ q: request.nextUrl.searchParams.get('q') });
}
