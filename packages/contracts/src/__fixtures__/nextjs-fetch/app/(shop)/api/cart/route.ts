const handler = async () => Response.json({ items: [] });

export { handler as GET, handler as PUT };
