import express from 'express';
import { notesRouter } from './notes/notes.routes';
import { NotesService } from './notes/notes.service';

const API_VERSION = 'v2';
const app = express();
const service = new NotesService();
app.use(`/api/${API_VERSION}/notes`, notesRouter(service));
app.listen(3000);
