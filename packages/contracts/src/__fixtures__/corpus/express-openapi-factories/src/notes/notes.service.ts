export class NotesService {
  async list() { return []; }
  async create(body: unknown) { return body; }
  async get(id: string) { return { id }; }
  async remove(_id: string) {}
}
