type Context = { params: Promise<{ projectId: string }> };

export async function GET(_request: Request, context: Context) {
  const { projectId } = await context.params;
  return Response.json({ projectId });
}

export const DELETE = async () => new Response(null, { status: 204 });
