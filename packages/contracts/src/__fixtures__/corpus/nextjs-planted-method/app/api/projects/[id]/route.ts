export async function GET() {
  return Response.json({});
}

export async function PUT(request: Request) {
  return Response.json(await request.json());
}
