import { Router } from 'express';
import type { NotesService } from './notes.service';

export function notesRouter(service: NotesService): Router {
  const router = Router();
  router.get('/', async (_req, res) => res.json(await service.list()));
  router.post('/', async (req, res) => res.status(201).json(await service.create(req.body)));
  router.get('/:noteId', async (req, res) => res.json(await service.get(req.params.noteId)));
  router.delete('/:noteId', async (req, res) => {
    await service.remove(req.params.noteId);
    res.sendStatus(204);
  });
  return router;
}
